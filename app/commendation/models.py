"""表彰: the city's selection within quotas, the publicity period with objections, the
commendation with its certificates, and the dynamic management of honours."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
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
from app.extensions import Model
from app.nominations.models import Nomination
from app.timeutil import beijing_today, utcnow

# The longest text a person writes into one of these records: an objection, an answer, the
# reason of an order or a revocation, a rectification statement (characters).
MAX_TEXT = 2000


class Selection(Model):
    """The city's choice about one candidate: its rank and whether it is on the list."""

    __tablename__ = "commendation_selections"
    __table_args__ = (CheckConstraint("rank IS NULL OR rank >= 1", name="rank_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), unique=True
    )
    rank: Mapped[int | None] = mapped_column(Integer)
    selected: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Publicity(Model):
    """One published list (公示) and its period of working days."""

    __tablename__ = "publicities"
    __table_args__ = (Index("ix_publicities_campaign", "campaign_id", "starts_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    title: Mapped[str] = mapped_column(String(200))
    working_days: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # the last day, included
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    commendation_id: Mapped[int | None] = mapped_column(ForeignKey("commendations.id"))

    entries: Mapped[list[PublicityEntry]] = relationship(
        back_populates="publicity", cascade="all, delete-orphan", order_by="PublicityEntry.position"
    )


class PublicityEntry(Model):
    __tablename__ = "publicity_entries"
    __table_args__ = (UniqueConstraint("publicity_id", "nomination_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publicity_id: Mapped[int] = mapped_column(ForeignKey("publicities.id", ondelete="CASCADE"))
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)

    publicity: Mapped[Publicity] = relationship(back_populates="entries")
    nomination: Mapped[Nomination] = relationship()


class ObjectionStatus(enum.StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"  # 异议不成立
    UPHELD = "upheld"  # 异议成立


class Objection(Model):
    """An objection (异议) lodged by anyone against a named candidate on a published list.

    The contact details are for the city's reply only and are never shown publicly; the
    address is kept only as a keyed hash, for the rate limit.
    """

    __tablename__ = "objections"
    __table_args__ = (
        Index("ix_objections_publicity_status", "publicity_id", "status"),
        Index("ix_objections_address_time", "address_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publicity_id: Mapped[int] = mapped_column(ForeignKey("publicities.id"))
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(50))
    contact: Mapped[str] = mapped_column(String(100))
    address_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[ObjectionStatus] = mapped_column(
        str_enum(ObjectionStatus, 12), default=ObjectionStatus.OPEN
    )
    outcome: Mapped[str | None] = mapped_column(String(16))  # not_commended / rectification
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    publicity: Mapped[Publicity] = relationship()
    nomination: Mapped[Nomination] = relationship()
    answered_by: Mapped[User | None] = relationship()


class Commendation(Model):
    """The commendation decision: its document number (文号) and date."""

    __tablename__ = "commendations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    document_number: Mapped[str] = mapped_column(String(64), unique=True)
    decided_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="commendation", order_by="Certificate.serial"
    )


class Certificate(Model):
    """One home's certificate: a serial number and a verification code anyone can check."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commendation_id: Mapped[int] = mapped_column(ForeignKey("commendations.id"))
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), unique=True
    )
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    commendation: Mapped[Commendation] = relationship(back_populates="certificates")
    nomination: Mapped[Nomination] = relationship()


class HonourRectification(Model):
    """A rectification ordered in the commendation stage: on an upheld objection (origin
    "objection"), or of a commended home found below standard (origin "commended")."""

    __tablename__ = "honour_rectifications"
    __table_args__ = (Index("ix_honour_rectifications_nomination", "nomination_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(12))
    objection_id: Mapped[int | None] = mapped_column(ForeignKey("objections.id"))
    reason: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date)
    ordered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    statement: Mapped[str | None] = mapped_column(Text)
    evidence_ids: Mapped[list | None] = mapped_column(JSON)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision: Mapped[str | None] = mapped_column(String(8))  # accept / reject
    decision_comment: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def overdue(self) -> bool:
        """Not handed in, and the deadline (Beijing date) has passed."""
        return self.submitted_at is None and beijing_today() > self.deadline
