"""Jobs of the reminders, run by an RQ worker (scheduled by `flask --app wsgi cron`)."""

from __future__ import annotations

from app.notifications.digest import send_digests
from app.notifications.mail import send_due
from app.notifications.outbox import send_due_messages
from app.notifications.sweep import sweep


def sweep_job() -> dict[str, int]:
    """Owe today's reminders (exactly once), queue the daily digests that are due, then
    send the e-mails they queued."""
    result = sweep()
    digests = send_digests()
    sent = send_due()
    messages = send_due_messages()
    return {
        "steps": result.steps,
        "created": result.created,
        "emails": result.emails,
        "digests": digests,
        **sent,
        "messages_sent": messages["sent"],
        "messages_failed": messages["failed"],
    }


def send_job() -> dict[str, int]:
    """Send the e-mails and the SMS and robot messages due now, retries included."""
    sent = send_due()
    messages = send_due_messages()
    return {**sent, "messages_sent": messages["sent"], "messages_failed": messages["failed"]}
