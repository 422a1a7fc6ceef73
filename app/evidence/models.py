"""Evidence files (佐证材料): stored once, linked to the rounds and items that cite them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.dbtypes import UTCDateTime, str_enum
from app.extensions import Model
from app.timeutil import utcnow


class EvidenceKind(enum.StrEnum):
    IMAGE = "image"
    PDF = "pdf"
    OFFICE = "office"


class Evidence(Model):
    """An uploaded file. Never changed after upload; rounds link to it."""

    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_nomination", "nomination_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    storage_key: Mapped[str] = mapped_column(String(128), unique=True)  # generated, no user text
    original_name: Mapped[str] = mapped_column(String(255))  # as uploaded, Chinese kept
    content_type: Mapped[str] = mapped_column(String(128))  # from the content, not the name
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind, 8))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()
