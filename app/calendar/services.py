"""The working-day calendar: reading the exceptions, and the city's edits.

An edit changes what counts as a working day, so every date computed from working days must
follow: the modules that compute such dates subscribe (`on_change`, from their stage's
`register()`), and each edit calls them in its transaction before it commits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.calendar.models import WorkCalendarDay
from app.calendar.policy import require_calendar_keeper
from app.calendar.workdays import working_period
from app.errors import Invalid, NotFound
from app.extensions import db
from app.timeutil import utcnow

MAX_NOTE = 50
# Enough days ahead for any period of working days a campaign may ask for.
LOOKAHEAD_DAYS = 400
LINE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s+(休|班)\s*(.*)$")

_LISTENERS: list[Callable[[], object]] = []


def on_change(listener: Callable[[], object]) -> None:
    """Call `listener` (in the edit's transaction, after a flush) whenever the calendar
    changes; subscribing the same function again is harmless."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def _changed() -> None:
    db.session.flush()
    for listener in _LISTENERS:
        listener()


# -- reading ------------------------------------------------------------------------------


def calendar_exceptions(first: date, last: date) -> dict[date, bool]:
    """The days in [first, last] that differ from the rule: day → is it a working day."""
    rows = db.session.execute(
        select(WorkCalendarDay.day, WorkCalendarDay.is_workday).where(
            WorkCalendarDay.day.between(first, last)
        )
    )
    return {day: is_workday for day, is_workday in rows}


def period_of_working_days(starts_on: date, working_days: int) -> tuple[date, date]:
    """The first and last day of `working_days` working days from `starts_on` (one read).

    Raises ValueError, with a message for the user, when the calendar has too few working
    days in the year ahead."""
    exceptions = calendar_exceptions(starts_on, starts_on + timedelta(days=LOOKAHEAD_DAYS))
    return working_period(starts_on, working_days, exceptions)


def calendar_year(year: int) -> list[WorkCalendarDay]:
    return list(
        db.session.scalars(
            select(WorkCalendarDay)
            .where(WorkCalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
            .order_by(WorkCalendarDay.day)
        )
    )


# -- the city's edits ---------------------------------------------------------------------


def set_calendar_day(user: User, day: date, is_workday: bool, note: str | None) -> None:
    """Mark a day as a holiday or a make-up working day (or back to the rule). Commits."""
    require_calendar_keeper(user)
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        message = _("A note has at most %(n)s characters.", n=MAX_NOTE)
        raise Invalid(message, errors={"note": [message]})
    row = db.session.get(WorkCalendarDay, day)
    by_rule = day.weekday() < 5
    if is_workday == by_rule and not note:
        if row is not None:
            db.session.delete(row)  # same as the rule: no exception needed
    else:
        if row is None:
            row = WorkCalendarDay(day=day)
            db.session.add(row)
        row.is_workday, row.note = is_workday, note
        row.updated_by_id, row.updated_at = user.id, utcnow()
    _changed()
    db.session.commit()


def delete_calendar_day(user: User, day: date) -> None:
    """The day follows the Monday-to-Friday rule again. Commits."""
    require_calendar_keeper(user)
    row = db.session.get(WorkCalendarDay, day)
    if row is None:
        raise NotFound(_("There is nothing special about this day."))
    db.session.delete(row)
    _changed()
    db.session.commit()


def import_calendar(user: User, text: str) -> int:
    """Lines like "2026-10-01 休 国庆节" or "2026-10-10 班 国庆调休上班". All or nothing."""
    require_calendar_keeper(user)
    parsed: list[tuple[date, bool, str | None]] = []
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = LINE.match(line)
        try:
            if match is None:
                raise ValueError
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            errors.append(
                _(
                    "Line %(n)s is not in the form “2026-10-01 休 国庆节”: “%(line)s”.",
                    n=number,
                    line=line.strip()[:40],
                )
            )
            continue
        parsed.append((day, match[4] == "班", match[5].strip()[:MAX_NOTE] or None))
    if errors:
        raise Invalid(_("The calendar has errors; nothing was imported."), errors={"text": errors})
    for day, workday, note in parsed:
        row = db.session.get(WorkCalendarDay, day) or WorkCalendarDay(day=day)
        row.is_workday, row.note, row.updated_by_id, row.updated_at = (
            workday,
            note,
            user.id,
            utcnow(),
        )
        db.session.add(row)
    _changed()
    db.session.commit()
    return len(parsed)
