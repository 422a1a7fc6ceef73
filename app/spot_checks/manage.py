"""The drawing organisation's spot-check page, one per campaign (随机抽查管理): the draw.

The city federation (or each district's reviewer when the campaign draws by district)
announces a draw with its seed's commitment, makes the draw, checks the sample and applies
it, or supersedes it with a reason, and exports the draw's record. The teams of the drawn
nominations are managed on the same page (`teams`).

The services decide and commit; these views read the forms, call them and show the result
through `manage_page`.
"""

from __future__ import annotations

from flask import flash, redirect
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import Conflict, Invalid
from app.extensions import db
from app.spot_checks import bp
from app.spot_checks.forms_manage import AnnounceForm, RedrawForm
from app.spot_checks.manage_page import district_names, page_url, render
from app.spot_checks.policy import drawing_scope, require_own_draw
from app.spot_checks.services import announce_draw, apply_draw, make_draw, redraw, unit_names
from app.web.downloads import csv_response
from app.web.errors import flash_refusal, refuse
from app.web.forms import apply_errors

# -- the page and the draw ------------------------------------------------------------------


@bp.get("/campaigns/<int:campaign_id>/spot-checks")
@login_required
def manage(campaign_id: int) -> ResponseReturnValue:
    campaign, org = drawing_scope(current_user, campaign_id)
    return render(campaign, org)


@bp.post("/campaigns/<int:campaign_id>/spot-checks/announce")
@login_required
def manage_announce(campaign_id: int) -> ResponseReturnValue:
    campaign, org = drawing_scope(current_user, campaign_id)
    form = AnnounceForm()
    if form.validate_on_submit():
        try:
            draw = announce_draw(
                current_user,
                campaign.id,
                method=form.method.data,
                value=form.value.data or "",
                seed=form.seed.data,
            )
        except Invalid as exc:
            db.session.rollback()
            flash_refusal(exc, *apply_errors(form, exc.errors))
        except Conflict as exc:
            return refuse(exc, page_url(campaign.id, "draw"), category="danger")
        else:
            flash(
                _(
                    "Draw No. %(id)s announced: the seed's commitment is published; the seed "
                    "itself is revealed when you make the draw.",
                    id=draw.id,
                ),
                "success",
            )
            return redirect(page_url(campaign.id, "draw"), code=303)
    return render(campaign, org, forms={"announce": form}, status=422)


@bp.post("/campaigns/<int:campaign_id>/spot-checks/draws/<int:draw_id>/draw")
@login_required
def manage_make_draw(campaign_id: int, draw_id: int) -> ResponseReturnValue:
    campaign, org = drawing_scope(current_user, campaign_id)
    draw = require_own_draw(campaign, org, draw_id)
    try:
        draw = make_draw(current_user, draw.id)
    except Conflict as exc:
        return refuse(exc, page_url(campaign.id, "draw"), category="danger")
    flash(
        _(
            "Drawn: %(drawn)s of %(population)s nominations. Check the sample, then apply it.",
            drawn=len(draw.sample or []),
            population=len(draw.population or []),
        ),
        "success",
    )
    return redirect(page_url(campaign.id, "draw"), code=303)


@bp.post("/campaigns/<int:campaign_id>/spot-checks/draws/<int:draw_id>/apply")
@login_required
def manage_apply(campaign_id: int, draw_id: int) -> ResponseReturnValue:
    campaign, org = drawing_scope(current_user, campaign_id)
    draw = require_own_draw(campaign, org, draw_id)
    try:
        draw = apply_draw(current_user, draw.id)
    except Conflict as exc:
        return refuse(exc, page_url(campaign.id, "draw"), category="danger")
    flash(
        _(
            "The draw is applied: %(n)s nominations go to the spot check, the others become "
            "candidates for commendation.",
            n=len(draw.sample or []),
        ),
        "success",
    )
    return redirect(page_url(campaign.id, "checks"), code=303)


@bp.post("/campaigns/<int:campaign_id>/spot-checks/draws/<int:draw_id>/redraw")
@login_required
def manage_redraw(campaign_id: int, draw_id: int) -> ResponseReturnValue:
    campaign, org = drawing_scope(current_user, campaign_id)
    draw = require_own_draw(campaign, org, draw_id)
    form = RedrawForm(prefix="redraw")
    if form.validate_on_submit():
        try:
            new = redraw(
                current_user,
                draw.id,
                reason=form.reason.data,
                method=form.method.data,
                value=form.value.data or "",
                seed=form.seed.data,
            )
        except Invalid as exc:
            db.session.rollback()
            flash_refusal(exc, *apply_errors(form, exc.errors))
        except Conflict as exc:
            return refuse(exc, page_url(campaign.id, "draw"), category="danger")
        else:
            flash(
                _(
                    "Draw No. %(new)s announced in place of No. %(old)s, which is kept in the "
                    "record with your reason.",
                    new=new.id,
                    old=draw.id,
                ),
                "success",
            )
            return redirect(page_url(campaign.id, "draw"), code=303)
    else:
        flash(_("The draw was not redone; please correct the form."), "danger")
    return render(campaign, org, forms={"redraw": form}, status=422)


# -- the draw's record -----------------------------------------------------------------------


@bp.get("/campaigns/<int:campaign_id>/spot-checks/draws/<int:draw_id>.csv")
@login_required
def manage_draw_csv(campaign_id: int, draw_id: int) -> ResponseReturnValue:
    """The draw record: every nomination of the population, its district, and whether drawn."""
    campaign, org = drawing_scope(current_user, campaign_id)
    draw = require_own_draw(campaign, org, draw_id)
    if draw.population is None:
        raise Conflict(_("This draw has not been made yet: there is no population to export."))
    names = district_names(org)
    units = unit_names([e["nomination_id"] for e in draw.population])
    sample = set(draw.sample or [])
    header = [
        _("Draw No."),
        _("District code"),
        _("District"),
        _("Nomination No."),
        _("Unit"),
        _("Drawn"),
    ]
    yes = _("Yes")
    return csv_response(
        f"draw-{draw.id}.csv",
        header,
        (
            [
                draw.id,
                e["stratum"],
                names.get(e["stratum"], ""),
                e["nomination_id"],
                units.get(e["nomination_id"], ""),
                yes if e["nomination_id"] in sample else "",
            ]
            for e in draw.population
        ),
    )
