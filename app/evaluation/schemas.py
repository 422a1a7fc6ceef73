"""The member evaluation API's schemas: what /api/v1 takes and gives for 会员评家."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from app.api.schemas import ID_RANGE, BeijingDateTime
from app.evaluation.ballots import MAX_COMMENT
from app.evaluation.models import Choice, EvaluationStatus, TokenStatus
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


class DimensionSchema(Schema):
    """A dimension of the union's standard, asked on every ballot."""

    code = fields.Str(required=True, metadata={"description": "The key in a ballot's `answers`."})
    label = fields.Str(required=True)


class TurnoutSchema(Schema):
    """Counts only, live during the window: never a ballot, a comment or a time."""

    issued = fields.Int(required=True, metadata={"description": "Tokens not voided."})
    voted_online = fields.Int(required=True)
    paper = fields.Int(required=True, metadata={"description": "Valid paper ballots."})
    voted = fields.Int(required=True, metadata={"description": "Online and paper."})
    rate = fields.Float(required=True, metadata={"description": "Voted over members, 0 to 1."})


class CountsSchema(Schema):
    satisfied = fields.Int(required=True)
    basic = fields.Int(required=True)
    dissatisfied = fields.Int(required=True)
    total = fields.Int(required=True)


class DimensionCountsSchema(Schema):
    code = fields.Str(required=True)
    label = fields.Str(required=True)
    online = fields.Nested(CountsSchema, required=True)
    paper = fields.Nested(CountsSchema, required=True)


class ResultsSchema(Schema):
    """The tallies and the decision, once the evaluation is closed."""

    online = fields.Nested(CountsSchema, required=True)
    paper = fields.Nested(CountsSchema, required=True)
    total = fields.Nested(CountsSchema, required=True)
    paper_invalid = fields.Int(required=True)
    dimensions = fields.List(fields.Nested(DimensionCountsSchema), required=True)
    comments = fields.List(
        fields.Str(),
        required=True,
        metadata={"description": "The members' comments, in the order of their text."},
    )
    satisfaction_rate = fields.Float(
        required=True, allow_none=True, metadata={"description": "0 to 1."}
    )
    threshold = fields.Float(required=True, allow_none=True, metadata={"description": "0 to 1."})
    passed = fields.Bool(required=True, allow_none=True)
    reasons = fields.List(
        fields.Str(), required=True, metadata={"description": "Why it did not pass."}
    )
    process_notes = fields.Str(required=True, allow_none=True)
    rectification_measures = fields.Str(required=True, allow_none=True)


class EvaluationSchema(Schema):
    nomination_id = fields.Int()
    status = fields.Str(metadata={"enum": [s.value for s in EvaluationStatus]})
    opens_at = BeijingDateTime()
    closes_at = BeijingDateTime()
    member_count = fields.Int()
    dimensions = fields.List(fields.Nested(DimensionSchema))
    turnout = fields.Nested(TurnoutSchema)
    results = fields.Nested(
        ResultsSchema,
        allow_none=True,
        metadata={
            "description": "After closing: online and paper apart, per dimension, the decision; "
            "null before."
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
    serial = fields.Int(required=True, metadata={"description": "Printed on the slip."})
    batch = fields.Int(required=True)
    status = fields.Str(required=True, metadata={"enum": [s.value for s in TokenStatus]})
    token = fields.Str(
        required=True,
        metadata={"description": "The one-time credential itself, for `/api/v1/ballots/{token}`."},
    )
    url = fields.Str(
        required=True, metadata={"description": "The member's voting page (`/e/<token>`)."}
    )


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
    choices = fields.List(fields.Str(metadata={"enum": CHOICES}))
    dimensions = fields.List(fields.Nested(DimensionSchema))


class BallotSchema(Schema):
    overall = fields.Str(required=True, validate=OneOf(CHOICES))
    answers = fields.Dict(
        keys=fields.Str(), values=fields.Str(validate=OneOf(CHOICES)), required=True
    )
    comment = fields.Str(allow_none=True, validate=Length(max=MAX_COMMENT))
