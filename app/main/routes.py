"""Home (the user's worklist), language switch and the workflow diagram."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import update

from app.auth.models import User
from app.database import writing
from app.extensions import db
from app.i18n import LANGUAGES
from app.main import bp
from app.nominations.services import worklist, worklist_counts
from workflows.diagram import mermaid
from workflows.nomination import ACTIONS, STATE_LABELS, STATE_OWNER, STATES, TRANSITIONS


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    counts = worklist_counts(current_user)
    items = worklist(current_user)
    return render_template(
        "main/index.html",
        counts=counts,
        items=items,
        state_labels=STATE_LABELS,
        total=sum(counts.values()),
    )


@bp.get("/lang/<lang>")
def set_language(lang: str) -> ResponseReturnValue:
    target = request.args.get("next") or url_for("main.index")
    if not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        target = url_for("main.index")
    response = make_response(redirect(target))
    if lang in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        if current_user.is_authenticated and current_user.locale != lang:
            with writing(db.session):  # their e-mails and SMS follow the choice
                db.session.execute(
                    update(User).where(User.id == current_user.id).values(locale=lang)
                )
    return response


@bp.get("/workflow")
@login_required
def workflow() -> ResponseReturnValue:
    return render_template(
        "main/workflow.html",
        diagram=mermaid(),
        states=STATES,
        transitions=TRANSITIONS,
        actions=ACTIONS,
        owners=STATE_OWNER,
        state_labels=STATE_LABELS,
    )
