"""The menu's entries beyond the ones every user has: each package that has a page for some
users registers an entry from its `plugin.register()`, with the rule that decides who sees
it; the layout shows the entries the current user may follow, in `order`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_login import current_user


@dataclass(frozen=True)
class MenuEntry:
    name: str
    label: Any  # a lazy translation
    endpoint: str
    allowed: Callable[[Any], bool]  # the logged-in user → may they follow it
    order: int
    testid: str | None = None


@dataclass(frozen=True)
class ShownEntry:
    label: str
    url: str
    testid: str | None


_ENTRIES: dict[str, MenuEntry] = {}


def register(entry: MenuEntry) -> None:
    known = _ENTRIES.get(entry.name)
    if known is not None and known != entry:
        raise ValueError(f"menu entry {entry.name} is registered twice")
    _ENTRIES[entry.name] = entry


def menu_entries() -> list[ShownEntry]:
    """The entries the current user may follow (none before logging in)."""
    if not current_user.is_authenticated:
        return []
    return [
        ShownEntry(str(e.label), url_for(e.endpoint), e.testid)
        for e in sorted(_ENTRIES.values(), key=lambda e: e.order)
        if e.allowed(current_user)
    ]
