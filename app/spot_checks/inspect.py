"""The inspector's check log on site, the union's rectification, and the inspector's list.

One page per check (`/spot-checks/<id>`), made for a phone: the assigned inspectors keep the
log there (visit, a finding, notes and photos per item, in one form so that nothing typed is
lost when a photo is added), propose and agree the conclusion; once it orders rectification
the union answers on the same page and the inspectors (or the district reviewer) accept or
reject. Everyone else who may see the check reads it. `checks` decides; these views read
the forms, call it and show the result.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import Role, User
from app.auth.scope import role_orgs
from app.campaigns.models import CampaignDeadline, Stage
from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, StaleVersion
from app.extensions import db
from app.nominations.models import Nomination
from app.orgs.models import DISTRICT_LEVELS, Organization, OrgClosure
from app.spot_checks import bp, checks
from app.spot_checks.forms_inspect import (
    AgreeForm,
    ConclusionForm,
    DecisionForm,
    LogForm,
    RectificationForm,
)
from app.spot_checks.models import Conclusion, Finding, SpotCheck, SpotCheckAssignment
from app.spot_checks.words import (
    CONCLUSION_COLOURS,
    CONCLUSION_WORDS,
    FINDING_CHOICES,
    FINDING_COLOURS,
    FINDING_WORDS,
)
from app.timeutil import beijing_today
from app.web.downloads import csv_response
from app.web.forms import apply_errors
from app.web.templating import label

# What the rectification form accepts (any evidence type, as the self-assessment).
EVIDENCE_ACCEPT = "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"


# -- helpers ------------------------------------------------------------------------------


def _page_url(check_id: int, fragment: str | None = None) -> str:
    url = url_for("spot_checks.check_page", check_id=check_id)
    return f"{url}#{fragment}" if fragment else url


def _load_team(check: SpotCheck) -> None:
    """The assignments with their inspectors, in one query (names shown on the page)."""
    rows = db.session.scalars(
        select(SpotCheckAssignment)
        .where(SpotCheckAssignment.spot_check_id == check.id)
        .options(joinedload(SpotCheckAssignment.inspector))
        .order_by(SpotCheckAssignment.id)
    ).all()
    set_committed_value(check, "assignments", list(rows))


def _refused(check_id: int, exc: DomainError, fragment: str | None = None):  # type: ignore[no-untyped-def]
    """A refusal after the form was read: 403/404 are pages; the rest a message on the page."""
    db.session.rollback()
    if exc.status in (403, 404):
        raise exc
    flash(" ".join([exc.message, *exc.problems]), "warning" if exc.status == 409 else "danger")
    return redirect(_page_url(check_id, fragment), code=303)


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


def _file_errors(exc: Invalid) -> list[str]:
    """An upload's refusal, to show next to that item's file input."""
    messages = [m for ms in exc.errors.values() for m in ms]
    return messages or [exc.message]


def _has_errors(form: Any) -> bool:
    return any(field.errors for field in form)


# -- the page -----------------------------------------------------------------------------


@dataclass
class Roles:
    """What the current user may do on this check now (computed once per request)."""

    assigned: bool
    union: bool
    keeps_log: bool  # an assigned inspector while the check is open
    answers: bool  # the union while the rectification is open
    decides: bool  # the inspectors or the district reviewer, while rectifying


def _roles(check: SpotCheck, nomination: Nomination) -> Roles:
    assigned = checks.is_assigned(current_user, check)
    # Only a user holding the union role somewhere needs the tree looked up.
    union = bool(role_orgs(current_user, [Role.UNION])) and checks.is_union_of(
        current_user, nomination
    )
    rectifying = nomination.status == "rectification"
    return Roles(
        assigned=assigned,
        union=union,
        keeps_log=assigned and nomination.status == "spot_check",
        answers=union and rectifying and check.rectification_submitted_at is None,
        decides=rectifying and checks.may_decide_rectification(current_user, check, nomination),
    )


def _default_log_form(check: SpotCheck) -> LogForm:
    return LogForm(
        formdata=None,
        data={
            "visited_on": check.visited_on or beijing_today(),
            "place": check.place or "",
            "interviewed": "" if check.interviewed is None else str(check.interviewed),
            "interviewed_satisfied": ""
            if check.interviewed_satisfied is None
            else str(check.interviewed_satisfied),
        },
    )


def _default_conclusion_form(check: SpotCheck) -> ConclusionForm:
    return ConclusionForm(
        formdata=None,
        data={
            "conclusion": check.conclusion.value if check.conclusion else None,
            "deadline": check.rectification_deadline,
            "notes": check.conclusion_notes or "",
        },
    )


def _render(
    check: SpotCheck,
    nomination: Nomination,
    *,
    status: int = 200,
    log_form: LogForm | None = None,
    typed: dict[int, dict[str, str]] | None = None,
    was_items: dict[int, str] | None = None,
    was_visit: str | None = None,
    item_errors: dict[str, list[str]] | None = None,
    conclusion_form: ConclusionForm | None = None,
    typed_items: list[int] | None = None,
    conclusion_errors: dict[str, list[str]] | None = None,
    conclusion_problems: list[str] | None = None,
    statements: dict[int, str] | None = None,
    rect_errors: dict[str, list[str]] | None = None,
    rect_problems: list[str] | None = None,
    decision_form: DecisionForm | None = None,
):  # type: ignore[no-untyped-def]
    _load_team(check)
    view = checks.check_view(check, nomination)
    roles = _roles(check, nomination)
    if typed_items is None:
        if check.rectification_items:
            typed_items = list(check.rectification_items)
        else:
            typed_items = [
                r.item.id for r in view.items if r.value in (Finding.PARTLY, Finding.FAILS)
            ]
    decided_by = (
        db.session.get(User, check.rectification_decided_by_id)
        if check.rectification_decided_by_id
        else None
    )
    mine = next((a for a in check.assignments if a.inspector_id == current_user.id), None)
    log_form = log_form or _default_log_form(check)
    marks = {row.item.id: mark(*_item_values(row)) for row in view.items}
    marks.update(was_items or {})
    return render_template(
        "spot_checks/check.html",
        check=check,
        nomination=nomination,
        view=view,
        roles=roles,
        mine=mine,
        log_form=log_form,
        typed=typed or {},
        marks=marks,
        # What the visit fields show now (the default date included), unless an error page
        # shows what was typed over what the page first showed.
        was_visit=was_visit or mark(*_visit_values(log_form)),
        item_errors=item_errors or {},
        conclusion_form=conclusion_form or _default_conclusion_form(check),
        typed_items=set(typed_items),
        conclusion_errors=conclusion_errors or {},
        conclusion_problems=conclusion_problems or [],
        agree_form=AgreeForm(formdata=None, data={"fingerprint": checks.fingerprint(check)}),
        rect_form=RectificationForm(formdata=None),
        statements=statements,
        rect_errors=rect_errors or {},
        rect_problems=rect_problems or [],
        decision_form=decision_form or DecisionForm(formdata=None),
        decided_by=decided_by,
        finding_choices=FINDING_CHOICES,
        finding_labels={f.value: FINDING_WORDS[f] for f in Finding},
        finding_colours=FINDING_COLOURS,
        conclusion_labels={c.value: CONCLUSION_WORDS[c] for c in Conclusion},
        conclusion_colours=CONCLUSION_COLOURS,
        evidence_accept=EVIDENCE_ACCEPT,
        today=beijing_today(),
    ), status


@bp.get("/spot-checks/<int:check_id>")
@login_required
def check_page(check_id: int):  # type: ignore[no-untyped-def]
    check, nomination = checks.get_check(current_user, check_id)
    return _render(check, nomination)


# -- the log: visit, findings, photos -----------------------------------------------------


def mark(*values: Any) -> str:
    """A short name of what a part of the form showed, sent back with it: an inspector's
    save changes only what they touched, never an item another inspector saved meanwhile."""
    text = json.dumps(
        [v if v is None or isinstance(v, str) else str(v) for v in values], ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _item_values(row: checks.ItemFinding) -> tuple[str | None, str | None]:
    return (
        row.value.value if row.value else None,
        (row.finding.notes if row.finding else None) or None,
    )


def _typed_values(item_id: int) -> tuple[str | None, str | None] | None:
    """What the form sent for one item, as the service takes it (None: not sent)."""
    if f"notes_{item_id}" not in request.form and f"finding_{item_id}" not in request.form:
        return None
    return (
        request.form.get(f"finding_{item_id}") or None,
        (request.form.get(f"notes_{item_id}") or "").strip() or None,
    )


def _touched_findings(
    view: checks.CheckView,
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
        stored = _item_values(row)
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


def _visit_values(form: LogForm) -> tuple[str | None, ...]:
    day = (
        form.visited_on.data.isoformat()
        if form.visited_on.data
        else (" ".join(form.visited_on.raw_data or []) or None)
    )
    return (
        day,
        (form.place.data or "").strip() or None,
        (form.interviewed.data or "").strip() or None,
        (form.interviewed_satisfied.data or "").strip() or None,
    )


def _stored_visit(check: SpotCheck) -> tuple[str | None, ...]:
    return (
        check.visited_on.isoformat() if check.visited_on else None,
        check.place,
        None if check.interviewed is None else str(check.interviewed),
        None if check.interviewed_satisfied is None else str(check.interviewed_satisfied),
    )


@bp.post("/spot-checks/<int:check_id>/log")
@login_required
def save_log(check_id: int):  # type: ignore[no-untyped-def]
    """Visit, findings and notes; a photo added or removed. One form so nothing is lost."""
    check, nomination = checks.get_check(current_user, check_id)
    try:
        checks.require_log_keeper(current_user, check, nomination)
    except Conflict as exc:
        return _refused(check_id, exc)
    form = LogForm()
    form.validate()  # CSRF is checked before the view runs; this parses the date
    view = checks.check_view(check, nomination)
    changed, typed, was_items = _touched_findings(view)
    sent_visit = _visit_values(form)
    was_visit = request.form.get("was_visit") or mark(*_stored_visit(check))
    visit_touched = mark(*sent_visit) != was_visit
    visit_changed = visit_touched and sent_visit != _stored_visit(check)
    removed = request.form.get("remove_photo", type=int)
    fragment = request.form.get("upload") or next(  # the item to come back to
        (str(row.item.id) for row in view.items if any(p.id == removed for p in row.photos)), None
    )
    item_ids = [row.item.id for row in view.items]  # read before the saves expire the rows
    item_errors: dict[str, list[str]] = {}
    saved = False
    try:
        if visit_changed and not _has_errors(form):
            try:
                checks.save_visit(
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
                checks.save_findings(current_user, check_id, changed)
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
                checks.add_photo(current_user, check_id, item_id, photo)
                uploaded += 1
            except Invalid as exc:
                db.session.rollback()
                item_errors[f"photo_{item_id}"] = _file_errors(exc)
        if removed is not None:
            try:
                checks.remove_photo(current_user, check_id, removed)
                flash(_("The photo was removed."), "success")
            except NotFound as exc:
                db.session.rollback()
                flash(exc.message, "warning")
    except (Conflict, Forbidden, NotFound) as exc:
        return _refused(check_id, exc)
    if _has_errors(form) or item_errors:
        db.session.rollback()
        check, nomination = checks.get_check(current_user, check_id)
        flash(
            _("The log was not saved completely; please correct the fields marked in red."),
            "danger",
        )
        return _render(
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
    return redirect(_page_url(check_id, f"item-{fragment}" if fragment else "log"), code=303)


# -- the conclusion -----------------------------------------------------------------------


@bp.post("/spot-checks/<int:check_id>/conclusion")
@login_required
def propose(check_id: int):  # type: ignore[no-untyped-def]
    check, nomination = checks.get_check(current_user, check_id)
    form = ConclusionForm()
    raw_items = request.form.getlist("items")
    typed_items = [int(i) for i in raw_items if i.isdecimal()]
    errors: dict[str, list[str]] = {}
    problems: list[str] = []
    status = 422
    if form.validate_on_submit():
        try:
            checks.propose_conclusion(
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
                return _refused(check_id, exc, "conclusion")
            problems = [exc.message, *exc.problems]
            status = 409
        else:
            check, nomination = checks.get_check(current_user, check_id)
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
            return redirect(_page_url(check_id, "conclusion"), code=303)
    check, nomination = checks.get_check(current_user, check_id)
    if not problems:
        flash(_("The conclusion was not proposed; please correct it."), "danger")
    return _render(
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
def agree(check_id: int):  # type: ignore[no-untyped-def]
    checks.get_check(current_user, check_id)
    form = AgreeForm()
    try:
        checks.agree(current_user, check_id, form.fingerprint.data or "")
    except StaleVersion as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(_page_url(check_id, "conclusion"), code=303)
    except (Conflict, Forbidden, NotFound) as exc:
        return _refused(check_id, exc, "conclusion")
    _check, nomination = checks.get_check(current_user, check_id)
    _flash_done(nomination)
    return redirect(_page_url(check_id, "conclusion"), code=303)


# -- rectification ------------------------------------------------------------------------


@bp.post("/spot-checks/<int:check_id>/rectification")
@login_required
def rectification(check_id: int):  # type: ignore[no-untyped-def]
    """The union's statements and files per item; with `submit`, handed in for acceptance."""
    check, nomination = checks.get_check(current_user, check_id)
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
            checks.save_responses(current_user, check_id, statements)  # also the guard
        except Invalid as exc:
            db.session.rollback()
            errors.update(exc.errors)
        for item_id in wanted:
            upload = request.files.get(f"file_{item_id}")
            if upload is None or not upload.filename:
                continue
            try:
                checks.add_response_file(current_user, check_id, item_id, upload)
                uploaded += 1
            except Invalid as exc:
                db.session.rollback()
                errors[f"file_{item_id}"] = _file_errors(exc)
        remove = request.form.get("remove_file", "")
        item_part, _sep, evidence_part = remove.partition(":")
        if item_part.isdecimal() and evidence_part.isdecimal():
            try:
                checks.remove_response_file(
                    current_user, check_id, int(item_part), int(evidence_part)
                )
                flash(_("The file was removed."), "success")
            except NotFound as exc:
                db.session.rollback()
                flash(exc.message, "warning")
        if request.form.get("submit") and not errors:
            try:
                checks.submit_rectification(current_user, check_id)
            except Conflict as exc:
                db.session.rollback()
                if not exc.problems:
                    raise
                problems = [exc.message, *exc.problems]
            else:
                flash(_("The rectification was handed in for acceptance."), "success")
                return redirect(_page_url(check_id, "rectification"), code=303)
    except (Conflict, Forbidden, NotFound) as exc:
        return _refused(check_id, exc, "rectification")
    if errors or problems:
        check, nomination = checks.get_check(current_user, check_id)
        if errors:
            flash(
                _(
                    "The rectification was not saved completely; please correct the fields "
                    "marked in red."
                ),
                "danger",
            )
        return _render(
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
        _page_url(check_id, f"rect-{fragment}" if fragment else "rectification"), code=303
    )


