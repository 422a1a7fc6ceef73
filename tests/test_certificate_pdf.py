"""荣誉证书 PDF: one A4 landscape page per home, the Chinese text embedded and searchable,
the QR code scanning to the public check; who may download it."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.commendation import certificates, honours
from app.commendation.pdf import certificate_url, certificates_pdf
from tests.test_commendation_public import DOCUMENT, commended

BASE = "https://zgzj.example.gov.cn"
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"  # gitignored; for looking at


def _keep(name: str, data: bytes) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(data)


def _text(data: bytes) -> list[str]:
    return [(p.extract_text() or "") for p in PdfReader(io.BytesIO(data)).pages]


def test_the_certificate_carries_the_unit_the_decision_the_serial_and_the_code(world, ctx):
    commendation, a, _b = commended(world)
    certificate = commendation.certificates[0]
    data = certificates_pdf([certificate], BASE)
    _keep("certificate.pdf", data)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    text = _text(data)[0]
    flat = re.sub(r"\s+", "", text)
    for expected in (
        "甲区机械厂工会",
        "模范职工之家",
        "2026年度市级模范职工之家",
        DOCUMENT,
        "测试市总工会",
        certificate.serial,
        certificate.code,
    ):
        assert expected in flat, expected
    assert f"证书编号：{certificate.serial}" in flat and f"验证码：{certificate.code}" in flat
    assert certificate_url(BASE, certificate.code) in flat
    assert "已撤销" not in flat
    # the Chinese font travels with the file
    fonts = [f.get_object() for f in page["/Resources"]["/Font"].values()]
    descriptors = [f["/FontDescriptor"].get_object() for f in fonts if "/FontDescriptor" in f]
    assert any("/FontFile2" in d for d in descriptors)


def test_a_revoked_title_prints_stamped(world, ctx):
    commendation, a, _b = commended(world)
    honours.revoke(world.user("city"), a.id, reason="复查不合格。")
    certificate = certificates.certificate_of(a.id)
    flat = re.sub(r"\s+", "", _text(certificates_pdf([certificate], BASE))[0])
    assert "已撤销" in flat and "不再有效" in flat


@pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="needs pdftoppm (poppler-utils) and zbarimg (zbar-tools)",
)
def test_the_qr_code_scans_to_the_public_check(world, ctx, tmp_path):
    commendation, _a, _b = commended(world)
    certificate = commendation.certificates[1]
    (tmp_path / "certificate.pdf").write_bytes(certificates_pdf([certificate], BASE))
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-png",
            str(tmp_path / "certificate.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    scanned = subprocess.run(
        ["zbarimg", "-q", "--raw", str(tmp_path / "page-1.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert scanned == [f"{BASE}/certificates/{certificate.code}"]


def test_who_may_download_a_certificate(world, client, auth, app):
    commendation, a, b = commended(world)
    url_a = f"/nominations/{a.id}/certificate.pdf"
    assert client.get(url_a).status_code == 302  # log in first
    auth.login("union_a")
    app.config["PUBLIC_BASE_URL"] = BASE
    try:
        response = client.get(url_a)
    finally:
        app.config["PUBLIC_BASE_URL"] = ""
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    flat = re.sub(r"\s+", "", _text(response.data)[0])
    assert "甲区机械厂工会" in flat and f"{BASE}/certificates/" in flat
    # a union of another district: not found, as if it did not exist
    assert client.get(f"/nominations/{b.id}/certificate.pdf").status_code == 404
    # the decision's certificates are the city's
    assert client.get(f"/commendations/{commendation.id}/certificates.pdf").status_code == 404
    auth.logout()
    auth.login("union_b")
    assert client.get(f"/nominations/{a.id}/certificate.pdf").status_code == 404
    assert client.get(f"/nominations/{b.id}/certificate.pdf").status_code == 200
    auth.logout()
    auth.login("reviewer_a")  # district A sees its own unions' nominations
    assert client.get(url_a).status_code == 200
    assert client.get(f"/nominations/{b.id}/certificate.pdf").status_code == 404
    auth.logout()
    auth.login("city")
    both = client.get(f"/commendations/{commendation.id}/certificates.pdf")
    assert both.status_code == 200
    _keep("certificates.pdf", both.data)
    pages = _text(both.data)
    assert len(pages) == 2
    assert "甲区机械厂工会" in pages[0] and "乙区街道总工会" in pages[1]
    assert client.get("/commendations/999999/certificates.pdf").status_code == 404


def test_no_certificate_is_not_found(world, client, auth):
    nomination = world.nomination(org=world.union_a, status="candidate")
    auth.login("union_a")
    response = client.get(f"/nominations/{nomination.id}/certificate.pdf")
    assert response.status_code == 404
    assert "没有表彰证书" in response.text
