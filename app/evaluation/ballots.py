"""The member's ballot: what a one-time link asks, and casting it.

No login: the token is the credential, found by its digest (the table holds no token, see
app/evaluation/credentials.py). Spending it and storing the anonymous ballot happen in one
transaction, and nothing links the two (see app/evaluation/models.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.orm import joinedload

from app.errors import Conflict, Invalid
from app.evaluation.credentials import MAX_TOKEN_LENGTH, token_digest
from app.evaluation.models import (
    Ballot,
    BallotAnswer,
    BallotToken,
    Choice,
    EvaluationStatus,
    MemberEvaluation,
    TokenStatus,
)
from app.extensions import db
from app.nominations.models import Nomination
from app.timeutil import BEIJING, as_utc, beijing_today, utcnow

MAX_COMMENT = 500


class BallotRefused(Conflict):
    """The token cannot vote: unknown (404), or used, void, the window not open (409)."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def unknown_link() -> BallotRefused:
    """The refusal of a link nobody issued."""
    return BallotRefused(
        _("This evaluation link is not valid: please check it or contact your union."),
        status=404,
    )


def _used_link() -> BallotRefused:
    return BallotRefused(_("This evaluation link has already been used: each link votes once."))


@dataclass
class BallotForm:
    evaluation: MemberEvaluation
    union_name: str
    award_label: str


def _votable_evaluation(digest: str | None) -> MemberEvaluation:
    """The evaluation a token votes in, or BallotRefused saying why it cannot (one query)."""
    if digest is None:
        raise unknown_link()
    row = db.session.execute(
        select(BallotToken.status, MemberEvaluation)
        .join(MemberEvaluation, MemberEvaluation.id == BallotToken.evaluation_id)
        .where(BallotToken.token_hash == digest)
    ).first()
    if row is None:
        raise unknown_link()
    status, evaluation = row
    _refuse_unless_votable(status, evaluation)
    return evaluation


def _digest(token: str) -> str | None:
    """The digest to look `token` up by; None for what is too long to be a link we issued."""
    return token_digest(token) if len(token) <= MAX_TOKEN_LENGTH else None


def ballot_form(token: str) -> BallotForm:
    """What a member sees on opening the link, or BallotRefused saying why not."""
    evaluation = _votable_evaluation(_digest(token))
    nomination = db.session.scalar(
        select(Nomination)
        .options(joinedload(Nomination.org))
        .where(Nomination.id == evaluation.nomination_id)
    )
    assert nomination is not None
    return BallotForm(evaluation, nomination.org.name, nomination.award_label)


def _refuse_unless_votable(status: str, evaluation: MemberEvaluation) -> None:
    now = utcnow()
    if status == TokenStatus.USED:
        raise _used_link()
    if status == TokenStatus.VOID:
        raise BallotRefused(_("This evaluation link has been voided: please contact your union."))
    if evaluation.status != EvaluationStatus.OPEN or now >= as_utc(evaluation.closes_at):
        raise BallotRefused(_("This member evaluation has ended. Thank you for your interest."))
    if now < as_utc(evaluation.opens_at):
        opens = as_utc(evaluation.opens_at).astimezone(BEIJING)
        raise BallotRefused(
            _(
                "This member evaluation has not started yet; it opens at %(t)s (Beijing time).",
                t=f"{opens:%Y-%m-%d %H:%M}",
            )
        )


def cast_ballot(
    token: str, *, overall: str, answers: dict[str, str], comment: str | None = None
) -> None:
    """Spend the token and store the anonymous ballot, in one transaction.

    The UPDATE that spends the token only matches an unused token of an open evaluation, so
    of two racing requests exactly one spends it; the other changes nothing and is told.
    """
    digest = _digest(token)
    evaluation = _votable_evaluation(digest)  # precise refusal for the common cases
    errors: dict[str, list[str]] = {}
    choices = {c.value for c in Choice}
    if overall not in choices:
        errors["overall"] = [_("Please choose your overall evaluation.")]
    for dimension in evaluation.dimensions:
        if answers.get(dimension["code"]) not in choices:
            errors[f"answers.{dimension['code']}"] = [
                _("Please evaluate “%(label)s”.", label=dimension["label"])
            ]
    unknown = set(answers) - {d["code"] for d in evaluation.dimensions}
    if unknown:
        errors["answers"] = [_("The ballot holds questions that were not asked.")]
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        errors["comment"] = [
            _("Comments and suggestions have at most %(n)s characters.", n=MAX_COMMENT)
        ]
    if errors:
        raise Invalid(_("Please answer every question."), errors=errors)

    now = utcnow()
    # An UPDATE's result is a CursorResult, which Session.execute's types do not say.
    spent = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(BallotToken)
            .where(
                BallotToken.token_hash == digest,
                BallotToken.status == TokenStatus.UNUSED,
                BallotToken.evaluation_id.in_(
                    select(MemberEvaluation.id).where(
                        MemberEvaluation.status == EvaluationStatus.OPEN,
                        MemberEvaluation.opens_at <= now,
                        MemberEvaluation.closes_at > now,
                    )
                ),
            )
            .values(status=TokenStatus.USED)
        ),
    ).rowcount
    if spent != 1:
        db.session.rollback()
        raise _used_link()
    ballot_id = uuid.uuid4().hex
    db.session.execute(
        insert(Ballot),
        [
            {
                "id": ballot_id,
                "evaluation_id": evaluation.id,
                "voted_on": beijing_today(),
                "overall": overall,
                "comment": comment,
            }
        ],
    )
    db.session.execute(
        insert(BallotAnswer),
        [
            {"ballot_id": ballot_id, "dimension": code, "choice": choice}
            for code, choice in answers.items()
        ],
    )
    db.session.commit()
