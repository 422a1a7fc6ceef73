"""表彰 through /api/v1: the city's decision within quotas, the published list (公示) and its
objections, the commendation with its certificates, the public certificate check and honour
roll, and the dynamic management of honours (rectification ordered of a commended home, its
title revoked).

Every view only calls the commendation's services (`selection`, `publicity`, `objections`,
`certificates`, `honours`, `roll`), which check who may do what and move the nomination
through the workflow engine; this module never changes a nomination itself. Its schemas are
in `app.commendation.schemas`, what it answers is built by `app.commendation.presenters`.
Public endpoints (no token): a published list, lodging an objection, the certificate check
and the honour roll. An objection's contact details are shown to the city only, never
echoed to whoever lodged it.
"""

from __future__ import annotations

from typing import Any

from flask import g, request, url_for
from flask.views import MethodView

from app.api.errors import errors_by_position
from app.api.security import ApiBlueprint
from app.auth.session import api_user
from app.commendation import (
    certificates,
    honours,
    objections,
    policy,
    publicity,
    roll,
    selection,
)
from app.commendation.models import Certificate
from app.commendation.presenters import (
    present_board,
    present_certificate,
    present_check,
    present_commendation,
    present_lodged,
    present_objection,
    present_publicity,
    present_rectification,
    present_roll_entry,
)
from app.commendation.queries import get_campaign
from app.commendation.schemas import (
    CertificateCheckSchema,
    CertificateSchema,
    CommendationBoardSchema,
    CommendationSchema,
    CommendSchema,
    DecideRectificationSchema,
    HonourFileSchema,
    HonourRectificationSchema,
    HonourUploadSchema,
    LodgedObjectionSchema,
    LodgeObjectionSchema,
    ObjectionAnswerSchema,
    ObjectionQuerySchema,
    ObjectionSchema,
    OrderRectificationSchema,
    PublicityDetailSchema,
    PublicitySchema,
    PublishSchema,
    RevokeSchema,
    RollEntrySchema,
    RollQuerySchema,
    SelectionSchema,
    StatementSchema,
)
from app.evidence.files import created, present_file
from app.nominations.services import get_nomination

blp = ApiBlueprint(
    "api_commendation",
    __name__,
    url_prefix="/api/v1",
    description="表彰: the decision within quotas, the publicity period with "
    "objections, commendation and certificates, the honour roll, "
    "rectification and revocation of honours.",
)


def _open_rectification(nomination_id: int) -> dict[str, Any]:
    view = honours.rectification_view(api_user(), nomination_id)
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
        return present_board(selection.board(api_user(), campaign_id))


# The selection's keys (the page's field names) and the body's fields.
CHOICE_ERRORS = {r"nomination_(\d+)": "nomination_id", r"rank_(\d+)": "rank"}


@blp.route("/campaigns/<int:campaign_id>/commendation/selection")
class SelectionView(MethodView):
    @blp.token_required
    @blp.arguments(SelectionSchema)
    @blp.response(200, CommendationBoardSchema)
    @blp.errors(403, 404, 422)
    def put(self, data: dict[str, Any], campaign_id: int) -> dict[str, Any]:
        """Rank and select candidates. Refused as a whole (422) when a district would exceed
        its quota: `errors.district_<id>` says by how much; `errors.choices.<index>.
        nomination_id` names a nomination that is not a candidate of the campaign,
        `errors.choices.<index>.rank` a rank out of range."""
        choices = {
            c["nomination_id"]: {"selected": c["selected"], "rank": c["rank"]}
            for c in data["choices"]
        }
        sent = [c["nomination_id"] for c in data["choices"]]
        with errors_by_position("choices", sent, CHOICE_ERRORS):
            board = selection.save_selection(api_user(), campaign_id, choices)
        return present_board(board)


# -- the publicity period -----------------------------------------------------------------


@blp.route("/campaigns/<int:campaign_id>/publicities")
class CampaignPublicities(MethodView):
    @blp.token_required
    @blp.response(200, PublicitySchema(many=True))
    @blp.errors(404)
    def get(self, campaign_id: int) -> list[dict[str, Any]]:
        """The campaign's published lists, newest first (public anyway, any user; a list
        not up yet only for the organising city)."""
        campaign = get_campaign(campaign_id)
        return [
            present_publicity(p)
            for p in publicity.publicities(campaign.id)
            if policy.may_see_publicity(api_user(), p)
        ]

    @blp.token_required
    @blp.arguments(PublishSchema)
    @blp.response(201, PublicityDetailSchema)
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], campaign_id: int) -> Any:
        """Publish the list: the selected candidates go into `publicity` for the campaign's
        number of working days (on the city's calendar), the other candidates become
        `not_commended`. 409 with nothing selected or a district over its quota."""
        published = publicity.publish_list(
            api_user(), campaign_id, starts_on=data["starts_on"], title=data["title"]
        )
        return present_publicity(published, entries=True), {
            "Location": url_for("api_commendation.PublicityView", publicity_id=published.id)
        }


@blp.route("/publicities/<int:publicity_id>")
class PublicityView(MethodView):
    @blp.response(200, PublicityDetailSchema)
    @blp.errors(404)
    def get(self, publicity_id: int) -> dict[str, Any]:
        """Public, no token: the published list, its period and whether it is open (404
        before its first day, but for the organising city's token)."""
        found = publicity.visible_publicity(g.get("api_user"), publicity_id)
        return present_publicity(found, entries=True)


