"""Notifications: reminders of due steps and escalations, in the app and by e-mail.

Exactly once per user, step, kind and day is a unique key in the database, so a sweep that
runs twice, or a job retried after its worker died, inserts nothing new.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dbtypes import UTCDateTime, str_enum
from app.extensions import Model
from app.timeutil import utcnow


class Kind(enum.StrEnum):
    DUE_SOON = "due_soon"  # 即将到期
    DUE_TODAY = "due_today"  # 今天到期
    OVERDUE = "overdue"  # 已逾期
    ESCALATION = "escalation"  # 逾期督办 (to the supervising organisation)
    EVENT = "event"  # a step taken that changes the person's work or standing


# The prefix of a reminder's title (【已逾期】…): written into the stored notification and its
# e-mail, so it stays Chinese like the rest of the record.
KIND_LABELS = {
    Kind.DUE_SOON: "即将到期",
    Kind.DUE_TODAY: "今天到期",
    Kind.OVERDUE: "已逾期",
    Kind.ESCALATION: "逾期督办",
    Kind.EVENT: "进展",
}


class Notification(Model):
    __tablename__ = "notifications"
    __table_args__ = (
        # A reminder once per user, step, kind and day (event_id 0); an event's notice once
        # per user and audit event.
        UniqueConstraint(
            "user_id",
            "nomination_id",
            "state",
            "kind",
            "day",
            "event_id",
            name="once_per_step_kind_day_event",
        ),
        Index("ix_notifications_user_unread", "user_id", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(32))  # the step: the nomination's state
    kind: Mapped[Kind] = mapped_column(str_enum(Kind, 16))
    day: Mapped[date] = mapped_column(Date)  # the Beijing day of the reminder or event
    due_on: Mapped[date | None] = mapped_column(Date)  # an event's: the next step's, if any
    title: Mapped[str] = mapped_column(String(300))  # in Chinese, as e-mailed
    title_en: Mapped[str | None] = mapped_column(String(300))  # for users who chose English
    # An event's notice: the audit event (nomination_events.id; 0 for reminders), the
    # action taken, and the comment that came with it (a return's reasons).
    event_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    action: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    display_title = ""  # set by the centre: the title in the reader's language


class MailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the retries; an admin may retry


class OutboxEmail(Model):
    """One e-mail per notification (to users with an address); sent by a job with retries."""

    __tablename__ = "outbox_emails"
    __table_args__ = (Index("ix_outbox_emails_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), unique=True
    )
    to_address: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(str_enum(MailStatus, 12), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    notification: Mapped[Notification] = relationship()


class NotificationPreference(Model):
    """How a user wants to be told, per kind of notice: events (a step taken) and reminders
    (deadlines). Empty (None): the deployment's default (`NOTIFY_*` settings). In the app is
    always on. `digest`: one message a day instead of each one by e-mail or SMS."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    events_email: Mapped[bool | None] = mapped_column(Boolean)
    events_sms: Mapped[bool | None] = mapped_column(Boolean)
    reminders_email: Mapped[bool | None] = mapped_column(Boolean)
    reminders_sms: Mapped[bool | None] = mapped_column(Boolean)
    digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OutboxMessage(Model):
    """A message for an outside channel other than e-mail (SMS; a group robot), queued in
    the transaction of its notice and sent by a job with retries, like the e-mail outbox.
    During quiet hours SMS and robot messages wait (`next_attempt_at` is the morning)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint(
            "notification_id", "channel", "target", name="once_per_notice_channel_target"
        ),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE")
    )
    channel: Mapped[str] = mapped_column(String(16))  # sms | wecom | dingtalk
    target: Mapped[str] = mapped_column(String(200))  # a mobile number, or a robot
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(str_enum(MailStatus, 12), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_id: Mapped[str | None] = mapped_column(String(100))
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RobotKind(enum.StrEnum):
    WECOM = "wecom"  # 企业微信群机器人
    DINGTALK = "dingtalk"  # 钉钉自定义机器人


class OrgRobot(Model):
    """A group robot of an organisation (a district's reviewers' 企业微信 or 钉钉 group):
    the notices its holders of `role` get are also posted to the group, once per notice
    of each step. The webhook address (and 钉钉's signing secret) are the group's; only
    administrators see them, masked."""

    __tablename__ = "org_robots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[RobotKind] = mapped_column(str_enum(RobotKind, 12))
    role: Mapped[str] = mapped_column(String(16))  # whose notices: union | reviewer | city
    name: Mapped[str] = mapped_column(String(100))
    webhook_url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str | None] = mapped_column(String(200))  # 钉钉 加签
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