@bp.post("/spot-checks/<int:check_id>/rectification/decision")
@login_required
def decide(check_id: int):  # type: ignore[no-untyped-def]
    check, nomination = checks.get_check(current_user, check_id)
    form = DecisionForm()
    form.validate_on_submit()
    accept = request.form.get("decision") == "accept"
    try:
        checks.decide_rectification(
            current_user, check_id, accept=accept, comment=form.comment.data
        )
    except Invalid as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        check, nomination = checks.get_check(current_user, check_id)
        flash(exc.message, "danger")
        return _render(check, nomination, status=422, decision_form=form)
    except (Conflict, Forbidden, NotFound) as exc:
        return _refused(check_id, exc, "rectification")
    if accept:
        flash(_("The rectification was accepted: the nomination is now a candidate."), "success")
    else:
        flash(_("The rectification was rejected: the spot check failed."), "warning")
    return redirect(_page_url(check_id, "rectification"), code=303)


# -- the inspector's list -----------------------------------------------------------------


@dataclass
class MyCheckRow:
    check: SpotCheck
    nomination: Nomination
    district: str | None
    due: date | None  # the campaign's 抽查截止 while on site

    @property
    def is_open(self) -> bool:
        return self.nomination.status == "spot_check" or (
            self.nomination.status == "rectification"
            and self.check.rectification_submitted_at is not None
        )

    @property
    def overdue(self) -> bool:
        return checks.rectification_overdue(self.check, self.nomination.status)


