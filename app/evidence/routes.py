"""Evidence pages: download, thumbnail, upload and remove (forms posted from the
self-assessment page, which renders them)."""

from __future__ import annotations

import re
import unicodedata
from typing import BinaryIO
from urllib.parse import quote, urlsplit

from flask import Response, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import DomainError
from app.evidence import bp
from app.evidence.checks import download_name
from app.evidence.models import Evidence
from app.evidence.services import (
    add_evidence,
    get_evidence_for_download,
    open_evidence,
    thumbnail,
    unlink_evidence,
)
from app.extensions import db

# -- responses ----------------------------------------------------------------------------


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._()\-\[\] ]+", "_", text).strip(" ._")


def content_disposition(name: str, fallback_stem: str = "evidence") -> str:
    """``attachment`` with an ASCII ``filename`` and the exact UTF-8 ``filename*``.

    "2026年职工之家.pdf" → ``filename="2026.pdf"``; a name with no ASCII letters or digits
    falls back to `fallback_stem` plus the extension.
    """
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ascii_stem = _ascii(stem)
    if not re.search(r"[A-Za-z0-9]", ascii_stem):
        ascii_stem = fallback_stem
    ascii_ext = ext if re.fullmatch(r"[A-Za-z0-9]{1,10}", ext) else ""
    ascii_name = ascii_stem + (f".{ascii_ext}" if ascii_ext else "")
    encoded = quote(name, safe="!#$&+-.^_`|~")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"


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


# -- pages --------------------------------------------------------------------------------


@bp.get("/evidence/<int:evidence_id>/download")
@login_required
def download(evidence_id: int):  # type: ignore[no-untyped-def]
    return evidence_response(get_evidence_for_download(current_user, evidence_id))


@bp.get("/evidence/<int:evidence_id>/thumbnail")
@login_required
def thumbnail_image(evidence_id: int):  # type: ignore[no-untyped-def]
    return thumbnail_response(get_evidence_for_download(current_user, evidence_id))


def safe_next(value: str | None) -> str | None:
    """A same-site path to return to, or None (absolute URLs, //host, \\ tricks refused)."""
    if not value or len(value) > 2000:
        return None
    if any(ord(c) < 32 or c in "\\\x7f" for c in value):
        return None
    if not value.startswith("/") or value.startswith("//"):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def _back(nomination_id: int):  # type: ignore[no-untyped-def]
    target = safe_next(request.form.get("next")) or url_for(
        "nominations.detail", nomination_id=nomination_id
    )
    return redirect(target, code=303)


def _flash_refusal(exc: DomainError) -> None:
    parts = [exc.message]
    for messages in exc.errors.values():
        parts.extend(m for m in messages if m not in parts)
    parts.extend(exc.problems)
    flash(" ".join(parts), "danger")


@bp.post("/nominations/<int:nomination_id>/evidence")
@login_required
def upload(nomination_id: int):  # type: ignore[no-untyped-def]
    """Form fields: csrf_token, file, item_id (optional), next (optional page to return to)."""
    try:
        link = add_evidence(
            current_user,
            nomination_id,
            request.files.get("file"),
            request.form.get("item_id") or None,
        )
    except DomainError as exc:
        db.session.rollback()
        if exc.status in (403, 404):  # not this user's to change: the error page
            raise
        _flash_refusal(exc)
        return _back(nomination_id)
    flash(_("Evidence uploaded: %(name)s", name=link.evidence.original_name), "success")
    return _back(nomination_id)


@bp.post("/nominations/<int:nomination_id>/evidence/<int:link_id>/remove")
@login_required
def remove(nomination_id: int, link_id: int):  # type: ignore[no-untyped-def]
    try:
        unlink_evidence(current_user, nomination_id, link_id)
    except DomainError as exc:
        db.session.rollback()
        if exc.status in (403, 404):  # not this user's to change: the error page
            raise
        _flash_refusal(exc)
        return _back(nomination_id)
    flash(_("The evidence was removed."), "success")
    return _back(nomination_id)
