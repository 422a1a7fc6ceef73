"""The on-site check log, its conclusion, and the rectification loop.

Who does what:
- the assigned inspectors keep the log (visit date and place, a finding per standard item
  with notes and photos, the member interview sample) and agree a conclusion: one proposes
  it, each of the others agrees to exactly that text; when every assigned inspector (at
  least the campaign's number) has agreed, it takes effect through the engine —
  合格 → `candidate`, 限期整改 → `rectification`, 不合格 → `spot_check_failed`;
- the union answers each item it must rectify with a statement and evidence, and submits;
- the inspectors (or the district reviewer, as the campaign sets) accept → `candidate`, or
  reject → `spot_check_failed`; past the deadline without an answer they may reject.

Everyone else who may see the nomination sees the log read-only (the union only once the
conclusion has taken effect). A check outside the user's scope is "not found".
Every change locks the check's row, so two inspectors saving at once queue rather than
overwrite, and an agreement names the conclusion it agrees to (its fingerprint).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.assessment.rounds import category_of
from app.auth.models import Role, User
from app.auth.scope import ancestor_ids, holds_role_over, role_orgs
from app.campaigns.models import Campaign
from app.errors import Conflict, Forbidden, Invalid, NotFound, StaleVersion
from app.evidence.models import Evidence
from app.evidence.services import store_evidence
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import _flush_state_change, fire_stage_action, get_nomination
from app.spot_checks.models import (
    CheckFinding,
    CheckPhoto,
    Conclusion,
    Finding,
    RectificationResponse,
    SpotCheck,
    SpotCheckAssignment,
)
from app.standards.models import StandardItem, StandardVersion
from app.standards.services import items_for
from app.timeutil import beijing_today, utcnow

FINDING_LABELS = {Finding.MEETS: "符合", Finding.PARTLY: "基本符合", Finding.FAILS: "不符合"}
CONCLUSION_LABELS = {
    Conclusion.PASS: "合格",
    Conclusion.RECTIFY: "限期整改",
    Conclusion.FAIL: "不合格",
}
CONCLUSION_ACTION = {
    Conclusion.PASS: "pass_check",
    Conclusion.RECTIFY: "order_rectification",
    Conclusion.FAIL: "fail_check",
}
MAX_NOTES = 2000
MAX_PLACE = 200
NOT_FOUND = "抽查记录不存在或您无权查看。"


# -- reading ------------------------------------------------------------------------------


def _load(check_id: int, *, lock: bool = False) -> SpotCheck | None:
    stmt = select(SpotCheck).where(SpotCheck.id == check_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(stmt)


def get_check(user: User, check_id: int, *, lock: bool = False) -> tuple[SpotCheck, Nomination]:
    """A check of a nomination the user may see (an inspector: only their own); else 404."""
    check = _load(check_id, lock=lock)
    if check is None:
        raise NotFound(NOT_FOUND)
    try:
        nomination = get_nomination(user, check.nomination_id)
    except NotFound:
        raise NotFound(NOT_FOUND) from None
    if hidden_from_union(user, check, nomination):
        raise NotFound(NOT_FOUND)
    return check, nomination


def hidden_from_union(user: User, check: SpotCheck, nomination: Nomination) -> bool:
    """The union sees the log once the conclusion is out, unless it is also on the team or
    holds a higher role over the nomination (the check's page and the nomination's card)."""
    if check.concluded_at is not None or not role_orgs(user, [Role.UNION]):
        return False  # (no query for a user without the union role)
    return (
        not is_assigned(user, check)
        and is_union_of(user, nomination)
        and not _holds_other_role(user, nomination)
    )


def check_of(nomination_id: int) -> SpotCheck | None:
    return db.session.scalar(select(SpotCheck).where(SpotCheck.nomination_id == nomination_id))


def is_union_of(user: User, nomination: Nomination) -> bool:
    return holds_role_over(user, Role.UNION, ancestor_ids(nomination.org_id))


def _holds_other_role(user: User, nomination: Nomination) -> bool:
    above = ancestor_ids(nomination.org_id)
    return any(holds_role_over(user, r, above) for r in (Role.REVIEWER, Role.CITY, Role.ADMIN))


def is_assigned(user: User, check: SpotCheck) -> bool:
    return any(a.inspector_id == user.id for a in check.assignments)


def rectification_overdue(check: SpotCheck, status: str) -> bool:
    """Ordered to rectify, not handed in, and the deadline (a Beijing date) has passed."""
    deadline = check.rectification_deadline
    return (
        status == "rectification"
        and deadline is not None
        and check.rectification_submitted_at is None
        and beijing_today() > deadline
    )


def fingerprint(check: SpotCheck) -> str:
    """Names one proposed conclusion: an agreement is to exactly this text."""
    data = [
        check.conclusion,
        check.conclusion_notes,
        sorted(check.rectification_items or []),
        check.rectification_deadline.isoformat() if check.rectification_deadline else None,
    ]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass
class ItemFinding:
    item: StandardItem
    finding: CheckFinding | None

    @property
    def value(self) -> str | None:
        return self.finding.finding if self.finding and self.finding.finding else None

    @property
    def photos(self) -> list[CheckPhoto]:
        return list(self.finding.photos) if self.finding else []


@dataclass
class CheckView:
    """Everything the check page and the API show, loaded in a fixed number of queries."""

    check: SpotCheck
    nomination: Nomination
    campaign: Campaign
    category: str
    dimensions: list[tuple[str, list[ItemFinding]]]
    rate: Fraction | None
    rate_threshold: Fraction | None
    problems: list[str]  # what stops the proposed conclusion (or any conclusion) now
    responses: dict[int, RectificationResponse] = field(default_factory=dict)
    response_evidence: dict[int, Evidence] = field(default_factory=dict)

    @property
    def items(self) -> list[ItemFinding]:
        return [f for _, row in self.dimensions for f in row]

    @property
    def counts(self) -> dict[str, int]:
        counts = {f.value: 0 for f in Finding}
        counts["none"] = 0
        for row in self.items:
            counts[row.value or "none"] += 1
        return counts

    @property
    def required(self) -> int:
        return self.campaign.inspectors_per_check

    @property
    def agreed(self) -> list[SpotCheckAssignment]:
        return [a for a in self.check.assignments if a.agreed_at is not None]

    @property
    def rate_percent(self) -> str:
        return "—" if self.rate is None else f"{float(self.rate) * 100:.1f}%"

    @property
    def rectify_items(self) -> list[ItemFinding]:
        wanted = set(self.check.rectification_items or [])
        return [f for f in self.items if f.item.id in wanted]

    @property
    def overdue(self) -> bool:
        return rectification_overdue(self.check, self.nomination.status)

    def response_files(self, item_id: int) -> list[Evidence]:
        response = self.responses.get(item_id)
        ids = (response.evidence_ids or []) if response else []
        return [self.response_evidence[i] for i in ids if i in self.response_evidence]


def _version(campaign: Campaign) -> StandardVersion:
    version = db.session.get(StandardVersion, campaign.standard_version_id)
    if version is None:
        raise Conflict("该评选活动没有评价标准，无法抽查。")
    return version


def sample_threshold(nomination: Nomination, version: StandardVersion) -> Fraction | None:
    """The interview sample's least satisfaction rate, where the standard sets one (区域性)."""
    value = version.thresholds(category_of(nomination)).get("spot_check_satisfaction_rate")
    return Fraction(str(value)) if value is not None else None


