"""Campaigns: one nomination cycle with its award types, calendar and district quotas."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dbtypes import UTCDateTime, str_enum
from app.extensions import Model
from app.orgs.models import Organization
from app.standards.models import StandardVersion
from app.timeutil import utcnow


class CampaignLevel(enum.StrEnum):
    CITY = "city"
    PROVINCE = "province"
    NATIONAL = "national"


class AwardType(enum.StrEnum):
    MODEL_HOME = "model_home"  # 模范职工之家
    MODEL_SMALL_HOME = "model_small_home"  # 模范职工小家
    OUTSTANDING_WORKER = "outstanding_worker"  # 优秀工会工作者


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"  # being set up; unions do not see it yet
    OPEN = "open"  # accepting nominations
    CLOSED = "closed"  # finished; read-only


class Stage(enum.StrEnum):
    """The calendar's stages, each with a due date (DOMAIN.md, Deadlines)."""

    APPLICATION = "application"  # 申报截止
    REVIEW = "review"  # 审核截止
    EVALUATION = "evaluation"  # 评家截止
    SPOT_CHECK = "spot_check"  # 抽查截止
    PUBLICITY = "publicity"  # 公示期结束


LEVEL_LABELS = {
    CampaignLevel.CITY: "市级",
    CampaignLevel.PROVINCE: "省级",
    CampaignLevel.NATIONAL: "全国",
}
AWARD_LABELS = {
    AwardType.MODEL_HOME: "模范职工之家",
    AwardType.MODEL_SMALL_HOME: "模范职工小家",
    AwardType.OUTSTANDING_WORKER: "优秀工会工作者",
}
STATUS_LABELS = {
    CampaignStatus.DRAFT: "筹备中",
    CampaignStatus.OPEN: "进行中",
    CampaignStatus.CLOSED: "已结束",
}
STAGE_LABELS = {
    Stage.APPLICATION: "申报截止",
    Stage.REVIEW: "审核截止",
    Stage.EVALUATION: "评家截止",
    Stage.SPOT_CHECK: "抽查截止",
    Stage.PUBLICITY: "公示期结束",
}


class Campaign(Model):
    __tablename__ = "campaigns"
    __table_args__ = (CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    level: Mapped[CampaignLevel] = mapped_column(str_enum(CampaignLevel, 16))
    status: Mapped[CampaignStatus] = mapped_column(
        str_enum(CampaignStatus, 16), default=CampaignStatus.DRAFT, index=True
    )
    award_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The federation that runs it; its subtree may take part.
    organizer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # The standard this campaign assesses against; pinned, so revising a standard later
    # never changes a nomination under way.
    standard_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("standard_versions.id"), index=True
    )

    # 会员评家 rule: which answers count as satisfied, and the least turnout for a valid result.
    evaluation_rule: Mapped[str] = mapped_column(
        String(32), default="satisfied_or_basic", server_default="satisfied_or_basic"
    )
    evaluation_min_turnout: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    # 随机抽查: who draws (the city, or each district for its own), how many inspectors per
    # check, and who accepts a rectification (the inspectors, or the district reviewer).
    draw_level: Mapped[str] = mapped_column(String(8), default="city", server_default="city")
    inspectors_per_check: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    rectification_reviewer: Mapped[str] = mapped_column(
        String(12), default="inspectors", server_default="inspectors"
    )
    # The reviewer's service time: working days from submission (None: the 审核截止 date).
    review_working_days: Mapped[int | None] = mapped_column(Integer)
    # 公示: how many working days the published list stays up.
    publicity_working_days: Mapped[int] = mapped_column(Integer, default=5, server_default="5")

    organizer: Mapped[Organization] = relationship()
    standard_version: Mapped[StandardVersion | None] = relationship()
    deadlines: Mapped[list[CampaignDeadline]] = relationship(
        back_populates="campaign",
        cascade="all, delete-orphan",
        order_by="CampaignDeadline.due_date",
    )
    quotas: Mapped[list[CampaignQuota]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def award_labels(self) -> list[str]:
        return [AWARD_LABELS[AwardType(a)] for a in self.award_types]

    def due_date(self, stage: Stage) -> date | None:
        for deadline in self.deadlines:
            if deadline.stage == stage:
                return deadline.due_date
        return None


class CampaignDeadline(Model):
    __tablename__ = "campaign_deadlines"
    __table_args__ = (UniqueConstraint("campaign_id", "stage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    stage: Mapped[Stage] = mapped_column(str_enum(Stage, 16))
    # A Beijing calendar date; the step is due at the end of that day, Beijing time.
    due_date: Mapped[date] = mapped_column(Date)

    campaign: Mapped[Campaign] = relationship(back_populates="deadlines")

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.stage]


class CampaignQuota(Model):
    """How many homes a district (or industry union) may have commended."""

    __tablename__ = "campaign_quotas"
    __table_args__ = (
        UniqueConstraint("campaign_id", "district_id"),
        CheckConstraint("quota >= 0", name="quota_nonneg"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    quota: Mapped[int] = mapped_column(Integer)

    campaign: Mapped[Campaign] = relationship(back_populates="quotas")
    district: Mapped[Organization] = relationship(lazy="joined")
