"""The member evaluation API's schemas: what /api/v1 takes and gives for 会员评家."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from app.api.schemas import ID_RANGE, BeijingDateTime
from app.evaluation.ballots import MAX_COMMENT
from app.evaluation.models import Choice
from app.evaluation.tallies import MAX_REPORT
from app.evaluation.tokens import MAX_TOKENS

CHOICES = [c.value for c in Choice]


class OpenSchema(Schema):
    opens_at = fields.AwareDateTime(required=True, default_timezone=None)
    closes_at = fields.AwareDateTime(required=True, default_timezone=None)
    member_count = fields.Int(
        validate=Range(min=1, max=MAX_TOKENS),
        metadata={"description": "Default: 会员数 from the self-assessment."},
    )


class EvaluationSchema(Schema):
    nomination_id = fields.Int()
    status = fields.Str()
    opens_at = BeijingDateTime()
    closes_at = BeijingDateTime()
    member_count = fields.Int()
    dimensions = fields.List(fields.Dict())
    turnout = fields.Dict(metadata={"description": "Counts only, live during the window."})
    results = fields.Dict(
        allow_none=True,
        metadata={
            "description": "After closing: online and paper apart, per dimension, the decision."
        },
    )


class TokenCountSchema(Schema):
    count = fields.Int(required=True, validate=Range(min=1, max=MAX_TOKENS))


class VoidSchema(Schema):
    serials = fields.List(fields.Int(validate=ID_RANGE), required=True, validate=Length(min=1))


class TokenQuerySchema(Schema):
    batch = fields.Int(validate=ID_RANGE)
    unused_only = fields.Bool(load_default=True)


class VoidedSchema(Schema):
    voided = fields.Int()


class MessageSchema(Schema):
    message = fields.Str()


class VoteTokenSchema(Schema):
    serial = fields.Int()
    batch = fields.Int()
    status = fields.Str()
    url = fields.Str()


class ReportSchema(Schema):
    process_notes = fields.Str(allow_none=True, validate=Length(max=MAX_REPORT))
    rectification_measures = fields.Str(allow_none=True, validate=Length(max=MAX_REPORT))


class TallySchema(Schema):
    """The paper tally, as multipart form fields with the scanned sheet beside them."""

    satisfied = fields.Int(required=True, validate=Range(min=0))
    basic = fields.Int(required=True, validate=Range(min=0))
    dissatisfied = fields.Int(required=True, validate=Range(min=0))
    invalid = fields.Int(load_default=0, validate=Range(min=0))
    tally_sheet = fields.Raw(
        metadata={"type": "string", "format": "binary", "description": "The scanned sheet."}
    )


class BallotQuestionsSchema(Schema):
    union = fields.Str()
    award = fields.Str()
    closes_at = BeijingDateTime()
    choices = fields.List(fields.Str())
    dimensions = fields.List(fields.Dict())


class BallotSchema(Schema):
    overall = fields.Str(required=True, validate=OneOf(CHOICES))
    answers = fields.Dict(
        keys=fields.Str(), values=fields.Str(validate=OneOf(CHOICES)), required=True
    )
    comment = fields.Str(allow_none=True, validate=Length(max=MAX_COMMENT))
