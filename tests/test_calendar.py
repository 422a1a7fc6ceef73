"""The working-day calendar: working days skip holidays and count make-up days; the city's
edits change the periods counted on it (the publicity period)."""

from __future__ import annotations

from datetime import date

import pytest

from app.calendar import services as calendar
from app.calendar.workdays import is_workday, workdays_between, working_period
from app.errors import Forbidden, Invalid

# -- working days -------------------------------------------------------------------------

# 2026: 国庆 Oct 1–7 off (Thu–Wed), Sat Oct 10 a make-up working day.
NATIONAL_DAY = {date(2026, 10, d): False for d in range(1, 8)} | {date(2026, 10, 10): True}


def test_working_days_skip_a_holiday_and_count_a_make_up_day():
    # published on Tue 29 Sep: 29, 30 Sep, then the holiday, then Thu 8, Fri 9, Sat 10 (班)
    assert working_period(date(2026, 9, 29), 5, NATIONAL_DAY) == (
        date(2026, 9, 29),
        date(2026, 10, 10),
    )
    # without the calendar the same five days would end on Mon 5 Oct
    assert working_period(date(2026, 9, 29), 5, {}) == (date(2026, 9, 29), date(2026, 10, 5))
    # published on a holiday: starts on the next working day
    assert working_period(date(2026, 10, 3), 1, NATIONAL_DAY) == (
        date(2026, 10, 8),
        date(2026, 10, 8),
    )
    assert is_workday(date(2026, 10, 10), NATIONAL_DAY) and not is_workday(
        date(2026, 10, 11), NATIONAL_DAY
    )
    assert workdays_between(date(2026, 9, 28), date(2026, 10, 11), NATIONAL_DAY) == 6
    with pytest.raises(ValueError):
        working_period(date(2026, 1, 1), 0, {})


def test_the_city_calendar_changes_the_publicity_period(world, ctx):
    city = world.user("city")
    assert (
        calendar.import_calendar(
            city,
            "2026-10-01 休 国庆节\n2026-10-02 休 国庆节\n"
            "2026-10-03 休\n2026-10-05 休\n2026-10-06 休\n"
            "2026-10-07 休 国庆节\n2026-10-10 班 国庆调休上班\n",
        )
        == 7
    )
    assert calendar.period_of_working_days(date(2026, 9, 29), 5) == (
        date(2026, 9, 29),
        date(2026, 10, 10),
    )
    with pytest.raises(Invalid) as info:
        calendar.import_calendar(city, "2026-13-01 休\n")
    assert "第 1 行" in info.value.errors["text"][0]
    # the same new day twice in one paste (a corrected line below the first): the last wins
    calendar.import_calendar(city, "2027-01-01 班\n2027-01-01 休 元旦\n")
    assert [(d.day, d.is_workday, d.note) for d in calendar.calendar_year(2027)] == [
        (date(2027, 1, 1), False, "元旦")
    ]
    with pytest.raises(Forbidden):
        calendar.set_calendar_day(world.user("reviewer_a"), date(2026, 5, 1), False, "劳动节")
    calendar.set_calendar_day(city, date(2026, 10, 10), False, None)  # back to a weekend day
    assert calendar.period_of_working_days(date(2026, 9, 29), 5)[1] == date(2026, 10, 12)
