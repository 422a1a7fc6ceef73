"""The API's nomination schemas: the list and its filters, one nomination with its actions
and audit trail, creating one, taking an action."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from app.api.schemas import ID_RANGE, BeijingDateTime
from app.campaigns.schemas import AWARD_TYPES
from workflows.nomination import ACTIONS, STATE_NAMES

MAX_PER_PAGE = 100


class NominationQuerySchema(Schema):
    page = fields.Int(load_default=1, validate=ID_RANGE)
    per_page = fields.Int(
        validate=Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": "Default: the server's page size (50)."},
    )
    state = fields.Str(validate=OneOf(STATE_NAMES))
    campaign_id = fields.Int(validate=ID_RANGE)
    district_id = fields.Int(
        validate=ID_RANGE,
        metadata={"description": "Only nominations under this district or industry union."},
    )
    q = fields.Str(
        validate=Length(max=100),
        metadata={"description": "Part of the organisation's or the nominee's name."},
    )


class NominationCreateSchema(Schema):
    campaign_id = fields.Int(required=True, validate=ID_RANGE)
    award_type = fields.Str(required=True, validate=OneOf(AWARD_TYPES))
    org_code = fields.Str(
        load_default=None,
        allow_none=True,
        validate=Length(max=32),
        metadata={
            "description": "Needed when the user has several unions, or to file for a branch."
        },
    )
    nominee_name = fields.Str(
        load_default=None,
        allow_none=True,
        validate=Length(max=100),
        metadata={"description": "Required for outstanding_worker."},
    )


class ActionRequestSchema(Schema):
    comment = fields.Str(
        load_default=None,
        allow_none=True,
        validate=Length(max=5000),
        metadata={
            "description": "Required by `reject` and the other refusals, and by `return` unless "
            "the reviewer has commented on the round (`POST /api/v1/nominations/{id}/"
            "review-comments`): item comments stand for the return's comment, whose note in "
            "the history then sums them up."
        },
    )
    version = fields.Int(
        required=True,
        metadata={"description": "The `version` you read; a stale one is refused with 409."},
    )


class EventSchema(Schema):
    action = fields.Str()
    from_state = fields.Str(allow_none=True)
    to_state = fields.Str()
    actor = fields.Str(
        attribute="actor.display_name",
        allow_none=True,
        dump_default=None,
        metadata={"description": "Null for the system."},
    )
    comment = fields.Str(allow_none=True)
    created_at = BeijingDateTime()


class NominationSchema(Schema):
    """A nomination as listed."""

    id = fields.Int()
    campaign_id = fields.Int()
    campaign_name = fields.Str(attribute="campaign.name")
    org_code = fields.Str(attribute="org.code")
    org_name = fields.Str(attribute="org.name")
    award_type = fields.Str(validate=OneOf(AWARD_TYPES))
    nominee_name = fields.Str(allow_none=True)
    state = fields.Str(attribute="status", validate=OneOf(STATE_NAMES))
    state_label = fields.Str()
    version = fields.Int(metadata={"description": "Send it back with an action."})
    submitted_at = BeijingDateTime(allow_none=True)
    updated_at = BeijingDateTime()


class NominationDetailSchema(NominationSchema):
    """One nomination with what the caller may do next and its audit trail."""

    available_actions = fields.List(
        fields.Str(validate=OneOf([a.name for a in ACTIONS.values() if a.manual])),
        metadata={"description": "Actions the caller may take now."},
    )
    history = fields.List(fields.Nested(EventSchema))


class NominationPageSchema(Schema):
    items = fields.List(fields.Nested(NominationSchema))
    page = fields.Int()
    per_page = fields.Int()
    total = fields.Int()
