"""What the notifications plug in: the unread count every page's header shows."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import ScalarSelect, func, select

from app.auth.services import UserIdColumn, register_user_figure
from app.notifications.models import Notification


def unread_count(user_id: UserIdColumn) -> ScalarSelect[Any]:
    """The user's unread notifications, as a scalar subquery of the login session's query."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def register(app: Flask) -> None:
    from app.notifications import events  # noqa: F401 (its session hooks write the notices)

    register_user_figure("unread_notifications", unread_count)
