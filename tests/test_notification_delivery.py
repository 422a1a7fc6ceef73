"""Who is told by which channel, and when: preferences over the deployment's defaults, the
daily digest instead of each message, SMS only with a provider and a mobile number, and
quiet hours that hold SMS until the morning."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.nominations.services import take_action
from app.notifications.delivery import preferences_of, release_time, set_preferences
from app.notifications.models import Notification, OutboxEmail, OutboxMessage
from app.timeutil import BEIJING, as_utc
from tests.conftest import csrf_from


@pytest.fixture
def sms(app):  # type: ignore[no-untyped-def]
    app.config["SMS_PROVIDER"] = "http"
    yield
    app.config["SMS_PROVIDER"] = ""


def _return(world):  # type: ignore[no-untyped-def]
    nomination = world.nomination(status="submitted")
    take_action(world.user("reviewer_a"), nomination.id, "return", comment="请补充")
    return nomination


def _at(hour: int, minute: int = 0, day: int = 5) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=BEIJING)


@pytest.mark.parametrize(
    ("now", "then"),
    [
        (_at(12), _at(12)),
        (_at(21, 59), _at(21, 59)),
        (_at(22), _at(8, day=6)),
        (_at(23, 30), _at(8, day=6)),
        (_at(0, 5), _at(8)),
        (_at(7, 59), _at(8)),
        (_at(8), _at(8)),
    ],
)
def test_quiet_hours_hold_until_eight_in_the_morning(ctx, now, then):
    assert release_time(as_utc(now)) == as_utc(then)


def test_quiet_hours_can_be_switched_off(app, ctx):
    app.config["QUIET_HOURS"] = ""
    try:
        assert release_time(as_utc(_at(23))) == as_utc(_at(23))
    finally:
        app.config["QUIET_HOURS"] = "22:00-08:00"


def test_by_default_a_step_goes_by_e_mail_and_sms_to_who_has_them(world, ctx, sms):
    union = world.user("union_a")
    union.email, union.mobile = "u@example.cn", "13800138000"
    db.session.commit()
    _return(world)
    assert db.session.scalar(select(OutboxEmail.to_address)) == "u@example.cn"
    message = db.session.scalar(select(OutboxMessage))
    assert (message.channel, message.target) == ("sms", "13800138000")
    assert message.text.startswith("【退回修改】")


def test_without_a_provider_or_a_number_no_sms_is_queued(world, ctx):
    world.user("union_a").mobile = "13800138000"
    db.session.commit()
    _return(world)  # SMS_PROVIDER is not set
    assert db.session.scalar(select(OutboxMessage)) is None


def test_a_user_s_choices_are_honoured_and_the_digest_replaces_each_message(world, ctx, sms):
    union = world.user("union_a")
    union.email, union.mobile = "u@example.cn", "13800138000"
    db.session.commit()
    assert preferences_of(union)["reminders_sms"] is False  # the deployment's default
    set_preferences(union, {"events_email": False})
    _return(world)
    assert db.session.scalar(select(OutboxEmail)) is None
    assert db.session.scalar(select(OutboxMessage)) is not None

    set_preferences(union, {"events_email": True, "digest": True})
    _return(world)
    assert db.session.scalar(select(OutboxEmail)) is None  # in the digest instead
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_the_settings_page_saves_the_choices(world, client, auth):
    auth.login("union_a")
    page = client.get("/notifications/settings")
    assert page.status_code == 200 and 'data-testid="notification-settings"' in page.text
    saved = client.post(
        "/notifications/settings",
        data={"csrf_token": csrf_from(page.text), "events_email": "y", "digest": "y"},
        follow_redirects=True,
    )
    assert "已保存" in saved.text
    values = preferences_of(world.user("union_a"))
    assert values["events_email"] is True and values["events_sms"] is False
    assert values["digest"] is True and values["reminders_email"] is False


def test_the_daily_digest_goes_once_at_eight_with_what_happened(world, ctx, sms):
    from app.notifications.digest import send_digests

    union = world.user("union_a")
    union.email, union.mobile = "u@example.cn", "13800138000"
    db.session.commit()
    set_preferences(union, {"digest": True})
    first, second = _return(world), _return(world)
    assert db.session.scalar(select(OutboxEmail)) is None  # nothing one by one
    created = as_utc(db.session.scalar(select(func.max(Notification.created_at))))
    local = created.astimezone(BEIJING)
    morning = datetime.combine(local.date(), time(8, 5), tzinfo=BEIJING)
    if morning <= local:
        morning += timedelta(days=1)  # the next 08:05 after the notices
    morning = as_utc(morning)
    assert send_digests(morning - timedelta(hours=1)) == 0  # 07:05: not yet
    assert send_digests(morning) == 1
    email = db.session.scalar(select(OutboxEmail))
    assert email.to_address == "u@example.cn" and "2 条" in email.subject
    assert "【退回修改】" in email.body
    sms_text = db.session.scalar(select(OutboxMessage.text))
    assert sms_text.startswith("【每日汇总】") and "共 2 条" in sms_text
    assert send_digests(morning + timedelta(hours=2)) == 0  # once a day
    assert first.id != second.id  # two nominations, one digest


def test_a_user_who_chose_english_gets_english_messages(world, client, auth, sms):
    from app.auth.models import User

    auth.login("union_a")
    client.get("/lang/en")
    assert db.session.get(User, world.users["union_a"].id).locale == "en"
    with client.application.test_request_context():
        union = world.user("union_a")
        union.email, union.mobile = "u@example.cn", "13800138000"
        db.session.commit()
        _return(world)
    email = db.session.scalar(select(OutboxEmail))
    assert email.subject.endswith(f"】{world.union_a.name}'s nomination")
    assert "退回" not in email.subject
    assert "Please sign in" in email.body
    assert db.session.scalar(select(OutboxMessage.text)).endswith("'s nomination")
    # and back to Chinese
    client.get("/lang/zh_Hans_CN")
    assert db.session.get(User, world.users["union_a"].id).locale == "zh_Hans_CN"
