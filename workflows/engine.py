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

from workflows.guards import GUARDS
from workflows.nomination import ACTIONS, STATE_NAMES, SYSTEM, TRANSITIONS, Action


class WorkflowError(Exception):
    """Base of the engine's refusals; `status` is the HTTP status it maps to."""

    status = 409

    def __init__(
        self,
        message: str,
        problems: list[str] | None = None,
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        self.errors = errors or {}


class UnknownAction(WorkflowError):
    status = 404


class NotAllowedInState(WorkflowError):
    status = 409


class ActionForbidden(WorkflowError):
    status = 403


class CommentRequired(WorkflowError):
    status = 422


class GuardFailed(WorkflowError):
    status = 409


for _action in ACTIONS.values():
    for _guard in _action.guards:
        if _guard not in GUARDS:
            raise ValueError(f"action {_action.name} names unknown guard {_guard}")

# The transition table handed to transitions, built once at import. Every transition goes
# through the same `_check` condition, which raises a WorkflowError with the reason.
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
        if action.role == SYSTEM or not self._permits(action.role):
            raise ActionForbidden(f"您无权对此申报执行“{action.label}”。")
        if self.state not in action.source:
            raise NotAllowedInState(f"当前状态下不能执行“{action.label}”。")
        if check_comment and action.comment_required and not (comment or "").strip():
            raise CommentRequired(
                f"“{action.label}”必须填写意见。", errors={"comment": ["请填写意见。"]}
            )
        issues = [p for name in action.guards for p in GUARDS[name](self.nomination)]
        if issues:
            raise GuardFailed(f"暂不能“{action.label}”：", problems=issues)

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
                self.problems(action, check_comment=False)
            except WorkflowError as exc:
                options.append(ActionOption(action, [exc.message, *exc.problems]))
            else:
                options.append(ActionOption(action))
        return options

    def available(self) -> list[str]:
        """Names of the actions this actor may take right now."""
        return [o.action.name for o in self.options() if o.allowed]

    # -- firing ---------------------------------------------------------------------------

    def fire(self, name: str, comment: str | None = None, *, system: bool = False) -> str:
        """Take action `name`; returns the new state or raises a WorkflowError."""
        action = ACTIONS.get(name)
        if action is None:
            raise UnknownAction(f"没有“{name}”这个操作。")
        if system:
            # Fired by a stage's own service (e.g. closing an evaluation): the service has
            # checked who may do it; the state must still allow it.
            if self.state not in action.source:
                raise NotAllowedInState(f"当前状态下不能执行“{action.label}”。")
        else:
            # Refuse with the precise reason before transitions would raise its own error.
            self.problems(action, comment)
        self._comment = comment
        self._system = system
        getattr(self, name)()
        return self.state

    def _check(self, event: Any) -> bool:
        action = ACTIONS[event.event.name]
        if self._system:
            issues = [p for g in action.guards for p in GUARDS[g](self.nomination)]
            if issues:
                raise GuardFailed(f"暂不能“{action.label}”：", problems=issues)
            return True
        self.problems(action, self._comment)
        return True

    def _record(self, event: Any) -> None:
        action = ACTIONS[event.event.name]
        self._record_change(
            action,
            event.transition.source,
            event.transition.dest,
            (self._comment or "").strip() or None,
        )
