"""What a workflow action does beyond the state change: hooks the stages plug in.

`take_action` runs `prepare` hooks before firing (they may fill in the comment) and `after`
hooks once the state has changed, in the same transaction; `fire_stage_action` runs the
`after` hooks too. A stage marks its hooks with `@prepare(...)` / `@after(...)` (e.g. the
self-assessment freezes a round on submit and opens the next one on return), and its
`plugin.register()` registers the module from the app factory (`register_module`), so the
engine and the nomination service stay free of stage details and nothing registers itself
by being imported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from types import ModuleType
from typing import Any

Prepare = Callable[[Any, str | None], str | None]
After = Callable[[Any], None]

_MARK = "__nomination_effect__"
_PREPARE: dict[str, list[Prepare]] = defaultdict(list)
_AFTER: dict[str, list[After]] = defaultdict(list)


def prepare(*actions: str) -> Callable[[Prepare], Prepare]:
    """Mark a hook run before `actions` fire; it returns the comment to fire with."""

    def mark(fn: Prepare) -> Prepare:
        setattr(fn, _MARK, ("prepare", actions))
        return fn

    return mark


def after(*actions: str) -> Callable[[After], After]:
    """Mark a hook run after `actions` changed the state (same transaction)."""

    def mark(fn: After) -> After:
        setattr(fn, _MARK, ("after", actions))
        return fn

    return mark


def register_module(module: ModuleType) -> None:
    """Register every hook of `module` marked with `prepare` or `after` (once each)."""
    for value in vars(module).values():
        marked = getattr(value, _MARK, None)
        if not (isinstance(marked, tuple) and callable(value)):
            continue
        kind, actions = marked
        table: dict[str, list[Any]] = _PREPARE if kind == "prepare" else _AFTER
        for action in actions:
            if value not in table[action]:
                table[action].append(value)


def run_prepare(nomination: Any, action: str, comment: str | None) -> str | None:
    for fn in _PREPARE.get(action, ()):
        comment = fn(nomination, comment)
    return comment


def run_after(nomination: Any, action: str) -> None:
    for fn in _AFTER.get(action, ()):
        fn(nomination)
