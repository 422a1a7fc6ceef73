"""Sending the outbox: SMTP when configured, else the local outbox page only (development).

Each e-mail is claimed under a row lock (SKIP LOCKED on PostgreSQL, so two senders never
take the same one) and leased: the claim counts the attempt and sets the next one as if it
failed (1, 2, 4 … minutes, at most an hour), and is committed before the SMTP server is
spoken to, so no transaction stays open while it answers (on SQLite an open one would
hold the only write lock, and every form would wait). The outcome is then recorded in a
short transaction of its own. After `MAIL_MAX_ATTEMPTS` failures the e-mail is marked
failed and listed for an admin, who can send it again.

A sender killed between the SMTP server accepting a message and recording it can send
that one message twice, when the lease runs out: mail is at-least-once by nature; the
reminder behind it is exactly-once (the notifications' unique key).
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.errors import Conflict, NotFound
from app.extensions import db
from app.notifications.models import MailStatus, OutboxEmail
from app.timeutil import utcnow

Transport = Callable[[OutboxEmail], None]


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def smtp_transport(email: OutboxEmail) -> None:
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = email.subject
    message["From"] = formataddr(("职工之家评选", config["MAIL_FROM"]))
    message["To"] = email.to_address
    message.set_content(email.body)
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30) as smtp:
        if config.get("MAIL_STARTTLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)


def local_outbox(email: OutboxEmail) -> None:
    """Development: nothing leaves the machine; the outbox page shows what would have."""


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _claim(now: datetime) -> OutboxEmail | None:
    stmt = (
        select(OutboxEmail)
        .where(OutboxEmail.status == MailStatus.PENDING, OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return db.session.scalar(stmt)


def send_due(
    transport: Transport | None = None, now: datetime | None = None, limit: int = 200
) -> dict[str, int]:
    """Send what is due now; returns counts of sent / retrying / failed."""
    transport = transport or (smtp_transport if smtp_configured() else local_outbox)
    max_attempts = int(current_app.config["MAIL_MAX_ATTEMPTS"])
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    for _attempt in range(limit):
        moment = now or utcnow()
        email = _claim(moment)
        if email is None:
            break
        email.attempts += 1
        email.next_attempt_at = moment + backoff(email.attempts)  # the lease
        # What the transport reads, copied out: once committed, the row's attributes would
        # load again, in a transaction held open while the SMTP server answers.
        letter = OutboxEmail(
            id=email.id,
            to_address=email.to_address,
            subject=email.subject,
            body=email.body,
            attempts=email.attempts,
        )
        db.session.commit()
        outcome: dict[str, Any]
        try:
            transport(letter)
        except Exception as exc:  # any failure of the transport: retry later
            outcome = {"last_error": f"{type(exc).__name__}: {exc}"[:2000]}
            if letter.attempts >= max_attempts:
                outcome["status"] = MailStatus.FAILED
                counts["failed"] += 1
            else:
                counts["retrying"] += 1
        else:
            outcome = {"status": MailStatus.SENT, "sent_at": utcnow(), "last_error": None}
            counts["sent"] += 1
        db.session.execute(update(OutboxEmail).where(OutboxEmail.id == letter.id).values(**outcome))
        db.session.commit()
    return counts


def retry(email_id: int) -> OutboxEmail:
    """An admin sends a failed e-mail again (from now, with a fresh count). Commits."""
    email = db.session.get(OutboxEmail, email_id)
    if email is None:
        raise NotFound(_("No such e-mail."))
    if email.status != MailStatus.FAILED:
        raise Conflict(_("Only an e-mail whose sending failed can be sent again."))
    email.status, email.attempts, email.next_attempt_at = MailStatus.PENDING, 0, utcnow()
    db.session.commit()
    return email


def mail_counts() -> dict[str, int]:
    return {
        str(status): count
        for status, count in db.session.execute(
            select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)
        )
    }
