"""Statement budgets on a generated city: each page and API list runs the same small number of
SQL statements with 10 nominations (`generate("tiny")`) as with 1,000 (`generate("small")`).

One module fixture loads each scale in turn into the emptied test database, runs the reminder
sweep (so there are notifications to list), picks the subjects the same way in both (the
reviewer of GD01, the first GD01 nomination of the newest open campaign, the union whose
member evaluation is under way, the inspector with the most checks, ...), then requests every
page twice as its user and counts the statements of the second request. The tests compare the
two scales: equal counts, within a tight budget, and the page really showing rows (more of
them in the bigger city where the list grows with it). The tables are emptied again at the
end, as after a `committing` test.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.auth.models import RoleAssignment, SessionKind, User
from app.auth.services import start_session
from app.campaigns.models import Campaign
from app.cli.generate import GENERATED_PASSWORD, generate
from app.commendation.models import Publicity, PublicityEntry
from app.extensions import db
from app.nominations.models import Nomination
from app.notifications.sweep import sweep
from app.orgs.models import Organization
from app.spot_checks.models import SpotCheck, SpotCheckAssignment, SpotCheckDraw
from tests.conftest import AuthActions, IsolatedClient, _truncate_all
from tests.test_query_budget import count_queries

# The generator's seed for both scales: with it "tiny" has a nomination awaiting the GD01
# reviewer, a draw of GD01 and a candidate in this year's campaign, an evaluation under way,
# a certificate and reminders for the reviewer, so that every list below has rows at 10
# nominations too (the default seed leaves the reviewer's worklist empty at "tiny"). If a
# change to the generator moves these, `test_the_pages_show_rows` says which list came out
# empty (or `_subjects` which subject is missing): choose another seed.
SEED = 3
SCALES = ("tiny", "small")


@dataclass
class Subjects:
    """What the pages are about, picked the same way at each scale."""

    campaign_id: int  # the newest open campaign (this year's, draws per district)
    city_draw_campaign_id: int  # the newest campaign the city draws for
    nomination_id: int  # the first nomination of GD01 in the newest open campaign
    nomination_unit: str
    union_user: str  # the first union with its member evaluation under way
    union_nomination_id: int
    union_unit: str
    inspector: str  # the inspector with the most checks
    check_id: int  # the first check of the city's draws
    draw_id: int  # the city's draw for city_draw_campaign_id
    publicity_id: int  # the newest published list (up now: objections may be lodged)
    listed_id: int  # the first nomination on it


def _subjects() -> Subjects:
    s = db.session
    campaign = s.scalar(
        select(Campaign)
        .where(Campaign.status == "open")
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
        .limit(1)
    )
    assert campaign is not None, "no open campaign"
    city = s.scalar(select(Organization).where(Organization.code == "GC"))
    gd01_units = select(Organization.id).where(Organization.code.like("GD01-%"))
    nomination = s.scalar(
        select(Nomination)
        .where(Nomination.campaign_id == campaign.id, Nomination.org_id.in_(gd01_units))
        .order_by(Nomination.id)
        .limit(1)
    )
    assert nomination is not None, "no GD01 nomination in the newest open campaign"
    evaluating = s.execute(
        select(Nomination.id, Organization.id, Organization.name)
        .join(Organization, Organization.id == Nomination.org_id)
        .where(Nomination.campaign_id == campaign.id, Nomination.status == "member_evaluation")
        .order_by(Organization.code)
        .limit(1)
    ).first()
    assert evaluating is not None, "no member evaluation under way in the newest campaign"
    union_user = s.scalar(
        select(User.username)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.org_id == evaluating[1], RoleAssignment.role == "union")
        .order_by(User.id)
        .limit(1)
    )
    inspector = s.scalar(
        select(User.username)
        .join(SpotCheckAssignment, SpotCheckAssignment.inspector_id == User.id)
        .group_by(User.id, User.username)
        .order_by(func.count().desc(), User.id)
        .limit(1)
    )
    draw = s.scalar(
        select(SpotCheckDraw)
        .where(SpotCheckDraw.scope_org_id == city.id)
        .order_by(SpotCheckDraw.campaign_id.desc(), SpotCheckDraw.id)
        .limit(1)
    )
    assert inspector is not None and draw is not None, "no spot check drawn by the city"
    check_id = s.scalar(select(func.min(SpotCheck.id)).where(SpotCheck.draw_id == draw.id))
    publicity_id = s.scalar(select(func.max(Publicity.id)))
    listed_id = s.scalar(
        select(PublicityEntry.nomination_id)
        .where(PublicityEntry.publicity_id == publicity_id)
        .order_by(PublicityEntry.position)
        .limit(1)
    )
    return Subjects(
        campaign_id=campaign.id,
        city_draw_campaign_id=draw.campaign_id,
        nomination_id=nomination.id,
        nomination_unit=nomination.org.name,
        union_user=union_user,
        union_nomination_id=evaluating[0],
        union_unit=evaluating[2],
        inspector=inspector,
        check_id=check_id,
        draw_id=draw.id,
        publicity_id=publicity_id,
        listed_id=listed_id,
    )


# -- what each page shows ------------------------------------------------------------------


def _html_count(pattern: str) -> Callable[[Any, Subjects], int]:
    regex = re.compile(pattern)
    return lambda response, _s: len(regex.findall(response.text))


def _json_len(key: str | None = None) -> Callable[[Any, Subjects], int]:
    def rows(response: Any, _s: Subjects) -> int:
        body = response.get_json()
        return len(body[key] if key else body)

    return rows


def _nominations_total(response: Any, _s: Subjects) -> int:
    """The API list's total (its page holds at most PAGE_SIZE)."""
    body = response.get_json()
    assert len(body["items"]) == min(body["total"], body["per_page"])
    return body["total"]


