"""The city dashboard: figures per district and stage, 会员评家 bands, 随机抽查 outcomes,
overdue steps; scope (the city sees every district, a reviewer its own, unions and
inspectors are refused); the API and the exports; and a statement count that does not grow
with the rows."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from itertools import cycle

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select

from app.auth.models import Role, SessionKind
from app.auth.services import start_session
from app.campaigns.models import AwardType, Campaign, CampaignStatus
from app.evaluation.models import EvaluationStatus, MemberEvaluation
from app.extensions import db
from app.nominations.models import Nomination
from app.orgs.models import OrgLevel
from app.orgs.services import create_org
from app.spot_checks.models import DrawStatus, SpotCheck, SpotCheckDraw
from app.timeutil import beijing_today
from tests.factories import make_user
from tests.test_api import Api, assert_json_error
from tests.test_query_budget import count_queries
from workflows.nomination import FINAL_STATES, STATE_NAMES


class Tables(HTMLParser):
    """The page's tables by data-testid: each row's data-* attributes and cell texts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[dict]] = {}
        self._table: str | None = None
        self._row: dict | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = dict(attrs)
        if tag == "table" and data.get("data-testid"):
            self._table = data["data-testid"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = {"attrs": data, "cells": []}
            self.tables[self._table].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._row["cells"].append((data, self._cell))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag in ("td", "th"):
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def rows(self, testid: str, key: str) -> dict[str, dict[str, str]]:
        """Rows that carry data-`key`, by its value: {column key or data-col → text}."""
        found = {}
        for row in self.tables[testid]:
            if key not in row["attrs"]:
                continue
            cells = {}
            for attrs, text in row["cells"]:
                col = attrs.get("data-stage") or attrs.get("data-col")
                if col:
                    cells[col] = "".join(text).strip()
            found[row["attrs"][key]] = {**row["attrs"], **cells}
        return found


@pytest.fixture
def api_as(client, world):  # type: ignore[no-untyped-def]
    """`api_as("city")`: the JSON API as that user, with a fresh token."""
    return lambda key: Api(client, start_session(world.user(key), SessionKind.API)[0])


def dashboard_url(world) -> str:  # type: ignore[no-untyped-def]
    return f"/campaigns/{world.campaign.id}/dashboard"


def _draw(world) -> SpotCheckDraw:  # type: ignore[no-untyped-def]
    draw = SpotCheckDraw(
        campaign_id=world.campaign.id,
        scope_org_id=world.city.id,
        method="count",
        value="1",
        seed_commitment="0" * 64,
        seed="test",
        population=[],
        sample=[],
        status=DrawStatus.APPLIED,
    )
    db.session.add(draw)
    db.session.flush()
    return draw


def _evaluation(
    nomination: Nomination,
    rate: str | None,
    passed: bool | None,
    turnout: str = "0.8",
    closed: bool = True,
) -> None:
    now = datetime.now(UTC)
    db.session.add(
        MemberEvaluation(
            nomination_id=nomination.id,
            opens_at=now - timedelta(days=10),
            closes_at=now - timedelta(days=1) if closed else now + timedelta(days=2),
            member_count=100,
            dimensions=[],
            status=EvaluationStatus.CLOSED if closed else EvaluationStatus.OPEN,
            turnout=turnout if closed else None,
            satisfaction_rate=rate if closed else None,
            passed=passed if closed else None,
        )
    )


@pytest.fixture
def figures(world):  # type: ignore[no-untyped-def]
    """A campaign with known figures in districts A (seven nominations) and B (five)."""
    today = beijing_today()
    a, a2, b = world.union_a, world.union_a2, world.union_b

    def nom(org, status: str, overdue_days: int | None = None):  # type: ignore[no-untyped-def]
        n = world.nomination(org=org, status=status, complete=False)
        if overdue_days is not None:
            n.due_on = today - timedelta(days=overdue_days)
        return n

    draw = _draw(world)
    # district A
    n1 = nom(a, "submitted", overdue_days=5)
    nom(a2, "draft", overdue_days=0)  # due today: not overdue yet
    n3 = nom(a, "member_evaluation", overdue_days=2)
    _evaluation(n3, None, None, closed=False)
    _evaluation(nom(a, "awaiting_draw"), "0.96", True, turnout="0.8")
    _evaluation(nom(a2, "evaluation_failed"), "0.82", False, turnout="0.6")
    nom(a, "rejected", overdue_days=30)  # final: never overdue
    n7 = nom(a, "candidate")
    _evaluation(n7, "0.91", True, turnout="0.9")
    db.session.add(SpotCheck(nomination_id=n7.id, draw_id=draw.id, conclusion="pass"))
    # district B
    n8 = nom(b, "rectification", overdue_days=10)
    db.session.add(SpotCheck(nomination_id=n8.id, draw_id=draw.id, conclusion="rectify"))
    n9 = nom(b, "spot_check_failed")
    _evaluation(n9, "0.85", True, turnout="0.5")  # on the edge: in the 85–90% band
    db.session.add(
        SpotCheck(
            nomination_id=n9.id,
            draw_id=draw.id,
            conclusion="rectify",
            rectification_decision="reject",
        )
    )
    _evaluation(nom(b, "commended"), "1", True, turnout="0.7")
    nom(b, "withdrawn")
    n12 = nom(b, "spot_check")
    db.session.add(SpotCheck(nomination_id=n12.id, draw_id=draw.id))
    db.session.commit()
    world.overdue = {"n1": n1.id, "n3": n3.id, "n8": n8.id}
    return world


# -- the numbers --------------------------------------------------------------------------


def test_counts_per_district_and_stage(figures, client, auth):
    world = figures
    auth.login("city")
    page = Tables(client.get(dashboard_url(world)).text)
    rows = page.rows("district-table", "data-district")
    a, b = rows[str(world.district_a.id)], rows[str(world.district_b.id)]
    assert (
        a["application"],
        a["evaluation"],
        a["spot_check"],
        a["commendation"],
        a["commended"],
        a["ended"],
        a["total"],
    ) == ("2", "1", "1", "1", "0", "2", "7")
    assert (
        b["application"],
        b["evaluation"],
        b["spot_check"],
        b["commendation"],
        b["commended"],
        b["ended"],
        b["total"],
    ) == ("0", "0", "2", "0", "1", "2", "5")
    total = rows["total"]
    assert (
        total["application"],
        total["spot_check"],
        total["commended"],
        total["ended"],
        total["total"],
    ) == ("2", "3", "1", "4", "12")
    states = page.rows("state-table", "data-state")
    assert {s: int(r["data-count"]) for s, r in states.items() if r["data-count"] != "0"} == {
        "submitted": 1,
        "draft": 1,
        "member_evaluation": 1,
        "awaiting_draw": 1,
        "evaluation_failed": 1,
        "rejected": 1,
        "candidate": 1,
        "rectification": 1,
        "spot_check_failed": 1,
        "commended": 1,
        "withdrawn": 1,
        "spot_check": 1,
    }
    assert list(states) == STATE_NAMES  # every state listed, zeros too


def test_shares_and_quotas_per_district(figures, api_as):
    world = figures
    body = api_as("city").get(f"/campaigns/{world.campaign.id}/dashboard").get_json()
    a, b = body["districts"]
    assert (a["name"], a["quota"], b["name"], b["quota"]) == ("甲区总工会", 2, "乙区总工会", 1)
    assert a["nominations"]["share"] == pytest.approx(7 / 12)
    assert b["nominations"]["share"] == pytest.approx(5 / 12)
    assert body["total"]["quota"] == 3 and body["total"]["nominations"]["share"] == 1.0


def test_satisfaction_bands_and_district_averages(figures, client, auth):
    world = figures
    auth.login("city")
    page = Tables(client.get(dashboard_url(world)).text)
    bands = page.rows("band-table", "data-band")
    assert {k: (r["data-count"], r["data-passed"], r["data-failed"]) for k, r in bands.items()} == {
        "below_80": ("0", "0", "0"),
        "80_85": ("1", "0", "1"),
        "85_90": ("1", "1", "0"),
        "90_95": ("1", "1", "0"),
        "95_100": ("2", "2", "0"),
        "no_ballots": ("0", "0", "0"),
    }
    evaluations = page.rows("evaluation-table", "data-district")
    a = evaluations[str(world.district_a.id)]
    assert a["data-closed"] == "3"
    assert a["satisfaction"] == "89.7%"  # (96 + 82 + 91) / 3
    assert a["turnout"] == "76.7%"  # (80 + 60 + 90) / 3
    assert a["lowest"] == "82.0%"
    b = evaluations[str(world.district_b.id)]
    assert (b["data-closed"], b["satisfaction"], b["lowest"]) == ("2", "92.5%", "85.0%")
    assert evaluations["total"]["data-closed"] == "5"


def test_evaluation_figures_in_the_api(figures, api_as):
    world = figures
    body = api_as("city").get(f"/campaigns/{world.campaign.id}/dashboard").get_json()
    a = body["districts"][0]["evaluation"]
    assert (a["open"], a["closed"], a["passed"], a["failed"]) == (1, 3, 2, 1)
    assert a["avg_satisfaction"] == pytest.approx((0.96 + 0.82 + 0.91) / 3)
    bands = {b["key"]: b for b in body["satisfaction_bands"]}
    assert bands["95_100"]["share"] == pytest.approx(2 / 5)
    assert bands["below_80"]["share"] is None


def test_an_evaluation_without_valid_ballots_is_its_own_band(world, api_as):
    _evaluation(world.nomination(status="awaiting_draw", complete=False), "0.9", True)
    _evaluation(world.nomination(status="evaluation_failed", complete=False), None, False)
    db.session.commit()
    body = api_as("city").get(f"/campaigns/{world.campaign.id}/dashboard").get_json()
    bands = {b["key"]: b["count"] for b in body["satisfaction_bands"]}
    assert bands["no_ballots"] == 1 and bands["90_95"] == 1
    a = body["districts"][0]["evaluation"]
    # Two closed, one failed; the average and the lowest are over the rates there are.
    assert (a["closed"], a["failed"], a["avg_satisfaction"], a["min_satisfaction"]) == (
        2,
        1,
        pytest.approx(0.9),
        pytest.approx(0.9),
    )


def test_spot_check_outcomes_per_district(figures, client, auth):
    world = figures
    auth.login("city")
    checks = Tables(client.get(dashboard_url(world)).text).rows("check-table", "data-district")
    a, b = checks[str(world.district_a.id)], checks[str(world.district_b.id)]
    assert (a["data-checks"], a["pass"], a["rectify"], a["fail"], a["pending"]) == (
        "1",
        "1",
        "0",
        "0",
        "0",
    )
    assert (
        b["data-checks"],
        b["pending"],
        b["pass"],
        b["rectify"],
        b["rejected"],
        b["accepted"],
        b["awaiting"],
    ) == ("3", "1", "0", "2", "1", "0", "1")
    assert checks["total"]["data-checks"] == "4"


def test_overdue_steps_per_district_and_the_most_overdue(figures, client, auth):
    world = figures
    auth.login("city")
    html = client.get(dashboard_url(world)).text
    page = Tables(html)
    overdue = page.rows("overdue-table", "data-district")
    a, b = overdue[str(world.district_a.id)], overdue[str(world.district_b.id)]
    # Due today is not overdue; a rejected nomination has no step left, whatever its date.
    assert (a["data-overdue"], a["application"], a["evaluation"]) == ("2", "1", "1")
    assert (b["data-overdue"], b["spot_check"]) == ("1", "1")
    assert overdue["total"]["data-overdue"] == "3"
    steps = page.rows("overdue-steps", "data-nomination")
    assert [(int(k), int(r["data-days"])) for k, r in steps.items()] == [
        (world.overdue["n8"], 10),
        (world.overdue["n1"], 5),
        (world.overdue["n3"], 2),
    ]
    assert f'href="/nominations/{world.overdue["n8"]}"' in html
    assert 'data-testid="overdue-total">3<' in html


def test_overdue_in_the_api_with_ranks_and_shares(figures, api_as):
    world = figures
    body = api_as("city").get(f"/campaigns/{world.campaign.id}/dashboard").get_json()
    assert body["as_of"] == beijing_today().isoformat()
    steps = body["overdue_steps"]
    assert [(s["nomination_id"], s["rank"], s["rank_in_district"], s["days"]) for s in steps] == [
        (world.overdue["n8"], 1, 1, 10),
        (world.overdue["n1"], 2, 1, 5),
        (world.overdue["n3"], 3, 2, 2),
    ]
    assert steps[0]["due_on"] == (beijing_today() - timedelta(days=10)).isoformat()
    assert body["overdue_total"] == 3
    a, b = body["districts"]
    assert a["overdue"]["share"] == pytest.approx(2 / 3)
    assert (a["overdue"]["most_days"], b["overdue"]["most_days"]) == (5, 10)


def test_an_empty_campaign_shows_zeros(world, client, auth):
    auth.login("city")
    response = client.get(dashboard_url(world))
    assert response.status_code == 200
    page = Tables(response.text)
    rows = page.rows("district-table", "data-district")
    assert set(rows) == {str(world.district_a.id), str(world.district_b.id), "total"}
    assert all(r["total"] == "0" for r in rows.values())
    assert 'data-testid="no-overdue"' in response.text


# -- scope --------------------------------------------------------------------------------


def test_a_reviewer_sees_only_their_own_district(figures, client, auth, api_as):
    world = figures
    auth.login("reviewer_a")
    html = client.get(dashboard_url(world)).text
    page = Tables(html)
    rows = page.rows("district-table", "data-district")
    assert set(rows) == {str(world.district_a.id), "total"}
    assert rows["total"]["total"] == "7"
    assert world.district_b.name not in html and world.union_b.name not in html
    assert 'data-testid="own-districts"' in html
    steps = page.rows("overdue-steps", "data-nomination")
    assert [int(k) for k in steps] == [world.overdue["n1"], world.overdue["n3"]]
    bands = page.rows("band-table", "data-band")
    assert bands["95_100"]["data-count"] == "1" and bands["85_90"]["data-count"] == "0"

    body = api_as("reviewer_b").get(f"/campaigns/{world.campaign.id}/dashboard").get_json()
    assert [d["district_id"] for d in body["districts"]] == [world.district_b.id]
    assert body["total"]["nominations"]["total"] == 5 and body["whole_city"] is False
    assert [s["nomination_id"] for s in body["overdue_steps"]] == [world.overdue["n8"]]


@pytest.mark.parametrize("username", ["union_a", "inspector"])
def test_unions_and_inspectors_are_refused(figures, client, auth, api_as, username):
    world = figures
    auth.login(username)
    base = dashboard_url(world)
    for url in (base, f"{base}/districts.csv", f"{base}.xlsx", "/dashboard"):
        assert client.get(url).status_code == 403, url
    assert 'data-testid="nav-dashboard"' not in client.get("/").text
    assert_json_error(api_as(username).get(f"/campaigns/{world.campaign.id}/dashboard"), 403)


def test_a_campaign_the_user_may_not_see_is_not_found(world, client, auth, api_as):
    other_city = create_org(code="X", name="外市总工会", level=OrgLevel.CITY)
    hidden = Campaign(
        name="外市评选",
        year=2026,
        status=CampaignStatus.OPEN,
        level="city",
        organizer_id=other_city.id,
        award_types=[AwardType.MODEL_HOME.value],
    )
    db.session.add(hidden)
    db.session.commit()
    auth.login("city")
    for campaign_id in (hidden.id, 999999):
        assert client.get(f"/campaigns/{campaign_id}/dashboard").status_code == 404
        assert client.get(f"/campaigns/{campaign_id}/dashboard.xlsx").status_code == 404
        assert client.get(f"/campaigns/{campaign_id}/dashboard/states.csv").status_code == 404
        assert_json_error(api_as("city").get(f"/campaigns/{campaign_id}/dashboard"), 404)
    assert client.get(f"{dashboard_url(world)}/nonsense.csv").status_code == 404


def test_a_reviewers_exports_cover_only_their_district(figures, client, auth):
    world = figures
    auth.login("reviewer_b")
    text = client.get(f"{dashboard_url(world)}/districts.csv").get_data(as_text=True)
    body = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]
    assert [r[0] for r in body] == ["乙区总工会", "合计"]
    book = load_workbook(io.BytesIO(client.get(f"{dashboard_url(world)}.xlsx").data))
    cells = {c.value for sheet in book for row in sheet.iter_rows() for c in row}
    assert world.district_a.name not in cells and world.union_a.name not in cells


