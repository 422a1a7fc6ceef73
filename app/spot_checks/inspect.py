"""The inspector's check log on site and the agreed conclusion: the check page's views.

One page per check (`/spot-checks/<id>`), made for a phone: the assigned inspectors keep the
log there (visit, a finding, notes and photos per item, in one form so that nothing typed is
lost when a photo is added), propose and agree the conclusion. Everyone else who may see the
check reads it. The services (`log`, `conclusion`) decide; these views read the forms, call
them and show the result through `check_page`.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.nominations.models import Nomination
from app.spot_checks import bp, conclusion, log, policy
from app.spot_checks.check_page import (
    file_errors,
    item_values,
    mark,
    page_url,
    render,
    visit_values,
)
from app.spot_checks.checks import CheckView, check_view, get_check
from app.spot_checks.forms_inspect import AgreeForm, ConclusionForm, LogForm
from app.spot_checks.models import SpotCheck
from app.web.errors import flash_refusal, refuse
from app.web.forms import apply_errors, form_int, whole_number
from app.web.templating import label


def _flash_done(nomination: Nomination) -> None:
    if nomination.status != "spot_check":
        flash(
            _(
                "The conclusion has taken effect: the nomination is now “%(state)s”.",
                state=label(nomination.state_label),
            ),
            "success",
        )
    else:
        flash(
            _("Agreed. The conclusion takes effect once every assigned inspector agrees."),
            "success",
        )


def _has_errors(form: Any) -> bool:
    return any(field.errors for field in form)


# -- the page -----------------------------------------------------------------------------


@bp.get("/spot-checks/<int:check_id>")
@login_required
def check_page(check_id: int) -> ResponseReturnValue:
    check, nomination = get_check(current_user, check_id)
    return render(check, nomination)


# -- the log: visit, findings, photos -----------------------------------------------------


def _typed_values(item_id: int) -> tuple[str | None, str | None] | None:
    """What the form sent for one item, as the service takes it (None: not sent)."""
    if f"notes_{item_id}" not in request.form and f"finding_{item_id}" not in request.form:
        return None
    return (
        request.form.get(f"finding_{item_id}") or None,
        (request.form.get(f"notes_{item_id}") or "").strip() or None,
    )


def _touched_findings(
    view: CheckView,
) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, str]], dict[int, str]]:
    """The items this inspector changed on the page: (to save, as typed, their marks).

    An item is saved only when what was sent differs from what the page showed (`was_<id>`)
    and from the log now; saving the same text again must not undo the others' agreement.
    """
    to_save: dict[int, dict[str, Any]] = {}
    typed: dict[int, dict[str, str]] = {}
    marks: dict[int, str] = {}
    for row in view.items:
        item_id = row.item.id
        sent = _typed_values(item_id)
        stored = item_values(row)
        if sent is None:
            continue
        was = request.form.get(f"was_{item_id}") or mark(*stored)
        if mark(*sent) == was:
            continue  # untouched here: whatever the log holds now stays
        typed[item_id] = {
            "finding": request.form.get(f"finding_{item_id}", ""),
            "notes": request.form.get(f"notes_{item_id}", ""),
        }
        marks[item_id] = was
        if sent != stored:
            to_save[item_id] = {"finding": sent[0], "notes": sent[1]}
    return to_save, typed, marks


def _stored_visit(check: SpotCheck) -> tuple[str | None, ...]:
    return (
        check.visited_on.isoformat() if check.visited_on else None,
        check.place,
        None if check.interviewed is None else str(check.interviewed),
        None if check.interviewed_satisfied is None else str(check.interviewed_satisfied),
    )


@bp.post("/spot-checks/<int:check_id>/log")
@login_required
def save_log(check_id: int) -> ResponseReturnValue:
    """Visit, findings and notes; a photo added or removed. One form so nothing is lost."""
    check, nomination = get_check(current_user, check_id)
    # Refused before the form is read: a save may call no service at all (nothing changed),
    # and a bad date would otherwise show the form again to someone who may not keep it.
    try:
        policy.require_log_keeper(current_user, check, nomination)
    except Conflict as exc:
        return refuse(exc, page_url(check_id))
    form = LogForm()
    form.validate()  # CSRF is checked before the view runs; this parses the date
    view = check_view(check, nomination)
    changed, typed, was_items = _touched_findings(view)
    sent_visit = visit_values(form)
    was_visit = request.form.get("was_visit") or mark(*_stored_visit(check))
    visit_touched = mark(*sent_visit) != was_visit
    visit_changed = visit_touched and sent_visit != _stored_visit(check)
    removed = form_int("remove_photo", 1)
    fragment = request.form.get("upload") or next(  # the item to come back to
        (str(row.item.id) for row in view.items if any(p.id == removed for p in row.photos)), None
    )
    item_ids = [row.item.id for row in view.items]  # read before the saves expire the rows
    item_errors: dict[str, list[str]] = {}
    saved = False
    try:
        if visit_changed and not _has_errors(form):
            try:
                log.save_visit(
                    current_user,
                    check_id,
                    visited_on=form.visited_on.data,
                    place=form.place.data,
                    interviewed=form.interviewed.data,
                    interviewed_satisfied=form.interviewed_satisfied.data,
                )
                saved = True
            except Invalid as exc:
                db.session.rollback()
                apply_errors(form, exc.errors)
        if changed:
            try:
                log.save_findings(current_user, check_id, changed)
                saved = True
            except Invalid as exc:
                db.session.rollback()
                item_errors.update(exc.errors)
        uploaded = 0
        for item_id in item_ids:
            photo = request.files.get(f"photo_{item_id}")
            if photo is None or not photo.filename:
                continue
            try:
                log.add_photo(current_user, check_id, item_id, photo)
                uploaded += 1
            except Invalid as exc:
                db.session.rollback()
                item_errors[f"photo_{item_id}"] = file_errors(exc)
        if removed is not None:
            try:
                log.remove_photo(current_user, check_id, removed)
                flash(_("The photo was removed."), "success")
            except NotFound as exc:
                db.session.rollback()
                flash_refusal(exc, category="warning")
    except (Conflict, Forbidden, NotFound) as exc:
        return refuse(exc, page_url(check_id))
    if _has_errors(form) or item_errors:
        db.session.rollback()
        check, nomination = get_check(current_user, check_id)
        flash(
            _("The log was not saved completely; please correct the fields marked in red."),
            "danger",
        )
        return render(
            check,
            nomination,
            status=422,
            log_form=form,
            typed=typed,
            item_errors=item_errors,
            was_items=was_items,
            was_visit=was_visit if visit_touched else None,
        )
    if uploaded:
        flash(_("%(n)s photo(s) added.", n=uploaded), "success")
    elif saved:
        flash(_("The log was saved."), "success")
    elif removed is None:
        flash(_("Nothing had changed."), "info")
    return redirect(page_url(check_id, f"item-{fragment}" if fragment else "log"), code=303)


# -- the conclusion -----------------------------------------------------------------------


@bp.post("/spot-checks/<int:check_id>/conclusion")
@login_required
def propose(check_id: int) -> ResponseReturnValue:
    form = ConclusionForm()
    raw_items = request.form.getlist("items")
    typed_items = [n for n in map(whole_number, raw_items) if n is not None]
    errors: dict[str, list[str]] = {}
    problems: list[str] = []
    status = 422
    if form.validate_on_submit():
        try:
            conclusion.propose_conclusion(
                current_user,
                check_id,
                conclusion=form.conclusion.data,
                notes=form.notes.data,
                items=raw_items,
                deadline=form.deadline.data,
            )
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
            errors = {k: v for k, v in exc.errors.items() if k not in form}  # e.g. the items
        except Conflict as exc:
            db.session.rollback()
            if not exc.problems:  # no longer open: concluded meanwhile
                return refuse(exc, page_url(check_id, "conclusion"))
            problems = [exc.message, *exc.problems]
            status = 409
        else:
            _check, nomination = get_check(current_user, check_id)
            if nomination.status == "spot_check":
                flash(
                    _(
                        "The conclusion was proposed; the other inspectors are asked to "
                        "agree to it."
                    ),
                    "success",
                )
            else:
                _flash_done(nomination)
            return redirect(page_url(check_id, "conclusion"), code=303)
    check, nomination = get_check(current_user, check_id)
    if not problems:
        flash(_("The conclusion was not proposed; please correct it."), "danger")
    return render(
        check,
        nomination,
        status=status,
        conclusion_form=form,
        typed_items=typed_items,
        conclusion_errors=errors,
        conclusion_problems=problems,
    )


@bp.post("/spot-checks/<int:check_id>/agree")
@login_required
def agree(check_id: int) -> ResponseReturnValue:
    form = AgreeForm()
    try:
        conclusion.agree(current_user, check_id, form.fingerprint.data or "")
    except (Conflict, Forbidden, NotFound) as exc:  # a stale fingerprint too: a warning
        return refuse(exc, page_url(check_id, "conclusion"))
    _check, nomination = get_check(current_user, check_id)
    _flash_done(nomination)
    return redirect(page_url(check_id, "conclusion"), code=303)
