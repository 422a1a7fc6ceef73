"""Refusals: the one error type of the engine and of every service.

A refusal is something a user should read: a message, the problems behind it (a list a page
shows as bullets), errors per field (shown next to the form's fields, or as the API's
`errors` object) and the HTTP status it maps to. The engine raises them, the services raise
them, and one handler turns them into a page (`app.web.errors`) or a JSON body. They live
here, at the bottom floor, because the engine imports nothing of the app; `app.errors`
re-exports them for the services.

Messages are English message ids passed through gettext (`workflows.i18n` in the engine,
Flask-Babel in the app) at the moment they are raised, so a refusal is already in the
reader's language.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal a user should read. `status` is the HTTP status it maps to."""

    status = 400

    def __init__(
        self,
        message: str,
        problems: list[str] | None = None,
        errors: dict[str, list[str]] | None = None,
        *,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.problems = [str(p) for p in problems or []]
        self.errors = {
            name: [str(m) for m in messages] for name, messages in (errors or {}).items()
        }
        if status is not None:
            self.status = status

    @property
    def headers(self) -> dict[str, str]:
        """Headers the response to this refusal carries (none but for rate limits)."""
        return {}

    @property
    def text(self) -> str:
        """The message and its problems in one line, as a flash message shows it."""
        return " ".join([self.message, *self.problems])


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class StaleVersion(Conflict):
    """Someone else changed the object since it was read."""


class Invalid(DomainError):
    status = 422


class TooManyAttempts(DomainError):
    """A rate limit was reached; `retry_after` says in how many seconds it ends (the
    response's Retry-After header), when known."""

    status = 429

    def __init__(self, *args: Any, retry_after: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


# -- the engine's refusals, by the check that failed -------------------------------------


class UnknownAction(NotFound):
    """The definition has no such action."""


class NotAllowedInState(Conflict):
    """The action does not start from the nomination's current state."""


class ActionForbidden(Forbidden):
    """The actor does not hold the action's role over the nomination."""


class CommentRequired(Invalid):
    """The action needs a comment and none was given."""


class GuardFailed(Conflict):
    """A guard of the action found problems (listed in `problems`)."""
