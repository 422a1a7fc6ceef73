"""The pages' words and colours for draws, and for the findings and conclusions of a check."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.spot_checks.models import Conclusion, DrawStatus, Finding

# The UI's words for the findings and conclusions (checks.FINDING_LABELS and
# CONCLUSION_LABELS are the Chinese of the record, used in the CSV and the audit comments).
FINDING_WORDS = {
    Finding.MEETS: _l("Meets"),
    Finding.PARTLY: _l("Partly meets"),
    Finding.FAILS: _l("Does not meet"),
}
CONCLUSION_WORDS = {
    Conclusion.PASS: _l("Pass"),
    Conclusion.RECTIFY: _l("Rectify by a deadline"),
    Conclusion.FAIL: _l("Fail"),
}
FINDING_CHOICES = [(f.value, FINDING_WORDS[f]) for f in Finding]
FINDING_COLOURS = {"meets": "success", "partly": "warning", "fails": "danger", "none": "secondary"}
CONCLUSION_COLOURS = {"pass": "success", "rectify": "warning", "fail": "danger"}
DRAW_STATUS_LABELS = {
    DrawStatus.ANNOUNCED: _l("Announced, not drawn yet"),
    DrawStatus.DRAWN: _l("Drawn, not applied yet"),
    DrawStatus.APPLIED: _l("Applied"),
    DrawStatus.SUPERSEDED: _l("Superseded by a redraw"),
}
DRAW_STATUS_COLOURS = {
    DrawStatus.ANNOUNCED: "info",
    DrawStatus.DRAWN: "warning",
    DrawStatus.APPLIED: "success",
    DrawStatus.SUPERSEDED: "secondary",
}
