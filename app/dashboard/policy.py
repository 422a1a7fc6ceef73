"""Who may see the dashboard, and how much of it."""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.models import Role, User
from app.auth.scope import role_orgs
from app.errors import Forbidden

# The city federation, the district reviewers (their own districts) and administrators.
# Unions and inspectors work on their own items instead.
DASHBOARD_ROLES = (Role.CITY, Role.ADMIN, Role.REVIEWER)


def dashboard_orgs(user: User) -> set[int]:
    """The organisations whose subtrees the user's dashboard covers."""
    return set().union(*role_orgs(user, DASHBOARD_ROLES).values())


def may_see_dashboard(user: User) -> bool:
    return bool(dashboard_orgs(user))


def sees_whole_city(user: User) -> bool:
    """The city federation and administrators see every district under the organiser; a
    reviewer only their own (the page says 仅本区县)."""
    return bool(role_orgs(user, (Role.CITY, Role.ADMIN)))


def require_dashboard(user: User) -> set[int]:
    """The organisations the user's dashboard covers; refused when there are none."""
    orgs = dashboard_orgs(user)
    if not orgs:
        raise Forbidden(
            _("Only the city federation, district reviewers and administrators see the dashboard.")
        )
    return orgs
