"""The administrators' audit trail: one row per change to an account or an organisation,
written in the transaction of the change (so a change that rolls back leaves no row)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.dbtypes import UTCDateTime
from app.extensions import Model
from app.timeutil import utcnow


class AdminAudit(Model):
    """Who changed what, when: `action` is a fixed name (`user.create`, `user.role_grant`,
    `org.update` …), the target its kind, id and a label that outlives it (username, code),
    `changes` the fields as `{field: [old, new]}` (a password is only ever `"(set)"`)."""

    __tablename__ = "admin_audit"
    __table_args__ = (Index("ix_admin_audit_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int | None] = mapped_column(Integer)
    target_label: Mapped[str] = mapped_column(String(200))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


AUDIT_TARGETS = ("user", "org")
AUDIT_ACTIONS = {
    "user.create": _l("User added"),
    "user.import_update": _l("User updated by an import"),
    "user.contact": _l("Contact details changed"),
    "user.password_reset": _l("Password reset"),
    "user.activation_issued": _l("Initial password or activation link issued"),
    "user.password_change": _l("Password chosen by the user"),
    "user.activate": _l("User reactivated"),
    "user.deactivate": _l("User deactivated"),
    "user.role_grant": _l("Role granted"),
    "user.role_revoke": _l("Role revoked"),
    "org.create": _l("Organisation added"),
    "org.update": _l("Organisation changed"),
    "org.import_update": _l("Organisation updated by an import"),
    "org.deactivate": _l("Organisation deactivated"),
    "org.activate": _l("Organisation reactivated"),
    "org.robot_add": _l("Group robot added"),
    "org.robot_remove": _l("Group robot removed"),
    "import.apply": _l("Spreadsheet imported"),
}


def describe_changes(changes: dict[str, Any]) -> str:
    """`field: old → new; …` for a page or a spreadsheet cell."""

    def show(value: Any) -> str:
        return "—" if value is None or value == "" else str(value)

    return "；".join(
        f"{field}: {show(pair[0])} → {show(pair[1])}"
        if isinstance(pair, list) and len(pair) == 2
        else f"{field}: {show(pair)}"
        for field, pair in changes.items()
    )


class ImportRun(Model):
    """One spreadsheet import (organisations or users): the file as uploaded, kept until
    it is applied (every host and the worker read it from here), what its dry run found,
    and what applying it did. `status`: checking → checked → applying → applied, or
    failed (with `error`); a checked run with problems cannot be applied."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # orgs | users
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="checking", index=True)
    deactivate_missing: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the dry run's
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what was written
    error: Mapped[str | None] = mapped_column(Text)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
