"""What the commendation tells people besides its state changes: an objection lodged
against a candidate on the 公示 list tells the campaign's organiser (the city's 市总工会
users), without anything of the objector; one not upheld tells the union concerned
(`app.notifications.events`)."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import Role, RoleAssignment, User
from app.campaigns.models import Campaign
from app.commendation.models import Objection, ObjectionStatus
from app.extensions import db
from app.nominations.models import Nomination
from app.notifications.events import Notice, english_title, people_holding, union_orgs
from app.orgs.models import Organization


def objection_notices(objection: Objection) -> list[Notice]:
    row = db.session.execute(
        select(Campaign.organizer_id, Organization.name)
        .select_from(Nomination)
        .join(Campaign, Campaign.id == Nomination.campaign_id)
        .join(Organization, Organization.id == Nomination.org_id)
        .where(Nomination.id == objection.nomination_id)
    ).first()
    if row is None:
        return []
    organizer_id, unit = row
    city = tuple(
        db.session.scalars(
            select(RoleAssignment.user_id)
            .join(User, User.id == RoleAssignment.user_id)
            .where(
                RoleAssignment.role == Role.CITY,
                RoleAssignment.org_id == organizer_id,
                User.is_active_flag.is_(True),
            )
            .distinct()
        )
    )
    if not city:
        return []
    return [
        Notice(
            user_ids=city,
            nomination_id=objection.nomination_id,
            occasion="objection",
            key=objection.id,
            action="objection",
            title=f"【公示异议】{unit}的公示收到一份异议，请核实答复",
            title_en=english_title("objection", unit),
        )
    ]


def dismissed_notices(objection: Objection) -> list[Notice]:
    """An objection not upheld: the union concerned learns it, not who objected or why
    (upheld ones are state changes, told by the engine with the city's answer)."""
    if objection.status != ObjectionStatus.DISMISSED:
        return []
    row = db.session.execute(
        select(Nomination.org_id, Organization.name)
        .join(Organization, Organization.id == Nomination.org_id)
        .where(Nomination.id == objection.nomination_id)
    ).first()
    if row is None:
        return []
    org_id, unit = row
    union = tuple(people_holding(Role.UNION, union_orgs(org_id)))
    if not union:
        return []
    return [
        Notice(
            user_ids=union,
            nomination_id=objection.nomination_id,
            occasion="objection_dismissed",
            key=objection.id,
            action="objection_dismissed",
            title=f"【公示异议】针对{unit}的一份异议经核实不成立",
            title_en=english_title("objection_dismissed", unit),
        )
    ]
