"""An evidence file as a download: an attachment with the type detected at upload, never
rendered or sniffed by the browser; a thumbnail inline."""

from __future__ import annotations

from typing import BinaryIO

from flask import Response, send_file

from app.evidence.checks import download_name
from app.evidence.models import Evidence
from app.evidence.services import open_evidence, thumbnail
from app.web.downloads import content_disposition


def _protect(response: Response, cache: str) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = cache
    # Should a browser ever render the file itself, nothing in it may run or load.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def evidence_response(evidence: Evidence) -> Response:
    """The stored file as an attachment, with the content type detected at upload."""
    stream = open_evidence(evidence)
    response = send_file(
        stream, mimetype=evidence.content_type, conditional=False, etag=False, max_age=None
    )
    response.content_length = evidence.size
    response.headers["Content-Disposition"] = content_disposition(
        download_name(evidence.original_name, evidence.content_type), f"evidence-{evidence.id}"
    )
    return _protect(response, "private, no-store")


def thumbnail_response(evidence: Evidence) -> Response:
    stream: BinaryIO = thumbnail(evidence)
    response = send_file(stream, mimetype="image/jpeg", conditional=False, etag=False, max_age=None)
    response.headers["Content-Disposition"] = "inline"
    return _protect(response, "private, max-age=600")
