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
import zipfile
from typing import BinaryIO

from flask_babel import gettext as _

from app.errors import Invalid
from app.evidence import packages, pdf
from app.evidence.filetypes import (
    ALLOWED_TYPES_TEXT,
    DOC,
    DOCX,
    EXTENSIONS,
    GIF,
    IMAGE_FORMATS,
    JPEG,
    MAX_IMAGE_PIXELS,
    MB,
    PDF,
    PNG,
    PPT,
    PPTX,
    WEBP,
    XLS,
    XLSX,
    FileType,
    Limits,
    refuse,
)
from app.evidence.images import check_image
from app.evidence.ole2 import OLE2_MAGIC, root_names

__all__ = [
    "ALLOWED_TYPES_TEXT",
    "DOC",
    "DOCX",
    "EXTENSIONS",
    "GIF",
    "IMAGE_FORMATS",
    "JPEG",
    "MAX_IMAGE_PIXELS",
    "MAX_NAME_LENGTH",
    "OLE2_MAGIC",
    "PDF",
    "PNG",
    "PPT",
    "PPTX",
    "WEBP",
    "XLS",
    "XLSX",
    "FileType",
    "Limits",
    "clean_filename",
    "download_name",
    "identify",
    "refuse",
]

MAX_NAME_LENGTH = 200

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


# -- content ----------------------------------------------------------------------------


def identify(stream: BinaryIO, limits: Limits | None = None) -> FileType:
    """The type of the (seekable) stream's content; raises Invalid for anything refused.

    `limits` bound what an Office package or a PDF may unpack to (the defaults without).
    Reads from the start and leaves the stream positioned at the start.
    """
    try:
        stream.seek(0)
        head = stream.read(4096)
        if not head:
            raise refuse(_("The file is empty; please choose it again."))
        return _by_magic(stream, head, limits or Limits())
    finally:
        stream.seek(0)


def _by_magic(stream: BinaryIO, head: bytes, limits: Limits) -> FileType:
    if head.startswith(b"\xff\xd8\xff"):
        return check_image(stream, JPEG)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return check_image(stream, PNG)
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return check_image(stream, GIF)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return check_image(stream, WEBP)
    if head.startswith(b"%PDF-"):
        return _check_pdf(stream, limits)
    if head.startswith(b"PK\x03\x04"):
        return _check_ooxml(stream, limits)
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


def _check_ooxml(stream: BinaryIO, limits: Limits) -> FileType:
    """A ZIP is accepted only as a Word, Excel or PowerPoint (Office Open XML) package, and
    only if its directory shows nothing that would unpack beyond the limits."""
    not_office = _archives_refused()
    finding = packages.inspect(stream, limits)
    if finding is not None:
        raise refuse(_package_refusal(finding))
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


def _package_refusal(finding: packages.Finding) -> str:
    """Why an Office package is refused, from what its directory showed."""
    problem = packages.Problem
    suspicious = _(
        "It may be a malicious file (a zip bomb); please save the document again in Office "
        "and upload it again."
    )
    if finding.problem is problem.TOO_MANY_PARTS:
        return _(
            "The document holds %(count)s parts, more than the %(limit)s allowed. %(why)s",
            count=finding.value,
            limit=finding.limit,
            why=suspicious,
        )
    if finding.problem is problem.TOO_LARGE:
        return _(
            "The document would unpack to more than %(limit)s MB. %(why)s",
            limit=finding.limit // MB,
            why=suspicious,
        )
    if finding.problem is problem.RATIO:
        return _(
            "The document is compressed %(ratio)s:1, beyond the %(limit)s:1 allowed. %(why)s",
            ratio=finding.value,
            limit=finding.limit,
            why=suspicious,
        )
    if finding.problem is problem.OVERLAP:
        return _(
            "Parts of the document share the same data, which Office never writes. %(why)s",
            why=suspicious,
        )
    if finding.problem is problem.UNSAFE_NAME:
        return _(
            "The document contains a part with an unsafe name (%(name)s) that could be "
            "unpacked outside its folder; it is not accepted.",
            name=finding.name[:80],
        )
    if finding.problem is problem.DUPLICATE:
        return _(
            "The document lists the part %(name)s twice, so programs may disagree about "
            "what it contains; it is not accepted.",
            name=finding.name[:80],
        )
    if finding.problem is problem.ENCRYPTED:
        return _(
            "Encrypted Office documents are not accepted; please remove the password and "
            "upload it again."
        )
    return _damaged_office()


def _check_pdf(stream: BinaryIO, limits: Limits) -> FileType:
    """A PDF is accepted only if nothing in it could act: see `app.evidence.pdf`."""
    stream.seek(0)
    finding = pdf.scan(stream.read(), limits.unpacked_bytes)
    stream.seek(0)
    if finding is None:
        return PDF
    raise refuse(_pdf_refusal(finding))


def _pdf_refusal(finding: pdf.Finding) -> str:
    found = pdf.Finding
    what = {
        found.JAVASCRIPT: _("script (JavaScript)"),
        found.OPEN_ACTION: _("an action run when it is opened"),
        found.ADDITIONAL_ACTIONS: _("actions run automatically (on opening a page or a field)"),
        found.LAUNCH: _("an action that starts a program"),
        found.EMBEDDED_FILE: _("embedded files (attachments)"),
        found.RICH_MEDIA: _("embedded multimedia (RichMedia)"),
        found.XFA: _("an XFA form"),
    }.get(finding)
    if what is not None:
        return _(
            "PDF files that contain %(what)s are not accepted; please print or export it to a "
            "new PDF without it and upload it again.",
            what=what,
        )
    if finding is found.UNREADABLE:
        return _(
            "The PDF cannot be checked (it is encrypted or damaged); please remove any "
            "password, save or print it to a new PDF and upload it again."
        )
    return _(
        "The PDF is too complex to check; please print or export it to a new PDF and upload "
        "it again."
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
