"""表彰 through /api/v1: the city's decision within quotas, the published list (公示) and its
objections, the commendation with its certificates, the public certificate check and honour
roll, and the dynamic management of honours (rectification ordered of a commended home, its
title revoked).

Every view only calls `app.commendation.services`, which checks who may do what and moves
the nomination through the workflow engine; this module never changes a nomination itself.
Public endpoints (no token): a published list, lodging an objection, the certificate check
and the honour roll. An objection's contact details are shown to the city only, never
echoed to whoever lodged it.
"""

from __future__ import annotations

from typing import Any

from flask import g, request, url_for
from flask.views import MethodView
from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from app.api.schemas import DATE_ERRORS, ID_RANGE, BeijingDateTime
from app.api.security import ApiBlueprint
from app.auth.session import api_user
from app.campaigns.models import CampaignLevel
from app.commendation import policy
from app.commendation import services as svc
from app.commendation.models import (
    Certificate,
    Commendation,
    HonourRectification,
    Objection,
    Publicity,
)
from app.errors import NotFound
from app.evaluation.links import public_base_url
from app.evidence.files import FileSchema, UploadSchema, created, present_file
from app.nominations.models import Nomination
from app.nominations.services import get_nomination
from workflows.nomination import STATE_LABELS, STATE_NAMES

blp = ApiBlueprint(
    "api_commendation",
    __name__,
    url_prefix="/api/v1",
    description="表彰: the decision within quotas, the publicity period with "
    "objections, commendation and certificates, the honour roll, "
    "rectification and revocation of honours.",
)

ANSWERS = list(svc.ANSWERS)
OBJECTION_STATUSES = ["open", "dismissed", "upheld"]
CHECK_STATUSES = ["valid", "revoked", "unknown"]
CONTACT_REQUIRED = "请留下联系电话或电子邮箱，以便答复（不会公开）。"


# -- schemas: the decision ----------------------------------------------------------------


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
        required=True, validate=ID_RANGE, error_messages={"required": "缺少 nomination_id。"}
    )
    selected = fields.Bool(required=True, error_messages={"required": "请说明是否选定。"})
    rank = fields.Int(
        load_default=None, allow_none=True, validate=Range(min=1, error="排序须为正整数。")
    )


class SelectionSchema(Schema):
    choices = fields.List(
        fields.Nested(ChoiceSchema),
        required=True,
        error_messages={"required": "缺少 choices。"},
        metadata={"description": "Candidates left out are unchanged."},
    )


# -- schemas: the publicity period and objections -----------------------------------------


class PublishSchema(Schema):
    starts_on = fields.Date(
        load_default=None,
        allow_none=True,
        error_messages=DATE_ERRORS,
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
        required=True, validate=ID_RANGE, error_messages={"required": "请选择异议针对的单位。"}
    )
    body = fields.Str(
        required=True,
        validate=Length(max=svc.MAX_TEXT),
        error_messages={"required": "请写明异议的具体事实和理由。"},
        metadata={"description": f"At least {svc.MIN_OBJECTION} characters."},
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
        error_messages={"required": CONTACT_REQUIRED},
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
        validate=OneOf(ANSWERS, error="请选择异议不成立、异议成立不予表彰或异议成立限期整改。"),
        error_messages={"required": "请选择答复结论。"},
        metadata={
            "description": "`dismiss` (异议不成立), `not_commended` (异议成立，不予表彰) or "
            "`rectification` (异议成立，限期整改)."
        },
    )
    answer = fields.Str(
        required=True,
        validate=Length(max=svc.MAX_TEXT),
        error_messages={"required": "请填写答复意见（核查情况和理由）。"},
    )
    deadline = fields.Date(
        load_default=None,
        allow_none=True,
        error_messages=DATE_ERRORS,
        metadata={"description": "For `rectification`: after today."},
    )


# -- schemas: commendation and certificates -----------------------------------------------