@blp.route("/publicities/<int:publicity_id>/objections")
class LodgeObjection(MethodView):
    @blp.arguments(LodgeObjectionSchema)
    @blp.response(201, LodgedObjectionSchema)
    @blp.errors(404, 409, 422, 429)
    def post(self, data: dict[str, Any], publicity_id: int) -> dict[str, Any]:
        """Public, no token: object to a listed candidate while the list is up (409 outside
        the period). At most a few per network address a day (429). The contact details
        are for the city's reply only: never shown publicly, nor echoed back here."""
        objection = objections.lodge_objection(
            publicity_id,
            data["nomination_id"],
            body=data["body"],
            name=data["name"],
            contact=data["contact"],
            address=request.remote_addr or "",
        )
        return present_lodged(objection)


@blp.route("/campaigns/<int:campaign_id>/objections")
class CampaignObjections(MethodView):
    @blp.token_required
    @blp.arguments(ObjectionQuerySchema, location="query")
    @blp.response(200, ObjectionSchema(many=True))
    @blp.errors(403, 404, 422)
    def get(self, args: dict[str, Any], campaign_id: int) -> list[dict[str, Any]]:
        """The objections to the campaign's lists, with the contact details (the organising
        city only), oldest first."""
        campaign = get_campaign(campaign_id)
        policy.require_manage(api_user(), campaign)
        return [
            present_objection(o)
            for o in objections.objections(campaign.id, open_only=args["open_only"])
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
        objection = objections.answer_objection(
            api_user(),
            objection_id,
            decision=data["decision"],
            answer=data["answer"],
            deadline=data["deadline"],
        )
        return present_objection(objections.get_objection(api_user(), objection.id))


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
        commendation = certificates.commend(
            api_user(),
            publicity_id,
            document_number=data["document_number"],
            decided_on=data["decided_on"],
        )
        return present_commendation(commendation, publicity_id)


@blp.route("/nominations/<int:nomination_id>/certificate")
class NominationCertificate(MethodView):
    @blp.token_required
    @blp.response(200, CertificateSchema)
    @blp.errors(404)
    def get(self, nomination_id: int) -> dict[str, Any]:
        """The certificate of a nomination the caller may see: serial, verification code,
        status, the public check URL and the path of the PDF (a web page, session login)."""
        certificate = certificates.get_certificate(api_user(), nomination_id)
        return present_certificate(certificates.certificates(Certificate.id == certificate.id)[0])


@blp.route("/certificates/<string:code>")
class CheckCertificate(MethodView):
    @blp.response(200, CertificateCheckSchema)
    @blp.errors(429)
    def get(self, code: str) -> dict[str, Any]:
        """Public, no token: check a certificate's verification code (case, spaces and
        dashes do not matter). 200 for any code: one never issued answers `status:
        unknown` (not 404), so that a forged certificate is reported plainly; a revoked one
        says when and why. At most `CERTIFICATE_CHECKS_PER_MINUTE` look-ups a minute per
        client, counted with the web page's (then 429 with Retry-After)."""
        certificates.count_certificate_check(request.remote_addr or "")
        return present_check(certificates.check_certificate(code))


@blp.route("/honours")
class HonourRoll(MethodView):
    @blp.arguments(RollQuerySchema, location="query")
    @blp.response(200, RollEntrySchema(many=True))
    @blp.errors(422)
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Public, no token: the honour roll, newest year first. Revoked titles stay on it,
        marked with the date of revocation."""
        entries = roll.honour_roll(
            year=args.get("year"), level=args.get("level"), district_id=args.get("district_id")
        )
        return [present_roll_entry(e) for e in entries]


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
        order = honours.order_honour_rectification(
            api_user(), nomination_id, reason=data["reason"], deadline=data["deadline"]
        )
        return present_rectification(order, get_nomination(api_user(), nomination_id))

    @blp.token_required
    @blp.arguments(StatementSchema)
    @blp.response(200, HonourRectificationSchema)
    @blp.errors(403, 404, 409, 422)
    def put(self, data: dict[str, Any], nomination_id: int) -> dict[str, Any]:
        """The union's statement of what it did (until submitted)."""
        honours.save_rectification_statement(api_user(), nomination_id, data["statement"] or "")
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
        evidence = honours.add_rectification_file(api_user(), nomination_id, files["file"])
        return created(present_file(evidence))


@blp.route("/nominations/<int:nomination_id>/honour/rectification/submit")
class SubmitHonourRectification(MethodView):
    @blp.token_required
    @blp.response(200, HonourRectificationSchema)
    @blp.errors(403, 404, 409)
    def post(self, nomination_id: int) -> dict[str, Any]:
        """Hand the rectification in to the city; 409 with `problems` while the statement
        or the evidence is missing."""
        honours.submit_rectification(api_user(), nomination_id)
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
        order = honours.decide_rectification(
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
        certificate = honours.revoke(
            api_user(), nomination_id, reason=data["reason"], revoked_on=data["revoked_on"]
        )
        return present_certificate(certificates.certificates(Certificate.id == certificate.id)[0])
