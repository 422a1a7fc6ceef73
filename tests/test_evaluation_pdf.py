"""会员评家 PDFs and CSV: the cut-apart voting slips, the report to the higher union, the links."""

from __future__ import annotations

import csv
import io
import math
import re
import shutil
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import current_app
from PIL import Image
from pypdf import PdfReader
from werkzeug.datastructures import FileStorage

from app.errors import Conflict
from app.evaluation.ballots import cast_ballot
from app.evaluation.closing import close_evaluation
from app.evaluation.exports import tokens_csv
from app.evaluation.opening import open_evaluation
from app.evaluation.report_pdf import report_pdf
from app.evaluation.results import decide, results, turnout
from app.evaluation.slips_pdf import SLIPS_PER_PAGE, slips_pdf
from app.evaluation.tallies import enter_paper_tally, save_report
from app.evaluation.tokens import issue_tokens, tokens_for_print
from app.pdfkit import fonts as pdf  # the font cache and its candidates
from app.timeutil import utcnow

BASE = "https://zgzj.example.gov.cn"
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"  # gitignored; for looking at


def _keep(name: str, data: bytes) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(data)


def _open(world, members=12):  # type: ignore[no-untyped-def]
    nomination = world.nomination(status="member_evaluation", complete=True)
    now = utcnow()
    evaluation = open_evaluation(
        world.user("union_a"),
        nomination.id,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=3),
        member_count=members,
    )
    return nomination, evaluation


def _vote(evaluation, token, choice="satisfied", comment=None):  # type: ignore[no-untyped-def]
    cast_ballot(
        token,
        overall=choice,
        answers={d["code"]: choice for d in evaluation.dimensions},
        comment=comment,
    )


def _text(page) -> str:  # type: ignore[no-untyped-def]
    return page.extract_text() or ""


@pytest.fixture
def font_cache():  # type: ignore[no-untyped-def]
    """Tests that change the font setting leave a clean, working cache behind."""
    pdf.reset_font_cache()
    yield
    pdf.reset_font_cache()


# -- slips --------------------------------------------------------------------------------


def test_slips_carry_the_union_the_serial_and_the_link_of_each_token(world, ctx):
    nomination, _evaluation = _open(world, members=12)
    nomination, tokens = tokens_for_print(world.user("union_a"), nomination.id)
    assert len(tokens) == 12

    data = slips_pdf(nomination, tokens, BASE + "/")  # a trailing slash is not doubled
    assert data.startswith(b"%PDF")
    _keep("evaluation-slips.pdf", data)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == math.ceil(12 / SLIPS_PER_PAGE) == 2

    first, second = _text(reader.pages[0]), _text(reader.pages[1])
    assert "甲区机械厂工会" in first
    assert "会员评家（无记名）" in first
    assert "请用手机扫码或打开链接参与评价" in first
    assert "每个链接只能使用一次；评价不记名" in first
    assert "编号 0001" in first and "编号 0010" in first and "编号 0011" not in first
    assert f"{BASE}/e/{tokens[0].token}" in first
    assert f"{BASE}/e/{tokens[9].token}" in first
    assert f"{BASE}/e/{tokens[11].token}" in second and "编号 0012" in second
    assert "第 1 批" in first and "第 2 / 2 页" in second
    for token in tokens:  # every link printed exactly once
        assert sum(f"/e/{token.token}" in _text(p) for p in reader.pages) == 1

    # The QR codes are vector paths (many filled rectangles), and the font is embedded.
    content = reader.pages[0].get_contents().get_data()
    assert len(re.findall(rb" re\b", content)) > 10 * 100
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    descriptors = [f["/FontDescriptor"].get_object() for f in fonts if "/FontDescriptor" in f]
    assert any("/FontFile2" in d for d in descriptors)


def test_slips_of_a_later_batch_say_so(world, ctx):
    nomination, _evaluation = _open(world, members=3)
    batch = issue_tokens(world.user("union_a"), nomination.id, 2)
    nomination, tokens = tokens_for_print(world.user("union_a"), nomination.id, batch=batch)
    text = _text(PdfReader(io.BytesIO(slips_pdf(nomination, tokens, BASE))).pages[0])
    assert "第 2 批" in text
    assert "编号 0004" in text and "编号 0005" in text and "编号 0001" not in text


def test_no_tokens_to_print_is_a_message_not_an_empty_pdf(world, ctx):
    nomination, _evaluation = _open(world, members=2)
    with pytest.raises(Conflict, match="没有可打印的评价码"):
        slips_pdf(nomination, [], BASE)


def test_a_long_site_address_still_prints_the_whole_link(world, ctx):
    nomination, _evaluation = _open(world, members=1)
    nomination, tokens = tokens_for_print(world.user("union_a"), nomination.id)
    base = "https://zhigongzhijia.shi-zonggonghui.example.gov.cn/pingxuan"
    text = _text(PdfReader(io.BytesIO(slips_pdf(nomination, tokens, base))).pages[0])
    assert tokens[0].token in text.replace("\n", "")


