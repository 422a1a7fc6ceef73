"""The spot-check API's requests and responses (`app.spot_checks.api`): the draw, the checks
with their teams, the log, the conclusion and the rectification.

Validation messages are message ids translated when a request is refused. A field's own
`error_messages` hold them in a list: marshmallow puts a plain string in a list itself but
would keep a lazy one bare, and the error body lists every field's messages.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields
from marshmallow.validate import Length, OneOf, Range

from app.api.schemas import DATE_ERRORS, ID_RANGE, BeijingDateTime
from app.evidence.files import FileSchema, UploadSchema
from app.spot_checks.checks import MAX_NOTES, MAX_PLACE
from app.spot_checks.draw import METHODS
from app.spot_checks.models import Conclusion, Finding

FINDINGS = [f.value for f in Finding]
CONCLUSIONS = [c.value for c in Conclusion]
SEED_LENGTH = Length(max=128, error=_l("The seed has at most 128 characters."))
# A copy typed as marshmallow's `error_messages` (the shared dict's type is narrower).
DATE_MESSAGES: dict[str, Any] = {**DATE_ERRORS}


# -- the draw -----------------------------------------------------------------------------


class RuleValue(fields.Field):
    """The rule's number: a JSON string or number, kept as the text the draw records."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        message = _("Please enter a ratio (such as 0.2) or a number per district (such as 3).")
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValidationError(message)
        text = str(value).strip()
        if not text or len(text) > 16:
            raise ValidationError(message)
        return text


class AnnounceSchema(Schema):
    method = fields.Str(
        required=True,
        validate=OneOf(METHODS, error=_l("Please choose by ratio or by count.")),
        error_messages={"required": [_l("Please choose by ratio or by count.")]},
        metadata={
            "description": "`ratio`: a share of each district's "
            "nominations; `count`: a number per district."
        },
    )
    value = RuleValue(
        required=True,
        error_messages={"required": [_l("Please enter the ratio or the number to draw.")]},
        metadata={
            "type": "string",
            "example": "0.2",
            "description": '0 < ratio ≤ 1 (e.g. "0.2"), or a whole number per district; '
            "a JSON number is accepted too.",
        },
    )
    seed = fields.Str(
        load_default=None,
        allow_none=True,
        validate=SEED_LENGTH,
        metadata={
            "description": "Optional; default: a random one. Only its SHA-256 is published until "
            "the draw."
        },
    )


class RedrawSchema(Schema):
    reason = fields.Str(
        required=True,
        validate=Length(max=2000),
        error_messages={
            "required": [_l("Please give the reason for the redraw.")],
            "null": [_l("Please give the reason for the redraw.")],
        },
        metadata={"description": "Why the draw is redone; kept on the record."},
    )
    method = fields.Str(
        load_default=None,
        allow_none=True,
        validate=OneOf(METHODS, error=_l("Please choose by ratio or by count.")),
        metadata={"description": "Default: the superseded draw's."},
    )
    value = RuleValue(
        load_default=None,
        allow_none=True,
        metadata={"type": "string", "description": "Default: the superseded draw's."},
    )
    seed = fields.Str(load_default=None, allow_none=True, validate=SEED_LENGTH)


class PopulationEntrySchema(Schema):
    nomination_id = fields.Int()
    stratum = fields.Str(metadata={"description": "The district's code."})


class StratumSchema(Schema):
    population = fields.Int()
    drawn = fields.Int()


class DrawSchema(Schema):
    """The draw's public record (`services.public_record`)."""

    id = fields.Int()
    campaign_id = fields.Int()
    scope = fields.Str(metadata={"description": "The organisation that draws."})
    method = fields.Str(metadata={"enum": list(METHODS)})
    value = fields.Str()
    status = fields.Str(metadata={"enum": ["announced", "drawn", "applied", "superseded"]})
    seed_commitment = fields.Str(metadata={"description": "SHA-256 of the seed, hex."})
    seed = fields.Str(allow_none=True, metadata={"description": "Null until the draw is made."})
    population = fields.List(
        fields.Nested(PopulationEntrySchema),
        allow_none=True,
        metadata={"description": "Frozen at the draw."},
    )
    population_hash = fields.Str(allow_none=True)
    strata = fields.Dict(keys=fields.Str(), values=fields.Nested(StratumSchema), allow_none=True)
    sample = fields.List(
        fields.Int(), allow_none=True, metadata={"description": "The nomination ids drawn."}
    )
    announced_at = BeijingDateTime()
    drawn_at = BeijingDateTime(allow_none=True)
    applied_at = BeijingDateTime(allow_none=True)
    redraw_of = fields.Int(allow_none=True, metadata={"description": "The draw it supersedes."})
    redraw_reason = fields.Str(allow_none=True)
    page_url = fields.Str(metadata={"description": "The public verification page."})


class VerificationSchema(Schema):
    commitment_ok = fields.Bool(metadata={"description": "The seed matches its commitment."})
    population_ok = fields.Bool(metadata={"description": "The population matches its hash."})
    sample_ok = fields.Bool(metadata={"description": "Re-running gives the recorded sample."})
    ok = fields.Bool()
    recomputed = fields.List(fields.Int(), metadata={"description": "The sample, re-run now."})
    strata = fields.Dict(keys=fields.Str(), values=fields.Nested(StratumSchema))


