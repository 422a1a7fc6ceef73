"""随机抽查 through /api/v1: the draw (announce, draw, apply, redraw; the public record and its
re-verification, no login), the inspectors of each check, the on-site check log and its
agreed conclusion, and the rectification loop.

Every view only calls the spot-check services, which check who may do what and move the
nomination through the workflow engine; this module never changes a nomination itself.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields
from marshmallow.validate import Length, OneOf, Range
from sqlalchemy import select

from app.api.schemas import DATE_ERRORS, ID_RANGE, BeijingDateTime
from app.api.security import ApiBlueprint
from app.auth.models import User
from app.auth.session import api_user
from app.errors import Conflict, DomainError
from app.evidence.files import FileSchema, UploadSchema, created, present_file
from app.evidence.models import Evidence
from app.extensions import db
from app.nominations.models import Nomination
from app.spot_checks import assign, checks, queries
from app.spot_checks.draw import METHODS
from app.spot_checks.models import Conclusion, Finding, SpotCheck, SpotCheckDraw
from app.spot_checks.policy import drawing_org
from app.spot_checks.services import (
    _get_campaign,
    _require_drawer,
    announce_draw,
    apply_draw,
    get_draw,
    make_draw,
    public_record,
    redraw,
    unit_names,
    verify_draw,
)

blp = ApiBlueprint(
    "api_spot_checks",
    __name__,
    url_prefix="/api/v1",
    description="随机抽查: the random draw, inspectors, the on-site check log, "
    "the agreed conclusion and rectification.",
)

FINDINGS = [f.value for f in Finding]
CONCLUSIONS = [c.value for c in Conclusion]
SEED_LENGTH = Length(max=128, error="种子不超过 128 个字符。")


# -- schemas: the draw --------------------------------------------------------------------


class RuleValue(fields.Field):
    """The rule's number: a JSON string or number, kept as the text the draw records."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValidationError("请填写比例（如 0.2）或每区数量（如 3）。")
        text = str(value).strip()
        if not text or len(text) > 16:
            raise ValidationError("请填写比例（如 0.2）或每区数量（如 3）。")
        return text


class AnnounceSchema(Schema):
    method = fields.Str(
        required=True,
        validate=OneOf(METHODS, error="请选择按比例或按数量抽取。"),
        error_messages={"required": "请选择按比例或按数量抽取。"},
        metadata={
            "description": "`ratio`: a share of each district's "
            "nominations; `count`: a number per district."
        },
    )
    value = RuleValue(
        required=True,
        error_messages={"required": "请填写抽取比例或数量。"},
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
        error_messages={"required": "请填写重新抽签的理由。", "null": "请填写重新抽签的理由。"},
        metadata={"description": "Why the draw is redone; kept on the record."},
    )
    method = fields.Str(
        load_default=None,
        allow_none=True,
        validate=OneOf(METHODS, error="请选择按比例或按数量抽取。"),
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


# -- schemas: checks ----------------------------------------------------------------------


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
    load = fields.Int(metadata={"description": "Checks in this campaign so far."})
    eligible = fields.Bool()
    reason = fields.Str(allow_none=True, metadata={"description": "Why not (the conflict)."})


class AssignInspectorSchema(Schema):
    inspector_id = fields.Int(
        required=True, validate=ID_RANGE, error_messages={"required": "请选择抽查员。"}
    )


class VisitSchema(Schema):
    visited_on = fields.Date(
        load_default=None,
        allow_none=True,
        error_messages=DATE_ERRORS,
        metadata={"description": "A Beijing calendar date, not after today."},
    )
    place = fields.Str(load_default=None, allow_none=True, validate=Length(max=checks.MAX_PLACE))
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
    item_id = fields.Int(required=True)
    finding = fields.Str(
        load_default=None,
        allow_none=True,
        validate=OneOf(FINDINGS, error="请选择符合、基本符合或不符合。"),
    )
    notes = fields.Str(load_default=None, allow_none=True, validate=Length(max=checks.MAX_NOTES))


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
        validate=OneOf(CONCLUSIONS, error="请选择合格、限期整改或不合格。"),
        error_messages={"required": "请选择抽查结论。"},
    )
    notes = fields.Str(
        load_default=None,
        allow_none=True,
        validate=Length(max=checks.MAX_NOTES),
        metadata={"description": "Required unless `pass`."},
    )
    items = fields.List(
        fields.Int(),
        load_default=list,
        metadata={"description": "Items to rectify (for `rectify`)."},
    )
    deadline = fields.Date(
        load_default=None,
        allow_none=True,
        error_messages=DATE_ERRORS,
        metadata={"description": "Rectify by (for `rectify`); after today."},
    )


