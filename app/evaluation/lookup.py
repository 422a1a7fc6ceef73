"""Finding a nomination's evaluation: to read it (whoever sees the nomination) and to change
it (the union, while it runs)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.errors import Conflict, NotFound
from app.evaluation import policy
from app.evaluation.models import EvaluationStatus, MemberEvaluation
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import get_nomination


def evaluation_of(nomination_id: int) -> MemberEvaluation | None:
    return db.session.scalar(
        select(MemberEvaluation).where(MemberEvaluation.nomination_id == nomination_id)
    )


def get_evaluation(user: User, nomination_id: int) -> tuple[Nomination, MemberEvaluation]:
    """The nomination and its evaluation, for anyone who sees the nomination."""
    nomination = get_nomination(user, nomination_id)
    evaluation = evaluation_of(nomination.id)
    if evaluation is None:
        raise NotFound(_("This nomination has no member evaluation yet."))
    return nomination, evaluation


def union_evaluation(user: User, nomination_id: int) -> tuple[Nomination, MemberEvaluation]:
    """The nomination and its evaluation, for the union that runs it (others: refused)."""
    nomination, evaluation = get_evaluation(user, nomination_id)
    policy.require_run(user, nomination)
    return nomination, evaluation


def running_evaluation(user: User, nomination_id: int) -> MemberEvaluation:
    """The union's evaluation while it is still open, for a change to it."""
    _nomination, evaluation = union_evaluation(user, nomination_id)
    if evaluation.status != EvaluationStatus.OPEN:
        raise Conflict(_("The member evaluation has ended."))
    return evaluation
