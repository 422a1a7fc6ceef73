"""Who sees a nomination, whose move it is, who acts on it: the stages' part.

The core rule is the organisation tree: a role held at an organisation reaches its subtree,
and a state's owner (`STATE_OWNER`) has the move. Some stages add to it, and register what
they add from their `plugin.register()`:

- an **assignment**: a role that works only on the nominations it is assigned to (the
  inspectors of a spot check) sees those, acts on those and has their steps on its 待办;
- a **handover**: once the union has handed in its part of a step (an answered
  rectification), the step is someone else's move although the state has not changed;
- **more work**: a role's 待办 beyond the states it owns (a district reviewer deciding an
  answered rectification).

The nomination services and the reminder sweep ask this module and know no stage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select

from app.auth.models import User
from app.campaigns.models import Campaign


@dataclass(frozen=True)
class Assignment:
    """A role that works through assignments to nominations rather than a subtree."""

    role: str
    # Subquery: the ids of the nominations the user is assigned to.
    assigned: Callable[[User], Select]
    # Whether the user is assigned to this nomination (one indexed query).
    is_assigned: Callable[[User, int], bool]
    # The user's 待办 among the assigned nominations.
    work: Callable[[User], ColumnElement[bool]]
    # Nomination id → the assigned users, for the nominations given (one query).
    assignees: Callable[[list[int]], dict[int, set[int]]]


@dataclass(frozen=True)
class Handover:
    """In `state` (the union's), once `handed_in` holds, the move is `taker(campaign)`'s."""

    state: str
    # Subquery: the ids of the nominations whose part the union has handed in.
    handed_in: Callable[[], Select]
    # The role whose move it is then (it may depend on a campaign setting).
    taker: Callable[[Campaign], str]


# A role's 待办 beyond the states it owns: (the user, the organisations where the user
# holds the role) → a WHERE clause, or None.
MoreWork = Callable[[User, set[int]], ColumnElement[bool] | None]

_ASSIGNMENTS: dict[str, Assignment] = {}
_HANDOVERS: dict[str, Handover] = {}
_MORE_WORK: dict[tuple[str, str], MoreWork] = {}


def register_assignment(assignment: Assignment) -> None:
    _register(_ASSIGNMENTS, assignment.role, assignment)


def register_handover(handover: Handover) -> None:
    _register(_HANDOVERS, handover.state, handover)


def register_more_work(role: str, name: str, clause: MoreWork) -> None:
    _register(_MORE_WORK, (role, name), clause)


def _register(table: dict[Any, Any], key: object, value: object) -> None:
    known = table.get(key)
    if known is not None and known != value:
        raise ValueError(f"{key} is registered twice")
    table[key] = value


def assignment(role: str) -> Assignment | None:
    """How `role` works through assignments, if it does."""
    return _ASSIGNMENTS.get(role)


def assignments() -> list[Assignment]:
    return list(_ASSIGNMENTS.values())


def handovers() -> list[Handover]:
    return list(_HANDOVERS.values())


def more_work(role: str) -> list[MoreWork]:
    return [clause for (r, _name), clause in _MORE_WORK.items() if r == role]
