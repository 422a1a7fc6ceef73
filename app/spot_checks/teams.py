"""The teams of the drawn nominations, on the drawing organisation's spot-check page:
inspectors assigned automatically or by hand within the conflict-of-interest rule, taken
off a team, and the list of the checks with their teams and conclusions as a CSV file.

The services (`assign`) decide and commit; these views read the forms, call them and show
the result through `manage_page`.
"""

from __future__ import annotations

from flask import flash, redirect
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.spot_checks import bp
from app.spot_checks.assign import assign_inspector, auto_assign, unassign_inspector
from app.spot_checks.forms_manage import AssignForm
from app.spot_checks.manage_page import manage_view, page_url, render
from app.spot_checks.models import DrawStatus, SpotCheckDraw
from app.spot_checks.policy import drawing_scope, require_own_check
from app.timeutil import format_beijing
from app.web.downloads import csv_response
from app.web.errors import flash_refusal, refuse
from app.web.forms import form_int, whole_number
from workflows.nomination import STATE_LABELS

# -- inspectors ----------------------------------------------------------------------------


@bp.post("/campaigns/<int:campaign_id>/spot-checks/auto-assign")
@login_required
def manage_auto_assign(campaign_id: int) -> ResponseReturnValue:
    campaign, org = drawing_scope(current_user, campaign_id)
    draws = db.session.scalars(
        select(SpotCheckDraw.id)
        .where(
            SpotCheckDraw.campaign_id == campaign.id,
            SpotCheckDraw.scope_org_id == org.id,
            SpotCheckDraw.status == DrawStatus.APPLIED,
        )
        .order_by(SpotCheckDraw.id)
    ).all()
    if not draws:
        flash(_("Inspectors can be assigned once a draw is applied."), "warning")
        return redirect(page_url(campaign.id), code=303)
    assigned, short = 0, []
    for draw_id in draws:
        try:
            result = auto_assign(current_user, draw_id)
        except Conflict as exc:
            return refuse(exc, page_url(campaign.id, "checks"), category="danger")
        assigned += result.assigned
        short.extend(result.short)
    if assigned:
        flash(_("%(n)s inspector places were filled automatically.", n=assigned), "success")
    elif not short:
        flash(_("Every check already has enough inspectors; nobody was added."), "info")
    for line in short:
        flash(_("Not filled: %(line)s", line=line), "warning")
    return redirect(page_url(campaign.id, "checks"), code=303)


def _inspector_id(form: AssignForm) -> int | None:
    return whole_number(form.inspector_id.data, 1)


@bp.post("/campaigns/<int:campaign_id>/spot-checks/checks/<int:check_id>/assign")
@login_required
def manage_assign(campaign_id: int, check_id: int) -> ResponseReturnValue:
    campaign, org = drawing_scope(current_user, campaign_id)
    check = require_own_check(campaign, org, check_id)
    form = AssignForm()
    inspector_id = _inspector_id(form) if form.validate_on_submit() else None
    if inspector_id is None:
        message = (form.inspector_id.errors or [_("Please choose an inspector.")])[0]
        flash(message, "danger")
        return render(
            campaign,
            org,
            status=422,
            assign_error={"check_id": check.id, "message": message, "selected": None},
        )
    try:
        assignment = assign_inspector(current_user, check.id, inspector_id)
    except Invalid as exc:
        db.session.rollback()
        message = (exc.errors.get("inspector_id") or [exc.message])[0]
        flash_refusal(exc)
        return render(
            campaign,
            org,
            status=422,
            assign_error={"check_id": check_id, "message": message, "selected": inspector_id},
        )
    except Conflict as exc:
        return refuse(exc, page_url(campaign.id, f"check-{check_id}"), category="danger")
    flash(_("%(name)s was assigned.", name=assignment.inspector.display_name), "success")
    return redirect(page_url(campaign.id, f"check-{check_id}"), code=303)


@bp.post("/campaigns/<int:campaign_id>/spot-checks/checks/<int:check_id>/unassign")
@login_required
def manage_unassign(campaign_id: int, check_id: int) -> ResponseReturnValue:
    campaign, org = drawing_scope(current_user, campaign_id)
    check = require_own_check(campaign, org, check_id)
    # Looked up in the team, never by the posted number (an overflowing one would fail in
    # the database): whoever is not on it is not removed.
    inspector_id = form_int("inspector_id")
    member = next((a for a in check.assignments if a.inspector_id == inspector_id), None)
    if member is None:
        flash(_("This inspector is not on the team."), "warning")
        return redirect(page_url(campaign.id, f"check-{check.id}"), code=303)
    name = member.inspector.display_name
    try:
        unassign_inspector(current_user, check.id, member.inspector_id)
    except (Conflict, NotFound) as exc:  # told on the page, even "not on the team"
        db.session.rollback()
        flash_refusal(exc, category="danger")
        return redirect(page_url(campaign.id, f"check-{check.id}"), code=303)
    flash(_("%(name)s was removed from the team.", name=name), "success")
    return redirect(page_url(campaign.id, f"check-{check.id}"), code=303)


# -- the list of checks ----------------------------------------------------------------------


@bp.get("/campaigns/<int:campaign_id>/spot-checks/checks.csv")
@login_required
def manage_checks_csv(campaign_id: int) -> ResponseReturnValue:
    """The drawn nominations with their inspectors and conclusions."""
    campaign, org = drawing_scope(current_user, campaign_id)
    view = manage_view(campaign, org, with_options=False)
    header = [
        _("Check No."),
        _("Nomination No."),
        _("Unit"),
        _("Nominee"),
        _("District"),
        _("State"),
        _("Inspectors"),
        _("Agreed"),
        _("Conclusion"),
        _("Conclusion in effect (Beijing time)"),
        _("Rectification deadline"),
    ]
    return csv_response(
        f"spot-checks-campaign-{campaign.id}.csv",
        header,
        (
            [
                r.check.id,
                r.nomination_id,
                r.unit,
                r.nominee,
                r.district,
                STATE_LABELS[r.status],
                r.inspector_names,
                f"{r.agreed}/{max(r.required, len(r.assignments))}",
                r.conclusion,
                format_beijing(r.check.concluded_at),
                r.check.rectification_deadline.isoformat()
                if r.check.rectification_deadline
                else "",
            ]
            for r in view.checks
        ),
    )
