"""What the member evaluation (会员评家) plugs into the nomination core."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask import Flask
from sqlalchemy import select

from app.evaluation import card, privacy
from app.evaluation.models import MemberEvaluation
from app.extensions import db
from app.nominations import cards, deadlines
from app.timeutil import to_beijing

CARD = cards.Card("evaluation", "evaluation/_nomination_card.html", card.build_card, order=30)


def evaluation_closes(nomination_ids: list[int]) -> Iterable[tuple[int, date]]:
    """A union's step in 会员评家 is due the day its evaluation window closes, once opened."""
    rows = db.session.execute(
        select(MemberEvaluation.nomination_id, MemberEvaluation.closes_at).where(
            MemberEvaluation.nomination_id.in_(nomination_ids),
            MemberEvaluation.closes_at.is_not(None),
        )
    )
    return [(nid, to_beijing(closes).date()) for nid, closes in rows]


def register(app: Flask) -> None:
    cards.register(CARD)
    deadlines.register_own_dates("member_evaluation", evaluation_closes)
    privacy.install(app)  # ballot headers on every response, tokens out of the logs
