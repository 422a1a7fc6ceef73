"""Campaign pages: the list, one campaign (calendar, quotas, nomination summary), and the
city federation's create and edit forms."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.campaigns import bp, policy
from app.campaigns.forms import CampaignForm, campaign_form
from app.campaigns.links import links_for
from app.campaigns.models import (
    AWARD_LABELS,
    LEVEL_LABELS,
    STATUS_LABELS,
    AwardType,
    Campaign,
    CampaignLevel,
    CampaignStatus,
)
from app.campaigns.services import (
    EVALUATION_RULES,
    STAGE_ORDER,
    CampaignData,
    create_campaign,
    deadline_field,
    get_campaign,
    nomination_summary,
    quota_districts,
    quota_field,
    update_campaign,
    visible_campaigns,
)
from app.errors import DomainError
from app.extensions import db
from app.orgs.models import Organization
from app.standards.services import standard_versions
from app.timeutil import beijing_today
from app.web.errors import flash_refusal
from app.web.forms import apply_errors
from app.web.templating import label


@bp.get("/")
@login_required
def list_campaigns() -> ResponseReturnValue:
    campaigns = db.session.scalars(visible_campaigns(current_user)).all()
    return render_template(
        "campaigns/list.html",
        campaigns=campaigns,
        can_create=policy.may_create_campaigns(current_user),
    )


@bp.get("/<int:campaign_id>")
@login_required
def detail(campaign_id: int) -> ResponseReturnValue:
    campaign = get_campaign(current_user, campaign_id)
    return render_template(
        "campaigns/detail.html",
        campaign=campaign,
        summary=nomination_summary(current_user, campaign),
        can_edit=policy.may_manage(current_user, campaign),
        links=links_for(current_user, campaign),
    )


def _choices(form: CampaignForm) -> None:
    form.level.choices = [(v.value, label(LEVEL_LABELS[v])) for v in CampaignLevel]
    form.status.choices = [(v.value, label(STATUS_LABELS[v])) for v in CampaignStatus]
    form.award_types.choices = [(v.value, label(AWARD_LABELS[v])) for v in AwardType]
    form.standard_version_id.choices = [(v.id, v.label) for v in standard_versions()]
    form.evaluation_rule.choices = list(EVALUATION_RULES.items())


def _data(form: CampaignForm, districts: list[Organization]) -> CampaignData:
    return CampaignData(
        name=form.name.data or "",
        year=form.year.data,
        level=form.level.data,
        award_types=list(form.award_types.data or []),
        status=form.status.data,
        deadlines={stage: form[deadline_field(stage)].data for stage in STAGE_ORDER},
        quotas={d.id: form[quota_field(d.id)].data for d in districts},
        standard_version_id=form.standard_version_id.data,
        evaluation_rule=form.evaluation_rule.data,
        evaluation_min_turnout=form.evaluation_min_turnout.data,
        review_working_days=form.review_working_days.data,
        publicity_working_days=form.publicity_working_days.data or 0,
    )


def _initial(campaign: Campaign, districts: list[Organization]) -> dict[str, Any]:
    quotas = {q.district_id: q.quota for q in campaign.quotas}
    data = {
        "name": campaign.name,
        "year": campaign.year,
        "level": campaign.level.value,
        "status": campaign.status.value,
        "award_types": list(campaign.award_types),
        "standard_version_id": campaign.standard_version_id,
        "evaluation_rule": campaign.evaluation_rule,
        "evaluation_min_turnout": campaign.evaluation_min_turnout,
        "review_working_days": campaign.review_working_days,
        "publicity_working_days": campaign.publicity_working_days,
    }
    data.update({deadline_field(s): campaign.due_date(s) for s in STAGE_ORDER})
    data.update({quota_field(d.id): quotas.get(d.id, 0) for d in districts})
    return data


def _show_errors(form: CampaignForm, exc: DomainError) -> None:
    db.session.rollback()
    flash_refusal(exc, *apply_errors(form, exc.errors), category="danger")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    organizer = policy.organizer_for(current_user)
    districts = quota_districts(organizer.id)
    form = campaign_form(
        districts,
        data={
            "year": beijing_today().year,
            "level": CampaignLevel.CITY.value,
            "status": CampaignStatus.DRAFT.value,
            "award_types": [a.value for a in AwardType],
            "standard_version_id": next((v.id for v in standard_versions()), None),
            "evaluation_rule": "satisfied_or_basic",
        }
        if request.method == "GET"
        else None,
    )
    _choices(form)
    status = 200
    if form.validate_on_submit():
        try:
            campaign = create_campaign(current_user, _data(form, districts))
        except DomainError as exc:
            _show_errors(form, exc)
            status = exc.status
        else:
            flash(_("Campaign created."), "success")
            return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    elif request.method == "POST":
        status = 422
    return render_template(
        "campaigns/form.html", form=form, campaign=None, organizer=organizer
    ), status


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@login_required
def edit(campaign_id: int) -> ResponseReturnValue:
    campaign = get_campaign(current_user, campaign_id)
    # The form is for the organiser only (`update_campaign` refuses anyone else's post).
    policy.require_manage(current_user, campaign)
    districts = quota_districts(campaign.organizer_id)
    form = campaign_form(
        districts, data=_initial(campaign, districts) if request.method == "GET" else None
    )
    _choices(form)
    status = 200
    if form.validate_on_submit():
        try:
            update_campaign(current_user, campaign.id, _data(form, districts))
        except DomainError as exc:
            _show_errors(form, exc)
            status = exc.status
            campaign = get_campaign(current_user, campaign_id)
        else:
            flash(_("Campaign saved."), "success")
            return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    elif request.method == "POST":
        status = 422
    return render_template(
        "campaigns/form.html", form=form, campaign=campaign, organizer=campaign.organizer
    ), status
