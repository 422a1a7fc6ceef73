"""Reminders: before, on and after the due date, to the step's owners, escalated when long
overdue, exactly once per user, step, kind and day; the notification centre."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.notifications.models import Notification, OutboxEmail
from app.notifications.sweep import sweep
from app.timeutil import beijing_today
from tests.conftest import csrf_from
from tests.factories import spot_check


def _due(nomination, days: int) -> None:  # type: ignore[no-untyped-def]
    nomination.due_on = beijing_today() + timedelta(days=days)
    db.session.commit()


def _kinds(user) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    """The user's reminders (the notices of steps taken are tests/test_event_notices.py's)."""
    return sorted(
        db.session.execute(
            select(Notification.nomination_id, Notification.kind).where(
                Notification.user_id == user.id, Notification.kind != "event"
            )
        ).all()
    )


def test_reminders_before_on_and_after_the_due_date(world, ctx):
    soon, today, late, far = (world.nomination(status="submitted") for _ in range(4))
    _due(soon, 2)
    _due(today, 0)
    _due(late, -1)
    _due(far, 10)  # beyond the 3 days of notice: nothing yet
    result = sweep()
    assert (result.steps, result.created) == (3, 3)
    assert _kinds(world.user("reviewer_a")) == sorted(
        [(soon.id, "due_soon"), (today.id, "due_today"), (late.id, "overdue")]
    )
    assert _kinds(world.user("reviewer_b")) == [] and _kinds(world.user("union_a")) == []
    title = db.session.scalar(
        select(Notification.title).where(Notification.nomination_id == late.id)
    )
    assert title == (
        f"【已逾期】甲区机械厂工会 · 待审核，办理期限 {late.due_on.isoformat()}（已逾期 1 天）"
    )


def test_a_second_sweep_the_same_day_sends_nothing_again(world, ctx):
    nomination = world.nomination(status="returned")
    _due(nomination, 0)
    assert sweep().created == 1
    assert sweep().created == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    # the next day it is overdue: a new reminder, once
    tomorrow = beijing_today() + timedelta(days=1)
    assert sweep(tomorrow).created == 1 and sweep(tomorrow).created == 0


def test_long_overdue_steps_escalate_to_the_supervising_organisation(world, ctx):
    union_step = world.nomination(status="returned")
    review_step = world.nomination(org=world.union_b, status="submitted")
    _due(union_step, -3)
    _due(review_step, -5)
    sweep()
    assert _kinds(world.user("union_a")) == [(union_step.id, "overdue")]
    assert _kinds(world.user("reviewer_a")) == [(union_step.id, "escalation")]
    assert _kinds(world.user("reviewer_b")) == [(review_step.id, "overdue")]
    assert _kinds(world.user("city")) == [(review_step.id, "escalation")]


def test_spot_check_reminders_go_to_the_assigned_inspectors_only(world, ctx):
    from tests.factories import add_inspectors

    add_inspectors(world)
    nomination, _ = spot_check(world, org=world.union_a, inspectors=("inspector_b",))
    _due(nomination, 1)
    sweep()
    assert _kinds(world.user("inspector_b")) == [(nomination.id, "due_soon")]
    assert _kinds(world.user("inspector")) == [] and _kinds(world.user("city")) == []


def test_emails_are_queued_for_users_with_an_address(world, ctx):
    reviewer = world.user("reviewer_a")
    reviewer.email = "shenhe@example.cn"
    nomination = world.nomination(status="submitted")
    _due(nomination, 0)
    sweep()
    sweep()
    mails = list(db.session.scalars(select(OutboxEmail)))
    assert [(m.to_address, m.status) for m in mails] == [("shenhe@example.cn", "pending")]
    assert "今天到期" in mails[0].subject and f"/nominations/{nomination.id}" in mails[0].body


def test_emails_are_queued_in_slices_and_none_is_lost(world, ctx, monkeypatch):
    """Many new reminders in one sweep: their e-mails go in slices (a statement's parameters
    are capped), each reminder with an address gets exactly one."""
    from app.notifications import sweep as sweep_module

    monkeypatch.setattr(sweep_module, "EMAIL_SLICE", 2)
    world.user("reviewer_a").email = "shenhe@example.cn"
    nominations = [world.nomination(status="submitted") for _ in range(5)]
    for n in nominations:
        _due(n, 0)
    result = sweep()
    mails = list(db.session.scalars(select(OutboxEmail)))
    assert result.emails == len(mails) == 5
    assert sorted(m.body.split("/nominations/")[1].split()[0] for m in mails) == sorted(
        str(n.id) for n in nominations
    )


def test_the_notification_centre(world, client, auth):
    nomination = world.nomination(status="submitted")
    _due(nomination, -1)
    sweep()
    other = world.nomination(org=world.union_b, status="submitted")
    _due(other, -1)
    sweep()
    mine = db.session.scalar(
        select(Notification).where(Notification.user_id == world.users["reviewer_a"].id)
    )
    theirs = db.session.scalar(
        select(Notification).where(Notification.user_id == world.users["reviewer_b"].id)
    )
    auth.login("reviewer_a")
    page = client.get("/").text
    assert 'data-testid="unread-count">1<' in page
    centre = client.get("/notifications")
    assert "已逾期" in centre.text and centre.text.count('data-unread="1"') == 1
    token = csrf_from(centre.text)
    assert (
        client.post(f"/notifications/{theirs.id}/read", data={"csrf_token": token}).status_code
        == 404
    )
    opened = client.post(f"/notifications/{mine.id}/read", data={"csrf_token": token, "open": "1"})
    assert opened.headers["Location"].endswith(f"/nominations/{nomination.id}")
    assert 'data-testid="unread-count"' not in client.get("/").text
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_the_centre_says_it_shows_the_newest_only_when_there_are_more(world, client, auth):
    from app.notifications.models import Kind
    from app.timeutil import utcnow

    nomination = world.nomination(status="submitted")
    user_id = world.users["reviewer_a"].id
    today = beijing_today()
    for days in range(55):
        db.session.add(
            Notification(
                user_id=user_id,
                nomination_id=nomination.id,
                state="submitted",
                kind=Kind.OVERDUE,
                day=today - timedelta(days=days),
                due_on=today,
                title=f"提醒 {days}",
                read_at=utcnow() if days >= 2 else None,
            )
        )
    db.session.commit()
    auth.login("reviewer_a")
    everything = client.get("/notifications").text
    assert everything.count('data-testid="notification"') == 50
    assert "仅显示最新的 50 条" in everything
    unread = client.get("/notifications?unread=1").text
    assert unread.count('data-testid="notification"') == 2 and "仅显示最新的" not in unread


def test_a_handed_in_honour_rectification_is_the_citys_move(world, ctx):
    from app.commendation.models import HonourRectification
    from app.nominations.services import worklist
    from app.timeutil import utcnow

    waiting, handed_in = (world.nomination(status="honour_rectification") for _ in range(2))
    for nomination in (waiting, handed_in):
        db.session.add(
            HonourRectification(
                nomination_id=nomination.id,
                origin="commended",
                reason="整改",
                deadline=beijing_today() - timedelta(days=1),
                submitted_at=utcnow() if nomination is handed_in else None,
            )
        )
        _due(nomination, -1)
    sweep()
    assert _kinds(world.user("union_a")) == [(waiting.id, "overdue")]
    assert _kinds(world.user("city")) == [(handed_in.id, "overdue")]
    assert [n.id for n in worklist(world.user("union_a"))] == [waiting.id]
    assert [n.id for n in worklist(world.user("city"))] == [handed_in.id]
