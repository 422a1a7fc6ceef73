"""Login and logout pages; choosing one's own password (at the first login, or from an
activation link)."""

from __future__ import annotations

from authlib.integrations.base_client import OAuthError
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp, throttle
from app.auth.activation import (
    ActivationRefused,
    link_activation,
    set_own_password,
)
from app.auth.activation import activate as activate_link
from app.auth.forms import LoginForm, NewPasswordForm
from app.auth.models import SessionKind
from app.auth.passwords import POLICY as PASSWORD_POLICY
from app.auth.services import authenticate, end_session, start_session
from app.auth.sso import (
    claims_of,
    password_login_allowed,
    provider_name,
    require_password_login,
    sso_client,
    sso_enabled,
    user_for_claims,
)
from app.database import writing
from app.errors import Forbidden, Invalid, TooManyAttempts
from app.extensions import db
from app.web.forms import apply_errors
from app.web.urls import safe_next

# What a user who must choose a password may still open: everything else leads there.
PASSWORD_FIRST_EXEMPT = frozenset(
    {
        "auth.new_password",
        "auth.logout",
        "auth.activate",
        "main.set_language",
        "static",
        "bootstrap.static",
    }
)


@bp.before_app_request
def _password_first() -> ResponseReturnValue | None:
    """A user whose password someone else set (an initial password, an administrator's
    reset) chooses their own before anything else."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in PASSWORD_FIRST_EXEMPT or request.path.startswith("/api/"):
        return None
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    if not password_login_allowed():  # single sign-on only: there are no passwords to choose
        return None
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.new_password", next=safe_next(target)), code=303)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status, headers = 200, dict[str, str]()
    if form.validate_on_submit():
        try:
            require_password_login()
            user = authenticate(
                form.username.data or "", form.password.data or "", request.remote_addr or "unknown"
            )
        except (TooManyAttempts, Invalid, Forbidden) as exc:
            # The refusal stands under the password: a throttled login (429, with
            # Retry-After) says when to try again, wrong credentials (401) say no more.
            form.password.errors = [*form.password.errors, exc.message]
            status = exc.status if isinstance(exc, TooManyAttempts | Forbidden) else 401
            headers = exc.headers
        else:
            session.clear()  # a fresh session on login: no fixation
            start_session(user, SessionKind.WEB)
            login_user(user)
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "auth/login.html",
            form=form,
            sso=provider_name() if sso_enabled() else None,
            passwords=password_login_allowed(),
            next=safe_next(request.args.get("next")),
        ),
        status,
        headers,
    )


@bp.get("/login/sso")
def sso_start() -> ResponseReturnValue:
    """Off to the identity service (authorization code flow with PKCE)."""
    if not sso_enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    session["sso_next"] = safe_next(request.args.get("next"))
    try:
        return sso_client().authorize_redirect(url_for("auth.sso_callback", _external=True))
    except (OAuthError, OSError, ValueError) as exc:  # the provider's metadata unreachable
        current_app.logger.warning("single sign-on: the provider is unreachable: %s", exc)
        flash(
            _("%(name)s cannot be reached just now; please try again later.", name=provider_name()),
            "danger",
        )
        return redirect(url_for("auth.login"))


@bp.get("/login/sso/callback")
def sso_callback() -> ResponseReturnValue:
    """Back from the identity service: the code is exchanged, the ID token checked, and the
    identity mapped to our user (`app.auth.sso.user_for_claims`), who is then logged in."""
    if not sso_enabled():
        abort(404)
    next_url = session.pop("sso_next", None)
    if request.args.get("error"):
        flash(
            _(
                "%(name)s did not sign you on: %(reason)s",
                name=provider_name(),
                reason=request.args.get("error_description") or request.args["error"],
            ),
            "danger",
        )
        return redirect(url_for("auth.login"))
    try:
        token = sso_client().authorize_access_token()
        user = user_for_claims(claims_of(token))
    except Invalid as exc:
        flash(exc.message, "danger")
        return redirect(url_for("auth.login"))
    except (OAuthError, OSError, ValueError) as exc:
        current_app.logger.warning("single sign-on refused: %s", exc)
        flash(
            _("Signing on did not work (%(reason)s); please start again.", reason=str(exc)[:200]),
            "danger",
        )
        return redirect(url_for("auth.login"))
    session.clear()  # a fresh session on login: no fixation
    with writing(db.session):  # a GET that writes: the login session's row
        start_session(user, SessionKind.WEB)
    login_user(user)
    flash(_("Welcome, %(name)s.", name=user.display_name), "success")
    return redirect(next_url or url_for("main.index"))


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    token = current_user.get_id()
    logout_user()
    end_session(token)
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password/new", methods=["GET", "POST"])
@login_required
def new_password() -> ResponseReturnValue:
    """Choose a password of one's own, in place of the one someone else set."""
    if not current_user.must_change_password:
        return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    form = NewPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            set_own_password(
                current_user,
                form.new_password.data or "",
                form.confirm.data or "",
                keep_session=current_user.get_id(),
            )
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
            status = 422
        else:
            flash(_("Your password is set. From now on, log in with it."), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"), 303)
    elif request.method == "POST":
        status = 422
    return render_template(
        "auth/new_password.html", form=form, user=current_user, policy=PASSWORD_POLICY
    ), status


def _link_refused(exc: ActivationRefused | TooManyAttempts) -> ResponseReturnValue:
    return (
        render_template("auth/activation_refused.html", message=exc.message, status=exc.status),
        exc.status,
        exc.headers,
    )


@bp.route("/activate/<secret>", methods=["GET", "POST"])
def activate(secret: str) -> ResponseReturnValue:
    """An activation link: the user sets a password and is logged in. Opening it (a GET, as
    link previews do) never uses it up; only setting the password does. Failed links are
    counted as failed logins of the client (`throttle.admit_client`)."""
    require_password_login()
    address = request.remote_addr or "unknown"
    try:
        throttle.admit_client(address)
        activation = link_activation(secret)
    except TooManyAttempts as exc:
        return _link_refused(exc)
    except ActivationRefused as exc:
        db.session.rollback()
        with writing(db.session):  # a GET that writes: the client's failure count
            throttle.client_failed(address)
        return _link_refused(exc)
    user = activation.user
    form = NewPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = activate_link(secret, form.new_password.data or "", form.confirm.data or "")
        except ActivationRefused as exc:
            return _link_refused(exc)
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
            status = 422
            user = link_activation(secret).user
        else:
            session.clear()  # a fresh session on login: no fixation
            start_session(user, SessionKind.WEB)
            login_user(user)
            flash(_("Your password is set. Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(url_for("main.index"), 303)
    elif request.method == "POST":
        status = 422
    return render_template(
        "auth/activate.html", form=form, user=user, policy=PASSWORD_POLICY
    ), status
