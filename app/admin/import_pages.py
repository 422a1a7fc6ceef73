"""The import pages: upload a roster, watch its check, read what it would change and every
problem by row and column, confirm, watch it written; templates and exports in the same
columns."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.admin import bp
from app.admin.forms import ImportConfirmForm, ImportUploadForm
from app.admin.imports import (
    KINDS,
    PHASES,
    STATUSES,
    activation_sheet,
    confirm_import,
    get_run,
    read_progress,
    runs_for,
    start_import,
    workbook,
)
from app.admin.models import ImportRun
from app.errors import DomainError
from app.extensions import db
from app.timeutil import format_beijing, utcnow
from app.web.downloads import csv_response, xlsx_file
from app.web.errors import flash_refusal
from app.web.forms import apply_errors

FIELD_LABELS = {
    "name": _l("Name"),
    "parent_code": _l("Parent"),
    "category": _l("Category"),
    "is_state_owned": _l("State-owned enterprise"),
    "staff_count": _l("Staff"),
    "member_count": _l("Members"),
    "address": _l("Address"),
    "contact_phone": _l("Contact phone"),
    "is_active": _l("Active"),
    "display_name": _l("Name"),
    "mobile": _l("Mobile number"),
    "email": _l("E-mail"),
}


def _kind_title(kind: str) -> str:
    return _("Organisations") if kind == "orgs" else _("Users")


def _kind(kind: str) -> str:
    if kind not in KINDS:
        abort(404)
    return kind


@bp.get("/imports")
def imports() -> ResponseReturnValue:
    runs = list(db.session.scalars(runs_for(current_user).limit(50)))
    return render_template(
        "admin/imports.html",
        runs=runs,
        forms={kind: ImportUploadForm(prefix=kind) for kind in KINDS},
        statuses=STATUSES,
        kind_title=_kind_title,
    )


@bp.post("/imports/<kind>")
def upload_import(kind: str) -> ResponseReturnValue:
    kind = _kind(kind)
    form = ImportUploadForm(prefix=kind)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            run = start_import(current_user, kind, upload.filename or "", upload.read())
        except DomainError as exc:
            db.session.rollback()
            flash_refusal(exc, *apply_errors(form, exc.errors), category="danger")
        else:
            return redirect(url_for("admin.import_run", run_id=run.id))
    runs = list(db.session.scalars(runs_for(current_user).limit(50)))
    forms = {k: ImportUploadForm(prefix=k) for k in KINDS}
    forms[kind] = form
    return (
        render_template(
            "admin/imports.html",
            runs=runs,
            forms=forms,
            statuses=STATUSES,
            kind_title=_kind_title,
        ),
        422,
    )


def _status(run: ImportRun) -> dict[str, Any]:
    progress = read_progress(run.id) if run.status in ("checking", "applying") else None
    percent = 0
    phase = ""
    if progress:
        phase = str(PHASES.get(progress.get("phase", ""), ""))
        total = int(progress.get("total") or 0)
        percent = min(100, 100 * int(progress.get("done") or 0) // total) if total else 0
    return {
        "id": run.id,
        "status": run.status,
        "status_label": str(STATUSES.get(run.status, run.status)),
        "phase": phase,
        "percent": percent,
        "working": run.status in ("checking", "applying"),
    }


@bp.get("/imports/<int:run_id>")
def import_run(run_id: int) -> ResponseReturnValue:
    run = get_run(current_user, run_id)
    return render_template(
        "admin/import_run.html",
        run=run,
        report=run.report or {},
        result=run.result or {},
        state=_status(run),
        form=ImportConfirmForm(),
        kind_title=_kind_title(run.kind),
        fields=FIELD_LABELS,
        show=_show,
    )


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)


@bp.get("/imports/<int:run_id>/status.json")
def import_status(run_id: int) -> ResponseReturnValue:
    response = jsonify(_status(get_run(current_user, run_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/imports/<int:run_id>/confirm")
def confirm_import_run(run_id: int) -> ResponseReturnValue:
    run = get_run(current_user, run_id)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("The form has expired; please try again."), "danger")
        return redirect(url_for("admin.import_run", run_id=run.id))
    try:
        confirm_import(
            current_user,
            run,
            deactivate_missing=bool(form.deactivate_missing.data) and run.kind == "orgs",
        )
    except DomainError as exc:
        db.session.rollback()
        flash_refusal(exc, category="danger")
    return redirect(url_for("admin.import_run", run_id=run.id))


@bp.get("/imports/<int:run_id>/problems.csv")
def import_problems(run_id: int) -> ResponseReturnValue:
    run = get_run(current_user, run_id)
    problems = (run.report or {}).get("problems", [])
    return csv_response(
        f"import-{run.id}-problems.csv",
        [_("Row"), _("Column"), _("Problem")],
        ([p["row"], p["column"], p["message"]] for p in problems),
    )


@bp.get("/imports/template/<kind>.xlsx")
def import_template(kind: str) -> ResponseReturnValue:
    kind = _kind(kind)
    name = _("%(what)s import template", what=_kind_title(kind))
    return xlsx_file(name, workbook(current_user, kind, example=True))


@bp.get("/imports/export/<kind>.xlsx")
def import_export(kind: str) -> ResponseReturnValue:
    kind = _kind(kind)
    stamp = format_beijing(utcnow(), "%Y%m%d")
    name = _("%(what)s (import columns)", what=_kind_title(kind)) + f" {stamp}"
    return xlsx_file(name, workbook(current_user, kind, example=False))


@bp.post("/imports/<int:run_id>/activations")
def import_activations(run_id: int) -> ResponseReturnValue:
    """The new users' initial passwords or activation links, issued now, as an .xlsx."""
    run = get_run(current_user, run_id)
    form = ImportConfirmForm()
    kind = request.form.get("kind", "")
    if not form.validate_on_submit() or kind not in ("password", "link"):
        flash(_("The form has expired; please try again."), "danger")
        return redirect(url_for("admin.import_run", run_id=run.id))
    try:
        data = activation_sheet(current_user, run, kind)
    except DomainError as exc:
        db.session.rollback()
        flash_refusal(exc, category="danger")
        return redirect(url_for("admin.import_run", run_id=run.id))
    name = _("Initial passwords") if kind == "password" else _("Activation links")
    response = xlsx_file(f"{name} {run.id}", data)
    response.headers["Cache-Control"] = "no-store"
    return response
