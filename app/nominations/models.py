"""Nominations and their audit trail."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.campaigns.models import AWARD_LABELS, AwardType, Campaign
from app.dbtypes import UTCDateTime, str_enum
from app.extensions import Model
from app.orgs.models import Organization
from app.timeutil import utcnow
from workflows.nomination import ACTIONS, STATE_LABELS, STATE_NAMES, STATE_STAGE

_STATES_SQL = ", ".join(f"'{s}'" for s in STATE_NAMES)


class Nomination(Model):
    """One application of one unit (or person) in one campaign."""

    __tablename__ = "nominations"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATES_SQL})", name="status_known"),
        Index("ix_nominations_status_org", "status", "org_id"),
        Index("ix_nominations_org_campaign", "org_id", "campaign_id"),
        Index("ix_nominations_campaign_status", "campaign_id", "status"),
        Index("ix_nominations_due", "due_on", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    award_type: Mapped[AwardType] = mapped_column(str_enum(AwardType, 24))
    # For 优秀工会工作者 the nominee is a person of the union.
    nominee_name: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(32), default="draft")
    # Optimistic lock: every UPDATE says "WHERE version = <what I read>"; a stale writer
    # matches no row and is refused (StaleDataError → 409).
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The current step's due date (Beijing calendar day; see app/nominations/deadlines.py).
    due_on: Mapped[date | None] = mapped_column(Date)

    __mapper_args__ = {"version_id_col": version}

    campaign: Mapped[Campaign] = relationship()
    org: Mapped[Organization] = relationship()
    created_by: Mapped[User | None] = relationship()
    events: Mapped[list[NominationEvent]] = relationship(
        back_populates="nomination",
        order_by="NominationEvent.id",
        cascade="all, delete-orphan",
    )

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.status]

    @property
    def stage(self) -> str:
        return STATE_STAGE[self.status]

    @property
    def award_label(self) -> str:
        return AWARD_LABELS[AwardType(self.award_type)]

    @property
    def title(self) -> str:
        subject = self.nominee_name or self.org.name
        return f"{subject} · {self.award_label}"


class NominationEvent(Model):
    """The audit trail: who did what, when, from which state to which, with what comment.

    Written in the same transaction as the state change it records.
    """

    __tablename__ = "nomination_events"
    __table_args__ = (Index("ix_nomination_events_nomination", "nomination_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    nomination: Mapped[Nomination] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    @property
    def action_label(self) -> str:
        if self.action == "create":
            return "创建申报"
        action = ACTIONS.get(self.action)
        return action.label if action else self.action

    @property
    def from_label(self) -> str:
        return STATE_LABELS.get(self.from_state or "", "")

    @property
    def to_label(self) -> str:
        return STATE_LABELS.get(self.to_state, self.to_state)
