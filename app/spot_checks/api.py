"""随机抽查 through /api/v1: the draw (announce, draw, apply, redraw; the public record and its
re-verification, no login), the inspectors of each check, the on-site check log and its
agreed conclusion, and the rectification loop.

Every view only calls the spot-check services, which check who may do what and move the
nomination through the workflow engine; this module never changes a nomination itself. The
requests and responses are described in `schemas`, the bodies made in `presenters`.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from app.api.errors import errors_by_position
from app.api.security import ApiBlueprint
from app.auth.session import api_user
from app.evidence.files import created
from app.nominations.models import Nomination
from app.spot_checks import assign, checks, conclusion, log, queries, rectification
from app.spot_checks.models import SpotCheck
from app.spot_checks.presenters import (
    present_candidate,
    present_check_by_id,
    present_draw,
    present_evidence,
    present_public_draw,
    present_summary,
)
from app.spot_checks.schemas import (
    AgreeSchema,
    AnnounceSchema,
    AssignInspectorSchema,
    AutoAssignSchema,
    CheckFileSchema,
    CheckQuerySchema,
    CheckSchema,
    CheckSummarySchema,
    CheckUploadSchema,
    ConclusionProposalSchema,
    DrawSchema,
    FindingsSchema,
    InspectorCandidateSchema,
    PhotoSchema,
    PublicDrawSchema,
    RectificationDecisionSchema,
    RectificationResponsesSchema,
    RedrawSchema,
    VisitSchema,
)
from app.spot_checks.services import (
    announce_draw,
    apply_draw,
    campaign_draws,
    get_draw,
    make_draw,
    redraw,
)

blp = ApiBlueprint(
    "api_spot_checks",
    __name__,
    url_prefix="/api/v1",
    description="随机抽查: the random draw, inspectors, the on-site check log, "
    "the agreed conclusion and rectification.",
)


# -- the draw -----------------------------------------------------------------------------


@blp.route("/campaigns/<int:campaign_id>/draws")
class CampaignDraws(MethodView):
    @blp.token_required
    @blp.response(200, DrawSchema(many=True))
    @blp.errors(403, 404)
    def get(self, campaign_id: int) -> list[dict[str, Any]]:
        """The draws the caller's organisation has run for this campaign, superseded ones
        too, oldest first (403 for anyone who does not draw)."""
        return [present_draw(d) for d in campaign_draws(api_user(), campaign_id)]

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
        return present_public_draw(get_draw(draw_id))


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
        return [present_summary(c, n, team[c.id]) for c, n in selected]


@blp.route("/spot-checks/<int:check_id>")
class SpotCheckView(MethodView):
    @blp.token_required
    @blp.response(200, CheckSchema)
    @blp.errors(404)
    def get(self, check_id: int) -> dict[str, Any]:
        """One check: visit, interview sample, findings with photos, the proposed conclusion
        and who agreed, what stops it, rectification. An inspector sees only their own
        checks; the union only once the conclusion has taken effect."""
        return present_check_by_id(api_user(), check_id)


@blp.route("/spot-checks/<int:check_id>/candidates")
class Candidates(MethodView):
    @blp.token_required
    @blp.response(200, InspectorCandidateSchema(many=True))
    @blp.errors(404)
    def get(self, check_id: int) -> list[dict[str, Any]]:
        """For the drawing organisation: every inspector not on the check, eligible ones
        first, least loaded first, each with the conflict reason if any."""
        return [present_candidate(i) for i in assign.candidates(api_user(), check_id)]


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
        return present_check_by_id(api_user(), check_id)


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
        log.save_visit(
            api_user(),
            check_id,
            visited_on=data["visited_on"],
            place=data["place"],
            interviewed=data["interviewed"],
            interviewed_satisfied=data["interviewed_satisfied"],
        )
        return present_check_by_id(api_user(), check_id)


# The check log's keys (the page's field names) and the body's fields.
FINDING_ERRORS = {r"item_(\d+)": "item_id", r"finding_(\d+)": "finding", r"notes_(\d+)": "notes"}


@blp.route("/spot-checks/<int:check_id>/findings")
class Findings(MethodView):
    @blp.token_required
    @blp.arguments(FindingsSchema)
    @blp.response(200, CheckSchema)
    @blp.errors(403, 404, 409, 422)
    def put(self, data: dict[str, Any], check_id: int) -> dict[str, Any]:
        """A finding (符合 / 基本符合 / 不符合) and notes per standard item; items left out
        are unchanged. Nothing is saved when any is invalid (422, keyed by the place in the
        body: `findings.<index>.item_id|finding|notes`)."""
        answers = {
            f["item_id"]: {"finding": f["finding"], "notes": f["notes"]} for f in data["findings"]
        }
        sent = [f["item_id"] for f in data["findings"]]
        with errors_by_position("findings", sent, FINDING_ERRORS):
            log.save_findings(api_user(), check_id, answers)
        return present_check_by_id(api_user(), check_id)


@blp.route("/spot-checks/<int:check_id>/findings/<int:item_id>/photos")
class Photos(MethodView):
    @blp.token_required
    @blp.arguments(CheckUploadSchema, location="files")
    @blp.response(201, PhotoSchema)
    @blp.errors(403, 404, 409, 413, 422)
    def post(self, files: dict[str, Any], check_id: int, item_id: int) -> Any:
        """A photo taken on site for one item (multipart `file`): images only, with the
        checks of any evidence upload; a PDF or other file is refused with 422."""
        photo = log.add_photo(api_user(), check_id, item_id, files["file"])
        return created({**present_evidence(photo.evidence), "id": photo.id, "item_id": item_id})


@blp.route("/spot-checks/<int:check_id>/photos/<int:photo_id>")
class Photo(MethodView):
    @blp.token_required
    @blp.response(204)
    @blp.errors(403, 404, 409)
    def delete(self, check_id: int, photo_id: int) -> None:
        """Remove a photo from the log (the file stays with the nomination's evidence)."""
        log.remove_photo(api_user(), check_id, photo_id)


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
        conclusion.propose_conclusion(
            api_user(),
            check_id,
            conclusion=data["conclusion"],
            notes=data["notes"],
            items=data["items"],
            deadline=data["deadline"],
        )
        return present_check_by_id(api_user(), check_id)


@blp.route("/spot-checks/<int:check_id>/agree")
class Agree(MethodView):
    @blp.token_required
    @blp.arguments(AgreeSchema)
    @blp.response(200, CheckSchema)
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], check_id: int) -> dict[str, Any]:
        """Agree to the proposed conclusion named by its fingerprint (409 if it has changed
        since you read it). The last agreement makes it take effect."""
        conclusion.agree(api_user(), check_id, data["fingerprint"])
        return present_check_by_id(api_user(), check_id)


