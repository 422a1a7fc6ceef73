"""The city dashboard through /api/v1: the same figures as the page, in the same scope.

The city federation and administrators get every district under the campaign's organiser;
a district reviewer its own districts; unions and inspectors are refused (403); a campaign
the caller may not see is a 404.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from app.api.security import ApiBlueprint
from app.auth.session import api_user
from app.dashboard.services import BANDS, STAGE_NAMES, dashboard
from workflows.nomination import STATE_NAMES

blp = ApiBlueprint(
    "api_dashboard",
    __name__,
    url_prefix="/api/v1",
    description="The city dashboard: nominations per district and stage, "
    "member-evaluation satisfaction, spot-check outcomes, overdue "
    "steps.",
)

RATE = {"description": "A fraction from 0 to 1; null when there is nothing to average."}


def _per(keys: list[str], what: str) -> fields.Dict:
    return fields.Dict(
        keys=fields.Str(metadata={"enum": keys}),
        values=fields.Int(),
        metadata={"description": what},
    )


class NominationCountsSchema(Schema):
    total = fields.Int()
    share = fields.Float(
        allow_none=True, metadata={"description": "Of all the nominations shown (0 to 1)."}
    )
    by_state = _per(STATE_NAMES, "Nominations per state, every state listed.")
    by_stage = _per(STAGE_NAMES, "Steps under way (someone's move) per stage.")
    active = fields.Int(metadata={"description": "Steps under way, all stages."})
    commended = fields.Int()
    ended = fields.Int(
        metadata={
            "description": "In a final state: not recommended, "
            "withdrawn, failed, not commended, revoked."
        }
    )


class EvaluationFiguresSchema(Schema):
    open = fields.Int(metadata={"description": "Member evaluations under way."})
    closed = fields.Int()
    passed = fields.Int()
    failed = fields.Int()
    avg_turnout = fields.Float(allow_none=True, metadata=RATE)
    avg_satisfaction = fields.Float(allow_none=True, metadata=RATE)
    min_satisfaction = fields.Float(allow_none=True, metadata=RATE)


class CheckOutcomesSchema(Schema):
    checks = fields.Int(metadata={"description": "Nominations drawn for a spot check."})
    pending = fields.Int(metadata={"description": "No conclusion yet."})
    passed = fields.Int()
    rectify = fields.Int()
    failed = fields.Int()
    rectification_accepted = fields.Int()
    rectification_rejected = fields.Int()
    rectification_open = fields.Int(
        metadata={"description": "Ordered to rectify, not decided yet."}
    )


class OverdueCountsSchema(Schema):
    total = fields.Int()
    share = fields.Float(allow_none=True)
    by_stage = _per(STAGE_NAMES, "Overdue steps per stage.")
    oldest_due_on = fields.Date(
        allow_none=True, metadata={"description": "A Beijing calendar date."}
    )
    most_days = fields.Int(
        allow_none=True, metadata={"description": "Days the longest overdue step is late."}
    )


class DistrictRowSchema(Schema):
    district_id = fields.Int(allow_none=True)
    code = fields.Str()
    name = fields.Str()
    quota = fields.Int(allow_none=True)
    nominations = fields.Nested(NominationCountsSchema)
    evaluation = fields.Nested(EvaluationFiguresSchema)
    spot_checks = fields.Nested(CheckOutcomesSchema)
    overdue = fields.Nested(OverdueCountsSchema)


class BandSchema(Schema):
    key = fields.Str(metadata={"enum": [b[0] for b in BANDS]})
    label = fields.Str()
    count = fields.Int()
    passed = fields.Int()
    failed = fields.Int()
    share = fields.Float(allow_none=True)


class OverdueStepSchema(Schema):
    nomination_id = fields.Int()
    unit = fields.Str()
    district_id = fields.Int()
    district = fields.Str()
    state = fields.Str(metadata={"enum": STATE_NAMES})
    due_on = fields.Date()
    days = fields.Int(metadata={"description": "Days overdue."})
    rank = fields.Int(metadata={"description": "1: the longest overdue; ties share a rank."})
    rank_in_district = fields.Int()


class DashboardSchema(Schema):
    campaign_id = fields.Int()
    campaign_name = fields.Str()
    as_of = fields.Date(
        metadata={"description": "Today in Beijing: overdue means due before this day."}
    )
    whole_city = fields.Bool(metadata={"description": "Every district, or only the caller's own."})
    districts = fields.List(fields.Nested(DistrictRowSchema))
    total = fields.Nested(
        DistrictRowSchema, metadata={"description": "The districts added up (district_id null)."}
    )
    satisfaction_bands = fields.List(
        fields.Nested(BandSchema),
        metadata={"description": "Closed member evaluations per satisfaction band."},
    )
    overdue_steps = fields.List(
        fields.Nested(OverdueStepSchema),
        metadata={"description": "The longest overdue steps (at most 20)."},
    )
    overdue_total = fields.Int()


@blp.route("/campaigns/<int:campaign_id>/dashboard")
class DashboardView(MethodView):
    @blp.token_required
    @blp.response(200, DashboardSchema)
    @blp.errors(403, 404)
    def get(self, campaign_id: int) -> dict[str, Any]:
        """A campaign's figures per district: nominations per stage and state, member
        evaluation, spot checks, overdue steps; the satisfaction bands and the most overdue
        steps."""
        board = dashboard(api_user(), campaign_id)
        return {
            "campaign_id": board.campaign.id,
            "campaign_name": board.campaign.name,
            "as_of": board.today,
            "whole_city": board.whole_city,
            "districts": [asdict(r) for r in board.rows],
            "total": asdict(board.total),
            "satisfaction_bands": [asdict(b) for b in board.bands],
            "overdue_steps": [asdict(s) for s in board.overdue_steps],
            "overdue_total": board.overdue_total,
        }
