"""Spreadsheet imports as an administrator runs them: upload → dry run → confirm → applied.

`start_import` stores the file (`ImportRun`) and starts its dry run; `confirm_import`
starts applying it. Both run as an RQ job when Redis is configured (any host's worker
reads the file from the database), otherwise in a thread of the web process (the embedded
single-host default), or inline when `IMPORT_RUNNER=inline` (tests, the CLI). While a run
works it reports its progress (phase, done, total) to Redis or, without Redis, to a file
in the instance folder: the apply is one transaction, which on SQLite holds the only write
lock, so progress cannot go through the database.

Applying plans the file again (the system may have changed since the dry run) and writes
everything in one transaction with the run's status, or nothing: a failure leaves the run
`failed` with the reason and the database as it was.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, insert, select, update

from app.admin import org_import, user_import
from app.admin.models import AdminAudit, ImportRun
from app.admin.sheets import Column, read_rows
from app.errors import Conflict, DomainError, Invalid, NotFound
from app.extensions import db
from app.jobs import POLICIES, get_queue, redis_connection
from app.timeutil import utcnow

KINDS = ("orgs", "users")
# What a run is doing, in words (progress phases and statuses).
PHASES = {
    "read": _l("Reading the file"),
    "check": _l("Checking every row"),
    "compare": _l("Comparing with the system"),
    "write": _l("Writing"),
    "tree": _l("Rebuilding the organisation tree"),
    "done": _l("Done"),
}
STATUSES = {
    "checking": _l("Checking"),
    "checked": _l("Checked, waiting for your confirmation"),
    "applying": _l("Importing"),
    "applied": _l("Imported"),
    "failed": _l("Failed"),
}
MAX_BYTES = 20 * 1024 * 1024
REPORT_LIMIT = 2_000  # problems and samples kept in the report; the counts are all
Progress = Callable[[str, int, int], None]


def kind_columns(kind: str) -> list[Column]:
    return org_import.columns() if kind == "orgs" else user_import.columns()


# -- progress -------------------------------------------------------------------------------


def _progress_key(run_id: int) -> str:
    return f"import-progress:{run_id}"


def _progress_file(run_id: int) -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{run_id}.json"


def report_progress(run_id: int) -> Progress:
    """A reporter for the run: at most one write per percent."""
    redis = redis_connection()
    path = None if redis is not None else _progress_file(run_id)
    last: list[Any] = [None]
    failed: list[bool] = []

    def report(phase: str, done: int, total: int) -> None:
        step = (phase, (100 * done // total) if total else 100)
        if step == last[0]:
            return
        last[0] = step
        value = json.dumps({"phase": phase, "done": done, "total": total})
        try:
            if redis is not None:
                redis.set(_progress_key(run_id), value, ex=86_400)
            elif path is not None:
                tmp = path.with_suffix(".tmp")
                tmp.write_text(value)
                tmp.replace(path)
        except Exception:  # progress is for the eyes: the import goes on without it
            if not failed:
                failed.append(True)
                current_app.logger.warning(
                    "import %s: progress not recorded", run_id, exc_info=True
                )

    return report


def read_progress(run_id: int) -> dict[str, Any] | None:
    try:
        redis = redis_connection()
        if redis is not None:
            raw = redis.get(_progress_key(run_id))
            return json.loads(raw) if raw else None
        path = _progress_file(run_id)
        return json.loads(path.read_text()) if path.exists() else None
    except (OSError, ValueError):
        return None
    except Exception:  # Redis unreachable: the page shows the status without a figure
        current_app.logger.warning("import progress unreadable", exc_info=True)
        return None


# -- the steps ------------------------------------------------------------------------------


def _plan(run: ImportRun, actor: Any, progress: Progress) -> Any:
    progress("read", 0, 1)
    rows = read_rows(run.filename, run.data or b"", kind_columns(run.kind))
    progress("read", 1, 1)
    if run.kind == "orgs":
        return org_import.plan_orgs(actor, rows, progress=progress)
    return user_import.plan_users(actor, rows, progress=progress)


def _report(kind: str, plan: Any) -> dict[str, Any]:
    """What the page shows of a plan (counts of everything, the first rows of each list)."""
    problems = [{"row": p.row, "column": p.column, "message": p.message} for p in plan.problems]
    if kind == "orgs":
        created = [
            {"code": o.code, "name": o.name, "parent": o.parent_code, "level": o.level.value}
            for o in plan.created[:REPORT_LIMIT]
        ]
        changed = [{"key": c.code, "fields": c.fields} for c in plan.changed[:REPORT_LIMIT]]
        unchanged = len(plan.unchanged)
        missing = [{"key": code, "name": name} for code, name in plan.missing[:REPORT_LIMIT]]
    else:
        created = [
            {
                "username": p.username,
                "name": p.display_name,
                "roles": [f"{r.value}@{code}" for r, _o, code in p.roles],
            }
            for p in plan.created[:REPORT_LIMIT]
        ]
        changed = [
            {"key": c.username, "fields": c.fields, "roles": c.roles_text()}
            for c in plan.changed[:REPORT_LIMIT]
        ]
        unchanged = len(plan.unchanged)
        missing = [{"key": name} for name in plan.missing[:REPORT_LIMIT]]
    return {
        "counts": {
            "problems": len(plan.problems),
            "created": len(plan.created),
            "changed": len(plan.changed),
            "unchanged": unchanged,
            "missing": len(plan.missing),
        },
        "problems": problems[:REPORT_LIMIT],
        "created": created,
        "changed": changed,
        "missing": missing,
    }


def _actor(run: ImportRun) -> Any:
    return run.created_by  # None: the command line


def check_run(run_id: int) -> str:
    """The dry run: read and plan, store the report. Writes nothing else."""
    run = db.session.get(ImportRun, run_id)
    if run is None or run.status != "checking":
        return "nothing to check"
    progress = report_progress(run_id)
    try:
        plan = _plan(run, _actor(run), progress)
    except DomainError as exc:
        db.session.rollback()
        run = db.session.get(ImportRun, run_id)
        assert run is not None
        run.status, run.error = "failed", exc.message
        db.session.commit()
        return "failed"
    run.report = _report(run.kind, plan)
    run.status = "checked"
    db.session.commit()
    progress("done", 1, 1)
    return "checked"


def apply_run(run_id: int) -> str:
    """Plan again and write it all, with the run's status, in one transaction."""
    run = db.session.get(ImportRun, run_id)
    if run is None or run.status != "applying":
        return "nothing to apply"
    progress = report_progress(run_id)
    actor = _actor(run)
    try:
        plan = _plan(run, actor, progress)
        if not plan.ok:
            report = _report(run.kind, plan)
            db.session.rollback()
            run = db.session.get(ImportRun, run_id)
            assert run is not None
            run.report, run.status = report, "checked"
            run.error = _("The data changed since the check; please look at the problems.")
            db.session.commit()
            return "changed since the check"
        if run.kind == "orgs":
            counts = org_import.apply_orgs(
                actor, plan, deactivate_missing=run.deactivate_missing, progress=progress
            )
            result: dict[str, Any] = {"counts": counts}
        else:
            new_ids = user_import.apply_users(actor, plan, progress=progress)
            result = {
                "counts": {
                    "created": len(plan.created),
                    "changed": len(plan.changed),
                    "unchanged": len(plan.unchanged),
                },
                "user_ids": new_ids,
            }
        db.session.execute(
            insert(AdminAudit),
            [
                {
                    "at": utcnow(),
                    "actor_id": getattr(actor, "id", None),
                    "action": "import.apply",
                    "target_type": "org" if run.kind == "orgs" else "user",
                    "target_id": None,
                    "target_label": run.filename[:200],
                    "changes": {k: [None, v] for k, v in result["counts"].items()},
                }
            ],
        )
        run = db.session.get(ImportRun, run_id)
        assert run is not None
        run.result, run.status, run.error, run.data = result, "applied", None, None
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        run = db.session.get(ImportRun, run_id)
        if run is not None:
            run.status = "failed"
            run.error = (
                exc.message
                if isinstance(exc, DomainError)
                else _("The import failed; nothing was written.")
            )
            db.session.commit()
        if not isinstance(exc, DomainError):
            current_app.logger.exception("import %s failed", run_id)
        return "failed"
    progress("done", 1, 1)
    return "applied"


