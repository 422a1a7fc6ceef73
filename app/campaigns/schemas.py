"""The API's campaign schemas."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow.validate import OneOf

from app.campaigns.models import AwardType, CampaignLevel, CampaignStatus, Stage

AWARD_TYPES = [a.value for a in AwardType]


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
