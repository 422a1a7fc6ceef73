"""The nomination page's self-assessment card: the latest round's progress and rates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.assessment.models import AssessmentRound, ItemResponse, ReviewComment
from app.assessment.rates import RateResult, compute_rates
from app.assessment.rounds import category_of, rounds_of
from app.auth.models import User
from app.extensions import db
from app.nominations.models import Nomination
from app.standards.models import StandardItem, StandardVersion


@dataclass
class RoundSummary:
    """The latest round at a glance, for the nomination page's self-assessment card."""

    round: AssessmentRound
    numbers: list[int]  # every round's number, oldest first
    item_count: int
    answered_count: int
    rates: list[RateResult]
    comment_count: int  # reviewer comments on the latest round


def round_summary(nomination: Nomination) -> RoundSummary | None:
    """The latest round's progress and rates, in two queries (the nomination page's budget)."""
    if nomination.org.category is None:
        return None  # no standard applies; the self-assessment page explains why
    rounds = rounds_of(nomination.id)
    if not rounds:
        return None
    rnd = rounds[-1]
    category = category_of(nomination)
    item_count = (
        select(func.count())
        .select_from(StandardItem)
        .where(
            StandardItem.version_id == rnd.standard_version_id, StandardItem.category == category
        )
        .scalar_subquery()
    )
    answered = (
        select(func.count())
        .select_from(ItemResponse)
        .join(StandardItem)
        .where(
            ItemResponse.round_id == rnd.id,
            ItemResponse.rating.is_not(None),
            StandardItem.category == category,
        )
        .scalar_subquery()
    )
    comments = (
        select(func.count())
        .select_from(ReviewComment)
        .where(ReviewComment.round_id == rnd.id)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(StandardVersion.content, item_count, answered, comments).where(
            StandardVersion.id == rnd.standard_version_id
        )
    ).one()
    content, items, done, notes = row
    return RoundSummary(
        round=rnd,
        numbers=[r.number for r in rounds],
        item_count=items or 0,
        answered_count=done or 0,
        rates=compute_rates(category, rnd.figures(), content["thresholds"][category]),
        comment_count=notes or 0,
    )


def build_card(user: User, nomination: Nomination, state: Any = None) -> RoundSummary | None:
    """The latest round at a glance (None before there is one, or where no standard applies)."""
    return round_summary(nomination)
