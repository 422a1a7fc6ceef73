"""What the commendation's services read alike: the campaign by its id, and the district
(or industry union) a home lies under, as a join."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.campaigns.models import Campaign
from app.errors import NotFound
from app.extensions import db
from app.orgs.models import Organization, OrgClosure


def get_campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(_("The campaign does not exist."))
    return campaign


def district_of() -> tuple[Any, Any]:
    """An aliased organisation and closure row, to join a nomination's district through
    (`district.level` in `DISTRICT_LEVELS`, `link.descendant_id` the home's org)."""
    district = db.aliased(Organization)
    link = db.aliased(OrgClosure)
    return district, link
