"""The outbox of SMS and group-robot messages, sent through the real adapters to a local
server answering as the providers do: sent once, retried with backoff or the provider's
wait, failed for good on a permanent refusal or after the attempts, held by the per-channel
rate limit without spending an attempt, listed for the administrator with a retry."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import ratelimit
from app.admin.robots import add_robot
from app.extensions import db
from app.nominations.services import take_action
from app.notifications.models import MailStatus, OutboxMessage
from app.notifications.outbox import retry_message, send_due_messages
from app.timeutil import utcnow
from tests import channel_providers as fake
from tests.channel_providers import Providers
from tests.conftest import csrf_from


@pytest.fixture
def providers(app) -> Iterator[Providers]:  # type: ignore[no-untyped-def]
    server = Providers()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    old = {k: app.config.get(k) for k in ("SMS_PROVIDER", "QUIET_HOURS", "PUBLIC_BASE_URL")}
    app.config.update(
        SMS_PROVIDER="http",
        SMS_HTTP_URL=f"{server.base}/gateway/json",
        SMS_HTTP_HEADERS=json.dumps({"Authorization": fake.GATEWAY_TOKEN}),
        SMS_HTTP_BODY='{"phone": "{mobile}", "content": "{text}", "sign": "{sign}"}',
        SMS_HTTP_SUCCESS="code=0",
        SMS_HTTP_SIGN=fake.ALIYUN_SIGN,
        QUIET_HOURS="",  # the tests run at any hour
        PUBLIC_BASE_URL="https://zgzj.example.cn",
    )
    yield server
    app.config.update(old)
    server.shutdown()
    server.server_close()
    assert server.problems == []


def _returned(world, mobile: str = "13800138000"):  # type: ignore[no-untyped-def]
    world.user("union_a").mobile = mobile
    db.session.commit()
    nomination = world.nomination(status="submitted")
    take_action(world.user("reviewer_a"), nomination.id, "return", comment="请补充")
    return nomination


def _message() -> OutboxMessage:
    db.session.expire_all()
    (message,) = db.session.scalars(select(OutboxMessage)).all()
    return message


def test_an_sms_goes_out_once_through_the_gateway(world, ctx, providers):
    _returned(world)
    assert send_due_messages()["sent"] == 1
    message = _message()
    assert message.status == MailStatus.SENT and message.provider_id in (None, "gw-1")
    (request,) = [r for r in providers.requests if r["path"] == "/gateway/json"]
    sent = json.loads(request["body"])
    assert sent["phone"] == "13800138000" and sent["content"].startswith("【退回修改】")
    assert send_due_messages()["sent"] == 0  # nothing twice
    assert message.attempts == 1


def test_a_group_robot_gets_the_step_with_a_link(world, ctx, providers):
    add_robot(
        world.user("admin"),
        world.union_a,
        kind="wecom",
        role="union",
        name="机械厂工会群",
        webhook_url=f"{providers.base}/cgi-bin/webhook/send?key={fake.WECOM_KEY}",
        secret=None,
    )
    nomination = _returned(world, mobile="")
    world.user("union_a").mobile = None
    db.session.commit()
    assert send_due_messages()["sent"] == 1
    message = _message()
    assert (message.channel, message.status) == ("wecom", MailStatus.SENT)
    bodies = [r["body"].decode("utf-8") for r in providers.requests]
    assert any(f"/nominations/{nomination.id}" in b for b in bodies)


def test_a_busy_provider_is_retried_then_the_message_fails_and_an_admin_retries(
    world, ctx, app, providers
):
    providers.mode["gateway"] = "5xx"
    _returned(world)
    app.config["MESSAGE_MAX_ATTEMPTS"] = 2
    try:
        assert send_due_messages()["retrying"] == 1
        message = _message()
        assert message.status == MailStatus.PENDING and message.next_attempt_at > utcnow()
        assert send_due_messages()["sent"] == 0  # not due yet
        assert send_due_messages(now=utcnow() + timedelta(hours=2))["failed"] == 1
        assert _message().status == MailStatus.FAILED and _message().last_error
    finally:
        app.config["MESSAGE_MAX_ATTEMPTS"] = 5
    providers.mode.pop("gateway")
    retry_message(_message().id)
    assert send_due_messages()["sent"] == 1


def test_a_refused_number_fails_at_once_and_the_rate_limit_waits(world, ctx, app, providers):
    _returned(world, mobile="19999999999")
    db.session.execute(
        OutboxMessage.__table__.update().values(target="12345")  # what the gateway refuses
    )
    db.session.commit()
    counts = send_due_messages()
    assert counts["failed"] == 1, (counts, _message().last_error)
    assert "手机号码格式错误" in (_message().last_error or "")

    db.session.execute(OutboxMessage.__table__.delete())
    db.session.commit()
    app.config["SMS_PER_MINUTE"] = 1
    ratelimit.clear("msg:sms")  # the refused one above counted in this minute
    try:
        world.user("union_a").mobile = "13800138000"
        world.user("union_a2").mobile = "13900139000"
        db.session.commit()
        for org in (world.union_a, world.union_a2):
            nomination = world.nomination(org=org, status="submitted")
            take_action(world.user("reviewer_a"), nomination.id, "return", comment="补")
        counts = send_due_messages()
        assert counts["sent"] == 1 and counts["waiting"] == 1
        waiting = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.status == MailStatus.PENDING)
        )
        assert waiting.attempts == 0 and waiting.next_attempt_at > utcnow()
    finally:
        app.config["SMS_PER_MINUTE"] = 60


def test_the_admin_sees_every_channel_and_sends_a_failed_one_again(world, client, auth, providers):
    with client.application.test_request_context():
        _returned(world, mobile="13800138000")
        db.session.execute(OutboxMessage.__table__.update().values(status="failed", last_error="x"))
        db.session.commit()
    auth.login("admin")
    page = client.get("/admin/messages?status=failed")
    assert page.status_code == 200 and "138****8000" in page.text
    message_id = db.session.scalar(select(OutboxMessage.id))
    again = client.post(
        f"/admin/messages/{message_id}/retry",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=True,
    )
    assert again.status_code == 200
    assert _message().status == MailStatus.PENDING
    auth.logout()
    auth.login("city")
    assert client.get("/admin/messages").status_code == 403


def test_an_sms_queued_in_the_quiet_hours_waits_and_goes_at_their_end(world, ctx, app, providers):
    from app.notifications.delivery import release_time
    from app.timeutil import to_beijing

    now = utcnow()
    start = to_beijing(now - timedelta(hours=1)).strftime("%H:%M")
    end = to_beijing(now + timedelta(hours=1)).strftime("%H:%M")
    app.config["QUIET_HOURS"] = f"{start}-{end}"  # now is quiet
    _returned(world)
    message = _message()
    release = release_time(now)
    assert message.next_attempt_at >= release - timedelta(seconds=1) > now
    assert send_due_messages()["sent"] == 0 and providers.requests == []
    assert send_due_messages(now=release + timedelta(seconds=1))["sent"] == 1
    assert _message().status == MailStatus.SENT