def _dashboard_total(response: Any, _s: Subjects) -> int:
    """The whole-city total of the district table (its last row)."""
    table = response.text.split('data-testid="district-table"', 1)[1].split("</table>", 1)[0]
    return int(re.findall(r'data-total="(\d+)"', table)[-1])


def _worklist_with(nomination: Callable[[Subjects], int]) -> Callable[[Any, Subjects], int]:
    """The worklist's rows (0 if the subject's nomination is not among them)."""

    def rows(response: Any, s: Subjects) -> int:
        if f'href="/nominations/{nomination(s)}"' not in response.text:
            return 0
        return response.text.count('class="list-group-item list-group-item-action"')

    return rows


def _history_shown(unit: Callable[[Subjects], str]) -> Callable[[Any, Subjects], int]:
    """The nomination's audit trail on its page (0 if the page is not about the unit)."""

    def rows(response: Any, s: Subjects) -> int:
        if unit(s) not in response.text:
            return 0
        history = response.text.split('data-testid="history"', 1)[1].split("</ol>", 1)[0]
        return history.count('<li class="list-group-item')

    return rows


@dataclass(frozen=True)
class Probe:
    name: str
    user: str | None  # a username, a key of Subjects naming one, or None (public)
    url: Callable[[Subjects], str]
    rows: Callable[[Any, Subjects], int]
    # At most this many statements: what SQLite ran when the test was written, plus one.
    # SQLite counts its explicit BEGIN (app.database.configure_sqlite): PostgreSQL runs one
    # statement fewer for the same request.
    budget: int
    grows: bool = True  # the bigger city shows more rows (False: about as many)
    api: bool = False


REVIEWER = "g-rev-gd01-1"
CITY = "g-city-1"

