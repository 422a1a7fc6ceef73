"""会员评家 services: open an evaluation, issue and void one-time tokens, vote, count, close.

The only code that changes an evaluation. Closing decides the nomination through the
workflow engine (`pass_evaluation` / `fail_evaluation`, system actions) in the same
transaction as the result.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from fractions import Fraction
from typing import Any

from flask import current_app, request
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import joinedload

from app.assessment.rates import satisfaction_threshold
from app.assessment.rounds import category_of, latest_round
from app.auth.models import Role, User
from app.auth.scope import ancestor_ids, holds_role_over
from app.campaigns.models import Stage
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.evaluation.models import (
    Ballot,
    BallotAnswer,
    BallotToken,
    Choice,
    EvaluationStatus,
    MemberEvaluation,
    PaperTally,
    TokenStatus,
)
from app.evidence.models import Evidence
from app.evidence.services import store_evidence
from app.extensions import db
from app.jobs import enqueue_at
from app.nominations.models import Nomination
from app.nominations.services import fire_stage_action, get_nomination
from app.standards.models import StandardItem, StandardVersion
from app.timeutil import BEIJING, as_utc, beijing_today, utcnow

MAX_TOKENS = 20_000  # one evaluation; a city's largest unions have fewer members
MAX_COMMENT = 500
RULES = {
    # which answers count towards the satisfaction rate
    "satisfied_or_basic": (Choice.SATISFIED, Choice.BASIC),
    "satisfied_only": (Choice.SATISFIED,),
}
DEFAULT_EARLY_CLOSE_TURNOUT = Fraction(1, 2)
SATISFACTION_DIMENSION = "satisfaction"


# -- reading ------------------------------------------------------------------------------


def evaluation_of(nomination_id: int) -> MemberEvaluation | None:
    return db.session.scalar(
        select(MemberEvaluation).where(MemberEvaluation.nomination_id == nomination_id)
    )


def get_evaluation(user: User, nomination_id: int) -> tuple[Nomination, MemberEvaluation]:
    nomination = get_nomination(user, nomination_id)
    evaluation = evaluation_of(nomination.id)
    if evaluation is None:
        raise NotFound("该申报尚未开启会员评家。")
    return nomination, evaluation


def is_union(user: User, nomination: Nomination) -> bool:
    return holds_role_over(user, Role.UNION, ancestor_ids(nomination.org_id))


def _require_union(user: User, nomination: Nomination) -> None:
    if not is_union(user, nomination):
        raise Forbidden("只有申报单位的基层工会可以组织会员评家。")


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


# -- opening and tokens -------------------------------------------------------------------


def _new_tokens(evaluation: MemberEvaluation, count: int, batch: int) -> None:
    start = (
        db.session.scalar(
            select(func.max(BallotToken.serial)).where(BallotToken.evaluation_id == evaluation.id)
        )
        or 0
    ) + 1
    now = utcnow()
    db.session.execute(
        insert(BallotToken),
        [
            {
                "evaluation_id": evaluation.id,
                "token": secrets.token_urlsafe(24),
                "serial": start + i,
                "batch": batch,
                "status": TokenStatus.UNUSED.value,
                "issued_at": now,
            }
            for i in range(count)
        ],
    )


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
    _require_union(user, nomination)
    if nomination.status != "member_evaluation":
        raise Conflict("只有审核通过、进入会员评家阶段的申报才能开启评家。")
    if evaluation_of(nomination.id) is not None:
        raise Conflict("本申报的会员评家已经开启。")
    errors: dict[str, list[str]] = {}
    opens_at, closes_at = as_utc(opens_at), as_utc(closes_at)
    if closes_at <= opens_at:
        errors["closes_at"] = ["结束时间须晚于开始时间。"]
    if closes_at <= utcnow():
        errors["closes_at"] = ["结束时间须晚于当前时间。"]
    deadline = evaluation_deadline(nomination)
    if deadline is not None and closes_at > deadline:
        errors["closes_at"] = [
            f"结束时间不能晚于评选活动的评家截止日（{(deadline - timedelta(days=1)):%Y-%m-%d}）。"
        ]
    if member_count is None:
        member_count = default_member_count(nomination)
    if not member_count or member_count < 1:
        errors["member_count"] = ["请填写会员人数（至少 1 人）。"]
    elif member_count > MAX_TOKENS:
        errors["member_count"] = [f"会员人数不能超过 {MAX_TOKENS}。"]
    if errors:
        raise Invalid("评家设置有误。", errors=errors)
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
    _new_tokens(evaluation, member_count, batch=1)
    from app.nominations.deadlines import store

    store(nomination.id)  # the step is now due when the window closes
    db.session.commit()
    # After the commit, so the job never runs before the evaluation exists.
    enqueue_at(closes_at, "app.evaluation.jobs.close_evaluation_job", evaluation.id)
    return evaluation


def _open_evaluation_for_union(user: User, nomination_id: int) -> MemberEvaluation:
    nomination, evaluation = get_evaluation(user, nomination_id)
    _require_union(user, nomination)
    if evaluation.status != EvaluationStatus.OPEN:
        raise Conflict("会员评家已结束。")
    return evaluation


def issue_tokens(user: User, nomination_id: int, count: int) -> int:
    """More tokens (members who joined since); returns the batch number."""
    evaluation = _open_evaluation_for_union(user, nomination_id)
    issued = turnout(evaluation).issued
    if count < 1 or issued + count > MAX_TOKENS:
        raise Invalid(
            "增发数量有误。", errors={"count": [f"请填写 1 至 {MAX_TOKENS - issued} 之间的数量。"]}
        )
    batch = (
        db.session.scalar(
            select(func.max(BallotToken.batch)).where(BallotToken.evaluation_id == evaluation.id)
        )
        or 0
    ) + 1
    _new_tokens(evaluation, count, batch)
    evaluation.member_count = max(evaluation.member_count, issued + count)
    db.session.commit()
    return batch


def void_tokens(user: User, nomination_id: int, serials: list[int]) -> int:
    """Void unused tokens (lost slips); a used token stays counted. Returns how many."""
    evaluation = _open_evaluation_for_union(user, nomination_id)
    if not serials:
        raise Invalid("请填写要作废的编号。", errors={"serials": ["请填写要作废的编号。"]})
    voided = db.session.execute(
        update(BallotToken)
        .where(
            BallotToken.evaluation_id == evaluation.id,
            BallotToken.serial.in_(serials),
            BallotToken.status == TokenStatus.UNUSED,
        )
        .values(status=TokenStatus.VOID)
    ).rowcount
    db.session.commit()
    return int(voided or 0)


def tokens_for_print(
    user: User, nomination_id: int, *, batch: int | None = None, unused_only: bool = True
) -> tuple[Nomination, list[BallotToken]]:
    """The union's tokens to print or export (the union alone may see them)."""
    nomination, evaluation = get_evaluation(user, nomination_id)
    _require_union(user, nomination)
    stmt = select(BallotToken).where(BallotToken.evaluation_id == evaluation.id)
    if batch is not None:
        stmt = stmt.where(BallotToken.batch == batch)
    if unused_only:
        stmt = stmt.where(BallotToken.status == TokenStatus.UNUSED)
    return nomination, list(db.session.scalars(stmt.order_by(BallotToken.serial)))


