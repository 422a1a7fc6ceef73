"""Dynamic management of honours in the UI: the nomination page's commendation card, the
city's orders (责令整改, 撤销称号 with a confirm step, the decision on a rectification) and
the union's rectification page.

The card shows, from the publicity period on, the list the home was published on, the
decision number, the certificate (with the PDF and the public check) and a revocation in
red. The city acts from the card; the union answers on `/nominations/<id>/honour-rectification`
(a statement and evidence files, then handed in). Every change goes through
`app.commendation.services`; these views read the forms, call it and show the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import DateField, HiddenField, TextAreaField
from wtforms.validators import Length, Optional

from app.auth.models import Role
from app.auth.scope import ancestor_ids, holds_role_over, role_orgs
from app.commendation import bp
from app.commendation import services as svc
from app.commendation.models import Certificate, HonourRectification, Publicity, PublicityEntry
from app.errors import Conflict, DomainError, Invalid
from app.evidence.models import Evidence
from app.extensions import db
from app.form_errors import apply_errors
from app.nominations.models import Nomination
from app.nominations.services import get_nomination
from app.templating import label
from app.timeutil import beijing_today

# The states in which the card is shown: from the published list on.
CARD_STATES = ("publicity", "commended", "honour_rectification", "revoked", "not_commended")
DATE_MESSAGE = _l("Please enter a date such as 2026-05-01.")
# What the rectification upload accepts (any evidence type, as the self-assessment).
EVIDENCE_ACCEPT = "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"
ORIGIN_WORDS = {
    "objection": _l("An objection was upheld"),
    "commended": _l("Review of a commended home"),
}


# -- forms --------------------------------------------------------------------------------


class OrderRectificationForm(FlaskForm):
    """责令整改: the city's reason and the deadline (checked by the service)."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=svc.MAX_TEXT)],
        render_kw={"rows": 3, "maxlength": svc.MAX_TEXT},
    )
    deadline = DateField(
        _l("Rectify by"), validators=[Optional()], invalid_value_message=DATE_MESSAGE
    )


class RevokeForm(FlaskForm):
    """撤销称号: reason and date; sent once to be confirmed, then again with `confirmed`."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=svc.MAX_TEXT)],
        render_kw={"rows": 3, "maxlength": svc.MAX_TEXT},
    )
    revoked_on = DateField(
        _l("Date of revocation"), validators=[Optional()], invalid_value_message=DATE_MESSAGE
    )
    confirmed = HiddenField()


class HonourDecisionForm(FlaskForm):
    """整改合格 / 整改不合格 (the buttons); a comment is required for the latter."""

    comment = TextAreaField(
        _l("Opinion"),
        validators=[Optional(), Length(max=svc.MAX_TEXT)],
        render_kw={"rows": 3, "maxlength": svc.MAX_TEXT},
    )


class UnionRectificationForm(FlaskForm):
    """The union's statement; the file is read by the view."""

    statement = TextAreaField(
        _l("What was done"),
        validators=[Optional(), Length(max=svc.MAX_TEXT)],
        render_kw={"rows": 6, "maxlength": svc.MAX_TEXT},
    )


def _order_form(formdata: Any = None) -> OrderRectificationForm:
    return OrderRectificationForm(formdata=formdata, prefix="order")


def _revoke_form(formdata: Any = None) -> RevokeForm:
    form = RevokeForm(formdata=formdata, prefix="revoke")
    if formdata is None:
        form.revoked_on.data = beijing_today()
    return form


def _decision_form(formdata: Any = None) -> HonourDecisionForm:
    return HonourDecisionForm(formdata=formdata, prefix="decision")


# -- the nomination page's card -----------------------------------------------------------


