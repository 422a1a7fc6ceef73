"""The daily digest: a user who chose it gets one e-mail and (or) one SMS a day listing
what happened since the last one, instead of a message per notice.

It goes out at the end of the quiet hours (08:00 Beijing time by default), by the first
reminder sweep after it (hourly, `flask remind` without Redis); once a day per user, kept by
`last_digest_at`. The channels are the ones the user chose for either kind of notice. Bulk:
one query for every digest user's new notices, one insert per channel, one update.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update

from app.auth.models import User
from app.extensions import db
from app.notifications.delivery import KINDS, default, quiet_hours, sms_configured
from app.notifications.models import (
    MailStatus,
    Notification,
    NotificationPreference,
    OutboxEmail,
    OutboxMessage,
)
from app.timeutil import BEIJING, utcnow

SHOWN = 3  # titles listed in a digest; the rest counted
SIGNED_OFF = "（本邮件由系统自动发送，请勿回复。）"


def digest_time(now: datetime) -> datetime:
    """Today's digest time (UTC): the end of the quiet hours, or 08:00."""
    hours = quiet_hours()
    at = hours[1] if hours else time(8, 0)
    local = now.astimezone(BEIJING)
    return datetime.combine(local.date(), at, tzinfo=BEIJING).astimezone(now.tzinfo)


def _wants(pref: NotificationPreference, channel: str) -> bool:
    chosen = [getattr(pref, f"{kind}_{channel}") for kind in KINDS]
    return any(default(k, channel) if c is None else c for k, c in zip(KINDS, chosen, strict=True))


def digest_text(titles: list[str], count: int) -> str:
    shown = "；".join(titles[:SHOWN])
    more = f"等 {count} 条" if count > SHOWN else f"共 {count} 条"
    return f"【每日汇总】{shown}（{more}），请登录职工之家评选系统查看。"


def send_digests(now: datetime | None = None) -> int:
    """Queue today's digests that are due; how many users got one. Commits."""
    now = now or utcnow()
    due = digest_time(now)
    if now < due:
        return 0
    since = func.coalesce(NotificationPreference.last_digest_at, due - timedelta(days=1))
    rows = db.session.execute(
        select(NotificationPreference, User, Notification.id, Notification.title)
        .join(User, User.id == NotificationPreference.user_id)
        .outerjoin(
            Notification,
            (Notification.user_id == NotificationPreference.user_id)
            & (Notification.created_at > since),
        )
        .where(
            NotificationPreference.digest.is_(True),
            (NotificationPreference.last_digest_at.is_(None))
            | (NotificationPreference.last_digest_at < due),
            User.is_active_flag.is_(True),
        )
        .order_by(NotificationPreference.user_id, Notification.id.desc())
    ).all()
    people: dict[int, tuple[NotificationPreference, User, list[tuple[int, str]]]] = {}
    for pref, user, notification_id, title in rows:
        entry = people.setdefault(user.id, (pref, user, []))
        if notification_id is not None:
            entry[2].append((notification_id, title))
    emails: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for pref, user, notices in people.values():
        if not notices:
            continue
        newest = notices[0][0]
        text = digest_text([t for _i, t in notices], len(notices))
        if user.email and _wants(pref, "email"):
            emails.append(
                {
                    "notification_id": newest,
                    "to_address": user.email,
                    "subject": f"【每日汇总】您有 {len(notices)} 条新通知",
                    "body": f"{user.display_name}：\n\n{text}\n\n{SIGNED_OFF}",
                    "status": MailStatus.PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
        if user.mobile and sms_configured() and _wants(pref, "sms"):
            messages.append(
                {
                    "notification_id": newest,
                    "channel": "sms",
                    "target": user.mobile,
                    "text": text,
                    "status": MailStatus.PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
    # A notice mailed already (the digest chosen during the day) keeps its message.
    taken = set(
        db.session.scalars(
            select(OutboxEmail.notification_id).where(
                OutboxEmail.notification_id.in_([e["notification_id"] for e in emails])
            )
        )
    )
    emails = [e for e in emails if e["notification_id"] not in taken]
    sent = set(
        db.session.scalars(
            select(OutboxMessage.notification_id).where(
                OutboxMessage.notification_id.in_([m["notification_id"] for m in messages]),
                OutboxMessage.channel == "sms",
            )
        )
    )
    messages = [m for m in messages if m["notification_id"] not in sent]
    if emails:
        db.session.execute(insert(OutboxEmail), emails)
    if messages:
        db.session.execute(insert(OutboxMessage), messages)
    if people:
        db.session.execute(
            update(NotificationPreference)
            .where(NotificationPreference.user_id.in_(list(people)))
            .values(last_digest_at=now)
        )
    db.session.commit()
    return sum(1 for _p, _u, notices in people.values() if notices)
