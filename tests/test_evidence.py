"""Evidence files: content checks, names, limits, storage, scope, pages and the API."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from PIL import Image, ImageChops
from sqlalchemy import delete, func, select
from werkzeug.datastructures import FileStorage

from app.assessment import evidence as citing
from app.assessment.models import AssessmentRound, EvidenceLink
from app.auth.models import SessionKind
from app.auth.services import start_session
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.evidence import checks, services
from app.evidence.models import Evidence, EvidenceKind
from app.evidence.storage import InvalidKey, LocalStorage, get_storage
from app.extensions import db
from app.standards.models import StandardItem, StandardVersion
from tests.conftest import AuthActions, csrf_from

KEY_RE = re.compile(r"^\d{4}/\d{2}/[0-9a-f]{32}$")


# -- files ------------------------------------------------------------------------------


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None).save(out, fmt)
    return out.getvalue()


def same_picture(stored: bytes, original: bytes, tolerance: int = 8) -> bool:
    """Both decode to the same format, size and pixels (within a JPEG's rounding)."""
    with Image.open(io.BytesIO(stored)) as a, Image.open(io.BytesIO(original)) as b:
        if (a.format, a.size) != (b.format, b.size):
            return False
        diff = ImageChops.difference(a.convert("RGBA"), b.convert("RGBA"))
        return all(high <= tolerance for _low, high in diff.getextrema())


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def ooxml(
    main: str = "word/document.xml",
    content_type: str = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    ),
    with_part: bool = True,
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/{main}" ContentType="{content_type}"/></Types>'
            ),
        )
        z.writestr("_rels/.rels", "<Relationships/>")
        if with_part:
            z.writestr(main, "<document/>")
    return out.getvalue()


def ole2(stream_name: str = "WordDocument") -> bytes:
    """A minimal compound file: header, one FAT sector, one directory sector."""
    free, end, fatsect, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    header = bytearray(512)
    header[0:8] = checks.OLE2_MAGIC
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x28, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([free] * 108))
    fat = struct.pack("<128I", fatsect, end, *([free] * 126))

    def entry(name: str, kind: int, child: int = nostream) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 0x40, len(encoded), kind, 1)
        struct.pack_into("<III", raw, 0x44, nostream, nostream, child)
        struct.pack_into("<I", raw, 0x74, end)
        return bytes(raw)

    directory = entry("Root Entry", 5, child=1) + entry(stream_name, 2) + bytes(256)
    return bytes(header) + fat + directory


def upload_file(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


# -- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def config(app: Flask) -> Iterator[Any]:
    """`config(KEY=value, …)`: change app settings for one test; restored afterwards."""
    saved: dict[str, Any] = {}

    def set_(**values: Any) -> None:
        for key, value in values.items():
            saved.setdefault(key, app.config.get(key))
            app.config[key] = value

    yield set_
    app.config.update(saved)


@pytest.fixture(autouse=True)
def storage_root(app: Flask, tmp_path: Path, config: Any) -> Path:
    """Each test stores its files in its own temporary directory."""
    root = tmp_path / "evidence"
    config(EVIDENCE_STORAGE_DIR=str(root))
    return root


@pytest.fixture
def standard(world: Any) -> StandardVersion:
    version = StandardVersion(code="t", version=1, title="t", checksum="x", content={})
    version.items.append(
        StandardItem(
            category="enterprise",
            dimension="political",
            dimension_label="政治建设",
            code="E-POL-1",
            number=1,
            text="建立健全工会组织。",
            position=1,
        )
    )
    db.session.add(version)
    db.session.commit()
    return version


def fresh_nomination(
    world: Any, org: Any, standard: StandardVersion | None, status: str = "editing"
):  # type: ignore[no-untyped-def]
    """A draft nomination of `org` with only the round made here (none if standard is None).

    Whatever round or evidence the factory gives a new nomination is removed first.
    """
    nomination = world.nomination(org)
    db.session.execute(delete(Evidence).where(Evidence.nomination_id == nomination.id))
    db.session.execute(
        delete(AssessmentRound).where(AssessmentRound.nomination_id == nomination.id)
    )
    if standard is not None:
        db.session.add(
            AssessmentRound(
                nomination_id=nomination.id,
                number=1,
                status=status,
                standard_version_id=standard.id,
            )
        )
    db.session.commit()
    db.session.expire_all()
    return nomination


@pytest.fixture
def nomination(world: Any, standard: StandardVersion):  # type: ignore[no-untyped-def]
    """A nomination of union A whose round 1 is being edited."""
    return fresh_nomination(world, world.union_a, standard)


def item_id(standard: StandardVersion) -> int:
    return standard.items[0].id


def current_round(nomination: Any) -> AssessmentRound:
    return db.session.scalars(
        select(AssessmentRound)
        .where(AssessmentRound.nomination_id == nomination.id)
        .order_by(AssessmentRound.number.desc())
    ).first()


def evidence_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Evidence))


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def browser(new_client: Any):  # type: ignore[no-untyped-def]
    """`browser("reviewer_a")`: a separate logged-in client."""

    def make(username: str):  # type: ignore[no-untyped-def]
        client = new_client()
        assert AuthActions(client).login(username).status_code == 302
        return client

    return make


