"""Jobs of the member evaluation: closing a window when it ends."""

from __future__ import annotations

from app.errors import Conflict
from app.evaluation.closing import close_evaluation, close_expired_evaluations
from app.evaluation.models import EvaluationStatus, MemberEvaluation
from app.extensions import db
from app.timeutil import as_utc, utcnow


def close_evaluation_job(evaluation_id: int) -> str:
    """Close the evaluation if its window has ended and nobody closed it already.

    Safe to run twice or late: a closed evaluation is left alone; one whose window was
    extended (not possible today) would wait for the sweep.
    """
    evaluation = db.session.get(MemberEvaluation, evaluation_id)
    if evaluation is None or evaluation.status == EvaluationStatus.CLOSED:
        return "already closed"
    if as_utc(evaluation.closes_at) > utcnow():
        return "window still open"
    try:
        close_evaluation(evaluation_id)
    except Conflict:
        db.session.rollback()
        return "already closed"
    return "closed"


def sweep_job() -> list[int]:
    """Close every evaluation whose window has ended (the periodic catch-up)."""
    return close_expired_evaluations()
