"""Who may do what in the spot check (随机抽查).

- The draw and the teams: the organisation that draws for the campaign (the city
  federation, or each district's reviewer when the campaign draws by district). A check
  outside the draws it runs is "not found" to it.
- The log and the conclusion: the assigned inspectors, while the check is open.
- The rectification: the inspected union answers; the assigned inspectors or the district
  reviewer (as the campaign sets) accept or reject.
- Reading: whoever may see the nomination, except the union before the conclusion is out.

`may_*` answer for the pages and the API (what to offer); `require_*` refuse for the
services.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.models import Role, User
from app.auth.scope import ancestor_ids, holds_role_over, role_orgs
from app.campaigns.models import Campaign
from app.campaigns.services import get_campaign
from app.errors import Conflict, Forbidden, NotFound
from app.extensions import db
from app.nominations.models import Nomination
from app.orgs.models import Organization
from app.spot_checks.models import SpotCheck, SpotCheckDraw
from app.spot_checks.queries import find_campaign

# -- the draw and the teams ---------------------------------------------------------------


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


def require_drawer(user: User, draw: SpotCheckDraw) -> Campaign:
    """The draw's campaign, for the organisation that made the draw; refused for anyone else."""
    campaign = find_campaign(draw.campaign_id)
    if drawing_org(user, campaign).id != draw.scope_org_id:
        raise Forbidden(_("You may not act on this draw."))
    return campaign


def check_not_found() -> NotFound:
    """The refusal for a check the user may not see: the same as for one that does not exist."""
    return NotFound(_("The spot check does not exist, or you may not see it."))


def require_check_manager(user: User, check: SpotCheck) -> Campaign:
    """The campaign of a check the user's organisation drew; to anyone else the check is
    not found (not theirs to see or change)."""
    try:
        return require_drawer(user, check.draw)
    except (Forbidden, NotFound):
        raise check_not_found() from None


def may_manage_check(user: User, check: SpotCheck) -> bool:
    """Whether the user's organisation drew this check (and so sets its team)."""
    try:
        require_check_manager(user, check)
    except NotFound:
        return False
    return True


def drawing_scope(user: User, campaign_id: int) -> tuple[Campaign, Organization]:
    """The campaign (404 outside the user's view) and the organisation the user draws for
    (403 for anyone who does not run this campaign's draw): the management page's scope."""
    campaign = get_campaign(user, campaign_id)
    return campaign, drawing_org(user, campaign)


def _is_own(campaign: Campaign, org: Organization, draw: SpotCheckDraw) -> bool:
    return draw.campaign_id == campaign.id and draw.scope_org_id == org.id


def require_own_draw(campaign: Campaign, org: Organization, draw_id: int) -> SpotCheckDraw:
    """A draw the organisation made for this campaign; any other is not found."""
    draw = db.session.get(SpotCheckDraw, draw_id)
    if draw is None or not _is_own(campaign, org, draw):
        raise NotFound(_("Not found, or you are not allowed to see it."))
    return draw


def require_own_check(campaign: Campaign, org: Organization, check_id: int) -> SpotCheck:
    """A check of a draw the organisation made for this campaign; any other is not found."""
    check = db.session.get(SpotCheck, check_id)
    if check is None or not _is_own(campaign, org, check.draw):
        raise NotFound(_("Not found, or you are not allowed to see it."))
    return check


# -- the people of one check --------------------------------------------------------------


def is_inspector(user: User) -> bool:
    """Whether the user is an inspector anywhere (their empty list of checks says why)."""
    return bool(role_orgs(user, [Role.INSPECTOR]))


def is_assigned(user: User, check: SpotCheck) -> bool:
    """Whether the user is on the check's team."""
    return any(a.inspector_id == user.id for a in check.assignments)


def is_union_of(user: User, nomination: Nomination) -> bool:
    """Whether the user holds the union role over the inspected union."""
    return holds_role_over(user, Role.UNION, ancestor_ids(nomination.org_id))


