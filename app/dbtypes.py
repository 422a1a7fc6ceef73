"""Column types shared by the models."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, Dialect, Enum
from sqlalchemy.types import TypeDecorator

from app.timeutil import as_utc

# PostgreSQL's `integer` (every Integer column, ids included): a larger number sent to the
# database fails there (an overflow, a 500), so every form and API field that becomes one
# is kept in this range (`app.web.forms.IntegerField`, `app.api.schemas`).
INT4_MIN = -(2**31)
INT4_MAX = 2**31 - 1


def str_enum(cls: type[enum.StrEnum], length: int = 24) -> Enum:
    """A portable enum stored as its value in a VARCHAR plus a CHECK (no native PG enum)."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        name=cls.__name__.lower(),
    )


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return as_utc(value) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return as_utc(value) if value is not None else None


def contains_pattern(term: str) -> str:
    """A LIKE pattern matching `term` literally anywhere (use with escape="\\")."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
