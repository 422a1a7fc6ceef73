"""Nomination pages: the list (filters, export), a new nomination, one nomination, actions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.scope import visible_org_clause
from app.campaigns.models import AWARD_LABELS
from app.campaigns.services import visible_campaigns
from app.errors import DomainError
from app.extensions import db
from app.nominations import bp, policy
from app.nominations.forms import ActionForm, FilterForm, NewNominationForm
from app.nominations.page import render_detail
from app.nominations.services import (
    NominationFilters,
    create_nomination,
    fileable_orgs,
    get_nomination,
    open_campaigns_for,
    take_action,
    visible_nominations,
)
from app.orgs.models import DISTRICT_LEVELS, Organization
from app.timeutil import format_beijing
from app.web.downloads import csv_response
from app.web.errors import flash_refusal
from app.web.forms import apply_errors, page_number
from app.web.templating import label
from workflows.nomination import ACTIONS, STATE_LABELS, STATES


def _filter_form() -> FilterForm:
    form = FilterForm(request.args)
    # Only campaigns the user may see: another organiser's campaign in preparation is private.
    campaigns = db.session.scalars(visible_campaigns(current_user)).all()
    form.campaign_id.choices = [("", _("All campaigns"))] + [(c.id, c.name) for c in campaigns]
    form.state.choices = [("", _("All states"))] + [(s["name"], label(s["label"])) for s in STATES]
    districts = db.session.scalars(
        select(Organization)
        .where(
            Organization.level.in_(DISTRICT_LEVELS),
            visible_org_clause(current_user, Organization.id.expression),
        )
        .order_by(Organization.code)
    ).all()
    form.district_id.choices = [("", _("All districts"))] + [(d.id, d.name) for d in districts]
    return form


def _filters(form: FilterForm) -> NominationFilters:
    form.validate()
    state = form.state.data if form.state.data in STATE_LABELS else None
    return NominationFilters(
        campaign_id=form.campaign_id.data or None,
        state=state,
        district_id=form.district_id.data or None,
        q=(form.q.data or "").strip() or None,
    )


@bp.get("/")
@login_required
def list_nominations() -> ResponseReturnValue:
    form = _filter_form()
    stmt = visible_nominations(current_user, _filters(form))
    page = db.paginate(stmt, page=page_number(), per_page=50, error_out=False, count=True)
    return render_template(
        "nominations/list.html",
        form=form,
        page=page,
        args={k: v for k, v in request.args.items() if k != "page"},
        may_nominate=policy.may_nominate(current_user),
    )


@bp.get("/export.csv")
@login_required
def export_nominations() -> ResponseReturnValue:
    form = _filter_form()
    rows = db.session.scalars(visible_nominations(current_user, _filters(form)).limit(100_000))
    header = [
        "编号",
        "评选活动",
        "申报单位",
        "组织编码",
        "申报类型",
        "被推荐人",
        "状态",
        "提交时间（北京时间）",
        "最后更新（北京时间）",
    ]
    return csv_response(
        "nominations.csv",
        header,
        (
            [
                n.id,
                n.campaign.name,
                n.org.name,
                n.org.code,
                n.award_label,
                n.nominee_name,
                n.state_label,
                format_beijing(n.submitted_at),
                format_beijing(n.updated_at),
            ]
            for n in rows
        ),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    if not policy.may_nominate(current_user):
        abort(403)
    form = NewNominationForm()
    campaigns = open_campaigns_for(current_user)
    form.campaign_id.choices = [(c.id, c.name) for c in campaigns]
    form.award_type.choices = [(k.value, label(v)) for k, v in AWARD_LABELS.items()]
    orgs = fileable_orgs(current_user)
    form.org_code.choices = [(o.code, f"{o.name}（{label(o.level_label)}）") for o in orgs]
    status = 200
    if form.validate_on_submit():
        try:
            nomination = create_nomination(
                current_user,
                campaign_id=form.campaign_id.data,
                award_type=form.award_type.data,
                org_code=form.org_code.data,
                nominee_name=form.nominee_name.data,
            )
        except DomainError as exc:
            apply_errors(form, exc.errors)
            flash_refusal(exc, category="danger")
            status = exc.status
        else:
            flash(_("Nomination created as a draft."), "success")
            return redirect(url_for("nominations.detail", nomination_id=nomination.id))
    elif request.method == "POST":
        status = 422
    return render_template("nominations/new.html", form=form, campaigns=campaigns), status


@bp.get("/<int:nomination_id>")
@login_required
def detail(nomination_id: int) -> ResponseReturnValue:
    return render_detail(get_nomination(current_user, nomination_id))


@bp.post("/<int:nomination_id>/actions")
@login_required
def act(nomination_id: int) -> ResponseReturnValue:
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("The form was incomplete; please try again."), "danger")
        return render_detail(get_nomination(current_user, nomination_id), status=422)
    name = form.action.data or ""
    action = ACTIONS.get(name)
    try:
        # The service reads the nomination within the user's scope (a 404 otherwise).
        take_action(
            current_user,
            nomination_id,
            name,
            comment=form.comment.data,
            version=form.version.data,
        )
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        for message in exc.errors.get("comment", []):
            form.comment.errors = list(form.comment.errors) + [message]
        flash_refusal(exc, category="danger")
        return render_detail(
            get_nomination(current_user, nomination_id), form=form, status=exc.status
        )
    flash(
        _("Done: %(action)s.", action=label(action.label) if action else name),
        "success",
    )
    return redirect(url_for("nominations.detail", nomination_id=nomination_id))
