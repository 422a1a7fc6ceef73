"""Login and logout pages."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp
from app.auth.forms import LoginForm
from app.auth.models import SessionKind
from app.auth.services import authenticate, end_session, start_session
from app.errors import Invalid, TooManyAttempts
from app.web.urls import safe_next


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status, headers = 200, dict[str, str]()
    if form.validate_on_submit():
        try:
            user = authenticate(
                form.username.data or "", form.password.data or "", request.remote_addr or "unknown"
            )
        except (TooManyAttempts, Invalid) as exc:
            # The refusal stands under the password: a throttled login (429, with
            # Retry-After) says when to try again, wrong credentials (401) say no more.
            form.password.errors = [*form.password.errors, exc.message]
            status = 429 if isinstance(exc, TooManyAttempts) else 401
            headers = exc.headers
        else:
            session.clear()  # a fresh session on login: no fixation
            start_session(user, SessionKind.WEB)
            login_user(user)
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status, headers


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    token = current_user.get_id()
    logout_user()
    end_session(token)
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))