# -- running them ---------------------------------------------------------------------------


def check_job(run_id: int) -> str:
    return check_run(run_id)


def apply_job(run_id: int) -> str:
    return apply_run(run_id)


def _run(app: Flask, func: str, run_id: int) -> None:
    runner = app.config.get("IMPORT_RUNNER") or ("rq" if app.config.get("REDIS_URL") else "thread")
    target = check_run if func == "check" else apply_run
    if runner == "inline":
        target(run_id)
        return
    if runner == "rq":
        queue = get_queue()
        if queue is not None:
            name = f"app.admin.imports.{func}_job"
            try:
                queue.enqueue(name, run_id, **POLICIES[name].options())
                return
            except Exception:  # Redis unreachable: run it here rather than not at all
                app.logger.exception("could not enqueue %s for import %s", name, run_id)

    def work() -> None:
        with app.app_context():
            try:
                target(run_id)
            finally:
                db.session.remove()

    threading.Thread(target=work, name=f"import-{run_id}", daemon=True).start()


def start_import(actor: Any, kind: str, filename: str, data: bytes) -> ImportRun:
    """Store the file and start its dry run; the run (committed)."""
    if kind not in KINDS:
        raise NotFound(_("There is no such import."))
    if not data:
        raise Invalid(
            _("The file is empty; please choose it again."),
            errors={"file": [_("The file is empty; please choose it again.")]},
        )
    if len(data) > MAX_BYTES:
        message = _(
            "The file is larger than %(size)s MB; please split it.", size=MAX_BYTES // 1024 // 1024
        )
        raise Invalid(message, errors={"file": [message]})
    run = ImportRun(
        kind=kind,
        filename=(filename or "import")[:200],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        status="checking",
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(run)
    db.session.commit()
    _run(current_app._get_current_object(), "check", run.id)  # type: ignore[attr-defined]
    db.session.refresh(run)
    return run


def confirm_import(actor: Any, run: ImportRun, *, deactivate_missing: bool = False) -> ImportRun:
    """Start applying a checked run without problems (once: a second confirm is told)."""
    if run.status == "checked" and run.report.get("counts", {}).get("problems"):
        raise Conflict(_("This import has problems; correct the file and upload it again."))
    claimed = cast(
        CursorResult,
        db.session.execute(
            update(ImportRun)
            .where(ImportRun.id == run.id, ImportRun.status == "checked")
            .values(status="applying", deactivate_missing=deactivate_missing, updated_at=utcnow())
        ),
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise Conflict(
            _("This import is not waiting for a confirmation (it may have been applied already).")
        )
    db.session.commit()
    _run(current_app._get_current_object(), "apply", run.id)  # type: ignore[attr-defined]
    db.session.refresh(run)
    return run


def runs_for(actor: Any) -> Any:
    """The runs an administrator sees: their own (each administrator's files are theirs)."""
    return (
        select(ImportRun).where(ImportRun.created_by_id == actor.id).order_by(ImportRun.id.desc())
    )


def get_run(actor: Any, run_id: int) -> ImportRun:
    run = db.session.scalar(runs_for(actor).where(ImportRun.id == run_id))
    if run is None:
        raise NotFound(_("There is no such import."))
    return run


# -- the same columns out ------------------------------------------------------------------


def export_rows(actor: Any, kind: str) -> list[list[Any]]:
    """The administrator's organisations or users in the import's own columns: edited and
    imported again, only the edits change anything."""
    from sqlalchemy.orm import aliased

    from app.admin.policy import scoped_orgs
    from app.auth.models import ROLE_LABELS, RoleAssignment, User
    from app.orgs.models import CATEGORY_LABELS, LEVEL_LABELS, Organization

    scope = scoped_orgs(actor).with_only_columns(Organization.id).order_by(None)
    if kind == "orgs":
        parent = aliased(Organization)
        rows = db.session.execute(
            select(Organization, parent.code)
            .outerjoin(parent, parent.id == Organization.parent_id)
            .where(Organization.id.in_(scope))
            .order_by(Organization.code)
        ).all()
        return [
            [
                o.code,
                o.name,
                parent_code or "",
                LEVEL_LABELS[o.level],
                CATEGORY_LABELS[o.category] if o.category else "",
                "是" if o.is_state_owned else "否",
                o.staff_count,
                o.member_count,
                o.address or "",
                o.contact_phone or "",
            ]
            for o, parent_code in rows
        ]
    found = db.session.execute(
        select(
            User.username,
            User.display_name,
            User.mobile,
            User.email,
            RoleAssignment.role,
            Organization.code,
        )
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .join(Organization, Organization.id == RoleAssignment.org_id)
        .where(RoleAssignment.org_id.in_(scope))
        .order_by(User.username, Organization.code, RoleAssignment.role)
    ).all()
    return [
        [username, name, mobile or "", email or "", ROLE_LABELS[role], code]
        for username, name, mobile, email, role, code in found
    ]


def workbook(actor: Any, kind: str, *, example: bool) -> bytes:
    """The template (one example row) or the export, as an .xlsx."""
    from app.admin.sheets import template_workbook

    columns = kind_columns(kind)
    title = _("Organisations") if kind == "orgs" else _("Users")
    rows = [[c.example for c in columns]] if example else export_rows(actor, kind)
    return template_workbook(title, columns, rows)


# -- the new users' way in -----------------------------------------------------------------


def activation_sheet(actor: Any, run: ImportRun, kind: str) -> bytes:
    """An .xlsx of initial passwords or activation links for the users the run created who
    have not chosen a password yet: issued now, so any earlier sheet's stop working (the
    secrets exist only in this file). Commits."""
    if run.kind != "users" or run.status != "applied" or kind not in ("password", "link"):
        raise Conflict(_("Only an applied import of users has activations to hand out."))
    wanted = [int(i) for i in (run.result or {}).get("user_ids", [])]
    return activation_workbook(actor, wanted, kind)


def activation_workbook(actor: Any, wanted: list[int], kind: str) -> bytes:
    """Initial passwords or activation links, issued now, for those of the users who have
    not chosen a password yet, as an .xlsx. Commits."""
    from app.admin.sheets import template_workbook
    from app.admin.user_import import UNUSABLE_PASSWORD
    from app.auth.activation import activation_url, expires_in_days, issue_activations
    from app.auth.models import RoleAssignment, User
    from app.orgs.models import Organization

    waiting: list[int] = []
    for i in range(0, len(wanted), 5_000):
        waiting += db.session.scalars(
            select(User.id).where(
                User.id.in_(wanted[i : i + 5_000]),
                User.password_hash == UNUSABLE_PASSWORD,
                User.is_active_flag.is_(True),
            )
        )
    if not waiting:
        raise Conflict(_("Every user of this import has chosen a password already."))
    secrets = issue_activations(actor, waiting, kind)  # type: ignore[arg-type]
    people: dict[int, list[Any]] = {}
    for i in range(0, len(waiting), 5_000):
        rows = db.session.execute(
            select(User.id, User.username, User.display_name, User.mobile, Organization.code)
            .outerjoin(RoleAssignment, RoleAssignment.user_id == User.id)
            .outerjoin(Organization, Organization.id == RoleAssignment.org_id)
            .where(User.id.in_(waiting[i : i + 5_000]))
            .order_by(User.username, Organization.code)
        )
        for user_id, username, name, mobile, code in rows:
            people.setdefault(user_id, [username, name, mobile or "", code or ""])
    db.session.commit()
    secret_header = _("Initial password") if kind == "password" else _("Activation link")
    columns = [
        Column(_("Username"), False, "", "", text=True),
        Column(_("Name"), False, "", ""),
        Column(_("Mobile number"), False, "", "", text=True),
        Column(_("Organisation code"), False, "", "", text=True),
        Column(secret_header, False, "", "", text=True, width=30 if kind == "password" else 70),
    ]
    rows_out = [
        [*people[user_id], secret if kind == "password" else activation_url(secret)]
        for user_id, secret in sorted(secrets.items(), key=lambda kv: people[kv[0]][0])
        if user_id in people
    ]
    return template_workbook(
        _("Valid for %(days)s days", days=expires_in_days()), columns, rows_out, notes=False
    )
