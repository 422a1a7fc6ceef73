"""Users, their organisation-bound roles, one-time activations and server-side login
sessions (failed logins are counted in `app.ratelimit`)."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dbtypes import UTCDateTime, str_enum
from app.extensions import Model
from app.orgs.models import Organization
from app.timeutil import utcnow


class Role(enum.StrEnum):
    UNION = "union"  # 基层工会
    REVIEWER = "reviewer"  # 区（县）总工会审核人
    INSPECTOR = "inspector"  # 抽查员
    CITY = "city"  # 市总工会
    ADMIN = "admin"  # 系统管理员


ROLE_LABELS = {
    Role.UNION: "基层工会",
    Role.REVIEWER: "区县审核人",
    Role.INSPECTOR: "抽查员",
    Role.CITY: "市总工会",
    Role.ADMIN: "系统管理员",
}


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    # Where reminders are e-mailed; none: in-app notifications only.
    email: Mapped[str | None] = mapped_column(String(255))
    # Mainland mobile number, 11 digits (app/auth/mobile.py); for SMS and single sign-on.
    mobile: Mapped[str | None] = mapped_column(String(11), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active_flag: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    # The language the user last chose (zh_Hans_CN, en): what their e-mails and SMS are in.
    locale: Mapped[str | None] = mapped_column(String(16))
    # Set when someone else chose the password (an initial password, an activation, an
    # administrator's reset): the user must choose their own before anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Set when loaded through a login session; Flask-Login stores this id in the cookie,
    # so revoking the session row ends the login for that cookie everywhere.
    login_session_token = None  # type: str | None
    unread_notifications = 0  # set with the login session (the header's badge)

    @property
    def is_active(self) -> bool:
        return self.is_active_flag

    def get_id(self) -> str:
        if not self.login_session_token:
            raise RuntimeError("a user is logged in only through a LoginSession")
        return self.login_session_token

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RoleAssignment(Model):
    """A role held at one organisation; it reaches that organisation's whole subtree."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "org_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, 16))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)

    user: Mapped[User] = relationship(back_populates="roles")
    org: Mapped[Organization] = relationship(lazy="joined")

    @property
    def label(self) -> str:
        return ROLE_LABELS[self.role]


class SessionKind(enum.StrEnum):
    WEB = "web"
    API = "api"


class LoginSession(Model):
    """A server-side session (web cookie or API bearer token). Only a hash is stored."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind, 8))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class ActivationKind(enum.StrEnum):
    PASSWORD = "password"  # an initial password, typed at the login
    LINK = "link"  # a link to /activate/<secret>, where the user sets a password


class UserActivation(Model):
    """A one-time way in for a user (`app.auth.activation`). Only an HMAC-SHA256 digest of
    its random secret is stored; it is used once, before `expires_at`. Issuing another
    one, or the user choosing a password, ends the unused ones (`expires_at` moved to then).
    """

    __tablename__ = "user_activations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ActivationKind] = mapped_column(str_enum(ActivationKind, 8))
    secret_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