def sample_rate(check: SpotCheck) -> Fraction | None:
    if not check.interviewed or check.interviewed_satisfied is None:
        return None
    return Fraction(check.interviewed_satisfied, check.interviewed)


def check_view(check: SpotCheck, nomination: Nomination) -> CheckView:
    campaign = nomination.campaign
    version = _version(campaign)
    category = category_of(nomination)
    items = items_for(version.id, category)
    findings = {
        f.item_id: f
        for f in db.session.scalars(
            select(CheckFinding)
            .where(CheckFinding.spot_check_id == check.id)
            .options(selectinload(CheckFinding.photos).joinedload(CheckPhoto.evidence))
        )
    }
    dimensions: list[tuple[str, list[ItemFinding]]] = []
    for item in items:
        if not dimensions or dimensions[-1][0] != item.dimension_label:
            dimensions.append((item.dimension_label, []))
        dimensions[-1][1].append(ItemFinding(item, findings.get(item.id)))
    responses = {
        r.item_id: r
        for r in db.session.scalars(
            select(RectificationResponse).where(RectificationResponse.spot_check_id == check.id)
        )
    }
    evidence_ids = {i for r in responses.values() for i in (r.evidence_ids or [])}
    evidence = (
        {
            e.id: e
            for e in db.session.scalars(
                select(Evidence).where(
                    Evidence.id.in_(evidence_ids), Evidence.nomination_id == nomination.id
                )
            )
        }
        if evidence_ids
        else {}
    )
    view = CheckView(
        check,
        nomination,
        campaign,
        category,
        dimensions,
        sample_rate(check),
        sample_threshold(nomination, version),
        [],
        responses,
        evidence,
    )
    if check.conclusion is not None:
        view.problems = conclusion_problems(view, Conclusion(check.conclusion))
    return view


