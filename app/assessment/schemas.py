"""The self-assessment API's bodies: rounds, answers, comments, diffs and evidence links.

The round and diff bodies are built by `app.assessment.api` (`present_round`); an evidence
link dumps itself from the `EvidenceLink` row (`app.assessment.evidence_api`).
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, fields
from marshmallow.validate import Length, OneOf, Range

from app.api.schemas import ID_RANGE, BeijingDateTime
from app.assessment.editing import MAX_STATEMENT
from app.assessment.models import FIGURE_FIELDS, EvidenceLink, Rating
from app.assessment.review import MAX_COMMENT
from app.evidence.models import EvidenceKind

# -- rounds -------------------------------------------------------------------------------


# The key figures (会员数 …), each a count or null when not given; a count is never negative.
FiguresSchema = Schema.from_dict(
    {name: fields.Int(allow_none=True, validate=Range(min=0)) for name in FIGURE_FIELDS},
    name="Figures",
)


class EvidenceRefSchema(Schema):
    link_id = fields.Int()
    evidence_id = fields.Int()
    name = fields.Str()
    content_type = fields.Str()
    size = fields.Int()
    download_url = fields.Str(metadata={"description": "Send the bearer token."})


class CommentSchema(Schema):
    id = fields.Int()
    item_id = fields.Int(allow_none=True)
    author = fields.Str(allow_none=True)
    body = fields.Str()
    created_at = BeijingDateTime()


class ItemSchema(Schema):
    item_id = fields.Int()
    code = fields.Str()
    dimension = fields.Str()
    number = fields.Int()
    text = fields.Str()
    na_allowed = fields.Bool()
    evidence_hint = fields.Str(allow_none=True)
    rating = fields.Str(allow_none=True, metadata={"enum": [r.value for r in Rating]})
    statement = fields.Str(allow_none=True)
    evidence = fields.List(fields.Nested(EvidenceRefSchema))
    comments = fields.List(fields.Nested(CommentSchema))
    previous_comments = fields.List(fields.Nested(CommentSchema))


class RateSchema(Schema):
    key = fields.Str()
    label = fields.Str()
    value = fields.Float(allow_none=True)
    threshold = fields.Float()
    applicable = fields.Bool()
    meets = fields.Bool(allow_none=True)
    problem = fields.Str(allow_none=True)


class RoundSchema(Schema):
    nomination_id = fields.Int()
    number = fields.Int()
    status = fields.Str()
    editable = fields.Bool()
    standard = fields.Str()
    category = fields.Str()
    submitted_at = BeijingDateTime(allow_none=True)
    figures = fields.Nested(FiguresSchema)
    figures_required = fields.List(fields.Str())
    figure_evidence = fields.List(fields.Nested(EvidenceRefSchema))
    rates = fields.List(fields.Nested(RateSchema))
    items = fields.List(fields.Nested(ItemSchema))
    general_comments = fields.List(fields.Nested(CommentSchema))
    problems = fields.List(
        fields.Str(),
        metadata={"description": "What stops `submit` now; empty when the round is complete."},
    )


class RoundQuerySchema(Schema):
    round = fields.Int(validate=ID_RANGE, metadata={"description": "Default: the latest."})


class AnswerSchema(Schema):
    item_id = fields.Int(required=True, validate=ID_RANGE)
    rating = fields.Str(allow_none=True, validate=OneOf([r.value for r in Rating]))
    statement = fields.Str(allow_none=True, validate=Length(max=MAX_STATEMENT))


class SaveSchema(Schema):
    figures = fields.Nested(
        FiguresSchema, metadata={"description": "Only the figures sent change; null clears one."}
    )
    items = fields.List(fields.Nested(AnswerSchema))


class CommentCreateSchema(Schema):
    item_id = fields.Int(allow_none=True, validate=ID_RANGE)
    body = fields.Str(required=True, validate=Length(min=1, max=MAX_COMMENT))


class RoundSummarySchema(Schema):
    number = fields.Int()
    status = fields.Str()
    created_at = BeijingDateTime()
    submitted_at = BeijingDateTime(allow_none=True)


class FigureChangeSchema(Schema):
    figure = fields.Str(required=True, metadata={"description": "The figure's label."})
    old = fields.Int(required=True, allow_none=True)
    new = fields.Int(required=True, allow_none=True)


class AnswerStateSchema(Schema):
    """An item's answer in one round."""

    rating = fields.Str(
        required=True, allow_none=True, metadata={"enum": [r.value for r in Rating]}
    )
    statement = fields.Str(required=True, allow_none=True)


