"""会员评家 through /api/v1: open, tokens, live turnout, paper tally, close, results; and the
public ballot endpoints a mini-program uses with the member's one-time token (no login)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_babel import gettext as _

from app.api.security import ApiBlueprint
from app.auth.session import api_user
from app.evaluation.ballots import ballot_form, cast_ballot
from app.evaluation.closing import close_early
from app.evaluation.links import public_base_url, vote_url
from app.evaluation.lookup import get_evaluation
from app.evaluation.models import MemberEvaluation
from app.evaluation.opening import open_evaluation
from app.evaluation.results import Counts, results, stored_reasons, turnout
from app.evaluation.schemas import (
    CHOICES,
    BallotQuestionsSchema,
    BallotSchema,
    EvaluationSchema,
    MessageSchema,
    OpenSchema,
    ReportSchema,
    TallySchema,
    TokenCountSchema,
    TokenQuerySchema,
    VoidedSchema,
    VoidSchema,
    VoteTokenSchema,
)
from app.evaluation.tallies import enter_paper_tally, save_report
from app.evaluation.tokens import IssuedToken, issue_tokens, tokens_for_print, void_tokens
from app.nominations.models import Nomination

blp = ApiBlueprint(
    "api_evaluation",
    __name__,
    url_prefix="/api/v1",
    description="会员评家: anonymous member evaluation with one-time tokens.",
)


# The token list is a set of bearer credentials: kept by no cache, like the slips and the CSV.
PRIVATE = {"Cache-Control": "private, no-store"}
TokenList = tuple[list[dict[str, Any]], int, dict[str, str]]


def vote_link(token: str) -> str:
    return vote_url(public_base_url(), token)


def present_tokens(tokens: list[IssuedToken]) -> list[dict[str, Any]]:
    """Each token's serial, batch and status with the token and its voting link (the union
    only): a mini-program takes the token, a slip or a message the link."""
    return [
        {
            "serial": t.serial,
            "batch": t.batch,
            "status": t.status,
            "token": t.token,
            "url": vote_link(t.token),
        }
        for t in tokens
    ]


def _counts(c: Counts) -> dict[str, int]:
    return {
        "satisfied": c.satisfied,
        "basic": c.basic,
        "dissatisfied": c.dissatisfied,
        "total": c.total,
    }


def present(nomination: Nomination, evaluation: MemberEvaluation) -> dict[str, Any]:
    live = turnout(evaluation)
    body: dict[str, Any] = {
        "nomination_id": nomination.id,
        "status": evaluation.status,
        "opens_at": evaluation.opens_at,
        "closes_at": evaluation.closes_at,
        "member_count": evaluation.member_count,
        "dimensions": evaluation.dimensions,
        "turnout": {
            "issued": live.issued,
            "voted_online": live.voted_online,
            "paper": live.paper,
            "voted": live.voted,
            "rate": float(live.rate),
        },
        "results": None,
    }
    if evaluation.status == "closed":
        res = results(evaluation, with_comments=True)
        body["results"] = {
            "online": _counts(res.online),
            "paper": _counts(res.paper),
            "total": _counts(res.total),
            "paper_invalid": res.paper_invalid,
            "dimensions": [
                {"code": d["code"], "label": d["label"], "online": _counts(o), "paper": _counts(p)}
                for d, o, p in res.dimensions
            ],
            "comments": res.comments,
            "satisfaction_rate": float(evaluation.satisfaction_rate)
            if evaluation.satisfaction_rate is not None
            else None,
            "threshold": float(evaluation.threshold) if evaluation.threshold else None,
            "passed": evaluation.passed,
            "reasons": stored_reasons(evaluation),
            "process_notes": evaluation.process_notes,
            "rectification_measures": evaluation.rectification_measures,
        }
    return body


@blp.route("/nominations/<int:nomination_id>/evaluation")
class Evaluation(MethodView):
    @blp.token_required
    @blp.response(200, EvaluationSchema)
    @blp.errors(404)
    def get(self, nomination_id: int) -> dict[str, Any]:
        """Status and live turnout (counts only); after closing, the results."""
        nomination, evaluation = get_evaluation(api_user(), nomination_id)
        return present(nomination, evaluation)

    @blp.token_required
    @blp.arguments(OpenSchema)
    @blp.response(201, EvaluationSchema)
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], nomination_id: int) -> dict[str, Any]:
        """The union opens its member evaluation; one token per member is issued."""
        evaluation = open_evaluation(
            api_user(),
            nomination_id,
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            member_count=data.get("member_count"),
        )
        nomination, evaluation = get_evaluation(api_user(), evaluation.nomination_id)
        return present(nomination, evaluation)


@blp.route("/nominations/<int:nomination_id>/evaluation/tokens")
class Tokens(MethodView):
    @blp.token_required
    @blp.arguments(TokenQuerySchema, location="query")
    @blp.response(200, VoteTokenSchema(many=True))
    @blp.errors(404, 409)
    def get(self, args: dict[str, Any], nomination_id: int) -> TokenList:
        """The voting links, for the union only (others: 404); 409 when the server's token
        key is not the one they were issued under (they still vote)."""
        _n, tokens = tokens_for_print(
            api_user(), nomination_id, batch=args.get("batch"), unused_only=args["unused_only"]
        )
        return present_tokens(tokens), 200, PRIVATE

    @blp.token_required
    @blp.arguments(TokenCountSchema)
    @blp.response(201, VoteTokenSchema(many=True))
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], nomination_id: int) -> TokenList:
        """Issue more tokens (members who joined since); returns the new batch."""
        user = api_user()
        batch = issue_tokens(user, nomination_id, data["count"])
        _n, tokens = tokens_for_print(user, nomination_id, batch=batch)
        return present_tokens(tokens), 201, PRIVATE


@blp.route("/nominations/<int:nomination_id>/evaluation/tokens/void")
class VoidTokens(MethodView):
    @blp.token_required
    @blp.arguments(VoidSchema)
    @blp.response(200, VoidedSchema)
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], nomination_id: int) -> dict[str, int]:
        """Void unused tokens by serial number (lost slips); used ones stay counted."""
        return {"voided": void_tokens(api_user(), nomination_id, data["serials"])}


@blp.route("/nominations/<int:nomination_id>/evaluation/paper-tally")
class PaperTallyView(MethodView):
    @blp.token_required
    @blp.arguments(TallySchema, location="form", content_type="multipart/form-data")
    @blp.response(200, EvaluationSchema)
    @blp.errors(403, 404, 409, 413, 422)
    def post(self, data: dict[str, Any], nomination_id: int) -> dict[str, Any]:
        """Paper ballots' counts, with the scanned tally sheet (multipart `tally_sheet`)."""
        user = api_user()
        enter_paper_tally(
            user,
            nomination_id,
            satisfied=data["satisfied"],
            basic=data["basic"],
            dissatisfied=data["dissatisfied"],
            invalid=data["invalid"],
            tally_sheet=data.get("tally_sheet"),
        )
        return present(*get_evaluation(user, nomination_id))