def conclusion_problems(view: CheckView, conclusion: Conclusion) -> list[str]:
    """What stops `conclusion` from being agreed, in Chinese, ready to show."""
    check = view.check
    problems: list[str] = []
    if check.visited_on is None or not (check.place or "").strip():
        problems.append("请填写检查日期和地点。")
    missing = [f for f in view.items if f.value is None]
    if missing:
        problems.append(f"还有 {len(missing)} 项未填写检查结果。")
    if not check.interviewed:
        problems.append("请填写会员访谈抽样情况（访谈人数和满意人数）。")
    fails = [f for f in view.items if f.value == Finding.FAILS]
    if conclusion == Conclusion.PASS:
        if fails:
            problems.append(f"有 {len(fails)} 项不符合，不能判定合格，请选择限期整改或不合格。")
        if (
            view.rate is not None
            and view.rate_threshold is not None
            and view.rate < view.rate_threshold
        ):
            problems.append(
                f"访谈抽样满意率 {view.rate_percent}，低于标准要求的 "
                f"{float(view.rate_threshold) * 100:g}%，不能判定合格。"
            )
    if conclusion == Conclusion.RECTIFY:
        if not check.rectification_items:
            problems.append("限期整改须列明整改项目。")
        if check.rectification_deadline is None:
            problems.append("限期整改须确定整改期限。")
    if len(check.assignments) < view.required:
        problems.append(
            f"本次抽查须有 {view.required} 名抽查员，目前只有 {len(check.assignments)} 名。"
        )
    return problems


# -- the log (assigned inspectors, while the check is open) --------------------------------


def _inspecting(user: User, check_id: int) -> tuple[SpotCheck, Nomination]:
    check, nomination = get_check(user, check_id, lock=True)
    require_log_keeper(user, check, nomination)
    return check, nomination


def require_log_keeper(user: User, check: SpotCheck, nomination: Nomination) -> None:
    """Only an assigned inspector keeps the log, and only while the check is open."""
    if not is_assigned(user, check):
        raise Forbidden("只有指派的抽查员可以填写抽查记录。")
    if nomination.status != "spot_check":
        raise Conflict("抽查结论已生效，抽查记录不能再修改。")


def _changed(check: SpotCheck) -> None:
    """The log changed: earlier agreements no longer hold."""
    check.updated_at = utcnow()
    for assignment in check.assignments:
        assignment.agreed_at = None


def _int_or_error(
    value: Any, field_name: str, label: str, errors: dict[str, list[str]]
) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors[field_name] = [f"{label}须为整数。"]
        return None
    if number < 0:
        errors[field_name] = [f"{label}不能为负数。"]
        return None
    return number


