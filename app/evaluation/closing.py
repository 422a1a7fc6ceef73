"""Closing a member evaluation: count, decide and move the nomination on, in one transaction.

The scheduled job closes it when its window ends (`app.evaluation.jobs`), a sweep catches up
on any it missed, and the union may close early once enough members have voted. The decision
goes through the workflow engine (`pass_evaluation` / `fail_evaluation`, system actions).
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, select, update

from app.auth.models import User
from app.errors import Conflict, NotFound
from app.evaluation.lookup import running_evaluation
from app.evaluation.models import EvaluationStatus, MemberEvaluation
from app.evaluation.results import Decision, decide, reasons_in_chinese, turnout
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import fire_stage_action
from app.timeutil import utcnow

DEFAULT_EARLY_CLOSE_TURNOUT = Fraction(1, 2)


def close_evaluation(evaluation_id: int, *, actor: User | None = None) -> Decision:
    """Count, decide and move the nomination on, in one transaction (idempotent).

    Exactly once, whoever closes (the job, its retry after a dead worker, the sweep, the
    union closing early): the first statement claims the evaluation with an UPDATE that only
    matches it while it is open. Of two closers the second waits for the first's
    transaction (a row lock on PostgreSQL, the write lock on SQLite), then matches nothing
    and is refused; a closer killed before its commit has claimed nothing.
    """
    # An UPDATE's result is a CursorResult, which Session.execute's types do not say.
    claimed = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(MemberEvaluation)
            .where(
                MemberEvaluation.id == evaluation_id,
                MemberEvaluation.status == EvaluationStatus.OPEN,
            )
            .values(status=EvaluationStatus.CLOSED)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    evaluation = db.session.get(MemberEvaluation, evaluation_id, populate_existing=True)
    if evaluation is None:
        raise NotFound(_("The member evaluation does not exist."))
    if claimed != 1:
        raise Conflict(_("The member evaluation has already been closed."))
    nomination = db.session.get(Nomination, evaluation.nomination_id)
    assert nomination is not None
    decision = decide(evaluation, nomination)
    totals = decision.totals
    evaluation.closed_at = utcnow()
    evaluation.closed_by_id = actor.id if actor else None
    evaluation.valid_ballots = totals.total
    evaluation.satisfied, evaluation.basic = totals.satisfied, totals.basic
    evaluation.dissatisfied = totals.dissatisfied
    evaluation.turnout = float(decision.turnout)
    evaluation.satisfaction_rate = float(decision.rate) if decision.rate is not None else None
    evaluation.threshold = float(decision.threshold)
    evaluation.min_turnout = float(decision.min_turnout) if decision.min_turnout else None
    evaluation.rule = nomination.campaign.evaluation_rule
    evaluation.passed = decision.passed
    # The audit comment: a record, in Chinese.
    rate_text = (
        f"满意率 {float(decision.rate) * 100:.1f}%" if decision.rate is not None else "无有效票"
    )
    note = (
        f"会员评家结束：有效票 {decision.valid} 张，{rate_text}，"
        f"参评率 {float(decision.turnout) * 100:.1f}%。" + "".join(reasons_in_chinese(decision))
    )
    fire_stage_action(
        nomination,
        "pass_evaluation" if decision.passed else "fail_evaluation",
        actor=actor,
        comment=note,
    )
    db.session.commit()
    return decision


def early_close_turnout(nomination: Nomination) -> Fraction:
    """The turnout at which the union may close early: the campaign's minimum, else 50%."""
    minimum = nomination.campaign.evaluation_min_turnout
    return Fraction(str(minimum)) if minimum is not None else DEFAULT_EARLY_CLOSE_TURNOUT


def close_early(user: User, nomination_id: int) -> Decision:
    """The union closes before the window ends, once enough members have voted."""
    evaluation = running_evaluation(user, nomination_id)
    nomination = db.session.get(Nomination, evaluation.nomination_id)
    assert nomination is not None
    needed = early_close_turnout(nomination)
    current = turnout(evaluation)
    if current.rate < needed:
        raise Conflict(
            _(
                "Turnout is %(turnout)s: the evaluation can be closed early once it "
                "reaches %(needed)s.",
                turnout=current.percent,
                needed=f"{float(needed) * 100:g}%",
            )
        )
    return close_evaluation(evaluation.id, actor=user)


def close_expired_evaluations(now: datetime | None = None) -> list[int]:
    """The job: close every open evaluation whose window has ended. Safe to run repeatedly."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(MemberEvaluation.id).where(
                MemberEvaluation.status == EvaluationStatus.OPEN, MemberEvaluation.closes_at <= now
            )
        )
    )
    closed = []
    for evaluation_id in due:
        try:
            close_evaluation(evaluation_id)
        except Conflict:
            db.session.rollback()  # closed meanwhile by the union or another worker
            continue
        closed.append(evaluation_id)
    return closed