@blp.route("/nominations/<int:nomination_id>/evaluation/report")
class Report(MethodView):
    @blp.token_required
    @blp.arguments(ReportSchema)
    @blp.response(200, EvaluationSchema)
    @blp.errors(403, 404, 422)
    def put(self, data: dict[str, Any], nomination_id: int) -> dict[str, Any]:
        """The union's account of the process and its rectification measures (整改措施)."""
        user = api_user()
        save_report(
            user,
            nomination_id,
            process_notes=data.get("process_notes"),
            rectification_measures=data.get("rectification_measures"),
        )
        return present(*get_evaluation(user, nomination_id))


@blp.route("/nominations/<int:nomination_id>/evaluation/close")
class Close(MethodView):
    @blp.token_required
    @blp.response(200, EvaluationSchema)
    @blp.errors(403, 404, 409)
    def post(self, nomination_id: int) -> dict[str, Any]:
        """Close early (the union, once turnout allows); decides the nomination."""
        user = api_user()
        close_early(user, nomination_id)
        return present(*get_evaluation(user, nomination_id))


@blp.route("/ballots/<token>")
class BallotView(MethodView):
    @blp.response(200, BallotQuestionsSchema)
    @blp.errors(404, 409)
    def get(self, token: str) -> dict[str, Any]:
        """Public: what the member is asked (no login; the token is the credential)."""
        form = ballot_form(token)
        return {
            "union": form.union_name,
            "award": form.award_label,
            "closes_at": form.evaluation.closes_at,
            "choices": CHOICES,
            "dimensions": form.evaluation.dimensions,
        }

    @blp.arguments(BallotSchema)
    @blp.response(201, MessageSchema)
    @blp.errors(404, 409, 422)
    def post(self, data: dict[str, Any], token: str) -> dict[str, str]:
        """Public: cast the anonymous ballot; the token is spent in the same transaction."""
        cast_ballot(
            token, overall=data["overall"], answers=data["answers"], comment=data.get("comment")
        )
        return {"message": _("Thank you for your evaluation!")}