class AgreeSchema(Schema):
    fingerprint = fields.Str(
        required=True,
        validate=Length(min=1, max=64),
        error_messages={"required": "缺少所确认结论的 fingerprint。"},
        metadata={"description": "The `proposal.fingerprint` you read."},
    )


class ResponseInSchema(Schema):
    item_id = fields.Int(required=True)
    statement = fields.Str(
        load_default=None, allow_none=True, validate=Length(max=checks.MAX_NOTES)
    )


class RectificationResponsesSchema(Schema):
    responses = fields.List(fields.Nested(ResponseInSchema), required=True)


class RectificationDecisionSchema(Schema):
    accept = fields.Bool(required=True, error_messages={"required": "请选择验收通过或不通过。"})
    comment = fields.Str(
        load_default=None,
        allow_none=True,
        validate=Length(max=checks.MAX_NOTES),
        metadata={"description": "Required to reject."},
    )


# -- presenting ---------------------------------------------------------------------------


def present_draw(draw: SpotCheckDraw) -> dict[str, Any]:
    record = public_record(draw)
    record["page_url"] = url_for("spot_checks.verify_page", draw_id=draw.id)
    return record


def _file(evidence: Evidence) -> dict[str, Any]:
    return present_file(evidence, thumbnail=True)


def _team(assignments: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "inspector_id": a.inspector_id,
            "name": a.inspector.display_name,
            "assigned_at": a.assigned_at,
            "automatic": a.assigned_by_id is None,
            "agreed_at": a.agreed_at,
        }
        for a in assignments
    ]


def _summary(check: SpotCheck, nomination: Nomination, team: list[Any]) -> dict[str, Any]:
    conclusion = Conclusion(check.conclusion) if check.conclusion else None
    return {
        "id": check.id,
        "draw_id": check.draw_id,
        "nomination_id": nomination.id,
        "unit": nomination.org.name,
        "campaign_id": nomination.campaign_id,
        "campaign_name": nomination.campaign.name,
        "status": nomination.status,
        "status_label": nomination.state_label,
        "visited_on": check.visited_on,
        "conclusion": conclusion.value if conclusion else None,
        "conclusion_label": checks.CONCLUSION_LABELS[conclusion] if conclusion else None,
        "rectification_deadline": check.rectification_deadline,
        "inspectors": _team(team),
    }


def _item(row: checks.ItemFinding) -> dict[str, Any]:
    return {
        "item_id": row.item.id,
        "code": row.item.code,
        "dimension": row.item.dimension_label,
        "number": row.item.number,
        "text": row.item.text,
        "finding": row.value,
    }


def _manages(user: User, check: SpotCheck) -> bool:
    try:
        _require_drawer(user, check.draw)
    except DomainError:
        return False
    return True


