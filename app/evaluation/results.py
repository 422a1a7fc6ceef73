"""会员评家 counts and the decision: the live turnout (counts only), the tallies by option
(online and paper apart, overall and per dimension) and the result held against the
category's threshold and the campaign's minimum turnout.

The fail reasons are records (the closing's audit comment, the report PDF): they stay in
Chinese, as the figures stored at closing say them.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.assessment.rates import satisfaction_threshold
from app.assessment.rounds import category_of
from app.evaluation.models import (
    Ballot,
    BallotAnswer,
    BallotToken,
    Choice,
    MemberEvaluation,
    TokenStatus,
)
from app.extensions import db
from app.i18n import DEFAULT_LOCALE
from app.nominations.models import Nomination
from app.standards.models import StandardVersion

RULES = {
    # which answers count towards the satisfaction rate
    "satisfied_or_basic": (Choice.SATISFIED, Choice.BASIC),
    "satisfied_only": (Choice.SATISFIED,),
}


@dataclass
class Turnout:
    """Counts only: never individual ballots, comments or times."""

    member_count: int
    issued: int  # tokens not voided
    voted_online: int
    paper: int  # valid paper ballots

    @property
    def voted(self) -> int:
        return self.voted_online + self.paper

    @property
    def rate(self) -> Fraction:
        return Fraction(self.voted, self.member_count) if self.member_count else Fraction(0)

    @property
    def percent(self) -> str:
        return f"{float(self.rate) * 100:.1f}%"


def turnout(evaluation: MemberEvaluation) -> Turnout:
    issued, used = db.session.execute(
        select(
            func.count().filter(BallotToken.status != TokenStatus.VOID),
            func.count().filter(BallotToken.status == TokenStatus.USED),
        ).where(BallotToken.evaluation_id == evaluation.id)
    ).one()
    tally = evaluation.paper_tally
    return Turnout(evaluation.member_count, issued, used, tally.valid if tally else 0)


@dataclass
class Counts:
    satisfied: int = 0
    basic: int = 0
    dissatisfied: int = 0

    @property
    def total(self) -> int:
        return self.satisfied + self.basic + self.dissatisfied

    def add(self, other: Counts) -> Counts:
        return Counts(
            self.satisfied + other.satisfied,
            self.basic + other.basic,
            self.dissatisfied + other.dissatisfied,
        )

    def rate(self, rule: str) -> Fraction | None:
        if not self.total:
            return None
        counted = sum(getattr(self, c.value) for c in RULES[rule])
        return Fraction(counted, self.total)


@dataclass
class Results:
    online: Counts
    paper: Counts
    paper_invalid: int
    dimensions: list[tuple[dict[str, str], Counts, Counts]]  # (dimension, online, paper)
    comments: list[str]

    @property
    def total(self) -> Counts:
        return self.online.add(self.paper)


def _counts(rows: Any) -> Counts:
    counts = Counts()
    for choice, n in rows:
        setattr(counts, Choice(choice).value, n)
    return counts


def results(evaluation: MemberEvaluation, *, with_comments: bool = False) -> Results:
    """Tallies by option, overall and per dimension, online and paper apart (GROUP BY)."""
    online = _counts(
        db.session.execute(
            select(Ballot.overall, func.count())
            .where(Ballot.evaluation_id == evaluation.id)
            .group_by(Ballot.overall)
        )
    )
    per_dimension: dict[str, Counts] = {}
    for dimension, choice, n in db.session.execute(
        select(BallotAnswer.dimension, BallotAnswer.choice, func.count())
        .join(Ballot, Ballot.id == BallotAnswer.ballot_id)
        .where(Ballot.evaluation_id == evaluation.id)
        .group_by(BallotAnswer.dimension, BallotAnswer.choice)
    ):
        setattr(per_dimension.setdefault(dimension, Counts()), Choice(choice).value, n)
    tally = evaluation.paper_tally
    paper = Counts(tally.satisfied, tally.basic, tally.dissatisfied) if tally else Counts()
    paper_dims = (tally.dimension_counts or {}) if tally else {}
    dimensions = [
        (d, per_dimension.get(d["code"], Counts()), Counts(**paper_dims.get(d["code"], {})))
        for d in evaluation.dimensions
    ]
    comments: list[str] = []
    if with_comments:
        # Ordered by the text itself: neither issue nor voting order can be read from it.
        comments = list(
            db.session.scalars(
                select(Ballot.comment)
                .where(Ballot.evaluation_id == evaluation.id, Ballot.comment.is_not(None))
                .order_by(Ballot.comment)
            )
        )
    return Results(online, paper, tally.invalid if tally else 0, dimensions, comments)


# -- the decision -------------------------------------------------------------------------


@dataclass
class Decision:
    valid: int
    counted: int
    rate: Fraction | None
    threshold: Fraction
    turnout: Fraction
    min_turnout: Fraction | None
    passed: bool
    reasons: list[str]
    totals: Counts  # online and paper together


def fail_reasons(
    rate: Fraction | float | None,
    threshold: Fraction | float | None,
    turnout: Fraction | float | None,
    min_turnout: Fraction | float | None,
) -> list[str]:
    """Why a result does not pass (empty when it does): no ballot, rate or turnout too low.

    In the reader's language; a record (the audit comment, the report) asks for them in
    Chinese with `in_chinese`."""
    reasons = []
    if rate is None:
        reasons.append(_("No valid ballots."))
    elif threshold is not None and rate < threshold:
        reasons.append(
            _(
                "Satisfaction %(rate)s, below the standard of %(threshold)s.",
                rate=f"{float(rate) * 100:.1f}%",
                threshold=f"{float(threshold) * 100:g}%",
            )
        )
    if min_turnout is not None and turnout is not None and turnout < min_turnout:
        reasons.append(
            _(
                "Turnout %(turnout)s, below the required %(minimum)s.",
                turnout=f"{float(turnout) * 100:.1f}%",
                minimum=f"{float(min_turnout) * 100:g}%",
            )
        )
    return reasons


def chinese_stored_reasons(evaluation: MemberEvaluation) -> list[str]:
    """`stored_reasons` as a record states them (the report), whatever the reader's language."""
    with force_locale(DEFAULT_LOCALE):
        return stored_reasons(evaluation)


