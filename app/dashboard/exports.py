"""The dashboard's tables as CSV (one per table) and as one Excel workbook (a sheet each).

The rows are the figures the page shows, already aggregated by the database; these
functions only lay them out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response
from flask_babel import gettext as _

from app.dashboard.figures import STAGE_NAMES, Dashboard, DistrictRow
from app.web.downloads import Sheet, xlsx_file, xlsx_sheets
from app.web.templating import label
from workflows.nomination import STAGE_LABELS, STATE_LABELS, STATE_NAMES, STATE_STAGE

Table = tuple[str, list[str], list[list[Any]]]


def percent(value: float | None) -> str:
    """A rate or share as the page shows it: "92.5%", or — when there is none."""
    return "—" if value is None else f"{value * 100:.1f}%"


def _district(row: DistrictRow) -> str:
    return row.name if row.district_id is not None else _("Total")


def _rows(board: Dashboard) -> list[DistrictRow]:
    return [*board.rows, board.total]


def _districts(board: Dashboard) -> Table:
    header = [
        _("District"),
        _("Quota"),
        *(label(STAGE_LABELS[s]) for s in STAGE_NAMES),
        _("Under way"),
        label(STATE_LABELS["commended"]),
        _("Ended"),
        _("Total"),
        _("Share"),
        *(label(STATE_LABELS[s]) for s in STATE_NAMES),
    ]
    rows = [
        [
            _district(r),
            r.quota,
            *(r.nominations.by_stage[s] for s in STAGE_NAMES),
            r.nominations.active,
            r.nominations.commended,
            r.nominations.ended,
            r.nominations.total,
            percent(r.nominations.share),
            *(r.nominations.by_state[s] for s in STATE_NAMES),
        ]
        for r in _rows(board)
    ]
    return _("Nominations per district"), header, rows


def _states(board: Dashboard) -> Table:
    total = board.total.nominations
    header = [_("Stage"), _("State"), _("Nominations"), _("Share")]
    rows = [
        [
            label(STAGE_LABELS[STATE_STAGE[s]]),
            label(STATE_LABELS[s]),
            total.by_state[s],
            percent(total.by_state[s] / total.total if total.total else None),
        ]
        for s in STATE_NAMES
    ]
    return _("Nominations per state"), header, rows


def _satisfaction(board: Dashboard) -> Table:
    header = [
        _("Satisfaction rate"),
        _("Evaluations"),
        _("Met the threshold"),
        _("Below the threshold"),
        _("Share"),
    ]
    rows = [[b.label, b.count, b.passed, b.failed, percent(b.share)] for b in board.bands]
    return _("Member evaluation satisfaction"), header, rows


def _evaluations(board: Dashboard) -> Table:
    header = [
        _("District"),
        _("Under way"),
        _("Closed"),
        _("Met the threshold"),
        _("Below the threshold"),
        _("Average turnout"),
        _("Average satisfaction"),
        _("Lowest satisfaction"),
    ]
    rows = [
        [
            _district(r),
            e.open,
            e.closed,
            e.passed,
            e.failed,
            percent(e.avg_turnout),
            percent(e.avg_satisfaction),
            percent(e.min_satisfaction),
        ]
        for r in _rows(board)
        for e in [r.evaluation]
    ]
    return _("Member evaluation per district"), header, rows


def _spot_checks(board: Dashboard) -> Table:
    header = [
        _("District"),
        _("Drawn"),
        _("No conclusion yet"),
        _("Pass"),
        _("Rectify"),
        _("Fail"),
        _("Rectification accepted"),
        _("Rectification rejected"),
        _("Rectification awaiting decision"),
    ]
    rows = [
        [
            _district(r),
            c.checks,
            c.pending,
            c.passed,
            c.rectify,
            c.failed,
            c.rectification_accepted,
            c.rectification_rejected,
            c.rectification_open,
        ]
        for r in _rows(board)
        for c in [r.spot_checks]
    ]
    return _("Spot-check outcomes per district"), header, rows


def _overdue(board: Dashboard) -> Table:
    header = [
        _("District"),
        *(label(STAGE_LABELS[s]) for s in STAGE_NAMES),
        _("Overdue"),
        _("Share"),
        _("Longest overdue (days)"),
    ]
    rows = [
        [
            _district(r),
            *(o.by_stage[s] for s in STAGE_NAMES),
            o.total,
            percent(o.share),
            o.most_days if o.most_days is not None else "",
        ]
        for r in _rows(board)
        for o in [r.overdue]
    ]
    return _("Overdue steps per district"), header, rows


def _overdue_steps(board: Dashboard) -> Table:
    header = [
        _("Rank"),
        _("Nomination"),
        _("Unit"),
        _("District"),
        _("State"),
        _("Due"),
        _("Days overdue"),
    ]
    rows = [
        [
            s.rank,
            s.nomination_id,
            s.unit,
            s.district,
            label(STATE_LABELS[s.state]),
            s.due_on.isoformat(),
            s.days,
        ]
        for s in board.overdue_steps
    ]
    return _("Most overdue steps"), header, rows


# url name → the table (its title, header and rows). The order is the page's and the
# workbook's.
SECTIONS: dict[str, Callable[[Dashboard], Table]] = {
    "districts": _districts,
    "states": _states,
    "satisfaction": _satisfaction,
    "evaluations": _evaluations,
    "spot-checks": _spot_checks,
    "overdue": _overdue,
    "overdue-steps": _overdue_steps,
}


def section_table(board: Dashboard, section: str) -> Table:
    return SECTIONS[section](board)


def workbook_response(board: Dashboard) -> Response:
    heading = f"{board.campaign.name} · {_('Dashboard')} · {board.today.isoformat()}"
    sheets = []
    for name in SECTIONS:
        title, header, rows = section_table(board, name)
        sheets.append(Sheet(title, header, rows, heading=f"{heading} · {title}"))
    return xlsx_file(
        f"dashboard-{board.campaign.id}-{board.today.isoformat()}.xlsx", xlsx_sheets(sheets)
    )