class CommendSchema(Schema):
    document_number = fields.Str(
        required=True,
        validate=Length(max=64),
        error_messages={"required": "请填写表彰决定文号。"},
        metadata={"example": "×工发〔2026〕12号"},
    )
    decided_on = fields.Date(
        required=True,
        error_messages={**DATE_ERRORS, "required": "请填写表彰决定日期。"},
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


# -- schemas: dynamic management ----------------------------------------------------------


class OrderRectificationSchema(Schema):
    reason = fields.Str(
        required=True,
        validate=Length(max=svc.MAX_TEXT),
        error_messages={"required": "请填写理由。"},
    )
    deadline = fields.Date(
        required=True,
        error_messages={**DATE_ERRORS, "required": "请填写整改期限。"},
        metadata={"description": "After today."},
    )


class RevokeSchema(Schema):
    reason = fields.Str(
        required=True,
        validate=Length(max=svc.MAX_TEXT),
        error_messages={"required": "请填写理由。"},
    )
    revoked_on = fields.Date(
        load_default=None,
        allow_none=True,
        error_messages=DATE_ERRORS,
        metadata={"description": "Default: today; not after today."},
    )


class StatementSchema(Schema):
    statement = fields.Str(
        required=True,
        allow_none=True,
        validate=Length(max=svc.MAX_TEXT),
        error_messages={"required": "请填写整改情况说明。"},
    )


class HonourUploadSchema(UploadSchema):
    """Evidence of the rectification."""


class DecideRectificationSchema(Schema):
    accept = fields.Bool(required=True, error_messages={"required": "请选择整改合格或不合格。"})
    comment = fields.Str(
        load_default=None,
        allow_none=True,
        validate=Length(max=svc.MAX_TEXT),
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


# -- presenting ---------------------------------------------------------------------------


def pdf_path(nomination_id: int) -> str:
    """The certificate PDF, served by the commendation pages (a plain path: that route is
    another module's)."""
    return f"/nominations/{nomination_id}/certificate.pdf"


def _unit(nomination: Nomination) -> str:
    return nomination.nominee_name or nomination.org.name


def present_board(board: svc.Board) -> dict[str, Any]:
    return {
        "campaign_id": board.campaign.id,
        "campaign_name": board.campaign.name,
        "districts": [
            {
                "district_id": d.district_id,
                "name": d.name,
                "quota": d.quota,
                "selected": d.selected,
                "candidates": d.candidates,
                "over": d.over,
            }
            for d in board.districts
        ],
        "rows": [
            {
                "nomination_id": r.nomination.id,
                "unit": _unit(r.nomination),
                "award": r.nomination.award_label,
                "district_id": r.district_id,
                "district_name": r.district_name,
                "rank": r.rank,
                "selected": r.selected,
                "items_met": r.items_met,
                "items_total": r.items_total,
                "membership_percent": r.membership_percent,
                "satisfaction_percent": r.satisfaction_percent,
                "spot_check": r.check,
            }
            for r in board.rows
        ],
    }


def present_publicity(publicity: Publicity, *, entries: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": publicity.id,
        "campaign_id": publicity.campaign_id,
        "title": publicity.title,
        "working_days": publicity.working_days,
        "starts_on": publicity.starts_on,
        "ends_on": publicity.ends_on,
        "open": svc.is_open(publicity),
        "published_at": publicity.published_at,
        "commendation_id": publicity.commendation_id,
    }
    if entries:
        body["entries"] = [
            {**vars(e), "status_label": STATE_LABELS[e.status]}
            for e in svc.public_entries(publicity)
        ]
    return body


def present_objection(objection: Objection) -> dict[str, Any]:
    """The city's view (with the contact details)."""
    return {
        "id": objection.id,
        "publicity_id": objection.publicity_id,
        "nomination_id": objection.nomination_id,
        "unit": _unit(objection.nomination),
        "body": objection.body,
        "name": objection.name,
        "contact": objection.contact,
        "created_at": objection.created_at,
        "status": objection.status.value,
        "outcome": objection.outcome,
        "answer": objection.answer,
        "answered_by": objection.answered_by.display_name if objection.answered_by else None,
        "answered_at": objection.answered_at,
    }


def present_certificate(certificate: Certificate) -> dict[str, Any]:
    nomination = certificate.nomination
    return {
        "nomination_id": nomination.id,
        "unit": _unit(nomination),
        "award": nomination.award_label,
        "campaign": nomination.campaign.name,
        "serial": certificate.serial,
        "code": certificate.code,
        "status": "revoked" if certificate.revoked_on else "valid",
        "document_number": certificate.commendation.document_number,
        "decided_on": certificate.commendation.decided_on,
        "issued_at": certificate.issued_at,
        "revoked_on": certificate.revoked_on,
        "revoked_reason": certificate.revoked_reason,
        "check_url": svc.certificate_url(public_base_url(), certificate.code),
        "pdf_url": pdf_path(nomination.id),
    }


def present_check(result: svc.CertificateCheck) -> dict[str, Any]:
    certificate = result.certificate
    body: dict[str, Any] = {"status": result.status, "code": result.code}
    if certificate is None:
        return body | dict.fromkeys(
            (
                "serial",
                "unit",
                "award",
                "campaign",
                "year",
                "document_number",
                "decided_on",
                "revoked_on",
                "revoked_reason",
            )
        )
    nomination = certificate.nomination
    return body | {
        "serial": certificate.serial,
        "unit": _unit(nomination),
        "award": nomination.award_label,
        "campaign": nomination.campaign.name,
        "year": nomination.campaign.year,
        "document_number": certificate.commendation.document_number,
        "decided_on": certificate.commendation.decided_on,
        "revoked_on": certificate.revoked_on,
        "revoked_reason": certificate.revoked_reason,
    }


def present_rectification(order: HonourRectification, nomination: Nomination) -> dict[str, Any]:
    """An order, open or decided, with the union's files (one query for them)."""
    files = svc.rectification_files(order, nomination.id)
    return {
        "id": order.id,
        "nomination_id": nomination.id,
        "state": nomination.status,
        "origin": order.origin,
        "reason": order.reason,
        "deadline": order.deadline,
        "overdue": order.overdue,
        "ordered_at": order.ordered_at,
        "statement": order.statement,
        "files": [present_file(e) for e in files],
        "submitted_at": order.submitted_at,
        "decision": order.decision,
        "decision_comment": order.decision_comment,
        "decided_at": order.decided_at,
    }


def _open_rectification(nomination_id: int) -> dict[str, Any]:
    view = svc.rectification_view(api_user(), nomination_id)
    return present_rectification(view.order, view.nomination)


# -- the decision -------------------------------------------------------------------------


@blp.route("/campaigns/<int:campaign_id>/commendation")
class Board(MethodView):
    @blp.token_required
    @blp.response(200, CommendationBoardSchema)
    @blp.errors(403, 404)
    def get(self, campaign_id: int) -> dict[str, Any]:
        """The decision board (the organising city only): each district's quota against its
        selection, and every candidate with its self-assessment, membership and satisfaction
        rates and spot-check result."""
        return present_board(svc.board(api_user(), campaign_id))


@blp.route("/campaigns/<int:campaign_id>/commendation/selection")
class SelectionView(MethodView):
    @blp.token_required
    @blp.arguments(SelectionSchema)
    @blp.response(200, CommendationBoardSchema)
    @blp.errors(403, 404, 422)
    def put(self, data: dict[str, Any], campaign_id: int) -> dict[str, Any]:
        """Rank and select candidates. Refused as a whole (422) when a district would exceed
        its quota: `errors.district_<id>` says by how much; `errors.nomination_<id>` names a
        nomination that is not a candidate of the campaign."""
        choices = {
            c["nomination_id"]: {"selected": c["selected"], "rank": c["rank"]}
            for c in data["choices"]
        }
        return present_board(svc.save_selection(api_user(), campaign_id, choices))


# -- the publicity period -----------------------------------------------------------------


@blp.route("/campaigns/<int:campaign_id>/publicities")
class CampaignPublicities(MethodView):
    @blp.token_required
    @blp.response(200, PublicitySchema(many=True))
    @blp.errors(404)
    def get(self, campaign_id: int) -> list[dict[str, Any]]:
        """The campaign's published lists, newest first (public anyway, any user; a list
        not up yet only for the organising city)."""
        campaign = svc.get_campaign(campaign_id)
        return [
            present_publicity(p)
            for p in svc.publicities(campaign.id)
            if svc.has_gone_up(p, api_user())
        ]

    @blp.token_required
    @blp.arguments(PublishSchema)
    @blp.response(201, PublicityDetailSchema)
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], campaign_id: int) -> Any:
        """Publish the list: the selected candidates go into `publicity` for the campaign's
        number of working days (on the city's calendar), the other candidates become
        `not_commended`. 409 with nothing selected or a district over its quota."""
        publicity = svc.publish_list(
            api_user(), campaign_id, starts_on=data["starts_on"], title=data["title"]
        )
        return present_publicity(publicity, entries=True), {
            "Location": url_for("api_commendation.PublicityView", publicity_id=publicity.id)
        }


