"""Reminders on RQ with a real worker in burst mode: exactly once under a double sweep and a
job killed mid-way and retried; e-mail retries with backoff, failures listed for an admin."""

from __future__ import annotations

from datetime import timedelta

from rq import Queue
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import QUEUE_NAME, AppSimpleWorker
from app.notifications import sweep as sweep_module
from app.notifications.mail import send_due
from app.notifications.models import MailStatus, Notification, OutboxEmail
from app.notifications.sweep import sweep
from app.timeutil import beijing_today, utcnow
from tests.conftest import csrf_from


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model))


def _late(world):  # type: ignore[no-untyped-def]
    reviewer = world.user("reviewer_a")
    reviewer.email = "shenhe@example.cn"
    nomination = world.nomination(status="submitted")
    nomination.due_on = beijing_today() - timedelta(days=1)
    db.session.commit()
    return nomination


def _work(app, redis) -> None:  # type: ignore[no-untyped-def]
    worker = AppSimpleWorker([QUEUE_NAME], connection=redis)
    worker.app = app
    worker.work(burst=True)
    db.session.expire_all()


def test_a_worker_runs_the_sweep_twice_and_reminds_once(world, ctx, app, redis):
    _late(world)
    queue = Queue(QUEUE_NAME, connection=redis)
    first = queue.enqueue("app.notifications.jobs.sweep_job")
    second = queue.enqueue("app.notifications.jobs.sweep_job")
    _work(app, redis)
    assert first.get_status(refresh=True) == "finished", first.exc_info
    assert first.return_value()["created"] == 1 and second.return_value()["created"] == 0
    assert _count(Notification) == 1
    # the e-mail went out through the (development) outbox, once
    assert [(m.status, m.attempts) for m in db.session.scalars(select(OutboxEmail))] == [
        (MailStatus.SENT, 1)
    ]


def test_a_sweep_killed_mid_way_and_retried_reminds_once(world, ctx, app, redis, monkeypatch):
    _late(world)
    real = sweep_module.queue_emails
    calls = {"n": 0}

    def dies_the_first_time(ids, kind):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise SystemExit("worker killed")  # after the notifications were inserted
        return real(ids, kind)

    monkeypatch.setattr(sweep_module, "queue_emails", dies_the_first_time)
    queue = Queue(QUEUE_NAME, connection=redis)
    job = queue.enqueue("app.notifications.jobs.sweep_job")
    _work(app, redis)
    assert job.get_status(refresh=True) == "failed"
    assert _count(Notification) == 0  # the half-done transaction left nothing behind
    FailedJobRegistry(queue=queue).requeue(job.id)  # the retry, as an operator or RQ does
    _work(app, redis)
    assert job.get_status(refresh=True) == "finished", job.exc_info
    assert _count(Notification) == 1 and _count(OutboxEmail) == 1
    # and once more for good measure: nothing new
    queue.enqueue("app.notifications.jobs.sweep_job")
    _work(app, redis)
    assert _count(Notification) == 1


def test_failed_sends_are_retried_with_backoff_then_listed_for_an_admin(world, ctx, app):
    _late(world)
    sweep()
    app.config["MAIL_MAX_ATTEMPTS"] = 2

    def refused(email):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("SMTP server refused")

    try:
        assert send_due(refused) == {"sent": 0, "retrying": 1, "failed": 0}
        email = db.session.scalar(select(OutboxEmail))
        assert email.next_attempt_at > utcnow()  # backed off: not again at once
        assert send_due(refused) == {"sent": 0, "retrying": 0, "failed": 0}
        assert send_due(refused, now=utcnow() + timedelta(minutes=2)) == {
            "sent": 0,
            "retrying": 0,
            "failed": 1,
        }
        assert email.status == MailStatus.FAILED and "refused" in email.last_error
    finally:
        app.config["MAIL_MAX_ATTEMPTS"] = 5


