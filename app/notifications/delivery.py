"""Which notices go out by which channel, and when: the users' preferences, the deployment's
defaults, the daily digest and quiet hours.

A notice is always in the app. By e-mail and SMS it goes as the user chose for its kind
(`events`: a step taken; `reminders`: deadlines), or else as the deployment sets
(`NOTIFY_EVENTS_EMAIL`, `NOTIFY_EVENTS_SMS`, `NOTIFY_REMINDERS_EMAIL`,
`NOTIFY_REMINDERS_SMS`); a user who chose the daily digest gets one message a day instead.
SMS waits out the quiet hours (`QUIET_HOURS`, 22:00–08:00 Beijing time by default): a
message queued in them is sent at their end. SMS is queued only when a provider is
configured (`SMS_PROVIDER`), to users with a mobile number. The choice is made in SQL, in
the statement that queues the messages.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import Boolean, ColumnElement, Table, and_, case, false, func, literal, select

from app.auth.models import User
from app.dbtypes import UTCDateTime
from app.extensions import db
from app.notifications.models import MailStatus, Notification, NotificationPreference, OutboxMessage
from app.timeutil import BEIJING, utcnow

KINDS = ("events", "reminders")
CHANNELS = ("email", "sms")
SLICE = 10_000  # notifications per INSERT … SELECT


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def default(kind: str, channel: str) -> bool:
    return bool(current_app.config.get(f"NOTIFY_{kind.upper()}_{channel.upper()}"))


def wanted(kind: str, channel: str, prefs: Any) -> ColumnElement[bool]:
    """SQL: the user (outer-joined preferences `prefs`) wants this kind by this channel now
    (not in a digest)."""
    chosen = func.coalesce(prefs.c[f"{kind}_{channel}"], literal(default(kind, channel), Boolean))
    return and_(chosen.is_(True), func.coalesce(prefs.c.digest, false()).is_(False))


def quiet_hours() -> tuple[time, time] | None:
    """The quiet hours as (start, end) Beijing times; None when switched off ("")."""
    text = str(current_app.config.get("QUIET_HOURS") or "").strip()
    if not text:
        return None
    start, _, end = text.partition("-")
    try:
        return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        return time(22, 0), time(8, 0)


def release_time(now: datetime) -> datetime:
    """When a message queued `now` may be sent: now, or the end of the quiet hours."""
    hours = quiet_hours()
    if hours is None:
        return now
    start, end = hours
    local = now.astimezone(BEIJING)
    clock = local.time()
    quiet = (start <= clock or clock < end) if start > end else (start <= clock < end)
    if not quiet:
        return now
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=BEIJING).astimezone(now.tzinfo)


def sms_configured() -> bool:
    return bool(current_app.config.get("SMS_PROVIDER"))


def queue_sms(notification_ids: list[int], kind: str) -> int:
    """One INSERT … SELECT per slice: an SMS for each new notice whose user has a mobile
    number and wants it, sent at once or after the quiet hours."""
    if not notification_ids or not sms_configured():
        return 0
    now = utcnow()
    at = release_time(now)
    n, u, p = _table(Notification), _table(User), _table(NotificationPreference)
    outbox = _table(OutboxMessage)
    queued = 0
    for start in range(0, len(notification_ids), SLICE):
        ids = notification_ids[start : start + SLICE]
        chosen = (
            select(
                n.c.id,
                literal("sms"),
                u.c.mobile,
                case(
                    (u.c.locale.like("en%") & n.c.title_en.is_not(None), n.c.title_en),
                    else_=n.c.title,
                ),
                literal(MailStatus.PENDING.value),
                literal(0),
                literal(at, UTCDateTime),
                literal(now, UTCDateTime),
            )
            .join(u, u.c.id == n.c.user_id)
            .outerjoin(p, p.c.user_id == n.c.user_id)
            .where(
                n.c.id.in_(ids), u.c.mobile.is_not(None), u.c.mobile != "", wanted(kind, "sms", p)
            )
        )
        result = db.session.execute(
            outbox.insert()
            .from_select(
                [
                    "notification_id",
                    "channel",
                    "target",
                    "text",
                    "status",
                    "attempts",
                    "next_attempt_at",
                    "created_at",
                ],
                chosen,
            )
            .returning(outbox.c.id)
        )
        queued += len(result.all())
    return queued


def preferences_of(user: User) -> dict[str, Any]:
    """The user's choices with the defaults filled in, for the settings page and the API."""
    pref = db.session.get(NotificationPreference, user.id)
    values: dict[str, Any] = {}
    for kind in KINDS:
        for channel in CHANNELS:
            mine = getattr(pref, f"{kind}_{channel}", None) if pref else None
            values[f"{kind}_{channel}"] = default(kind, channel) if mine is None else mine
    values["digest"] = bool(pref.digest) if pref else False
    return values


def set_preferences(user: User, values: dict[str, Any]) -> dict[str, Any]:
    """Save the user's choices (the keys of `preferences_of`). Commits."""
    pref = db.session.get(NotificationPreference, user.id)
    if pref is None:
        pref = NotificationPreference(user_id=user.id)
        db.session.add(pref)
    for kind in KINDS:
        for channel in CHANNELS:
            key = f"{kind}_{channel}"
            if key in values:
                setattr(pref, key, bool(values[key]))
    if "digest" in values:
        pref.digest = bool(values["digest"])
    db.session.commit()
    return preferences_of(user)
