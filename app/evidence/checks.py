"""What an uploaded file really is, judged by its content, and a safe name to show for it.

The browser's content type and the file's extension are ignored: both are chosen by the
sender. Accepted are JPEG, PNG, GIF and WebP images (which must really decode), PDF, Office
Open XML documents (docx, xlsx, pptx) and legacy Office documents (doc, xls, ppt). Anything
else is refused with a message in Chinese, among them HTML and SVG (script could run in the
browser), executables, scripts and archives.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import warnings
import zipfile
from typing import BinaryIO, NamedTuple

from PIL import Image, UnidentifiedImageError

from app.errors import Invalid
from app.evidence.models import EvidenceKind

ALLOWED_TYPES_TEXT = "仅支持 JPG、PNG、GIF、WebP 图片，PDF 文件和 Word、Excel、PowerPoint 文档。"

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

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_MAIN_STREAMS = {"worddocument": DOC, "workbook": XLS, "book": XLS, "powerpoint document": PPT}


def refuse(message: str) -> Invalid:
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
            raise refuse("文件为空，请重新选择。")
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
        return "不支持 SVG 图片（其中可能含有脚本），请转换为 PNG 或 JPG 后上传。"
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
        return "不支持网页或 XML 文件（可能含有脚本），" + ALLOWED_TYPES_TEXT
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
        return "不允许上传可执行程序。" + ALLOWED_TYPES_TEXT
    if text.startswith(b"#!") or text.startswith((b"@echo", b"<?php", b"<%")):
        return "不允许上传脚本文件。" + ALLOWED_TYPES_TEXT
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
        return "不支持压缩包，请解压后逐个上传其中的文件。" + ALLOWED_TYPES_TEXT
    return "无法识别的文件类型。" + ALLOWED_TYPES_TEXT


def _check_image(stream: BinaryIO, expected: FileType) -> FileType:
    """The image must be what its magic says, of a sane size, and really decode."""
    broken = f"图片文件已损坏或不完整，无法打开（{expected.extension[1:].upper()}）。"
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
                        f"图片尺寸过大（{width}×{height} 像素），"
                        f"最多 {MAX_IMAGE_PIXELS // 1_000_000} 百万像素，请缩小后上传。"
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
        raise refuse("图片尺寸过大，可能是恶意构造的文件，请缩小后上传。") from None
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
    not_office = "不支持压缩包，请解压后逐个上传其中的文件。" + ALLOWED_TYPES_TEXT
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
        raise refuse("文件已损坏，无法作为 Office 文档打开。") from None
    finally:
        stream.seek(0)

    for match in _OVERRIDE_RE.finditer(content_types):
        attrs = {k.lower(): (a if a else b) for k, a, b in _ATTR_RE.findall(match.group(1))}
        content_type = attrs.get("contenttype", "").strip()
        part_name = attrs.get("partname", "").strip().lstrip("/")
        if _OOXML_MACRO.search(content_type):
            raise refuse(
                "不支持含宏的 Office 文档（.docm、.xlsm、.pptm），请另存为普通文档后上传。"
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
        names = _ole_root_names(data)
    except (ValueError, struct.error, IndexError):
        raise refuse("文件已损坏，无法作为 Office 文档打开。") from None
    if {"encryptioninfo", "encryptedpackage"} <= names:
        raise refuse("不支持加密的 Office 文档，请取消密码后上传。")
    for name in ("worddocument", "powerpoint document", "workbook", "book"):
        if name in names:
            return _OLE_MAIN_STREAMS[name]
    raise refuse("无法识别的文件类型（不是 Word、Excel 或 PowerPoint 文档）。" + ALLOWED_TYPES_TEXT)


_ENDOFCHAIN = 0xFFFFFFFE
_MAXREGSECT = 0xFFFFFFFA


def _ole_root_names(data: bytes) -> set[str]:
    """Lower-cased names of the entries directly in a compound file's root storage."""
    if len(data) < 512 or data[:8] != OLE2_MAGIC:
        raise ValueError("not a compound file")
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        raise ValueError("bad sector size")
    sector = 1 << shift
    n_sectors = max(0, (len(data) - sector) // sector + 1)
    fat_count, first_dir = struct.unpack_from("<II", data, 0x2C)
    first_difat, difat_count = struct.unpack_from("<II", data, 0x44)

    def at(sid: int) -> int:
        if sid > _MAXREGSECT or sid >= n_sectors:
            raise ValueError("sector out of range")
        return (sid + 1) * sector

    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s <= _MAXREGSECT]
    sid, seen = first_difat, 0
    while difat_count and sid <= _MAXREGSECT and seen < difat_count:
        entries = struct.unpack_from(f"<{sector // 4}I", data, at(sid))
        fat_sectors.extend(s for s in entries[:-1] if s <= _MAXREGSECT)
        sid, seen = entries[-1], seen + 1
    fat_sectors = fat_sectors[:fat_count] if fat_count else fat_sectors
    fat: list[int] = []
    for s in fat_sectors:
        fat.extend(struct.unpack_from(f"<{sector // 4}I", data, at(s)))

    directory = bytearray()
    sid, steps = first_dir, 0
    while sid != _ENDOFCHAIN:
        if steps > n_sectors or sid >= len(fat):
            raise ValueError("broken directory chain")
        start = at(sid)
        directory += data[start : start + sector]
        sid, steps = fat[sid], steps + 1

    def entry(i: int) -> tuple[str, int, int, int, int]:
        off = i * 128
        if off + 128 > len(directory):
            raise ValueError("directory entry out of range")
        name_len = struct.unpack_from("<H", directory, off + 0x40)[0]
        name = bytes(directory[off : off + max(0, min(name_len, 64) - 2)]).decode(
            "utf-16-le", "replace"
        )
        kind = directory[off + 0x42]
        left, right, child = struct.unpack_from("<III", directory, off + 0x44)
        return name, kind, left, right, child

    _root_name, root_kind, _l, _r, child = entry(0)
    if root_kind != 5:
        raise ValueError("no root entry")
    names: set[str] = set()
    pending, visited = [child], set()
    while pending:
        i = pending.pop()
        if i > _MAXREGSECT or i in visited:
            continue
        visited.add(i)
        if len(visited) > 100_000:
            raise ValueError("directory too large")
        name, kind, left, right, _child = entry(i)
        if kind in (1, 2):
            names.add(name.lower())
        pending.extend((left, right))
    return names


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
        raise refuse("文件名为空或无效，请重命名后再上传。")
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
