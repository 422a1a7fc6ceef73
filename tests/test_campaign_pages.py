"""Campaign pages: the city federation creates and edits campaigns; the detail page's summary."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import event, func, select

from app.campaigns.models import AwardType, Campaign, CampaignStatus, Stage
from app.campaigns.services import get_campaign, nomination_summary
from app.extensions import db
from app.orgs.models import OrgLevel
from app.orgs.services import create_org
from tests.conftest import csrf_from, field_error, post_form

CALENDAR = {
    "due_application": "2027-03-31",
    "due_review": "2027-04-30",
    "due_evaluation": "2027-05-31",
    "due_spot_check": "2027-06-30",
    "due_publicity": "2027-07-15",
}


def campaign_form(world, **changes) -> dict:  # type: ignore[no-untyped-def]
    data = {
        "name": "2027年度市级模范职工之家评选",
        "year": "2027",
        "level": "city",
        "status": "draft",
        "award_types": ["model_home", "outstanding_worker"],
        **CALENDAR,
        f"quota_{world.district_a.id}": "3",
        f"quota_{world.district_b.id}": "2",
        "standard_version_id": str(world.campaign.standard_version_id),
        "evaluation_rule": "satisfied_or_basic",
        "evaluation_min_turnout": "",
        "review_working_days": "",
        "publicity_working_days": "5",
    }
    data.update(changes)
    return data


def campaign_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Campaign))


# -- create -------------------------------------------------------------------------------


def test_city_creates_a_campaign_with_calendar_and_quotas(world, client, auth):
    industry = create_org(code="I", name="市教育工会", level=OrgLevel.INDUSTRY, parent=world.city)
    db.session.commit()
    auth.login("city")
    assert 'href="/campaigns/new"' in client.get("/campaigns/").text
    page = client.get("/campaigns/new")
    # One quota input per district and industry union under the city, and one date per stage.
    quota_inputs = re.findall(r'name="quota_(\d+)"', page.text)
    assert sorted(int(i) for i in quota_inputs) == sorted(
        [world.district_a.id, world.district_b.id, industry.id]
    )
    assert len(re.findall(r'type="date"', page.text)) == 5

    response = post_form(
        client, "/campaigns/new", campaign_form(world, **{f"quota_{industry.id}": "0"})
    )
    assert response.status_code == 302, response.text
    campaign = db.session.scalar(select(Campaign).where(Campaign.year == 2027))
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.id}")
    assert campaign.organizer_id == world.city.id
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.award_types == ["model_home", "outstanding_worker"]
    assert {d.stage: d.due_date for d in campaign.deadlines} == {
        Stage.APPLICATION: date(2027, 3, 31),
        Stage.REVIEW: date(2027, 4, 30),
        Stage.EVALUATION: date(2027, 5, 31),
        Stage.SPOT_CHECK: date(2027, 6, 30),
        Stage.PUBLICITY: date(2027, 7, 15),
    }
    assert {q.district_id: q.quota for q in campaign.quotas} == {
        world.district_a.id: 3,
        world.district_b.id: 2,
        industry.id: 0,
    }

    detail = client.get(f"/campaigns/{campaign.id}").text
    assert 'data-testid="edit-campaign"' in detail
    assert "2027-04-30" in detail


@pytest.mark.parametrize(
    "field, value",
    [
        ("due_review", "2027-03-01"),  # before the application deadline
        ("due_evaluation", "2027-04-29"),
        ("due_publicity", "2027-06-29"),
    ],
)
def test_dates_out_of_order_are_refused_next_to_the_field(world, client, auth, field, value):
    auth.login("city")
    before = campaign_count()
    response = post_form(client, "/campaigns/new", campaign_form(world, **{field: value}))
    assert response.status_code == 422
    message = field_error(response.text, field)
    assert "不能早于" in message
    assert campaign_count() == before


def test_a_missing_date_is_skipped_when_checking_order(world, client, auth):
    auth.login("city")
    response = post_form(
        client, "/campaigns/new", campaign_form(world, due_review="", due_evaluation="2027-03-01")
    )
    assert response.status_code == 422
    # Compared with the application deadline, the latest earlier date that is set.
    assert "申报截止" in field_error(response.text, "due_evaluation")


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"quota_A": "-1"}, "quota_A"),
        ({"quota_A": ""}, "quota_A"),
        ({"award_types": []}, "award_types"),
        ({"year": "1999"}, "year"),
        ({"name": ""}, "name"),
        ({"due_review": "2027-02-30"}, "due_review"),
    ],
)
def test_other_errors_are_shown_next_to_the_field(world, client, auth, changes, field):
    auth.login("city")
    quota_a = f"quota_{world.district_a.id}"
    changes = {quota_a if k == "quota_A" else k: v for k, v in changes.items()}
    field = quota_a if field == "quota_A" else field
    before = campaign_count()
    response = post_form(client, "/campaigns/new", campaign_form(world, **changes))
    assert response.status_code == 422
    assert field_error(response.text, field)
    assert campaign_count() == before


@pytest.mark.parametrize("username", ["reviewer_a", "union_a", "inspector", "admin"])
def test_only_the_city_may_create_or_edit(world, client, auth, username):
    auth.login(username)
    campaign_id = world.campaign.id
    assert client.get("/campaigns/new").status_code == 403
    assert client.get(f"/campaigns/{campaign_id}/edit").status_code == 403
    token = csrf_from(client.get("/").text)
    response = client.post("/campaigns/new", data={**campaign_form(world), "csrf_token": token})
    assert response.status_code == 403
    response = client.post(
        f"/campaigns/{campaign_id}/edit", data={**campaign_form(world), "csrf_token": token}
    )
    assert response.status_code == 403
    assert campaign_count() == 1
    detail = client.get(f"/campaigns/{campaign_id}")
    assert detail.status_code == 200
    assert 'data-testid="edit-campaign"' not in detail.text
    assert 'href="/campaigns/new"' not in client.get("/campaigns/").text


# -- edit ---------------------------------------------------------------------------------


def test_city_edits_a_campaign(world, client, auth):
    auth.login("city")
    campaign_id = world.campaign.id
    url = f"/campaigns/{campaign_id}/edit"
    page = client.get(url)
    assert 'value="2026-12-31"' in page.text  # the stored application deadline
    assert re.search(rf'name="quota_{world.district_a.id}"[^>]*value="2"', page.text) or re.search(
        rf'value="2"[^>]*name="quota_{world.district_a.id}"', page.text
    )

    response = post_form(
        client,
        url,
        campaign_form(
            world,
            name="2026年度评选（修订）",
            year="2026",
            status="open",
            award_types=["model_home", "model_small_home", "outstanding_worker"],
            due_application="2026-12-31",
            due_review="2027-01-15",
            due_evaluation="",
            due_spot_check="",
            due_publicity="",
        ),
    )
    assert response.status_code == 302, response.text
    campaign = db.session.get(Campaign, campaign_id)
    db.session.refresh(campaign)
    assert campaign.name == "2026年度评选（修订）"
    assert {d.stage: d.due_date for d in campaign.deadlines} == {
        Stage.APPLICATION: date(2026, 12, 31),
        Stage.REVIEW: date(2027, 1, 15),
    }
    assert {q.district_id: q.quota for q in campaign.quotas} == {
        world.district_a.id: 3,
        world.district_b.id: 2,
    }


def test_edit_keeps_what_nominations_rely_on(world, client, auth):
    world.nomination(world.union_a, "submitted")
    auth.login("city")
    url = f"/campaigns/{world.campaign.id}/edit"
    response = post_form(
        client,
        url,
        campaign_form(world, year="2026", status="draft", award_types=["model_small_home"]),
    )
    assert response.status_code == 422
    assert field_error(response.text, "status")
    assert "模范职工之家" in field_error(response.text, "award_types")
    campaign = db.session.get(Campaign, world.campaign.id)
    db.session.refresh(campaign)
    assert campaign.status == CampaignStatus.OPEN and len(campaign.award_types) == 3


# -- the summary --------------------------------------------------------------------------


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    end = html.index("</table>" if "table" in testid else "</figure>", start)
    return html[start:end]


def _table_counts(html: str, testid: str) -> dict[str, int]:
    rows = re.findall(r'<tr data-key="([^"]*)">.*?data-count="(\d+)"', _section(html, testid), re.S)
    return {key: int(n) for key, n in rows}


def _chart_counts(html: str, testid: str) -> dict[str, int]:
    section = _section(html, testid)
    bars = re.findall(
        r'data-key="([^"]*)" data-count="(\d+)".*?<rect[^>]*/>\s*'
        r'<rect x="0" y="0" width="([\d.]+)"',
        section,
        re.S,
    )
    counts = {key: int(n) for key, n, _ in bars}
    top = max(counts.values())
    for _key, n, width in bars:
        # Each bar is as long as its number, relative to the longest.
        assert float(width) == pytest.approx(int(n) / top * 100, abs=0.01)
    return counts


@pytest.fixture
def nominations(world):  # type: ignore[no-untyped-def]
    world.nomination(world.union_a, "submitted")
    world.nomination(world.union_a, "draft", award=AwardType.OUTSTANDING_WORKER)
    world.nomination(world.union_a2, "submitted")
    world.nomination(world.union_b, "returned")
    world.nomination(world.union_b, "submitted", award=AwardType.OUTSTANDING_WORKER)
    return world


def test_detail_summary_table_and_chart_agree(nominations, client, auth):
    world = nominations
    auth.login("city")
    html = client.get(f"/campaigns/{world.campaign.id}").text
    by_state = {"submitted": 3, "draft": 1, "returned": 1}
    by_district = {str(world.district_a.id): 3, str(world.district_b.id): 2}
    assert _table_counts(html, "state-table") == by_state
    assert _chart_counts(html, "state-chart") == by_state
    assert _table_counts(html, "district-table") == by_district
    assert _chart_counts(html, "district-chart") == by_district
    assert 'data-testid="summary-total">5<' in html
    # The quota is shown beside each district's count.
    assert re.search(
        r'data-count="3">3</td>\s*<td class="text-end">2</td>', _section(html, "district-table")
    )


def test_detail_summary_is_scoped_to_what_the_user_may_see(nominations, client, auth):
    world = nominations
    auth.login("reviewer_a")
    html = client.get(f"/campaigns/{world.campaign.id}").text
    assert _table_counts(html, "state-table") == {"submitted": 2, "draft": 1}
    assert _chart_counts(html, "state-chart") == {"submitted": 2, "draft": 1}
    assert _table_counts(html, "district-table") == {str(world.district_a.id): 3}
    assert world.district_b.name not in _section(html, "district-chart")


def test_summary_is_one_group_by_query(nominations, app):
    world = nominations
    with app.test_request_context():
        campaign = get_campaign(world.user("city"), world.campaign.id)
        user = world.user("city")
        _ = user.roles, campaign.quotas
        statements: list[str] = []

        def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            statements.append(statement)

        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", record)
        try:
            summary = nomination_summary(user, campaign)
        finally:
            event.remove(engine, "before_cursor_execute", record)
    assert len(statements) == 1 and "GROUP BY" in statements[0]
    assert summary.total == 5


def test_detail_without_nominations(world, client, auth):
    auth.login("city")
    html = client.get(f"/campaigns/{world.campaign.id}").text
    assert 'data-testid="summary-total">0<' in html
    assert 'data-testid="state-chart"' not in html


def test_a_campaign_made_on_the_page_pins_a_standard_unions_can_apply_to(world, client, auth):
    from app.nominations.services import create_nomination

    auth.login("city")
    page = client.get("/campaigns/new").text
    assert f'<option selected value="{world.campaign.standard_version_id}">' in page  # preselected
    response = post_form(
        client,
        "/campaigns/new",
        campaign_form(
            world, status="open", evaluation_rule="satisfied_only", evaluation_min_turnout="0.6"
        ),
    )
    assert response.status_code == 302, response.text
    campaign = db.session.scalars(select(Campaign).order_by(Campaign.id.desc())).first()
    assert campaign.standard_version_id == world.campaign.standard_version_id
    assert (campaign.evaluation_rule, float(campaign.evaluation_min_turnout)) == (
        "satisfied_only",
        0.6,
    )
    nomination = create_nomination(
        world.user("union_a"), campaign_id=campaign.id, award_type="model_home"
    )
    assert nomination.status == "draft"
    assert "青岛" in client.get(f"/campaigns/{campaign.id}").text


def test_the_standard_cannot_change_under_nominations(world, client, auth):
    from app.standards.models import StandardVersion

    world.nomination(status="draft")
    other = StandardVersion(
        code="other", version=1, title="另一标准", checksum="x" * 64, content={}
    )
    db.session.add(other)
    db.session.commit()
    auth.login("city")
    url = f"/campaigns/{world.campaign.id}/edit"
    response = post_form(
        client, url, campaign_form(world, status="open", standard_version_id=str(other.id))
    )
    assert response.status_code == 422
    assert "已有申报的活动不能更换评价标准" in field_error(response.text, "standard_version_id")
    db.session.refresh(world.campaign)
    assert world.campaign.standard_version_id != other.id


def test_minimum_turnout_out_of_range_is_refused(world, client, auth):
    auth.login("city")
    before = campaign_count()
    response = post_form(
        client, "/campaigns/new", campaign_form(world, evaluation_min_turnout="1.5")
    )
    assert response.status_code == 422
    assert field_error(response.text, "evaluation_min_turnout")
    assert campaign_count() == before


def test_review_time_and_publicity_period_are_set_on_the_form(world, client, auth):
    auth.login("city")
    response = post_form(
        client,
        "/campaigns/new",
        campaign_form(world, review_working_days="0", publicity_working_days="40"),
    )
    assert response.status_code == 422
    assert field_error(response.text, "review_working_days")
    assert field_error(response.text, "publicity_working_days")
    response = post_form(
        client,
        "/campaigns/new",
        campaign_form(world, review_working_days="10", publicity_working_days="7"),
    )
    assert response.status_code in (302, 303)
    campaign = db.session.scalar(select(Campaign).order_by(Campaign.id.desc()))
    assert (campaign.review_working_days, campaign.publicity_working_days) == (10, 7)
