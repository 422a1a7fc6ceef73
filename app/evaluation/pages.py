"""What the evaluation's pages share (no views here): the answer options as shown, the page's
address, the percentages and the result's rows."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.evaluation.models import Choice
from app.evaluation.results import Counts, Results

CHOICES = [
    (Choice.SATISFIED.value, _l("Satisfied")),
    (Choice.BASIC.value, _l("Basically satisfied")),
    (Choice.DISSATISFIED.value, _l("Dissatisfied")),
]
RULE_LABELS = {
    "satisfied_or_basic": _l("“Satisfied” and “basically satisfied” both count as satisfied."),
    "satisfied_only": _l("Only “satisfied” counts as satisfied."),
}


def page_url(nomination_id: int, fragment: str | None = None) -> str:
    """The evaluation page of the nomination, at `fragment` if given."""
    url = url_for("evaluation.page", nomination_id=nomination_id)
    return f"{url}#{fragment}" if fragment else url


def percent(value: Fraction | float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


def fraction(value: Any) -> Fraction | None:
    """A stored Numeric figure as an exact fraction (None stays None)."""
    return None if value is None else Fraction(str(value))


@dataclass
class ResultRow:
    """One line of the result: counts online, on paper and together, and its rate."""

    label: str
    online: Counts
    paper: Counts
    total: Counts
    rate: Fraction | None

    @property
    def rate_percent(self) -> str:
        return percent(self.rate)

    def share(self, choice: str) -> float:
        """The option's share of the valid answers, in percent (for the bars)."""
        total = self.total.total
        return round(100 * getattr(self.total, choice) / total, 2) if total else 0.0


def result_rows(res: Results, rule: str) -> list[ResultRow]:
    """The overall row, then one per dimension of the ballot."""
    rows = [ResultRow(_("Overall"), res.online, res.paper, res.total, res.total.rate(rule))]
    for dimension, online, paper in res.dimensions:
        total = online.add(paper)
        rows.append(ResultRow(dimension["label"], online, paper, total, total.rate(rule)))
    return rows
