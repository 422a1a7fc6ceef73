"""What the member evaluation (会员评家) plugs into the nomination core."""

from __future__ import annotations

from app.evaluation import card
from app.nominations import cards

CARD = cards.Card("evaluation", "evaluation/_nomination_card.html", card.build_card, order=30)


def register() -> None:
    cards.register(CARD)