@dataclass
class HonourCard:
    """What the nomination page shows of the commendation, and what the user may do."""

    nomination: Nomination
    publicity: Publicity | None
    certificate: Certificate | None
    order: HonourRectification | None
    files: list[Evidence]
    is_city: bool
    is_union: bool
    forms: dict[str, FlaskForm] = field(default_factory=dict)

    @property
    def pdf_url(self) -> str:  # served by the certificate pages (public.py)
        return f"/nominations/{self.nomination.id}/certificate.pdf"

    @property
    def check_url(self) -> str | None:
        return f"/certificates/{self.certificate.code}" if self.certificate else None

    @property
    def publicity_url(self) -> str | None:
        return f"/publicity/{self.publicity.id}" if self.publicity else None

    @property
    def overdue(self) -> bool:
        return self.order is not None and self.order.overdue

    @property
    def may_order(self) -> bool:
        return self.is_city and self.nomination.status == "commended"

    @property
    def may_revoke(self) -> bool:
        return (
            self.is_city
            and self.certificate is not None
            and self.nomination.status in ("commended", "honour_rectification")
        )

    @property
    def may_decide(self) -> bool:
        return (
            self.is_city
            and self.order is not None
            and self.nomination.status == "honour_rectification"
        )

    @property
    def origin_label(self) -> str:
        return str(ORIGIN_WORDS.get(self.order.origin, "")) if self.order else ""


def _is_city(nomination: Nomination) -> bool:
    if not role_orgs(current_user, [Role.CITY]):
        return False  # no query for anyone else
    return svc.is_city_for(current_user, nomination.campaign)


def _is_union(nomination: Nomination) -> bool:
    if not role_orgs(current_user, [Role.UNION]):
        return False
    return holds_role_over(current_user, Role.UNION, ancestor_ids(nomination.org_id))


def honour_card(
    nomination: Nomination, forms: dict[str, FlaskForm] | None = None
) -> HonourCard | None:
    """The card of a nomination the user sees (None before the list is published). A fixed
    number of queries: the list, the certificate, the open order and its files, the roles."""
    if nomination.status not in CARD_STATES:
        return None
    publicity = db.session.scalar(
        select(Publicity)
        .join(PublicityEntry, PublicityEntry.publicity_id == Publicity.id)
        .where(PublicityEntry.nomination_id == nomination.id)
        .order_by(Publicity.id.desc())
        .limit(1)
    )
    certificate = db.session.scalar(
        select(Certificate)
        .where(Certificate.nomination_id == nomination.id)
        .options(joinedload(Certificate.commendation))
    )
    order = (
        svc.open_rectification(nomination.id)
        if nomination.status == "honour_rectification"
        else None
    )
    card = HonourCard(
        nomination,
        publicity,
        certificate,
        order,
        svc.rectification_files(order, nomination.id),
        _is_city(nomination),
        _is_union(nomination) if order is not None else False,
    )
    if publicity is None and certificate is None and order is None:
        return None  # not selected: nothing to show beyond the history
    forms = dict(forms or {})
    if card.may_order:
        forms.setdefault("order", _order_form())
    if card.may_revoke:
        forms.setdefault("revoke", _revoke_form())
    if card.may_decide:
        forms.setdefault("decision", _decision_form())
    card.forms = forms
    return card


def _detail(nomination_id: int, fragment: str = "honour"):  # type: ignore[no-untyped-def]
    url = url_for("nominations.detail", nomination_id=nomination_id)
    return redirect(f"{url}#{fragment}", code=303)


def _render_page(nomination: Nomination, forms: dict[str, FlaskForm], status: int):  # type: ignore[no-untyped-def]
    """The nomination page again, with what was typed and the errors next to the fields."""
    from app.nominations.routes import _render_detail  # the page module imports this one

    return _render_detail(nomination, status=status, honour_forms=forms)


def _refused(nomination_id: int, exc: DomainError):  # type: ignore[no-untyped-def]
    """403/404 are pages; a conflict is a message on the nomination page."""
    db.session.rollback()
    if exc.status in (403, 404):
        raise exc
    flash(" ".join([exc.message, *exc.problems]), "warning")
    return _detail(nomination_id)


# -- the city's orders --------------------------------------------------------------------


