"""Self-assessment through the JSON API: read a round, fill it in, compare rounds, comment.

Submitting and the review decisions are workflow actions:
`POST /api/v1/nominations/{id}/actions/{submit|approve|return|reject}`.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from app.api.errors import errors_by_position
from app.api.security import ApiBlueprint
from app.assessment.diff import diff_rounds
from app.assessment.editing import Answer, save_self_assessment
from app.assessment.models import EvidenceLink
from app.assessment.models import ReviewComment as Comment  # the view below is ReviewComment
from app.assessment.policy import may_read_comments, roles_over
from app.assessment.review import add_review_comment, delete_review_comment
from app.assessment.round_view import RoundView, round_view
from app.assessment.rounds import get_round, rounds_of
from app.assessment.schemas import (
    CommentCreateSchema,
    CommentSchema,
    DiffSchema,
    RoundQuerySchema,
    RoundSchema,
    RoundSummarySchema,
    SaveSchema,
)
from app.auth.session import api_user
from app.nominations.models import Nomination
from app.nominations.services import get_nomination

blp = ApiBlueprint(
    "api_assessment",
    __name__,
    url_prefix="/api/v1",
    description="Self-assessment (自查) rounds, key figures, review comments.",
)


def _evidence(links: list[EvidenceLink]) -> list[dict[str, Any]]:
    return [
        {
            "link_id": lk.id,
            "evidence_id": lk.evidence_id,
            "name": lk.evidence.original_name,
            "content_type": lk.evidence.content_type,
            "size": lk.evidence.size,
            "download_url": url_for("api_evidence.EvidenceDownload", evidence_id=lk.evidence_id),
        }
        for lk in links
    ]


def _comments(comments: list[Comment]) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "item_id": c.item_id,
            "author": c.author.display_name if c.author else None,
            "body": c.body,
            "created_at": c.created_at,
        }
        for c in comments
    ]


def present_round(nomination: Nomination, view: RoundView) -> dict[str, Any]:
    """The round as the API user may see it: the union does not read the reviewer's comments
    on a round still under review (as on the page)."""
    rnd = view.round
    is_union, is_reviewer = roles_over(api_user(), nomination)
    shown = may_read_comments(rnd, is_union=is_union, is_reviewer=is_reviewer)

    def comments(items: list[Comment]) -> list[dict[str, Any]]:
        return _comments(items) if shown else []

    return {
        "nomination_id": nomination.id,
        "number": rnd.number,
        "status": rnd.status,
        "editable": rnd.editable,
        "standard": view.version.label,
        "category": view.category,
        "submitted_at": rnd.submitted_at,
        "figures": rnd.figures(),
        "figures_required": view.figures_required,
        "figure_evidence": _evidence(view.figure_evidence),
        "rates": [
            {
                "key": r.key,
                "label": str(r.label),
                "value": float(r.value) if r.value is not None else None,
                "threshold": float(r.threshold),
                "applicable": r.applicable,
                "meets": r.meets,
                "problem": r.problem,
            }
            for r in view.rates
        ],
        "items": [
            {
                "item_id": v.item.id,
                "code": v.item.code,
                "dimension": label,
                "number": v.item.number,
                "text": v.item.text,
                "na_allowed": v.item.na_allowed,
                "evidence_hint": v.item.evidence_hint,
                "rating": v.response.rating if v.response else None,
                "statement": v.response.statement if v.response else None,
                "evidence": _evidence(v.evidence),
                "comments": comments(v.comments),
                "previous_comments": _comments(v.previous_comments),
            }
            for label, views in view.dimensions
            for v in views
        ],
        "general_comments": comments(view.general_comments),
        "problems": view.problems if rnd.editable else [],
    }


# The self-assessment's keys (`items.<item_id>.rating`) and the body's fields.
ITEM_ERRORS = {
    r"items\.(\d+)\.rating": "rating",
    r"items\.(\d+)\.statement": "statement",
    r"items\.(\d+)": "item_id",
}


@blp.route("/nominations/<int:nomination_id>/self-assessment")
class SelfAssessment(MethodView):
    @blp.token_required
    @blp.arguments(RoundQuerySchema, location="query")
    @blp.response(200, RoundSchema)
    @blp.errors(404, 422)
    def get(self, args: dict[str, Any], nomination_id: int) -> dict[str, Any]:
        """A round of the self-assessment (default: the latest), with rates and comments."""
        nomination = get_nomination(api_user(), nomination_id)
        rnd = get_round(nomination, args.get("round"))
        return present_round(nomination, round_view(nomination, rnd))

    @blp.token_required
    @blp.arguments(SaveSchema)
    @blp.response(200, RoundSchema)
    @blp.errors(403, 404, 409, 422)
    def patch(self, data: dict[str, Any], nomination_id: int) -> dict[str, Any]:
        """Save part or all of the editing round: only the fields sent change.

        A figure, or an item's `rating` or `statement`, left out keeps its value; `null`
        clears it. Nothing is saved when any field is invalid: 422, with `errors` keyed by
        the field's place in the body, `figures.<name>` and `items.<index>.rating|statement`
        (`<index>`: the position in the `items` sent).
        """
        user = api_user()
        sent = data.get("items", [])
        answers = {
            a["item_id"]: Answer(**{k: a[k] for k in ("rating", "statement") if k in a})
            for a in sent
        }
        with errors_by_position("items", [a["item_id"] for a in sent], ITEM_ERRORS):
            save_self_assessment(user, nomination_id, figures=data.get("figures"), answers=answers)
        nomination = get_nomination(user, nomination_id)
        return present_round(nomination, round_view(nomination, get_round(nomination)))


@blp.route("/nominations/<int:nomination_id>/rounds")
class Rounds(MethodView):
    @blp.token_required
    @blp.response(200, RoundSummarySchema(many=True))
    @blp.errors(404)
    def get(self, nomination_id: int) -> list[Any]:
        """Every round of the self-assessment, oldest first; returned rounds stay as sent."""
        nomination = get_nomination(api_user(), nomination_id)
        return rounds_of(nomination.id)


@blp.route("/nominations/<int:nomination_id>/rounds/<int:old>/diff/<int:new>")
class RoundDiffView(MethodView):
    @blp.token_required
    @blp.response(200, DiffSchema)
    @blp.errors(404)
    def get(self, nomination_id: int, old: int, new: int) -> dict[str, Any]:
        """What changed between two rounds: figures, item answers, evidence."""
        nomination = get_nomination(api_user(), nomination_id)
        diff = diff_rounds(nomination, old, new)
        return {
            "old": old,
            "new": new,
            "figures": [{"figure": f, "old": a, "new": b} for f, a, b in diff.figures],
            "items": [
                {
                    "item_id": c.item.id,
                    "code": c.item.code,
                    "number": c.item.number,
                    "dimension": c.item.dimension_label,
                    "old": {"rating": c.old.rating, "statement": c.old.statement}
                    if c.old
                    else None,
                    "new": {"rating": c.new.rating, "statement": c.new.statement}
                    if c.new
                    else None,
                    "evidence_added": c.evidence_added,
                    "evidence_removed": c.evidence_removed,
                }
                for c in diff.items
            ],
            "figure_evidence_added": diff.figure_evidence_added,
            "figure_evidence_removed": diff.figure_evidence_removed,
        }


@blp.route("/nominations/<int:nomination_id>/review-comments")
class ReviewComments(MethodView):
    @blp.token_required
    @blp.arguments(CommentCreateSchema)
    @blp.response(201, CommentSchema)
    @blp.errors(403, 404, 409, 422)
    def post(self, data: dict[str, Any], nomination_id: int) -> dict[str, Any]:
        """The district reviewer comments on an item (`item_id`) or on the whole round."""
        comment = add_review_comment(
            api_user(), nomination_id, data["body"], item_id=data.get("item_id")
        )
        return _comments([comment])[0]


@blp.route("/nominations/<int:nomination_id>/review-comments/<int:comment_id>")
class ReviewComment(MethodView):
    @blp.token_required
    @blp.response(204)
    @blp.errors(403, 404, 409)
    def delete(self, nomination_id: int, comment_id: int) -> None:
        """Withdraw one's own comment while the review is open."""
        delete_review_comment(api_user(), nomination_id, comment_id)