PROBES = [
    # pages
    Probe(
        "reviewer worklist",
        REVIEWER,
        lambda s: "/",
        _html_count(r'class="list-group-item list-group-item-action"'),
        budget=5,
    ),
    Probe(
        "union home",
        "union_user",
        lambda s: "/",
        _worklist_with(lambda s: s.union_nomination_id),
        budget=5,
        grows=False,
    ),
    Probe(
        "nomination page",
        REVIEWER,
        lambda s: f"/nominations/{s.nomination_id}",
        _history_shown(lambda s: s.nomination_unit),
        budget=8,
        grows=False,
    ),
    Probe(
        "union's nomination page",
        "union_user",
        lambda s: f"/nominations/{s.union_nomination_id}",
        _history_shown(lambda s: s.union_unit),
        budget=11,
        grows=False,
    ),
    Probe(
        "city dashboard",
        CITY,
        lambda s: f"/campaigns/{s.campaign_id}/dashboard",
        _dashboard_total,
        budget=9,
    ),
    Probe(
        "reviewer's dashboard",
        REVIEWER,
        lambda s: f"/campaigns/{s.campaign_id}/dashboard",
        _dashboard_total,
        budget=9,
    ),
    Probe(
        "nominations list",
        REVIEWER,
        lambda s: "/nominations/",
        _html_count(r"<tr[^>]*>\s*<td"),
        budget=7,
    ),
    Probe(
        "notifications",
        REVIEWER,
        lambda s: "/notifications",
        _html_count(r'data-testid="notification"'),
        budget=5,
    ),
    Probe(
        "inspector's checks",
        "inspector",
        lambda s: "/spot-checks/mine",
        _html_count(r'class="list-group-item'),
        budget=6,
        grows=False,
    ),
    Probe(
        "district's spot checks",
        REVIEWER,
        lambda s: f"/campaigns/{s.campaign_id}/spot-checks",
        _html_count(r'href="/spot-checks/\d+"'),
        budget=10,
    ),
    # API lists
    Probe(
        "API nominations",
        REVIEWER,
        lambda s: "/api/v1/nominations",
        _nominations_total,
        budget=5,
        api=True,
    ),
    Probe(
        "API nominations (city)",
        CITY,
        lambda s: "/api/v1/nominations?per_page=100",
        _nominations_total,
        budget=5,
        api=True,
    ),
    Probe(
        "API campaigns",
        CITY,
        lambda s: "/api/v1/campaigns",
        _json_len(),
        budget=6,
        grows=False,
        api=True,
    ),
    Probe(
        "API dashboard",
        CITY,
        lambda s: f"/api/v1/campaigns/{s.campaign_id}/dashboard",
        _json_len("districts"),
        budget=8,
        api=True,
    ),
    Probe(
        "API district draws",
        REVIEWER,
        lambda s: f"/api/v1/campaigns/{s.campaign_id}/draws",
        _json_len(),
        budget=6,
        grows=False,
        api=True,
    ),
    Probe(
        "API city draws",
        CITY,
        lambda s: f"/api/v1/campaigns/{s.city_draw_campaign_id}/draws",
        _json_len(),
        budget=6,
        grows=False,
        api=True,
    ),
    Probe(
        "API public draw",
        None,
        lambda s: f"/api/v1/draws/{s.draw_id}",
        _json_len("population"),
        budget=5,
        api=True,
    ),
    Probe(
        "API spot checks (city)",
        CITY,
        lambda s: "/api/v1/spot-checks",
        _json_len(),
        budget=6,
        api=True,
    ),
    Probe(
        "API spot checks (inspector)",
        "inspector",
        lambda s: "/api/v1/spot-checks",
        _json_len(),
        budget=5,
        grows=False,
        api=True,
    ),
    Probe(
        "API check candidates",
        CITY,
        lambda s: f"/api/v1/spot-checks/{s.check_id}/candidates",
        _json_len(),
        budget=14,
        api=True,
    ),
    Probe(
        "API publicity",
        None,
        lambda s: f"/api/v1/publicities/{s.publicity_id}",
        _json_len("entries"),
        budget=4,
        api=True,
    ),
    Probe(
        "API publicities",
        CITY,
        lambda s: f"/api/v1/campaigns/{s.city_draw_campaign_id}/publicities",
        _json_len(),
        budget=5,
        grows=False,
        api=True,
    ),
    Probe(
        "API objections",
        CITY,
        lambda s: f"/api/v1/campaigns/{s.city_draw_campaign_id}/objections",
        _json_len(),
        budget=5,
        api=True,
    ),
    Probe(
        "API commendation board",
        CITY,
        lambda s: f"/api/v1/campaigns/{s.campaign_id}/commendation",
        _json_len("rows"),
        budget=8,
        api=True,
    ),
    Probe("API honour roll", None, lambda s: "/api/v1/honours", _json_len(), budget=4, api=True),
    Probe(
        "API nomination",
        REVIEWER,
        lambda s: f"/api/v1/nominations/{s.nomination_id}",
        _json_len("history"),
        budget=6,
        grows=False,
        api=True,
    ),
    Probe(
        "API evaluation tokens",
        "union_user",
        lambda s: f"/api/v1/nominations/{s.union_nomination_id}/evaluation/tokens",
        _json_len(),
        budget=10,
        grows=False,
        api=True,
    ),
    Probe(
        "API rounds",
        "union_user",
        lambda s: f"/api/v1/nominations/{s.union_nomination_id}/rounds",
        _json_len(),
        budget=5,
        grows=False,
        api=True,
    ),
    Probe(
        "API evidence",
        "union_user",
        lambda s: f"/api/v1/nominations/{s.union_nomination_id}/evidence",
        _json_len(),
        budget=5,
        grows=False,
        api=True,
    ),
]


@dataclass
class Measured:
    statements: int
    status: int
    rows: int
    text: str  # the start of the body, for a failure's message


