"""Bearer-token authentication for the API, and the blueprint every API module uses.

`app.auth.session` resolves `Authorization: Bearer <token>` into `g.api_user` before each
/api/ request; `ApiBlueprint.token_required` is the one place that refuses a request without
it. The session cookie is never accepted here, so CSRF does not apply.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

from flask import Request, Response, g
from flask_babel import gettext as _
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser, abort

from app.api.schemas import ApiErrorSchema, in_database_range
from app.web.errors import MESSAGES, json_error

BEARER_SCHEME = "bearerAuth"
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A token from `POST /api/v1/auth/token`.",
}


def unauthorized(message: str) -> Response:
    """A 401 JSON error; RFC 9110 asks for the challenge header with it."""
    return json_error(401, message, headers={"WWW-Authenticate": 'Bearer realm="api"'})


class ApiParser(FlaskParser):
    """webargs' parser, with a message a client can act on for a body that is not JSON."""

    def _handle_invalid_json_error(
        self, error: Exception, req: Request, *args: Any, **kwargs: Any
    ) -> NoReturn:
        # 400, not 422: the body could not be read at all, so there are no fields to blame.
        abort(400, exc=error, message=_("The request body is not valid JSON."))

    def use_args(self, argmap: Any, *args: Any, **kwargs: Any) -> Any:
        """webargs' `use_args`, every whole number of the schema held to the database's
        range (`in_database_range`): no request reaches the database with an overflow."""
        return super().use_args(in_database_range(argmap), *args, **kwargs)


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose views document the JSON errors they return."""

    ARGUMENTS_PARSER = ApiParser()

    def errors(self, *codes: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document the error statuses a view may answer with (body: `ApiErrorSchema`)."""

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            for code in codes:
                func = self.alt_response(code, schema=ApiErrorSchema, description=MESSAGES[code])(
                    func
                )
            return func

        return decorator

    def token_required(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Refuse with 401 unless a live bearer token identified the user.

        Put it above `arguments`, so an anonymous caller learns nothing about the body.
        """

        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.get("api_user") is None:
                return unauthorized(
                    _("Please log in: no valid access token (Authorization: Bearer).")
                )
            return func(*args, **kwargs)

        documented = self.errors(401)(wrapper)
        return self.doc(security=[{BEARER_SCHEME: []}])(documented)
