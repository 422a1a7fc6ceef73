"""Jinja filters and globals: Beijing time, domain labels in the user's language."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import get_locale

from app.i18n import LANGUAGES
from app.labels_en import EN
from app.timeutil import beijing_today, format_beijing
from workflows.nomination import FINAL_STATES, STAGES, STATE_LABELS, STATE_STAGE

STATE_COLOURS = {
    "draft": "secondary", "submitted": "primary", "returned": "warning", "rejected": "danger",
    "withdrawn": "secondary", "member_evaluation": "info", "evaluation_failed": "danger",
    "awaiting_draw": "info", "spot_check": "info", "rectification": "warning",
    "spot_check_failed": "danger", "candidate": "primary", "publicity": "primary",
    "commended": "success", "not_commended": "secondary", "revoked": "dark",
    "honour_rectification": "warning",
}


def due(day: date | None) -> dict | None:
    """A due date as the pages show it: the date, days left (negative: overdue), a colour."""
    if day is None:
        return None
    left = (day - beijing_today()).days
    colour = "danger" if left < 0 else "warning" if left <= 3 else "secondary"
    return {"date": day.isoformat(), "left": left, "colour": colour, "overdue": left < 0}


def label(text: str | None) -> str:
    """A domain label in the current UI language."""
    if not text:
        return ""
    if str(get_locale()) == "en":
        return EN.get(text, text)
    return text


def beijing(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_beijing(value, fmt)
    return value.strftime("%Y-%m-%d")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["beijing"] = beijing
    app.jinja_env.filters["label"] = label
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
    )