def public_base_url() -> str:
    """Where members open their links: PUBLIC_BASE_URL if configured, else this host."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    return str(configured or request.host_url).rstrip("/")


# -- voting -------------------------------------------------------------------------------


class BallotRefused(Conflict):
    """The token cannot vote: unknown (404), or used, void, the window not open (409)."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class BallotForm:
    evaluation: MemberEvaluation
    union_name: str
    award_label: str


def _votable_evaluation(token: str) -> MemberEvaluation:
    """The evaluation a token votes in, or BallotRefused saying why it cannot (one query)."""
    row = db.session.execute(
        select(BallotToken.status, MemberEvaluation)
        .join(MemberEvaluation, MemberEvaluation.id == BallotToken.evaluation_id)
        .where(BallotToken.token == token)
    ).first()
    if row is None:
        raise BallotRefused("评价链接无效，请核对链接或联系本单位工会。", status=404)
    status, evaluation = row
    _refuse_unless_votable(status, evaluation)
    return evaluation


def ballot_form(token: str) -> BallotForm:
    """What a member sees on opening the link, or BallotRefused saying why not."""
    evaluation = _votable_evaluation(token)
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
        raise BallotRefused("该评价链接已经使用过，每个链接只能评价一次。")
    if status == TokenStatus.VOID:
        raise BallotRefused("该评价链接已作废，请联系本单位工会。")
    if evaluation.status != EvaluationStatus.OPEN or now >= as_utc(evaluation.closes_at):
        raise BallotRefused("本次会员评家已结束，感谢您的关注。")
    if now < as_utc(evaluation.opens_at):
        opens = as_utc(evaluation.opens_at).astimezone(BEIJING)
        raise BallotRefused(f"本次会员评家尚未开始，开始时间：{opens:%Y-%m-%d %H:%M}（北京时间）。")


