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
from app.errors import Invalid

blp = ApiBlueprint(
    "api_auth", __name__, url_prefix="/api/v1", description="Bearer tokens for API clients."
)


@blp.route("/auth/token")
class Token(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenSchema)
    @blp.errors(400, 401, 422, 429)
    def post(self, credentials: dict[str, Any]) -> Any:
        """Issue a bearer token.

        Wrong credentials answer 401; repeated failures for a username or from an address
        are throttled with 429, as for the login page.
        """
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