def save_visit(
    user: User,
    check_id: int,
    *,
    visited_on: date | None,
    place: str | None,
    interviewed: Any = None,
    interviewed_satisfied: Any = None,
) -> SpotCheck:
    """Date, place and the member interview sample. Commits."""
    check, _ = _inspecting(user, check_id)
    errors: dict[str, list[str]] = {}
    place = (place or "").strip() or None
    if place and len(place) > MAX_PLACE:
        errors["place"] = [f"地点不超过 {MAX_PLACE} 个字。"]
    if visited_on is not None and visited_on > beijing_today():
        errors["visited_on"] = ["检查日期不能晚于今天。"]
    asked = _int_or_error(interviewed, "interviewed", "访谈人数", errors)
    satisfied = _int_or_error(interviewed_satisfied, "interviewed_satisfied", "满意人数", errors)
    if asked is not None and satisfied is not None and satisfied > asked:
        errors["interviewed_satisfied"] = [f"满意人数（{satisfied}）不能大于访谈人数（{asked}）。"]
    if asked is not None and satisfied is None and "interviewed_satisfied" not in errors:
        errors["interviewed_satisfied"] = ["请填写满意人数。"]
    if errors:
        raise Invalid("抽查记录有误。", errors=errors)
    new = (visited_on, place, asked, satisfied)
    if new != (check.visited_on, check.place, check.interviewed, check.interviewed_satisfied):
        check.visited_on, check.place = visited_on, place
        check.interviewed, check.interviewed_satisfied = asked, satisfied
        _changed(check)
    db.session.commit()
    return check


def _item_ids(nomination: Nomination) -> set[int]:
    return {i.id for i in items_for(_version(nomination.campaign).id, category_of(nomination))}


def save_findings(user: User, check_id: int, answers: dict[int, dict[str, Any]]) -> int:
    """Findings per item: {item_id: {"finding": "meets"|"partly"|"fails"|None, "notes": str}}.

    Items left out are unchanged. Returns how many items were saved. Commits.
    """
    check, nomination = _inspecting(user, check_id)
    valid = _item_ids(nomination)
    errors: dict[str, list[str]] = {}
    clean: dict[int, tuple[str | None, str | None]] = {}
    for raw_id, answer in answers.items():
        try:
            item_id = int(raw_id)
        except (TypeError, ValueError):
            item_id = -1
        if item_id not in valid:
            errors[f"item_{raw_id}"] = ["不是本次抽查的指标项。"]
            continue
        value = answer.get("finding") or None
        if value is not None and value not in {f.value for f in Finding}:
            errors[f"finding_{item_id}"] = ["请选择符合、基本符合或不符合。"]
            continue
        notes = (answer.get("notes") or "").strip() or None
        if notes and len(notes) > MAX_NOTES:
            errors[f"notes_{item_id}"] = [f"说明不超过 {MAX_NOTES} 个字。"]
            continue
        clean[item_id] = (value, notes)
    if errors:
        raise Invalid("抽查记录有误。", errors=errors)
    existing = {
        f.item_id: f
        for f in db.session.scalars(
            select(CheckFinding).where(CheckFinding.spot_check_id == check.id)
        )
    }
    changed = False
    for item_id, (value, notes) in clean.items():
        finding = existing.get(item_id)
        if finding is None and value is None and notes is None:
            continue  # nothing said about this item
        if finding is None:
            db.session.add(
                CheckFinding(
                    spot_check_id=check.id,
                    item_id=item_id,
                    finding=value,
                    notes=notes,
                    updated_by_id=user.id,
                )
            )
            changed = True
        elif (finding.finding, finding.notes) != (value, notes):
            finding.finding, finding.notes, finding.updated_by_id = value, notes, user.id
            changed = True
    if changed:
        _changed(check)
    db.session.commit()
    return len(clean)


