"""The notification centre's services: a user's reminders, newest first; marking them read."""

from __future__ import annotations

from sqlalchemy import func, select, update

from app.auth.models import Role, User
from app.extensions import db
from app.nominations.models import Nomination
from app.notifications.events import event_title
from app.notifications.models import Kind, Notification
from app.notifications.policy import require_own
from app.orgs.models import Organization
from app.timeutil import utcnow

PAGE = 50


def notifications_of(user: User, *, unread_only: bool = False) -> tuple[list[Notification], int]:
    """The user's newest notifications (at most `PAGE`), and how many there are under the
    same filter (the page says "showing the newest 50" only when there are more)."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    rows = db.session.execute(
        stmt.add_columns(Organization.name)
        .join(Nomination, Nomination.id == Notification.nomination_id)
        .join(Organization, Organization.id == Nomination.org_id)
        .order_by(Notification.id.desc())
        .limit(PAGE)
    ).all()
    items = []
    for notification, unit in rows:
        # An event's notice in the reader's language; a reminder as it was written.
        notification.display_title = (
            event_title(notification.action, unit, _reader_role(notification))
            if notification.kind == Kind.EVENT
            else notification.title
        )
        items.append(notification)
    total = db.session.scalar(stmt.with_only_columns(func.count())) or 0
    return items, total


def _reader_role(notification: Notification) -> Role | None:
    return Role.REVIEWER if notification.action == "submit" else None


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
