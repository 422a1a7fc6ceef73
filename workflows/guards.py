"""The guard registry: guard names (used by the definition) → the callables that check them.

A guard looks at the nomination it is asked about and returns the problems that stop the
action, ready to show in the reader's language; an empty list means the action may go
ahead. Guards read, never write.

The engine knows guards by name only. Their bodies live with the stage whose rule they
check (`app/assessment/guards.py`, `app/commendation/guards.py`, …): each is marked with
`@guard("name")`, and the app factory registers those modules explicitly
(`GUARDS.register_module`) and then checks that every guard the definition names is
registered (`GUARDS.verify`). Nothing registers itself by being imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

Guard = Callable[[Any], list[str]]

_MARK = "__workflow_guard__"


def guard(name: str) -> Callable[[Guard], Guard]:
    """Mark a function as the body of guard `name` (registered by `register_module`)."""

    def mark(fn: Guard) -> Guard:
        setattr(fn, _MARK, name)
        return fn

    return mark


class GuardRegistry:
    """Guard name → callable. One registry serves the whole process (`GUARDS`)."""

    def __init__(self) -> None:
        self._guards: dict[str, Guard] = {}

    def register(self, name: str, fn: Guard) -> None:
        """Register `fn` as guard `name`; registering the same function again is harmless."""
        known = self._guards.get(name)
        if known is not None and known is not fn:
            raise ValueError(
                f"guard {name} is registered twice ({known.__module__}, {fn.__module__})"
            )
        self._guards[name] = fn

    def register_module(self, module: ModuleType) -> list[str]:
        """Register every function of `module` marked with `@guard`; returns their names."""
        names = []
        for value in vars(module).values():
            name = getattr(value, _MARK, None)
            if isinstance(name, str) and callable(value):
                self.register(name, value)
                names.append(name)
        return names

    def verify(self, required: Iterable[str]) -> None:
        """Refuse to start when the definition names a guard nobody registered."""
        missing = sorted(set(required) - set(self._guards))
        if missing:
            raise ValueError(f"the workflow names guards that are not registered: {missing}")

    def __contains__(self, name: object) -> bool:
        return name in self._guards

    def problems(self, names: Iterable[str], nomination: Any) -> list[str]:
        """The problems of every named guard, in order."""
        found: list[str] = []
        for name in names:
            check = self._guards.get(name)
            if check is None:  # `verify` keeps this from happening in the app
                raise LookupError(f"guard {name} is not registered")
            found.extend(check(nomination))
        return found


GUARDS = GuardRegistry()
