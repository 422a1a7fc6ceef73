"""The self-assessment's part in the workflow: hooks run in the transaction of an action.

A nomination's first round opens when it is created; submitting freezes the round; a return
keeps the submitted round as it was and opens a copy for the union (its answers, figures and
evidence links); a decision closes the round. Registered from the app factory through
`app.assessment.plugin`.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from app.assessment.models import (
    FIGURE_FIELDS,
    AssessmentRound,
    EvidenceLink,
    ItemResponse,
    ReviewComment,
    RoundStatus,
)
from app.assessment.rounds import latest_round
from app.errors import Conflict
from app.extensions import db
from app.nominations import effects
from app.nominations.models import Nomination
from app.timeutil import utcnow


@effects.after("create")
def _open_first_round(nomination: Nomination) -> None:
    version_id = nomination.campaign.standard_version_id
    if version_id is None:
        raise Conflict(_("The campaign has no standard yet: nominations cannot be made."))
    org = nomination.org
    db.session.add(
        AssessmentRound(
            nomination_id=nomination.id,
            number=1,
            status=RoundStatus.EDITING,
            standard_version_id=version_id,
            # Start from what the organisation register knows; the union confirms or corrects.
            staff_count=org.staff_count,
            member_count=org.member_count,
        )
    )


@effects.after("submit")
def _freeze_on_submit(nomination: Nomination) -> None:
    rnd = latest_round(nomination.id)
    if rnd is not None:
        rnd.status = RoundStatus.SUBMITTED
        rnd.submitted_at = utcnow()


@effects.prepare("return")
def _summarise_item_comments(nomination: Nomination, comment: str | None) -> str | None:
    """A return needs a comment; item comments count, and the action's note sums them up."""
    if (comment or "").strip():
        return comment
    rnd = latest_round(nomination.id)
    if rnd is None:
        return comment
    count = db.session.scalar(
        select(func.count()).select_from(ReviewComment).where(ReviewComment.round_id == rnd.id)
    )
    # The audit row's comment: a record, kept in Chinese like the documents.
    return f"请按 {count} 条审核意见修改后重新提交。" if count else comment


@effects.after("return")
def _open_next_round(nomination: Nomination) -> None:
    """Keep the submitted round as it was; the union edits a copy."""
    old = latest_round(nomination.id)
    if old is None:
        return
    old.status = RoundStatus.RETURNED
    new = AssessmentRound(
        nomination_id=nomination.id,
        number=old.number + 1,
        status=RoundStatus.EDITING,
        standard_version_id=old.standard_version_id,
        **{f: getattr(old, f) for f in FIGURE_FIELDS},
    )
    db.session.add(new)
    db.session.flush()
    responses = db.session.execute(
        select(ItemResponse.item_id, ItemResponse.rating, ItemResponse.statement).where(
            ItemResponse.round_id == old.id
        )
    ).all()
    if responses:
        db.session.execute(
            insert(ItemResponse),
            [
                {
                    "round_id": new.id,
                    "item_id": r.item_id,
                    "rating": r.rating,
                    "statement": r.statement,
                }
                for r in responses
            ],
        )
    links = db.session.execute(
        select(EvidenceLink.evidence_id, EvidenceLink.item_id).where(
            EvidenceLink.round_id == old.id
        )
    ).all()
    if links:
        db.session.execute(
            insert(EvidenceLink),
            [
                {"round_id": new.id, "evidence_id": lk.evidence_id, "item_id": lk.item_id}
                for lk in links
            ],
        )


@effects.after("approve", "reject", "withdraw")
def _close_round(nomination: Nomination) -> None:
    rnd = latest_round(nomination.id)
    if rnd is not None and rnd.status in (RoundStatus.SUBMITTED, RoundStatus.EDITING):
        rnd.status = RoundStatus.CLOSED
