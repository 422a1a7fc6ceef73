"""Error pages and JSON errors: never a traceback, always a message the user can act on."""

from __future__ import annotations

from typing import Any

from flask import Flask, flash, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask.wrappers import Response as FlaskResponse
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from app.errors import DomainError

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please log in."),
    403: _l("You are not allowed to do this."),
    404: _l("Not found, or you are not allowed to see it."),
    405: _l("This method is not allowed here."),
    409: _l("This conflicts with the current state."),
    413: _l("The upload is too large."),
    422: _l("Some fields are invalid."),
    429: _l("Too many attempts; please wait and try again."),
    500: _l("Something went wrong on our side; the error has been logged."),
    503: _l("The system is busy just now; nothing was saved. Please try again in a moment."),
}
BUSY_RETRY_AFTER = 5  # seconds, for a request that waited out the database's busy timeout


def flat_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """Field errors as one level: `{"items.0.rating": ["…"]}`, whatever their nesting.

    marshmallow nests the errors of a nested field (`{"items": {0: {"rating": [...]}}}`);
    the API's `errors` always names the field by its dotted path in the request body (a
    list's element by its position, a dictionary's entry by its key), with a list of
    messages, so that one schema describes every error body.
    """
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            flat.update(flat_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    for message in errors if isinstance(errors, list | tuple) else [errors]:
        if isinstance(message, dict):
            flat.update(flat_errors(message, prefix))
        else:
            flat.setdefault(prefix or "_schema", []).append(str(message))
    return flat


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(
    status: int,
    message: str,
    errors: dict[str, Any] | None = None,
    problems: list[str] | None = None,
    headers: dict[str, str] | None = None,
    reason: str | None = None,
) -> FlaskResponse:
    body: dict[str, Any] = {"code": status, "message": message}
    if reason:
        body["reason"] = reason
    if errors:
        body["errors"] = flat_errors(errors)
    if problems:
        body["problems"] = problems
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _page(status: int, message: str, problems: list[str] | None = None) -> tuple[str, int]:
    return render_template(
        "error.html", status=status, message=message, problems=problems or []
    ), status


def flash_refusal(exc: DomainError, *extra: str, category: str | None = None) -> None:
    """Show a refusal on the next page: its message, its problems and any `extra` lines.

    A conflict (someone changed it meanwhile, the state moved on) is a warning; anything
    else is an error, unless the page asks for another `category`.
    """
    if category is None:
        category = "warning" if exc.status == 409 else "danger"
    flash(" ".join([exc.message, *exc.problems, *extra]), category)


def refuse(exc: DomainError, url: str, *, category: str | None = None) -> Response:
    """A refusal of a posted form, told on the page the user came from (`url`).

    The transaction is rolled back. Not found and forbidden stay error pages: a user who
    may not see the object learns nothing more from a redirect.
    """
    from app.extensions import db

    db.session.rollback()
    if exc.status in (403, 404):
        raise exc
    flash_refusal(exc, category=category)
    return redirect(url, code=303)


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> ResponseReturnValue:
        if wants_json():
            return json_error(exc.status, exc.message, exc.errors, exc.problems, exc.headers)
        page, status = _page(exc.status, exc.message, exc.problems)
        return page, status, exc.headers

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        message = _(
            "The form has expired or was not sent from this site. "
            "Please go back, reload the page and try again."
        )
        if wants_json():
            return json_error(400, message)
        return _page(400, message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        status = exc.code or 500
        message = str(MESSAGES.get(status, exc.name))
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            if limit:
                message = _(
                    "The upload is too large: at most %(mb)s MB per request.",
                    mb=round(limit / 1024 / 1024, 1),
                )
        headers = {}
        if status == 405:
            # Keep the Allow header that Werkzeug computed for the route.
            allow = exc.get_response().headers.get("Allow")
            if allow:
                headers["Allow"] = allow
        if wants_json():
            data = getattr(exc, "data", None) or {}
            errors = data.get("errors") or data.get("messages")
            if status == 422 and errors:
                # webargs nests by location ("json", "query"); flatten for clients.
                if isinstance(errors, dict) and set(errors) <= {
                    "json",
                    "query",
                    "form",
                    "files",
                    "headers",
                }:
                    flat: dict[str, Any] = {}
                    for part in errors.values():
                        flat.update(part)
                    errors = flat
                return json_error(status, str(MESSAGES[422]), errors, headers=headers)
            return json_error(status, data.get("message") or message, headers=headers)
        response, code = _page(status, message)
        return response, code, headers

    @app.errorhandler(OperationalError)
    def database_busy(exc: OperationalError) -> ResponseReturnValue:
        """SQLite's `database is locked` after the busy timeout (a writer held the lock
        longer than SQLITE_BUSY_TIMEOUT_SECONDS): the request is rolled back and answered
        503 with Retry-After, nothing half-done. Any other operational error is a 500."""
        if "database is locked" not in str(exc.orig or exc):
            return unexpected(exc)
        app.logger.warning("database busy on %s %s: %s", request.method, request.path, exc)
        from app.extensions import db

        db.session.rollback()
        headers = {"Retry-After": str(BUSY_RETRY_AFTER)}
        if wants_json():
            return json_error(503, str(MESSAGES[503]), headers=headers)
        response, code = _page(503, str(MESSAGES[503]))
        return response, code, headers

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> ResponseReturnValue:
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        from app.extensions import db

        db.session.rollback()
        if wants_json():
            return json_error(500, str(MESSAGES[500]))
        return _page(500, str(MESSAGES[500]))
