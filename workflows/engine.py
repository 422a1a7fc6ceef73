"""The engine: a transitions Machine wrapped around one nomination for one request.

Following viewflow's composition, the workflow object wraps the model rather than the model
inheriting the workflow; `state` proxies the nomination's `status` column. One machine is
built per use and dropped with it, so no machine per row stays in memory. Nothing here
commits: the service that fires an action owns the transaction and the audit row is added
to the same session in `_record`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from transitions import Machine

from workflows.errors import (
    ActionForbidden,
    CommentRequired,
    DomainError,
    GuardFailed,
    NotAllowedInState,
    UnknownAction,
)
from workflows.guards import GUARDS
from workflows.i18n import _, label
from workflows.nomination import ACTIONS, STATE_NAMES, SYSTEM, TRANSITIONS, Action

# The engine raises the app's one refusal type (`workflows.errors`); the names of its
# refusals are offered here too, beside the engine that raises them.
__all__ = [
    "ActionForbidden",
    "ActionOption",
    "CommentRequired",
    "GuardFailed",
    "NominationWorkflow",
    "NotAllowedInState",
    "UnknownAction",
]


# The transition table handed to transitions, built once at import. Every transition goes
# through the same `_check` condition, which raises a refusal with the reason.
MACHINE_TRANSITIONS: list[dict[str, Any]] = [
    {
        "trigger": row["trigger"],
        "source": row["source"],
        "dest": row["dest"],
        "conditions": "_check",
    }
    for row in TRANSITIONS
]

# permits(role) -> whether the actor holds `role` over this nomination (scope included).
Permits = Callable[[str], bool]
Recorder = Callable[[Action, str, str, str | None], None]


@dataclass
class ActionOption:
    """What the page and the API offer: an action this actor's role could take now."""

    action: Action
    problems: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.problems


class NominationWorkflow:
    """The state machine around one nomination, for one actor."""

    def __init__(self, nomination: Any, permits: Permits, record: Recorder) -> None:
        self.nomination = nomination
        self._permits = permits
        self._record_change = record
        self._comment: str | None = None
        self._system = False
        self._firing: Action | None = None
        Machine(
            model=self,
            states=STATE_NAMES,
            transitions=MACHINE_TRANSITIONS,
            initial=nomination.status,
            auto_transitions=False,
            send_event=True,
            after_state_change="_record",
        )

    @property
    def state(self) -> str:
        return self.nomination.status

    @state.setter
    def state(self, value: str) -> None:
        self.nomination.status = value

    # -- checks ---------------------------------------------------------------------------

    def problems(
        self, action: Action, comment: str | None = None, *, check_comment: bool = True
    ) -> None:
        """Raise the first refusal that applies to `action`, in the order a user needs it."""
        self._check_actor(action)
        self._check_state(action)
        self._check_conditions(action, comment, check_comment=check_comment)

    def _check_actor(self, action: Action) -> None:
        if action.role == SYSTEM or not self._permits(action.role):
            raise ActionForbidden(
                _("You may not “%(action)s” this nomination.", action=label(action.label))
            )

    def _check_state(self, action: Action) -> None:
        if self.state not in action.source:
            raise NotAllowedInState(
                _("“%(action)s” is not possible in the current state.", action=label(action.label))
            )

    def _check_conditions(
        self, action: Action, comment: str | None, *, check_comment: bool
    ) -> None:
        """The action's comment rule, then its guards (each guard runs once per call)."""
        if check_comment and action.comment_required and not (comment or "").strip():
            raise CommentRequired(
                _("“%(action)s” needs a comment.", action=label(action.label)),
                errors={"comment": [_("Please write a comment.")]},
            )
        issues = GUARDS.problems(action.guards, self.nomination)
        if issues:
            raise GuardFailed(
                _("Cannot “%(action)s” yet:", action=label(action.label)), problems=issues
            )

    def options(self, *, manual_only: bool = True) -> list[ActionOption]:
        """Actions from the current state that this actor's role allows, with any blockers."""
        options = []
        for action in ACTIONS.values():
            if manual_only and not action.manual:
                continue
            if self.state not in action.source or action.role == SYSTEM:
                continue
            if not self._permits(action.role):
                continue
            try:
                self._check_conditions(action, None, check_comment=False)
            except DomainError as exc:
                options.append(ActionOption(action, [exc.message, *exc.problems]))
            else:
                options.append(ActionOption(action))
        return options

    def available(self) -> list[str]:
        """Names of the actions this actor may take right now."""
        return [o.action.name for o in self.options() if o.allowed]

    # -- firing ---------------------------------------------------------------------------

    def fire(self, name: str, comment: str | None = None, *, system: bool = False) -> str:
        """Take action `name`; returns the new state or raises a refusal.

        A person's action is checked for the role, then the state (before transitions would
        raise its own error), then — in the transition's one condition, `_check` — the
        comment rule and the guards. An action fired by a stage's own service (`system`,
        e.g. closing an evaluation) has been authorised by that service; the state and the
        guards still apply.
        """
        action = ACTIONS.get(name)
        if action is None:
            raise UnknownAction(_("There is no action “%(name)s”.", name=name))
        if not system:
            self._check_actor(action)
        self._check_state(action)
        self._comment = comment
        self._system = system
        self._firing = action
        try:
            getattr(self, name)()
        finally:
            self._firing = None
        return self.state

    def _check(self, event: Any) -> bool:
        action = ACTIONS[event.event.name]
        if self._firing is not action:
            # A trigger called directly rather than through `fire`: check everything.
            self.problems(action, self._comment)
            return True
        self._check_conditions(action, self._comment, check_comment=not self._system)
        return True

    def _record(self, event: Any) -> None:
        action = ACTIONS[event.event.name]
        self._record_change(
            action,
            event.transition.source,
            event.transition.dest,
            (self._comment or "").strip() or None,
        )
