"""What the self-assessment (申报自查) plugs into the nomination core and the engine."""

from __future__ import annotations

from flask import Flask

from app.assessment import card, effects, guards
from app.nominations import cards
from app.nominations import effects as nomination_effects
from workflows.guards import GUARDS

CARD = cards.Card("assessment", "assessment/_nomination_card.html", card.build_card, order=40)


def register(app: Flask) -> None:
    GUARDS.register_module(guards)
    nomination_effects.register_module(effects)
    cards.register(CARD)
