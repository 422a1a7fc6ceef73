"""Campaign pages: the list and one campaign's calendar and quotas."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.auth.scope import visible_org_clause
from app.campaigns import bp
from app.campaigns.services import get_campaign, visible_campaigns
from app.extensions import db
from app.nominations.models import Nomination


@bp.get("/")
@login_required
def list_campaigns():  # type: ignore[no-untyped-def]
    campaigns = db.session.scalars(visible_campaigns(current_user)).all()
    return render_template("campaigns/list.html", campaigns=campaigns)


@bp.get("/<int:campaign_id>")
@login_required
def detail(campaign_id: int):  # type: ignore[no-untyped-def]
    campaign = get_campaign(current_user, campaign_id)
    counts = dict(db.session.execute(
        select(Nomination.status, func.count())
        .where(Nomination.campaign_id == campaign.id,
               visible_org_clause(current_user, Nomination.org_id))
        .group_by(Nomination.status)).all())
    return render_template("campaigns/detail.html", campaign=campaign, counts=counts)
