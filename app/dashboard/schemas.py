"""The dashboard API's schemas: the same figures as the page, field by field."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.dashboard.figures import BANDS, STAGE_NAMES
from workflows.nomination import STATE_NAMES

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
