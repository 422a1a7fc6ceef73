"""The organisation tree: city federation → districts / industry unions → grassroots → branches."""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dbtypes import str_enum
from app.extensions import Model


class OrgLevel(enum.StrEnum):
    CITY = "city"  # 市总工会
    DISTRICT = "district"  # 区、县（市）总工会
    INDUSTRY = "industry"  # 产业工会 (same tier as a district)
    GRASSROOTS = "grassroots"  # 基层工会
    BRANCH = "branch"  # 分工会 / 工会小组


# The tier directly under the city: a district federation or an industry union. A
# grassroots union's "district" (the draw's stratum, a quota's holder, the conflict rule's
# boundary) is its ancestor at this tier.
DISTRICT_LEVELS = (OrgLevel.DISTRICT, OrgLevel.INDUSTRY)


class OrgCategory(enum.StrEnum):
    """Which standard applies to a grassroots union (seed 002 二(一))."""

    ENTERPRISE = "enterprise"  # 企业
    PUBLIC_INSTITUTION = "public_institution"  # 机关事业单位
    REGIONAL = "regional"  # 区域性、行业性工会


LEVEL_LABELS = {
    OrgLevel.CITY: "市总工会",
    OrgLevel.DISTRICT: "区（县）总工会",
    OrgLevel.INDUSTRY: "产业工会",
    OrgLevel.GRASSROOTS: "基层工会",
    OrgLevel.BRANCH: "分工会",
}
CATEGORY_LABELS = {
    OrgCategory.ENTERPRISE: "企业",
    OrgCategory.PUBLIC_INSTITUTION: "机关事业单位",
    OrgCategory.REGIONAL: "区域性、行业性工会",
}
# The tiers a parent may have, so the tree keeps its shape.
ALLOWED_PARENT_LEVELS: dict[OrgLevel, tuple[OrgLevel, ...]] = {
    OrgLevel.CITY: (),
    OrgLevel.DISTRICT: (OrgLevel.CITY,),
    OrgLevel.INDUSTRY: (OrgLevel.CITY,),
    OrgLevel.GRASSROOTS: (OrgLevel.DISTRICT, OrgLevel.INDUSTRY),
    OrgLevel.BRANCH: (OrgLevel.GRASSROOTS,),
}


class Organization(Model):
    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint("staff_count IS NULL OR staff_count >= 0", name="staff_nonneg"),
        CheckConstraint("member_count IS NULL OR member_count >= 0", name="members_nonneg"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    level: Mapped[OrgLevel] = mapped_column(str_enum(OrgLevel, 16), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    category: Mapped[OrgCategory | None] = mapped_column(str_enum(OrgCategory))
    is_state_owned: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    staff_count: Mapped[int | None] = mapped_column(Integer)  # 职工数
    member_count: Mapped[int | None] = mapped_column(Integer)  # 会员数
    address: Mapped[str | None] = mapped_column(String(200))  # 地址 (the inspectors' visit)
    contact_phone: Mapped[str | None] = mapped_column(String(32))  # 联系电话, office or mobile
    # Deactivated (撤销, merged, out of the roster): kept with its history, offered nowhere new.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    parent: Mapped[Organization | None] = relationship(remote_side=[id])

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category] if self.category else ""

    def __repr__(self) -> str:
        return f"<Organization {self.code} {self.name}>"


class OrgClosure(Model):
    """Closure table: one row per (ancestor, descendant) pair, itself included at depth 0.

    "Everything under district X" is one indexed lookup on (ancestor_id), on any database.
    """

    __tablename__ = "org_closure"
    __table_args__ = (Index("ix_org_closure_descendant", "descendant_id", "ancestor_id"),)

    ancestor_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    descendant_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    depth: Mapped[int] = mapped_column(Integer)
