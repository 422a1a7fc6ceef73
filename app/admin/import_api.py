"""The import in the JSON API (administrators only): upload a roster (multipart `file`),
read its check (counts, problems by row and column, what would change), confirm it, read
what was written. The same runs and rules as the pages (`app.admin.imports`)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from app.admin.imports import KINDS, PHASES, confirm_import, get_run, read_progress, start_import
from app.admin.models import ImportRun
from app.admin.policy import require_admin
from app.api.security import ApiBlueprint
from app.auth.models import User
from app.auth.session import api_user
from app.evidence.files import UploadSchema

blp = ApiBlueprint(
    "api_admin_imports",
    __name__,
    url_prefix="/api/v1/admin/imports",
    description="Importing organisations and users from spreadsheets (administrators only): "
    "upload, check, confirm.",
)


class ImportProblemSchema(Schema):
    row = fields.Int(metadata={"description": "The row as the sheet numbers it (1: headers)."})
    column = fields.Str()
    message = fields.Str()


class ImportCountsSchema(Schema):
    problems = fields.Int()
    created = fields.Int()
    changed = fields.Int()
    unchanged = fields.Int()
    missing = fields.Int()


class ImportRunSchema(Schema):
    id = fields.Int()
    kind = fields.Str(metadata={"enum": list(KINDS)})
    filename = fields.Str()
    size = fields.Int()
    sha256 = fields.Str()
    status = fields.Str(metadata={"enum": ["checking", "checked", "applying", "applied", "failed"]})
    error = fields.Str(allow_none=True)
    created_at = fields.DateTime()
    progress = fields.Dict(
        allow_none=True, metadata={"description": "phase, done, total while it works."}
    )
    counts = fields.Nested(ImportCountsSchema, allow_none=True)
    problems = fields.List(fields.Nested(ImportProblemSchema))
    created = fields.List(fields.Dict(), metadata={"description": "The first 2,000."})
    changed = fields.List(fields.Dict(), metadata={"description": "The first 2,000."})
    missing = fields.List(fields.Dict(), metadata={"description": "The first 2,000."})
    result = fields.Dict(metadata={"description": "What applying it wrote (counts)."})


class ImportConfirmSchema(Schema):
    deactivate_missing = fields.Bool(
        load_default=False,
        metadata={"description": "Organisations only: deactivate those the file leaves out."},
    )


def _admin() -> User:
    user = api_user()
    require_admin(user)
    return user


def present(run: ImportRun) -> dict[str, Any]:
    report = run.report or {}
    progress = read_progress(run.id) if run.status in ("checking", "applying") else None
    if progress:
        progress = {**progress, "phase_label": str(PHASES.get(progress.get("phase", ""), ""))}
    result = dict(run.result or {})
    result.pop("user_ids", None)
    return {
        "id": run.id,
        "kind": run.kind,
        "filename": run.filename,
        "size": run.size,
        "sha256": run.sha256,
        "status": run.status,
        "error": run.error,
        "created_at": run.created_at,
        "progress": progress,
        "counts": report.get("counts"),
        "problems": report.get("problems", []),
        "created": report.get("created", []),
        "changed": report.get("changed", []),
        "missing": report.get("missing", []),
        "result": result,
    }


@blp.route("/<string:kind>")
class Upload(MethodView):
    @blp.token_required
    @blp.arguments(UploadSchema, location="files")
    @blp.response(201, ImportRunSchema)
    @blp.errors(403, 404, 422)
    def post(self, files: dict[str, Any], kind: str) -> Any:
        """Upload an .xlsx or .csv in the template's columns (`kind`: orgs or users) and
        start its check; poll the run until `status` is `checked` (or `failed`)."""
        upload = files["file"]
        run = start_import(_admin(), kind, upload.filename or "", upload.read())
        return present(run)


@blp.route("/runs/<int:run_id>")
class Run(MethodView):
    @blp.token_required
    @blp.response(200, ImportRunSchema)
    @blp.errors(403, 404)
    def get(self, run_id: int) -> Any:
        """A run of yours: its status, progress, the check's report, the result."""
        return present(get_run(_admin(), run_id))


@blp.route("/runs/<int:run_id>/confirm")
class Confirm(MethodView):
    @blp.token_required
    @blp.arguments(ImportConfirmSchema)
    @blp.response(202, ImportRunSchema)
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], run_id: int) -> Any:
        """Write a checked run without problems (once; a second confirm is 409)."""
        admin = _admin()
        run = get_run(admin, run_id)
        return present(
            confirm_import(
                admin,
                run,
                deactivate_missing=bool(data["deactivate_missing"]) and run.kind == "orgs",
            )
        )
