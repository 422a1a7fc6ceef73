"""What the spot check tells people besides its state changes (those are the engine's
events): an inspector put on a check's team is told which unit, where it is and whom to
call (`app.notifications.events`, registered by the plugin)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.nominations.models import Nomination
from app.notifications.events import Notice
from app.orgs.models import Organization
from app.spot_checks.models import SpotCheck, SpotCheckAssignment


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
            body=f"地址：{address or '未登记'}；联系电话：{phone or '未登记'}",
        )
    ]
