"""Due dates of active steps: from the campaign calendar or a service time, kept on the row
through every state change; the worklist sorts by them and flags what is overdue."""

from __future__ import annotations

from datetime import date, timedelta

from app.calendar.services import import_calendar
from app.campaigns.models import CampaignDeadline, Stage
from app.extensions import db
from app.nominations.deadlines import due_date_for, refresh_campaign, refresh_service_times
from app.nominations.services import create_nomination, take_action, worklist
from app.timeutil import beijing_today


def test_a_new_draft_is_due_by_the_application_deadline(world, ctx):
    nomination = create_nomination(
        world.user("union_a"), campaign_id=world.campaign.id, award_type="model_home"
    )
    assert nomination.due_on == date(2026, 12, 31)


def test_submission_is_due_by_the_review_deadline_or_the_service_time(world, ctx):
    world.campaign.deadlines.append(
        CampaignDeadline(stage=Stage.REVIEW, due_date=date(2027, 1, 15))
    )
    db.session.commit()
    union = world.user("union_a")
    first = world.nomination(status="draft")
    take_action(union, first.id, "submit")
    assert first.due_on == date(2027, 1, 15)

    world.campaign.review_working_days = 10
    import_calendar(world.user("city"), "2027-01-01 休 元旦\n")
    second = world.nomination(org=world.union_a2, status="draft")
    take_action(world.user("union_a2"), second.id, "submit")
    submitted = second.submitted_at.date()
    assert second.due_on == due_date_for(second)
    # ten working days on: never sooner than two calendar weeks less a day
    assert second.due_on >= submitted + timedelta(days=11)
    # the reviewer sends it back: the union's step, due by the application deadline
    take_action(world.user("reviewer_a"), second.id, "return", comment="请补充材料。")
    assert second.due_on == date(2026, 12, 31)


def test_the_worklist_puts_the_overdue_first_and_flags_them(world, ctx, client, auth):
    later = world.nomination(status="submitted")
    overdue = world.nomination(org=world.union_a2, status="submitted")
    undated = world.nomination(status="submitted")
    later.due_on = beijing_today() + timedelta(days=20)
    overdue.due_on = beijing_today() - timedelta(days=2)
    db.session.commit()
    assert [n.id for n in worklist(world.user("reviewer_a"))] == [overdue.id, later.id, undated.id]
    auth.login("reviewer_a")
    page = client.get("/").text
    assert "逾期 2 天" in page and page.count('data-overdue="1"') == 1
    detail = client.get(f"/nominations/{overdue.id}").text
    assert "办理期限" in detail and "逾期 2 天" in detail


def test_changing_the_calendar_moves_due_dates_without_bumping_versions(world, ctx):
    draft = world.nomination(status="draft")
    version = draft.version
    world.campaign.deadlines[0].due_date = date(2027, 1, 10)
    refresh_campaign(world.campaign.id)
    db.session.commit()
    db.session.refresh(draft)
    assert (draft.due_on, draft.version) == (date(2027, 1, 10), version)


def test_a_rectification_is_due_by_its_deadline(world, ctx):
    from tests.factories import spot_check

    nomination, check = spot_check(world)
    check.rectification_deadline = date(2027, 2, 1)
    nomination.status = "rectification"
    db.session.commit()
    assert due_date_for(nomination) == date(2027, 2, 1)


def test_a_holiday_entered_later_moves_a_service_time_due_date(world, ctx):
    world.campaign.review_working_days = 3
    db.session.commit()
    nomination = world.nomination(status="draft")
    take_action(world.user("union_a"), nomination.id, "submit")
    before = nomination.due_on
    import_calendar(world.user("city"), f"{before.isoformat()} 休 临时假日\n")
    db.session.refresh(nomination)
    assert nomination.due_on > before


def test_the_overdue_command_lists_what_is_late(world, app):
    late = world.nomination(status="submitted")
    world.nomination(org=world.union_a2, status="submitted")  # no date: not listed
    done = world.nomination(org=world.union_b, status="commended")
    for n, days in ((late, -3), (done, -30)):
        n.due_on = beijing_today() + timedelta(days=days)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["overdue"])
    assert result.exit_code == 0, result.output
    assert f"申报 {late.id}\t甲区机械厂工会\t待审核\t待审核人办理" in result.output
    assert "逾期 3 天" in result.output and "共 1 项逾期" in result.output


def _nominations_in(world, status: str, count: int) -> list:  # type: ignore[no-untyped-def]
    from app.timeutil import utcnow

    made = []
    for _ in range(count):
        nomination = world.nomination(status=status)
        nomination.submitted_at = utcnow()
        made.append(nomination)
    db.session.commit()
    return made


def test_recomputing_due_dates_does_not_query_once_per_nomination(world, ctx):
    from tests.test_query_budget import count_queries

    world.campaign.review_working_days = 5
    db.session.commit()

    def queries(count: int) -> int:
        _nominations_in(world, "submitted", count)
        _nominations_in(world, "publicity", count)
        db.session.expire_all()
        with count_queries() as counter:
            refresh_campaign(world.campaign.id)
            refresh_service_times()
        db.session.rollback()
        return counter["n"]

    assert queries(2) == queries(6)
    submitted = world.nomination(status="draft")
    take_action(world.user("union_a"), submitted.id, "submit")
    refresh_service_times()
    db.session.commit()
    db.session.refresh(submitted)
    assert submitted.due_on == due_date_for(submitted) >= submitted.submitted_at.date()


def test_a_calendar_without_working_days_falls_back_to_the_review_deadline(world, ctx):
    world.campaign.deadlines.append(
        CampaignDeadline(stage=Stage.REVIEW, due_date=date(2027, 1, 15))
    )
    world.campaign.review_working_days = 5
    db.session.commit()
    start = beijing_today()
    import_calendar(
        world.user("city"),
        "\n".join(f"{(start + timedelta(days=d)).isoformat()} 休" for d in range(400)),
    )
    nomination = world.nomination(status="draft")
    take_action(world.user("union_a"), nomination.id, "submit")  # no error page
    assert nomination.status == "submitted" and nomination.due_on == date(2027, 1, 15)


def test_a_label_on_a_literal_follows_each_requests_language(app):
    """Jinja must not fold `"…" | label` at compile time in the first language rendered:
    a template is compiled once and then serves every request."""
    # A fresh app context each, as each request of a server has.
    with app.app_context(), app.test_request_context("/", headers={"Cookie": "lang=zh"}):
        template = app.jinja_env.from_string('{{ "已表彰" | label }}')
        assert template.render() == "已表彰"
    with app.app_context(), app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert template.render() == "Commended"
