"""会员评家 voting slips: A4 sheets cut apart into one slip per member, each with its
one-time link (`app.evaluation.links.vote_url`) and the link's QR code.

Drawn with the shared toolkit (`app.pdfkit`): the embedded CJK font, and QR codes as vector
paths, fast enough for a sheet of 2,000 slips.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as pdfcanvas

from app.errors import Conflict
from app.evaluation.links import vote_url
from app.evaluation.lookup import evaluation_of
from app.evaluation.tokens import IssuedToken
from app.nominations.models import Nomination
from app.pdfkit.fonts import cjk_font
from app.pdfkit.qr import draw_qr
from app.pdfkit.text import bold_string, fit, wrap
from app.timeutil import format_beijing, utcnow

# -- serials -----------------------------------------------------------------------------


def serial_label(serial: int) -> str:
    """A token's serial as the slips and the CSV print it (编号 0007)."""
    return f"编号 {serial:04d}"


# -- the slips ----------------------------------------------------------------------------

COLUMNS, ROWS = 2, 5
SLIPS_PER_PAGE = COLUMNS * ROWS
PAGE_W, PAGE_H = A4
MARGIN_X = 10 * mm
MARGIN_TOP = 16 * mm  # the page header sits in here
MARGIN_BOTTOM = 12 * mm  # the page number sits in here
SLIP_W = (PAGE_W - 2 * MARGIN_X) / COLUMNS
SLIP_H = (PAGE_H - MARGIN_TOP - MARGIN_BOTTOM) / ROWS
PAD = 4 * mm
QR_SIZE = 30 * mm  # the symbol itself; the cut line and padding give it a quiet zone


def _batches_text(tokens: Sequence[IssuedToken]) -> str:
    batches = sorted({t.batch for t in tokens})
    return "第 " + "、".join(str(b) for b in batches) + " 批"


def _slip(
    c: pdfcanvas.Canvas,
    font: str,
    x: float,
    y: float,
    union: str,
    deadline: str,
    token: IssuedToken,
    base_url: str,
) -> None:
    """One slip with (x, y) its lower-left corner.

    Title and serial across the top, the link across the bottom, the QR code between them
    with at least ~4 mm of white on every side, the union and instructions beside it.
    """
    left, right = x + PAD, x + SLIP_W - PAD
    inner_w = right - left
    top, bottom = y + SLIP_H - PAD, y + PAD
    c.setFillColor(colors.black)

    serial = serial_label(token.serial)
    title_base = top - 10
    bold_string(c, left, title_base, "会员评家（无记名）", font, 11.5)
    bold_string(c, right, title_base, serial, font, 11.5, right=True)

    # The short link along the bottom, as large as fits on one line (two if it must).
    url = vote_url(base_url, token.token)
    size = min(8.5, inner_w / pdfmetrics.stringWidth(url, font, 1))
    if size >= 5.5:
        c.setFont(font, size)
        c.drawString(left, bottom + 1.5, url)
        link_top = bottom + 1.5 + size * 0.8
    else:
        lines = wrap(url, font, 6, inner_w)[:2]
        c.setFont(font, 6)
        for i, line in enumerate(lines):  # top line first, so the text reads in order
            c.drawString(left, bottom + 1.5 + 7 * (len(lines) - 1 - i), line)
        link_top = bottom + 1.5 + 7 * (len(lines) - 1) + 5

    # The QR code centred between the title and the link.
    title_bottom = title_base - 3
    qr_y = link_top + (title_bottom - link_top - QR_SIZE) / 2
    draw_qr(c, url, left, qr_y, QR_SIZE)

    # Beside it: the union, what to do, the rules, the deadline.
    text_x = left + QR_SIZE + 4 * mm
    text_w = right - text_x
    line_y = qr_y + QR_SIZE - 8
    name_lines = wrap(union, font, 9, text_w)
    if len(name_lines) > 2:
        name_lines = [name_lines[0], fit("".join(name_lines[1:]), font, 9, text_w, 9)[0]]
    c.setFont(font, 9)
    for line in name_lines:
        c.drawString(text_x, line_y, line)
        line_y -= 12
    line_y -= 6
    for text, tsize, gap in (
        ("请用手机扫码或打开链接参与评价", 9.5, 13.5),
        ("每个链接只能使用一次；评价不记名", 8.5, 12),
    ):
        c.setFont(font, tsize)
        for line in wrap(text, font, tsize, text_w):
            c.drawString(text_x, line_y, line)
            line_y -= gap
        line_y -= 2
    if deadline:
        c.setFont(font, 8)
        c.setFillColor(colors.HexColor("#444444"))
        for line in wrap(f"请于 {deadline} 前完成评价", font, 8, text_w):
            c.drawString(text_x, line_y, line)
            line_y -= 11
        c.setFillColor(colors.black)


