"""Administration: users with their roles, and the organisation tree."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import Role, User
from app.auth.scope import role_orgs, visible_org_clause
from app.errors import Forbidden
from app.extensions import db
from app.admin import bp
from app.orgs.models import Organization


@bp.before_request
@login_required
def require_admin():  # type: ignore[no-untyped-def]
    if not role_orgs(current_user, [Role.ADMIN]):
        raise Forbidden("只有系统管理员可以访问此页面。")


@bp.get("/users")
def users():  # type: ignore[no-untyped-def]
    rows = db.session.scalars(
        select(User).options(selectinload(User.roles)).order_by(User.username)).all()
    return render_template("admin/users.html", users=rows)


@bp.get("/orgs")
def orgs():  # type: ignore[no-untyped-def]
    rows = db.session.scalars(
        select(Organization).where(visible_org_clause(current_user, Organization.id))
        .order_by(Organization.code)).all()
    return render_template("admin/orgs.html", orgs=rows)
