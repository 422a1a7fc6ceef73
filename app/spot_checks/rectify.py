"""The union's rectification on the check page, and its acceptance or rejection.

Once the conclusion orders rectification, the inspected union answers each item on the
check's page (a statement and files per item) and hands the answers in; the assigned
inspectors or the district reviewer, as the campaign sets, accept or reject them. The
service (`rectification`) decides; these views read the forms, call it and show the result
through `check_page`.
"""

from __future__ import annotations

from flask import flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.spot_checks import bp, rectification
from app.spot_checks.check_page import file_errors, page_url, render
from app.spot_checks.checks import get_check
from app.spot_checks.forms_inspect import DecisionForm
from app.web.errors import flash_refusal, refuse
from app.web.forms import apply_errors, whole_number


@bp.post("/spot-checks/<int:check_id>/rectification", endpoint="rectification")
@login_required
def rectification_form(check_id: int) -> ResponseReturnValue:
    """The union's statements and files per item; with `submit`, handed in for acceptance."""
    check, _nomination = get_check(current_user, check_id)
    wanted = list(check.rectification_items or [])
    statements = {
        i: request.form.get(f"statement_{i}", "")
        for i in wanted
        if f"statement_{i}" in request.form
    }
    errors: dict[str, list[str]] = {}
    problems: list[str] = []
    uploaded = 0
    try:
        try:
            rectification.save_responses(current_user, check_id, statements)  # also the guard
        except Invalid as exc:
            db.session.rollback()
            errors.update(exc.errors)
        for item_id in wanted:
            upload = request.files.get(f"file_{item_id}")
            if upload is None or not upload.filename:
                continue
            try:
                rectification.add_response_file(current_user, check_id, item_id, upload)
                uploaded += 1
            except Invalid as exc:
                db.session.rollback()
                errors[f"file_{item_id}"] = file_errors(exc)
        remove = request.form.get("remove_file", "")
        item_part, _sep, evidence_part = remove.partition(":")
        gone_item, gone_file = whole_number(item_part, 1), whole_number(evidence_part, 1)
        if gone_item is not None and gone_file is not None:
            try:
                rectification.remove_response_file(current_user, check_id, gone_item, gone_file)
                flash(_("The file was removed."), "success")
            except NotFound as exc:
                db.session.rollback()
                flash_refusal(exc, category="warning")
        if request.form.get("submit") and not errors:
            try:
                rectification.submit_rectification(current_user, check_id)
            except Conflict as exc:
                db.session.rollback()
                if not exc.problems:
                    raise
                problems = [exc.message, *exc.problems]
            else:
                flash(_("The rectification was handed in for acceptance."), "success")
                return redirect(page_url(check_id, "rectification"), code=303)
    except (Conflict, Forbidden, NotFound) as exc:
        return refuse(exc, page_url(check_id, "rectification"))
    if errors or problems:
        check, nomination = get_check(current_user, check_id)
        if errors:
            flash(
                _(
                    "The rectification was not saved completely; please correct the fields "
                    "marked in red."
                ),
                "danger",
            )
        return render(
            check,
            nomination,
            status=422 if errors else 409,
            statements=statements,
            rect_errors=errors,
            rect_problems=problems,
        )
    if uploaded:
        flash(_("%(n)s file(s) added.", n=uploaded), "success")
    elif not remove:
        flash(_("The rectification was saved."), "success")
    fragment = request.form.get("upload")
    return redirect(
        page_url(check_id, f"rect-{fragment}" if fragment else "rectification"), code=303
    )


@bp.post("/spot-checks/<int:check_id>/rectification/decision")
@login_required
def decide(check_id: int) -> ResponseReturnValue:
    form = DecisionForm()
    form.validate_on_submit()
    accept = request.form.get("decision") == "accept"
    try:
        rectification.decide_rectification(
            current_user, check_id, accept=accept, comment=form.comment.data
        )
    except Invalid as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        check, nomination = get_check(current_user, check_id)
        flash_refusal(exc)
        return render(check, nomination, status=422, decision_form=form)
    except (Conflict, Forbidden, NotFound) as exc:
        return refuse(exc, page_url(check_id, "rectification"))
    if accept:
        flash(_("The rectification was accepted: the nomination is now a candidate."), "success")
    else:
        flash(_("The rectification was rejected: the spot check failed."), "warning")
    return redirect(page_url(check_id, "rectification"), code=303)
