"""Who may do what in the commendation (表彰).

The organising city federation runs it: the decision board, the published lists, the
answers to objections, the commendation and the management of the honours it conferred.
The union of a home ordered to rectify answers the order. Anyone sees a list once it has
gone up and may object to a candidate on it while it is up.

Services call `require_*`; views and the card call `may_*` to decide what to show.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.models import Role, User
from app.auth.scope import ancestor_ids, holds_role_over, role_orgs
from app.campaigns.models import Campaign
from app.campaigns.policy import may_manage as can_manage
from app.commendation.models import Certificate, HonourRectification, Objection, Publicity
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.nominations.models import Nomination
from app.timeutil import beijing_today

# The states in which a home holds its title: commended, or rectifying after it.
TITLE_STATES = ("commended", "honour_rectification")


# -- the organising city ------------------------------------------------------------------


def may_manage(user: User, campaign: Campaign) -> bool:
    """Whether the user is the organising city federation (the one who manages the campaign)."""
    return can_manage(user, campaign)


def require_manage(user: User, campaign: Campaign) -> None:
    if not may_manage(user, campaign):
        raise Forbidden(
            _("Only the city federation that runs this campaign handles its commendation.")
        )


def may_manage_nomination(user: User, nomination: Nomination) -> bool:
    """Whether the user is the organising city of the nomination's campaign."""
    if not role_orgs(user, [Role.CITY]):
        return False  # no query (the campaign) for anyone else
    return may_manage(user, nomination.campaign)


def require_manage_nomination(user: User, nomination: Nomination) -> None:
    require_manage(user, nomination.campaign)


def may_order_rectification(user: User, nomination: Nomination) -> bool:
    """责令整改: the city, of a commended home."""
    return nomination.status == "commended" and may_manage_nomination(user, nomination)


def may_revoke(user: User, nomination: Nomination, certificate: Certificate | None) -> bool:
    """撤销称号: the city, of a home that holds its title and its certificate."""
    return (
        certificate is not None
        and nomination.status in TITLE_STATES
        and may_manage_nomination(user, nomination)
    )


def may_decide_rectification(
    user: User, nomination: Nomination, order: HonourRectification | None
) -> bool:
    """整改合格 / 不合格: the city, on an open order."""
    return (
        order is not None
        and nomination.status == "honour_rectification"
        and may_manage_nomination(user, nomination)
    )


def may_see_objection(user: User, objection: Objection) -> bool:
    """An objection, with its private contact details: the organising city only."""
    campaign = db.session.get(Campaign, objection.publicity.campaign_id)
    return campaign is not None and may_manage(user, campaign)


# -- the union of the home ------------------------------------------------------------------


def may_rectify(user: User, nomination: Nomination) -> bool:
    """Whether the user is the union of the home (or above it), who answers an order."""
    if not role_orgs(user, [Role.UNION]):
        return False  # no query (the home's ancestors) for anyone else
    return holds_role_over(user, Role.UNION, ancestor_ids(nomination.org_id))


def require_rectify(user: User, nomination: Nomination) -> None:
    if not may_rectify(user, nomination):
        raise Forbidden(_("Only the unit's union may fill in its rectification."))


def may_edit_rectification(user: User, nomination: Nomination, order: HonourRectification) -> bool:
    """The union edits its statement and files until it hands them in."""
    return (
        order.submitted_at is None
        and nomination.status == "honour_rectification"
        and may_rectify(user, nomination)
    )


# -- the public -----------------------------------------------------------------------------


def may_see_publicity(user: User | None, publicity: Publicity) -> bool:
    """Anyone, from the list's first day on; the organising city before it too."""
    if publicity.starts_on <= beijing_today():
        return True
    if user is None or not user.is_authenticated:
        return False
    campaign = db.session.get(Campaign, publicity.campaign_id)
    return campaign is not None and may_manage(user, campaign)


def require_see_publicity(user: User | None, publicity: Publicity) -> None:
    """A list not up yet stays invisible (404) but to its city."""
    if not may_see_publicity(user, publicity):
        raise NotFound(_("There is no such publicity list."))


def may_object(publicity: Publicity) -> bool:
    """Objections are accepted while the list is up: its first day to its last (Beijing)."""
    return publicity.starts_on <= beijing_today() <= publicity.ends_on


def may_object_to(status: str) -> bool:
    """A candidate on the list can be objected to while it is still in publicity (not once
    an objection to it has been upheld)."""
    return status == "publicity"
