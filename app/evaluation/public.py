"""The members' ballot pages (public, no account): `/e/<token>` asks the questions and takes
the answers, `/e/thanks` confirms. Shown in the member's chosen language like every page.

Every answer under /e/ keeps the token private: no Referer, no cache, no indexing (the
app-wide hook in app/evaluation/privacy.py, refusals and errors included).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app.errors import Invalid
from app.evaluation import bp
from app.evaluation.ballots import MAX_COMMENT, BallotRefused, ballot_form, cast_ballot
from app.evaluation.forms import BallotPageForm
from app.evaluation.pages import CHOICES
from app.extensions import db


def _is_ballot_page() -> bool:
    return request.path.startswith("/e/")


@bp.errorhandler(CSRFError)
def _ballot_csrf_error(exc: CSRFError) -> ResponseReturnValue:
    """A ballot posted without its session (cookies cleared, page kept open for days)."""
    if _is_ballot_page():
        return render_template(
            "evaluation/ballot_refused.html",
            status=400,
            retry=request.path,
            message=_(
                "This page has expired. Please open your link again and send your evaluation."
            ),
        ), 400
    # Elsewhere on the blueprint: the site's usual page.
    return render_template(
        "error.html",
        status=400,
        problems=[],
        message=_(
            "The form has expired or was not sent from this site. "
            "Please go back, reload the page and try again."
        ),
    ), 400


def _ballot_response(body: str, status: int = 200) -> Response:
    return make_response(body, status)


def _ballot_refused(exc: BallotRefused) -> Response:
    db.session.rollback()
    # 404 an unknown link; 409 used, void, not open
    return _ballot_response(
        render_template("evaluation/ballot_refused.html", message=exc.message, status=exc.status),
        exc.status,
    )


@bp.route("/e/<token>", methods=["GET", "POST"])
def ballot(token: str) -> ResponseReturnValue:
    try:
        info = ballot_form(token)
    except BallotRefused as exc:
        return _ballot_refused(exc)
    form = BallotPageForm()
    errors: dict[str, list[str]] = {}
    typed: Mapping[str, str] = {}
    status = 200
    if request.method == "POST":
        form.validate()  # CSRF is checked before the view runs
        dimensions = info.evaluation.dimensions
        try:
            cast_ballot(
                token,
                overall=request.form.get("overall", ""),
                answers={
                    d["code"]: request.form.get(f"answers.{d['code']}", "") for d in dimensions
                },
                comment=request.form.get("comment"),
            )
        except BallotRefused as exc:
            return _ballot_refused(exc)
        except Invalid as exc:
            db.session.rollback()
            errors, typed, status = exc.errors, request.form, 422
        else:
            return redirect(url_for("evaluation.thanks"), code=303)
    return _ballot_response(
        render_template(
            "evaluation/ballot.html",
            info=info,
            form=form,
            choices=CHOICES,
            errors=errors,
            typed=typed,
            max_comment=MAX_COMMENT,
        ),
        status,
    )


@bp.get("/e/thanks")
def thanks() -> ResponseReturnValue:
    return _ballot_response(render_template("evaluation/ballot_thanks.html"))
