"""荣誉证书: one A4 landscape page per commended home, in Chinese.

Drawn with reportlab in the embedded CJK font of the PDF toolkit (`app.pdfkit`), so the
text prints anywhere and can be searched and copied. Each page carries the certificate's
serial number and verification code, and a QR code that opens the public check
(`<public_base_url>/certificates/<code>`), where anyone can see whether the title still
stands. A revoked title's certificate prints stamped 已撤销, never as a clean one.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as pdfcanvas

from app.campaigns.models import LEVEL_LABELS
from app.commendation.certificates import certificate_url
from app.commendation.models import Certificate
from app.errors import Conflict
from app.pdfkit.fonts import cjk_font
from app.pdfkit.qr import draw_qr
from app.pdfkit.text import bold_string, fit, wrap

PAGE_W, PAGE_H = landscape(A4)
RED = colors.HexColor("#a31515")
GOLD = colors.HexColor("#b8912f")
INK = colors.HexColor("#1f1f1f")
GREY = colors.HexColor("#555555")
PAPER = colors.HexColor("#fffdf6")
OUTER = 9 * mm  # the red frame's distance from the page edge
INNER = 14 * mm  # the gold line's
QR_SIZE = 26 * mm


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def campaign_title(certificate: Certificate) -> str:
    """“2026年度市级模范职工之家”: the year, the level and the award of the title."""
    nomination = certificate.nomination
    campaign = nomination.campaign
    level = LEVEL_LABELS.get(campaign.level, "")
    return f"{campaign.year}年度{level}{nomination.award_label}"


def holder(certificate: Certificate) -> str:
    """Who holds the title: the union, or the person and their union."""
    nomination = certificate.nomination
    if nomination.nominee_name:
        return f"{nomination.nominee_name}（{nomination.org.name}）"
    return nomination.org.name


def _centred(
    c: pdfcanvas.Canvas,
    text: str,
    font: str,
    size: float,
    y: float,
    colour: colors.Color = INK,
    *,
    bold: bool = False,
    spacing: float = 0,
) -> None:
    width = pdfmetrics.stringWidth(text, font, size) + spacing * max(0, len(text) - 1)
    x = (PAGE_W - width) / 2
    c.setFillColor(colour)
    c.setStrokeColor(colour)
    if spacing:
        c.saveState()
        t = c.beginText(x, y)
        t.setFont(font, size)
        t.setCharSpace(spacing)
        if bold:
            t.setTextRenderMode(2)
            c.setLineWidth(size * 0.03)
        t.textOut(text)
        c.drawText(t)
        c.restoreState()
    elif bold:
        bold_string(c, x, y, text, font, size)
    else:
        c.setFont(font, size)
        c.drawString(x, y, text)


def _frame(c: pdfcanvas.Canvas) -> None:
    """A cream sheet in a red frame with a gold inner line and small corner ornaments."""
    c.saveState()
    c.setFillColor(PAPER)
    c.rect(0, 0, PAGE_W, PAGE_H, stroke=0, fill=1)
    c.setStrokeColor(RED)
    c.setLineWidth(4)
    c.rect(OUTER, OUTER, PAGE_W - 2 * OUTER, PAGE_H - 2 * OUTER)
    c.setLineWidth(0.8)
    gap = 2.2 * mm
    c.rect(OUTER + gap, OUTER + gap, PAGE_W - 2 * (OUTER + gap), PAGE_H - 2 * (OUTER + gap))
    c.setStrokeColor(GOLD)
    c.setLineWidth(1.2)
    c.rect(INNER, INNER, PAGE_W - 2 * INNER, PAGE_H - 2 * INNER)
    # a gold diamond in each corner, where the lines meet
    c.setFillColor(GOLD)
    d = 3 * mm
    for x, y in (
        (INNER, INNER),
        (PAGE_W - INNER, INNER),
        (INNER, PAGE_H - INNER),
        (PAGE_W - INNER, PAGE_H - INNER),
    ):
        path = c.beginPath()
        path.moveTo(x, y + d)
        path.lineTo(x + d, y)
        path.lineTo(x, y - d)
        path.lineTo(x - d, y)
        path.close()
        c.drawPath(path, stroke=0, fill=1)
    # a thin rule under the heading area
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.6)
    c.line(PAGE_W / 2 - 60 * mm, PAGE_H - 58 * mm, PAGE_W / 2 + 60 * mm, PAGE_H - 58 * mm)
    c.restoreState()


def _revoked_stamp(c: pdfcanvas.Canvas, font: str, revoked_on: date) -> None:
    c.saveState()
    c.translate(PAGE_W / 2, PAGE_H / 2)
    c.rotate(24)
    c.setFillColor(colors.Color(0.75, 0.05, 0.05, alpha=0.28))
    c.setFont(font, 96)
    c.drawCentredString(0, -20, "已撤销")
    c.setFont(font, 16)
    c.drawCentredString(0, -52, f"该称号已于 {chinese_date(revoked_on)} 撤销，本证书不再有效")
    c.restoreState()


def _page(c: pdfcanvas.Canvas, font: str, certificate: Certificate, base_url: str) -> None:
    nomination = certificate.nomination
    campaign = nomination.campaign
    commendation = certificate.commendation
    issuer = campaign.organizer.name
    _frame(c)
    text_w = PAGE_W - 2 * INNER - 30 * mm

    # The heading: what the certificate is, and the title itself in red.
    _centred(c, "荣誉证书", font, 18, PAGE_H - 34 * mm, GOLD, spacing=10)
    title, size = fit(nomination.award_label, font, 44, text_w, 28)
    _centred(c, title, font, size, PAGE_H - 52 * mm, RED, bold=True, spacing=6)

    # The holder, as large as fits (two lines for a very long name), over a rule.
    name = holder(certificate)
    y = PAGE_H - 92 * mm
    if pdfmetrics.stringWidth(name, font, 20) <= text_w:
        fitted, nsize = fit(name, font, 28, text_w, 20)
        _centred(c, fitted, font, nsize, y, INK, bold=True)
        rule_y = y - 4 * mm
    else:
        lines = wrap(name, font, 20, text_w)
        if len(lines) > 2:
            lines = [lines[0], fit("".join(lines[1:]), font, 20, text_w, 20)[0]]
        _centred(c, lines[0], font, 20, y + 5 * mm, INK, bold=True)
        _centred(c, lines[1], font, 20, y - 5 * mm, INK, bold=True)
        rule_y = y - 9 * mm
    c.saveState()
    c.setStrokeColor(GREY)
    c.setLineWidth(0.5)
    c.line(PAGE_W / 2 - 80 * mm, rule_y, PAGE_W / 2 + 80 * mm, rule_y)
    c.restoreState()

    citation = f"被授予“{campaign_title(certificate)}”称号。"
    citation, csize = fit(citation, font, 17, text_w, 12)
    _centred(c, citation, font, csize, rule_y - 14 * mm)
    _centred(c, "特发此证，以资鼓励。", font, 15, rule_y - 25 * mm)

    # The issuer, the date and the decision, lower right.
    right = PAGE_W - INNER - 22 * mm
    issuer_text, isize = fit(issuer, font, 16, 110 * mm, 11)
    c.setFillColor(INK)
    bold_string(c, right, INNER + 40 * mm, issuer_text, font, isize, right=True)
    c.setFont(font, 13)
    c.drawRightString(right, INNER + 30 * mm, chinese_date(commendation.decided_on))
    c.setFont(font, 10.5)
    c.setFillColor(GREY)
    number, nsize = fit(f"表彰文号：{commendation.document_number}", font, 10.5, 110 * mm, 8)
    c.setFont(font, nsize)
    c.drawRightString(right, INNER + 21 * mm, number)

    # The serial, the code and the QR code of the public check, lower left.
    left = INNER + 12 * mm
    bottom = INNER + 8 * mm
    url = certificate_url(base_url, certificate.code)
    draw_qr(c, url, left, bottom, QR_SIZE)
    text_x = left + QR_SIZE + 5 * mm
    c.setFillColor(INK)
    c.setFont(font, 11)
    c.drawString(text_x, bottom + QR_SIZE - 10, f"证书编号：{certificate.serial}")
    c.drawString(text_x, bottom + QR_SIZE - 26, f"验证码：{certificate.code}")
    c.setFillColor(GREY)
    c.setFont(font, 8.5)
    c.drawString(text_x, bottom + QR_SIZE - 42, "扫码或访问以下网址查验真伪：")
    link, lsize = fit(url, font, 8.5, 105 * mm, 6)
    c.setFont(font, lsize)
    c.drawString(text_x, bottom + QR_SIZE - 54, link)

    if certificate.revoked_on is not None:
        _revoked_stamp(c, font, certificate.revoked_on)


def certificates_pdf(certificates: Sequence[Certificate], base_url: str) -> bytes:
    """One A4 landscape page per certificate (nomination, org, campaign and its organiser,
    and the commendation loaded); `base_url` is the public address for the QR codes."""
    if not certificates:
        raise Conflict(_("There is no certificate to print."))
    font = cjk_font()
    buffer = io.BytesIO()
    c = pdfcanvas.Canvas(buffer, pagesize=landscape(A4), pageCompression=1)
    first = certificates[0]
    if len(certificates) == 1:
        c.setTitle(f"荣誉证书 - {holder(first)}")
    else:
        c.setTitle(f"荣誉证书 - {first.commendation.document_number}")
    c.setAuthor(first.nomination.campaign.organizer.name)
    c.setSubject(campaign_title(first))
    for certificate in certificates:
        _page(c, font, certificate, base_url)
        c.showPage()
    c.save()
    return buffer.getvalue()


__all__ = ["campaign_title", "certificate_url", "certificates_pdf", "chinese_date", "holder"]
