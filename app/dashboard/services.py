"""The city dashboard (数据看板): one campaign's nominations per district and stage, the
会员评家 satisfaction distribution, the 随机抽查 outcomes and the overdue steps, assembled
from the four statements of `app.dashboard.statements`.

Scope: the city federation and administrators see every district under the campaign's
organiser; a district reviewer sees the districts of its own subtree, and only the
nominations under its organisations (`app.dashboard.policy`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.auth.models import User
from app.campaigns.services import get_campaign, visible_campaigns
from app.dashboard.figures import (
    BANDS,
    STAGE_NAMES,
    Band,
    CheckOutcomes,
    Dashboard,
    DistrictRow,
    EvaluationFigures,
    NominationCounts,
    OverdueCounts,
    OverdueStep,
)
from app.dashboard.policy import require_dashboard, sees_whole_city
from app.dashboard.statements import (
    district_ids,
    district_rows,
    most_overdue,
    satisfaction_bands,
)
from app.extensions import db
from app.timeutil import beijing_today
from workflows.nomination import STATE_NAMES


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _row(m: Any, today: date) -> DistrictRow:
    oldest = m["od_oldest"]
    return DistrictRow(
        district_id=m["district_id"],
        code=m["code"] or "",
        name=m["name"] or "",
        quota=m["quota"],
        nominations=NominationCounts(
            total=m["n_total"],
            share=_float(m["n_share"]),
            by_state={s: m[f"state_{s}"] for s in STATE_NAMES},
            by_stage={st: m[f"stage_{st}"] for st in STAGE_NAMES},
            active=m["n_active"],
            commended=m["state_commended"],
            ended=m["n_ended"],
        ),
        evaluation=EvaluationFigures(
            open=m["ev_open"],
            closed=m["ev_closed"],
            passed=m["ev_passed"],
            failed=m["ev_failed"],
            avg_turnout=_float(m["ev_turnout"]),
            avg_satisfaction=_float(m["ev_satisfaction"]),
            min_satisfaction=_float(m["ev_min_satisfaction"]),
        ),
        spot_checks=CheckOutcomes(
            checks=m["sc_checks"],
            pending=m["sc_pending"],
            passed=m["sc_pass"],
            rectify=m["sc_rectify"],
            failed=m["sc_fail"],
            rectification_accepted=m["sc_accepted"],
            rectification_rejected=m["sc_rejected"],
            rectification_open=m["sc_rectifying"],
        ),
        overdue=OverdueCounts(
            total=m["od_total"],
            share=_float(m["od_share"]),
            by_stage={st: m[f"od_{st}"] for st in STAGE_NAMES},
            oldest_due_on=oldest,
            most_days=(today - oldest).days if oldest else None,
        ),
    )


def _band(key: str, label: Any, row: Any) -> Band:
    if row is None:  # no evaluation in the band: the query has no row for it
        return Band(key, str(label), 0, 0, 0, None)
    return Band(key, str(label), row.evaluations, row.passed, row.failed, _float(row.share))


def dashboard(user: User, campaign_id: int, *, with_campaigns: bool = False) -> Dashboard:
    """The dashboard of a campaign as the user may see it (Forbidden without a dashboard
    role, NotFound for a campaign the user may not see)."""
    scope = require_dashboard(user)
    # The page's campaign switcher lists the campaigns the user may see: the campaign is
    # taken from that list rather than looked up again (get_campaign: the export's and the
    # API's one lookup, and the 404 of a campaign not in the list).
    others = list(db.session.scalars(visible_campaigns(user))) if with_campaigns else []
    campaign = next((c for c in others if c.id == campaign_id), None) or get_campaign(
        user, campaign_id
    )
    today = beijing_today()
    districts = district_ids(campaign, scope)
    rows = [_row(r._mapping, today) for r in district_rows(campaign, scope, districts, today)]
    found = satisfaction_bands(campaign, scope, districts)
    bands = [_band(key, label, found.get(key)) for key, label, _, _ in BANDS]
    overdue = most_overdue(campaign, scope, districts, today)
    steps = [
        OverdueStep(
            r.id,
            r.unit,
            r.district_id,
            r.district,
            r.status,
            r.due_on,
            (today - r.due_on).days,
            r.rank,
            r.rank_in_district,
        )
        for r in overdue
    ]
    return Dashboard(
        campaign=campaign,
        today=today,
        whole_city=sees_whole_city(user),
        rows=rows[:-1],
        total=rows[-1],
        bands=bands,
        overdue_steps=steps,
        overdue_total=overdue[0].of if overdue else 0,
        other_campaigns=others,
    )
