"""Evidence files: storing an upload, reading it back, thumbnails.

`store_evidence` checks a file by its content, stores it once per nomination and records it;
what cites it (a self-assessment item, a paper tally, a check photo, a rectification) is the
caller's, passed in as `attach`. A download goes through the same visibility query as the
nomination pages, so a file outside the user's scope is "not found", never "forbidden".
Evidence files are immutable.
"""

from __future__ import annotations

import hashlib
import io
import logging
import tempfile
import warnings
from collections.abc import Callable
from typing import Any, BinaryIO, TypeVar, cast

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps
from sqlalchemy import func, select

from app.auth.models import User
from app.errors import NotFound
from app.evidence.checks import (
    IMAGE_FORMATS,
    MAX_IMAGE_PIXELS,
    FileType,
    Limits,
    clean_filename,
    identify,
    refuse,
)
from app.evidence.images import clean_image
from app.evidence.models import Evidence, EvidenceKind
from app.evidence.storage import get_storage, new_key
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import visible_nominations
from app.timeutil import utcnow

T = TypeVar("T")

log = logging.getLogger(__name__)

MB = 1024 * 1024
THUMBNAIL_SUFFIX = ".thumb.jpg"
THUMBNAIL_SIZE = 320
_CHUNK = 1024 * 1024


# -- limits and rules ---------------------------------------------------------------------


def max_file_bytes() -> int:
    return int(current_app.config["EVIDENCE_MAX_FILE_MB"]) * MB


def max_nomination_bytes() -> int:
    return int(current_app.config["EVIDENCE_MAX_NOMINATION_MB"]) * MB


def _mb(size: int) -> str:
    return f"{size / MB:.1f}"


def used_bytes(nomination_id: int) -> int:
    """Bytes of all evidence stored for the nomination (unlinked files included)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(Evidence.size), 0)).where(
            Evidence.nomination_id == nomination_id
        )
    )
    return int(total or 0)


def _check_total(nomination_id: int, size: int) -> None:
    limit = max_nomination_bytes()
    used = used_bytes(nomination_id)
    if used + size > limit:
        raise refuse(
            _(
                "A nomination's evidence may total at most %(limit)s MB: %(used)s MB uploaded, "
                "this file %(size)s MB.",
                limit=limit // MB,
                used=_mb(used),
                size=_mb(size),
            )
        )


def _spool(source: BinaryIO, limit: int) -> tuple[BinaryIO, int, str]:
    """Copy the upload into a temporary file: (file at position 0, size, sha256 hex).

    Stops reading one byte past `limit`, whatever the request claimed its size was.
    """
    # typeshed calls it IO[bytes]; it is a binary file with every method of BinaryIO.
    spool = cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=2 * MB))
    digest = hashlib.sha256()
    size = 0
    try:
        while True:
            chunk = source.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise refuse(
                    _(
                        "The file is too large: at most %(limit)s MB per file; please compress "
                        "or split it and upload it again.",
                        limit=limit // MB,
                    )
                )
            digest.update(chunk)
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, size, digest.hexdigest()


def _measure(stream: BinaryIO) -> tuple[int, str]:
    """(size, sha256 hex) of the stream's content; leaves it at position 0."""
    digest = hashlib.sha256()
    size = 0
    stream.seek(0)
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        digest.update(chunk)
    stream.seek(0)
    return size, digest.hexdigest()