def present_check(user: User, check: SpotCheck, nomination: Nomination) -> dict[str, Any]:
    """The check as the API shows it (a fixed number of queries)."""
    view = checks.check_view(check, nomination)
    team = queries.teams([check.id])[check.id]
    body = _summary(check, nomination, team)
    mine = next((a for a in team if a.inspector_id == user.id), None)
    assigned = mine is not None
    open_log = nomination.status == "spot_check"
    rectifying = nomination.status == "rectification"
    is_union = checks.is_union_of(user, nomination)
    conclusion = Conclusion(check.conclusion) if check.conclusion else None
    body.update(
        {
            "org_code": nomination.org.code,
            "award_type": nomination.award_type,
            "category": view.category,
            "visit": {
                "visited_on": check.visited_on,
                "place": check.place,
                "interviewed": check.interviewed,
                "interviewed_satisfied": check.interviewed_satisfied,
                "rate": float(view.rate) if view.rate is not None else None,
                "rate_percent": view.rate_percent,
                "rate_threshold": float(view.rate_threshold)
                if view.rate_threshold is not None
                else None,
            },
            "findings": [
                {
                    **_item(row),
                    "finding_label": checks.FINDING_LABELS[Finding(row.value)]
                    if row.value
                    else None,
                    "notes": row.finding.notes if row.finding else None,
                    "photos": [
                        {**_file(p.evidence), "id": p.id, "item_id": row.item.id}
                        for p in row.photos
                    ],
                }
                for row in view.items
            ],
            "counts": view.counts,
            "required_inspectors": view.required,
            "proposal": {
                "conclusion": conclusion.value,
                "label": checks.CONCLUSION_LABELS[conclusion],
                "notes": check.conclusion_notes,
                "items": list(check.rectification_items or []),
                "deadline": check.rectification_deadline,
                "fingerprint": checks.fingerprint(check),
                "concluded_at": check.concluded_at,
            }
            if conclusion
            else None,
            "problems": view.problems if open_log else [],
            "rectification": None,
            "allowed": {
                "keep_log": assigned and open_log,
                "agree": bool(open_log and conclusion and mine and mine.agreed_at is None),
                "manage_team": open_log and _manages(user, check),
                "respond": is_union and rectifying and check.rectification_submitted_at is None,
                "decide": rectifying and checks.may_decide_rectification(user, check, nomination),
            },
            "updated_at": check.updated_at,
        }
    )
    if conclusion == Conclusion.RECTIFY:
        body["rectification"] = {
            "items": [
                {
                    **_item(row),
                    "statement": view.responses[row.item.id].statement
                    if row.item.id in view.responses
                    else None,
                    "files": [_file(e) for e in view.response_files(row.item.id)],
                }
                for row in view.rectify_items
            ],
            "deadline": check.rectification_deadline,
            "overdue": view.overdue,
            "submitted_at": check.rectification_submitted_at,
            "decision": check.rectification_decision,
            "decided_at": check.rectification_decided_at,
            "problems": checks.rectification_problems(view)
            if rectifying and check.rectification_submitted_at is None
            else [],
        }
    return body


def _present(user: User, check_id: int) -> dict[str, Any]:
    check, nomination = checks.get_check(user, check_id)
    return present_check(user, check, nomination)


# -- the draw -----------------------------------------------------------------------------


@blp.route("/campaigns/<int:campaign_id>/draws")
class CampaignDraws(MethodView):
    @blp.token_required
    @blp.response(200, DrawSchema(many=True))
    @blp.errors(403, 404)
    def get(self, campaign_id: int) -> list[dict[str, Any]]:
        """The draws the caller's organisation has run for this campaign, superseded ones
        too, oldest first (403 for anyone who does not draw)."""
        org = drawing_org(api_user(), _get_campaign(campaign_id))
        draws = db.session.scalars(
            select(SpotCheckDraw)
            .where(SpotCheckDraw.campaign_id == campaign_id, SpotCheckDraw.scope_org_id == org.id)
            .order_by(SpotCheckDraw.id)
        )
        return [present_draw(d) for d in draws]

    @blp.token_required
    @blp.arguments(AnnounceSchema)
    @blp.response(201, DrawSchema)
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], campaign_id: int) -> Any:
        """Announce a draw: publish the rule and the seed's commitment (SHA-256).

        The seed stays secret until `POST /draws/{id}/draw`. 409 while another draw of the
        organisation is open (redraw it with a reason instead).
        """
        draw = announce_draw(
            api_user(),
            campaign_id,
            method=data["method"],
            value=data["value"],
            seed=data.get("seed"),
        )
        return present_draw(draw), {
            "Location": url_for("api_spot_checks.PublicDraw", draw_id=draw.id)
        }


