"""Who may do what in the commendation (表彰)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.models import User
from app.campaigns.models import Campaign
from app.campaigns.policy import may_manage as can_manage
from app.errors import Forbidden


def is_city_for(user: User, campaign: Campaign) -> bool:
    """Whether the user is the organising city federation (the one who manages the campaign)."""
    return can_manage(user, campaign)


def require_city(user: User, campaign: Campaign) -> None:
    if not is_city_for(user, campaign):
        raise Forbidden(
            _("Only the city federation that runs this campaign handles its commendation.")
        )
