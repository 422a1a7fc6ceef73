"""The file types evidence may be, the limits the checks apply, and the one refusal shape.

The checks (`checks`, `images`, `pdf`, `packages`) share these; `checks` re-exports them.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

from app.errors import Invalid
from app.evidence.models import EvidenceKind

ALLOWED_TYPES_TEXT = _l(
    "Only JPG, PNG, GIF and WebP images, PDF files and Word, Excel and PowerPoint documents "
    "are accepted."
)

# Images larger than this (in pixels) are refused: decoding them could exhaust memory.
MAX_IMAGE_PIXELS = 50_000_000
MB = 1024 * 1024


class FileType(NamedTuple):
    kind: EvidenceKind
    content_type: str
    extension: str  # canonical, with the dot: ".jpg"


JPEG = FileType(EvidenceKind.IMAGE, "image/jpeg", ".jpg")
PNG = FileType(EvidenceKind.IMAGE, "image/png", ".png")
GIF = FileType(EvidenceKind.IMAGE, "image/gif", ".gif")
WEBP = FileType(EvidenceKind.IMAGE, "image/webp", ".webp")
PDF = FileType(EvidenceKind.PDF, "application/pdf", ".pdf")
DOCX = FileType(
    EvidenceKind.OFFICE,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
)
XLSX = FileType(
    EvidenceKind.OFFICE,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsx",
)
PPTX = FileType(
    EvidenceKind.OFFICE,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pptx",
)
DOC = FileType(EvidenceKind.OFFICE, "application/msword", ".doc")
XLS = FileType(EvidenceKind.OFFICE, "application/vnd.ms-excel", ".xls")
PPT = FileType(EvidenceKind.OFFICE, "application/vnd.ms-powerpoint", ".ppt")

# Extensions a download name may already carry for each detected type.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    JPEG.content_type: (".jpg", ".jpeg", ".jpe", ".jfif"),
    PNG.content_type: (".png",),
    GIF.content_type: (".gif",),
    WEBP.content_type: (".webp",),
    PDF.content_type: (".pdf",),
    DOCX.content_type: (".docx",),
    XLSX.content_type: (".xlsx",),
    PPTX.content_type: (".pptx",),
    DOC.content_type: (".doc",),
    XLS.content_type: (".xls",),
    PPT.content_type: (".ppt",),
}

# Pillow's format names of the accepted images.
IMAGE_FORMATS = {"JPEG": JPEG, "PNG": PNG, "GIF": GIF, "WEBP": WEBP}


class Limits(NamedTuple):
    """How far a file may unpack: an Office package's parts, a PDF's object streams."""

    unpacked_bytes: int = 100 * MB  # all parts together, uncompressed (as declared)
    ratio: int = 100  # uncompressed ÷ compressed, of each part and of the whole
    parts: int = 10_000  # entries of a package

    @classmethod
    def from_config(cls, app: Flask | None = None) -> Limits:
        """The limits set for the app (`EVIDENCE_MAX_UNPACKED_MB`, …)."""
        config = (app or current_app).config
        return cls(
            unpacked_bytes=int(config["EVIDENCE_MAX_UNPACKED_MB"]) * MB,
            ratio=int(config["EVIDENCE_MAX_COMPRESSION_RATIO"]),
            parts=int(config["EVIDENCE_MAX_PACKAGE_PARTS"]),
        )


def refuse(message: str) -> Invalid:
    """A refused upload: the message, also as the error of the form's `file` field."""
    return Invalid(message, errors={"file": [message]})
