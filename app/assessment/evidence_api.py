"""Evidence in the JSON API: list, upload and unlink a nomination's files; download them."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask.views import MethodView

from app.api.security import ApiBlueprint
from app.assessment.evidence import add_evidence, list_evidence, unlink_evidence
from app.assessment.models import EvidenceLink
from app.assessment.schemas import EvidenceLinkSchema, EvidenceQuerySchema, EvidenceUploadSchema
from app.auth.session import api_user
from app.evidence.download import evidence_response, thumbnail_response
from app.evidence.services import get_evidence_for_download

blp = ApiBlueprint(
    "api_evidence",
    __name__,
    url_prefix="/api/v1",
    description="Evidence files (佐证材料) of a nomination's self-assessment.",
)


_FILE_RESPONSE = {
    "description": "The file.",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


@blp.route("/nominations/<int:nomination_id>/evidence")
class NominationEvidence(MethodView):
    @blp.token_required
    @blp.arguments(EvidenceQuerySchema, location="query")
    @blp.response(200, EvidenceLinkSchema(many=True))
    @blp.errors(404, 422)
    def get(self, args: dict[str, Any], nomination_id: int) -> list[EvidenceLink]:
        """The evidence cited by a round of the nomination (default: the latest round)."""
        return list_evidence(api_user(), nomination_id, args.get("round_id"))

    @blp.token_required
    @blp.arguments(EvidenceUploadSchema, location="form", content_type="multipart/form-data")
    @blp.response(201, EvidenceLinkSchema)
    @blp.errors(403, 404, 409, 413, 422)
    def post(self, form: dict[str, Any], nomination_id: int) -> Any:
        """Upload a file (multipart: `file`, optional `item_id`) into the round being edited.

        Accepted: JPG, PNG, GIF, WebP, PDF, Word, Excel and PowerPoint files, judged by their
        content. 403 unless the caller is the nomination's union; 409 when no round is being
        edited; 422 for a refused file (type, size per file or per nomination) or item;
        413 for a request larger than the server accepts.
        """
        link = add_evidence(api_user(), nomination_id, form["file"], form.get("item_id"))
        location = url_for("api_evidence.EvidenceDownload", evidence_id=link.evidence_id)
        return link, {"Location": location}


@blp.route("/nominations/<int:nomination_id>/evidence/<int:link_id>")
class NominationEvidenceLink(MethodView):
    @blp.token_required
    @blp.response(204)
    @blp.errors(403, 404, 409)
    def delete(self, nomination_id: int, link_id: int) -> None:
        """Remove a file from the round being edited; the file stays for earlier rounds."""
        unlink_evidence(api_user(), nomination_id, link_id)


@blp.route("/evidence/<int:evidence_id>/download")
class EvidenceDownload(MethodView):
    @blp.token_required
    @blp.doc(responses={"200": _FILE_RESPONSE})
    @blp.errors(404)
    def get(self, evidence_id: int) -> Response:
        """The file itself, as an attachment named as uploaded (RFC 6266 `filename*`)."""
        return evidence_response(get_evidence_for_download(api_user(), evidence_id))


@blp.route("/evidence/<int:evidence_id>/thumbnail")
class EvidenceThumbnail(MethodView):
    @blp.token_required
    @blp.doc(
        responses={
            "200": {
                "description": "A JPEG of at most 320×320 pixels.",
                "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    )
    @blp.errors(404)
    def get(self, evidence_id: int) -> Response:
        """A small JPEG preview of an image file; 404 for other files."""
        return thumbnail_response(get_evidence_for_download(api_user(), evidence_id))