@blp.route("/publicities/<int:publicity_id>")
class PublicityView(MethodView):
    @blp.response(200, PublicityDetailSchema)
    @blp.errors(404)
    def get(self, publicity_id: int) -> dict[str, Any]:
        """Public, no token: the published list, its period and whether it is open (404
        before its first day, but for the organising city's token)."""
        publicity = svc.get_publicity(publicity_id)
        if not svc.has_gone_up(publicity, g.get("api_user")):
            raise NotFound("公示不存在。")
        return present_publicity(publicity, entries=True)


@blp.route("/publicities/<int:publicity_id>/objections")
class LodgeObjection(MethodView):
    @blp.arguments(LodgeObjectionSchema)
    @blp.response(201, LodgedObjectionSchema)
    @blp.errors(404, 409, 422, 429)
    def post(self, data: dict[str, Any], publicity_id: int) -> dict[str, Any]:
        """Public, no token: object to a listed candidate while the list is up (409 outside
        the period). At most a few per network address a day (429). The contact details
        are for the city's reply only: never shown publicly, nor echoed back here."""
        objection = svc.lodge_objection(
            publicity_id,
            data["nomination_id"],
            body=data["body"],
            name=data["name"],
            contact=data["contact"],
            address=request.remote_addr or "",
        )
        return {
            "id": objection.id,
            "publicity_id": objection.publicity_id,
            "nomination_id": objection.nomination_id,
            "unit": _unit(objection.nomination),
            "status": objection.status.value,
            "created_at": objection.created_at,
        }


