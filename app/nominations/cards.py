"""The nomination page's stage cards: what each stage shows of a nomination.

The page (`app.nominations.page`) knows no stage: each stage registers a `Card` from the app
factory (its `plugin.register()`), with a builder that returns what its template needs — or
None when the stage has nothing to show this user yet — and the page renders the cards in
`order` (the latest stage first). A builder may receive `state` from a stage's own view that
re-renders the page, e.g. forms typed into the card with their errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.auth.models import User
from app.nominations.models import Nomination

Builder = Callable[[User, Nomination, Any], Any]


@dataclass(frozen=True)
class Card:
    """One stage's card: `template` is rendered with the builder's result as `stage_card`."""

    name: str
    template: str
    build: Builder
    order: int


@dataclass(frozen=True)
class BuiltCard:
    name: str
    template: str
    data: Any


_CARDS: dict[str, Card] = {}


def register(card: Card) -> None:
    """Add a stage's card (registering the same card again is harmless)."""
    known = _CARDS.get(card.name)
    if known is not None and known != card:
        raise ValueError(f"card {card.name} is registered twice")
    _CARDS[card.name] = card


def build_cards(
    user: User, nomination: Nomination, state: dict[str, Any] | None = None
) -> list[BuiltCard]:
    """The cards this user sees on this nomination's page, in page order."""
    built = []
    for card in sorted(_CARDS.values(), key=lambda c: c.order):
        data = card.build(user, nomination, (state or {}).get(card.name))
        if data is not None:
            built.append(BuiltCard(card.name, card.template, data))
    return built