@blp.route("/draws/<int:draw_id>")
class PublicDraw(MethodView):
    @blp.response(200, PublicDrawSchema)
    @blp.errors(404)
    def get(self, draw_id: int) -> dict[str, Any]:
        """Public, no token: the draw's record and the result of re-running it from that
        record alone. The seed is null, and `verification` too, until the draw is made."""
        draw = get_draw(draw_id)
        body = present_draw(draw)
        body["units"] = {
            str(nid): name
            for nid, name in unit_names(
                [e["nomination_id"] for e in body["population"] or []]
            ).items()
        }
        try:
            result = verify_draw(draw.id)
        except Conflict:
            body["verification"] = None  # announced only: the seed is still secret
        else:
            body["verification"] = {
                "commitment_ok": result.commitment_ok,
                "population_ok": result.population_ok,
                "sample_ok": result.sample_ok,
                "ok": result.ok,
                "recomputed": result.recomputed,
                "strata": result.strata,
            }
        return body


@blp.route("/draws/<int:draw_id>/draw")
class MakeDraw(MethodView):
    @blp.token_required
    @blp.response(200, DrawSchema)
    @blp.errors(403, 404, 409)
    def post(self, draw_id: int) -> dict[str, Any]:
        """Make the draw: freeze the population, reveal the seed, record the sample."""
        return present_draw(make_draw(api_user(), draw_id))


@blp.route("/draws/<int:draw_id>/apply")
class ApplyDraw(MethodView):
    @blp.token_required
    @blp.response(200, DrawSchema)
    @blp.errors(403, 404, 409)
    def post(self, draw_id: int) -> dict[str, Any]:
        """Apply the draw: the sample goes to spot check, the rest on to candidates.

        409 with `problems` when a nomination of the population has changed since the draw.
        """
        return present_draw(apply_draw(api_user(), draw_id))


@blp.route("/draws/<int:draw_id>/redraw")
class Redraw(MethodView):
    @blp.token_required
    @blp.arguments(RedrawSchema)
    @blp.response(201, DrawSchema)
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], draw_id: int) -> Any:
        """Supersede a draw not yet applied with a new announced one; the reason is required
        and both records stay public."""
        draw = redraw(
            api_user(),
            draw_id,
            reason=data["reason"],
            method=data.get("method"),
            value=data.get("value"),
            seed=data.get("seed"),
        )
        return present_draw(draw), {
            "Location": url_for("api_spot_checks.PublicDraw", draw_id=draw.id)
        }


@blp.route("/draws/<int:draw_id>/auto-assign")
class AutoAssign(MethodView):
    @blp.token_required
    @blp.response(200, AutoAssignSchema)
    @blp.errors(403, 404, 409)
    def post(self, draw_id: int) -> dict[str, Any]:
        """Fill every open check of an applied draw up to the campaign's number of
        inspectors, least loaded first, never one in conflict; `short` lists the rest."""
        result = assign.auto_assign(api_user(), draw_id)
        return {"assigned": result.assigned, "short": result.short}


# -- checks and their inspectors ------------------------------------------------------------


@blp.route("/spot-checks")
class SpotCheckList(MethodView):
    @blp.token_required
    @blp.arguments(CheckQuerySchema, location="query")
    @blp.response(200, CheckSummarySchema(many=True))
    @blp.errors(422)
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """An inspector's assigned checks, and the checks of the draws the caller's
        organisation runs; open ones first."""
        user = api_user()
        rows: dict[int, tuple[SpotCheck, Nomination]] = {}
        for check, nomination in [*checks.my_checks(user), *queries.managed_checks(user)]:
            rows.setdefault(check.id, (check, nomination))
        selected = [
            (c, n)
            for c, n in rows.values()
            if args.get("campaign_id") in (None, n.campaign_id)
            and args.get("draw_id") in (None, c.draw_id)
        ]
        selected.sort(key=lambda r: (r[1].status != "spot_check", -r[0].id))
        team = queries.teams(c.id for c, _ in selected)
        return [_summary(c, n, team[c.id]) for c, n in selected]


@blp.route("/spot-checks/<int:check_id>")
class SpotCheckView(MethodView):
    @blp.token_required
    @blp.response(200, CheckSchema)
    @blp.errors(404)
    def get(self, check_id: int) -> dict[str, Any]:
        """One check: visit, interview sample, findings with photos, the proposed conclusion
        and who agreed, what stops it, rectification. An inspector sees only their own
        checks; the union only once the conclusion has taken effect."""
        return _present(api_user(), check_id)


