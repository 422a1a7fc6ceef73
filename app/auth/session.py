"""Flask-Login wiring: the cookie holds a server-side session token, never a user id."""

from __future__ import annotations

from typing import cast

from flask import Flask, flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager

from app.auth.models import SessionKind, User
from app.auth.services import user_for_token


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
        g.api_user = None
        if request.path.startswith("/api/"):
            header = request.headers.get("Authorization", "")
            if header.lower().startswith("bearer "):
                g.api_user = user_for_token(header[7:].strip(), SessionKind.API)
