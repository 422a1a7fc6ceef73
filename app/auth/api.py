"""API tokens: issue one for a username and password, revoke the one in use."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from app.api.security import ApiBlueprint, unauthorized
from app.auth.models import SessionKind
from app.auth.schemas import TokenRequestSchema, TokenSchema
from app.auth.services import authenticate, end_session, start_session
from app.auth.session import api_user
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
        """
        require_password_login()
        try:
            user = authenticate(
                credentials["username"], credentials["password"], request.remote_addr or ""
            )
        except Invalid as exc:
            return unauthorized(exc.message)
        token, expires_at = start_session(user, SessionKind.API)
        return {"token": token, "expires_at": expires_at}

    @blp.token_required
    @blp.response(204)
    def delete(self) -> None:
        """Revoke the bearer token of this request; it stops working at once."""
        end_session(api_user().login_session_token or "")
