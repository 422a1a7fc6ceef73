"""Sending the outbox of the other channels (SMS, 企业微信 and 钉钉 robots), as the e-mail
outbox is sent (`app.notifications.mail`): each message claimed under a row lock (SKIP
LOCKED on PostgreSQL) and leased before the provider is spoken to, the outcome recorded in
a short transaction of its own.

- **Retries**: a result worth retrying waits the backoff (1, 2, 4 … minutes, at most an
  hour) or what the provider asks (`retry_after`), whichever is longer; after
  `MESSAGE_MAX_ATTEMPTS` attempts, or at once when the provider refuses for good (a bad
  number, a template or signature the provider rejects), the message is failed and listed
  for an administrator, who can send it again.
- **Rate limits per channel**: providers throttle (企业微信 and 钉钉 take 20 messages a
  minute per robot). At most `SMS_PER_MINUTE` SMS, and `ROBOT_PER_MINUTE` messages per
  robot, go out a minute; the rest wait for the next minute without spending an attempt.
- **Content**: an SMS is fitted to two segments with the signature counted; a robot message
  carries a link to the nomination (`PUBLIC_BASE_URL`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app import ratelimit
from app.errors import Conflict, NotFound
from app.extensions import db
from app.notifications.channels import (
    Channel,
    DeliveryResult,
    OutgoingMessage,
    channels_from_config,
    dingtalk,
    fit_sms,
    wecom,
)
from app.notifications.mail import backoff
from app.notifications.models import MailStatus, Notification, OrgRobot, OutboxMessage, RobotKind
from app.timeutil import utcnow

ChannelFor = Callable[[OutboxMessage], Channel | None]


def _claim(now: datetime, skip: set[str]) -> OutboxMessage | None:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
    )
    if skip:
        stmt = stmt.where(OutboxMessage.channel.not_in(skip))
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return db.session.scalar(stmt)


def channel_for(message: OutboxMessage) -> Channel | None:
    """The channel that sends this message now (None: it cannot be sent any more)."""
    if message.channel == "sms":
        return channels_from_config(current_app.config).get("sms")
    robot = db.session.get(OrgRobot, int(message.target)) if message.target.isdigit() else None
    if robot is None or not robot.active:
        return None
    if robot.kind == RobotKind.DINGTALK:
        return dingtalk(robot.webhook_url, robot.secret or "")
    return wecom(robot.webhook_url)


def _outgoing(message: OutboxMessage) -> OutgoingMessage:
    if message.channel == "sms":
        return OutgoingMessage(text=message.text, to=message.target)
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    nomination_id = db.session.scalar(
        select(Notification.nomination_id).where(Notification.id == message.notification_id)
    )
    link = f"\n{base}/nominations/{nomination_id}" if base and nomination_id else ""
    return OutgoingMessage(text=message.text + link)


def _limit_key(message: OutboxMessage) -> tuple[str, int]:
    config = current_app.config
    if message.channel == "sms":
        return "msg:sms", int(config.get("SMS_PER_MINUTE") or 60)
    return f"msg:robot:{message.target}", int(config.get("ROBOT_PER_MINUTE") or 20)


def send_due_messages(
    now: datetime | None = None, limit: int = 200, channel: ChannelFor | None = None
) -> dict[str, int]:
    """Send what is due now; counts of sent / retrying / failed / waiting (rate limit)."""
    pick = channel or channel_for
    max_attempts = int(current_app.config.get("MESSAGE_MAX_ATTEMPTS") or 5)
    counts = {"sent": 0, "retrying": 0, "failed": 0, "waiting": 0}
    throttled: set[str] = set()
    for _attempt in range(limit):
        moment = now or utcnow()
        message = _claim(moment, throttled)
        if message is None:
            break
        key, per_minute = _limit_key(message)
        if ratelimit.hit(key, timedelta(minutes=1)).hits > per_minute:
            # The provider's limit: wait for the next minute, no attempt spent.
            message.next_attempt_at = moment + timedelta(minutes=1)
            db.session.commit()
            counts["waiting"] += 1
            if message.channel == "sms":
                throttled.add("sms")
            continue
        sender = pick(message)
        if sender is None:
            message.status, message.last_error = (
                MailStatus.FAILED,
                _(
                    "The channel is not configured any more (no SMS provider, or the robot "
                    "was removed)."
                ),
            )
            db.session.commit()
            counts["failed"] += 1
            continue
        outgoing = _outgoing(message)
        if message.channel == "sms":  # two segments at most, the signature counted
            signature = str(getattr(sender, "signature", "") or "")
            outgoing = OutgoingMessage(text=fit_sms(outgoing.text, signature), to=outgoing.to)
        message.attempts += 1
        message.next_attempt_at = moment + backoff(message.attempts)  # the lease
        message_id, attempts = message.id, message.attempts
        db.session.commit()
        result: DeliveryResult = sender.send(outgoing)
        outcome: dict[str, Any]
        if result.ok:
            outcome = {
                "status": MailStatus.SENT,
                "sent_at": utcnow(),
                "last_error": None,
                "provider_id": result.provider_id,
            }
            counts["sent"] += 1
        else:
            outcome = {"last_error": (result.message or result.code or "")[:2000]}
            if not result.retry or attempts >= max_attempts:
                outcome["status"] = MailStatus.FAILED
                counts["failed"] += 1
            else:
                wait = max(backoff(attempts), timedelta(seconds=result.retry_after or 0))
                outcome["next_attempt_at"] = utcnow() + wait
                counts["retrying"] += 1
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id).values(**outcome)
        )
        db.session.commit()
    return counts


def retry_message(message_id: int) -> OutboxMessage:
    """An administrator sends a failed message again (from now, a fresh count). Commits."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(_("No such message."))
    if message.status != MailStatus.FAILED:
        raise Conflict(_("Only a message whose sending failed can be sent again."))
    message.status, message.attempts, message.next_attempt_at = MailStatus.PENDING, 0, utcnow()
    db.session.commit()
    return message


def message_counts() -> dict[str, dict[str, int]]:
    """Per channel, per status."""
    result: dict[str, dict[str, int]] = {}
    for channel_name, status, count in db.session.execute(
        select(OutboxMessage.channel, OutboxMessage.status, func.count()).group_by(
            OutboxMessage.channel, OutboxMessage.status
        )
    ):
        result.setdefault(channel_name, {})[str(status)] = count
    return result
