"""Changing the organisation tree; the closure table is kept in step in the same transaction."""

from __future__ import annotations

from sqlalchemy import insert, literal, select

from app.errors import Invalid, NotFound
from app.extensions import db
from app.orgs.models import (
    ALLOWED_PARENT_LEVELS,
    LEVEL_LABELS,
    OrgCategory,
    OrgClosure,
    Organization,
    OrgLevel,
)


def get_org_by_code(code: str) -> Organization:
    org = db.session.scalar(select(Organization).where(Organization.code == code))
    if org is None:
        raise NotFound(f"没有编码为“{code}”的组织。", errors={"org_code": ["组织不存在。"]})
    return org


def create_org(
    *,
    code: str,
    name: str,
    level: OrgLevel,
    parent: Organization | None = None,
    category: OrgCategory | None = None,
    is_state_owned: bool = False,
    staff_count: int | None = None,
    member_count: int | None = None,
) -> Organization:
    """Add an organisation under `parent`, with its closure rows."""
    level = OrgLevel(level)
    errors: dict[str, list[str]] = {}
    if db.session.scalar(select(Organization.id).where(Organization.code == code)):
        errors["code"] = [f"编码“{code}”已被使用。"]
    allowed = ALLOWED_PARENT_LEVELS[level]
    if allowed and (parent is None or parent.level not in allowed):
        names = "、".join(LEVEL_LABELS[lv] for lv in allowed)
        errors["parent"] = [f"{LEVEL_LABELS[level]}的上级必须是{names}。"]
    if not allowed and parent is not None:
        errors["parent"] = [f"{LEVEL_LABELS[level]}没有上级组织。"]
    if level == OrgLevel.GRASSROOTS and category is None:
        errors["category"] = ["基层工会必须选择类别（企业 / 机关事业单位 / 区域性行业性）。"]
    if staff_count is not None and member_count is not None and member_count > staff_count:
        errors["member_count"] = ["会员数不能大于职工数。"]
    if errors:
        raise Invalid("组织信息有误。", errors=errors)

    org = Organization(
        code=code, name=name, level=level, parent=parent,
        category=category if level in (OrgLevel.GRASSROOTS, OrgLevel.BRANCH) else None,
        is_state_owned=is_state_owned and category == OrgCategory.ENTERPRISE,
        staff_count=staff_count, member_count=member_count,
    )
    db.session.add(org)
    db.session.flush()
    # Ancestors of the parent become ancestors of the new node, one level deeper.
    db.session.execute(insert(OrgClosure).values(
        ancestor_id=org.id, descendant_id=org.id, depth=0))
    if parent is not None:
        db.session.execute(
            insert(OrgClosure).from_select(
                ["ancestor_id", "descendant_id", "depth"],
                select(OrgClosure.ancestor_id, literal(org.id), OrgClosure.depth + 1).where(
                    OrgClosure.descendant_id == parent.id
                ),
            )
        )
    return org


def district_of(org_id: int) -> Organization | None:
    """The district federation (or industry union) above an organisation."""
    return db.session.scalar(
        select(Organization)
        .join(OrgClosure, OrgClosure.ancestor_id == Organization.id)
        .where(
            OrgClosure.descendant_id == org_id,
            Organization.level.in_([OrgLevel.DISTRICT, OrgLevel.INDUSTRY]),
        )
    )