def _username(probe: Probe, subjects: Subjects) -> str | None:
    if probe.user is None:
        return None
    return getattr(subjects, probe.user, probe.user)


def _measure_scale(app: Flask, subjects: Subjects) -> dict[str, Measured]:
    web: dict[str, IsolatedClient] = {}
    tokens: dict[str, str] = {}
    public = IsolatedClient(app, app.response_class, use_cookies=True)
    # A member of the public objects to the first home on the list (the small city has a
    # few objections of its own; the tiny one none).
    lodged = public.post(
        f"/api/v1/publicities/{subjects.publicity_id}/objections",
        json={
            "nomination_id": subjects.listed_id,
            "contact": "13912345678",
            "body": "反映该单位职工书屋长期关闭，职工之家活动室被挪作他用。",
        },
    )
    assert lodged.status_code == 201, lodged.text
    results = {}
    for probe in PROBES:
        username = _username(probe, subjects)
        headers = {}
        client = public
        if username and probe.api:
            if username not in tokens:
                user = db.session.scalar(select(User).where(User.username == username))
                tokens[username] = start_session(user, SessionKind.API)[0]
                db.session.commit()
            headers = {"Authorization": f"Bearer {tokens[username]}"}
        elif username:
            if username not in web:
                web[username] = IsolatedClient(app, app.response_class, use_cookies=True)
                login = AuthActions(web[username]).login(username, GENERATED_PASSWORD)
                assert login.status_code == 302, (username, login.text[:500])
            client = web[username]
        url = probe.url(subjects)
        client.get(url, headers=headers)  # warm: whatever is loaded once per process
        with count_queries() as counter:
            response = client.get(url, headers=headers)
        text = response.get_data(as_text=True)[:800]
        try:
            rows = probe.rows(response, subjects) if response.status_code == 200 else -1
        except Exception as exc:  # reported by the test, not as the fixture's error
            rows, text = -1, f"{exc!r} reading rows from {text}"
        results[probe.name] = Measured(counter["n"], response.status_code, rows, text)
    return results


@pytest.fixture(scope="module")
def measured(app: Flask) -> Iterator[dict[str, dict[str, Measured]]]:
    """{scale: {probe: Measured}}: each scale generated into the emptied database in turn."""
    results: dict[str, dict[str, Measured]] = {}
    timings = []
    try:
        for scale in SCALES:
            started = time.monotonic()
            with app.app_context():
                _truncate_all()
                generate(scale, seed=SEED, progress=lambda _line: None)
                sweep()
                db.session.commit()
                subjects = _subjects()
            generated = time.monotonic()
            with app.app_context():
                results[scale] = _measure_scale(app, subjects)
            timings.append(
                f"{scale}: generate {generated - started:.1f} s, "
                f"requests {time.monotonic() - generated:.1f} s"
            )
        print("\n" + "; ".join(timings))
        for probe in PROBES:
            print(
                f"{probe.name:32} "
                + "  ".join(
                    f"{scale}: {results[scale][probe.name].statements:3} statements, "
                    f"{results[scale][probe.name].rows:5} rows"
                    for scale in SCALES
                )
            )
        yield results
    finally:
        with app.app_context():
            db.session.remove()
            _truncate_all()


@pytest.mark.parametrize("probe", PROBES, ids=[p.name for p in PROBES])
def test_statements_do_not_grow_with_the_city(measured, probe):  # type: ignore[no-untyped-def]
    tiny, small = (measured[scale][probe.name] for scale in SCALES)
    for scale, m in (("tiny", tiny), ("small", small)):
        assert m.status == 200, f"{probe.name} at {scale}: {m.status} {m.text}"
    assert tiny.statements == small.statements, (
        f"{probe.name}: {tiny.statements} statements with 10 nominations, "
        f"{small.statements} with 1,000"
    )
    assert small.statements <= probe.budget, (
        f"{probe.name}: {small.statements} statements, budget {probe.budget}"
    )


@pytest.mark.parametrize("probe", PROBES, ids=[p.name for p in PROBES])
def test_the_pages_show_rows(measured, probe):  # type: ignore[no-untyped-def]
    tiny, small = (measured[scale][probe.name] for scale in SCALES)
    assert tiny.rows >= 1, f"{probe.name} shows nothing at tiny: {tiny.text}"
    if probe.grows:
        assert small.rows > tiny.rows, (
            f"{probe.name}: {small.rows} rows at small, {tiny.rows} at tiny"
        )
    else:
        assert small.rows >= 1, f"{probe.name} shows nothing at small: {small.text}"
