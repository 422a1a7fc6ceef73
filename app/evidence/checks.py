"""What an uploaded file really is, judged by its content, and a safe name to show for it.

The browser's content type and the file's extension are ignored: both are chosen by the
sender. Accepted are JPEG, PNG, GIF and WebP images (which must really decode), PDF, Office
Open XML documents (docx, xlsx, pptx) and legacy Office documents (doc, xls, ppt). Anything
else is refused with a message saying why, among them HTML and SVG (script could run in the
browser), executables, scripts and archives.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import warnings
import zipfile
from typing import BinaryIO, NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from app.errors import Invalid
from app.evidence.models import EvidenceKind
from app.evidence.ole2 import OLE2_MAGIC, root_names

ALLOWED_TYPES_TEXT = _l(
    "Only JPG, PNG, GIF and WebP images, PDF files and Word, Excel and PowerPoint documents "
    "are accepted."
)

# Images larger than this (in pixels) are refused: decoding them could exhaust memory.
MAX_IMAGE_PIXELS = 50_000_000
MAX_NAME_LENGTH = 200


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

IMAGE_FORMATS = {"JPEG": JPEG, "PNG": PNG, "GIF": GIF, "WEBP": WEBP}

# Office Open XML: the main part's content type → what the package is.
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "word/",
        DOCX,
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": ("xl/", XLSX),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        "ppt/",
        PPTX,
    ),
}
_OOXML_MACRO = re.compile(r"macroEnabled", re.IGNORECASE)
_OVERRIDE_RE = re.compile(r"<(?:\w+:)?Override\b([^>]*)>", re.IGNORECASE)
_ATTR_RE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")

_OLE_MAIN_STREAMS = {"worddocument": DOC, "workbook": XLS, "book": XLS, "powerpoint document": PPT}


def refuse(message: str) -> Invalid:
    """A refused upload: the message, also as the error of the form's `file` field."""
    return Invalid(message, errors={"file": [message]})


# -- content ----------------------------------------------------------------------------


def identify(stream: BinaryIO) -> FileType:
    """The type of the (seekable) stream's content; raises Invalid for anything refused.

    Reads from the start and leaves the stream positioned at the start.
    """
    try:
        stream.seek(0)
        head = stream.read(4096)
        if not head:
            raise refuse(_("The file is empty; please choose it again."))
        return _by_magic(stream, head)
    finally:
        stream.seek(0)


def _by_magic(stream: BinaryIO, head: bytes) -> FileType:
    if head.startswith(b"\xff\xd8\xff"):
        return _check_image(stream, JPEG)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _check_image(stream, PNG)
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return _check_image(stream, GIF)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _check_image(stream, WEBP)
    if head.startswith(b"%PDF-"):
        # The header is the whole test: a PDF is only ever served as a download with its
        # own content type, and viewers cope with damaged ones themselves.
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _check_ooxml(stream)
    if head.startswith(OLE2_MAGIC):
        return _check_ole2(stream)
    raise refuse(_refusal_for(head))


def _refusal_for(head: bytes) -> str:
    """Why an unrecognised file is refused, as precisely as the first bytes tell."""
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\xfe\xff \t\r\n\x00").lower()
    text = text.replace(b"\x00", b"")  # UTF-16 text
    if b"<svg" in head.lower().replace(b"\x00", b""):
        return _(
            "SVG images are not accepted (they may contain script); please convert the image "
            "to PNG or JPG and upload it again."
        )
    if text.startswith(
        (
            b"<!doctype html",
            b"<html",
            b"<head",
            b"<body",
            b"<script",
            b"<iframe",
            b"<meta",
            b"<!--",
            b"<?xml",
            b"<",
        )
    ):
        return _(
            "Web pages and XML files are not accepted (they may contain script). %(allowed)s",
            allowed=ALLOWED_TYPES_TEXT,
        )
    if (
        head.startswith(b"MZ")
        or head.startswith(b"\x7fELF")
        or head[:4]
        in (
            b"\xfe\xed\xfa\xce",
            b"\xfe\xed\xfa\xcf",
            b"\xce\xfa\xed\xfe",
            b"\xcf\xfa\xed\xfe",
            b"\xca\xfe\xba\xbe",
        )
    ):
        return _("Programs may not be uploaded. %(allowed)s", allowed=ALLOWED_TYPES_TEXT)
    if text.startswith(b"#!") or text.startswith((b"@echo", b"<?php", b"<%")):
        return _("Scripts may not be uploaded. %(allowed)s", allowed=ALLOWED_TYPES_TEXT)
    if (
        head.startswith(
            (
                b"PK\x05\x06",
                b"PK\x07\x08",
                b"Rar!\x1a\x07",
                b"7z\xbc\xaf\x27\x1c",
                b"\x1f\x8b",
                b"BZh",
                b"\xfd7zXZ\x00",
                b"\x28\xb5\x2f\xfd",
            )
        )
        or head[257:262] == b"ustar"
    ):
        return _archives_refused()
    return _("Unrecognised file type. %(allowed)s", allowed=ALLOWED_TYPES_TEXT)


def _archives_refused() -> str:
    return _(
        "Archives are not accepted: please unpack them and upload the files one by one. "
        "%(allowed)s",
        allowed=ALLOWED_TYPES_TEXT,
    )