def test_an_administrator_sees_every_district(figures, api_as):
    world = figures
    body = api_as("admin").get(f"/campaigns/{world.campaign.id}/dashboard").get_json()
    assert [d["district_id"] for d in body["districts"]] == [
        world.district_a.id,
        world.district_b.id,
    ]
    assert body["whole_city"] is True and body["total"]["nominations"]["total"] == 12


def test_the_nav_entry_without_any_campaign(world, client, auth):
    """A reviewer of a city that has no campaign yet: told so on the campaign list."""
    other = create_org(code="Y", name="另一市总工会", level=OrgLevel.CITY)
    district = create_org(code="Y-A", name="另一区总工会", level=OrgLevel.DISTRICT, parent=other)
    make_user("reviewer_y", Role.REVIEWER, district)
    db.session.commit()
    auth.login("reviewer_y")
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/campaigns/")
    assert "目前还没有可查看的评选活动。" in client.get(response.headers["Location"]).text


def test_api_needs_a_token_and_is_described(world, client):
    assert_json_error(client.get(f"/api/v1/campaigns/{world.campaign.id}/dashboard"), 401)
    spec = client.get("/api/v1/openapi.json").get_json()
    view = spec["paths"]["/api/v1/campaigns/{campaign_id}/dashboard"]["get"]
    assert view["security"] == [{"bearerAuth": []}]
    assert {"200", "401", "403", "404"} <= set(view["responses"])
    assert {"districts", "total", "satisfaction_bands", "overdue_steps"} <= set(
        spec["components"]["schemas"]["Dashboard"]["properties"]
    )