@blp.route("/spot-checks/<int:check_id>/candidates")
class Candidates(MethodView):
    @blp.token_required
    @blp.response(200, InspectorCandidateSchema(many=True))
    @blp.errors(404)
    def get(self, check_id: int) -> list[dict[str, Any]]:
        """For the drawing organisation: every inspector not on the check, eligible ones
        first, least loaded first, each with the conflict reason if any."""
        return [
            {
                "inspector_id": i.user_id,
                "name": i.name,
                "label": i.label,
                "organisations": i.org_names,
                "load": i.load,
                "eligible": i.reason is None,
                "reason": i.reason,
            }
            for i in assign.candidates(api_user(), check_id)
        ]


@blp.route("/spot-checks/<int:check_id>/assignments")
class Assignments(MethodView):
    @blp.token_required
    @blp.arguments(AssignInspectorSchema)
    @blp.response(201, CheckSchema)
    @blp.errors(404, 409, 422)
    def post(self, data: dict[str, Any], check_id: int) -> dict[str, Any]:
        """Add an inspector by hand. 422 with the conflict of interest under
        `errors.inspector_id`; agreements to a proposed conclusion are cleared."""
        assign.assign_inspector(api_user(), check_id, data["inspector_id"])
        return _present(api_user(), check_id)


@blp.route("/spot-checks/<int:check_id>/assignments/<int:inspector_id>")
class Assignment(MethodView):
    @blp.token_required
    @blp.response(204)
    @blp.errors(404, 409)
    def delete(self, check_id: int, inspector_id: int) -> None:
        """Take an inspector off a check whose conclusion has not taken effect."""
        assign.unassign_inspector(api_user(), check_id, inspector_id)


# -- the check log --------------------------------------------------------------------------


@blp.route("/spot-checks/<int:check_id>/visit")
class Visit(MethodView):
    @blp.token_required
    @blp.arguments(VisitSchema)
    @blp.response(200, CheckSchema)
    @blp.errors(403, 404, 409, 422)
    def put(self, data: dict[str, Any], check_id: int) -> dict[str, Any]:
        """Date and place of the visit and the member interview sample (assigned inspectors,
        while the check is open). Clears agreements to a proposed conclusion."""
        checks.save_visit(
            api_user(),
            check_id,
            visited_on=data["visited_on"],
            place=data["place"],
            interviewed=data["interviewed"],
            interviewed_satisfied=data["interviewed_satisfied"],
        )
        return _present(api_user(), check_id)


@blp.route("/spot-checks/<int:check_id>/findings")
class Findings(MethodView):
    @blp.token_required
    @blp.arguments(FindingsSchema)
    @blp.response(200, CheckSchema)
    @blp.errors(403, 404, 409, 422)
    def put(self, data: dict[str, Any], check_id: int) -> dict[str, Any]:
        """A finding (符合 / 基本符合 / 不符合) and notes per standard item; items left out
        are unchanged. Nothing is saved when any is invalid (422, keyed `item_<id>`,
        `finding_<id>`, `notes_<id>`)."""
        answers = {
            f["item_id"]: {"finding": f["finding"], "notes": f["notes"]} for f in data["findings"]
        }
        checks.save_findings(api_user(), check_id, answers)
        return _present(api_user(), check_id)


@blp.route("/spot-checks/<int:check_id>/findings/<int:item_id>/photos")
class Photos(MethodView):
    @blp.token_required
    @blp.arguments(CheckUploadSchema, location="files")
    @blp.response(201, PhotoSchema)
    @blp.errors(403, 404, 409, 413, 422)
    def post(self, files: dict[str, Any], check_id: int, item_id: int) -> Any:
        """A photo taken on site for one item (multipart `file`): images only, with the
        checks of any evidence upload; a PDF or other file is refused with 422."""
        photo = checks.add_photo(api_user(), check_id, item_id, files["file"])
        return created({**_file(photo.evidence), "id": photo.id, "item_id": item_id})


@blp.route("/spot-checks/<int:check_id>/photos/<int:photo_id>")
class Photo(MethodView):
    @blp.token_required
    @blp.response(204)
    @blp.errors(403, 404, 409)
    def delete(self, check_id: int, photo_id: int) -> None:
        """Remove a photo from the log (the file stays with the nomination's evidence)."""
        checks.remove_photo(api_user(), check_id, photo_id)


