"""The schemas of the commendation's API (`app.commendation.api`): what its endpoints take
and answer, as /api/v1/openapi.json describes them.

Validation messages are lazy message ids, translated when a request is validated. A field's
`error_messages` give each as a list of one: marshmallow puts a message in a list only when
it is a `str`, which a lazy string is not, and the API's errors are lists per field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from app.api.schemas import DATE_ERRORS, ID_RANGE, BeijingDateTime
from app.campaigns.models import CampaignLevel
from app.commendation.models import MAX_TEXT
from app.commendation.objections import ANSWERS, MIN_OBJECTION
from app.evidence.files import FileSchema, UploadSchema
from workflows.nomination import STATE_NAMES

OBJECTION_STATUSES = ["open", "dismissed", "upheld"]
CHECK_STATUSES = ["valid", "revoked", "unknown"]


# -- the decision -------------------------------------------------------------------------


class DistrictQuotaSchema(Schema):
    district_id = fields.Int()
    name = fields.Str()
    quota = fields.Int()
    selected = fields.Int(
        metadata={"description": "Selected candidates plus homes already listed or commended."}
    )
    candidates = fields.Int()
    over = fields.Bool(metadata={"description": "More selected than the quota allows."})


class CandidateRowSchema(Schema):
    nomination_id = fields.Int()
    unit = fields.Str()
    award = fields.Str()
    district_id = fields.Int(allow_none=True)
    district_name = fields.Str()
    rank = fields.Int(allow_none=True)
    selected = fields.Bool()
    items_met = fields.Int(metadata={"description": "Items rated met in the self-assessment."})
    items_total = fields.Int()
    membership_percent = fields.Str(metadata={"description": '入会率, e.g. "95.0%" or —.'})
    satisfaction_percent = fields.Str(metadata={"description": "会员满意率, or —."})
    spot_check = fields.Str(metadata={"description": "抽查合格 / 整改后合格 / 未抽中 …"})


class CommendationBoardSchema(Schema):
    campaign_id = fields.Int()
    campaign_name = fields.Str()
    districts = fields.List(fields.Nested(DistrictQuotaSchema))
    rows = fields.List(
        fields.Nested(CandidateRowSchema),
        metadata={"description": "The candidates, ranked first, then by district."},
    )


class ChoiceSchema(Schema):
    nomination_id = fields.Int(
        required=True,
        validate=ID_RANGE,
        error_messages={"required": [_l("nomination_id is missing.")]},
    )
    selected = fields.Bool(
        required=True, error_messages={"required": [_l("Please say whether it is selected.")]}
    )
    rank = fields.Int(
        load_default=None,
        allow_none=True,
        validate=Range(min=1, error=_l("The rank must be a positive whole number.")),
    )


class SelectionSchema(Schema):
    choices = fields.List(
        fields.Nested(ChoiceSchema),
        required=True,
        error_messages={"required": [_l("choices is missing.")]},
        metadata={"description": "Candidates left out are unchanged."},
    )


# -- the publicity period and objections --------------------------------------------------


class PublishSchema(Schema):
    starts_on = fields.Date(
        load_default=None,
        allow_none=True,
        error_messages={**DATE_ERRORS},
        metadata={"description": "Default: today (Beijing)."},
    )
    title = fields.Str(
        load_default=None,
        allow_none=True,
        validate=Length(max=200),
        metadata={"description": "Default: “<campaign>拟表彰名单公示”."},
    )


class PublicEntrySchema(Schema):
    position = fields.Int()
    nomination_id = fields.Int()
    unit = fields.Str()
    district = fields.Str()
    award = fields.Str()
    status = fields.Str(metadata={"enum": STATE_NAMES})
    status_label = fields.Str()


class PublicitySchema(Schema):
    id = fields.Int()
    campaign_id = fields.Int()
    title = fields.Str()
    working_days = fields.Int()
    starts_on = fields.Date()
    ends_on = fields.Date(metadata={"description": "The last day of the period, included."})
    open = fields.Bool(metadata={"description": "Objections are accepted today."})
    published_at = BeijingDateTime()
    commendation_id = fields.Int(
        allow_none=True,
        metadata={"description": "Set once the commendation is issued for this list."},
    )


class PublicityDetailSchema(PublicitySchema):
    entries = fields.List(fields.Nested(PublicEntrySchema))


class LodgeObjectionSchema(Schema):
    nomination_id = fields.Int(
        required=True,
        validate=ID_RANGE,
        error_messages={"required": [_l("Please choose the unit you object to.")]},
    )
    body = fields.Str(
        required=True,
        validate=Length(max=MAX_TEXT),
        error_messages={"required": [_l("Please state the facts and reasons of your objection.")]},
        metadata={"description": f"At least {MIN_OBJECTION} characters."},
    )
    name = fields.Str(
        load_default=None,
        allow_none=True,
        validate=Length(max=50),
        metadata={"description": "Optional."},
    )
    contact = fields.Str(
        required=True,
        validate=Length(max=100),
        error_messages={
            "required": [
                _l(
                    "Please leave a phone number or e-mail address for our reply (it is not "
                    "published)."
                )
            ]
        },
        metadata={
            "description": "Phone or e-mail for the reply; seen by "
            "the city only, never shown publicly."
        },
    )


class LodgedObjectionSchema(Schema):
    """What whoever lodged an objection gets back: never the contact details."""

    id = fields.Int()
    publicity_id = fields.Int()
    nomination_id = fields.Int()
    unit = fields.Str()
    status = fields.Str(metadata={"enum": OBJECTION_STATUSES})
    created_at = BeijingDateTime()


class ObjectionSchema(Schema):
    """An objection as the city sees it, with the private contact details."""

    id = fields.Int()
    publicity_id = fields.Int()
    nomination_id = fields.Int()
    unit = fields.Str()
    body = fields.Str()
    name = fields.Str(allow_none=True)
    contact = fields.Str(metadata={"description": "Private: for the reply only."})
    created_at = BeijingDateTime()
    status = fields.Str(metadata={"enum": OBJECTION_STATUSES})
    outcome = fields.Str(
        allow_none=True,
        metadata={"enum": ["not_commended", "rectification"], "description": "When upheld."},
    )
    answer = fields.Str(allow_none=True)
    answered_by = fields.Str(allow_none=True)
    answered_at = BeijingDateTime(allow_none=True)


class ObjectionQuerySchema(Schema):
    open_only = fields.Bool(
        load_default=False, metadata={"description": "Only the objections still to answer."}
    )


class ObjectionAnswerSchema(Schema):
    decision = fields.Str(
        required=True,
        validate=OneOf(
            ANSWERS,
            error=_l(
                "Please choose: the objection is not upheld, upheld and not commended, or "
                "upheld and to rectify by a deadline."
            ),
        ),
        error_messages={"required": [_l("Please choose the conclusion of the answer.")]},
        metadata={
            "description": "`dismiss` (异议不成立), `not_commended` (异议成立，不予表彰) or "
            "`rectification` (异议成立，限期整改)."
        },
    )
    answer = fields.Str(
        required=True,
        validate=Length(max=MAX_TEXT),
        error_messages={
            "required": [_l("Please write the answer: what was checked and the reasons.")]
        },
    )
    deadline = fields.Date(
        load_default=None,
        allow_none=True,
        error_messages={**DATE_ERRORS},
        metadata={"description": "For `rectification`: after today."},
    )


# -- commendation and certificates --------------------------------------------------------


class CommendSchema(Schema):
    document_number = fields.Str(
        required=True,
        validate=Length(max=64),
        error_messages={"required": [_l("Please enter the document number of the decision.")]},
        metadata={"example": "×工发〔2026〕12号"},
    )
    decided_on = fields.Date(
        required=True,
        error_messages={**DATE_ERRORS, "required": [_l("Please enter the date of the decision.")]},
        metadata={"description": "After the period's last day, not after today."},
    )


class CertificateSchema(Schema):
    nomination_id = fields.Int()
    unit = fields.Str()
    award = fields.Str()
    campaign = fields.Str()
    serial = fields.Str(metadata={"example": "2026-0001"})
    code = fields.Str(
        metadata={
            "description": "The verification code printed on it.",
            "example": "ABCD-EFGH-JKLM",
        }
    )
    status = fields.Str(metadata={"enum": ["valid", "revoked"]})
    document_number = fields.Str()
    decided_on = fields.Date()
    issued_at = BeijingDateTime()
    revoked_on = fields.Date(allow_none=True)
    revoked_reason = fields.Str(allow_none=True)
    check_url = fields.Str(metadata={"description": "The public check page (in the QR code)."})
    pdf_url = fields.Str(
        metadata={"description": "The certificate PDF: a page of the web app (session login)."}
    )


class CommendationSchema(Schema):
    id = fields.Int()
    campaign_id = fields.Int()
    publicity_id = fields.Int()
    document_number = fields.Str()
    decided_on = fields.Date()
    issued_at = BeijingDateTime()
    certificates = fields.List(fields.Nested(CertificateSchema))


class CertificateCheckSchema(Schema):
    """The public check of a certificate's code; every field but `status` and `code` is
    null when the code is unknown."""

    status = fields.Str(
        metadata={
            "enum": CHECK_STATUSES,
            "description": "`valid`, `revoked` (the title was withdrawn) or `unknown` "
            "(no certificate was ever issued with this code).",
        }
    )
    code = fields.Str(metadata={"description": "The code as read (normalised)."})
    serial = fields.Str(allow_none=True)
    unit = fields.Str(allow_none=True)
    award = fields.Str(allow_none=True)
    campaign = fields.Str(allow_none=True)
    year = fields.Int(allow_none=True)
    document_number = fields.Str(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    revoked_on = fields.Date(allow_none=True)
    revoked_reason = fields.Str(allow_none=True)


class RollQuerySchema(Schema):
    year = fields.Int(validate=Range(min=2000, max=2100))
    level = fields.Str(validate=OneOf([v.value for v in CampaignLevel]))
    district_id = fields.Int(
        validate=ID_RANGE, metadata={"description": "Homes under this district or industry union."}
    )


class RollEntrySchema(Schema):
    serial = fields.Str()
    unit = fields.Str()
    district = fields.Str()
    award = fields.Str()
    year = fields.Int()
    level = fields.Str()
    campaign = fields.Str()
    document_number = fields.Str()
    decided_on = fields.Date()
    revoked = fields.Bool()
    revoked_on = fields.Date(allow_none=True)


# -- dynamic management -------------------------------------------------------------------


class OrderRectificationSchema(Schema):
    reason = fields.Str(
        required=True,
        validate=Length(max=MAX_TEXT),
        error_messages={"required": [_l("Please give the reason.")]},
    )
    deadline = fields.Date(
        required=True,
        error_messages={**DATE_ERRORS, "required": [_l("Please enter the deadline.")]},
        metadata={"description": "After today."},
    )


class RevokeSchema(Schema):
    reason = fields.Str(
        required=True,
        validate=Length(max=MAX_TEXT),
        error_messages={"required": [_l("Please give the reason.")]},
    )
    revoked_on = fields.Date(
        load_default=None,
        allow_none=True,
        error_messages={**DATE_ERRORS},
        metadata={"description": "Default: today; not after today."},
    )


class StatementSchema(Schema):
    statement = fields.Str(
        required=True,
        allow_none=True,
        validate=Length(max=MAX_TEXT),
        error_messages={"required": [_l("Please describe what was done to rectify.")]},
    )


class HonourUploadSchema(UploadSchema):
    """Evidence of the rectification."""


class DecideRectificationSchema(Schema):
    accept = fields.Bool(
        required=True,
        error_messages={"required": [_l("Please choose whether the rectification passed.")]},
    )
    comment = fields.Str(
        load_default=None,
        allow_none=True,
        validate=Length(max=MAX_TEXT),
        metadata={"description": "Required when not accepted."},
    )


class HonourFileSchema(FileSchema):
    """A file of the union's rectification."""


class HonourRectificationSchema(Schema):
    id = fields.Int()
    nomination_id = fields.Int()
    state = fields.Str(metadata={"enum": STATE_NAMES, "description": "The nomination's."})
    origin = fields.Str(
        metadata={
            "enum": ["objection", "commended"],
            "description": "Ordered on an upheld objection, or of a commended home.",
        }
    )
    reason = fields.Str()
    deadline = fields.Date()
    overdue = fields.Bool()
    ordered_at = BeijingDateTime()
    statement = fields.Str(allow_none=True)
    files = fields.List(fields.Nested(HonourFileSchema))
    submitted_at = BeijingDateTime(allow_none=True)
    decision = fields.Str(allow_none=True, metadata={"enum": ["accept", "reject"]})
    decision_comment = fields.Str(allow_none=True)
    decided_at = BeijingDateTime(allow_none=True)
