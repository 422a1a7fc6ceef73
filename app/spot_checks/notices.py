"""What the spot check tells people besides its state changes (those are the engine's
events), registered by the plugin (`app.notifications.events`): an inspector put on a
check's team is told which unit, where it is and whom to call; a conclusion proposed asks
the inspectors who have not agreed yet; a rectification handed in tells the check's
team, who accept it."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.nominations.models import Nomination
from app.notifications.events import (
    Notice,
    district_orgs,
    english_title,
    occasion_key,
    people_holding,
)
from app.orgs.models import Organization
from app.spot_checks.models import SpotCheck, SpotCheckAssignment
from app.timeutil import utcnow


def assignment_notices(assignment: SpotCheckAssignment) -> list[Notice]:
    """The inspector's notice of a new assignment, with the unit's address and contact."""
    row = db.session.execute(
        select(
            SpotCheck.nomination_id,
            Organization.name,
            Organization.address,
            Organization.contact_phone,
        )
        .join(Nomination, Nomination.id == SpotCheck.nomination_id)
        .join(Organization, Organization.id == Nomination.org_id)
        .where(SpotCheck.id == assignment.spot_check_id)
    ).first()
    if row is None:
        return []
    nomination_id, unit, address, phone = row
    return [
        Notice(
            user_ids=(assignment.inspector_id,),
            nomination_id=nomination_id,
            occasion="assigned",
            key=assignment.id,
            action="assigned",
            title=f"【抽查任务】您已被安排实地检查{unit}",
            title_en=english_title("assigned", unit),
            body=f"地址：{address or '未登记'}；联系电话：{phone or '未登记'}",
        )
    ]


def _unit(check: SpotCheck) -> tuple[int, str, int] | None:
    row = db.session.execute(
        select(Nomination.id, Organization.name, Nomination.org_id)
        .join(Organization, Organization.id == Nomination.org_id)
        .where(Nomination.id == check.nomination_id)
    ).first()
    return (row[0], row[1], row[2]) if row else None


def conclusion_notices(check: SpotCheck) -> list[Notice]:
    """A conclusion proposed: the inspectors who have not agreed yet are asked to."""
    unit = _unit(check)
    others = tuple(
        db.session.scalars(
            select(SpotCheckAssignment.inspector_id).where(
                SpotCheckAssignment.spot_check_id == check.id,
                SpotCheckAssignment.agreed_at.is_(None),
            )
        )
    )
    if unit is None or not others:
        return []
    nomination_id, name, _org = unit
    return [
        Notice(
            user_ids=others,
            nomination_id=nomination_id,
            occasion="conclusion",
            key=occasion_key(utcnow()),
            action="conclusion_proposed",
            title=f"【抽查结论】{name}的检查结论已提出，请确认",
            title_en=english_title("conclusion_proposed", name),
        )
    ]


def rectification_notices(check: SpotCheck) -> list[Notice]:
    """A rectification handed in: the team, who accept it (the district's reviewers when
    the check has no team)."""
    unit = _unit(check)
    if unit is None:
        return []
    nomination_id, name, org_id = unit
    team = set(
        db.session.scalars(
            select(SpotCheckAssignment.inspector_id).where(
                SpotCheckAssignment.spot_check_id == check.id
            )
        )
    )
    told = team or set(people_holding(Role.REVIEWER, district_orgs(org_id)))
    if not told:
        return []
    return [
        Notice(
            user_ids=tuple(sorted(told)),
            nomination_id=nomination_id,
            occasion="rectified",
            key=occasion_key(utcnow()),
            action="rectification_submitted",
            title=f"【整改材料】{name}已提交整改材料，请验收",
            title_en=english_title("rectification_submitted", name),
        )
    ]
