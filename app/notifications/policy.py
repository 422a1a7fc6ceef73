"""Whose notifications: a user reads and marks their own only.

Someone else's notification is not found rather than forbidden: its id tells nothing. The
outbox and the queue are the administrators' (`app.admin.policy`).
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.models import User
from app.errors import NotFound
from app.notifications.models import Notification


def may_read(user: User, notification: Notification) -> bool:
    return notification.user_id == user.id


def require_own(user: User, notification: Notification | None) -> Notification:
    """The notification if it is the user's; else not found (as for no such id)."""
    if notification is None or not may_read(user, notification):
        raise NotFound(_("Not found, or you are not allowed to see it."))
    return notification