# -- rectification ------------------------------------------------------------------------


@blp.route("/spot-checks/<int:check_id>/rectification")
class Rectification(MethodView):
    @blp.token_required
    @blp.arguments(RectificationResponsesSchema)
    @blp.response(200, CheckSchema)
    @blp.errors(403, 404, 409, 422)
    def put(self, data: dict[str, Any], check_id: int) -> dict[str, Any]:
        """The union's statement of what it did, per item to rectify (until submitted); 422
        keyed `responses.<index>.statement` for a statement too long, `item_id` for an item
        that is not to be rectified."""
        sent = [r["item_id"] for r in data["responses"]]
        with errors_by_position("responses", sent, {r"statement_(\d+)": "statement"}):
            rectification.save_responses(
                api_user(), check_id, {r["item_id"]: r["statement"] for r in data["responses"]}
            )
        return present_check_by_id(api_user(), check_id)


@blp.route("/spot-checks/<int:check_id>/rectification/<int:item_id>/files")
class RectificationFiles(MethodView):
    @blp.token_required
    @blp.arguments(CheckUploadSchema, location="files")
    @blp.response(201, CheckFileSchema)
    @blp.errors(403, 404, 409, 413, 422)
    def post(self, files: dict[str, Any], check_id: int, item_id: int) -> Any:
        """Evidence of one item's rectification (multipart `file`), with the checks of any
        evidence upload."""
        evidence = rectification.add_response_file(api_user(), check_id, item_id, files["file"])
        return created(present_evidence(evidence))


@blp.route("/spot-checks/<int:check_id>/rectification/<int:item_id>/files/<int:evidence_id>")
class RectificationFile(MethodView):
    @blp.token_required
    @blp.response(204)
    @blp.errors(403, 404, 409, 422)
    def delete(self, check_id: int, item_id: int, evidence_id: int) -> None:
        """Remove a file from an item's answer (until submitted)."""
        rectification.remove_response_file(api_user(), check_id, item_id, evidence_id)


@blp.route("/spot-checks/<int:check_id>/rectification/submit")
class SubmitRectification(MethodView):
    @blp.token_required
    @blp.response(200, CheckSchema)
    @blp.errors(403, 404, 409)
    def post(self, check_id: int) -> dict[str, Any]:
        """Hand in the answers for acceptance; 409 with `problems` while any item lacks a
        statement or evidence."""
        rectification.submit_rectification(api_user(), check_id)
        return present_check_by_id(api_user(), check_id)


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
        rectification.decide_rectification(
            api_user(), check_id, accept=data["accept"], comment=data["comment"]
        )
        return present_check_by_id(api_user(), check_id)
