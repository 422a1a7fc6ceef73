"""Dynamic management of honours in the UI: the nomination page's commendation card, the
city's orders (责令整改, 撤销称号 with a confirm step, the decision on a rectification) and
the union's rectification page.

The card shows, from the publicity period on, the list the home was published on, the
decision number, the certificate (with the PDF and the public check) and a revocation in
red. The city acts from the card; the union answers on `/nominations/<id>/honour-rectification`
(a statement and evidence files, then handed in). Every change goes through
`app.commendation.honours`; these views read the forms, call it and show the result.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.commendation import bp, honours, policy
from app.commendation.card import ORIGIN_WORDS
from app.commendation.certificates import certificate_of
from app.commendation.forms_honours import (
    RevokeForm,
    UnionRectificationForm,
    decision_form,
    order_form,
    revoke_form,
)
from app.errors import Conflict, DomainError, Invalid
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.page import render_detail
from app.nominations.services import get_nomination
from app.timeutil import beijing_today
from app.web.errors import flash_refusal, refuse
from app.web.forms import apply_errors
from app.web.templating import label

# What the rectification upload accepts (any evidence type, as the self-assessment).
EVIDENCE_ACCEPT = "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"


def _card_url(nomination_id: int) -> str:
    """The commendation card of the nomination page."""
    return url_for("nominations.detail", nomination_id=nomination_id) + "#honour"


def _render_page(
    nomination: Nomination, forms: dict[str, FlaskForm], status: int
) -> ResponseReturnValue:
    """The nomination page again, with what was typed and the errors next to the fields."""
    return render_detail(nomination, status=status, card_state={"honour": forms})


# -- the city's orders --------------------------------------------------------------------


@bp.post("/nominations/<int:nomination_id>/honour/rectification")
@login_required
def order_rectification(nomination_id: int) -> ResponseReturnValue:
    """责令整改: a commended home must rectify by a deadline."""
    # The city only, before the form is read: an invalid form is shown again without the
    # service being asked.
    nomination = honours.city_nomination(current_user, nomination_id)
    form = order_form(request.form)
    if form.validate_on_submit():
        try:
            order = honours.order_honour_rectification(
                current_user,
                nomination_id,
                reason=form.reason.data or "",
                deadline=form.deadline.data,
            )
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        except DomainError as exc:
            return refuse(exc, _card_url(nomination_id), category="warning")
        else:
            flash(
                _(
                    "Rectification was ordered; the union is asked to answer by %(d)s.",
                    d=order.deadline.isoformat(),
                ),
                "success",
            )
            return redirect(_card_url(nomination_id), code=303)
    if not form.deadline.errors and form.deadline.data is None:
        form.deadline.errors = [_("Please enter the deadline.")]
    flash(_("Rectification was not ordered; please correct the fields marked in red."), "danger")
    return _render_page(get_nomination(current_user, nomination.id), {"order": form}, 422)


def _revoke_problems(form: RevokeForm) -> bool:
    """Checks before the confirm step, so that what is confirmed can be done."""
    ok = form.validate_on_submit()
    if not (form.reason.data or "").strip():
        form.reason.errors = [*form.reason.errors, _("Please give the reason.")]
        ok = False
    day = form.revoked_on.data
    if day is not None and day > beijing_today():
        form.revoked_on.errors = [
            *form.revoked_on.errors,
            _("The date cannot be later than today."),
        ]
        ok = False
    return not ok


@bp.post("/nominations/<int:nomination_id>/honour/revoke")
@login_required
def revoke(nomination_id: int) -> ResponseReturnValue:
    """撤销称号: checked and shown for confirmation first; done when confirmed."""
    # The city only, and a title still held, before the confirm step (the view's own).
    nomination = honours.city_nomination(current_user, nomination_id)
    form = revoke_form(request.form)
    try:
        honours.require_title_held(nomination)
    except Conflict as exc:
        return refuse(exc, _card_url(nomination_id), category="warning")
    if _revoke_problems(form):
        flash(_("The title was not revoked; please correct the fields marked in red."), "danger")
        return _render_page(nomination, {"revoke": form}, 422)
    revoked_on = form.revoked_on.data or beijing_today()
    if form.confirmed.data != "1":
        return render_template(
            "commendation/honour_revoke_confirm.html",
            nomination=nomination,
            form=form,
            revoked_on=revoked_on,
            certificate=certificate_of(nomination.id),
        )
    try:
        honours.revoke(
            current_user, nomination_id, reason=form.reason.data or "", revoked_on=revoked_on
        )
    except Invalid as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        flash_refusal(exc)
        return _render_page(get_nomination(current_user, nomination_id), {"revoke": form}, 422)
    except DomainError as exc:
        return refuse(exc, _card_url(nomination_id), category="warning")
    flash(_("The title was revoked; the certificate check and the honour roll show it."), "success")
    return redirect(_card_url(nomination_id), code=303)


@bp.post("/nominations/<int:nomination_id>/honour/rectification/decision")
@login_required
def decide_rectification(nomination_id: int) -> ResponseReturnValue:
    """整改合格 / 整改不合格 on the union's answer (the service refuses anyone but the city)."""
    form = decision_form(request.form)
    form.validate_on_submit()
    accept = request.form.get("decision") == "accept"
    try:
        honours.decide_rectification(
            current_user, nomination_id, accept=accept, comment=form.comment.data
        )
    except Invalid as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        flash_refusal(exc)
        return _render_page(get_nomination(current_user, nomination_id), {"decision": form}, 422)
    except DomainError as exc:
        return refuse(exc, _card_url(nomination_id), category="warning")
    nomination = get_nomination(current_user, nomination_id)
    flash(
        _(
            "The rectification was decided: the nomination is now “%(state)s”.",
            state=label(nomination.state_label),
        ),
        "success" if accept else "warning",
    )
    return redirect(_card_url(nomination_id), code=303)


