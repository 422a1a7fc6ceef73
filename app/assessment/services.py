"""Self-assessment services: rounds, filling in, completeness, review comments, round diffs.

The only code that changes a self-assessment. Hooks registered with `app.nominations.effects`
keep rounds in step with the workflow: a round opens with the nomination, freezes on submit,
and a return opens the next round as a copy, leaving the submitted one as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.assessment.models import (
    FIGURE_FIELDS,
    AssessmentRound,
    EvidenceLink,
    ItemResponse,
    Rating,
    ReviewComment,
    RoundStatus,
)
from app.assessment.rates import FIGURE_LABELS, RateResult, compute_rates, figure_errors
from app.auth.models import Role, User
from app.auth.scope import ancestor_ids, holds_role_over
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import get_nomination
from app.standards.models import StandardItem, StandardVersion
from app.standards.services import items_for
from app.timeutil import utcnow

MAX_STATEMENT = 2000
MAX_COMMENT = 2000


# -- reading ------------------------------------------------------------------------------


def rounds_of(nomination_id: int) -> list[AssessmentRound]:
    return list(
        db.session.scalars(
            select(AssessmentRound)
            .where(AssessmentRound.nomination_id == nomination_id)
            .order_by(AssessmentRound.number)
        )
    )


def latest_round(nomination_id: int, *, lock: bool = False) -> AssessmentRound | None:
    """The nomination's latest round (highest number); `lock`: SELECT … FOR UPDATE."""
    stmt = (
        select(AssessmentRound)
        .where(AssessmentRound.nomination_id == nomination_id)
        .order_by(AssessmentRound.number.desc())
        .limit(1)
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(stmt)


def get_round(nomination: Nomination, number: int | None = None) -> AssessmentRound:
    stmt = select(AssessmentRound).where(AssessmentRound.nomination_id == nomination.id)
    stmt = (
        stmt.where(AssessmentRound.number == number)
        if number
        else stmt.order_by(AssessmentRound.number.desc()).limit(1)
    )
    found = db.session.scalar(stmt)
    if found is None:
        raise NotFound("没有这一轮自查。")
    return found


def category_of(nomination: Nomination) -> str:
    category = nomination.org.category
    if category is None:
        raise Conflict("申报单位未设置类别（企业 / 机关事业单位 / 区域性行业性），无法自查。")
    return str(category.value if hasattr(category, "value") else category)


@dataclass
class ItemView:
    """One item of a round as a page shows it: the item, the answer, evidence, comments."""

    item: StandardItem
    response: ItemResponse | None
    evidence: list[EvidenceLink] = field(default_factory=list)
    comments: list[ReviewComment] = field(default_factory=list)  # on this round
    previous_comments: list[ReviewComment] = field(default_factory=list)  # last return's


@dataclass
class RoundView:
    round: AssessmentRound
    version: StandardVersion
    category: str
    dimensions: list[tuple[str, list[ItemView]]]  # (dimension label, items) in order
    figures_required: list[str]
    figure_evidence: list[EvidenceLink]
    general_comments: list[ReviewComment]
    previous_general_comments: list[ReviewComment]
    rates: list[RateResult]
    problems: list[str]

    @property
    def item_count(self) -> int:
        return sum(len(items) for _, items in self.dimensions)

    @property
    def answered_count(self) -> int:
        return sum(
            1
            for _, items in self.dimensions
            for v in items
            if v.response is not None and v.response.rating
        )


def _answers(
    rnd: AssessmentRound, category: str
) -> tuple[StandardVersion, list[StandardItem], dict[int, ItemResponse]]:
    """The round's standard version, the category's items and the round's answers by item."""
    version = db.session.get(StandardVersion, rnd.standard_version_id)
    assert version is not None
    items = items_for(version.id, category)
    responses = {
        r.item_id: r
        for r in db.session.scalars(select(ItemResponse).where(ItemResponse.round_id == rnd.id))
    }
    return version, items, responses


def round_view(nomination: Nomination, rnd: AssessmentRound) -> RoundView:
    """Everything a self-assessment page needs, in a fixed number of queries."""
    category = category_of(nomination)
    version, items, responses = _answers(rnd, category)
    links = list(
        db.session.scalars(
            select(EvidenceLink)
            .where(EvidenceLink.round_id == rnd.id)
            .options(joinedload(EvidenceLink.evidence))
            .order_by(EvidenceLink.id)
        )
    )
    comments = list(
        db.session.scalars(
            select(ReviewComment)
            .where(ReviewComment.round_id == rnd.id)
            .options(joinedload(ReviewComment.author))
            .order_by(ReviewComment.id)
        )
    )
    previous: list[ReviewComment] = []
    if rnd.number > 1:
        previous = list(
            db.session.scalars(
                select(ReviewComment)
                .join(AssessmentRound)
                .where(
                    AssessmentRound.nomination_id == nomination.id,
                    AssessmentRound.number == rnd.number - 1,
                )
                .options(joinedload(ReviewComment.author))
                .order_by(ReviewComment.id)
            )
        )

    dimensions: list[tuple[str, list[ItemView]]] = []
    for item in items:
        view = ItemView(
            item,
            responses.get(item.id),
            [lk for lk in links if lk.item_id == item.id],
            [c for c in comments if c.item_id == item.id],
            [c for c in previous if c.item_id == item.id],
        )
        if not dimensions or dimensions[-1][0] != item.dimension_label:
            dimensions.append((item.dimension_label, []))
        dimensions[-1][1].append(view)
    figures = rnd.figures()
    return RoundView(
        round=rnd,
        version=version,
        category=category,
        dimensions=dimensions,
        figures_required=list(version.content["figures"][category]),
        figure_evidence=[lk for lk in links if lk.item_id is None],
        general_comments=[c for c in comments if c.item_id is None],
        previous_general_comments=[c for c in previous if c.item_id is None],
        rates=compute_rates(category, figures, thresholds_for(nomination, version)),
        problems=_problems(nomination, rnd, version, category, items, responses, links),
    )


def thresholds_for(nomination: Nomination, version: StandardVersion) -> dict[str, float]:
    return version.thresholds(category_of(nomination))


def _problems(
    nomination: Nomination,
    rnd: AssessmentRound,
    version: StandardVersion,
    category: str,
    items: list[StandardItem],
    responses: dict[int, ItemResponse],
    links: list[EvidenceLink],
) -> list[str]:
    """What stops this round from being submitted: missing, contradictory or below standard."""
    problems: list[str] = []
    figures = rnd.figures()
    required = version.content["figures"][category]
    missing = [FIGURE_LABELS[f] for f in required if figures.get(f) is None]
    if missing:
        problems.append("请填写关键数据：" + "、".join(missing) + "。")
    for messages in figure_errors(figures).values():
        problems.extend(messages)
    for rate in compute_rates(category, figures, version.thresholds(category)):
        if rate.value is None and rate.applicable and not missing:
            problems.append(f"{rate.label}：{rate.problem}。")
        elif rate.meets is False:
            problems.append(
                f"{rate.label} {rate.percent}，低于标准要求的 {rate.threshold_percent}。"
            )
    evidenced = {lk.item_id for lk in links}
    for item in items:
        where = f"{item.dimension_label}第 {item.number} 项"
        response = responses.get(item.id)
        if response is None or not response.rating:
            problems.append(f"{where}：尚未自评。")
            continue
        if response.rating == Rating.NOT_MET:
            problems.append(f"{where}：自评为未达标，达标后方可申报。")
        if not (response.statement or "").strip():
            problems.append(f"{where}：请填写情况说明。")
        if response.rating == Rating.MET and item.id not in evidenced:
            problems.append(f"{where}：请上传佐证材料。")
    return problems


def submission_problems(nomination: Nomination) -> list[str]:
    """The `submit` guard: the latest round must be editable and complete."""
    rnd = latest_round(nomination.id)
    if rnd is None:
        return ["尚未开始自查。"]
    if rnd.status != RoundStatus.EDITING:
        return ["当前自查已提交，不能重复提交。"]
    category = category_of(nomination)
    version, items, responses = _answers(rnd, category)
    links = list(db.session.scalars(select(EvidenceLink).where(EvidenceLink.round_id == rnd.id)))
    return _problems(nomination, rnd, version, category, items, responses, links)


# -- changing -----------------------------------------------------------------------------


def roles_over(user: User, nomination: Nomination) -> tuple[bool, bool]:
    """(union, reviewer): whether the user holds each role over the nomination's union."""
    ancestors = ancestor_ids(nomination.org_id)
    return (
        holds_role_over(user, Role.UNION, ancestors),
        holds_role_over(user, Role.REVIEWER, ancestors),
    )


def comments_visible(rnd: AssessmentRound, *, is_union: bool, is_reviewer: bool) -> bool:
    """Comments on a round under review are the reviewer's working notes until the decision:
    the nominated union sees them once the round is returned or decided."""
    return rnd.status != RoundStatus.SUBMITTED or not is_union or is_reviewer


def _require_union(user: User, nomination: Nomination) -> None:
    if not holds_role_over(user, Role.UNION, ancestor_ids(nomination.org_id)):
        raise Forbidden("只有申报单位的基层工会可以填写自查。")


NOT_EDITABLE = "当前申报不在可编辑状态（已提交审核或已结束）。"


def editing_round(nomination_id: int, *, lock: bool = False) -> AssessmentRound:
    """The round being edited (the latest, with status editing), else Conflict (409)."""
    rnd = latest_round(nomination_id, lock=lock)
    if rnd is None or rnd.status != RoundStatus.EDITING:
        raise Conflict(NOT_EDITABLE)
    return rnd


@dataclass
class Answer:
    rating: str | None = None
    statement: str | None = None


def save_self_assessment(
    user: User,
    nomination_id: int,
    *,
    figures: dict[str, int | None] | None = None,
    answers: dict[int, Answer] | None = None,
) -> AssessmentRound:
    """Save a draft, partly filled or complete. Nothing is saved when any field is invalid.

    `figures` and `answers` hold only what the form sent: fields not given keep their value.
    """
    nomination = get_nomination(user, nomination_id)
    _require_union(user, nomination)
    rnd = editing_round(nomination.id, lock=True)
    errors: dict[str, list[str]] = {}

    figures = dict(figures or {})
    for name in figures:
        if name not in FIGURE_FIELDS:
            errors[f"figures.{name}"] = ["未知的数据项。"]
    merged = {**rnd.figures(), **{k: v for k, v in figures.items() if k in FIGURE_FIELDS}}
    for name, messages in figure_errors(merged).items():
        errors[f"figures.{name}"] = messages

    answers = answers or {}
    version_items = {i.id: i for i in items_for(rnd.standard_version_id, category_of(nomination))}
    for item_id, answer in answers.items():
        item = version_items.get(item_id)
        key = f"items.{item_id}"
        if item is None:
            errors[key] = ["该指标项不属于本单位适用的标准。"]
            continue
        if answer.rating not in (None, "", *[r.value for r in Rating]):
            errors[f"{key}.rating"] = ["自评结果须为达标、未达标或不适用。"]
        elif answer.rating == Rating.NOT_APPLICABLE and not item.na_allowed:
            errors[f"{key}.rating"] = ["该项不允许选择“不适用”。"]
        if answer.statement and len(answer.statement) > MAX_STATEMENT:
            errors[f"{key}.statement"] = [f"情况说明不超过 {MAX_STATEMENT} 字。"]
    if errors:
        raise Invalid("自查内容有误，请按提示修改；尚未保存。", errors=errors)

    for name, value in figures.items():
        setattr(rnd, name, value)
    existing = {
        r.item_id: r
        for r in db.session.scalars(select(ItemResponse).where(ItemResponse.round_id == rnd.id))
    }
    for item_id, answer in answers.items():
        response = existing.get(item_id)
        if response is None:
            response = ItemResponse(round_id=rnd.id, item_id=item_id)
            db.session.add(response)
        response.rating = Rating(answer.rating) if answer.rating else None
        response.statement = (answer.statement or "").strip() or None
    rnd.updated_at = utcnow()
    nomination.updated_at = rnd.updated_at
    db.session.commit()
    return rnd


def _require_reviewer(user: User, nomination: Nomination) -> None:
    if not holds_role_over(user, Role.REVIEWER, ancestor_ids(nomination.org_id)):
        raise Forbidden("只有本区（县）总工会审核人可以填写审核意见。")


def add_review_comment(
    user: User, nomination_id: int, body: str, item_id: int | None = None
) -> ReviewComment:
    """A reviewer comments on one item (or, without item, on the figures / the whole)."""
    nomination = get_nomination(user, nomination_id)
    _require_reviewer(user, nomination)
    rnd = latest_round(nomination.id)
    if nomination.status != "submitted" or rnd is None or rnd.status != RoundStatus.SUBMITTED:
        raise Conflict("只能在审核阶段填写审核意见。")
    body = (body or "").strip()
    if not body:
        raise Invalid("请填写意见内容。", errors={"body": ["请填写意见内容。"]})
    if len(body) > MAX_COMMENT:
        raise Invalid("意见过长。", errors={"body": [f"意见不超过 {MAX_COMMENT} 字。"]})
    if item_id is not None:
        item = db.session.get(StandardItem, item_id)
        if item is None or item.version_id != rnd.standard_version_id:
            raise Invalid("指标项不存在。", errors={"item_id": ["指标项不存在。"]})
    comment = ReviewComment(round_id=rnd.id, item_id=item_id, author_id=user.id, body=body)
    db.session.add(comment)
    db.session.commit()
    return comment


def delete_review_comment(user: User, nomination_id: int, comment_id: int) -> None:
    nomination = get_nomination(user, nomination_id)
    _require_reviewer(user, nomination)
    comment = db.session.scalar(
        select(ReviewComment)
        .join(AssessmentRound)
        .where(ReviewComment.id == comment_id, AssessmentRound.nomination_id == nomination.id)
    )
    if comment is None:
        raise NotFound("意见不存在。")
    if comment.round.status != RoundStatus.SUBMITTED or comment.author_id != user.id:
        raise Conflict("只能删除本人在审核阶段填写的意见。")
    db.session.delete(comment)
    db.session.commit()


# -- comparing rounds ---------------------------------------------------------------------


@dataclass
class ItemChange:
    item: StandardItem
    old: ItemResponse | None
    new: ItemResponse | None
    evidence_added: list[str]
    evidence_removed: list[str]


@dataclass
class RoundDiff:
    old: AssessmentRound
    new: AssessmentRound
    figures: list[tuple[str, int | None, int | None]]  # (label, old, new)
    items: list[ItemChange]
    figure_evidence_added: list[str]
    figure_evidence_removed: list[str]

    @property
    def empty(self) -> bool:
        return not (
            self.figures or self.items or self.figure_evidence_added or self.figure_evidence_removed
        )


def diff_rounds(nomination: Nomination, old_number: int, new_number: int) -> RoundDiff:
    """What changed between two rounds: figures, item answers, evidence added or removed."""
    old, new = get_round(nomination, old_number), get_round(nomination, new_number)
    figures = [
        (FIGURE_LABELS[f], getattr(old, f), getattr(new, f))
        for f in FIGURE_FIELDS
        if getattr(old, f) != getattr(new, f)
    ]
    responses: dict[int, dict[int, ItemResponse]] = {old.id: {}, new.id: {}}
    for r in db.session.scalars(
        select(ItemResponse)
        .where(ItemResponse.round_id.in_([old.id, new.id]))
        .options(selectinload(ItemResponse.item))
    ):
        responses[r.round_id][r.item_id] = r
    links: dict[int, set[tuple[int | None, int, str]]] = {old.id: set(), new.id: set()}
    for lk in db.session.scalars(
        select(EvidenceLink)
        .where(EvidenceLink.round_id.in_([old.id, new.id]))
        .options(joinedload(EvidenceLink.evidence))
    ):
        links[lk.round_id].add((lk.item_id, lk.evidence_id, lk.evidence.original_name))
    added = links[new.id] - links[old.id]
    removed = links[old.id] - links[new.id]
    items = {i.id: i for i in items_for(new.standard_version_id, category_of(nomination))}
    changes = []
    for item_id, item in items.items():
        o, n = responses[old.id].get(item_id), responses[new.id].get(item_id)
        changed = (o.rating if o else None, o.statement if o else None) != (
            n.rating if n else None,
            n.statement if n else None,
        )
        ev_add = [name for (iid, _e, name) in added if iid == item_id]
        ev_rem = [name for (iid, _e, name) in removed if iid == item_id]
        if changed or ev_add or ev_rem:
            changes.append(ItemChange(item, o, n, sorted(ev_add), sorted(ev_rem)))
    return RoundDiff(
        old,
        new,
        figures,
        changes,
        sorted(name for (iid, _e, name) in added if iid is None),
        sorted(name for (iid, _e, name) in removed if iid is None),
    )


# -- summaries for other pages (read-only) ------------------------------------------------


@dataclass
class RoundSummary:
    """The latest round at a glance, for the nomination page's self-assessment card."""

    round: AssessmentRound
    numbers: list[int]  # every round's number, oldest first
    item_count: int
    answered_count: int
    rates: list[RateResult]
    comment_count: int  # reviewer comments on the latest round


def round_summary(nomination: Nomination) -> RoundSummary | None:
    """The latest round's progress and rates, in two queries (the nomination page's budget)."""
    if nomination.org.category is None:
        return None  # no standard applies; the self-assessment page explains why
    rounds = rounds_of(nomination.id)
    if not rounds:
        return None
    rnd = rounds[-1]
    category = category_of(nomination)
    item_count = (
        select(func.count())
        .select_from(StandardItem)
        .where(
            StandardItem.version_id == rnd.standard_version_id, StandardItem.category == category
        )
        .scalar_subquery()
    )
    answered = (
        select(func.count())
        .select_from(ItemResponse)
        .join(StandardItem)
        .where(
            ItemResponse.round_id == rnd.id,
            ItemResponse.rating.is_not(None),
            StandardItem.category == category,
        )
        .scalar_subquery()
    )
    comments = (
        select(func.count())
        .select_from(ReviewComment)
        .where(ReviewComment.round_id == rnd.id)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(StandardVersion.content, item_count, answered, comments).where(
            StandardVersion.id == rnd.standard_version_id
        )
    ).one()
    content, items, done, notes = row
    return RoundSummary(
        round=rnd,
        numbers=[r.number for r in rounds],
        item_count=items or 0,
        answered_count=done or 0,
        rates=compute_rates(category, rnd.figures(), content["thresholds"][category]),
        comment_count=notes or 0,
    )
