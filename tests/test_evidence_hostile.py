"""Hostile evidence files, made here: zip bombs and path tricks in Office packages, PDFs that
carry script, actions, launches or attachments, images with payloads and GPS. Each is
refused with a clear message next to the upload (web) and a 422 naming `file` (API), or,
for images, stored cleaned."""

from __future__ import annotations

import io
import struct
import time
import zipfile
import zlib
from typing import Any

import pytest
from openpyxl import Workbook
from PIL import ExifTags, Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from sqlalchemy import select

from app.assessment import evidence as citing
from app.errors import Invalid
from app.evidence import checks, packages, pdf, services
from app.evidence.models import Evidence, EvidenceKind
from app.evidence.storage import get_storage, new_key
from app.extensions import db
from app.timeutil import utcnow
from tests.conftest import field_error, post_form
from tests.test_evaluation_pages import _open, _page
from tests.test_evidence import (  # noqa: F401  (fixture re-export)
    api,
    browser,
    config,
    evidence_count,
    image_bytes,
    nomination,
    post_upload,
    standard,
    storage_root,
    stored_files,
    upload_file,
)

DOCUMENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{DOCUMENT_TYPE}"/></Types>'
).encode()
MB = 1024 * 1024


# -- making ZIP packages byte by byte --------------------------------------------------------


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def zeros_deflated(mib: int) -> bytes:
    """Raw deflate of `mib` MiB of zero bytes, made without compressing them all: after a
    full flush a compressor starts afresh, so each MiB compresses to the same bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * mib + zlib.compressobj(9, zlib.DEFLATED, -15).flush()


def raw_zip(parts: list[dict[str, Any]]) -> bytes:
    """A ZIP from parts {name, data (compressed), size, crc, method=8, flags=0, csize}:
    the sizes are whatever the part says, so it can lie as a hostile file does."""
    out, central = bytearray(), bytearray()
    for part in parts:
        name = part["name"].encode()
        data: bytes = part["data"]
        method, flags = part.get("method", 8), part.get("flags", 0) | 0x800
        csize = part.get("csize", len(data))
        fixed = (20, method, 0, 0, part["crc"], csize, part["size"], len(name))
        offset = len(out)
        out += struct.pack("<4sHHHHHLLLHH", b"PK\x03\x04", fixed[0], flags, *fixed[1:], 0)
        out += name + data
        central += struct.pack(
            "<4sHHHHHHLLLHHHHHLL", b"PK\x01\x02", 20, 20, flags, *fixed[1:], 0, 0, 0, 0, 0, offset
        )
        central += name
    end = struct.pack(
        "<4sHHHHLLH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(central), len(out), 0
    )
    return bytes(out + central + end)


def part(name: str, text: bytes, **extra: Any) -> dict[str, Any]:
    return {"name": name, "data": deflate(text), "size": len(text), "crc": zlib.crc32(text)} | extra


def docx_parts() -> list[dict[str, Any]]:
    return [
        part("[Content_Types].xml", CONTENT_TYPES),
        part("_rels/.rels", b"<Relationships/>"),
        part("word/document.xml", b"<document/>"),
    ]


def zip_bomb_docx() -> bytes:
    """2 MB that unpack to 2 GiB: a document whose image part is 2 GiB of zeros."""
    bomb = {"name": "word/media/image1.png", "data": zeros_deflated(2048), "size": 2 << 30}
    return raw_zip([*docx_parts(), bomb | {"crc": 0x4DBDF21C}])  # CRC-32 of 2 GiB of zeros


def xlsx_from_openpyxl() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in range(1, 200):
        sheet.append([row, f"会员{row}", "满意"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# -- making PDFs object by object --------------------------------------------------------------


def pdf_file(*objects: bytes, catalog: bytes = b"", page: bytes = b"") -> bytes:
    """A PDF with a correct cross-reference table: the catalog is object 1 (plus `catalog`),
    the page tree 2, a page 3 (plus `page`), then `objects` as 4, 5, …"""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page + b" >>",
        *objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref,
    )
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def object_stream(number: int, body: bytes, *more: tuple[int, bytes]) -> bytes:
    """An object stream (compressed) holding object `number` and `more` objects."""
    objects, offsets, at = [(number, body), *more], [], 0
    for n, text in objects:
        offsets.append(b"%d %d" % (n, at))
        at += len(text) + 1
    header = b" ".join(offsets) + b" "
    content = header + b" ".join(text for _n, text in objects)
    return stream(
        b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(objects), len(header)),
        zlib.compress(content),
    )


def reportlab_pdf(text: str = "职工之家 JavaScript /OpenAction", image: bool = False) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    if image:  # binary stream data, as a scan or a QR code gives
        noise = Image.frombytes("L", (64, 64), bytes(range(256)) * 16)
        page.drawImage(ImageReader(noise), 72, 400, 128, 128)
    page.showPage()
    page.save()
    return out.getvalue()


JS = b"<< /S /JavaScript /JS (app.alert\\('hi'\\)) >>"
EMBEDDED = (
    b"<< /Names [(a.exe) 5 0 R] >>",
    b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>",
    stream(b"/Type /EmbeddedFile", b"MZ\x90\x00"),
)

HOSTILE_PDFS = {
    "javascript-open-action": (lambda: pdf_file(JS, catalog=b"/OpenAction 4 0 R"), "JavaScript"),
    "javascript-name-tree": (
        lambda: pdf_file(
            b"<< /Names [(x) 5 0 R] >>", JS, catalog=b"/Names << /JavaScript 4 0 R >>"
        ),
        "JavaScript",
    ),
    "hex-escaped-names": (
        lambda: pdf_file(catalog=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),
        "JavaScript",
    ),
    "javascript-in-object-stream": (
        lambda: pdf_file(object_stream(5, JS), catalog=b"/OpenAction 5 0 R"),
        "JavaScript",
    ),
    "launch": (
        lambda: pdf_file(catalog=b"/OpenAction << /S /Launch /F (C:\\\\Windows\\\\cmd.exe) >>"),
        "启动程序",
    ),
    "embedded-file": (
        lambda: pdf_file(*EMBEDDED, catalog=b"/Names << /EmbeddedFiles 4 0 R >>"),
        "嵌入文件",
    ),
    "open-action-uri": (
        lambda: pdf_file(
            b"<< /S /URI /URI (https://evil.example/) >>", catalog=b"/OpenAction 4 0 R"
        ),
        "打开时自动执行",
    ),
    "open-action-uri-in-object-stream": (
        lambda: pdf_file(
            object_stream(5, b"<< /S /U#52I /URI (https://evil.example/) >>"),
            catalog=b"/OpenAction 5 0 R",
        ),
        "打开时自动执行",
    ),
    "page-additional-actions": (
        lambda: pdf_file(page=b"/AA << /O << /S /URI /URI (https://evil.example/) >> >>"),
        "自动执行的操作",
    ),
    "rich-media": (
        lambda: pdf_file(b"<< /Type /Annot /Subtype /RichMedia >>", page=b"/Annots [4 0 R]"),
        "RichMedia",
    ),
    "xfa-form": (
        lambda: pdf_file(stream(b"", b"<xdp:xdp/>"), catalog=b"/AcroForm << /XFA 4 0 R >>"),
        "XFA",
    ),
    "object-stream-unreadable": (
        lambda: pdf_file(
            stream(b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", b"\x8a\x13not zlib"),
            catalog=b"/Encrypt << /Filter /Standard >>",
        ),
        "无法检查",
    ),
    "object-hidden-in-stream-data": (
        lambda: pdf_file(stream(b"", b"9 0 obj << /S /JavaScript >> endobj")),
        "JavaScript",
    ),
    "open-action-hidden-in-stream-data": (
        lambda: pdf_file(
            stream(b"", b"9 0 obj << /S /URI /URI (https://evil.example/) >> endobj"),
            catalog=b"/OpenAction 9 0 R",
        ),
        "打开时自动执行",
    ),
    "open-action-behind-an-unclosed-string": (
        # A viewer reads object 5 from its own offset: object 4's string does not hide it.
        lambda: pdf_file(
            b"(unclosed",
            b"<< /S /URI /URI (https://evil.example/) >>",
            catalog=b"/OpenAction 5 0 R",
        ),
        "打开时自动执行",
    ),
    "open-action-behind-an-unclosed-string-in-object-stream": (
        lambda: pdf_file(
            object_stream(5, b"[(unclosed", (6, b"<< /S /URI /URI (https://evil.example/) >>")),
            catalog=b"/OpenAction 6 0 R",
        ),
        "打开时自动执行",
    ),
}

CLEAN_PDFS = {
    "reportlab": reportlab_pdf,
    "reportlab-with-an-image": lambda: reportlab_pdf(image=True),
    "destination-on-opening": lambda: pdf_file(catalog=b"/OpenAction [3 0 R /Fit]"),
    "go-to-on-opening": lambda: pdf_file(
        b"<< /S /GoTo /D [3 0 R /XYZ null null 0] >>", catalog=b"/OpenAction 4 0 R"
    ),
    "empty-additional-actions": lambda: pdf_file(page=b"/AA << >>"),
    "link-to-a-site": lambda: pdf_file(
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (https://a.cn) >> >>",
        page=b"/Annots [4 0 R]",
    ),
    "short-names-in-strings": lambda: pdf_file(catalog=b"/Lang (/JS /AA /EF)"),
    "object-stream-clean": lambda: pdf_file(object_stream(5, b"<< /Title (x) >>")),
}


# -- images with payloads ------------------------------------------------------------------------

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
PHP = b"<?php system($_GET['c']); ?>"


def gif_with_php_comment() -> bytes:
    out = io.BytesIO()
    Image.new("P", (30, 20), 3).save(out, "GIF", comment=PHP)
    return out.getvalue()


def photo_with_gps(fmt: str = "JPEG") -> bytes:
    """A 60×40 photo, red left and blue right, taken with the phone turned (EXIF
    orientation 6: shown rotated 90° clockwise, so 40×60 with red on top), with GPS."""
    image = Image.new("RGB", (60, 40), (220, 20, 20))
    image.paste((20, 20, 220), (30, 0, 60, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Phone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (39.0, 54.0, 27.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (116.0, 23.0, 30.0)
    out = io.BytesIO()
    options: dict[str, Any] = {"comment": PHP} if fmt == "JPEG" else {}
    image.save(out, fmt, exif=exif, quality=90, **options)
    return out.getvalue()


def png_with_text_chunks() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", HTML.decode())
    info.add_itxt("Description", "<script>x</script>")
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (10, 200, 10, 128)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def is_gps_free(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return not exif and not exif.get_ifd(ExifTags.IFD.GPSInfo) and b"Exif" not in data


def close_to(pixel: Any, colour: tuple[int, int, int], tolerance: int = 24) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


# -- Office packages ------------------------------------------------------------------------------


def test_the_zip_bomb_docx_is_refused_from_its_directory(world, nomination, storage_root):  # type: ignore[no-untyped-def]  # noqa: F811
    data = zip_bomb_docx()
    assert len(data) < 3 * MB
    with pytest.raises(Invalid) as refused:
        citing.upload_evidence(world.user("union_a"), nomination.id, upload_file(data, "制度.docx"))
    assert "解压后将超过 100 MB" in refused.value.message and "压缩炸弹" in refused.value.message
    assert refused.value.errors == {"file": [refused.value.message]}
    assert evidence_count() == 0 and stored_files(storage_root) == []


def test_the_bomb_is_judged_without_inflating(monkeypatch):  # type: ignore[no-untyped-def]
    def no_inflating(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("inflated")

    monkeypatch.setattr(zlib, "decompressobj", no_inflating)
    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    finding = packages.inspect(io.BytesIO(zip_bomb_docx()), checks.Limits())
    assert finding is not None and finding.problem is packages.Problem.TOO_LARGE


def test_compression_ratio_per_part_and_overall(config):  # type: ignore[no-untyped-def]  # noqa: F811
    # 50 MiB of zeros: under the 100 MB total, but compressed about 1000:1.
    zeros = {"name": "word/media/image1.png", "data": zeros_deflated(50), "size": 50 * MB}
    package = raw_zip([*docx_parts(), zeros | {"crc": 0}])
    with pytest.raises(Invalid) as refused:
        checks.identify(io.BytesIO(package))
    assert "压缩比为" in refused.value.message and "超过允许的 100:1" in refused.value.message
    # The same ratio is fine when the limit allows it.
    assert checks.identify(io.BytesIO(package), checks.Limits(ratio=2000)) == checks.DOCX
    # Many small parts, each under the floor, together beyond the ratio.
    many = [
        {"name": f"word/media/p{i}.bin", "data": zeros_deflated(1), "size": MB, "crc": 0}
        for i in range(3)
    ]
    finding = packages.inspect(io.BytesIO(raw_zip([*docx_parts(), *many])), checks.Limits())
    assert finding is not None and finding.problem is packages.Problem.RATIO and not finding.name


def test_too_many_parts(config):  # type: ignore[no-untyped-def]  # noqa: F811
    parts = docx_parts() + [part(f"word/p{i}.xml", b"<p/>") for i in range(30)]
    with pytest.raises(Invalid) as refused:
        checks.identify(io.BytesIO(raw_zip(parts)), checks.Limits(parts=20))
    assert "文档包含 33 个部件，超过允许的 20 个" in refused.value.message
    assert checks.identify(io.BytesIO(raw_zip(parts))) == checks.DOCX


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/cron.d/evil",
        "word/../../evil.xml",
        "/etc/passwd",
        "C:/Windows/evil.dll",
        "word\\..\\evil.xml",
        "word/./document2.xml",
        "word//evil.xml",
        "word/evil\x00.xml",
    ],
)
def test_path_tricks_are_refused(name):  # type: ignore[no-untyped-def]
    package = raw_zip([*docx_parts(), part(name, b"x")])
    with pytest.raises(Invalid) as refused:
        checks.identify(io.BytesIO(package))
    assert "名称不安全" in refused.value.message


def test_a_part_listed_twice_is_refused():  # type: ignore[no-untyped-def]
    package = raw_zip([*docx_parts(), part("WORD/Document.xml", b"<other/>")])
    with pytest.raises(Invalid) as refused:
        checks.identify(io.BytesIO(package))
    assert "出现了两次" in refused.value.message


def test_parts_sharing_their_data_are_refused():  # type: ignore[no-untyped-def]
    # The "overlapping files" bomb: a part whose data runs over the next part's header.
    parts = docx_parts()
    following = parts[2]
    size = 30 + len(following["name"].encode()) + len(following["data"])
    parts[1] = parts[1] | {"csize": len(parts[1]["data"]) + size}
    with pytest.raises(Invalid) as refused:
        checks.identify(io.BytesIO(raw_zip(parts)))
    assert "共用同一段数据" in refused.value.message


def test_an_encrypted_part_is_refused():  # type: ignore[no-untyped-def]
    parts = docx_parts()
    parts[2] = parts[2] | {"flags": 0x1}
    with pytest.raises(Invalid) as refused:
        checks.identify(io.BytesIO(raw_zip(parts)))
    assert "不支持加密的 Office 文档" in refused.value.message


def test_real_office_files_still_pass():  # type: ignore[no-untyped-def]
    assert checks.identify(io.BytesIO(raw_zip(docx_parts()))) == checks.DOCX
    assert checks.identify(io.BytesIO(xlsx_from_openpyxl())) == checks.XLSX


# -- PDFs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", HOSTILE_PDFS, ids=list(HOSTILE_PDFS))
def test_hostile_pdfs_are_refused(world, nomination, storage_root, case):  # type: ignore[no-untyped-def]  # noqa: F811
    make, expected = HOSTILE_PDFS[case]
    with pytest.raises(Invalid) as refused:
        citing.upload_evidence(world.user("union_a"), nomination.id, upload_file(make(), "a.pdf"))
    assert expected in refused.value.message, refused.value.message
    assert refused.value.errors == {"file": [refused.value.message]}
    assert evidence_count() == 0 and stored_files(storage_root) == []


@pytest.mark.parametrize("case", CLEAN_PDFS, ids=list(CLEAN_PDFS))
def test_clean_pdfs_are_accepted_as_they_are(world, nomination, storage_root, case):  # type: ignore[no-untyped-def]  # noqa: F811
    data = CLEAN_PDFS[case]()
    evidence = citing.upload_evidence(
        world.user("union_a"), nomination.id, upload_file(data, "会议纪要.pdf")
    )
    assert evidence.kind == EvidenceKind.PDF
    assert (storage_root / evidence.storage_key).read_bytes() == data


def test_pdf_work_is_bounded():  # type: ignore[no-untyped-def]
    # An object stream inflating past the budget, and nesting no real file has.
    body = b"<< /A [" + b"0 " * 600_000 + b"] >>"
    assert pdf.scan(pdf_file(object_stream(5, body)), 1_000_000) is pdf.Finding.TOO_COMPLEX
    assert pdf.scan(b"%PDF-1.7\n" + b"[" * 10_000, 10**8) is pdf.Finding.TOO_COMPLEX
    assert pdf.scan(b"%PDF-1.7\n1 0 obj " + b"9" * 100_000 + b" endobj", 10**8) is None
    # Binary stream data holds "1 0 %%%…" by chance (reportlab's slips did): linear, where
    # a backtracking pattern takes half a minute on these 27.
    started = time.monotonic()
    assert pdf.scan(b"%PDF-1.7\n" + b"1 0 " + b"%" * 27 + b"x\n" * 2, 10**8) is None
    assert time.monotonic() - started < 2


# -- images ---------------------------------------------------------------------------------------


def upload_image(world: Any, nominated: Any, data: bytes, name: str) -> tuple[Evidence, bytes]:
    evidence = citing.upload_evidence(world.user("union_a"), nominated.id, upload_file(data, name))
    with get_storage().open(evidence.storage_key) as stored:
        return evidence, stored.read()


def test_png_with_an_html_page_appended_is_stored_without_it(world, nomination):  # type: ignore[no-untyped-def]  # noqa: F811
    png = image_bytes("PNG", (50, 40))
    evidence, stored = upload_image(world, nomination, png + HTML, "截图.png")
    assert evidence.content_type == "image/png" and b"<html" not in stored
    assert stored.endswith(b"IEND\xaeB`\x82")  # nothing after the image's last chunk
    assert evidence.size == len(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (50, 40) and close_to(image.getpixel((5, 5)), (200, 30, 30))


def test_png_text_chunks_are_dropped_and_transparency_kept(world, nomination):  # type: ignore[no-untyped-def]  # noqa: F811
    evidence, stored = upload_image(world, nomination, png_with_text_chunks(), "透明.png")
    assert b"tEXt" not in stored and b"iTXt" not in stored and b"<script" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.mode == "RGBA" and image.getpixel((3, 3)) == (10, 200, 10, 128)


def test_gif_with_php_in_a_comment_is_stored_and_thumbnailed_without_it(world, nomination):  # type: ignore[no-untyped-def]  # noqa: F811
    data = gif_with_php_comment()
    assert PHP in data
    evidence, stored = upload_image(world, nomination, data, "动图.gif")
    assert evidence.content_type == "image/gif" and PHP not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "GIF" and "comment" not in image.info
    with services.thumbnail(evidence) as thumb:
        assert PHP not in thumb.read()


def test_a_thumbnail_of_a_file_stored_before_cleaning_drops_its_comment(world, nomination):  # type: ignore[no-untyped-def]  # noqa: F811
    # Files uploaded before uploads were re-encoded are in the storage as they came.
    key = new_key()
    data = gif_with_php_comment()
    get_storage().save(key, io.BytesIO(data))
    evidence = Evidence(
        nomination_id=nomination.id,
        storage_key=key,
        original_name="旧.gif",
        content_type="image/gif",
        kind=EvidenceKind.IMAGE,
        size=len(data),
        sha256="0" * 64,
        uploaded_by_id=world.user("union_a").id,
        uploaded_at=utcnow(),
    )
    db.session.add(evidence)
    db.session.commit()
    with services.thumbnail(evidence) as thumb:
        made = thumb.read()
    assert PHP not in made and Image.open(io.BytesIO(made)).format == "JPEG"


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_photo_with_gps_is_stored_upright_without_exif(world, nomination, fmt):  # type: ignore[no-untyped-def]  # noqa: F811
    data = photo_with_gps(fmt)
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the corpus has GPS
    evidence, stored = upload_image(world, nomination, data, f"现场.{fmt.lower()}")
    assert is_gps_free(stored) and PHP not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == fmt and image.size == (40, 60)  # turned as the phone was
        assert close_to(image.getpixel((20, 5)), (220, 20, 20))  # the left side, now on top
        assert close_to(image.getpixel((20, 55)), (20, 20, 220))
    with services.thumbnail(evidence) as thumb, Image.open(thumb) as small:
        assert small.size[1] > small.size[0]  # upright too


def test_the_same_photo_twice_is_stored_once(world, nomination, storage_root):  # type: ignore[no-untyped-def]  # noqa: F811
    user, data = world.user("union_a"), photo_with_gps()
    first = citing.add_evidence(user, nomination.id, upload_file(data, "同一.jpg"))
    again = citing.add_evidence(user, nomination.id, upload_file(data, "同一.jpg"))
    assert again.evidence_id == first.evidence_id and len(stored_files(storage_root)) == 1
    stored = db.session.scalars(select(Evidence)).one()
    assert stored.size == (storage_root / stored.storage_key).stat().st_size


def test_animated_gif_keeps_its_first_frame(world, nomination):  # type: ignore[no-untyped-def]  # noqa: F811
    frames = [Image.new("P", (20, 20), colour) for colour in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    _evidence, stored = upload_image(world, nomination, out.getvalue(), "动画.gif")
    with Image.open(io.BytesIO(stored)) as image:
        assert getattr(image, "n_frames", 1) == 1


# -- the pages and the API ----------------------------------------------------------------------


WEB_CASES = {
    "zip-bomb": (zip_bomb_docx, "制度.docx", "压缩炸弹"),
    "pdf-javascript": (HOSTILE_PDFS["javascript-open-action"][0], "纪要.pdf", "JavaScript"),
    "pdf-launch": (HOSTILE_PDFS["launch"][0], "纪要.pdf", "启动程序"),
    "pdf-embedded-file": (HOSTILE_PDFS["embedded-file"][0], "纪要.pdf", "嵌入文件"),
}


@pytest.mark.parametrize("case", WEB_CASES, ids=list(WEB_CASES))
def test_hostile_files_refused_on_the_pages(world, nomination, browser, case):  # type: ignore[no-untyped-def]  # noqa: F811
    make, name, expected = WEB_CASES[case]
    union = browser("union_a")
    response = post_upload(union, nomination.id, make(), name, next="/")
    assert response.status_code == 303
    assert expected in union.get("/").text  # the refusal, in Chinese, where the user is
    assert evidence_count() == 0


def test_hostile_tally_sheet_refused_next_to_its_field(world, client, auth):  # type: ignore[no-untyped-def]
    evaluated, _evaluation = _open(world)
    auth.login("union_a")
    base = _page(evaluated)
    sheet = (io.BytesIO(HOSTILE_PDFS["javascript-open-action"][0]()), "计票表.pdf")
    response = post_form(
        client,
        base,
        {"satisfied": "3", "basic": "1", "dissatisfied": "0", "tally_sheet": sheet},
        action=f"{base}/paper",
    )
    assert response.status_code == 422
    assert "不支持含有脚本（JavaScript）的 PDF 文件" in field_error(response.text, "tally_sheet")


API_CASES = {
    "zip-bomb": (zip_bomb_docx, "制度.docx", "压缩炸弹"),
    "path-trick": (
        lambda: raw_zip([*docx_parts(), part("../../evil.xml", b"x")]),
        "制度.docx",
        "名称不安全",
    ),
    **{
        f"pdf-{case}": (HOSTILE_PDFS[case][0], "纪要.pdf", HOSTILE_PDFS[case][1])
        for case in ("javascript-open-action", "launch", "embedded-file", "hex-escaped-names")
    },
}


@pytest.mark.parametrize("case", API_CASES, ids=list(API_CASES))
def test_hostile_files_refused_by_the_api(world, nomination, client, case):  # type: ignore[no-untyped-def]  # noqa: F811
    make, name, expected = API_CASES[case]
    response = client.post(
        f"/api/v1/nominations/{nomination.id}/evidence",
        headers=api(client, world, "union_a"),
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(make()), name)},
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422 and expected in body["errors"]["file"][0]
    assert evidence_count() == 0


def test_api_stores_images_cleaned(world, nomination, client):  # type: ignore[no-untyped-def]  # noqa: F811
    headers = api(client, world, "union_a")
    base = f"/api/v1/nominations/{nomination.id}/evidence"
    for data, name in (
        (image_bytes("PNG") + HTML, "截图.png"),
        (gif_with_php_comment(), "动图.gif"),
        (photo_with_gps(), "现场.jpg"),
    ):
        response = client.post(
            base,
            headers=headers,
            content_type="multipart/form-data",
            data={"file": (io.BytesIO(data), name)},
        )
        assert response.status_code == 201, response.text
        download = client.get(response.get_json()["download_url"], headers=headers)
        assert download.status_code == 200
        assert HTML not in download.data and PHP not in download.data
        assert is_gps_free(download.data)
        assert response.get_json()["size"] == len(download.data)


def test_hostile_file_refusal_in_english_when_chosen(world, client, auth):  # type: ignore[no-untyped-def]
    evaluated, _evaluation = _open(world)
    client.set_cookie("lang", "en")
    auth.login("union_a")
    base = _page(evaluated)
    sheet = (io.BytesIO(HOSTILE_PDFS["javascript-open-action"][0]()), "tally.pdf")
    response = post_form(
        client,
        base,
        {"satisfied": "3", "basic": "1", "dissatisfied": "0", "tally_sheet": sheet},
        action=f"{base}/paper",
    )
    assert response.status_code == 422
    assert field_error(response.text, "tally_sheet").startswith(
        "PDF files that contain script (JavaScript) are not accepted"
    )
