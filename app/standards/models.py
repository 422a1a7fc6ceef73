"""Standards as imported data: a version of a standard file and its items.

A campaign pins one StandardVersion; editing the file and importing it again makes a new
version, so nominations already under way keep the items they were assessed against.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dbtypes import UTCDateTime, str_enum
from app.extensions import Model
from app.orgs.models import OrgCategory
from app.timeutil import utcnow


class StandardVersion(Model):
    __tablename__ = "standard_versions"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        UniqueConstraint("code", "checksum"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))  # the file's `code`, e.g. qingdao-2020
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, … per code, in import order
    title: Mapped[str] = mapped_column(String(200))
    checksum: Mapped[str] = mapped_column(String(64))  # sha256 of the file as imported
    # The whole validated document (thresholds, figures, checklists) as imported.
    content: Mapped[dict] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list[StandardItem]] = relationship(
        back_populates="version",
        order_by="StandardItem.position",
        cascade="all, delete-orphan",
    )

    @property
    def label(self) -> str:
        """The title and version, as pages and messages name the version."""
        return _("%(title)s (version %(n)s)", title=self.title, n=self.version)

    def thresholds(self, category: str) -> dict:
        return self.content["thresholds"][category]


class StandardItem(Model):
    """One numbered item of one category's standard (or of a checklist such as 六有)."""

    __tablename__ = "standard_items"
    __table_args__ = (
        UniqueConstraint("version_id", "code"),
        Index("ix_standard_items_version_category", "version_id", "category", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("standard_versions.id", ondelete="CASCADE"))
    category: Mapped[OrgCategory] = mapped_column(str_enum(OrgCategory))
    dimension: Mapped[str] = mapped_column(String(32))  # e.g. political, organisation
    dimension_label: Mapped[str] = mapped_column(String(32))  # 政治建设 …
    code: Mapped[str] = mapped_column(String(32))  # stable within the version, e.g. E-ORG-3
    number: Mapped[int] = mapped_column(Integer)  # the seed's own numbering (1), (2) …
    text: Mapped[str] = mapped_column(Text)
    na_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence_hint: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)

    version: Mapped[StandardVersion] = relationship(back_populates="items")
