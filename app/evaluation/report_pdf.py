"""会员评家情况报告: the process, the result and the rectification measures of a member
evaluation, as the union reports them to the higher union.

Laid out with reportlab's platypus in the embedded CJK font of the shared toolkit
(`app.pdfkit`); each page is numbered “第 x 页 / 共 y 页” once the page count is known.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from fractions import Fraction
from functools import partial
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.evaluation.models import CHOICE_LABELS, Choice, EvaluationStatus, MemberEvaluation
from app.evaluation.results import (
    RULES,
    Decision,
    Results,
    Turnout,
    chinese_stored_reasons,
    reasons_in_chinese,
)
from app.nominations.models import Nomination
from app.pdfkit.fonts import FONT, cjk_font
from app.timeutil import format_beijing, utcnow

RULE_LABELS = {
    "satisfied_or_basic": "（满意 + 基本满意）÷ 有效票",
    "satisfied_only": "满意 ÷ 有效票",
}


def _pct(value: Fraction | float | None) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def _share(n: int, total: int) -> str:
    return f"{n / total * 100:.1f}%" if total else "—"


def _text(value: str | None) -> str:
    """User text for a Paragraph: escaped, its line breaks kept."""
    return escape(value or "").replace("\r\n", "\n").replace("\n", "<br/>")


class _NumberedCanvas(pdfcanvas.Canvas):
    """Draws “第 x 页 / 共 y 页” and `footer_left` once the page count is known.

    Each page's drawing state is kept at showPage and drawn at save (reportlab's
    NumberedCanvas recipe).
    """

    _startPage: Callable[[], None]  # reportlab's, left out of its type stubs

    def __init__(self, *args: Any, footer_left: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.footer_left = footer_left
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawString(18 * mm, 10 * mm, self.footer_left)
            self.drawRightString(
                A4[0] - 18 * mm, 10 * mm, f"第 {self.getPageNumber()} 页 / 共 {total} 页"
            )
            super().showPage()
        super().save()


def report_pdf(
    nomination: Nomination,
    evaluation: MemberEvaluation,
    results: Results,
    turnout: Turnout,
    decision: Decision | None = None,
) -> bytes:
    """会员评家情况报告: the process, the result and the rectification measures, as the union
    reports them to the higher union (seed 004 二(四)三).

    `results` from results.results(evaluation, with_comments=True), `turnout` from
    results.turnout(evaluation); `decision` from results.decide(...) if at hand. A closed
    evaluation's figures are the ones stored when it closed.
    """
    font = cjk_font()
    generated = format_beijing(utcnow())
    closed = evaluation.status == EvaluationStatus.CLOSED
    org = nomination.org
    campaign = nomination.campaign

    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=9, leading=13)
    cell = ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13.5)
    title = ParagraphStyle(
        "title", parent=base, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=2
    )
    subtitle = ParagraphStyle(
        "subtitle",
        parent=base,
        fontSize=11,
        leading=16,
        alignment=TA_CENTER,
        textColor=colors.HexColor("#333333"),
        spaceAfter=10,
    )
    h2 = ParagraphStyle("h2", parent=base, fontSize=13, leading=20, spaceBefore=12, spaceAfter=6)
    lead = ParagraphStyle("lead", parent=small, keepWithNext=1, spaceAfter=3)
    item = ParagraphStyle("item", parent=base, leftIndent=16, bulletIndent=0, spaceAfter=4)
    body = ParagraphStyle("body", parent=base, firstLineIndent=0, spaceAfter=4)

    def heading(text: str) -> list:
        # A heading never ends a page: it moves on unless a few lines fit under it. (Not
        # keepWithNext, which would push a long section whole onto the next page.)
        return [CondPageBreak(30 * mm), Paragraph(text, h2)]

    grid: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    head_bg = colors.HexColor("#e8eef5")
    width = A4[0] - 36 * mm

    story: list = [
        Paragraph("会员评家情况报告", title),
        Paragraph(escape(f"{org.name} · {nomination.award_label}"), subtitle),
    ]

    # 一、基本情况
    category = org.category_label or "—"
    if org.category == "enterprise" and org.is_state_owned:
        category += "（国有企业）"
    window = (
        f"{format_beijing(evaluation.opens_at)} 至 {format_beijing(evaluation.closes_at)}"
        "（北京时间）"
    )
    if closed and evaluation.closed_at:
        window += f"；已于 {format_beijing(evaluation.closed_at)} 结束"
    else:
        window += "；进行中"
    voted = turnout.voted
    info = [
        ("申报单位", org.name),
        ("上级工会", org.parent.name if org.parent else "—"),
        ("单位类别", category),
        ("评选活动", f"{campaign.name}（{nomination.award_label}）"),
        ("评家时间", window),
        ("会员人数", f"{evaluation.member_count} 人"),
        ("发放评价码", f"{turnout.issued} 个（作废的不计）"),
        (
            "参评人数",
            f"{voted} 人：网上 {turnout.voted_online} 人，纸质有效票 {turnout.paper} 张"
            + (f"（另有纸质废票 {results.paper_invalid} 张）" if results.paper_invalid else ""),
        ),
        ("参评率", f"{turnout.percent}（参评人数 ÷ 会员人数）"),
    ]
    story += [
        *heading("一、基本情况"),
        Table(
            [[Paragraph(k, cell), Paragraph(escape(v), cell)] for k, v in info],
            colWidths=[28 * mm, width - 28 * mm],
            style=TableStyle(grid + [("BACKGROUND", (0, 0), (0, -1), head_bg)]),
        ),
    ]

    # 二、评议结果
    total = results.total
    rows: list[list] = [["评价", "网上", "纸质", "合计", "占比"]]
    for choice in Choice:
        online_n = getattr(results.online, choice.value)
        paper_n = getattr(results.paper, choice.value)
        n = getattr(total, choice.value)
        rows.append([CHOICE_LABELS[choice], online_n, paper_n, n, _share(n, total.total)])
    rows.append(
        [
            "有效票",
            results.online.total,
            results.paper.total,
            total.total,
            "100%" if total.total else "—",
        ]
    )
    overall = Table(
        rows,
        colWidths=[width / 5] * 5,
        style=TableStyle(
            grid
            + [
                ("BACKGROUND", (0, 0), (-1, 0), head_bg),
                ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f4f4f4")),
                ("ALIGN", (1, 0), (-1, -1), "CENTER"),
            ]
        ),
    )

    rule = (evaluation.rule if closed and evaluation.rule else None) or (
        campaign.evaluation_rule or "satisfied_or_basic"
    )
    if rule not in RULES:
        rule = "satisfied_or_basic"
    if closed and evaluation.valid_ballots is not None:
        rate: Fraction | float | None = (
            float(evaluation.satisfaction_rate)
            if evaluation.satisfaction_rate is not None
            else None
        )
        threshold: Fraction | float | None = (
            float(evaluation.threshold) if evaluation.threshold is not None else None
        )
    else:
        rate = total.rate(rule)
        threshold = decision.threshold if decision is not None else None
    threshold_text = (
        f"（标准：不低于 {float(threshold) * 100:g}%）" if threshold is not None else ""
    )
    result_lines = [
        f"满意率：<b>{_pct(rate)}</b>{threshold_text}，计算方法：{RULE_LABELS[rule]}。",
    ]
    if closed:
        passed = (
            evaluation.passed
            if evaluation.passed is not None
            else (decision.passed if decision is not None else None)
        )
        reasons = (
            reasons_in_chinese(decision)
            if decision is not None
            else chinese_stored_reasons(evaluation)
        )
        verdict = {True: "达标", False: "未达标", None: "—"}[passed]
        result_lines.append(
            f"结论：<b>{verdict}</b>"
            + ("；" + escape("".join(reasons)) if reasons and not passed else "。")
        )
    else:
        result_lines.append("评家尚在进行中，以上为当前统计，结论待评家结束后确定。")
    story += [
        *heading("二、评议结果"),
        overall,
        Spacer(1, 6),
        *[Paragraph(line, body) for line in result_lines],
    ]

    # 三、分项评价
    if results.dimensions:
        sub = ["网上", "纸质", "合计"]
        head1 = ["评价内容"] + [CHOICE_LABELS[c] for c in Choice for _ in sub] + ["满意率"]
        head2 = [""] + sub * 3 + [""]
        dim_rows: list[list] = [head1, head2]
        for dimension, online_c, paper_c in results.dimensions:
            both = online_c.add(paper_c)
            row: list = [Paragraph(escape(dimension.get("label") or dimension["code"]), cell)]
            for choice in Choice:
                row += [getattr(c, choice.value) for c in (online_c, paper_c, both)]
            row.append(_pct(both.rate(rule)))
            dim_rows.append(row)
        first = 30 * mm
        last = 18 * mm
        other = (width - first - last) / 9
        spans = [("SPAN", (0, 0), (0, 1)), ("SPAN", (10, 0), (10, 1))]
        spans += [("SPAN", (1 + 3 * i, 0), (3 + 3 * i, 0)) for i in range(3)]
        dims_table = Table(
            dim_rows,
            colWidths=[first] + [other] * 9 + [last],
            repeatRows=2,
            style=TableStyle(
                grid
                + spans
                + [
                    ("BACKGROUND", (0, 0), (-1, 1), head_bg),
                    ("ALIGN", (1, 0), (-1, -1), "CENTER"),
                    ("FONTSIZE", (1, 1), (-1, 1), 8.5),
                ]
            ),
        )
        story += [*heading("三、分项评价"), dims_table]
        if results.paper.total and not any(p.total for _d, _o, p in results.dimensions):
            story += [Spacer(1, 3), Paragraph("纸质票未分项统计，分项表只含网上评价。", small)]

    # 四、会员意见建议
    story += heading("四、会员意见和建议")
    if results.comments:
        story.append(Paragraph(f"共 {len(results.comments)} 条（无记名，按原文照录）：", lead))
        story += [
            Paragraph(_text(text), item, bulletText=f"{i}.")
            for i, text in enumerate(results.comments, 1)
        ]
    else:
        story.append(Paragraph("无。", body))

    # 五、六: the union's own account.
    story += [
        *heading("五、评家工作过程"),
        Paragraph(_text(evaluation.process_notes) or "（未填写）", body),
        *heading("六、整改措施"),
        Paragraph(_text(evaluation.rectification_measures) or "（未填写）", body),
    ]

    story += [
        Spacer(1, 18),
        KeepTogether(
            [
                Paragraph(f"报告单位（盖章）：{escape(org.name)}", body),
                Spacer(1, 10),
                Paragraph("负责人签字：____________　　　日期：______年____月____日", body),
                Spacer(1, 8),
                Paragraph(f"本报告由系统于 {generated}（北京时间）生成。", small),
            ]
        ),
    ]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"会员评家情况报告 - {org.name}",
        author=org.name,
    )
    footer = f"{org.name} · 会员评家情况报告 · 生成时间 {generated}（北京时间）"
    doc.build(story, canvasmaker=partial(_NumberedCanvas, footer_left=footer))
    return buffer.getvalue()


__all__ = ["report_pdf"]
