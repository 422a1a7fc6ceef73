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
from marshmallow import Schema
from webargs.flaskparser import FlaskParser, abort
from werkzeug.datastructures import CombinedMultiDict

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
    """webargs' parser, with a message a client can act on for a body that is not JSON.

    Its "form" location also holds the uploaded files, so that one schema describes a
    multipart body (fields and files) as one OpenAPI 3 `requestBody`.
    """

    def load_form(self, req: Request, schema: Schema) -> Any:
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)

    def _handle_invalid_json_error(
        self, error: Exception, req: Request, *args: Any, **kwargs: Any
    ) -> NoReturn:
        # 400, not 422: the body could not be read at all, so there are no fields to blame.
        abort(400, exc=error, message=_("The request body is not valid JSON."))

    def use_args(self, argmap: Any, *args: Any, **kwargs: Any) -> Any:
        """webargs' `use_args`, every whole number of the schema held to the database's
        range (`in_database_range`): no request reaches the database with an overflow."""
        return super().use_args(in_database_range(argmap), *args, **kwargs)


# The errors that reading arguments from a location can answer with, whatever the view does
# next: a body that is not JSON (400), one larger than the server takes (413), fields that
# break the schema (422).
ARGUMENT_ERRORS = {
    "json": (400, 413, 422),
    "form": (413, 422),
    "files": (413, 422),
    "query": (422,),
}


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose views document the JSON errors they return."""

    ARGUMENTS_PARSER = ApiParser()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.insert(0, self._document_the_input_guard)

    @staticmethod
    def _document_the_input_guard(doc: dict, doc_info: dict, **kwargs: Any) -> dict:
        """Every operation may answer 422: the input guard (`app.web.inputs`) refuses, before
        any view, a request whose path, query or body holds a control character."""
        responses = doc_info.setdefault("response", {}).setdefault("responses", {})
        responses.setdefault(
            422, [{"schema": ApiErrorSchema(), "description": MESSAGES[422], "content_type": None}]
        )
        return doc

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Any:
        """flask-smorest's `arguments`, documenting the errors its location can give."""
        parse = super().arguments(schema, location=location, **kwargs)
        document = self.errors(*ARGUMENT_ERRORS[location])
        return lambda func: document(parse(func))

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
        """Refuse with 401 unless a live bearer token identified the user, or with the
        refusal `app.auth.session` left in `g.api_refusal` for a token that may not be used
        (403: its user must choose a password first).

        Put it above `arguments`, so an anonymous caller learns nothing about the body.
        """

        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            refusal = g.get("api_refusal")
            if refusal is not None:  # a live token its user may not use yet (403)
                return refusal
            if g.get("api_user") is None:
                return unauthorized(
                    _("Please log in: no valid access token (Authorization: Bearer).")
                )
            return func(*args, **kwargs)

        documented = self.errors(401, 403)(wrapper)
        return self.doc(security=[{BEARER_SCHEME: []}])(documented)
