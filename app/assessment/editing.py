"""The union fills in the round being edited: key figures, and a rating and statement per item.

A draft may be saved partly filled in; what makes it complete is `app.assessment.completeness`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from flask_babel import gettext as _
from sqlalchemy import select

from app.assessment.models import FIGURE_FIELDS, AssessmentRound, ItemResponse, Rating
from app.assessment.policy import require_fill_in
from app.assessment.rates import figure_errors
from app.assessment.rounds import category_of, editing_round
from app.auth.models import User
from app.errors import Invalid
from app.extensions import db
from app.nominations.services import get_nomination
from app.standards.services import items_for
from app.timeutil import utcnow

MAX_STATEMENT = 2000


class _Keep(Enum):
    KEEP = "keep"


# An answer's field that was not sent: it keeps its stored value (None clears it).
KEEP = _Keep.KEEP


@dataclass
class Answer:
    """What was sent for one item; a field left at `KEEP` is not changed."""

    rating: str | None | _Keep = KEEP
    statement: str | None | _Keep = KEEP


def save_self_assessment(
    user: User,
    nomination_id: int,
    *,
    figures: dict[str, int | None] | None = None,
    answers: dict[int, Answer] | None = None,
) -> AssessmentRound:
    """Save a draft, partly filled or complete. Nothing is saved when any field is invalid.

    `figures` and `answers` hold only what was sent: a figure not given, and an answer's
    rating or statement left at `KEEP`, keep their value; None clears one.
    """
    nomination = get_nomination(user, nomination_id)
    require_fill_in(user, nomination)
    rnd = editing_round(nomination.id, lock=True)
    errors: dict[str, list[str]] = {}

    figures = dict(figures or {})
    for name in figures:
        if name not in FIGURE_FIELDS:
            errors[f"figures.{name}"] = [_("Unknown figure.")]
    merged = {**rnd.figures(), **{k: v for k, v in figures.items() if k in FIGURE_FIELDS}}
    for name, messages in figure_errors(merged).items():
        errors[f"figures.{name}"] = messages

    answers = answers or {}
    version_items = {i.id: i for i in items_for(rnd.standard_version_id, category_of(nomination))}
    for item_id, answer in answers.items():
        item = version_items.get(item_id)
        key = f"items.{item_id}"
        if item is None:
            errors[key] = [_("This item is not in the standard that applies to this unit.")]
            continue
        if answer.rating not in (KEEP, None, "", *[r.value for r in Rating]):
            errors[f"{key}.rating"] = [_("The self-rating must be met, not met or not applicable.")]
        elif answer.rating == Rating.NOT_APPLICABLE and not item.na_allowed:
            errors[f"{key}.rating"] = [_("“Not applicable” is not allowed for this item.")]
        if isinstance(answer.statement, str) and len(answer.statement) > MAX_STATEMENT:
            errors[f"{key}.statement"] = [
                _("The statement has at most %(n)s characters.", n=MAX_STATEMENT)
            ]
    if errors:
        raise Invalid(
            _("The self-assessment has errors; nothing was saved. Please correct them."),
            errors=errors,
        )

    for name, value in figures.items():
        setattr(rnd, name, value)
    existing = {
        r.item_id: r
        for r in db.session.scalars(select(ItemResponse).where(ItemResponse.round_id == rnd.id))
    }
    for item_id, answer in answers.items():
        response = existing.get(item_id)
        if response is None:
            response = ItemResponse(round_id=rnd.id, item_id=item_id)
            db.session.add(response)
        if answer.rating is not KEEP:
            response.rating = Rating(answer.rating) if answer.rating else None
        if answer.statement is not KEEP:
            response.statement = (answer.statement or "").strip() or None
    rnd.updated_at = utcnow()
    nomination.updated_at = rnd.updated_at
    db.session.commit()
    return rnd
