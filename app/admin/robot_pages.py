"""The group robots of an organisation, on its edit page: add one, remove one."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.admin.forms import ConfirmForm
from app.admin.policy import require_scoped_org
from app.admin.robots import add_robot, remove_robot
from app.errors import DomainError
from app.extensions import db
from app.web.errors import flash_refusal


def _back(org_id: int) -> ResponseReturnValue:
    return redirect(url_for("admin.edit_org_page", org_id=org_id) + "#robots", code=303)


@bp.post("/orgs/<int:org_id>/robots")
def add_org_robot(org_id: int) -> ResponseReturnValue:
    org = require_scoped_org(current_user, org_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form has expired; please try again."), "danger")
        return _back(org_id)
    try:
        robot = add_robot(
            current_user,
            org,
            kind=request.form.get("kind", ""),
            role=request.form.get("role", ""),
            name=request.form.get("name", ""),
            webhook_url=request.form.get("webhook_url", ""),
            secret=request.form.get("secret"),
        )
    except DomainError as exc:
        db.session.rollback()
        flash_refusal(exc, *[m for ms in exc.errors.values() for m in ms], category="danger")
    else:
        flash(_("The group robot %(name)s is added.", name=robot.name), "success")
    return _back(org_id)


@bp.post("/orgs/<int:org_id>/robots/<int:robot_id>/delete")
def remove_org_robot(org_id: int, robot_id: int) -> ResponseReturnValue:
    org = require_scoped_org(current_user, org_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form has expired; please try again."), "danger")
        return _back(org_id)
    try:
        remove_robot(current_user, org, robot_id)
    except DomainError as exc:
        db.session.rollback()
        flash_refusal(exc, category="danger")
    else:
        flash(_("The group robot is removed."), "success")
    return _back(org_id)