class PublicDrawSchema(DrawSchema):
    units = fields.Dict(
        keys=fields.Str(),
        values=fields.Str(),
        metadata={"description": "The unit's name of each nomination in the population, by id."},
    )
    verification = fields.Nested(
        VerificationSchema,
        allow_none=True,
        metadata={
            "description": "The draw re-run from this record alone; null while only announced."
        },
    )


class AutoAssignSchema(Schema):
    assigned = fields.Int(metadata={"description": "Inspectors added."})
    short = fields.List(
        fields.Str(),
        metadata={"description": "Checks that could not be filled within the conflict rule."},
    )


# -- checks -------------------------------------------------------------------------------


class CheckQuerySchema(Schema):
    campaign_id = fields.Int(validate=ID_RANGE)
    draw_id = fields.Int(validate=ID_RANGE)


class TeamMemberSchema(Schema):
    inspector_id = fields.Int()
    name = fields.Str()
    assigned_at = BeijingDateTime()
    automatic = fields.Bool(metadata={"description": "Assigned by the automatic assignment."})
    agreed_at = BeijingDateTime(
        allow_none=True,
        metadata={
            "description": "When this inspector agreed to the proposed conclusion (null: not yet)."
        },
    )


class CheckSummarySchema(Schema):
    id = fields.Int()
    draw_id = fields.Int()
    nomination_id = fields.Int()
    unit = fields.Str(metadata={"description": "The inspected union."})
    campaign_id = fields.Int()
    campaign_name = fields.Str()
    status = fields.Str(metadata={"description": "The nomination's state."})
    status_label = fields.Str()
    visited_on = fields.Date(allow_none=True)
    conclusion = fields.Str(allow_none=True, metadata={"enum": CONCLUSIONS})
    conclusion_label = fields.Str(allow_none=True)
    rectification_deadline = fields.Date(allow_none=True)
    inspectors = fields.List(fields.Nested(TeamMemberSchema))


class CheckFileSchema(FileSchema):
    thumbnail_url = fields.Str(allow_none=True, metadata={"description": "Images only."})


class PhotoSchema(CheckFileSchema):
    id = fields.Int(metadata={"description": "The photo's id (for DELETE)."})
    item_id = fields.Int()


class ItemFindingSchema(Schema):
    item_id = fields.Int()
    code = fields.Str()
    dimension = fields.Str()
    number = fields.Int()
    text = fields.Str()
    finding = fields.Str(allow_none=True, metadata={"enum": FINDINGS})
    finding_label = fields.Str(allow_none=True)
    notes = fields.Str(allow_none=True)
    photos = fields.List(fields.Nested(PhotoSchema))


class VisitOutSchema(Schema):
    visited_on = fields.Date(allow_none=True)
    place = fields.Str(allow_none=True)
    interviewed = fields.Int(allow_none=True)
    interviewed_satisfied = fields.Int(allow_none=True)
    rate = fields.Float(allow_none=True, metadata={"description": "Satisfied / interviewed."})
    rate_percent = fields.Str()
    rate_threshold = fields.Float(
        allow_none=True,
        metadata={"description": "The least rate the standard requires (regional unions: 0.85)."},
    )


class ConclusionOutSchema(Schema):
    conclusion = fields.Str(metadata={"enum": CONCLUSIONS})
    label = fields.Str()
    notes = fields.Str(allow_none=True)
    items = fields.List(fields.Int(), metadata={"description": "Items to rectify."})
    deadline = fields.Date(allow_none=True, metadata={"description": "Rectify by this date."})
    fingerprint = fields.Str(
        metadata={"description": "Names this exact proposal; send it with `agree`."}
    )
    concluded_at = BeijingDateTime(
        allow_none=True,
        metadata={"description": "When every inspector had agreed and it took effect."},
    )


class ResponseOutSchema(Schema):
    item_id = fields.Int()
    code = fields.Str()
    dimension = fields.Str()
    number = fields.Int()
    text = fields.Str()
    finding = fields.Str(allow_none=True)
    statement = fields.Str(allow_none=True)
    files = fields.List(fields.Nested(CheckFileSchema))


class RectificationOutSchema(Schema):
    items = fields.List(
        fields.Nested(ResponseOutSchema),
        metadata={"description": "One per item to rectify, with the union's answer."},
    )
    deadline = fields.Date(allow_none=True)
    overdue = fields.Bool()
    submitted_at = BeijingDateTime(allow_none=True)
    decision = fields.Str(allow_none=True, metadata={"enum": ["accept", "reject"]})
    decided_at = BeijingDateTime(allow_none=True)
    problems = fields.List(
        fields.Str(), metadata={"description": "What stops the union from submitting now."}
    )


class CheckAllowedSchema(Schema):
    keep_log = fields.Bool(
        metadata={"description": "Edit the visit, findings, photos, and propose a conclusion."}
    )
    agree = fields.Bool(metadata={"description": "Agree to the proposed conclusion."})
    manage_team = fields.Bool()
    respond = fields.Bool(metadata={"description": "Answer the rectification (the union)."})
    decide = fields.Bool(metadata={"description": "Accept or reject the rectification."})


