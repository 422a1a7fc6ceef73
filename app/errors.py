"""Refusals, as the services import them.

There is one refusal type, `DomainError` (message, problems, field errors, HTTP status),
with a subclass per status. It is defined beside the engine (`workflows.errors`), which
raises it too and imports nothing of the app; `app.web.errors` turns any of them into a page
or a JSON body, and `app.web.errors.refuse` into a flash message on the page the user came
from.
"""

from __future__ import annotations

from workflows.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    StaleVersion,
    TooManyAttempts,
)

__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "Invalid",
    "NotFound",
    "StaleVersion",
    "TooManyAttempts",
]
