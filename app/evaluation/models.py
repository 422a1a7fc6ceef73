"""会员评家: an anonymous member evaluation of one nomination.

Anonymity is by construction. A ballot row holds a random id, the evaluation, the Beijing
*day* it was cast and the answers — no token, no user, no address, no time of day, nothing
that follows the order tokens were issued or used. A token row records only that it was
spent, never when. Spending the token and storing the ballot happen in one transaction.
"""

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
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.dbtypes import UTCDateTime, str_enum
from app.evidence.models import Evidence
from app.extensions import Model
from app.timeutil import utcnow


class EvaluationStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Choice(enum.StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASIC = "basic"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


CHOICE_LABELS = {Choice.SATISFIED: "满意", Choice.BASIC: "基本满意", Choice.DISSATISFIED: "不满意"}


class TokenStatus(enum.StrEnum):
    UNUSED = "unused"
    USED = "used"
    VOID = "void"


class MemberEvaluation(Model):
    __tablename__ = "member_evaluations"
    __table_args__ = (
        CheckConstraint("member_count > 0", name="members_positive"),
        CheckConstraint("closes_at > opens_at", name="window_order"),
        Index("ix_member_evaluations_status_closes", "status", "closes_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[EvaluationStatus] = mapped_column(
        str_enum(EvaluationStatus, 8), default=EvaluationStatus.OPEN
    )
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    member_count: Mapped[int] = mapped_column(Integer)  # 会员数: the turnout's denominator
    # The union's standard's dimensions at opening, [{code, label}], asked on every ballot.
    dimensions: Mapped[list[dict]] = mapped_column(JSON)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The union's report to the higher union (seed 004 二(四)三).
    process_notes: Mapped[str | None] = mapped_column(Text)  # how it was organised
    rectification_measures: Mapped[str | None] = mapped_column(Text)  # 整改措施

    # Filled when closed.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the job
    valid_ballots: Mapped[int | None] = mapped_column(Integer)
    satisfied: Mapped[int | None] = mapped_column(Integer)
    basic: Mapped[int | None] = mapped_column(Integer)
    dissatisfied: Mapped[int | None] = mapped_column(Integer)
    turnout: Mapped[float | None] = mapped_column(Numeric(7, 6))
    satisfaction_rate: Mapped[float | None] = mapped_column(Numeric(7, 6))
    threshold: Mapped[float | None] = mapped_column(Numeric(7, 6))
    min_turnout: Mapped[float | None] = mapped_column(Numeric(7, 6))
    rule: Mapped[str | None] = mapped_column(String(32))
    passed: Mapped[bool | None] = mapped_column()

    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    paper_tally: Mapped[PaperTally | None] = relationship(
        back_populates="evaluation", uselist=False, cascade="all, delete-orphan"
    )


class BallotToken(Model):
    """A one-time voting link. Knows whether it was spent, not when, nor by which ballot;
    what it stores lets nobody vote without the server's token key."""

    __tablename__ = "ballot_tokens"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "serial"),
        Index("ix_ballot_tokens_evaluation_status", "evaluation_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("member_evaluations.id", ondelete="CASCADE")
    )
    # Never the token itself (app/evaluation/credentials.py): its SHA-256 to find it by, the
    # random nonce it is derived from with a key the database does not hold, and for tokens
    # issued before that scheme the token sealed under the same key (else NULL).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(32))
    sealed: Mapped[str | None] = mapped_column(String(128))
    serial: Mapped[int] = mapped_column(Integer)  # printed on the slip, for handing out
    batch: Mapped[int] = mapped_column(Integer, default=1)  # 1 at opening, 2… issued later
    status: Mapped[TokenStatus] = mapped_column(
        str_enum(TokenStatus, 8), default=TokenStatus.UNUSED
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Ballot(Model):
    """One member's anonymous answers. Random id, the day only, nothing else about the voter."""

    __tablename__ = "ballots"
    __table_args__ = (Index("ix_ballots_evaluation_overall", "evaluation_id", "overall"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4 hex: no order
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("member_evaluations.id", ondelete="CASCADE")
    )
    voted_on: Mapped[date] = mapped_column(Date)  # Beijing day; never a time
    overall: Mapped[Choice] = mapped_column(str_enum(Choice, 16))
    comment: Mapped[str | None] = mapped_column(Text)


class BallotAnswer(Model):
    """A ballot's answer for one dimension of the standard (政治建设 …)."""

    __tablename__ = "ballot_answers"
    __table_args__ = (Index("ix_ballot_answers_dimension", "dimension", "choice"),)

    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(32), primary_key=True)
    choice: Mapped[Choice] = mapped_column(str_enum(Choice, 16))


class PaperTally(Model):
    """Paper ballots counted by the union, with the scanned tally sheet as evidence."""

    __tablename__ = "paper_tallies"
    __table_args__ = (
        CheckConstraint(
            "satisfied >= 0 AND basic >= 0 AND dissatisfied >= 0 AND invalid >= 0",
            name="counts_nonneg",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("member_evaluations.id", ondelete="CASCADE"), unique=True
    )
    satisfied: Mapped[int] = mapped_column(Integer)
    basic: Mapped[int] = mapped_column(Integer)
    dissatisfied: Mapped[int] = mapped_column(Integer)
    invalid: Mapped[int] = mapped_column(Integer, default=0)  # spoilt paper ballots
    # Per dimension: {code: {"satisfied": n, "basic": n, "dissatisfied": n}} (optional).
    dimension_counts: Mapped[dict | None] = mapped_column(JSON)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    evaluation: Mapped[MemberEvaluation] = relationship(back_populates="paper_tally")
    evidence: Mapped[Evidence] = relationship()
    entered_by: Mapped[User | None] = relationship()

    @property
    def valid(self) -> int:
        return self.satisfied + self.basic + self.dissatisfied