class CheckSchema(CheckSummarySchema):
    """One check in full."""

    org_code = fields.Str()
    award_type = fields.Str()
    category = fields.Str()
    visit = fields.Nested(VisitOutSchema)
    findings = fields.List(fields.Nested(ItemFindingSchema))
    counts = fields.Dict(
        keys=fields.Str(),
        values=fields.Int(),
        metadata={"description": "Items per finding (`none`: not yet checked)."},
    )
    required_inspectors = fields.Int()
    proposal = fields.Nested(
        ConclusionOutSchema,
        allow_none=True,
        metadata={
            "description": "The proposed (or agreed) conclusion; null until one is proposed."
        },
    )
    problems = fields.List(
        fields.Str(),
        metadata={"description": "What stops the proposed conclusion from being agreed now."},
    )
    rectification = fields.Nested(
        RectificationOutSchema, allow_none=True, metadata={"description": "Only for 限期整改."}
    )
    allowed = fields.Nested(CheckAllowedSchema, metadata={"description": "What the caller may do."})
    updated_at = BeijingDateTime()


class InspectorCandidateSchema(Schema):
    inspector_id = fields.Int()
    name = fields.Str()
    label = fields.Str(metadata={"description": "Name with organisations, to show."})
    organisations = fields.List(fields.Str())
    # Named apart from `Schema.load`, which a field named `load` would shadow for mypy.
    load_ = fields.Int(
        attribute="load",
        data_key="load",
        metadata={"description": "Checks in this campaign so far."},
    )
    eligible = fields.Bool()
    reason = fields.Str(allow_none=True, metadata={"description": "Why not (the conflict)."})


class AssignInspectorSchema(Schema):
    inspector_id = fields.Int(
        required=True,
        validate=ID_RANGE,
        error_messages={"required": [_l("Please choose an inspector.")]},
    )


class VisitSchema(Schema):
    visited_on = fields.Date(
        load_default=None,
        allow_none=True,
        error_messages=DATE_MESSAGES,
        metadata={"description": "A Beijing calendar date, not after today."},
    )
    place = fields.Str(load_default=None, allow_none=True, validate=Length(max=MAX_PLACE))
    interviewed = fields.Int(
        load_default=None,
        allow_none=True,
        validate=Range(min=0),
        metadata={"description": "Members interviewed."},
    )
    interviewed_satisfied = fields.Int(
        load_default=None,
        allow_none=True,
        validate=Range(min=0),
        metadata={"description": "Of them, satisfied."},
    )


class FindingInSchema(Schema):
    item_id = fields.Int(required=True, validate=ID_RANGE)
    finding = fields.Str(
        load_default=None,
        allow_none=True,
        validate=OneOf(FINDINGS, error=_l("Please choose meets, partly meets or does not meet.")),
    )
    notes = fields.Str(load_default=None, allow_none=True, validate=Length(max=MAX_NOTES))


class FindingsSchema(Schema):
    findings = fields.List(
        fields.Nested(FindingInSchema),
        required=True,
        metadata={"description": "Items left out are unchanged."},
    )


class CheckUploadSchema(UploadSchema):
    """A photo, or evidence of an item's rectification."""


class ConclusionProposalSchema(Schema):
    conclusion = fields.Str(
        required=True,
        validate=OneOf(
            CONCLUSIONS, error=_l("Please choose pass, rectify by a deadline, or fail.")
        ),
        error_messages={"required": [_l("Please choose a conclusion.")]},
    )
    notes = fields.Str(
        load_default=None,
        allow_none=True,
        validate=Length(max=MAX_NOTES),
        metadata={"description": "Required unless `pass`."},
    )
    items = fields.List(
        fields.Int(validate=ID_RANGE),
        load_default=list,
        metadata={"description": "Items to rectify (for `rectify`)."},
    )
    deadline = fields.Date(
        load_default=None,
        allow_none=True,
        error_messages=DATE_MESSAGES,
        metadata={"description": "Rectify by (for `rectify`); after today."},
    )


class AgreeSchema(Schema):
    fingerprint = fields.Str(
        required=True,
        validate=Length(min=1, max=64),
        error_messages={
            "required": [_l("The fingerprint of the conclusion you agree to is missing.")]
        },
        metadata={"description": "The `proposal.fingerprint` you read."},
    )


class ResponseInSchema(Schema):
    item_id = fields.Int(required=True, validate=ID_RANGE)
    statement = fields.Str(load_default=None, allow_none=True, validate=Length(max=MAX_NOTES))


class RectificationResponsesSchema(Schema):
    responses = fields.List(fields.Nested(ResponseInSchema), required=True)


class RectificationDecisionSchema(Schema):
    accept = fields.Bool(
        required=True, error_messages={"required": [_l("Please choose to accept or to reject.")]}
    )
    comment = fields.Str(
        load_default=None,
        allow_none=True,
        validate=Length(max=MAX_NOTES),
        metadata={"description": "Required to reject."},
    )
