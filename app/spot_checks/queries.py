"""Read-only lookups: a campaign by id, the checks a drawing organisation manages, and the
teams of many checks at once (so a list costs a fixed number of queries, never one per
check)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import Role, User
from app.auth.scope import role_orgs
from app.campaigns.models import Campaign
from app.errors import NotFound
from app.extensions import db
from app.nominations.models import Nomination
from app.orgs.models import Organization
from app.spot_checks.models import SpotCheck, SpotCheckAssignment, SpotCheckDraw


def find_campaign(campaign_id: int) -> Campaign:
    """The campaign a draw is for (404 for an unknown id)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(_("The campaign does not exist."))
    return campaign


def managed_checks(user: User) -> list[tuple[SpotCheck, Nomination]]:
    """Checks of the draws the user's organisation runs, open ones first (one query).

    Same rule as `policy.drawing_org`: the city's CITY role for a city-level draw, the
    district REVIEWER when the campaign has each district draw.
    """
    orgs = role_orgs(user, [Role.CITY, Role.REVIEWER])
    clauses = []
    if orgs.get(Role.CITY):
        clauses.append(
            and_(
                Campaign.draw_level != "district",
                SpotCheckDraw.scope_org_id == min(orgs[Role.CITY]),
            )
        )
    if orgs.get(Role.REVIEWER):
        clauses.append(
            and_(
                Campaign.draw_level == "district",
                SpotCheckDraw.scope_org_id == min(orgs[Role.REVIEWER]),
            )
        )
    if not clauses:
        return []
    rows = db.session.execute(
        select(SpotCheck, Nomination)
        .join(SpotCheckDraw, SpotCheckDraw.id == SpotCheck.draw_id)
        .join(Nomination, Nomination.id == SpotCheck.nomination_id)
        .join(Campaign, Campaign.id == Nomination.campaign_id)
        .join(Organization, Organization.id == Nomination.org_id)
        .options(contains_eager(Nomination.campaign), contains_eager(Nomination.org))
        .where(or_(*clauses))
        .order_by((Nomination.status != "spot_check"), SpotCheck.id.desc())
    ).all()
    return [(c, n) for c, n in rows]


def teams(check_ids: Iterable[int]) -> dict[int, list[SpotCheckAssignment]]:
    """The assigned inspectors of each check, in assignment order (one query)."""
    ids = list(check_ids)
    result: dict[int, list[SpotCheckAssignment]] = {i: [] for i in ids}
    if not ids:
        return result
    for assignment in db.session.scalars(
        select(SpotCheckAssignment)
        .where(SpotCheckAssignment.spot_check_id.in_(ids))
        .options(joinedload(SpotCheckAssignment.inspector))
        .order_by(SpotCheckAssignment.id)
    ):
        result[assignment.spot_check_id].append(assignment)
    return result


def load_team(check: SpotCheck) -> list[SpotCheckAssignment]:
    """The check's assignments with their inspectors (one query), set as its team so that
    reading `check.assignments` afterwards costs nothing."""
    team = teams([check.id])[check.id]
    set_committed_value(check, "assignments", team)
    return team
