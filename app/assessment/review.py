"""The district reviewer's comments on a submitted round, item by item or on the whole.

Comments are written while the round is under review; a return hands them to the union
with the next round (`app.assessment.effects`), the decision itself is a workflow action.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.assessment.models import AssessmentRound, ReviewComment, RoundStatus
from app.assessment.policy import require_review
from app.assessment.rounds import latest_round
from app.auth.models import User
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.nominations.services import get_nomination
from app.standards.models import StandardItem

MAX_COMMENT = 2000


def add_review_comment(
    user: User, nomination_id: int, body: str, item_id: int | None = None
) -> ReviewComment:
    """A reviewer comments on one item (or, without item, on the figures / the whole)."""
    nomination = get_nomination(user, nomination_id)
    require_review(user, nomination)
    rnd = latest_round(nomination.id)
    if nomination.status != "submitted" or rnd is None or rnd.status != RoundStatus.SUBMITTED:
        raise Conflict(_("Review comments can only be written during the review."))
    body = (body or "").strip()
    if not body:
        message = _("Please write the comment.")
        raise Invalid(message, errors={"body": [message]})
    if len(body) > MAX_COMMENT:
        raise Invalid(
            _("The comment is too long."),
            errors={"body": [_("A comment has at most %(n)s characters.", n=MAX_COMMENT)]},
        )
    if item_id is not None:
        item = db.session.get(StandardItem, item_id)
        if item is None or item.version_id != rnd.standard_version_id:
            message = _("There is no such item.")
            raise Invalid(message, errors={"item_id": [message]})
    comment = ReviewComment(round_id=rnd.id, item_id=item_id, author_id=user.id, body=body)
    db.session.add(comment)
    db.session.commit()
    return comment


def delete_review_comment(user: User, nomination_id: int, comment_id: int) -> None:
    """The reviewer withdraws one of their own comments while the review is open."""
    nomination = get_nomination(user, nomination_id)
    require_review(user, nomination)
    comment = db.session.scalar(
        select(ReviewComment)
        .join(AssessmentRound)
        .where(ReviewComment.id == comment_id, AssessmentRound.nomination_id == nomination.id)
    )
    if comment is None:
        raise NotFound(_("There is no such comment."))
    if comment.round.status != RoundStatus.SUBMITTED or comment.author_id != user.id:
        raise Conflict(_("Only your own comments written during the review can be deleted."))
    db.session.delete(comment)
    db.session.commit()
