"""How the public pages of 表彰 (`app.commendation.public`) say dates, a list's period and a
listed candidate's state."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from app.commendation.models import Publicity
from app.commendation.policy import may_object
from app.commendation.publicity import PublicEntry
from app.timeutil import beijing_today
from app.web.templating import english, label
from workflows.nomination import STATE_LABELS


def long_date(day: date, *, with_year: bool = True) -> str:
    """“2026年11月23日” (“11月27日” without the year); ISO in English."""
    if english():
        return day.isoformat()
    return f"{day.year}年{day.month}月{day.day}日" if with_year else f"{day.month}月{day.day}日"


def period_text(publicity: Publicity) -> str:
    """“公示期：2026年11月23日至11月27日（5个工作日）”."""
    same_year = publicity.starts_on.year == publicity.ends_on.year
    return _(
        "Publicity period: %(start)s to %(end)s (%(n)s working days)",
        start=long_date(publicity.starts_on),
        end=long_date(publicity.ends_on, with_year=not same_year),
        n=publicity.working_days,
    )


def publicity_state(publicity: Publicity) -> str:
    """not_started / open / ended, by Beijing date."""
    today = beijing_today()
    if today < publicity.starts_on:
        return "not_started"
    return "open" if may_object(publicity) else "ended"


def status_text(entry: PublicEntry, state: str) -> str:
    if entry.status == "publicity" and state == "ended":
        return _("Period over, awaiting decision")
    return label(STATE_LABELS.get(entry.status, entry.status))