def test_nav_and_campaign_page_link_to_the_dashboard(world, client, auth):
    auth.login("reviewer_a")
    home = client.get("/").text
    assert 'data-testid="nav-dashboard"' in home
    assert 'data-testid="dashboard-link"' in client.get(f"/campaigns/{world.campaign.id}").text
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(dashboard_url(world))


def test_the_page_in_english(world, client, auth):
    auth.login("city")
    assert "已表彰" in client.get(dashboard_url(world)).text  # Chinese first, as by default
    client.get("/lang/en")
    html = client.get(dashboard_url(world)).text
    # Domain labels are looked up per request, never fixed when the template compiled.
    assert "Commended" in html and "已表彰" not in html
    assert ">Member evaluation</a>" in html and ">Spot check</a>" in html
    assert "below 80%" in html and "Nominations per district and stage" in html


# -- exports ------------------------------------------------------------------------------


def test_section_csv(figures, client, auth):
    world = figures
    auth.login("city")
    response = client.get(f"{dashboard_url(world)}/districts.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"dashboard-{world.campaign.id}-districts-" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, *body = rows
    assert header[0] == "区县"
    total = header.index("合计")
    assert [(r[0], r[total]) for r in body] == [
        ("甲区总工会", "7"),
        ("乙区总工会", "5"),
        ("合计", "12"),
    ]
    steps = client.get(f"{dashboard_url(world)}/overdue-steps.csv").get_data(as_text=True)
    assert str(world.overdue["n8"]) in steps and "乙区街道总工会" in steps


def test_excel_has_a_sheet_per_section(figures, client, auth):
    world = figures
    auth.login("city")
    response = client.get(f"{dashboard_url(world)}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert len(book.sheetnames) == 7
    sheet = book[book.sheetnames[0]]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[1][0] == "甲区总工会" and values[-1][0] == "合计"
    checks = book[book.sheetnames[4]]
    assert [c.value for c in checks[5]][:3] == ["合计", 4, 1]  # title, header, A, B, total


# -- statements ---------------------------------------------------------------------------


def _bulk(world, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` nominations in every state across both districts, with closed evaluations
    and spot checks: Core executemany inserts, not one ORM object at a time."""
    today = beijing_today()
    orgs = cycle([world.union_a.id, world.union_a2.id, world.union_b.id])
    states = cycle(STATE_NAMES)
    first = db.session.scalar(select(db.func.coalesce(db.func.max(Nomination.id), 0)))
    db.session.execute(
        insert(Nomination),
        [
            {
                "campaign_id": world.campaign.id,
                "org_id": next(orgs),
                "award_type": "model_home",
                "status": next(states),
                "version": 1,
                "due_on": today - timedelta(days=i % 40),
            }
            for i in range(count)
        ],
    )
    ids = list(db.session.scalars(select(Nomination.id).where(Nomination.id > first)))
    draw = _draw(world)
    now = datetime.now(UTC)
    db.session.execute(
        insert(MemberEvaluation),
        [
            {
                "nomination_id": nid,
                "status": "closed",
                "opens_at": now - timedelta(days=9),
                "closes_at": now - timedelta(days=2),
                "member_count": 50,
                "dimensions": [],
                "turnout": 0.8,
                "satisfaction_rate": 0.7 + (i % 30) / 100,
                "passed": i % 3 > 0,
            }
            for i, nid in enumerate(ids)
            if i % 2
        ],
    )
    db.session.execute(
        insert(SpotCheck),
        [
            {
                "nomination_id": nid,
                "draw_id": draw.id,
                "conclusion": ("pass", "rectify", "fail", None)[i % 4],
            }
            for i, nid in enumerate(ids)
            if i % 3 == 0
        ],
    )
    db.session.commit()


def test_statements_do_not_grow_with_rows(world, client, auth, api_as):
    auth.login("city")
    api = api_as("city")
    urls = [dashboard_url(world), f"{dashboard_url(world)}/districts.csv"]
    api_url = f"/campaigns/{world.campaign.id}/dashboard"

    def measure() -> list[int]:
        counts = []
        for url in urls:
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counts.append(counter["n"])
        with count_queries() as counter:
            assert api.get(api_url).status_code == 200
        return [*counts, counter["n"]]

    _bulk(world, 10)
    few = measure()
    _bulk(world, 990)
    many = measure()
    body = api.get(api_url).get_json()
    assert body["total"]["nominations"]["total"] == 1000
    assert body["overdue_total"] > 20 and len(body["overdue_steps"]) == 20
    assert many == few, f"{few} statements with 10 nominations, {many} with 1,000"
    page, export, api_count = few
    assert page <= 10 and export <= 9 and api_count <= 9, few
    assert page == export, few  # the switcher's list stands in for the campaign lookup


# -- on a phone -----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.committing
def test_the_page_fits_a_phone(app, phone):  # type: ignore[no-untyped-def]
    """375 px wide: the tables scroll inside their boxes, the charts shrink, the page itself
    never scrolls sideways."""
    from playwright.sync_api import expect

    from tests.browser_support import assert_fits_the_phone, log_in, screenshot
    from tests.factories import build_world

    with app.test_request_context():
        world = build_world()
        today = beijing_today()
        for org, status, late in (
            (world.union_a, "submitted", 3),
            (world.union_b, "draft", 9),
            (world.union_a2, "member_evaluation", None),
        ):
            n = world.nomination(org=org, status=status, complete=False)
            if late:
                n.due_on = today - timedelta(days=late)
        db.session.commit()
        campaign_id = world.campaign.id

    log_in(phone, "city")
    phone.goto(f"/campaigns/{campaign_id}/dashboard")
    expect(phone.get_by_test_id("district-table")).to_be_attached()
    expect(phone.get_by_test_id("overdue-steps")).to_be_visible()
    assert_fits_the_phone(phone)
    screenshot(phone, "dashboard-phone")
    assert not phone.js_errors


def test_the_switcher_lists_the_other_campaigns(world, client, auth):
    older = Campaign(
        name="2025年度评选",
        year=2025,
        status=CampaignStatus.CLOSED,
        level="city",
        organizer_id=world.city.id,
        award_types=[AwardType.MODEL_HOME.value],
    )
    db.session.add(older)
    db.session.commit()
    auth.login("city")
    html = client.get(dashboard_url(world)).text
    assert f'href="/campaigns/{older.id}/dashboard"' in html
    html = client.get(f"/campaigns/{older.id}/dashboard").text
    assert "2025年度评选" in html and f'href="{dashboard_url(world)}"' in html


def test_final_states_are_marked_ended(world, client, auth):
    auth.login("city")
    html = client.get(dashboard_url(world)).text
    rows = {
        m.group(1): m.group(0) for m in re.finditer(r'<tr data-state="(\w+)".*?</tr>', html, re.S)
    }
    ended = {s for s, row in rows.items() if "text-bg-light border" in row}
    assert ended == set(FINAL_STATES)
    assert "text-bg-success" in rows["commended"]


def _chart(html: str, testid: str) -> dict[str, str]:
    """A chart's rows by data-key: the number printed at the end of each bar."""
    figure = html.split(f'data-testid="{testid}"', 1)[1].split("</figure>", 1)[0]
    return dict(re.findall(r'data-key="(\w+)">.*?</svg>\s*<span[^>]*>([^<]*)</span>', figure, re.S))


def test_the_charts_per_district(figures, client, auth):
    world = figures
    auth.login("city")
    html = client.get(dashboard_url(world)).text
    a, b = str(world.district_a.id), str(world.district_b.id)
    assert _chart(html, "district-chart") == {a: "7", b: "5"}
    assert _chart(html, "satisfaction-chart") == {a: "89.7%", b: "92.5%"}
    assert _chart(html, "check-chart") == {a: "1", b: "3"}
    assert _chart(html, "overdue-chart") == {a: "2", b: "1"}
