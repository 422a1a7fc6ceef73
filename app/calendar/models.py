"""The city's working-day calendar: the days that differ from the Monday-to-Friday rule."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.dbtypes import UTCDateTime
from app.extensions import Model
from app.timeutil import utcnow


class WorkCalendarDay(Model):
    """A day that differs from the Monday-to-Friday rule: a holiday on a weekday, or a
    make-up working day (调休) on a weekend. The city keeps the list each year."""

    __tablename__ = "work_calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(50))  # 国庆节, 国庆调休上班 …
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
