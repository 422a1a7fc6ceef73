"""Lines of text on a reportlab canvas: fitted to a width, wrapped, emboldened."""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as pdfcanvas


def fit(text: str, font: str, size: float, width: float, min_size: float) -> tuple[str, float]:
    """Shrink `text` to fit `width` down to `min_size`, then cut it with an ellipsis.

    Returns the text as it fits and the font size to draw it in.
    """
    w = pdfmetrics.stringWidth(text, font, size)
    if w <= width:
        return text, size
    size = max(min_size, size * width / w)
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text, size
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…", size


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines of at most `width` (character by character: CJK and URLs)."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and pdfmetrics.stringWidth(line + ch, font, size) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    return lines


def bold_string(
    c: pdfcanvas.Canvas,
    x: float,
    y: float,
    text: str,
    font: str,
    size: float,
    *,
    right: bool = False,
) -> None:
    """Draw `text` at (x, y), or ending there if `right`, heavier than the font's face.

    The CJK font has no bold face: the glyphs are filled and stroked instead.
    """
    if right:
        x -= pdfmetrics.stringWidth(text, font, size)
    c.saveState()  # the render mode and line width are graphics state: keep them in here
    t = c.beginText(x, y)
    t.setFont(font, size)
    t.setTextRenderMode(2)
    t.textOut(text)
    c.setLineWidth(size * 0.03)
    c.drawText(t)
    c.restoreState()


def num(value: float) -> str:
    """A number for a PDF operator written by hand: four decimals at most, no trailing zeros."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


__all__ = ["bold_string", "fit", "num", "wrap"]