@bp.post("/nominations/<int:nomination_id>/honour/rectification")
@login_required
def order_rectification(nomination_id: int):  # type: ignore[no-untyped-def]
    """责令整改: a commended home must rectify by a deadline."""
    nomination = svc.city_nomination(current_user, nomination_id)
    form = _order_form(request.form)
    if form.validate_on_submit():
        try:
            svc.order_honour_rectification(
                current_user,
                nomination_id,
                reason=form.reason.data or "",
                deadline=form.deadline.data,
            )
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        except DomainError as exc:
            return _refused(nomination_id, exc)
        else:
            flash(
                _(
                    "Rectification was ordered; the union is asked to answer by %(d)s.",
                    d=form.deadline.data.isoformat(),
                ),
                "success",
            )
            return _detail(nomination_id)
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
def revoke(nomination_id: int):  # type: ignore[no-untyped-def]
    """撤销称号: checked and shown for confirmation first; done when confirmed."""
    nomination = svc.city_nomination(current_user, nomination_id)
    form = _revoke_form(request.form)
    if nomination.status not in ("commended", "honour_rectification"):
        return _refused(nomination_id, Conflict("只有已表彰的单位可以撤销称号。"))
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
            certificate=svc.certificate_of(nomination.id),
        )
    try:
        svc.revoke(
            current_user, nomination_id, reason=form.reason.data or "", revoked_on=revoked_on
        )
    except Invalid as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        flash(exc.message, "danger")
        return _render_page(get_nomination(current_user, nomination_id), {"revoke": form}, 422)
    except DomainError as exc:
        return _refused(nomination_id, exc)
    flash(_("The title was revoked; the certificate check and the honour roll show it."), "success")
    return _detail(nomination_id)


@bp.post("/nominations/<int:nomination_id>/honour/rectification/decision")
@login_required
def decide_rectification(nomination_id: int):  # type: ignore[no-untyped-def]
    """整改合格 / 整改不合格 on the union's answer."""
    svc.city_nomination(current_user, nomination_id)
    form = _decision_form(request.form)
    form.validate_on_submit()
    accept = request.form.get("decision") == "accept"
    try:
        svc.decide_rectification(
            current_user, nomination_id, accept=accept, comment=form.comment.data
        )
    except Invalid as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        flash(exc.message, "danger")
        return _render_page(get_nomination(current_user, nomination_id), {"decision": form}, 422)
    except DomainError as exc:
        return _refused(nomination_id, exc)
    nomination = get_nomination(current_user, nomination_id)
    flash(
        _(
            "The rectification was decided: the nomination is now “%(state)s”.",
            state=label(nomination.state_label),
        ),
        "success" if accept else "warning",
    )
    return _detail(nomination_id)


# -- the union's rectification page -------------------------------------------------------


def _render_rectification(
    view: svc.RectificationView,
    *,
    form: UnionRectificationForm | None = None,
    errors: dict[str, list[str]] | None = None,
    problems: list[str] | None = None,
    status: int = 200,
):  # type: ignore[no-untyped-def]
    is_union = _is_union(view.nomination)
    editing = (
        is_union
        and view.order.submitted_at is None
        and view.nomination.status == "honour_rectification"
    )
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
def rectification_page(nomination_id: int):  # type: ignore[no-untyped-def]
    """The city's reason and deadline; the union's statement and evidence (editable by the
    union until handed in)."""
    return _render_rectification(svc.rectification_view(current_user, nomination_id))


@bp.post("/nominations/<int:nomination_id>/honour-rectification")
@login_required
def save_rectification(nomination_id: int):  # type: ignore[no-untyped-def]
    """Save the statement, add a file; with `submit`, hand it in to the city."""
    svc.rectification_view(current_user, nomination_id)  # 404 when there is none to see
    form = UnionRectificationForm()
    form.validate_on_submit()  # CSRF is checked before the view runs
    errors: dict[str, list[str]] = {}
    problems: list[str] = []
    uploaded = False
    try:
        try:
            svc.save_rectification_statement(current_user, nomination_id, form.statement.data or "")
        except Invalid as exc:
            db.session.rollback()
            errors.update(exc.errors)
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            try:
                svc.add_rectification_file(current_user, nomination_id, upload)
                uploaded = True
            except Invalid as exc:
                db.session.rollback()
                errors["file"] = [m for ms in exc.errors.values() for m in ms] or [exc.message]
        if request.form.get("submit") and not errors:
            try:
                svc.submit_rectification(current_user, nomination_id)
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
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(
            url_for("commendation.rectification_page", nomination_id=nomination_id), code=303
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
        view = svc.rectification_view(current_user, nomination_id)
        form.statement.errors = list(errors.get("statement", []))
        return _render_rectification(
            view, form=form, errors=errors, problems=problems, status=422 if errors else 409
        )
    flash(_("The file was added.") if uploaded else _("The rectification was saved."), "success")
    return redirect(
        url_for("commendation.rectification_page", nomination_id=nomination_id), code=303
    )
