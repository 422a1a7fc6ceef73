"""What the spot check (随机抽查) plugs into the nomination core."""

from __future__ import annotations

from app.nominations import cards
from app.spot_checks import card

CARD = cards.Card("spot_check", "spot_checks/_nomination_card.html", card.build_card, order=20)


def register() -> None:
    cards.register(CARD)
