"""Opening a member evaluation: its window, its member count, the questions it asks, and one
one-time token per member."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.assessment.rounds import category_of, latest_round
from app.auth.models import User
from app.campaigns.models import Stage
from app.errors import Conflict, Invalid
from app.evaluation import policy
from app.evaluation.lookup import evaluation_of
from app.evaluation.models import EvaluationStatus, MemberEvaluation
from app.evaluation.tokens import MAX_TOKENS, new_tokens
from app.extensions import db
from app.jobs import enqueue_at
from app.nominations.models import Nomination
from app.nominations.services import get_nomination
from app.standards.models import StandardItem
from app.timeutil import BEIJING, as_utc, utcnow

SATISFACTION_DIMENSION = "satisfaction"


def default_member_count(nomination: Nomination) -> int | None:
    """会员数 from the self-assessment's figures (编外会员 included for 机关事业单位)."""
    rnd = latest_round(nomination.id)
    if rnd is None or rnd.member_count is None:
        return nomination.org.member_count
    return rnd.member_count + (rnd.contract_member_count or 0)


def dimensions_for(nomination: Nomination) -> list[dict[str, str]]:
    """The union's standard's dimensions, in order, as asked on the ballot."""
    rnd = latest_round(nomination.id)
    version_id = rnd.standard_version_id if rnd else nomination.campaign.standard_version_id
    rows = db.session.execute(
        select(
            StandardItem.dimension, StandardItem.dimension_label, func.min(StandardItem.position)
        )
        .where(
            StandardItem.version_id == version_id, StandardItem.category == category_of(nomination)
        )
        .group_by(StandardItem.dimension, StandardItem.dimension_label)
        .order_by(func.min(StandardItem.position))
    ).all()
    # 满意度测评 is this evaluation itself, not a part of the union's work to rate.
    return [
        {"code": code, "label": label}
        for code, label, _pos in rows
        if code != SATISFACTION_DIMENSION
    ]


def evaluation_deadline(nomination: Nomination) -> datetime | None:
    """End of the campaign's 评家截止 day, Beijing time (UTC)."""
    due = nomination.campaign.due_date(Stage.EVALUATION)
    if due is None:
        return None
    return datetime.combine(due + timedelta(days=1), time(0), BEIJING).astimezone(BEIJING)


def open_evaluation(
    user: User,
    nomination_id: int,
    *,
    opens_at: datetime,
    closes_at: datetime,
    member_count: int | None = None,
) -> MemberEvaluation:
    """The union opens its member evaluation and gets one token per member."""
    nomination = get_nomination(user, nomination_id)
    policy.require_run(user, nomination)
    if nomination.status != "member_evaluation":
        raise Conflict(
            _(
                "Only a nomination that passed its review and reached the member evaluation "
                "can open it."
            )
        )
    if evaluation_of(nomination.id) is not None:
        raise Conflict(_("The member evaluation of this nomination has already been opened."))
    errors: dict[str, list[str]] = {}
    opens_at, closes_at = as_utc(opens_at), as_utc(closes_at)
    if closes_at <= opens_at:
        errors["closes_at"] = [_("The end must be after the start.")]
    if closes_at <= utcnow():
        errors["closes_at"] = [_("The end must be in the future.")]
    deadline = evaluation_deadline(nomination)
    if deadline is not None and closes_at > deadline:
        errors["closes_at"] = [
            _(
                "The end cannot be after the campaign's evaluation deadline (%(day)s).",
                day=f"{(deadline - timedelta(days=1)):%Y-%m-%d}",
            )
        ]
    if member_count is None:
        member_count = default_member_count(nomination)
    if not member_count or member_count < 1:
        errors["member_count"] = [_("Please enter the number of members (at least 1).")]
    elif member_count > MAX_TOKENS:
        errors["member_count"] = [_("The number of members cannot exceed %(max)s.", max=MAX_TOKENS)]
    if errors:
        raise Invalid(_("The evaluation settings are invalid."), errors=errors)
    assert member_count is not None
    evaluation = MemberEvaluation(
        nomination_id=nomination.id,
        status=EvaluationStatus.OPEN,
        opens_at=opens_at,
        closes_at=closes_at,
        member_count=member_count,
        dimensions=dimensions_for(nomination),
        opened_by_id=user.id,
        opened_at=utcnow(),
    )
    db.session.add(evaluation)
    db.session.flush()
    new_tokens(evaluation, member_count, batch=1)
    from app.nominations.deadlines import store

    store(nomination.id)  # the step is now due when the window closes
    db.session.commit()
    # After the commit, so the job never runs before the evaluation exists.
    enqueue_at(closes_at, "app.evaluation.jobs.close_evaluation_job", evaluation.id)
    return evaluation
