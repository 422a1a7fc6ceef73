"""Domain errors: raised by services, turned into a page or JSON by the error handlers."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal a user should read. `status` is the HTTP status it maps to."""

    status = 400

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
    status = 429
