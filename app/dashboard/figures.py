"""What the city dashboard counts and shows: the stages and states it groups, the
会员评家 satisfaction bands, and the figures of a district row, a band and an overdue step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from app.campaigns.models import Campaign
from workflows.nomination import FINAL_STATES, STAGES, STATE_NAMES, STATE_OWNER, STATE_STAGE

STAGE_NAMES: list[str] = [s["name"] for s in STAGES]
# A step under way: someone's move (the worklist's states). `commended` is neither under way
# nor final (a title can still be revoked): it is shown on its own.
ACTIVE_STATES: tuple[str, ...] = tuple(s for s in STATE_NAMES if s in STATE_OWNER)
ACTIVE_BY_STAGE: dict[str, tuple[str, ...]] = {
    stage: tuple(s for s in ACTIVE_STATES if STATE_STAGE[s] == stage) for stage in STAGE_NAMES
}
ENDED_STATES: tuple[str, ...] = tuple(s for s in STATE_NAMES if s in FINAL_STATES)

# 会员评家 satisfaction bands: the thresholds of the standards (85%, 90%, 95%) are edges.
# (key, label, lower bound inclusive, upper bound exclusive; None: open)
BANDS: list[tuple[str, Any, Decimal | None, Decimal | None]] = [
    ("below_80", _l("below 80%"), None, Decimal("0.80")),
    ("80_85", "80%–85%", Decimal("0.80"), Decimal("0.85")),
    ("85_90", "85%–90%", Decimal("0.85"), Decimal("0.90")),
    ("90_95", "90%–95%", Decimal("0.90"), Decimal("0.95")),
    ("95_100", _l("95% and above"), Decimal("0.95"), None),
    ("no_ballots", _l("no valid ballots"), None, None),
]


@dataclass
class NominationCounts:
    total: int
    share: float | None  # of all the nominations shown; None when there are none
    by_state: dict[str, int]
    by_stage: dict[str, int]  # steps under way, per stage
    active: int  # under way, all stages
    commended: int
    ended: int  # final states: rejected, withdrawn, failed, not commended, revoked


@dataclass
class EvaluationFigures:
    open: int
    closed: int
    passed: int
    failed: int
    avg_turnout: float | None  # mean of the closed evaluations' rates, each union alike
    avg_satisfaction: float | None
    min_satisfaction: float | None


@dataclass
class CheckOutcomes:
    checks: int
    pending: int  # no conclusion yet
    passed: int
    rectify: int
    failed: int
    rectification_accepted: int
    rectification_rejected: int
    rectification_open: int  # ordered to rectify, not decided yet


@dataclass
class OverdueCounts:
    total: int
    share: float | None
    by_stage: dict[str, int]
    oldest_due_on: date | None
    most_days: int | None


@dataclass
class DistrictRow:
    district_id: int | None  # None: the totals row
    code: str
    name: str
    quota: int | None
    nominations: NominationCounts
    evaluation: EvaluationFigures
    spot_checks: CheckOutcomes
    overdue: OverdueCounts


@dataclass
class Band:
    key: str
    label: str
    count: int
    passed: int
    failed: int
    share: float | None


@dataclass
class OverdueStep:
    nomination_id: int
    unit: str
    district_id: int
    district: str
    state: str
    due_on: date
    days: int
    rank: int  # 1 = longest overdue (ties share a rank)
    rank_in_district: int


@dataclass
class Dashboard:
    campaign: Campaign
    today: date  # Beijing
    whole_city: bool  # every district under the organiser, or only the user's own
    rows: list[DistrictRow]
    total: DistrictRow
    bands: list[Band]
    overdue_steps: list[OverdueStep]
    overdue_total: int
    other_campaigns: list[Campaign] = field(default_factory=list)