def test_the_admin_sends_a_failed_email_again(world, app, client, auth):
    _late(world)
    sweep()
    email = db.session.scalar(select(OutboxEmail))
    email.status, email.attempts, email.last_error = MailStatus.FAILED, 5, "timeout"
    db.session.commit()
    auth.login("reviewer_a")
    assert client.get("/admin/mail").status_code == 403
    auth.logout()
    auth.login("admin")
    page = client.get("/admin/mail?status=failed")
    assert "shenhe@example.cn" in page.text and "timeout" in page.text
    assert "没有配置 SMTP" in page.text or "未配置" in page.text
    response = client.post(
        f"/admin/mail/{email.id}/retry", data={"csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 303
    db.session.refresh(email)
    assert (email.status, email.attempts) == (MailStatus.PENDING, 0)
    send_due()
    db.session.refresh(email)
    assert email.status == MailStatus.SENT


def test_only_a_failed_email_is_sent_again(world, app, client, auth):
    _late(world)
    sweep()
    email = db.session.scalar(select(OutboxEmail))  # pending: the sender will take it
    auth.login("admin")
    token = csrf_from(client.get("/admin/mail").text)
    refused = client.post(
        f"/admin/mail/{email.id}/retry", data={"csrf_token": token}, follow_redirects=True
    )
    assert "只有发送失败的邮件可以重发" in refused.text
    db.session.refresh(email)
    assert (email.status, email.attempts) == (MailStatus.PENDING, 0)
    assert client.post("/admin/mail/999999/retry", data={"csrf_token": token}).status_code == 404


def test_queue_health_page(world, app, client, auth, redis):
    auth.login("admin")
    Queue(QUEUE_NAME, connection=redis).enqueue("app.notifications.jobs.send_job")
    page = client.get("/admin/queue").text
    assert 'data-testid="count-queued">1<' in page and "没有正在运行的 worker" in page


def test_queue_health_page_without_redis(world, app, client, auth):
    app.config["REDIS_URL"] = ""
    auth.login("admin")
    page = client.get("/admin/queue").text
    assert 'data-testid="no-redis"' in page and "flask --app wsgi remind" in page


def test_remind_command(world, app):
    _late(world)
    result = app.test_cli_runner().invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert "新通知 1 条" in result.output and "已发送 1" in result.output


def test_the_admin_sets_a_users_reminder_email(world, client, auth):
    from tests.conftest import field_error, post_form

    user_id = world.users["reviewer_a"].id
    auth.login("admin")
    page = f"/admin/users/{user_id}"
    bad = post_form(client, page, {"email": "不是邮箱"}, action=f"{page}/email")
    assert bad.status_code == 422 and "有效的电子邮箱" in field_error(bad.text, "email")
    good = post_form(client, page, {"email": "shenhe@example.cn"}, action=f"{page}/email")
    assert good.status_code == 302
    db.session.expire_all()
    assert world.user("reviewer_a").email == "shenhe@example.cn"


def test_create_user_sets_the_email(world, app):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--username",
            "wang",
            "--password",
            "long-enough-1",
            "--role",
            "reviewer",
            "--org",
            "A",
            "--email",
            "wang@example.cn",
        ]
    )
    assert result.exit_code == 0, result.output
    from app.auth.models import User

    assert db.session.scalar(select(User.email).where(User.username == "wang")) == "wang@example.cn"


def test_through_the_worker_before_on_after_and_escalation(world, ctx, app, redis):
    steps = {}
    for key, org, status, days in (
        ("before", world.union_a, "submitted", 2),
        ("on", world.union_a2, "submitted", 0),
        ("after", world.union_b, "submitted", -1),
        ("escalated", world.union_a, "returned", -4),
    ):
        steps[key] = world.nomination(org=org, status=status)
        steps[key].due_on = beijing_today() + timedelta(days=days)
    db.session.commit()
    job = Queue(QUEUE_NAME, connection=redis).enqueue("app.notifications.jobs.sweep_job")
    _work(app, redis)
    assert job.get_status(refresh=True) == "finished", job.exc_info
    got = set(
        db.session.execute(
            select(Notification.nomination_id, Notification.kind, Notification.user_id)
        ).all()
    )
    users = world.users
    assert got == {
        (steps["before"].id, "due_soon", users["reviewer_a"].id),
        (steps["on"].id, "due_today", users["reviewer_a"].id),
        (steps["after"].id, "overdue", users["reviewer_b"].id),
        (steps["escalated"].id, "overdue", users["union_a"].id),
        (steps["escalated"].id, "escalation", users["reviewer_a"].id),
    }


def test_through_the_worker_a_refused_smtp_send_is_retried_later(world, ctx, app, redis):
    _late(world)
    sweep()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    try:
        job = Queue(QUEUE_NAME, connection=redis).enqueue("app.notifications.jobs.send_job")
        _work(app, redis)
        assert job.return_value() == {
            "sent": 0,
            "retrying": 1,
            "failed": 0,
            "messages_sent": 0,
            "messages_failed": 0,
        }
        email = db.session.scalar(select(OutboxEmail))
        assert email.status == MailStatus.PENDING and email.attempts == 1
        assert "Connection" in email.last_error and email.next_attempt_at > utcnow()
    finally:
        app.config.update(MAIL_SERVER="", MAIL_PORT=25)


def test_create_user_refuses_a_bad_email(world, app):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--username",
            "li",
            "--password",
            "long-enough-1",
            "--role",
            "reviewer",
            "--org",
            "A",
            "--email",
            "不是邮箱",
        ]
    )
    assert result.exit_code != 0 and "电子邮箱" in result.output
    from app.auth.models import User

    assert db.session.scalar(select(User).where(User.username == "li")) is None