class ItemChangeSchema(Schema):
    item_id = fields.Int(required=True)
    code = fields.Str(required=True)
    number = fields.Int(required=True)
    dimension = fields.Str(required=True)
    old = fields.Nested(
        AnswerStateSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Null when the older round had no answer."},
    )
    new = fields.Nested(
        AnswerStateSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Null when the newer round has no answer."},
    )
    evidence_added = fields.List(
        fields.Str(), required=True, metadata={"description": "Files' names."}
    )
    evidence_removed = fields.List(fields.Str(), required=True)


class DiffSchema(Schema):
    old = fields.Int(metadata={"description": "The older round's number."})
    new = fields.Int(metadata={"description": "The newer round's number."})
    figures = fields.List(fields.Nested(FigureChangeSchema))
    items = fields.List(
        fields.Nested(ItemChangeSchema), metadata={"description": "Only the items that changed."}
    )
    figure_evidence_added = fields.List(fields.Str())
    figure_evidence_removed = fields.List(fields.Str())


# -- evidence -----------------------------------------------------------------------------


class EvidenceQuerySchema(Schema):
    round_id = fields.Int(
        validate=ID_RANGE,
        metadata={"description": "A round of the nomination; default: the latest."},
    )


class EvidenceUploadSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    file = fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary"},
        # In a list: marshmallow lists only a str message itself, and a lazy one is no str.
        error_messages={"required": [_l("Please choose a file to upload.")]},
    )
    item_id = fields.Int(
        load_default=None,
        allow_none=True,
        validate=ID_RANGE,
        metadata={"description": "The standard item the file supports; omit for the key figures."},
    )


class EvidenceLinkSchema(Schema):
    id = fields.Int(metadata={"description": "The link's id (for DELETE)."})
    round_id = fields.Int()
    item_id = fields.Int(allow_none=True)
    evidence_id = fields.Int()
    name = fields.Str(
        attribute="evidence.original_name", metadata={"description": "The file's name as uploaded."}
    )
    content_type = fields.Str(
        attribute="evidence.content_type", metadata={"description": "Detected from the content."}
    )
    kind = fields.Str(attribute="evidence.kind", metadata={"enum": [k.value for k in EvidenceKind]})
    size = fields.Int(attribute="evidence.size", metadata={"description": "Bytes."})
    sha256 = fields.Str(attribute="evidence.sha256")
    uploaded_at = BeijingDateTime(attribute="evidence.uploaded_at")
    uploaded_by = fields.Str(
        attribute="evidence.uploaded_by.display_name", allow_none=True, dump_default=None
    )
    download_url = fields.Method(
        "get_download_url", metadata={"type": "string", "description": "Send the bearer token."}
    )
    thumbnail_url = fields.Method(
        "get_thumbnail_url",
        allow_none=True,
        metadata={"type": "string", "description": "Images only; null for others."},
    )

    def get_download_url(self, link: EvidenceLink) -> str:
        return url_for("api_evidence.EvidenceDownload", evidence_id=link.evidence_id)

    def get_thumbnail_url(self, link: EvidenceLink) -> str | None:
        if link.evidence.kind != EvidenceKind.IMAGE:
            return None
        return url_for("api_evidence.EvidenceThumbnail", evidence_id=link.evidence_id)