@blp.route("/campaigns/<int:campaign_id>/objections")
class CampaignObjections(MethodView):
    @blp.token_required
    @blp.arguments(ObjectionQuerySchema, location="query")
    @blp.response(200, ObjectionSchema(many=True))
    @blp.errors(403, 404, 422)
    def get(self, args: dict[str, Any], campaign_id: int) -> list[dict[str, Any]]:
        """The objections to the campaign's lists, with the contact details (the organising
        city only), oldest first."""
        campaign = svc.get_campaign(campaign_id)
        policy.require_city(api_user(), campaign)
        return [
            present_objection(o) for o in svc.objections(campaign.id, open_only=args["open_only"])
        ]


@blp.route("/objections/<int:objection_id>/answer")
class AnswerObjection(MethodView):
    @blp.token_required
    @blp.arguments(ObjectionAnswerSchema)
    @blp.response(200, ObjectionSchema)
    @blp.errors(404, 409, 422)
    def post(self, data: dict[str, Any], objection_id: int) -> dict[str, Any]:
        """Answer an objection, with reasons: dismissed, or upheld — the candidate is not
        commended, or must rectify by `deadline` first. 404 for anyone but the city."""
        objection = svc.answer_objection(
            api_user(),
            objection_id,
            decision=data["decision"],
            answer=data["answer"],
            deadline=data["deadline"],
        )
        return present_objection(svc.get_objection(api_user(), objection.id))


# -- commendation and certificates --------------------------------------------------------


@blp.route("/publicities/<int:publicity_id>/commendation")
class Commend(MethodView):
    @blp.token_required
    @blp.arguments(CommendSchema)
    @blp.response(201, CommendationSchema)
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], publicity_id: int) -> dict[str, Any]:
        """Issue the commendation (文号 and date) once the period is over: every listed home
        still in publicity is commended, with a certificate. 409 before the period ends, and
        while any objection is unanswered (`problems` lists them)."""
        commendation = svc.commend(
            api_user(),
            publicity_id,
            document_number=data["document_number"],
            decided_on=data["decided_on"],
        )
        return present_commendation(commendation, publicity_id)


def present_commendation(commendation: Commendation, publicity_id: int) -> dict[str, Any]:
    return {
        "id": commendation.id,
        "campaign_id": commendation.campaign_id,
        "publicity_id": publicity_id,
        "document_number": commendation.document_number,
        "decided_on": commendation.decided_on,
        "issued_at": commendation.issued_at,
        "certificates": [
            present_certificate(c)
            for c in svc.certificates(Certificate.commendation_id == commendation.id)
        ],
    }


@blp.route("/nominations/<int:nomination_id>/certificate")
class NominationCertificate(MethodView):
    @blp.token_required
    @blp.response(200, CertificateSchema)
    @blp.errors(404)
    def get(self, nomination_id: int) -> dict[str, Any]:
        """The certificate of a nomination the caller may see: serial, verification code,
        status, the public check URL and the path of the PDF (a web page, session login)."""
        certificate = svc.get_certificate(api_user(), nomination_id)
        return present_certificate(svc.certificates(Certificate.id == certificate.id)[0])


@blp.route("/certificates/<string:code>")
class CheckCertificate(MethodView):
    @blp.response(200, CertificateCheckSchema)
    def get(self, code: str) -> dict[str, Any]:
        """Public, no token: check a certificate's verification code (case, spaces and
        dashes do not matter). Always 200: a code never issued answers `status: unknown`
        (not 404), so that a forged certificate is reported plainly; a revoked one says
        when and why."""
        return present_check(svc.check_certificate(code))


