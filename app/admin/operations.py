"""Operations pages for the admin: the e-mail outbox (failed sends to retry) and the health
of the background queue (queued, failed, scheduled jobs; workers and cron alive)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.admin import bp
from app.errors import DomainError
from app.extensions import db
from app.jobs import PERIODIC, QUEUE_NAME, redis_connection
from app.notifications.mail import mail_counts, retry, smtp_configured
from app.notifications.models import MailStatus, OutboxEmail
from app.web.errors import refuse

CHANNEL_LABELS = {
    "sms": _l("SMS"),
    "wecom": _l("WeCom group robot"),
    "dingtalk": _l("DingTalk robot"),
}

# The page's words for an e-mail's state (the stored value is the enum's).
STATUS_LABELS = {
    MailStatus.PENDING: _l("Waiting to be sent"),
    MailStatus.SENT: _l("Sent"),
    MailStatus.FAILED: _l("Sending failed"),
}


@bp.get("/mail")
def outbox() -> ResponseReturnValue:
    status = request.args.get("status") or None
    stmt = select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(200)
    if status in {s.value for s in MailStatus}:
        stmt = stmt.where(OutboxEmail.status == status)
    emails = list(db.session.scalars(stmt))
    return render_template(
        "admin/outbox.html",
        emails=emails,
        counts=mail_counts(),
        status=status,
        smtp=smtp_configured(),
        STATUS_LABELS=STATUS_LABELS,
    )


@bp.post("/mail/<int:email_id>/retry")
def retry_mail(email_id: int) -> ResponseReturnValue:
    back = url_for("admin.outbox", status="failed")
    try:
        email = retry(email_id)
    except DomainError as exc:  # sent or queued meanwhile: say so on the list (no such id: 404)
        return refuse(exc, back, category="danger")
    flash(_("Queued again for %(address)s.", address=email.to_address), "success")
    return redirect(back, code=303)


def queue_health() -> dict[str, Any] | None:
    """Counts from Redis, or None when no Redis is configured (the embedded default)."""
    connection = redis_connection()
    if connection is None:
        return None
    from rq import Queue, Worker
    from rq.cron import CronScheduler
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

    try:
        queue = Queue(QUEUE_NAME, connection=connection)
        workers = Worker.all(connection=connection)
        return {
            "ok": True,
            "queued": queue.count,
            "started": StartedJobRegistry(queue=queue).count,
            "scheduled": ScheduledJobRegistry(queue=queue).count,
            "failed": FailedJobRegistry(queue=queue).count,
            "workers": [
                {"name": w.name, "state": w.get_state(), "heartbeat": w.last_heartbeat}
                for w in workers
            ],
            "cron": [s.name for s in CronScheduler.all(connection=connection)],
        }
    except Exception as exc:  # Redis down: say so on the page
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


@bp.get("/queue")
def queue() -> ResponseReturnValue:
    return render_template("admin/queue.html", health=queue_health(), periodic=PERIODIC)


@bp.get("/messages")
def messages() -> ResponseReturnValue:
    """The outbox of SMS and group-robot messages: every channel, failures to retry."""
    from app.auth.mobile import mask_mobile
    from app.notifications.models import OrgRobot, OutboxMessage
    from app.notifications.outbox import message_counts

    status = request.args.get("status") or None
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)
    if status in {s.value for s in MailStatus}:
        stmt = stmt.where(OutboxMessage.status == status)
    rows = list(db.session.scalars(stmt))
    robot_ids = {int(m.target) for m in rows if m.channel != "sms" and m.target.isdigit()}
    robots = {
        r.id: r.name for r in db.session.scalars(select(OrgRobot).where(OrgRobot.id.in_(robot_ids)))
    }
    counts: dict[str, int] = {}
    for per_status in message_counts().values():
        for key, count in per_status.items():
            counts[key] = counts.get(key, 0) + count
    return render_template(
        "admin/messages.html",
        messages=rows,
        counts=counts,
        status=status,
        STATUS_LABELS=STATUS_LABELS,
        CHANNELS=CHANNEL_LABELS,
        recipient=lambda m: (
            mask_mobile(m.target)
            if m.channel == "sms"
            else robots.get(int(m.target) if m.target.isdigit() else 0, _("(removed)"))
        ),
    )


@bp.post("/messages/<int:message_id>/retry")
def retry_message_page(message_id: int) -> ResponseReturnValue:
    from app.notifications.outbox import retry_message

    back = url_for("admin.messages", status="failed")
    try:
        retry_message(message_id)
    except DomainError as exc:
        return refuse(exc, back, category="danger")
    flash(_("Queued again."), "success")
    return redirect(back, code=303)