@blp.route("/spot-checks/<int:check_id>/conclusion")
class ConclusionView(MethodView):
    @blp.token_required
    @blp.arguments(ConclusionProposalSchema)
    @blp.response(200, CheckSchema)
    @blp.errors(403, 404, 409, 422)
    def put(self, data: dict[str, Any], check_id: int) -> dict[str, Any]:
        """Propose the conclusion (合格 / 限期整改 with items and deadline / 不合格) and agree
        to it. 409 with `problems` when the log does not allow it (incomplete, 不符合 items,
        the interview sample below the standard's rate, too few inspectors). It takes
        effect when every assigned inspector has agreed."""
        checks.propose_conclusion(
            api_user(),
            check_id,
            conclusion=data["conclusion"],
            notes=data["notes"],
            items=data["items"],
            deadline=data["deadline"],
        )
        return _present(api_user(), check_id)


@blp.route("/spot-checks/<int:check_id>/agree")
class Agree(MethodView):
    @blp.token_required
    @blp.arguments(AgreeSchema)
    @blp.response(200, CheckSchema)
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], check_id: int) -> dict[str, Any]:
        """Agree to the proposed conclusion named by its fingerprint (409 if it has changed
        since you read it). The last agreement makes it take effect."""
        checks.agree(api_user(), check_id, data["fingerprint"])
        return _present(api_user(), check_id)


# -- rectification ------------------------------------------------------------------------


@blp.route("/spot-checks/<int:check_id>/rectification")
class Rectification(MethodView):
    @blp.token_required
    @blp.arguments(RectificationResponsesSchema)
    @blp.response(200, CheckSchema)
    @blp.errors(403, 404, 409, 422)
    def put(self, data: dict[str, Any], check_id: int) -> dict[str, Any]:
        """The union's statement of what it did, per item to rectify (until submitted)."""
        checks.save_responses(
            api_user(), check_id, {r["item_id"]: r["statement"] for r in data["responses"]}
        )
        return _present(api_user(), check_id)


@blp.route("/spot-checks/<int:check_id>/rectification/<int:item_id>/files")
class RectificationFiles(MethodView):
    @blp.token_required
    @blp.arguments(CheckUploadSchema, location="files")
    @blp.response(201, CheckFileSchema)
    @blp.errors(403, 404, 409, 413, 422)
    def post(self, files: dict[str, Any], check_id: int, item_id: int) -> Any:
        """Evidence of one item's rectification (multipart `file`), with the checks of any
        evidence upload."""
        evidence = checks.add_response_file(api_user(), check_id, item_id, files["file"])
        return created(_file(evidence))


@blp.route("/spot-checks/<int:check_id>/rectification/<int:item_id>/files/<int:evidence_id>")
class RectificationFile(MethodView):
    @blp.token_required
    @blp.response(204)
    @blp.errors(403, 404, 409, 422)
    def delete(self, check_id: int, item_id: int, evidence_id: int) -> None:
        """Remove a file from an item's answer (until submitted)."""
        checks.remove_response_file(api_user(), check_id, item_id, evidence_id)


@blp.route("/spot-checks/<int:check_id>/rectification/submit")
class SubmitRectification(MethodView):
    @blp.token_required
    @blp.response(200, CheckSchema)
    @blp.errors(403, 404, 409)
    def post(self, check_id: int) -> dict[str, Any]:
        """Hand in the answers for acceptance; 409 with `problems` while any item lacks a
        statement or evidence."""
        checks.submit_rectification(api_user(), check_id)
        return _present(api_user(), check_id)


@blp.route("/spot-checks/<int:check_id>/rectification/decision")
class RectificationDecision(MethodView):
    @blp.token_required
    @blp.arguments(RectificationDecisionSchema)
    @blp.response(200, CheckSchema)
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], check_id: int) -> dict[str, Any]:
        """Accept (→ candidate) or reject (→ spot check failed, a comment required) the
        rectification: the inspectors or the district reviewer, as the campaign says.
        Rejecting before the answer is handed in waits for the deadline to pass."""
        checks.decide_rectification(
            api_user(), check_id, accept=data["accept"], comment=data["comment"]
        )
        return _present(api_user(), check_id)
