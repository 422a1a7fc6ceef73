"""Campaigns as the caller may see them."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy.orm import selectinload

from app.api.security import ApiBlueprint
from app.auth.session import api_user
from app.campaigns.models import Campaign, CampaignQuota
from app.campaigns.schemas import CampaignSchema
from app.campaigns.services import visible_campaigns
from app.extensions import db

blp = ApiBlueprint(
    "api_campaigns",
    __name__,
    url_prefix="/api/v1",
    description="Nomination campaigns: award types, calendar, district quotas.",
)


@blp.route("/campaigns")
class Campaigns(MethodView):
    @blp.token_required
    @blp.response(200, CampaignSchema(many=True))
    def get(self) -> list[Campaign]:
        """Campaigns the caller may see, newest first."""
        stmt = visible_campaigns(api_user()).options(
            selectinload(Campaign.deadlines),
            selectinload(Campaign.quotas).joinedload(CampaignQuota.district),
        )
        return list(db.session.scalars(stmt))