def post_upload(client: Any, nomination_id: int, data: bytes, name: str, **fields: Any):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/").text)
    return client.post(
        f"/nominations/{nomination_id}/evidence",
        data={"csrf_token": token, "file": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
    )


def api(client: Any, world: Any, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {start_session(world.user(username), SessionKind.API)[0]}"}


# -- content checks -----------------------------------------------------------------------


ACCEPTED = [
    ("照片.png", lambda: image_bytes("PNG"), EvidenceKind.IMAGE, "image/png"),
    ("photo.jpg", lambda: image_bytes("JPEG"), EvidenceKind.IMAGE, "image/jpeg"),
    ("anim.gif", lambda: image_bytes("GIF"), EvidenceKind.IMAGE, "image/gif"),
    ("pic.webp", lambda: image_bytes("WEBP"), EvidenceKind.IMAGE, "image/webp"),
    ("transparent.png", lambda: image_bytes("PNG", mode="RGBA"), EvidenceKind.IMAGE, "image/png"),
    ("会议纪要.pdf", lambda: PDF, EvidenceKind.PDF, "application/pdf"),
    ("制度.docx", ooxml, EvidenceKind.OFFICE, checks.DOCX.content_type),
    (
        "台账.xlsx",
        lambda: ooxml(
            "xl/workbook.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        ),
        EvidenceKind.OFFICE,
        checks.XLSX.content_type,
    ),
    (
        "汇报.pptx",
        lambda: ooxml(
            "ppt/presentation.xml",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        ),
        EvidenceKind.OFFICE,
        checks.PPTX.content_type,
    ),
    ("旧制度.doc", ole2, EvidenceKind.OFFICE, "application/msword"),
    ("旧台账.xls", lambda: ole2("Workbook"), EvidenceKind.OFFICE, "application/vnd.ms-excel"),
    (
        "旧汇报.ppt",
        lambda: ole2("PowerPoint Document"),
        EvidenceKind.OFFICE,
        "application/vnd.ms-powerpoint",
    ),
]


@pytest.mark.parametrize(
    ("name", "make", "kind", "content_type"), ACCEPTED, ids=[a[0] for a in ACCEPTED]
)
def test_accepted_files(world, nomination, standard, storage_root, name, make, kind, content_type):  # type: ignore[no-untyped-def]
    data = make()
    evidence = citing.upload_evidence(
        world.user("union_a"), nomination.id, upload_file(data, name), item_id(standard)
    )
    assert evidence.id and evidence.original_name == name
    assert evidence.kind == kind and evidence.content_type == content_type
    assert KEY_RE.match(evidence.storage_key)
    stored = (storage_root / evidence.storage_key).read_bytes()
    assert evidence.size == len(stored)
    assert evidence.sha256 == hashlib.sha256(stored).hexdigest()
    if kind == EvidenceKind.IMAGE:
        # Stored re-encoded from its pixels (tests/test_evidence_hostile.py): the same
        # picture, in the same format.
        assert same_picture(stored, data)
    else:
        assert evidence.size == len(data)
        assert stored == data
    link = db.session.scalar(select(EvidenceLink).where(EvidenceLink.evidence_id == evidence.id))
    assert link.round_id == current_round(nomination).id and link.item_id == item_id(standard)


def _truncated_png() -> bytes:
    data = image_bytes("PNG", size=(200, 200))
    return data[: len(data) // 2]


def _corrupt_png() -> bytes:
    data = bytearray(image_bytes("PNG", size=(50, 50)))
    data[60:70] = b"\x00" * 10  # inside IDAT: the chunk's CRC no longer matches
    return bytes(data)


REFUSED = [
    ("html-as-jpg", "photo.jpg", lambda: b"<!DOCTYPE html><html><script>alert(1)</script>", "网页"),
    ("html-lowercase", "a.png", lambda: b"\xef\xbb\xbf  <html><body>x</body></html>", "网页"),
    (
        "svg-script",
        "logo.svg",
        lambda: (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(1)</script></svg>"
        ),
        "SVG",
    ),
    ("svg-as-png", "logo.png", lambda: b'<svg onload="alert(1)"/>', "SVG"),
    ("exe-as-pdf", "report.pdf", lambda: b"MZ\x90\x00\x03" + b"\x00" * 200, "可执行程序"),
    ("elf", "report.pdf", lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "可执行程序"),
    ("shell-script", "run.pdf", lambda: b"#!/bin/sh\nrm -rf /\n", "脚本"),
    ("zip-as-docx", "制度.docx", lambda: _zip({"a.txt": "hello"}), "压缩包"),
    ("zip-fake-office", "x.docx", lambda: ooxml(with_part=False), "压缩包"),
    (
        "macro-docm",
        "x.docx",
        lambda: ooxml(content_type=("application/vnd.ms-word.document.macroEnabled.main+xml")),
        "宏",
    ),
    ("gzip", "x.pdf", lambda: b"\x1f\x8b\x08\x00" + b"\x00" * 20, "压缩包"),
    ("msi", "setup.doc", lambda: ole2("SummaryInformationX"), "不是 Word"),
    ("empty", "empty.pdf", lambda: b"", "为空"),
    ("truncated-png", "cut.png", _truncated_png, "损坏"),
    ("corrupt-png", "bad.png", _corrupt_png, "损坏"),
    ("truncated-jpeg", "cut.jpg", lambda: image_bytes("JPEG", size=(300, 300))[:400], "损坏"),
    ("plain-text", "notes.pdf", lambda: b"just some text", "无法识别"),
]


def _zip(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "expected"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_refused_files(world, nomination, storage_root, name, make, expected):  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid) as refused:
        citing.upload_evidence(world.user("union_a"), nomination.id, upload_file(make(), name))
    assert expected in refused.value.message
    assert refused.value.errors["file"] == [refused.value.message]
    assert evidence_count() == 0
    assert stored_files(storage_root) == []


@pytest.mark.parametrize("side", [8000, 20000])
def test_decompression_bomb_refused(world, nomination, side):  # type: ignore[no-untyped-def]
    # A tiny PNG whose header claims side×side pixels: refused before anything is decoded.
    data = bytearray(image_bytes("PNG", size=(1, 1)))
    struct.pack_into(">II", data, 16, side, side)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    with pytest.raises(Invalid) as refused:
        citing.upload_evidence(
            world.user("union_a"), nomination.id, upload_file(bytes(data), "bomb.png")
        )
    assert "图片尺寸过大" in refused.value.message


def test_clean_filename() -> None:
    assert checks.clean_filename("../../etc/passwd") == "passwd"
    assert checks.clean_filename("C:\\x\\报告.pdf") == "报告.pdf"
    name = "职工之家 活动照片（2026）.jpg"
    assert checks.clean_filename(f"  {name} ") == name
    assert checks.clean_filename("a\x00b\r\nc.pdf") == "abc.pdf"
    assert checks.clean_filename("photo\u202egpj.exe") == "photogpj.exe"  # RTL override
    long = "很" * 300 + ".pdf"
    cleaned = checks.clean_filename(long)
    assert len(cleaned) == checks.MAX_NAME_LENGTH and cleaned.endswith(".pdf")
    for empty in ("", None, "../", "..", "  ", "\x00\x01", "a/b/"):
        with pytest.raises(Invalid):
            checks.clean_filename(empty)


def test_download_name_keeps_a_matching_extension() -> None:
    assert checks.download_name("报告.PDF", "application/pdf") == "报告.PDF"
    assert checks.download_name("照片.jpeg", "image/jpeg") == "照片.jpeg"
    assert checks.download_name("照片.exe", "image/jpeg") == "照片.exe.jpg"


# -- storage ------------------------------------------------------------------------------


def test_local_storage_refuses_escaping_keys(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "root")
    for key in (
        "../x",
        "a/../../x",
        "/etc/passwd",
        "a//b",
        "a\\b",
        "",
        ".",
        "a/./b",
        "2026/11/../../../x",
        "~/x",
        "a b",
    ):
        with pytest.raises(InvalidKey):
            storage.save(key, io.BytesIO(b"x"))
        with pytest.raises(InvalidKey):
            storage.open(key)
    assert not (tmp_path / "x").exists()


def test_local_storage_round_trip_and_atomic_write(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "root")
    storage.save("2026/11/abc", io.BytesIO(b"hello"))
    assert storage.exists("2026/11/abc")
    with storage.open("2026/11/abc") as f:
        assert f.read() == b"hello"

    class Broken(io.BytesIO):
        def read(self, *args: Any) -> bytes:
            raise OSError("disk gone")

    with pytest.raises(OSError):
        storage.save("2026/11/def", Broken())
    assert not storage.exists("2026/11/def")
    assert sorted(p.name for p in (tmp_path / "root" / "2026" / "11").iterdir()) == ["abc"]
    storage.delete("2026/11/abc")
    storage.delete("2026/11/abc")  # no error when already gone
    assert not storage.exists("2026/11/abc")


def test_storage_follows_the_configured_directory(app, world, storage_root):  # type: ignore[no-untyped-def]
    storage = get_storage()
    assert isinstance(storage, LocalStorage) and storage.root == storage_root.resolve()


# -- upload rules ---------------------------------------------------------------------------


def test_path_in_name_is_stripped_and_file_lands_under_a_generated_key(
    world, nomination, storage_root, tmp_path
):  # type: ignore[no-untyped-def]
    evidence = citing.upload_evidence(
        world.user("union_a"), nomination.id, upload_file(PDF, "../../etc/passwd.pdf")
    )
    assert evidence.original_name == "passwd.pdf"
    assert KEY_RE.match(evidence.storage_key)
    [stored] = stored_files(storage_root)
    assert stored.resolve().is_relative_to(storage_root.resolve())
    assert stored.relative_to(storage_root).as_posix() == evidence.storage_key
    assert not (tmp_path / "etc").exists()

    windows = citing.upload_evidence(
        world.user("union_a"), nomination.id, upload_file(PDF + b"%", "C:\\x\\报告.pdf")
    )
    assert windows.original_name == "报告.pdf"


def test_file_over_the_size_limit_is_refused(world, nomination, config, storage_root):  # type: ignore[no-untyped-def]
    config(EVIDENCE_MAX_FILE_MB=1)
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(Invalid) as refused:
        citing.upload_evidence(world.user("union_a"), nomination.id, upload_file(big, "大.pdf"))
    assert "单个文件不能超过 1 MB" in refused.value.message
    assert refused.value.errors == {"file": [refused.value.message]}
    assert evidence_count() == 0 and stored_files(storage_root) == []
    # Just under the limit is fine.
    ok = PDF + b"0" * (1024 * 1024 - len(PDF))
    assert (
        citing.upload_evidence(
            world.user("union_a"), nomination.id, upload_file(ok, "刚好.pdf")
        ).size
        == 1024 * 1024
    )


def test_nomination_total_limit(world, nomination, config, storage_root):  # type: ignore[no-untyped-def]
    config(EVIDENCE_MAX_NOMINATION_MB=1)
    user = world.user("union_a")
    citing.upload_evidence(user, nomination.id, upload_file(PDF + b"a" * 600_000, "一.pdf"))
    with pytest.raises(Invalid) as refused:
        citing.upload_evidence(user, nomination.id, upload_file(PDF + b"b" * 600_000, "二.pdf"))
    assert "总量不能超过 1 MB" in refused.value.message
    assert evidence_count() == 1 and len(stored_files(storage_root)) == 1


def test_same_file_again_reuses_the_stored_copy(world, nomination, standard, storage_root):  # type: ignore[no-untyped-def]
    user = world.user("union_a")
    first = citing.add_evidence(user, nomination.id, upload_file(PDF, "同一.pdf"))
    again = citing.add_evidence(user, nomination.id, upload_file(PDF, "同一.pdf"))
    for_item = citing.add_evidence(
        user, nomination.id, upload_file(PDF, "同一.pdf"), item_id(standard)
    )
    assert again.id == first.id  # the same citation, not a duplicate
    assert for_item.id != first.id and for_item.evidence_id == first.evidence_id
    assert evidence_count() == 1 and len(stored_files(storage_root)) == 1


def test_item_must_belong_to_the_rounds_standard(world, nomination):  # type: ignore[no-untyped-def]
    other = StandardVersion(code="other", version=1, title="o", checksum="y", content={})
    other.items.append(
        StandardItem(
            category="enterprise",
            dimension="d",
            dimension_label="d",
            code="X-1",
            number=1,
            text="x",
            position=1,
        )
    )
    db.session.add(other)
    db.session.commit()
    for bad in (other.items[0].id, 999999, "abc"):
        with pytest.raises(Invalid) as refused:
            citing.upload_evidence(
                world.user("union_a"), nomination.id, upload_file(PDF, "a.pdf"), bad
            )
        assert "item_id" in refused.value.errors
    assert evidence_count() == 0


def test_only_the_nominations_union_may_upload(world, nomination):  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden):
        citing.upload_evidence(world.user("reviewer_a"), nomination.id, upload_file(PDF, "a.pdf"))
    with pytest.raises(Forbidden):
        citing.upload_evidence(world.user("city"), nomination.id, upload_file(PDF, "a.pdf"))
    for outsider in ("union_a2", "union_b", "reviewer_b"):
        with pytest.raises(NotFound):
            citing.upload_evidence(world.user(outsider), nomination.id, upload_file(PDF, "a.pdf"))


def test_upload_needs_a_round_being_edited(world, nomination, storage_root):  # type: ignore[no-untyped-def]
    current_round(nomination).status = "submitted"
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        citing.upload_evidence(world.user("union_a"), nomination.id, upload_file(PDF, "a.pdf"))
    assert "当前申报不在可编辑状态" in refused.value.message
    no_round = fresh_nomination(world, world.union_a2, None)
    with pytest.raises(Conflict):
        citing.upload_evidence(world.user("union_a2"), no_round.id, upload_file(PDF, "a.pdf"))
    assert stored_files(storage_root) == []


def test_storage_failure_writes_nothing(world, nomination, monkeypatch):  # type: ignore[no-untyped-def]
    def broken_save(self, key, stream):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(LocalStorage, "save", broken_save)
    with pytest.raises(OSError):
        citing.upload_evidence(world.user("union_a"), nomination.id, upload_file(PDF, "a.pdf"))
    assert evidence_count() == 0
    assert db.session.scalar(select(func.count()).select_from(EvidenceLink)) == 0


def test_database_failure_removes_the_stored_file(world, nomination, storage_root, monkeypatch):  # type: ignore[no-untyped-def]
    def broken_flush(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    user = world.user("union_a")
    monkeypatch.setattr(db.session, "flush", broken_flush)
    with pytest.raises(RuntimeError):
        citing.upload_evidence(user, nomination.id, upload_file(PDF, "a.pdf"))
    monkeypatch.undo()
    assert stored_files(storage_root) == []
    assert evidence_count() == 0


# -- unlink and list ------------------------------------------------------------------------


def test_unlink_from_the_editing_round_keeps_the_file(world, nomination, storage_root):  # type: ignore[no-untyped-def]
    user = world.user("union_a")
    link = citing.add_evidence(user, nomination.id, upload_file(PDF, "a.pdf"))
    evidence_id = link.evidence_id
    citing.unlink_evidence(user, nomination.id, link.id)
    assert db.session.get(EvidenceLink, link.id) is None
    assert db.session.get(Evidence, evidence_id) is not None
    assert len(stored_files(storage_root)) == 1
    with pytest.raises(NotFound):
        citing.unlink_evidence(user, nomination.id, link.id)
    with pytest.raises(Forbidden):
        citing.unlink_evidence(world.user("reviewer_a"), nomination.id, link.id)


def test_frozen_rounds_keep_their_links(world, nomination, standard):  # type: ignore[no-untyped-def]
    user = world.user("union_a")
    old_link = citing.add_evidence(user, nomination.id, upload_file(PDF, "一轮.pdf"))
    first = current_round(nomination)
    first.status = "returned"
    db.session.add(
        AssessmentRound(
            nomination_id=nomination.id, number=2, status="editing", standard_version_id=standard.id
        )
    )
    db.session.commit()
    new_link = citing.add_evidence(
        user, nomination.id, upload_file(PDF, "一轮.pdf"), item_id(standard)
    )
    assert new_link.evidence_id == old_link.evidence_id

    with pytest.raises(Conflict):
        citing.unlink_evidence(user, nomination.id, old_link.id)
    assert [lk.id for lk in citing.list_evidence(user, nomination.id)] == [new_link.id]
    assert [lk.id for lk in citing.list_evidence(user, nomination.id, first.id)] == [old_link.id]
    citing.unlink_evidence(user, nomination.id, new_link.id)
    assert citing.list_evidence(user, nomination.id) == []
    assert [lk.id for lk in citing.list_evidence(user, nomination.id, first.id)] == [old_link.id]


def test_list_evidence_is_one_query_and_scoped(world, nomination, standard):  # type: ignore[no-untyped-def]
    user = world.user("union_a")
    citing.add_evidence(user, nomination.id, upload_file(PDF, "b.pdf"), item_id(standard))
    citing.add_evidence(user, nomination.id, upload_file(image_bytes(), "a.png"))
    db.session.expire_all()
    statements: list[str] = []
    from sqlalchemy import event

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        links = citing.list_evidence(world.user("reviewer_a"), nomination.id)
        names = [lk.evidence.original_name for lk in links]
        uploaders = [lk.evidence.uploaded_by.display_name for lk in links]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert names == ["a.png", "b.pdf"]  # the key figures' evidence first, then by item
    assert uploaders == ["甲区机械厂工会干事"] * 2
    evidence_queries = [s for s in statements if "evidence_links" in s]
    assert len(evidence_queries) == 1
    assert citing.links_by_item(links).keys() == {None, item_id(standard)}
    with pytest.raises(NotFound):
        citing.list_evidence(world.user("reviewer_b"), nomination.id)


# -- thumbnails -------------------------------------------------------------------------------


def test_thumbnail_is_a_small_jpeg_cached_in_storage(world, nomination, storage_root):  # type: ignore[no-untyped-def]
    user = world.user("union_a")
    evidence = citing.upload_evidence(
        user, nomination.id, upload_file(image_bytes("PNG", (1000, 500), "RGBA"), "大图.png")
    )
    with services.thumbnail(evidence) as thumb:
        image = Image.open(thumb)
        assert image.format == "JPEG" and max(image.size) == 320
    assert (storage_root / (evidence.storage_key + ".thumb.jpg")).is_file()
    pdf = citing.upload_evidence(user, nomination.id, upload_file(PDF, "a.pdf"))
    with pytest.raises(NotFound):
        services.thumbnail(pdf)


# -- pages ------------------------------------------------------------------------------------


def test_upload_page_flow_and_chinese_name_download(world, nomination, standard, browser):  # type: ignore[no-untyped-def]
    union = browser("union_a")
    data = image_bytes("PNG")
    name = "职工之家活动照片.png"
    response = post_upload(
        union,
        nomination.id,
        data,
        name,
        item_id=str(item_id(standard)),
        next="/nominations/?self=1",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/nominations/?self=1"
    assert "已上传佐证材料：职工之家活动照片.png" in union.get("/").text
    evidence = db.session.scalars(select(Evidence)).one()
    assert evidence.original_name == name

    download = union.get(f"/evidence/{evidence.id}/download")
    assert download.status_code == 200
    assert download.data == data
    assert download.mimetype == "image/png"
    disposition = download.headers["Content-Disposition"]
    assert disposition == (
        f"attachment; filename=\"evidence-{evidence.id}.png\"; filename*=UTF-8''{quote(name)}"
    )
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "private, no-store"

    thumb = union.get(f"/evidence/{evidence.id}/thumbnail")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert thumb.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(thumb.data)).format == "JPEG"


def test_upload_redirects_only_within_the_site(world, nomination, browser):  # type: ignore[no-untyped-def]
    union = browser("union_a")
    detail = f"/nominations/{nomination.id}"
    for target in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        None,
        "javascript:alert(1)",
    ):
        fields = {"next": target} if target else {}
        response = post_upload(
            union, nomination.id, PDF + (target or "").encode(), "a.pdf", **fields
        )
        assert response.status_code == 303
        assert response.headers["Location"] == detail


def test_refused_upload_is_flashed(world, nomination, browser):  # type: ignore[no-untyped-def]
    union = browser("union_a")
    response = post_upload(
        union, nomination.id, b"<html><script>alert(1)</script></html>", "照片.jpg", next="/"
    )
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "不支持网页或 XML 文件" in union.get("/").text
    assert evidence_count() == 0

    current_round(nomination).status = "submitted"
    db.session.commit()
    response = post_upload(union, nomination.id, PDF, "a.pdf", next="/")
    assert response.status_code == 303
    assert "当前申报不在可编辑状态" in union.get("/").text


def test_upload_without_csrf_token_is_refused(world, nomination, browser):  # type: ignore[no-untyped-def]
    union = browser("union_a")
    response = union.post(
        f"/nominations/{nomination.id}/evidence",
        data={"file": (io.BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert evidence_count() == 0


def test_reviewer_upload_is_forbidden(world, nomination, browser):  # type: ignore[no-untyped-def]
    response = post_upload(browser("reviewer_a"), nomination.id, PDF, "a.pdf")
    assert response.status_code == 403
    response = post_upload(browser("union_b"), nomination.id, PDF, "a.pdf")
    assert response.status_code == 404
    assert evidence_count() == 0


def test_download_scope(world, nomination, browser):  # type: ignore[no-untyped-def]
    evidence = citing.upload_evidence(
        world.user("union_a"), nomination.id, upload_file(PDF, "会议纪要.pdf")
    )
    url = f"/evidence/{evidence.id}/download"
    reviewer = browser("reviewer_a").get(url)
    assert reviewer.status_code == 200
    assert reviewer.headers["Content-Disposition"].startswith("attachment;")
    assert reviewer.headers["X-Content-Type-Options"] == "nosniff"
    assert reviewer.mimetype == "application/pdf"
    assert reviewer.data == PDF
    for outsider in ("reviewer_b", "union_b"):
        assert browser(outsider).get(url).status_code == 404
    assert browser("reviewer_a").get("/evidence/999999/download").status_code == 404
    # Not an image: no thumbnail.
    assert browser("reviewer_a").get(f"/evidence/{evidence.id}/thumbnail").status_code == 404


def test_remove_page(world, nomination, browser):  # type: ignore[no-untyped-def]
    link = citing.add_evidence(world.user("union_a"), nomination.id, upload_file(PDF, "a.pdf"))
    link_id, evidence_id = link.id, link.evidence_id
    union = browser("union_a")
    token = csrf_from(union.get("/").text)
    response = union.post(
        f"/nominations/{nomination.id}/evidence/{link_id}/remove",
        data={"csrf_token": token, "next": "/"},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "已移除该佐证材料" in union.get("/").text
    assert db.session.get(EvidenceLink, link_id) is None
    assert db.session.get(Evidence, evidence_id) is not None


def test_oversize_request_gets_413_in_chinese(world, nomination, browser, config):  # type: ignore[no-untyped-def]
    union = browser("union_a")
    token = csrf_from(union.get("/").text)
    config(MAX_CONTENT_LENGTH=4096)
    response = union.post(
        f"/nominations/{nomination.id}/evidence",
        data={"csrf_token": token, "file": (io.BytesIO(b"0" * 10000), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "上传文件过大" in response.text and response.mimetype == "text/html"

    headers = api(union, world, "union_a")
    response = union.post(
        f"/api/v1/nominations/{nomination.id}/evidence",
        headers=headers,
        data={"file": (io.BytesIO(b"0" * 10000), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    body = response.get_json()
    assert body["code"] == 413 and "上传文件过大" in body["message"]
    assert evidence_count() == 0


# -- API --------------------------------------------------------------------------------------


def test_api_upload_list_download_delete(world, nomination, standard, client):  # type: ignore[no-untyped-def]
    headers = api(client, world, "union_a")
    base = f"/api/v1/nominations/{nomination.id}/evidence"
    response = client.post(
        base,
        headers=headers,
        content_type="multipart/form-data",
        data={
            "file": (io.BytesIO(image_bytes()), "活动照片.png"),
            "item_id": str(item_id(standard)),
        },
    )
    assert response.status_code == 201, response.text
    created = response.get_json()
    assert created["name"] == "活动照片.png" and created["kind"] == "image"
    assert created["item_id"] == item_id(standard)
    assert response.headers["Location"] == created["download_url"]

    listed = client.get(base, headers=api(client, world, "reviewer_a"))
    assert listed.status_code == 200
    [row] = listed.get_json()
    assert row["id"] == created["id"] and row["content_type"] == "image/png"
    assert row["uploaded_by"] == "甲区机械厂工会干事"
    assert row["download_url"] == f"/api/v1/evidence/{row['evidence_id']}/download"

    download = client.get(row["download_url"], headers=api(client, world, "reviewer_a"))
    assert download.status_code == 200 and download.mimetype == "image/png"
    assert "filename*=UTF-8''" + quote("活动照片.png") in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    thumb = client.get(row["thumbnail_url"], headers=headers)
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"

    outsider = api(client, world, "reviewer_b")
    assert client.get(base, headers=outsider).status_code == 404
    assert client.get(row["download_url"], headers=outsider).status_code == 404

    deleted = client.delete(f"{base}/{row['id']}", headers=headers)
    assert deleted.status_code == 204
    assert client.get(base, headers=headers).get_json() == []
    assert client.delete(f"{base}/{row['id']}", headers=headers).status_code == 404


def test_api_refusals(world, nomination, client):  # type: ignore[no-untyped-def]
    base = f"/api/v1/nominations/{nomination.id}/evidence"
    union = api(client, world, "union_a")

    missing = client.post(base, headers=union, content_type="multipart/form-data", data={})
    assert missing.status_code == 422
    assert missing.get_json()["errors"]["file"] == ["请选择要上传的文件。"]

    html = client.post(
        base,
        headers=union,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"<html></html>"), "a.jpg")},
    )
    assert html.status_code == 422
    assert "网页" in html.get_json()["errors"]["file"][0]

    reviewer = client.post(
        base,
        headers=api(client, world, "reviewer_a"),
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(PDF), "a.pdf")},
    )
    assert reviewer.status_code == 403

    anonymous = client.post(
        base, content_type="multipart/form-data", data={"file": (io.BytesIO(PDF), "a.pdf")}
    )
    assert anonymous.status_code == 401

    # A round number past the database's integer is a field error, not a database overflow.
    huge = client.get(f"{base}?round_id={10**20}", headers=union)
    assert huge.status_code == 422 and "round_id" in str(huge.get_json()["errors"])

    current_round(nomination).status = "submitted"
    db.session.commit()
    frozen = client.post(
        base,
        headers=union,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(PDF), "a.pdf")},
    )
    assert frozen.status_code == 409
    assert "当前申报不在可编辑状态" in frozen.get_json()["message"]
    assert evidence_count() == 0
