"""Who may administer, which organisations an administrator manages, and what an
administrator may not do to their own account."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, select

from app.auth.models import Role, RoleAssignment, User
from app.auth.scope import role_orgs, visible_org_clause
from app.errors import Conflict, Forbidden, NotFound
from app.extensions import db
from app.orgs.models import Organization, OrgLevel


def may_administer(user: User) -> bool:
    """System administrators only: the admin pages, the outbox and the queue."""
    return bool(role_orgs(user, [Role.ADMIN]))


def require_admin(user: User) -> None:
    if not may_administer(user):
        raise Forbidden(_("Only system administrators may open this page."))


def scoped_orgs(actor: User | None, levels: tuple[OrgLevel, ...] | None = None) -> Select:
    """Organisations in the administrator's subtree, optionally of some levels only: the
    ones whose users, roles and details the administrator manages. No actor: the operator
    on the command line (`flask import-orgs`), who manages the whole tree."""
    stmt = select(Organization)
    if actor is not None:
        stmt = stmt.where(visible_org_clause(actor, Organization.id))
    if levels:
        stmt = stmt.where(Organization.level.in_(levels))
    return stmt.order_by(Organization.code)


def scoped_org(actor: User, org_id: int | None) -> Organization | None:
    """The organisation if the administrator manages it, else None."""
    if not org_id:
        return None
    return db.session.scalar(scoped_orgs(actor).where(Organization.id == org_id))


def require_scoped_org(actor: User, org_id: int | None) -> Organization:
    """The organisation; one outside the administrator's subtree is not found."""
    org = scoped_org(actor, org_id)
    if org is None:
        raise NotFound(_("The organisation does not exist or is not yours to manage."))
    return org


def may_remove_role(actor: User, user: User, assignment: RoleAssignment) -> bool:
    """Anyone's role but one's own administrator role: another administrator takes it away,
    so there is always someone left to administer."""
    return not (user.id == actor.id and assignment.role == Role.ADMIN)


def require_role_removable(actor: User, user: User, assignment: RoleAssignment) -> None:
    if not may_remove_role(actor, user, assignment):
        raise Conflict(
            _("You cannot remove your own administrator role; another administrator has to do it.")
        )


def may_deactivate(actor: User, user: User) -> bool:
    """Any account but one's own."""
    return user.id != actor.id


def require_deactivatable(actor: User, user: User) -> None:
    if not may_deactivate(actor, user):
        raise Conflict(_("You cannot deactivate your own account."))