# -- the union's rectification page -------------------------------------------------------


def _render_rectification(
    view: honours.RectificationView,
    *,
    form: UnionRectificationForm | None = None,
    errors: dict[str, list[str]] | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    is_union = policy.may_rectify(current_user, view.nomination)
    editing = policy.may_edit_rectification(current_user, view.nomination, view.order)
    if form is None:
        form = UnionRectificationForm(formdata=None, data={"statement": view.order.statement})
    return render_template(
        "commendation/honour_rectification.html",
        view=view,
        nomination=view.nomination,
        order=view.order,
        form=form,
        editing=editing,
        is_union=is_union,
        origin_label=ORIGIN_WORDS.get(view.order.origin, ""),
        errors=errors or {},
        problems=problems or [],
        evidence_accept=EVIDENCE_ACCEPT,
    ), status


@bp.get("/nominations/<int:nomination_id>/honour-rectification")
@login_required
def rectification_page(nomination_id: int) -> ResponseReturnValue:
    """The city's reason and deadline; the union's statement and evidence (editable by the
    union until handed in)."""
    return _render_rectification(honours.rectification_view(current_user, nomination_id))


@bp.post("/nominations/<int:nomination_id>/honour-rectification")
@login_required
def save_rectification(nomination_id: int) -> ResponseReturnValue:
    """Save the statement, add a file; with `submit`, hand it in to the city."""
    honours.rectification_view(current_user, nomination_id)  # 404 when there is none to see
    form = UnionRectificationForm()
    form.validate_on_submit()  # CSRF is checked before the view runs
    errors: dict[str, list[str]] = {}
    problems: list[str] = []
    uploaded = False
    try:
        try:
            honours.save_rectification_statement(
                current_user, nomination_id, form.statement.data or ""
            )
        except Invalid as exc:
            db.session.rollback()
            errors.update(exc.errors)
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            try:
                honours.add_rectification_file(current_user, nomination_id, upload)
                uploaded = True
            except Invalid as exc:
                db.session.rollback()
                errors["file"] = [m for ms in exc.errors.values() for m in ms] or [exc.message]
        if request.form.get("submit") and not errors:
            try:
                honours.submit_rectification(current_user, nomination_id)
            except Conflict as exc:
                db.session.rollback()
                if not exc.problems:
                    raise
                problems = [exc.message, *exc.problems]
            else:
                flash(
                    _("The rectification was handed in; the city federation will decide."),
                    "success",
                )
                return redirect(
                    url_for("commendation.rectification_page", nomination_id=nomination_id),
                    code=303,
                )
    except Conflict as exc:
        return refuse(
            exc,
            url_for("commendation.rectification_page", nomination_id=nomination_id),
            category="warning",
        )
    if errors or problems:
        if errors:
            flash(
                _(
                    "The rectification was not saved completely; please correct the fields "
                    "marked in red."
                ),
                "danger",
            )
        view = honours.rectification_view(current_user, nomination_id)
        form.statement.errors = list(errors.get("statement", []))
        return _render_rectification(
            view, form=form, errors=errors, problems=problems, status=422 if errors else 409
        )
    flash(_("The file was added.") if uploaded else _("The rectification was saved."), "success")
    return redirect(
        url_for("commendation.rectification_page", nomination_id=nomination_id), code=303
    )
