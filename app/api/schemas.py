"""Marshmallow schemas of the JSON API: what requests may carry and what responses contain.

They are the single description of the API's shapes: webargs validates requests with them,
flask-smorest dumps responses with them, and both end up in /api/v1/openapi.json.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from app.campaigns.models import AwardType, CampaignLevel, CampaignStatus, Stage
from app.timeutil import to_beijing
from workflows.nomination import ACTIONS, STATE_NAMES

MAX_PER_PAGE = 100
AWARD_TYPES = [a.value for a in AwardType]
DATE_ERRORS = {"invalid": "请填写有效的日期（如 2026-05-01）。"}
# Ids (and page numbers) are PostgreSQL integers: a larger number could match nothing, and
# would fail in the database (an overflow, a 500) rather than answer 404 or an empty list.
MAX_ID = 2**31 - 1
ID_RANGE = Range(min=1, max=MAX_ID, error="须为 1 至 2147483647 之间的整数。")


class BeijingDateTime(fields.DateTime):
    """ISO 8601 in Beijing time (`+08:00`); every time is stored in UTC."""

    def _serialize(
        self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any
    ) -> str | float | None:
        if value is None:
            return None
        return super()._serialize(to_beijing(value), attr, obj, **kwargs)


# -- errors -------------------------------------------------------------------------------


class ApiErrorSchema(Schema):
    """Every error body (`app.web_errors.json_error`), whatever the status."""

    code = fields.Int(required=True, metadata={"description": "The HTTP status."})
    message = fields.Str(required=True, metadata={"description": "What went wrong, to show."})
    errors = fields.Dict(
        keys=fields.Str(),
        values=fields.List(fields.Str()),
        metadata={"description": "Per-field problems: field name → messages."},
    )
    problems = fields.List(
        fields.Str(), metadata={"description": "Further reasons, e.g. the guards that failed."}
    )


# -- authentication -----------------------------------------------------------------------


class TokenRequestSchema(Schema):
    username = fields.Str(required=True, validate=Length(min=1, max=64))
    password = fields.Str(required=True, load_only=True, validate=Length(min=1, max=256))


class TokenSchema(Schema):
    token = fields.Str(
        required=True,
        metadata={"description": "Send as `Authorization: Bearer <token>`; shown only once."},
    )
    expires_at = BeijingDateTime(required=True)


# -- campaigns ----------------------------------------------------------------------------


class DeadlineSchema(Schema):
    stage = fields.Str(validate=OneOf([s.value for s in Stage]))
    due_date = fields.Date(metadata={"description": "A Beijing calendar date."})


class QuotaSchema(Schema):
    district_code = fields.Str(attribute="district.code")
    district_name = fields.Str(attribute="district.name")
    quota = fields.Int()


class CampaignSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    year = fields.Int()
    level = fields.Str(validate=OneOf([v.value for v in CampaignLevel]))
    status = fields.Str(validate=OneOf([v.value for v in CampaignStatus]))
    award_types = fields.List(fields.Str(validate=OneOf(AWARD_TYPES)))
    deadlines = fields.List(fields.Nested(DeadlineSchema))
    quotas = fields.List(fields.Nested(QuotaSchema))


# -- nominations --------------------------------------------------------------------------


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
    campaign_id = fields.Int(required=True)
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
        metadata={"description": "Required by return, reject and other refusals."},
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