def test_a_long_union_name_is_wrapped_beside_the_code(world, ctx):
    nomination, _evaluation = _open(world, members=2)
    nomination, tokens = tokens_for_print(world.user("union_a"), nomination.id)
    nomination.org.name = "甲区高新技术产业开发区机械装备制造集团有限责任公司联合工会委员会"
    data = slips_pdf(nomination, tokens, BASE)
    _keep("evaluation-slips-long-name.pdf", data)
    text = _text(PdfReader(io.BytesIO(data)).pages[0]).replace("\n", "")
    assert "甲区高新技术产业开发区" in text and "编号 0002" in text


@pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="needs pdftoppm (poppler-utils) and zbarimg (zbar-tools)",
)
def test_the_printed_codes_scan_to_the_links(world, ctx, tmp_path):
    nomination, _evaluation = _open(world, members=4)
    nomination, tokens = tokens_for_print(world.user("union_a"), nomination.id)
    (tmp_path / "slips.pdf").write_bytes(slips_pdf(nomination, tokens, BASE))
    # 150 dpi: a modest office printer or a phone photo of the sheet.
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(tmp_path / "slips.pdf"), str(tmp_path / "page")],
        check=True,
    )
    scanned = subprocess.run(
        ["zbarimg", "-q", "--raw", str(tmp_path / "page-1.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(scanned) == sorted(f"{BASE}/e/{t.token}" for t in tokens)


@pytest.mark.slow
def test_two_thousand_slips(world, ctx):
    nomination, _evaluation = _open(world, members=2000)
    nomination, tokens = tokens_for_print(world.user("union_a"), nomination.id)
    started = time.perf_counter()
    data = slips_pdf(nomination, tokens, BASE)
    elapsed = time.perf_counter() - started
    print(f"\n2000 slips: {elapsed:.2f} s, {len(data) / 1e6:.1f} MB")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 200
    assert "编号 2000" in _text(reader.pages[-1])


# -- the report ---------------------------------------------------------------------------


def _tally_sheet() -> FileStorage:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    buffer.seek(0)
    return FileStorage(stream=buffer, filename="计票表.png", content_type="image/png")


def test_report_of_a_closed_evaluation(world, ctx):
    nomination, evaluation = _open(world, members=12)
    union = world.user("union_a")
    _n, tokens = tokens_for_print(union, nomination.id)
    _vote(evaluation, tokens[0].token, comment="食堂饭菜有改善")
    _vote(evaluation, tokens[1].token, comment="希望多组织<文体活动> & 技能培训\n第二行")
    _vote(evaluation, tokens[2].token, "basic")
    first = evaluation.dimensions[0]["code"]
    enter_paper_tally(
        union,
        nomination.id,
        satisfied=6,
        basic=1,
        dissatisfied=0,
        invalid=1,
        tally_sheet=_tally_sheet(),
        dimension_counts={first: {"satisfied": 5, "basic": 2, "dissatisfied": 0}},
    )
    save_report(
        world.user("union_a"),
        nomination.id,
        process_notes="召开会员代表会议部署，分车间发放评价码，工会小组长负责解释。",
        rectification_measures="针对会员反映的问题，三个月内完成职工食堂改造。",
    )
    close_evaluation(evaluation.id, actor=world.user("union_a"))

    data = report_pdf(
        nomination, evaluation, results(evaluation, with_comments=True), turnout(evaluation), None
    )
    assert data.startswith(b"%PDF")
    _keep("evaluation-report.pdf", data)
    text = "".join(_text(p) for p in PdfReader(io.BytesIO(data)).pages)
    flat = text.replace("\n", "")
    assert "会员评家情况报告" in text
    assert "甲区机械厂工会" in text and "甲区总工会" in text  # the union and its higher union
    assert "满意率" in text and "100.0%" in text and "不低于 95%" in text  # state-owned
    assert "达标" in text and "未达标" not in text
    assert "参评率" in text and "83.3%" in text  # 3 online + 7 paper of 12
    assert "网上 3 人，纸质有效票 7 张" in flat and "废票 1 张" in flat
    assert "政治建设" in text  # the per-dimension table
    assert "食堂饭菜有改善" in flat
    assert "希望多组织<文体活动> & 技能培训" in flat  # escaped, not read as markup
    assert "三个月内完成职工食堂改造" in flat
    assert "分车间发放评价码" in flat
    assert "北京时间" in text


def test_report_of_a_failed_evaluation_gives_the_reasons(world, ctx):
    nomination, evaluation = _open(world, members=4)
    _n, tokens = tokens_for_print(world.user("union_a"), nomination.id)
    _vote(evaluation, tokens[0].token, "satisfied")
    _vote(evaluation, tokens[1].token, "dissatisfied")
    decision = close_evaluation(evaluation.id)
    data = report_pdf(
        nomination,
        evaluation,
        results(evaluation, with_comments=True),
        turnout(evaluation),
        decision,
    )
    text = "".join(_text(p) for p in PdfReader(io.BytesIO(data)).pages)
    assert "未达标" in text and "低于标准" in text
    assert "（未填写）" in text  # no process notes nor measures yet


def test_report_while_still_open_has_no_verdict(world, ctx):
    nomination, evaluation = _open(world, members=5)
    _n, tokens = tokens_for_print(world.user("union_a"), nomination.id)
    _vote(evaluation, tokens[0].token, "basic")
    data = report_pdf(
        nomination,
        evaluation,
        results(evaluation, with_comments=True),
        turnout(evaluation),
        decide(evaluation, nomination),
    )
    text = "".join(_text(p) for p in PdfReader(io.BytesIO(data)).pages)
    assert "进行中" in text and "达标" not in text
    assert "100.0%" in text  # 基本满意 counts under the default rule


def test_long_texts_wrap_and_nothing_is_lost(world, ctx):
    nomination, evaluation = _open(world, members=3)
    _n, tokens = tokens_for_print(world.user("union_a"), nomination.id)
    long_comment = ("职工书屋开放时间太短，" * 20 + "https://example.com/" + "x" * 120)[:500]
    _vote(evaluation, tokens[0].token, comment=long_comment)
    notes = "；".join(f"第{i}车间由工会小组长逐一发放评价码并说明无记名规则" for i in range(1, 60))
    measures = "\n".join(
        f"{i}. 针对会员意见制定整改措施，明确责任人和完成时限。" for i in range(1, 30)
    )
    save_report(
        world.user("union_a"), nomination.id, process_notes=notes, rectification_measures=measures
    )
    close_evaluation(evaluation.id)
    data = report_pdf(
        nomination, evaluation, results(evaluation, with_comments=True), turnout(evaluation), None
    )
    _keep("evaluation-report-long.pdf", data)
    reader = PdfReader(io.BytesIO(data))
    flat = "".join(_text(p) for p in reader.pages).replace("\n", "")
    assert long_comment.replace(" ", "") in flat.replace(" ", "")
    assert "第59车间由工会小组长逐一发放评价码" in flat
    assert "29. 针对会员意见制定整改措施" in flat
    assert f"第 {len(reader.pages)} 页 / 共 {len(reader.pages)} 页" in _text(reader.pages[-1])


# -- the font -----------------------------------------------------------------------------


def test_a_missing_font_is_a_message_for_the_operator(world, ctx, font_cache, monkeypatch):
    nomination, evaluation = _open(world, members=2)
    _n, tokens = tokens_for_print(world.user("union_a"), nomination.id)
    monkeypatch.setitem(current_app.config, "CJK_FONT_PATH", "/nonexistent/wqy-zenhei.ttc")
    pdf.reset_font_cache()
    with pytest.raises(Conflict) as refused:
        slips_pdf(nomination, tokens, BASE)
    assert "fonts-wqy-zenhei" in refused.value.message
    assert "中文字体" in refused.value.message
    with pytest.raises(Conflict, match="fonts-wqy-zenhei"):
        report_pdf(nomination, evaluation, results(evaluation), turnout(evaluation), None)


def test_the_configured_font_path_is_used(world, ctx, font_cache, monkeypatch):
    nomination, _evaluation = _open(world, members=1)
    _n, tokens = tokens_for_print(world.user("union_a"), nomination.id)
    monkeypatch.setitem(current_app.config, "CJK_FONT_PATH", pdf.FONT_CANDIDATES[0])
    if not pdf.os.path.isfile(pdf.FONT_CANDIDATES[0]):
        pytest.skip("fonts-wqy-zenhei not installed")
    assert slips_pdf(nomination, tokens, BASE).startswith(b"%PDF")


# -- CSV ----------------------------------------------------------------------------------


def test_tokens_csv_lists_one_link_per_token(world, ctx):
    nomination, evaluation = _open(world, members=3)
    _n, tokens = tokens_for_print(world.user("union_a"), nomination.id, unused_only=False)
    _vote(evaluation, tokens[1].token)
    _n, tokens = tokens_for_print(world.user("union_a"), nomination.id, unused_only=False)

    response = tokens_csv(nomination, tokens, BASE)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["编号", "批次", "评价链接", "状态"]
    assert len(rows) == 1 + 3
    assert rows[1] == ["0001", "1", f"{BASE}/e/{tokens[0].token}", "未使用"]
    assert rows[2][3] == "已使用"
