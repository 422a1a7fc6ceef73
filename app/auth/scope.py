"""Scope: which organisations, and so which nominations, a user's roles reach.

A role held at organisation O reaches O's whole subtree, looked up in the closure table with
one indexed subquery, never by walking the tree in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement

from app.auth.models import Role, User
from app.extensions import db
from app.orgs.models import OrgClosure

# Roles that see every nomination of their subtree. Inspectors see only their assignments
# (the spot-check stage); until they have one they see nothing.
SUBTREE_ROLES = (Role.UNION, Role.REVIEWER, Role.CITY, Role.ADMIN)

# An organisation id in a statement: a model's column (`Nomination.org_id`) or any SQL
# expression (a CTE's column).
OrgColumn = ColumnElement[Any] | QueryableAttribute[Any]


def role_orgs(user: User, roles: Iterable[Role] | None = None) -> dict[Role, set[int]]:
    """The organisations at which the user holds each role."""
    wanted = set(roles) if roles is not None else set(Role)
    result: dict[Role, set[int]] = {}
    for assignment in user.roles:
        role = Role(assignment.role)
        if role in wanted:
            result.setdefault(role, set()).add(assignment.org_id)
    return result


def descendants_of(org_ids: Iterable[int]) -> Select:
    """Subquery: the ids of the given organisations and everything under them."""
    return select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id.in_(list(org_ids)))


def in_subtree(column: OrgColumn, org_ids: Iterable[int]) -> ColumnElement[bool]:
    """WHERE clause: `column` lies under one of `org_ids` (never true for none)."""
    ids = list(org_ids)
    return column.in_(descendants_of(ids)) if ids else false()


def visible_org_clause(user: User, column: OrgColumn) -> ColumnElement[bool]:
    """WHERE clause: `column` (an organisation id) lies in a subtree the user may see."""
    orgs = set().union(*role_orgs(user, SUBTREE_ROLES).values())
    return in_subtree(column, orgs)


def ancestor_ids(org_id: int) -> set[int]:
    """The organisation itself and all above it: one indexed query."""
    rows = db.session.scalars(
        select(OrgClosure.ancestor_id).where(OrgClosure.descendant_id == org_id)
    )
    return set(rows)


def holds_role_over(user: User, role: Role | str, ancestors: set[int]) -> bool:
    """Whether the user holds `role` at the organisation or any of its ancestors."""
    return any(a.role == role and a.org_id in ancestors for a in user.roles)


def any_role_clause(clauses: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    return or_(*clauses) if clauses else false()