@blp.route("/honours")
class HonourRoll(MethodView):
    @blp.arguments(RollQuerySchema, location="query")
    @blp.response(200, RollEntrySchema(many=True))
    @blp.errors(422)
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Public, no token: the honour roll, newest year first. Revoked titles stay on it,
        marked with the date of revocation."""
        roll = svc.honour_roll(
            year=args.get("year"), level=args.get("level"), district_id=args.get("district_id")
        )
        return [
            {
                "serial": e.certificate.serial,
                "unit": e.unit,
                "district": e.district,
                "award": e.nomination.award_label,
                "year": e.year,
                "level": str(e.level),
                "campaign": e.nomination.campaign.name,
                "document_number": e.document_number,
                "decided_on": e.decided_on,
                "revoked": e.revoked,
                "revoked_on": e.certificate.revoked_on,
            }
            for e in roll
        ]


# -- dynamic management -------------------------------------------------------------------


@blp.route("/nominations/<int:nomination_id>/honour/rectification")
class HonourRectificationView(MethodView):
    @blp.token_required
    @blp.response(200, HonourRectificationSchema)
    @blp.errors(404)
    def get(self, nomination_id: int) -> dict[str, Any]:
        """The open rectification order of a nomination the caller may see (404 without)."""
        return _open_rectification(nomination_id)

    @blp.token_required
    @blp.arguments(OrderRectificationSchema)
    @blp.response(201, HonourRectificationSchema)
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], nomination_id: int) -> dict[str, Any]:
        """The city orders a commended home to rectify by a deadline (责令整改): it goes to
        `honour_rectification` until the city decides on the union's answer."""
        order = svc.order_honour_rectification(
            api_user(), nomination_id, reason=data["reason"], deadline=data["deadline"]
        )
        return present_rectification(order, get_nomination(api_user(), nomination_id))

    @blp.token_required
    @blp.arguments(StatementSchema)
    @blp.response(200, HonourRectificationSchema)
    @blp.errors(403, 404, 409, 422)
    def put(self, data: dict[str, Any], nomination_id: int) -> dict[str, Any]:
        """The union's statement of what it did (until submitted)."""
        svc.save_rectification_statement(api_user(), nomination_id, data["statement"] or "")
        return _open_rectification(nomination_id)


@blp.route("/nominations/<int:nomination_id>/honour/rectification/files")
class HonourRectificationFiles(MethodView):
    @blp.token_required
    @blp.arguments(HonourUploadSchema, location="files")
    @blp.response(201, HonourFileSchema)
    @blp.errors(403, 404, 409, 413, 422)
    def post(self, files: dict[str, Any], nomination_id: int) -> Any:
        """Evidence of the rectification (multipart `file`; any evidence type), with the
        checks of any evidence upload."""
        evidence = svc.add_rectification_file(api_user(), nomination_id, files["file"])
        return created(present_file(evidence))


@blp.route("/nominations/<int:nomination_id>/honour/rectification/submit")
class SubmitHonourRectification(MethodView):
    @blp.token_required
    @blp.response(200, HonourRectificationSchema)
    @blp.errors(403, 404, 409)
    def post(self, nomination_id: int) -> dict[str, Any]:
        """Hand the rectification in to the city; 409 with `problems` while the statement
        or the evidence is missing."""
        svc.submit_rectification(api_user(), nomination_id)
        return _open_rectification(nomination_id)


@blp.route("/nominations/<int:nomination_id>/honour/rectification/decision")
class DecideHonourRectification(MethodView):
    @blp.token_required
    @blp.arguments(DecideRectificationSchema)
    @blp.response(200, HonourRectificationSchema)
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], nomination_id: int) -> dict[str, Any]:
        """The city decides: accepted → a commended home keeps its title (a candidate on an
        objection is a candidate again); not accepted (a comment required) → the title is
        revoked (or the candidate is not commended). Rejecting before the union hands in
        waits for the deadline (409)."""
        order = svc.decide_rectification(
            api_user(), nomination_id, accept=data["accept"], comment=data["comment"]
        )
        return present_rectification(order, get_nomination(api_user(), nomination_id))


@blp.route("/nominations/<int:nomination_id>/honour/revoke")
class RevokeHonour(MethodView):
    @blp.token_required
    @blp.arguments(RevokeSchema)
    @blp.response(200, CertificateSchema)
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], nomination_id: int) -> dict[str, Any]:
        """Revoke a commended home's title (撤销称号), with reason and date: the certificate
        check and the honour roll show it."""
        certificate = svc.revoke(
            api_user(), nomination_id, reason=data["reason"], revoked_on=data["revoked_on"]
        )
        return present_certificate(svc.certificates(Certificate.id == certificate.id)[0])