def cast_ballot(
    token: str, *, overall: str, answers: dict[str, str], comment: str | None = None
) -> None:
    """Spend the token and store the anonymous ballot, in one transaction.

    The UPDATE that spends the token only matches an unused token of an open evaluation, so
    of two racing requests exactly one spends it; the other changes nothing and is told.
    """
    evaluation = _votable_evaluation(token)  # precise refusal for the common cases
    errors: dict[str, list[str]] = {}
    choices = {c.value for c in Choice}
    if overall not in choices:
        errors["overall"] = ["请选择总体评价。"]
    for dimension in evaluation.dimensions:
        if answers.get(dimension["code"]) not in choices:
            errors[f"answers.{dimension['code']}"] = [f"请评价“{dimension['label']}”。"]
    unknown = set(answers) - {d["code"] for d in evaluation.dimensions}
    if unknown:
        errors["answers"] = ["包含未知的评价项。"]
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        errors["comment"] = [f"意见建议不超过 {MAX_COMMENT} 字。"]
    if errors:
        raise Invalid("请完成所有评价项。", errors=errors)

    now = utcnow()
    spent = db.session.execute(
        update(BallotToken)
        .where(
            BallotToken.token == token,
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
    ).rowcount
    if spent != 1:
        db.session.rollback()
        raise BallotRefused("该评价链接已经使用过，每个链接只能评价一次。")
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


# -- paper ballots and the union's report -------------------------------------------------


def enter_paper_tally(
    user: User,
    nomination_id: int,
    *,
    satisfied: int,
    basic: int,
    dissatisfied: int,
    invalid: int = 0,
    tally_sheet: Any = None,
    dimension_counts: dict[str, dict[str, int]] | None = None,
) -> PaperTally:
    """Record the paper ballots' counts with the scanned tally sheet (replaces earlier)."""
    evaluation = _open_evaluation_for_union(user, nomination_id)
    nomination = db.session.get(Nomination, evaluation.nomination_id)
    assert nomination is not None
    errors: dict[str, list[str]] = {}
    for name, value in (
        ("satisfied", satisfied),
        ("basic", basic),
        ("dissatisfied", dissatisfied),
        ("invalid", invalid),
    ):
        if value is None or value < 0:
            errors[name] = ["请填写不小于 0 的整数。"]
    valid = sum(v for v in (satisfied, basic, dissatisfied) if v and v > 0)
    online = turnout(evaluation).voted_online
    if not errors and valid + online > evaluation.member_count:
        errors["satisfied"] = [
            f"纸质有效票 {valid} 张加网上 {online} 票，超过会员人数 {evaluation.member_count}。"
        ]
    dims = {d["code"] for d in evaluation.dimensions}
    for code, counts in (dimension_counts or {}).items():
        if (
            code not in dims
            or set(counts) - {c.value for c in Choice}
            or any((n or 0) < 0 for n in counts.values())
        ):
            errors[f"dimension_counts.{code}"] = ["分项票数有误。"]
        elif sum(counts.values()) > valid:
            errors[f"dimension_counts.{code}"] = ["分项票数之和不能超过有效票数。"]
    previous = evaluation.paper_tally
    if tally_sheet is None or not getattr(tally_sheet, "filename", None):
        if previous is None:
            errors["tally_sheet"] = ["请上传计票表扫描件或照片。"]
    if errors:
        raise Invalid("纸质票统计有误。", errors=errors)

    def attach(evidence: Evidence | None, _is_new: bool = False) -> PaperTally:
        tally = previous or PaperTally(evaluation_id=evaluation.id)
        tally.satisfied, tally.basic, tally.dissatisfied = satisfied, basic, dissatisfied
        tally.invalid = invalid or 0
        tally.dimension_counts = dimension_counts or None
        if evidence is not None:
            tally.evidence_id = evidence.id
        tally.entered_by_id, tally.entered_at = user.id, utcnow()
        db.session.add(tally)
        return tally

    if tally_sheet is not None and getattr(tally_sheet, "filename", None):
        return store_evidence(user, nomination, tally_sheet, attach)
    tally = attach(None)
    db.session.commit()
    return tally


def save_report(
    user: User, nomination_id: int, *, process_notes: str | None, rectification_measures: str | None
) -> MemberEvaluation:
    """The union's account of the process and its 整改措施, for the higher union."""
    nomination, evaluation = get_evaluation(user, nomination_id)
    _require_union(user, nomination)
    errors = {
        k: ["不超过 5000 字。"]
        for k, v in (
            ("process_notes", process_notes),
            ("rectification_measures", rectification_measures),
        )
        if v and len(v) > 5000
    }
    if errors:
        raise Invalid("内容过长。", errors=errors)
    evaluation.process_notes = (process_notes or "").strip() or None
    evaluation.rectification_measures = (rectification_measures or "").strip() or None
    db.session.commit()
    return evaluation


# -- closing ------------------------------------------------------------------------------


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
    """Why a result does not pass (empty when it does): no ballot, rate or turnout too low."""
    reasons = []
    if rate is None:
        reasons.append("没有有效票。")
    elif threshold is not None and rate < threshold:
        reasons.append(f"满意率 {float(rate) * 100:.1f}%，低于标准 {float(threshold) * 100:g}%。")
    if min_turnout is not None and turnout is not None and turnout < min_turnout:
        reasons.append(
            f"参评率 {float(turnout) * 100:.1f}%，低于要求的 {float(min_turnout) * 100:g}%。"
        )
    return reasons


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


def close_evaluation(evaluation_id: int, *, actor: User | None = None) -> Decision:
    """Count, decide and move the nomination on, in one transaction (idempotent)."""
    evaluation = db.session.get(MemberEvaluation, evaluation_id, with_for_update=True)
    if evaluation is None:
        raise NotFound("会员评家不存在。")
    nomination = db.session.get(Nomination, evaluation.nomination_id)
    assert nomination is not None
    if evaluation.status == EvaluationStatus.CLOSED:
        raise Conflict("会员评家已经结束。")
    decision = decide(evaluation, nomination)
    totals = decision.totals
    evaluation.status = EvaluationStatus.CLOSED
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
    rate_text = (
        f"满意率 {float(decision.rate) * 100:.1f}%" if decision.rate is not None else "无有效票"
    )
    note = (
        f"会员评家结束：有效票 {decision.valid} 张，{rate_text}，"
        f"参评率 {float(decision.turnout) * 100:.1f}%。" + "".join(decision.reasons)
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
    evaluation = _open_evaluation_for_union(user, nomination_id)
    nomination = db.session.get(Nomination, evaluation.nomination_id)
    assert nomination is not None
    needed = early_close_turnout(nomination)
    current = turnout(evaluation)
    if current.rate < needed:
        raise Conflict(f"参评率 {current.percent}，达到 {float(needed) * 100:g}% 后才能提前结束。")
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