def _holds_other_role(user: User, nomination: Nomination) -> bool:
    above = ancestor_ids(nomination.org_id)
    return any(holds_role_over(user, r, above) for r in (Role.REVIEWER, Role.CITY, Role.ADMIN))


def may_read_log(user: User, check: SpotCheck, nomination: Nomination) -> bool:
    """Whether a user who may see the nomination may read its check (the check's page and
    the nomination's card): the union only once the conclusion is out, unless it is also on
    the team or holds a higher role over the nomination."""
    if check.concluded_at is not None or not role_orgs(user, [Role.UNION]):
        return True  # (no query for a user without the union role)
    return (
        is_assigned(user, check)
        or not is_union_of(user, nomination)
        or _holds_other_role(user, nomination)
    )


def require_log_reader(user: User, check: SpotCheck, nomination: Nomination) -> None:
    if not may_read_log(user, check, nomination):
        raise check_not_found()


# -- the log and the conclusion -----------------------------------------------------------


def may_keep_log(user: User, check: SpotCheck, nomination: Nomination) -> bool:
    """An assigned inspector, while the check is open."""
    return is_assigned(user, check) and nomination.status == "spot_check"


def require_log_keeper(user: User, check: SpotCheck, nomination: Nomination) -> None:
    """Only an assigned inspector keeps the log, and only while the check is open."""
    if not is_assigned(user, check):
        raise Forbidden(_("Only the assigned inspectors keep the check's log."))
    if nomination.status != "spot_check":
        raise Conflict(_("The conclusion has taken effect: the log can no longer change."))


def may_agree(user: User, check: SpotCheck, nomination: Nomination) -> bool:
    """A log keeper who has not yet agreed to the proposed conclusion."""
    mine = next((a for a in check.assignments if a.inspector_id == user.id), None)
    return (
        nomination.status == "spot_check"
        and check.conclusion is not None
        and mine is not None
        and mine.agreed_at is None
    )


# -- the rectification --------------------------------------------------------------------


def may_answer_rectification(user: User, check: SpotCheck, nomination: Nomination) -> bool:
    """The inspected union, while the rectification is open and not handed in."""
    return (
        nomination.status == "rectification"
        and check.rectification_submitted_at is None
        and bool(role_orgs(user, [Role.UNION]))  # (no query for a user without the role)
        and is_union_of(user, nomination)
    )


def require_rectifier(user: User, check: SpotCheck, nomination: Nomination) -> None:
    """Only the inspected union answers, while the rectification is open and not handed in."""
    if not is_union_of(user, nomination):
        raise Forbidden(_("Only the inspected union answers the rectification."))
    if nomination.status != "rectification":
        raise Conflict(_("The nomination is not in rectification."))
    if check.rectification_submitted_at is not None:
        raise Conflict(_("The rectification has been handed in and awaits acceptance."))


def _decides(user: User, check: SpotCheck, nomination: Nomination) -> bool:
    if nomination.campaign.rectification_reviewer == "reviewer":
        return holds_role_over(user, Role.REVIEWER, ancestor_ids(nomination.org_id))
    return is_assigned(user, check)


def may_decide_rectification(user: User, check: SpotCheck, nomination: Nomination) -> bool:
    """The assigned inspectors or the district reviewer (as the campaign sets), while the
    nomination is in rectification."""
    return nomination.status == "rectification" and _decides(user, check, nomination)


def require_decider(user: User, check: SpotCheck, nomination: Nomination) -> None:
    """Refused for anyone but who accepts rectifications in this campaign, and while the
    nomination is not in rectification."""
    if not _decides(user, check, nomination):
        if nomination.campaign.rectification_reviewer == "reviewer":
            raise Forbidden(
                _("In this campaign the district federation's reviewer accepts the rectification.")
            )
        raise Forbidden(_("In this campaign the assigned inspectors accept the rectification."))
    if nomination.status != "rectification":
        raise Conflict(_("The nomination is not in rectification."))