def _districts(org_ids: set[int]) -> dict[int, str]:
    """The district (or industry union) above each organisation, in one query."""
    if not org_ids:
        return {}
    rows = db.session.execute(
        select(OrgClosure.descendant_id, Organization.name)
        .join(Organization, Organization.id == OrgClosure.ancestor_id)
        .where(OrgClosure.descendant_id.in_(org_ids), Organization.level.in_(DISTRICT_LEVELS))
    ).all()
    return {descendant: name for descendant, name in rows}


def _due_dates(campaign_ids: set[int]) -> dict[int, date]:
    if not campaign_ids:
        return {}
    rows = db.session.execute(
        select(CampaignDeadline.campaign_id, CampaignDeadline.due_date).where(
            CampaignDeadline.campaign_id.in_(campaign_ids),
            CampaignDeadline.stage == Stage.SPOT_CHECK,
        )
    ).all()
    return dict(rows)


def _my_rows() -> list[MyCheckRow]:
    pairs = checks.my_checks(current_user)
    districts = _districts({n.org_id for _c, n in pairs})
    due = _due_dates({n.campaign_id for _c, n in pairs})
    return [MyCheckRow(c, n, districts.get(n.org_id), due.get(n.campaign_id)) for c, n in pairs]


@bp.get("/spot-checks/mine")
@login_required
def my_checks():  # type: ignore[no-untyped-def]
    rows = _my_rows()
    return render_template(
        "spot_checks/mine.html",
        rows=rows,
        open_count=sum(1 for r in rows if r.is_open),
        conclusion_labels={c.value: CONCLUSION_WORDS[c] for c in Conclusion},
        conclusion_colours=CONCLUSION_COLOURS,
        is_inspector=bool(role_orgs(current_user, [Role.INSPECTOR])),
    )


@bp.get("/spot-checks/mine.csv")
@login_required
def my_checks_csv():  # type: ignore[no-untyped-def]
    header = [
        "抽查编号",
        "申报编号",
        "被检查单位",
        "所属区（县）",
        "评选活动",
        "状态",
        "检查日期",
        "抽查截止",
        "抽查结论",
        "整改期限",
        "检查地点",
    ]
    return csv_response(
        "my-spot-checks.csv",
        header,
        (
            [
                r.check.id,
                r.nomination.id,
                r.nomination.org.name,
                r.district or "",
                r.nomination.campaign.name,
                r.nomination.state_label,
                r.check.visited_on.isoformat() if r.check.visited_on else "",
                r.due.isoformat() if r.due else "",
                checks.CONCLUSION_LABELS[Conclusion(r.check.conclusion)]
                if r.check.concluded_at and r.check.conclusion
                else "",
                r.check.rectification_deadline.isoformat()
                if r.check.rectification_deadline
                else "",
                r.check.place or "",
            ]
            for r in _my_rows()
        ),
    )


# -- the nomination page's card -----------------------------------------------------------
