"""Flask-Login wiring: the cookie holds a server-side session token, never a user id."""

from __future__ import annotations

from typing import cast

from flask import Flask, Response, flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager

from app.auth.models import SessionKind, User
from app.auth.services import user_for_token
from app.auth.sso import password_login_allowed

PASSWORD_CHANGE_REQUIRED = "password_change_required"


def password_change_required() -> Response:
    """403 for a user who must choose a password before using the API."""
    from flask_babel import gettext as _

    from app.web.errors import json_error

    return json_error(
        403,
        _(
            "You must choose a new password before using the API: send it with "
            "POST /api/v1/auth/password."
        ),
        reason=PASSWORD_CHANGE_REQUIRED,
    )


def api_user() -> User:
    """The user of the request's bearer token (only inside `token_required` API views)."""
    return cast(User, g.api_user)


def init_app(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        return user_for_token(token, SessionKind.WEB)

    @login_manager.unauthorized_handler
    def unauthorized() -> ResponseReturnValue:
        from flask_babel import gettext as _

        if request.path.startswith("/api/"):
            from app.web.errors import json_error

            return json_error(401, _("Please log in."))
        flash(_("Please log in to continue."), "warning")
        return redirect(url_for("auth.login", next=request.full_path))

    @app.before_request
    def _api_bearer() -> None:
        # API clients authenticate with a bearer token; never with the session cookie, so
        # a cross-site form post can't ride on a logged-in browser.
        g.api_user = g.api_refusal = None
        if request.path.startswith("/api/"):
            header = request.headers.get("Authorization", "")
            if header.lower().startswith("bearer "):
                user = user_for_token(header[7:].strip(), SessionKind.API)
                if user is not None and user.must_change_password and password_login_allowed():
                    g.api_refusal = password_change_required()
                else:
                    g.api_user = user
