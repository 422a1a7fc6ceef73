"""The CJK font every Chinese PDF is drawn in, found and registered once per process.

The font is embedded (as a subset), so the Chinese prints anywhere and can be searched and
copied. It is a Debian package (fonts-wqy-zenhei); without it the user is told what to
install instead of a traceback.
"""

from __future__ import annotations

import os
import threading

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from app.errors import Conflict

FONT = "WQYZenHei"
# Debian's CJK TrueType fonts, best first. (Noto CJK is CFF-flavoured OpenType, which
# reportlab cannot embed, so it is not a candidate.)
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
    "/usr/share/fonts/truetype/arphic/ukai.ttc",  # fonts-arphic-ukai
    "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",  # fonts-arphic-gbsn00lp
    "/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf",  # fonts-arphic-gkai00mp
)
FONT_MISSING = _l(
    "The server has no Chinese font, so no PDF can be made for now. An administrator can "
    "install the package fonts-wqy-zenhei (sudo apt-get install fonts-wqy-zenhei) or name a "
    "TrueType Chinese font file in the setting CJK_FONT_PATH, then try again."
)
FONT_UNUSABLE = _l(
    "The server's Chinese font file cannot be used, so no PDF can be made for now. An "
    "administrator can install the package fonts-wqy-zenhei or name a TrueType Chinese font "
    "file in the setting CJK_FONT_PATH, then try again."
)

_font_lock = threading.Lock()
_font_path: str | None = None  # the file registered as FONT, once per process


def reset_font_cache() -> None:
    """Forget the registered font (tests; a changed CJK_FONT_PATH)."""
    global _font_path
    with _font_lock:
        _font_path = None


def _find_font_file() -> str | None:
    configured = current_app.config.get("CJK_FONT_PATH") if has_app_context() else None
    if configured:
        return str(configured) if os.path.isfile(configured) else None
    return next((p for p in FONT_CANDIDATES if os.path.isfile(p)), None)


def cjk_font() -> str:
    """Register the CJK font once per process and return its reportlab name.

    Raises Conflict (shown to the user as a page or JSON message) when no font is installed.
    """
    global _font_path
    if _font_path is not None:
        return FONT
    with _font_lock:
        if _font_path is not None:
            return FONT
        path = _find_font_file()
        if path is None:
            if has_app_context():
                current_app.logger.error(
                    "No CJK font: CJK_FONT_PATH=%r, candidates %s",
                    current_app.config.get("CJK_FONT_PATH"),
                    FONT_CANDIDATES,
                )
            raise Conflict(FONT_MISSING)
        try:
            font = TTFont(FONT, path, subfontIndex=0)  # embedded as a subset by default
        except (TTFError, OSError) as exc:
            if has_app_context():
                current_app.logger.error("CJK font %s unusable: %s", path, exc)
            raise Conflict(FONT_UNUSABLE) from exc
        pdfmetrics.registerFont(font)
        # One face only: <b> in a paragraph maps to the same font rather than failing.
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
        _font_path = path
    return FONT


__all__ = [
    "FONT",
    "FONT_CANDIDATES",
    "FONT_MISSING",
    "FONT_UNUSABLE",
    "cjk_font",
    "reset_font_cache",
]
