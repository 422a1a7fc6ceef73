"""The self-assessment (自查) of a nomination, kept per round, and the reviewer's comments.

Round 1 is created with the nomination. Submitting freezes the round; a return keeps it as it
was submitted and opens the next round as a copy for the union to edit. Rows of a frozen
round are never changed.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.dbtypes import UTCDateTime, str_enum
from app.evidence.models import Evidence
from app.extensions import Model
from app.standards.models import StandardItem
from app.timeutil import utcnow


class RoundStatus(enum.StrEnum):
    EDITING = "editing"  # the union is filling it in
    SUBMITTED = "submitted"  # frozen, with the reviewer
    RETURNED = "returned"  # frozen; the next round is being edited
    CLOSED = "closed"  # frozen; the review decided (approved, rejected) or withdrawn


class Rating(enum.StrEnum):
    MET = "met"  # 达标
    NOT_MET = "not_met"  # 未达标
    NOT_APPLICABLE = "na"  # 不适用 (only where the item allows it)


# Key figures, entered once per round; the rates are computed from them, never typed.
FIGURE_FIELDS = (
    "staff_count",  # 职工数
    "member_count",  # 会员数
    "contract_staff_count",  # 编外聘用人员数
    "contract_member_count",  # 编外聘用人员中的会员数
    "migrant_worker_count",  # 农民工数
    "migrant_member_count",  # 农民工会员数
    "subunit_count",  # 下属单位数
    "unionised_subunit_count",  # 已建会单位数
    "collective_contract_count",  # 已建立集体合同制度的单位数
)
_NONNEG = " AND ".join(f"({f} IS NULL OR {f} >= 0)" for f in FIGURE_FIELDS)


class AssessmentRound(Model):
    __tablename__ = "assessment_rounds"
    __table_args__ = (
        UniqueConstraint("nomination_id", "number"),
        CheckConstraint(_NONNEG, name="figures_nonneg"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[RoundStatus] = mapped_column(
        str_enum(RoundStatus, 16), default=RoundStatus.EDITING
    )
    standard_version_id: Mapped[int] = mapped_column(ForeignKey("standard_versions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff_count: Mapped[int | None] = mapped_column(Integer)
    member_count: Mapped[int | None] = mapped_column(Integer)
    contract_staff_count: Mapped[int | None] = mapped_column(Integer)
    contract_member_count: Mapped[int | None] = mapped_column(Integer)
    migrant_worker_count: Mapped[int | None] = mapped_column(Integer)
    migrant_member_count: Mapped[int | None] = mapped_column(Integer)
    subunit_count: Mapped[int | None] = mapped_column(Integer)
    unionised_subunit_count: Mapped[int | None] = mapped_column(Integer)
    collective_contract_count: Mapped[int | None] = mapped_column(Integer)

    responses: Mapped[list[ItemResponse]] = relationship(
        back_populates="round", cascade="all, delete-orphan"
    )
    evidence_links: Mapped[list[EvidenceLink]] = relationship(
        back_populates="round", cascade="all, delete-orphan"
    )
    comments: Mapped[list[ReviewComment]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="ReviewComment.id"
    )

    @property
    def editable(self) -> bool:
        return self.status == RoundStatus.EDITING

    def figures(self) -> dict[str, int | None]:
        return {f: getattr(self, f) for f in FIGURE_FIELDS}


class ItemResponse(Model):
    __tablename__ = "item_responses"
    __table_args__ = (UniqueConstraint("round_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_rounds.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("standard_items.id"))
    rating: Mapped[Rating | None] = mapped_column(str_enum(Rating, 8))
    statement: Mapped[str | None] = mapped_column(Text)

    round: Mapped[AssessmentRound] = relationship(back_populates="responses")
    item: Mapped[StandardItem] = relationship()


class EvidenceLink(Model):
    """Evidence cited by a round, for one item or (item_id NULL) for the key figures."""

    __tablename__ = "evidence_links"
    __table_args__ = (
        UniqueConstraint("round_id", "evidence_id", "item_id"),
        Index("ix_evidence_links_evidence", "evidence_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_rounds.id", ondelete="CASCADE"))
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("standard_items.id"))

    round: Mapped[AssessmentRound] = relationship(back_populates="evidence_links")
    evidence: Mapped[Evidence] = relationship()


class ReviewComment(Model):
    """A reviewer's comment on one item (item_id) or on the figures / the whole round."""

    __tablename__ = "review_comments"
    __table_args__ = (Index("ix_review_comments_round", "round_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_rounds.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("standard_items.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[AssessmentRound] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()