def _check_image(stream: BinaryIO, expected: FileType) -> FileType:
    """The image must be what its magic says, of a sane size, and really decode."""
    broken = _(
        "The image is damaged or incomplete and cannot be opened (%(format)s).",
        format=expected.extension[1:].upper(),
    )
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it; treat both as refusals.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            stream.seek(0)
            with Image.open(stream, formats=list(IMAGE_FORMATS)) as image:
                if IMAGE_FORMATS.get(image.format or "") != expected:
                    raise refuse(broken)
                width, height = image.size
                if width < 1 or height < 1:
                    raise refuse(broken)
                if width * height > MAX_IMAGE_PIXELS:
                    raise refuse(
                        _(
                            "The image is too large (%(width)s×%(height)s pixels): at most "
                            "%(mp)s megapixels; please make it smaller and upload it again.",
                            width=width,
                            height=height,
                            mp=MAX_IMAGE_PIXELS // 1_000_000,
                        )
                    )
                image.verify()  # structure and checksums (PNG: every chunk's CRC)
            if expected is not PNG:
                # verify() barely looks at JPEG, GIF and WebP data: decode (JPEG at 1/8).
                stream.seek(0)
                with Image.open(stream, formats=list(IMAGE_FORMATS)) as image:
                    if expected is JPEG:
                        image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                    image.load()
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse(
            _(
                "The image is too large and may be a malicious file; please make it smaller "
                "and upload it again."
            )
        ) from None
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        struct.error,
        IndexError,
        TypeError,
        MemoryError,
    ):
        raise refuse(broken) from None
    finally:
        stream.seek(0)
    return expected


def _check_ooxml(stream: BinaryIO) -> FileType:
    """A ZIP is accepted only as a Word, Excel or PowerPoint (Office Open XML) package."""
    not_office = _archives_refused()
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            try:
                info = archive.getinfo("[Content_Types].xml")
            except KeyError:
                raise refuse(not_office) from None
            if info.file_size > 1024 * 1024:
                raise refuse(not_office)
            with archive.open(info) as part:
                content_types = part.read(1024 * 1024 + 1).decode("utf-8", "replace")
    except Invalid:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ):
        raise refuse(_damaged_office()) from None
    finally:
        stream.seek(0)

    for match in _OVERRIDE_RE.finditer(content_types):
        attrs = {k.lower(): (a if a else b) for k, a, b in _ATTR_RE.findall(match.group(1))}
        content_type = attrs.get("contenttype", "").strip()
        part_name = attrs.get("partname", "").strip().lstrip("/")
        if _OOXML_MACRO.search(content_type):
            raise refuse(
                _(
                    "Office documents with macros (.docm, .xlsm, .pptm) are not accepted; "
                    "please save it as a plain document and upload it again."
                )
            )
        main = _OOXML_MAIN.get(content_type)
        if main is None:
            continue
        prefix, file_type = main
        if part_name.startswith(prefix) and part_name in names:
            return file_type
    raise refuse(not_office)


def _check_ole2(stream: BinaryIO) -> FileType:
    """A legacy Office file: a compound file whose root holds Word, Excel or PPT's stream.

    Other compound files (installers .msi, Outlook .msg, encrypted packages) are refused.
    """
    stream.seek(0)
    data = stream.read()
    stream.seek(0)
    try:
        names = root_names(data)
    except (ValueError, struct.error, IndexError):
        raise refuse(_damaged_office()) from None
    if {"encryptioninfo", "encryptedpackage"} <= names:
        raise refuse(
            _(
                "Encrypted Office documents are not accepted; please remove the password and "
                "upload it again."
            )
        )
    for name in ("worddocument", "powerpoint document", "workbook", "book"):
        if name in names:
            return _OLE_MAIN_STREAMS[name]
    raise refuse(
        _(
            "Unrecognised file type (not a Word, Excel or PowerPoint document). %(allowed)s",
            allowed=ALLOWED_TYPES_TEXT,
        )
    )


def _damaged_office() -> str:
    return _("The file is damaged and cannot be opened as an Office document.")


# -- names ------------------------------------------------------------------------------


def clean_filename(name: str | None) -> str:
    """The uploaded file's own name, kept as typed (Chinese included) but made harmless.

    Path components of either separator are dropped ("../../etc/passwd" → "passwd",
    "C:\\x\\报告.pdf" → "报告.pdf"), as are control and invisible formatting characters
    (such as the right-to-left override that disguises "exe.pdf"); the result is capped
    at MAX_NAME_LENGTH characters, keeping the extension. Raises Invalid if nothing is left.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = name.strip().strip(".").strip()
    if not name:
        raise refuse(
            _("The file name is empty or invalid; please rename the file and upload it again.")
        )
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and 0 < len(ext) <= 16:
            name = stem[: MAX_NAME_LENGTH - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_NAME_LENGTH].rstrip()
    return name


def download_name(original_name: str, content_type: str) -> str:
    """The name to save a download as: the original, with the right extension ensured.

    A file uploaded as "照片.exe" that is really a JPEG is offered as "照片.exe.jpg", so the
    receiving computer never treats our file as something it is not.
    """
    allowed = EXTENSIONS.get(content_type)
    if not allowed or original_name.lower().endswith(allowed):
        return original_name
    return original_name + allowed[0]