def reasons_in_chinese(decision: Decision) -> list[str]:
    """The decision's reasons as a record states them, whatever the reader's language."""
    with force_locale(DEFAULT_LOCALE):
        return fail_reasons(
            decision.rate, decision.threshold, decision.turnout, decision.min_turnout
        )


def stored_reasons(evaluation: MemberEvaluation) -> list[str]:
    """Why a closed evaluation did not pass, from the figures stored when it closed."""

    def num(value: Any) -> float | None:
        return None if value is None else float(value)

    return fail_reasons(
        num(evaluation.satisfaction_rate),
        num(evaluation.threshold),
        num(evaluation.turnout),
        num(evaluation.min_turnout),
    )


def decide(evaluation: MemberEvaluation, nomination: Nomination) -> Decision:
    """The result held against the category's threshold and the campaign's minimum turnout."""
    campaign = nomination.campaign
    rule = campaign.evaluation_rule or "satisfied_or_basic"
    totals = results(evaluation).total
    version = db.session.get(StandardVersion, nomination.campaign.standard_version_id)
    assert version is not None
    category = category_of(nomination)
    threshold = satisfaction_threshold(
        category, bool(nomination.org.is_state_owned), version.thresholds(category)
    )
    rate = totals.rate(rule)
    counted = sum(getattr(totals, c.value) for c in RULES[rule])
    turn = turnout(evaluation).rate
    min_turnout = (
        Fraction(str(campaign.evaluation_min_turnout))
        if campaign.evaluation_min_turnout is not None
        else None
    )
    reasons = fail_reasons(rate, threshold, turn, min_turnout)
    return Decision(
        totals.total, counted, rate, threshold, turn, min_turnout, not reasons, reasons, totals
    )
