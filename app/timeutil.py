"""Time helpers: store UTC, show Beijing time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_beijing(value: datetime) -> datetime:
    return as_utc(value).astimezone(BEIJING)


def beijing_today() -> date:
    return datetime.now(BEIJING).date()


def format_beijing(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return to_beijing(value).strftime(fmt) if value else ""
