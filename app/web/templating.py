"""Jinja filters and globals: Beijing time, domain labels in the user's language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, g
from flask_babel import get_locale
from flask_babel import gettext as _
from jinja2 import pass_context
from markupsafe import Markup, escape

from app.i18n import LANGUAGES
from app.timeutil import beijing_today, format_beijing
from app.web.labels_en import EN
from app.web.menu import menu_entries
from workflows.nomination import FINAL_STATES, STAGES, STATE_LABELS, STATE_STAGE

STATE_COLOURS = {
    "draft": "secondary",
    "submitted": "primary",
    "returned": "warning",
    "rejected": "danger",
    "withdrawn": "secondary",
    "member_evaluation": "info",
    "evaluation_failed": "danger",
    "awaiting_draw": "info",
    "spot_check": "info",
    "rectification": "warning",
    "spot_check_failed": "danger",
    "candidate": "primary",
    "publicity": "primary",
    "commended": "success",
    "not_commended": "secondary",
    "revoked": "dark",
    "honour_rectification": "warning",
}


def due(day: date | None) -> dict[str, Any] | None:
    """A due date as the pages show it: the date, days left (negative: overdue), a colour."""
    if day is None:
        return None
    left = (day - beijing_today()).days
    colour = "danger" if left < 0 else "warning" if left <= 3 else "secondary"
    return {"date": day.isoformat(), "left": left, "colour": colour, "overdue": left < 0}


def english() -> bool:
    """Whether this request's UI language is English, read once per request (list pages
    ask for every row); kept on `g`, where Flask-Babel keeps the locale itself."""
    try:
        return bool(g._english)
    except AttributeError:
        g._english = str(get_locale()) == "en"
        return bool(g._english)


def label(text: str | None) -> str:
    """A domain label in the current UI language."""
    if not text:
        return ""
    if english():
        return EN.get(text, text)
    return text


def due_badge(day: date | None, prefix: bool = True) -> Markup:
    """A step's due date with what it means today: days left, due today, or overdue.

    Written in Python rather than as a Jinja macro: the worklist shows one per row."""
    d = due(day)
    if d is None:
        return Markup("")
    if d["left"] < 0:
        when = _("overdue by %(n)s days", n=-d["left"])
    elif d["left"] == 0:
        when = _("due today")
    else:
        when = _("%(n)s days left", n=d["left"])
    head = f"{escape(_('Due'))} " if prefix else ""
    overdue = ' data-overdue="1"' if d["overdue"] else ""
    return Markup(
        f'<span class="badge text-bg-{d["colour"]}" data-testid="due"{overdue}>'
        f"{head}{d['date']} · {escape(when)}</span>"
    )


def beijing(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_beijing(value, fmt)
    return value.strftime("%Y-%m-%d")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["beijing"] = beijing
    # pass_context: Jinja would otherwise fold `"已表彰" | label` on a literal once, at compile
    # time, in whichever language rendered the template first.
    app.jinja_env.filters["label"] = pass_context(lambda _context, text: label(text))
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        STATE_COLOURS=STATE_COLOURS,
        STAGES=STAGES,
        STAGE_ORDER=[s["name"] for s in STAGES],
        STATE_STAGE=STATE_STAGE,
        STATE_LABELS=STATE_LABELS,
        FINAL_STATES=FINAL_STATES,
        current_locale=lambda: str(get_locale()),
        due=due,
        due_badge=due_badge,
        menu_entries=menu_entries,
    )
