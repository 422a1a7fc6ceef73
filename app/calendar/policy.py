"""Who may do what with the working-day calendar."""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.models import Role, User
from app.auth.scope import role_orgs
from app.errors import Forbidden


def may_keep_calendar(user: User) -> bool:
    """The calendar is the city's, shared by every campaign: any city federation user."""
    return bool(role_orgs(user, [Role.CITY]).get(Role.CITY))


def require_calendar_keeper(user: User) -> None:
    if not may_keep_calendar(user):
        raise Forbidden(_("Only the city federation keeps the working-day calendar."))
