"""What the commendation (表彰) plugs into the nomination core and the engine."""

from __future__ import annotations

from app.commendation import card, guards
from app.nominations import cards
from workflows.guards import GUARDS

CARD = cards.Card("honour", "commendation/_nomination_card.html", card.build_card, order=10)


def register() -> None:
    GUARDS.register_module(guards)
    cards.register(CARD)
