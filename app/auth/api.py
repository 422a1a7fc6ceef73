"""API tokens: issue one for a username and password, revoke the one in use; a user whose
password someone else set chooses their own first."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _

from app.api.security import ApiBlueprint, unauthorized
from app.auth.activation import ActivationRefused, set_own_password
from app.auth.models import SessionKind
from app.auth.schemas import PasswordChangeSchema, TokenRequestSchema, TokenSchema
from app.auth.services import (
    authenticate,
    end_session,
    password_activation,
    start_session,
)
from app.auth.session import api_user, password_change_required
from app.auth.sso import require_password_login
from app.errors import Invalid

blp = ApiBlueprint(
    "api_auth", __name__, url_prefix="/api/v1", description="Bearer tokens for API clients."
)


@blp.route("/auth/token")
class Token(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenSchema)
    @blp.errors(400, 401, 403, 422, 429)
    def post(self, credentials: dict[str, Any]) -> Any:
        """Issue a bearer token.

        Wrong credentials answer 401 (an unknown username as a wrong password). Throttled
        as the login page is, counted with it (docs/security.md, "Login and rate limits"):
        a client that failed `LOGIN_MAX_FAILURES` times on the username is refused it with
        429 and Retry-After until the window ends, other clients are not; many failures on
        one account or from one client make attempts wait, at most
        `LOGIN_DELAY_MAX_SECONDS`; a client past `LOGIN_CLIENT_MAX_FAILURES` is refused
        (429) accounts it has not logged in to before. 403 where password login is switched
        off for single sign-on (`PASSWORD_LOGIN=false`).

        403 with `reason` `password_change_required` when the credentials are right but the
        password was set by someone else (an initial password, an administrator's reset):
        the user chooses their own with `POST /api/v1/auth/password`, which answers with a
        token. An initial password is not used up by this refusal.
        """
        require_password_login()
        try:
            user = authenticate(
                credentials["username"],
                credentials["password"],
                request.remote_addr or "",
                consume=False,
            )
        except Invalid as exc:
            return unauthorized(exc.message)
        if user.must_change_password:
            return password_change_required()
        token, expires_at = start_session(user, SessionKind.API)
        return {"token": token, "expires_at": expires_at}

    @blp.token_required
    @blp.response(204)
    def delete(self) -> None:
        """Revoke the bearer token of this request; it stops working at once."""
        end_session(api_user().login_session_token or "")


@blp.route("/auth/password")
class Password(MethodView):
    @blp.arguments(PasswordChangeSchema)
    @blp.response(200, TokenSchema)
    @blp.errors(400, 401, 403, 422, 429)
    def post(self, data: dict[str, Any]) -> Any:
        """Choose one's own password; answers with a bearer token as `POST /auth/token` does.

        `password` is the present one: the initial password (which this uses up), the one
        an administrator set, or the user's own. Wrong credentials are 401, throttled and
        counted like `POST /auth/token`; a new password against the policy, or the present
        one again, is 422 with `errors.new_password`. Afterwards the user's other sessions
        and tokens have ended and the present password no longer works.
        """
        require_password_login()
        password = data["password"]
        try:
            user = authenticate(
                data["username"], password, request.remote_addr or "", consume=False
            )
        except Invalid as exc:
            return unauthorized(exc.message)
        try:
            set_own_password(  # Invalid (422) for a password against the policy
                user,
                data["new_password"],
                old=password,
                via="api",
                activation=password_activation(user, password),
            )
        except ActivationRefused:  # another request used the initial password meanwhile
            return unauthorized(_("Wrong username or password."))
        token, expires_at = start_session(user, SessionKind.API)
        return {"token": token, "expires_at": expires_at}
