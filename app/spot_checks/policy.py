"""Who may do what in the spot check (随机抽查)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.models import Role, User
from app.auth.scope import ancestor_ids, role_orgs
from app.campaigns.models import Campaign
from app.errors import Forbidden
from app.extensions import db
from app.orgs.models import Organization


def drawing_org(user: User, campaign: Campaign) -> Organization:
    """The organisation this user draws for: the city, or a district when the campaign says.

    Refused for anyone else, with who draws in this campaign."""
    if campaign.draw_level == "district":
        orgs = role_orgs(user, [Role.REVIEWER]).get(Role.REVIEWER, set())
        message = _("In this campaign the district federations' reviewers hold the draw.")
    else:
        orgs = role_orgs(user, [Role.CITY]).get(Role.CITY, set())
        message = _("In this campaign the city federation holds the draw.")
    # Only an organisation within the campaign's federation draws for it.
    orgs = {o for o in orgs if campaign.organizer_id in ancestor_ids(o)}
    if not orgs:
        raise Forbidden(message)
    org = db.session.get(Organization, min(orgs))
    assert org is not None
    return org


def may_draw(user: User, campaign: Campaign) -> bool:
    """Whether the user runs the draw of this campaign (the campaign page shows the link)."""
    try:
        drawing_org(user, campaign)
    except Forbidden:
        return False
    return True
