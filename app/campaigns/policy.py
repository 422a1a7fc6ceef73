"""Who may do what with campaigns.

- **Seeing**: a campaign organised at or above one of the user's organisations; one still
  being prepared only by the users at the organiser itself (a WHERE clause:
  `visible_campaign_clause`). A campaign the user may not see is "not found".
- **Managing**: the city federation sets campaigns up (`organizer_for`), and only the one
  that organises a campaign changes it (`may_manage`).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select

from app.auth.models import Role, User
from app.auth.scope import role_orgs
from app.campaigns.models import Campaign, CampaignStatus
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.orgs.models import Organization, OrgClosure

# -- seeing -------------------------------------------------------------------------------


def visible_campaign_clause(user: User) -> ColumnElement[bool]:
    """WHERE clause: campaigns organised at or above one of the user's organisations, less
    those in preparation elsewhere than at the user's own organisations."""
    orgs = set().union(*role_orgs(user).values())
    above = select(OrgClosure.ancestor_id).where(OrgClosure.descendant_id.in_(orgs))
    return Campaign.organizer_id.in_(above) & (
        (Campaign.status != CampaignStatus.DRAFT) | Campaign.organizer_id.in_(orgs)
    )


def not_found() -> NotFound:
    """The refusal for a campaign that does not exist or that the user may not see."""
    return NotFound(_("The campaign does not exist, or you may not see it."))


# -- managing -----------------------------------------------------------------------------


def managed_by(user: User) -> set[int]:
    """The city federations at which the user holds the city role."""
    return role_orgs(user, [Role.CITY]).get(Role.CITY, set())


def may_create_campaigns(user: User) -> bool:
    return bool(managed_by(user))


def organizer_for(user: User) -> Organization:
    """The city federation that organises the campaigns this user sets up; Forbidden for
    anyone who holds no city role."""
    orgs = sorted(managed_by(user))
    if not orgs:
        raise Forbidden(_("Only the city federation manages campaigns."))
    organizer = db.session.get(Organization, orgs[0])
    assert organizer is not None
    return organizer


def may_manage(user: User, campaign: Campaign) -> bool:
    """Whether the user is at the city federation that organises `campaign`."""
    return campaign.organizer_id in managed_by(user)


def require_manage(user: User, campaign: Campaign) -> None:
    if not may_manage(user, campaign):
        raise Forbidden(_("Only the organising city federation may change this campaign."))
