"""随机抽查: draws, spot checks with their inspectors, findings, and rectification."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.dbtypes import UTCDateTime, str_enum
from app.evidence.models import Evidence
from app.extensions import Model
from app.orgs.models import Organization
from app.standards.models import StandardItem
from app.timeutil import utcnow


class DrawStatus(enum.StrEnum):
    ANNOUNCED = "announced"  # rule and seed commitment published; population still open
    DRAWN = "drawn"  # seed revealed, population frozen, sample computed and published
    APPLIED = "applied"  # nominations moved: drawn → spot_check, the rest → candidate
    SUPERSEDED = "superseded"  # replaced by a redraw (with its reason); kept for the record


class SpotCheckDraw(Model):
    __tablename__ = "spot_check_draws"
    __table_args__ = (
        CheckConstraint("method IN ('ratio', 'count')", name="method_known"),
        Index("ix_spot_check_draws_campaign", "campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    scope_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))  # who draws
    method: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(16))  # "0.2" (ratio) or "3" (count per district)
    seed_commitment: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str | None] = mapped_column(String(128))  # secret until drawn
    population: Mapped[list | None] = mapped_column(JSON)
    population_hash: Mapped[str | None] = mapped_column(String(64))
    strata: Mapped[dict | None] = mapped_column(JSON)
    sample: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[DrawStatus] = mapped_column(
        str_enum(DrawStatus, 12), default=DrawStatus.ANNOUNCED
    )
    announced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    announced_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    redraw_of_id: Mapped[int | None] = mapped_column(ForeignKey("spot_check_draws.id"))
    redraw_reason: Mapped[str | None] = mapped_column(Text)

    scope_org: Mapped[Organization] = relationship()
    announced_by: Mapped[User | None] = relationship(foreign_keys=[announced_by_id])
    drawn_by: Mapped[User | None] = relationship(foreign_keys=[drawn_by_id])
    redraw_of: Mapped[SpotCheckDraw | None] = relationship(remote_side=[id])


class Finding(enum.StrEnum):
    MEETS = "meets"  # 符合
    PARTLY = "partly"  # 基本符合
    FAILS = "fails"  # 不符合


class Conclusion(enum.StrEnum):
    PASS = "pass"  # 合格
    RECTIFY = "rectify"  # 限期整改
    FAIL = "fail"  # 不合格


class SpotCheck(Model):
    """One drawn nomination's on-site check."""

    __tablename__ = "spot_checks"
    __table_args__ = (
        CheckConstraint("interviewed IS NULL OR interviewed >= 0", name="interviewed_nonneg"),
        CheckConstraint(
            "interviewed_satisfied IS NULL OR (interviewed_satisfied >= 0 AND "
            "(interviewed IS NULL OR interviewed_satisfied <= interviewed))",
            name="satisfied_within",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), unique=True
    )
    draw_id: Mapped[int] = mapped_column(ForeignKey("spot_check_draws.id"))
    visited_on: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    interviewed: Mapped[int | None] = mapped_column(Integer)
    interviewed_satisfied: Mapped[int | None] = mapped_column(Integer)
    conclusion: Mapped[Conclusion | None] = mapped_column(str_enum(Conclusion, 8))
    conclusion_notes: Mapped[str | None] = mapped_column(Text)
    rectification_items: Mapped[list | None] = mapped_column(JSON)  # standard item ids
    rectification_deadline: Mapped[date | None] = mapped_column(Date)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rectification_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rectification_decision: Mapped[str | None] = mapped_column(String(8))  # accept / reject
    rectification_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rectification_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    draw: Mapped[SpotCheckDraw] = relationship()
    assignments: Mapped[list[SpotCheckAssignment]] = relationship(
        back_populates="spot_check", cascade="all, delete-orphan", order_by="SpotCheckAssignment.id"
    )
    findings: Mapped[list[CheckFinding]] = relationship(
        back_populates="spot_check", cascade="all, delete-orphan"
    )


class SpotCheckAssignment(Model):
    __tablename__ = "spot_check_assignments"
    __table_args__ = (
        UniqueConstraint("spot_check_id", "inspector_id"),
        Index("ix_spot_check_assignments_inspector", "inspector_id", "spot_check_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spot_check_id: Mapped[int] = mapped_column(ForeignKey("spot_checks.id", ondelete="CASCADE"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: auto
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # signed the conclusion

    spot_check: Mapped[SpotCheck] = relationship(back_populates="assignments")
    inspector: Mapped[User] = relationship(foreign_keys=[inspector_id])


class CheckFinding(Model):
    __tablename__ = "check_findings"
    __table_args__ = (UniqueConstraint("spot_check_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spot_check_id: Mapped[int] = mapped_column(ForeignKey("spot_checks.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("standard_items.id"))
    finding: Mapped[Finding | None] = mapped_column(str_enum(Finding, 8))
    notes: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    spot_check: Mapped[SpotCheck] = relationship(back_populates="findings")
    item: Mapped[StandardItem] = relationship()
    photos: Mapped[list[CheckPhoto]] = relationship(
        back_populates="finding", cascade="all, delete-orphan", order_by="CheckPhoto.id"
    )


class CheckPhoto(Model):
    __tablename__ = "check_photos"
    __table_args__ = (UniqueConstraint("finding_id", "evidence_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("check_findings.id", ondelete="CASCADE"))
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))

    finding: Mapped[CheckFinding] = relationship(back_populates="photos")
    evidence: Mapped[Evidence] = relationship()


class RectificationResponse(Model):
    """The union's answer to one item it was ordered to rectify."""

    __tablename__ = "rectification_responses"
    __table_args__ = (UniqueConstraint("spot_check_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spot_check_id: Mapped[int] = mapped_column(ForeignKey("spot_checks.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("standard_items.id"))
    statement: Mapped[str | None] = mapped_column(Text)
    evidence_ids: Mapped[list | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[StandardItem] = relationship()