def add_photo(user: User, check_id: int, item_id: int | str, file_storage: Any) -> CheckPhoto:
    """A photo taken on site for one item; same checks as any evidence upload. Commits."""
    check, nomination = _inspecting(user, check_id)
    try:
        item = int(item_id)
    except (TypeError, ValueError):
        item = -1
    if item not in _item_ids(nomination):
        raise Invalid("照片须对应本次抽查的指标项。", errors={"item_id": ["请选择指标项。"]})

    def attach(evidence: Evidence, is_new: bool) -> CheckPhoto:
        if evidence.kind != "image":
            raise Invalid("现场照片须为图片（JPEG、PNG 等）。", errors={"file": ["请上传照片。"]})
        locked = _load(check.id, lock=True)
        assert locked is not None
        finding = db.session.scalar(
            select(CheckFinding).where(
                CheckFinding.spot_check_id == check.id, CheckFinding.item_id == item
            )
        )
        if finding is None:
            finding = CheckFinding(spot_check_id=check.id, item_id=item, updated_by_id=user.id)
            db.session.add(finding)
            db.session.flush()
        photo = db.session.scalar(
            select(CheckPhoto).where(
                CheckPhoto.finding_id == finding.id, CheckPhoto.evidence_id == evidence.id
            )
        )
        if photo is None:
            photo = CheckPhoto(finding_id=finding.id, evidence_id=evidence.id)
            db.session.add(photo)
        locked.updated_at = utcnow()
        return photo

    return store_evidence(user, nomination, file_storage, attach)


def remove_photo(user: User, check_id: int, photo_id: int) -> None:
    check, _ = _inspecting(user, check_id)
    photo = db.session.scalar(
        select(CheckPhoto)
        .join(CheckFinding)
        .where(CheckPhoto.id == photo_id, CheckFinding.spot_check_id == check.id)
    )
    if photo is None:
        raise NotFound("照片不存在或已删除。")
    db.session.delete(photo)
    check.updated_at = utcnow()
    db.session.commit()


# -- the conclusion -----------------------------------------------------------------------


def propose_conclusion(
    user: User,
    check_id: int,
    *,
    conclusion: str,
    notes: str | None,
    items: list[int] | None = None,
    deadline: date | None = None,
) -> SpotCheck:
    """One inspector proposes the conclusion and agrees to it; the others must agree too.
    Commits; when every assigned inspector has agreed the conclusion takes effect."""
    check, nomination = _inspecting(user, check_id)
    errors: dict[str, list[str]] = {}
    try:
        chosen = Conclusion(conclusion)
    except ValueError:
        raise Invalid(
            "请选择抽查结论。", errors={"conclusion": ["请选择合格、限期整改或不合格。"]}
        ) from None
    notes = (notes or "").strip() or None
    if notes and len(notes) > MAX_NOTES:
        errors["notes"] = [f"结论意见不超过 {MAX_NOTES} 个字。"]
    if chosen != Conclusion.PASS and not notes:
        errors["notes"] = [f"“{CONCLUSION_LABELS[chosen]}”须写明意见。"]
    wanted: list[int] = []
    if chosen == Conclusion.RECTIFY:
        valid = _item_ids(nomination)
        try:
            wanted = sorted({int(i) for i in items or []})
        except (TypeError, ValueError):
            wanted = [-1]
        if not wanted:
            errors["items"] = ["请选择需要整改的项目。"]
        elif not set(wanted) <= valid:
            errors["items"] = ["整改项目须为本次抽查的指标项。"]
        if deadline is None:
            errors["deadline"] = ["请填写整改期限。"]
        elif deadline <= beijing_today():
            errors["deadline"] = ["整改期限须晚于今天。"]
    if errors:
        raise Invalid("抽查结论有误。", errors=errors)
    check.conclusion = chosen
    check.conclusion_notes = notes
    check.rectification_items = wanted or None
    check.rectification_deadline = deadline if chosen == Conclusion.RECTIFY else None
    _changed(check)
    view = check_view(check, nomination)
    problems = conclusion_problems(view, chosen)
    if problems:
        db.session.rollback()  # nothing of the refused proposal stays
        raise Conflict("暂不能提出该结论：", problems=problems)
    return _agree_and_commit(user, check, nomination)


