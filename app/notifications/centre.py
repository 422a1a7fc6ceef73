"""The notification centre's services: a user's reminders, newest first; marking them read."""

from __future__ import annotations

from sqlalchemy import func, select, update

from app.auth.models import User
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.policy import require_own
from app.timeutil import utcnow

PAGE = 50


def notifications_of(user: User, *, unread_only: bool = False) -> tuple[list[Notification], int]:
    """The user's newest notifications (at most `PAGE`), and how many there are under the
    same filter (the page says "showing the newest 50" only when there are more)."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    items = list(db.session.scalars(stmt.order_by(Notification.id.desc()).limit(PAGE)))
    total = db.session.scalar(stmt.with_only_columns(func.count())) or 0
    return items, total


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (someone else's is not found). Commits."""
    notification = require_own(user, db.session.get(Notification, notification_id))
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    return notification


def mark_all_read(user: User) -> None:
    """Mark every unread notification of the user read, in one statement. Commits."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
