"""What a workflow action does beyond the state change, registered by the stage modules.

`take_action` runs `prepare` hooks before firing (they may fill in the comment) and `after`
hooks once the state has changed, in the same transaction. The stage packages register
their hooks at import (e.g. the self-assessment freezes a round on submit and opens the
next one on return), so the engine and the nomination service stay free of stage details.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Prepare = Callable[[Any, str | None], str | None]
After = Callable[[Any], None]

_PREPARE: dict[str, list[Prepare]] = defaultdict(list)
_AFTER: dict[str, list[After]] = defaultdict(list)


def prepare(*actions: str) -> Callable[[Prepare], Prepare]:
    def register(fn: Prepare) -> Prepare:
        for action in actions:
            _PREPARE[action].append(fn)
        return fn

    return register


def after(*actions: str) -> Callable[[After], After]:
    def register(fn: After) -> After:
        for action in actions:
            _AFTER[action].append(fn)
        return fn

    return register


def run_prepare(nomination: Any, action: str, comment: str | None) -> str | None:
    for fn in _PREPARE.get(action, ()):
        comment = fn(nomination, comment)
    return comment


def run_after(nomination: Any, action: str) -> None:
    for fn in _AFTER.get(action, ()):
        fn(nomination)
