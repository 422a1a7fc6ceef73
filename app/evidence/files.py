"""Evidence files in the bodies of the feature APIs (spot-check photos and rectification
files, a commended home's rectification files): the multipart upload of one file, and one
stored file as the response shows it, downloadable with the bearer token.

The nomination's own evidence has its richer link schema in `app.assessment.schemas`.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from app.evidence.models import Evidence, EvidenceKind


class UploadSchema(Schema):
    """A multipart request carrying one file as `file`."""

    file = fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary"},
        # In a list: marshmallow lists only a str message itself, and a lazy one is no str.
        error_messages={"required": [_l("Please choose a file to upload.")]},
    )


class FileSchema(Schema):
    """A stored evidence file (`present_file`)."""

    evidence_id = fields.Int()
    name = fields.Str()
    content_type = fields.Str()
    kind = fields.Str(metadata={"enum": [k.value for k in EvidenceKind]})
    size = fields.Int(metadata={"description": "Bytes."})
    download_url = fields.Str(metadata={"description": "Send the bearer token."})


def present_file(evidence: Evidence, *, thumbnail: bool = False) -> dict[str, Any]:
    """A file for `FileSchema`; with `thumbnail`, also its `thumbnail_url` (null unless an
    image)."""
    body: dict[str, Any] = {
        "evidence_id": evidence.id,
        "name": evidence.original_name,
        "content_type": evidence.content_type,
        "kind": evidence.kind,
        "size": evidence.size,
        "download_url": url_for("api_evidence.EvidenceDownload", evidence_id=evidence.id),
    }
    if thumbnail:
        body["thumbnail_url"] = (
            url_for("api_evidence.EvidenceThumbnail", evidence_id=evidence.id)
            if evidence.kind == EvidenceKind.IMAGE
            else None
        )
    return body


def created(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """A 201 answer to an upload: the file, and its download as the `Location`."""
    return body, {"Location": body["download_url"]}