def agree(user: User, check_id: int, expected: str) -> SpotCheck:
    """An assigned inspector agrees to the proposed conclusion named by `expected`."""
    check, nomination = _inspecting(user, check_id)
    if check.conclusion is None:
        raise Conflict("还没有人提出抽查结论。")
    if expected != fingerprint(check):
        raise StaleVersion("抽查结论已被修改，请重新查看后再确认。")
    problems = conclusion_problems(check_view(check, nomination), Conclusion(check.conclusion))
    if problems:
        raise Conflict("暂不能确认该结论：", problems=problems)
    return _agree_and_commit(user, check, nomination)


def _agree_and_commit(user: User, check: SpotCheck, nomination: Nomination) -> SpotCheck:
    mine = next(a for a in check.assignments if a.inspector_id == user.id)
    mine.agreed_at = utcnow()
    _take_effect_if_agreed(check, nomination, user)
    db.session.commit()
    return check


def _take_effect_if_agreed(check: SpotCheck, nomination: Nomination, user: User) -> None:
    required = nomination.campaign.inspectors_per_check
    if len(check.assignments) < required or any(a.agreed_at is None for a in check.assignments):
        return
    conclusion = Conclusion(check.conclusion)
    comment = f"抽查结论：{CONCLUSION_LABELS[conclusion]}。"
    if check.conclusion_notes:
        comment += check.conclusion_notes
    if conclusion == Conclusion.RECTIFY and check.rectification_deadline:
        comment += f"（整改期限 {check.rectification_deadline.isoformat()}）"
    check.concluded_at = utcnow()
    fire_stage_action(nomination, CONCLUSION_ACTION[conclusion], actor=user, comment=comment)
    _flush_state_change()


# -- rectification ------------------------------------------------------------------------


def _rectifying(user: User, check_id: int) -> tuple[SpotCheck, Nomination]:
    check, nomination = get_check(user, check_id, lock=True)
    if not is_union_of(user, nomination):
        raise Forbidden("只有被检查单位的工会可以填写整改情况。")
    if nomination.status != "rectification":
        raise Conflict("该申报不在限期整改中。")
    if check.rectification_submitted_at is not None:
        raise Conflict("整改情况已提交，等待验收。")
    return check, nomination


def _rectify_item(check: SpotCheck, item_id: int | str) -> int:
    try:
        item = int(item_id)
    except (TypeError, ValueError):
        item = -1
    if item not in (check.rectification_items or []):
        raise Invalid("不是要求整改的项目。", errors={"item_id": ["请选择整改项目。"]})
    return item


def _response(check: SpotCheck, item: int) -> RectificationResponse:
    response = db.session.scalar(
        select(RectificationResponse).where(
            RectificationResponse.spot_check_id == check.id, RectificationResponse.item_id == item
        )
    )
    if response is None:
        response = RectificationResponse(spot_check_id=check.id, item_id=item, evidence_ids=[])
        db.session.add(response)
    return response


def save_responses(user: User, check_id: int, statements: dict[int | str, str]) -> None:
    """The union's statement per item to rectify. Commits."""
    check, _ = _rectifying(user, check_id)
    errors: dict[str, list[str]] = {}
    clean: dict[int, str | None] = {}
    for raw, text in statements.items():
        item = _rectify_item(check, raw)
        text = (text or "").strip() or None
        if text and len(text) > MAX_NOTES:
            errors[f"statement_{item}"] = [f"整改说明不超过 {MAX_NOTES} 个字。"]
        clean[item] = text
    if errors:
        raise Invalid("整改情况有误。", errors=errors)
    for item, text in clean.items():
        response = _response(check, item)
        response.statement = text
        response.updated_at = utcnow()
    db.session.commit()


def add_response_file(user: User, check_id: int, item_id: int | str, file_storage: Any) -> Evidence:
    """Evidence of one item's rectification; same checks as any upload. Commits."""
    check, nomination = _rectifying(user, check_id)
    item = _rectify_item(check, item_id)

    def attach(evidence: Evidence, is_new: bool) -> Evidence:
        locked = _load(check.id, lock=True)
        assert locked is not None
        if locked.rectification_submitted_at is not None:
            raise Conflict("整改情况已提交，等待验收。")
        response = _response(locked, item)
        ids = list(response.evidence_ids or [])
        if evidence.id not in ids:
            response.evidence_ids = [*ids, evidence.id]
        response.updated_at = utcnow()
        return evidence

    return store_evidence(user, nomination, file_storage, attach)