def _cut_lines(c: pdfcanvas.Canvas, rows: int) -> None:
    c.saveState()
    c.setStrokeColor(colors.HexColor("#888888"))
    c.setLineWidth(0.5)
    c.setDash(3, 3)
    bottom = PAGE_H - MARGIN_TOP - rows * SLIP_H
    for col in range(COLUMNS + 1):
        xx = MARGIN_X + col * SLIP_W
        c.line(xx, PAGE_H - MARGIN_TOP, xx, bottom)
    for row in range(rows + 1):
        yy = PAGE_H - MARGIN_TOP - row * SLIP_H
        c.line(MARGIN_X, yy, PAGE_W - MARGIN_X, yy)
    c.restoreState()


def slips_pdf(nomination: Nomination, tokens: Sequence[IssuedToken], base_url: str) -> bytes:
    """A4 sheets of slips to cut apart, one one-time voting link (and its QR code) each.

    `tokens` as from tokens.tokens_for_print, in serial order; `base_url` is the site's
    external root (e.g. request.url_root), the link being `{base_url}/e/{token}`.
    """
    if not tokens:
        raise Conflict(_("There are no slips to print: no link is unused."))
    font = cjk_font()
    evaluation = evaluation_of(nomination.id)
    deadline = format_beijing(evaluation.closes_at) if evaluation is not None else ""
    union = nomination.org.name
    generated = format_beijing(utcnow())
    pages = math.ceil(len(tokens) / SLIPS_PER_PAGE)

    buffer = io.BytesIO()
    c = pdfcanvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setTitle(f"会员评家评价码 - {union}")
    c.setAuthor(union)
    c.setSubject(f"{nomination.title} · {_batches_text(tokens)} · 共 {len(tokens)} 张")
    for page in range(pages):
        chunk = tokens[page * SLIPS_PER_PAGE : (page + 1) * SLIPS_PER_PAGE]
        # Header: what these slips are for, which batch and serials.
        c.setFillColor(colors.black)
        head_y = PAGE_H - MARGIN_TOP + 6 * mm
        right_text = f"{_batches_text(chunk)} · 编号 {chunk[0].serial:04d}–{chunk[-1].serial:04d}"
        c.setFont(font, 9)
        c.drawRightString(PAGE_W - MARGIN_X, head_y, right_text)
        # The union (or nominee) shortened if it must, never what the sheet is.
        suffix = f" · {nomination.award_label} · 会员评家评价码"
        avail = PAGE_W - 2 * MARGIN_X - pdfmetrics.stringWidth(right_text, font, 9) - 8 * mm
        subject = nomination.nominee_name or union
        size = 10 if pdfmetrics.stringWidth(subject + suffix, font, 10) <= avail else 9
        subject, _size = fit(
            subject, font, size, avail - pdfmetrics.stringWidth(suffix, font, size), size
        )
        c.setFont(font, size)
        c.drawString(MARGIN_X, head_y, subject + suffix)
        _cut_lines(c, math.ceil(len(chunk) / COLUMNS))
        for i, token in enumerate(chunk):
            row, col = divmod(i, COLUMNS)
            x = MARGIN_X + col * SLIP_W
            y = PAGE_H - MARGIN_TOP - (row + 1) * SLIP_H
            _slip(c, font, x, y, union, deadline, token, base_url)
        # Footer.
        c.setFillColor(colors.HexColor("#555555"))
        c.setFont(font, 8)
        foot_y = MARGIN_BOTTOM - 7 * mm
        c.drawString(MARGIN_X, foot_y, "沿虚线裁开，每位会员一张；请妥善保管，勿重复发放。")
        c.drawRightString(
            PAGE_W - MARGIN_X, foot_y, f"打印时间 {generated} · 第 {page + 1} / {pages} 页"
        )
        c.showPage()
    c.save()
    return buffer.getvalue()


__all__ = ["SLIPS_PER_PAGE", "serial_label", "slips_pdf"]
