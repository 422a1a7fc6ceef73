"""Single sign-on with OpenID Connect: the authorization code flow with PKCE (S256), through
Authlib's Flask client, against the deployment's identity service (`OIDC_ISSUER`).

The provider's metadata is read from its discovery document the first time someone signs
on, not at start-up, so the app starts while the identity service is down. Authlib keeps
`state`, `nonce` and the PKCE verifier in the signed session cookie and checks the ID
token's signature, issuer, audience, expiry and nonce. The identity becomes a user of ours
by `OIDC_MATCH`:

- `username`: the claim `OIDC_USERNAME_CLAIM` (default `preferred_username`) is the
  username;
- `mobile`: the `phone_number` claim, normalised like every mobile number here
  (app/auth/mobile.py), is the user's `mobile` — and the provider must not say it is
  unverified (`phone_number_verified: false` is refused).

Nobody is created by signing on: an identity without a user here, or with a deactivated one,
is refused in words. Local password login stays unless `PASSWORD_LOGIN` is false.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.mobile import normalise_mobile
from app.auth.models import User
from app.errors import Forbidden, Invalid
from app.extensions import db

CLIENT = "sso"
MATCHES = ("username", "mobile")


def init_sso(app: Flask) -> None:
    """Register the OpenID Connect client when `OIDC_ISSUER` is set."""
    issuer = (app.config.get("OIDC_ISSUER") or "").rstrip("/")
    if not issuer:
        return
    if app.config["OIDC_MATCH"] not in MATCHES:
        raise RuntimeError(f"OIDC_MATCH must be one of {', '.join(MATCHES)}")
    oauth = OAuth(app)
    oauth.register(
        CLIENT,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"] or None,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": app.config["OIDC_SCOPES"], "code_challenge_method": "S256"},
    )
    app.extensions["sso"] = oauth


def sso_enabled() -> bool:
    return "sso" in current_app.extensions


def sso_client() -> Any:
    return current_app.extensions["sso"].create_client(CLIENT)


def provider_name() -> str:
    return current_app.config.get("OIDC_PROVIDER_NAME") or _("Unified identity service")


def password_login_allowed() -> bool:
    return bool(current_app.config["PASSWORD_LOGIN"]) or not sso_enabled()


def require_password_login() -> None:
    """Forbidden when password login is switched off (and single sign-on is on)."""
    if not password_login_allowed():
        raise Forbidden(
            _(
                "Password login is switched off here; please sign on with %(name)s.",
                name=provider_name(),
            )
        )


def claims_of(token: dict[str, Any]) -> dict[str, Any]:
    """The identity's claims: the checked ID token's, completed from the userinfo endpoint
    when the provider keeps the profile there (as conforming providers do when they issue an
    access token). The userinfo answer must be about the same subject, or it is ignored."""
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub"):
        raise Invalid(_("The identity service did not say who you are."))
    wanted = "phone_number" if current_app.config["OIDC_MATCH"] == "mobile" else None
    wanted = wanted or current_app.config["OIDC_USERNAME_CLAIM"]
    if wanted not in claims and token.get("access_token"):
        info = dict(sso_client().userinfo(token=token))
        if info.get("sub") == claims["sub"]:
            claims.update(info)
    return claims


def user_for_claims(claims: dict[str, Any]) -> User:
    """Our user for the provider's verified claims, or Invalid saying why not."""
    match = current_app.config["OIDC_MATCH"]
    user: User | None = None
    if match == "mobile":
        if claims.get("phone_number_verified") is False:
            raise Invalid(_("The identity service has not verified your mobile number."))
        try:
            mobile = normalise_mobile(str(claims.get("phone_number") or ""))
        except ValueError:
            mobile = None
        who = str(claims.get("phone_number") or "")
        if mobile:
            user = db.session.scalar(select(User).where(User.mobile == mobile))
    else:
        who = str(claims.get(current_app.config["OIDC_USERNAME_CLAIM"]) or "").strip()
        if who:
            user = db.session.scalar(select(User).where(User.username == who))
    if not who:
        raise Invalid(_("The identity service did not say who you are."))
    if user is None:
        raise Invalid(
            _("There is no account here for %(who)s; please ask your administrator.", who=who)
        )
    if not user.is_active:
        raise Invalid(_("Your account here has been deactivated."))
    return user
