"""Working days on the city's calendar: Monday to Friday, except the days the city marks.

China moves its public holidays every year and adds make-up working days (调休) on weekends,
so the rule alone is never enough: the city keeps a list of exceptions (`WorkCalendarDay`):
a weekday that is a holiday, or a weekend day that is a working day. Pure functions here;
the caller loads the exceptions for the range it needs (`app.calendar.services`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from flask_babel import gettext as _

# day → is it a working day (only the days that differ from the Monday-to-Friday rule)
Exceptions = Mapping[date, bool]

MAX_SPAN_DAYS = 366  # no period of working days is allowed to run away


def is_workday(day: date, exceptions: Exceptions) -> bool:
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def first_workday_from(day: date, exceptions: Exceptions) -> date:
    """`day` itself if it is a working day, else the next working day."""
    for _day in range(MAX_SPAN_DAYS):
        if is_workday(day, exceptions):
            return day
        day += timedelta(days=1)
    raise ValueError(_("No working day within a year: please check the working-day calendar."))


def working_period(start: date, count: int, exceptions: Exceptions) -> tuple[date, date]:
    """The first and last day of `count` working days beginning on `start` (or the next
    working day when `start` is not one). The last day is included in the period."""
    if count < 1:
        raise ValueError(_("The number of working days must be at least 1."))
    first = first_workday_from(start, exceptions)
    day, seen = first, 1
    while seen < count:
        day += timedelta(days=1)
        if (day - first).days > MAX_SPAN_DAYS:
            raise ValueError(
                _("Not enough working days within a year: please check the working-day calendar.")
            )
        if is_workday(day, exceptions):
            seen += 1
    return first, day


def workdays_between(first: date, last: date, exceptions: Exceptions) -> int:
    """How many working days lie in [first, last]."""
    count, day = 0, first
    while day <= last:
        count += is_workday(day, exceptions)
        day += timedelta(days=1)
    return count