def store_evidence(
    user: User, nomination: Nomination, file_storage: Any, attach: Callable[[Evidence, bool], T]
) -> T:
    """Check, store and record one uploaded file of `nomination`, then `attach` it; commits.

    An image is stored re-encoded from its pixels (`app.evidence.images`): its size and
    sha256 are the stored file's. `attach(evidence, is_new)` says what cites the file (a
    round's item, a paper tally) and runs in the same transaction. The caller has authorised
    the user. If storing fails nothing is written to the database; if the database fails the
    stored file is deleted.
    """
    if file_storage is None or not getattr(file_storage, "filename", None):
        raise refuse(_("Please choose a file to upload."))
    name = clean_filename(file_storage.filename)
    spool, size, sha256 = _spool(getattr(file_storage, "stream", file_storage), max_file_bytes())
    stored_key: str | None = None
    storage = get_storage()
    try:
        file_type: FileType = identify(spool, Limits.from_config())
        if file_type.kind == EvidenceKind.IMAGE:
            cleaned = clean_image(spool, file_type)
            spool.close()
            spool = cleaned
            size, sha256 = _measure(spool)
        evidence = db.session.scalar(
            select(Evidence)
            .where(
                Evidence.nomination_id == nomination.id,
                Evidence.sha256 == sha256,
                Evidence.size == size,
                Evidence.original_name == name,
            )
            .limit(1)
        )
        is_new = evidence is None
        if evidence is None:
            _check_total(nomination.id, size)
            key = new_key()
            spool.seek(0)
            storage.save(key, spool)  # fails → nothing written to the database
            stored_key = key
            evidence = Evidence(
                nomination_id=nomination.id,
                storage_key=key,
                original_name=name,
                content_type=file_type.content_type,
                kind=file_type.kind,
                size=size,
                sha256=sha256,
                uploaded_by_id=user.id,
                uploaded_at=utcnow(),
            )
            db.session.add(evidence)
            db.session.flush()
        result = attach(evidence, is_new)
        if is_new:
            _check_total(nomination.id, 0)  # again, after the attach's lock: still within
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if stored_key is not None:
            try:
                storage.delete(stored_key)
            except Exception:  # the original error matters more
                log.exception("could not delete orphaned evidence file %s", stored_key)
        raise
    finally:
        spool.close()
    return result


def get_evidence_for_download(user: User, evidence_id: int) -> Evidence:
    """Evidence of a nomination the user may see; anything else is NotFound (404)."""
    visible_ids = (
        visible_nominations(user)
        .with_only_columns(Nomination.id, maintain_column_froms=True)
        .order_by(None)
    )
    evidence = db.session.scalar(
        select(Evidence).where(Evidence.id == evidence_id, Evidence.nomination_id.in_(visible_ids))
    )
    if evidence is None:
        raise NotFound(_("The file does not exist, or you may not see it."))
    return evidence


def open_evidence(evidence: Evidence) -> BinaryIO:
    """The stored file, for reading; NotFound if it has gone missing from the storage."""
    try:
        return get_storage().open(evidence.storage_key)
    except FileNotFoundError:
        log.error("evidence %s: file %s missing from storage", evidence.id, evidence.storage_key)
        raise NotFound(_("The file is missing; please contact the administrator.")) from None


# -- thumbnails ---------------------------------------------------------------------------


def thumbnail(evidence: Evidence) -> BinaryIO:
    """A JPEG of at most 320×320 pixels for an image, made once and kept in the storage
    under ``<key>.thumb.jpg``. NotFound for other kinds or an image that cannot be read."""
    if evidence.kind != EvidenceKind.IMAGE:
        raise NotFound(_("This file has no thumbnail."))
    storage = get_storage()
    key = evidence.storage_key + THUMBNAIL_SUFFIX
    try:
        return storage.open(key)
    except FileNotFoundError:
        pass
    with open_evidence(evidence) as source:
        try:
            data = make_thumbnail(source)
        except (
            OSError,
            ValueError,
            SyntaxError,
            EOFError,
            MemoryError,
            IndexError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ):
            log.warning("evidence %s: no thumbnail", evidence.id, exc_info=True)
            raise NotFound(_("The thumbnail could not be made.")) from None
    storage.save(key, io.BytesIO(data))
    return io.BytesIO(data)


def make_thumbnail(source: BinaryIO, size: int = THUMBNAIL_SIZE) -> bytes:
    """JPEG bytes of the image scaled to fit size×size, upright, on white if transparent."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(source, formats=list(IMAGE_FORMATS)) as opened:
            if opened.width * opened.height > MAX_IMAGE_PIXELS:
                raise ValueError("image too large")
            if opened.format == "JPEG":
                opened.draft("RGB", (size, size))
            # Each step below may hand back a new image (of the plain Image type).
            image: Image.Image = ImageOps.exif_transpose(opened) or opened
            image.thumbnail((size, size))
            if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
                rgba = image.convert("RGBA")
                background = Image.new("RGB", rgba.size, (255, 255, 255))
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            elif image.mode != "RGB":
                image = image.convert("RGB")
            # Files stored before uploads were re-encoded may carry a comment or EXIF: the
            # JPEG encoder would copy them from here.
            image.info = {}
            out = io.BytesIO()
            image.save(out, "JPEG", quality=82, optimize=True)
            return out.getvalue()
