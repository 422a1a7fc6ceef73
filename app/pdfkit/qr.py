"""QR codes drawn straight onto a reportlab canvas as vector paths.

A sheet of 2,000 voting slips must come out in seconds, so the QR matrix comes from
reportlab's own encoder (the one behind ``QrCodeWidget``) and is drawn as one filled path
per code, runs of dark modules merged, instead of a Drawing holding one shape object per
module (~10 ms a code). The mask pattern is chosen by the standard's penalty search (~5 ms
a code): a fixed mask scanned unreliably in tests.
"""

from __future__ import annotations

import itertools

from reportlab.graphics.barcode import qrencoder
from reportlab.pdfgen import canvas as pdfcanvas

from app.pdfkit.text import num


def qr_modules(data: str) -> list[list[bool]]:
    """reportlab's QR encoder (error correction M, best mask): the matrix of dark modules.

    The mask is chosen by the standard's penalty rules: a fixed mask is valid but can leave
    large uniform areas that some phone scanners misread.
    """
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(data)
    code.make()
    return code.modules


def draw_qr(c: pdfcanvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    """The QR symbol in a size × size square with (x, y) its lower-left corner.

    One filled path in module units (integers), written as PDF operators directly: through
    reportlab's path API each coordinate would go through its pure-Python number formatter,
    which was most of the time for a sheet of 2,000 slips. Abutting rectangles filled as one
    path show no seams. The caller leaves the quiet zone around the square.
    """
    modules = qr_modules(data)
    n = len(modules)
    ops = [f"q 0 g {num(size / n)} 0 0 {num(size / n)} {num(x)} {num(y)} cm"]
    for r, row in enumerate(modules):
        yy = n - 1 - r
        col = 0
        for dark, run in itertools.groupby(row):
            count = sum(1 for _ in run)
            if dark:
                ops.append(f"{col} {yy} {count} 1 re")
            col += count
    ops.append("f Q")
    c.addLiteral("\n".join(ops))


__all__ = ["draw_qr", "qr_modules"]
