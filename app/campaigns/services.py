"""Reading campaigns as a user may see them."""

from __future__ import annotations

from sqlalchemy import Select, select

from app.auth.models import User
from app.auth.scope import role_orgs
from app.campaigns.models import Campaign, CampaignStatus
from app.errors import NotFound
from app.extensions import db
from app.orgs.models import OrgClosure


def visible_campaigns(user: User) -> Select:
    """Campaigns organised at or above one of the user's organisations.

    Campaigns still being prepared are shown only to users at the organiser itself.
    """
    orgs = set().union(*role_orgs(user).values())
    above = select(OrgClosure.ancestor_id).where(OrgClosure.descendant_id.in_(orgs))
    return (
        select(Campaign)
        .where(Campaign.organizer_id.in_(above))
        .where((Campaign.status != CampaignStatus.DRAFT) | Campaign.organizer_id.in_(orgs))
        .order_by(Campaign.year.desc(), Campaign.id.desc())
    )


def get_campaign(user: User, campaign_id: int) -> Campaign:
    campaign = db.session.scalar(visible_campaigns(user).where(Campaign.id == campaign_id))
    if campaign is None:
        raise NotFound("评选活动不存在或您无权查看。")
    return campaign