def remove_response_file(user: User, check_id: int, item_id: int | str, evidence_id: int) -> None:
    check, _ = _rectifying(user, check_id)
    item = _rectify_item(check, item_id)
    response = _response(check, item)
    if evidence_id not in (response.evidence_ids or []):
        raise NotFound("该整改材料不存在或已移除。")
    response.evidence_ids = [i for i in response.evidence_ids if i != evidence_id]
    response.updated_at = utcnow()
    db.session.commit()


def rectification_problems(view: CheckView) -> list[str]:
    problems = []
    for row in view.rectify_items:
        response = view.responses.get(row.item.id)
        where = f"{row.item.dimension_label}第 {row.item.number} 项"
        if response is None or not (response.statement or "").strip():
            problems.append(f"{where}：请填写整改情况说明。")
        if response is None or not response.evidence_ids:
            problems.append(f"{where}：请上传整改佐证材料。")
    return problems


def submit_rectification(user: User, check_id: int) -> SpotCheck:
    """The union hands in its answers for acceptance. Commits."""
    check, nomination = _rectifying(user, check_id)
    problems = rectification_problems(check_view(check, nomination))
    if problems:
        raise Conflict("整改情况尚不完整：", problems=problems)
    check.rectification_submitted_at = utcnow()
    check.updated_at = utcnow()
    db.session.commit()
    return check


def may_decide_rectification(user: User, check: SpotCheck, nomination: Nomination) -> bool:
    if nomination.campaign.rectification_reviewer == "reviewer":
        return holds_role_over(user, Role.REVIEWER, ancestor_ids(nomination.org_id))
    return is_assigned(user, check)


def decide_rectification(
    user: User, check_id: int, *, accept: bool, comment: str | None
) -> SpotCheck:
    """Accept (→ candidate) or reject (→ spot_check_failed) the rectification. Commits."""
    check, nomination = get_check(user, check_id, lock=True)
    if not may_decide_rectification(user, check, nomination):
        by_reviewer = nomination.campaign.rectification_reviewer == "reviewer"
        who = "所属区（县）总工会审核人" if by_reviewer else "指派的抽查员"
        raise Forbidden(f"本次活动的整改由{who}验收。")
    if nomination.status != "rectification":
        raise Conflict("该申报不在限期整改中。")
    comment = (comment or "").strip() or None
    if accept and check.rectification_submitted_at is None:
        raise Conflict("被检查单位尚未提交整改情况，不能验收通过。")
    if not accept:
        if not comment:
            raise Invalid("验收不通过须写明理由。", errors={"comment": ["请填写意见。"]})
        deadline = check.rectification_deadline
        if check.rectification_submitted_at is None and deadline and beijing_today() <= deadline:
            raise Conflict(f"整改期限（{deadline.isoformat()}）未到，且单位尚未提交整改情况。")
    check.rectification_decision = "accept" if accept else "reject"
    check.rectification_decided_at = utcnow()
    check.rectification_decided_by_id = user.id
    check.updated_at = utcnow()
    fire_stage_action(
        nomination,
        "accept_rectification" if accept else "reject_rectification",
        actor=user,
        comment=comment,
    )
    _flush_state_change()
    db.session.commit()
    return check


def my_checks(user: User) -> list[tuple[SpotCheck, Nomination]]:
    """The inspector's assignments, open ones first (one query)."""
    rows = db.session.execute(
        select(SpotCheck, Nomination)
        .join(SpotCheckAssignment, SpotCheckAssignment.spot_check_id == SpotCheck.id)
        .join(Nomination, Nomination.id == SpotCheck.nomination_id)
        .options(joinedload(Nomination.org), joinedload(Nomination.campaign))
        .where(SpotCheckAssignment.inspector_id == user.id)
        .order_by((Nomination.status != "spot_check"), SpotCheck.id.desc())
    ).all()
    return [(c, n) for c, n in rows]
