"""表彰 services: the only code that selects, publishes, answers objections, commends,
orders rectification of or revokes an honour. State changes go through the engine
(`fire_stage_action`) with their audit rows, in the transaction of the change.

- The city ranks and selects candidates; a district's selection never exceeds its quota.
- Publishing puts the selected candidates in `publicity` for the campaign's number of
  working days on the city's calendar, and the other candidates in `not_commended`.
- Anyone may object to a listed candidate while the list is up (rate-limited per address;
  contact details stay private). Every objection is answered: dismissed, or upheld → the
  candidate is not commended, or must rectify first.
- Commendation is issued after the period and only with every objection answered: a
  decision number (文号) and date, a certificate per home (serial and verification code).
- A commended home can be ordered to rectify, or its title revoked; the honour roll and
  the public certificate check show it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from app.assessment.models import AssessmentRound, ItemResponse
from app.auth.models import Role, User
from app.auth.scope import ancestor_ids, holds_role_over
from app.calendar.services import period_of_working_days
from app.campaigns.models import Campaign, CampaignQuota
from app.commendation.models import (
    Certificate,
    Commendation,
    HonourRectification,
    Objection,
    ObjectionStatus,
    Publicity,
    PublicityEntry,
    Selection,
)
from app.commendation.policy import is_city_for, require_city
from app.errors import Conflict, Forbidden, Invalid, NotFound, TooManyAttempts
from app.evaluation.models import MemberEvaluation
from app.evidence.models import Evidence
from app.evidence.services import store_evidence
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import _flush_state_change, fire_stage_action, get_nomination
from app.orgs.models import DISTRICT_LEVELS, Organization, OrgClosure
from app.spot_checks.models import SpotCheck
from app.timeutil import beijing_today, utcnow

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud, typed by hand
MAX_TEXT = 2000
MIN_OBJECTION = 10
MAX_RANK = 9999  # a rank is stored as an integer column; keep it well inside it
CHECK_LABELS = {"pass": "抽查合格", "rectify": "整改后合格", "fail": "抽查不合格"}


# -- who may act --------------------------------------------------------------------------


def get_campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("评选活动不存在。")
    return campaign


# -- the decision board -------------------------------------------------------------------


@dataclass
class CandidateRow:
    nomination: Nomination
    district_id: int | None
    district_name: str
    rank: int | None
    selected: bool
    items_met: int = 0
    items_total: int = 0
    membership_rate: Fraction | None = None
    satisfaction_rate: float | None = None
    check: str = "未抽中"

    @property
    def membership_percent(self) -> str:
        rate = self.membership_rate
        return "—" if rate is None else f"{float(rate) * 100:.1f}%"

    @property
    def satisfaction_percent(self) -> str:
        rate = self.satisfaction_rate
        return "—" if rate is None else f"{float(rate) * 100:.1f}%"


@dataclass
class DistrictQuota:
    district_id: int
    name: str
    quota: int
    selected: int = 0
    candidates: int = 0

    @property
    def over(self) -> bool:
        return self.selected > self.quota


@dataclass
class Board:
    campaign: Campaign
    rows: list[CandidateRow]
    districts: list[DistrictQuota]

    @property
    def selected(self) -> list[CandidateRow]:
        return [r for r in self.rows if r.selected]


def _district_of() -> tuple[Any, Any]:
    district = db.aliased(Organization)
    link = db.aliased(OrgClosure)
    return district, link


def candidate_rows(
    campaign_id: int, statuses: tuple[str, ...] = ("candidate",)
) -> list[CandidateRow]:
    """The campaign's nominations in `statuses` with what the decision needs (two queries)."""
    district, link = _district_of()
    rows = db.session.execute(
        select(
            Nomination,
            district.id,
            district.name,
            Selection.rank,
            Selection.selected,
            MemberEvaluation.satisfaction_rate,
            SpotCheck.conclusion,
            SpotCheck.rectification_decision,
        )
        .join(Nomination.org)
        .outerjoin(link, and_(link.descendant_id == Nomination.org_id))
        .outerjoin(
            district, and_(district.id == link.ancestor_id, district.level.in_(DISTRICT_LEVELS))
        )
        .outerjoin(Selection, Selection.nomination_id == Nomination.id)
        .outerjoin(MemberEvaluation, MemberEvaluation.nomination_id == Nomination.id)
        .outerjoin(SpotCheck, SpotCheck.nomination_id == Nomination.id)
        .options(joinedload(Nomination.org))
        .where(Nomination.campaign_id == campaign_id, Nomination.status.in_(statuses))
        .order_by(Nomination.id)
    ).all()
    found: dict[int, CandidateRow] = {}
    for nomination, did, dname, rank, selected, rate, conclusion, decision in rows:
        row = found.get(nomination.id)
        if row is None:
            row = found[nomination.id] = CandidateRow(
                nomination,
                None,
                "",
                rank,
                bool(selected),
                satisfaction_rate=float(rate) if rate is not None else None,
                check=(
                    "未抽中"
                    if conclusion is None
                    else CHECK_LABELS["rectify"]
                    if decision == "accept"
                    else CHECK_LABELS.get(conclusion, "抽查中")
                ),
            )
        if did is not None:
            row.district_id, row.district_name = did, dname
    _add_self_assessment(list(found.values()))
    return sorted(
        found.values(),
        key=lambda r: (r.rank is None, r.rank or 0, r.district_name, r.nomination.id),
    )


def _add_self_assessment(rows: list[CandidateRow]) -> None:
    """Items met and the membership rate of each nomination's latest round (one query)."""
    if not rows:
        return
    ids = [r.nomination.id for r in rows]
    latest = (
        select(AssessmentRound.nomination_id, func.max(AssessmentRound.number).label("n"))
        .where(AssessmentRound.nomination_id.in_(ids))
        .group_by(AssessmentRound.nomination_id)
        .subquery()
    )
    met = func.count(ItemResponse.id).filter(ItemResponse.rating == "met")
    data = db.session.execute(
        select(
            AssessmentRound.nomination_id,
            AssessmentRound.member_count,
            AssessmentRound.staff_count,
            met,
            func.count(ItemResponse.id),
        )
        .join(
            latest,
            and_(
                latest.c.nomination_id == AssessmentRound.nomination_id,
                latest.c.n == AssessmentRound.number,
            ),
        )
        .outerjoin(ItemResponse, ItemResponse.round_id == AssessmentRound.id)
        .group_by(
            AssessmentRound.id,
            AssessmentRound.nomination_id,
            AssessmentRound.member_count,
            AssessmentRound.staff_count,
        )
    ).all()
    by_id = {r.nomination.id: r for r in rows}
    for nid, members, staff, items_met, items_total in data:
        row = by_id[nid]
        row.items_met, row.items_total = items_met, items_total
        if members is not None and staff:
            row.membership_rate = Fraction(members, staff)


def quotas(campaign: Campaign, rows: list[CandidateRow]) -> list[DistrictQuota]:
    """Each district's quota against its selected candidates (one query)."""
    found = {
        did: DistrictQuota(did, name, quota)
        for did, name, quota in db.session.execute(
            select(CampaignQuota.district_id, Organization.name, CampaignQuota.quota)
            .join(Organization, Organization.id == CampaignQuota.district_id)
            .where(CampaignQuota.campaign_id == campaign.id)
            .order_by(Organization.code)
        )
    }
    for row in rows:
        if row.district_id is None:
            continue
        entry = found.setdefault(
            row.district_id, DistrictQuota(row.district_id, row.district_name, 0)
        )
        entry.candidates += 1
        entry.selected += row.selected
    # the homes already on a published list or commended count against the quota too
    district, link = _district_of()
    for did, count in db.session.execute(
        select(district.id, func.count(Nomination.id))
        .join(link, link.descendant_id == Nomination.org_id)
        .join(district, and_(district.id == link.ancestor_id, district.level.in_(DISTRICT_LEVELS)))
        .where(
            Nomination.campaign_id == campaign.id,
            Nomination.status.in_(("publicity", "commended", "honour_rectification")),
        )
        .group_by(district.id)
    ):
        if did in found:
            found[did].selected += count
    return list(found.values())


def board(user: User, campaign_id: int) -> Board:
    campaign = get_campaign(campaign_id)
    require_city(user, campaign)
    rows = candidate_rows(campaign.id)
    return Board(campaign, rows, quotas(campaign, rows))


def _quota_problems(districts: list[DistrictQuota]) -> dict[str, list[str]]:
    return {
        f"district_{d.district_id}": [
            f"{d.name}名额 {d.quota} 个，已选 {d.selected} 个，超出名额。"
            if d.quota
            else f"{d.name}未分配名额，不能入选。"
        ]
        for d in districts
        if d.over
    }


def save_selection(user: User, campaign_id: int, choices: dict[int, dict[str, Any]]) -> Board:
    """{nomination_id: {"selected": bool, "rank": int | None}} for candidates of the campaign.
    Refused as a whole when a district would exceed its quota. Commits."""
    campaign = get_campaign(campaign_id)
    require_city(user, campaign)
    rows = candidate_rows(campaign.id)
    by_id = {r.nomination.id: r for r in rows}
    errors: dict[str, list[str]] = {}
    for raw_id, choice in choices.items():
        nid = int(raw_id)
        if nid not in by_id:
            errors[f"nomination_{raw_id}"] = ["不是本次活动的表彰候选。"]
            continue
        rank = choice.get("rank")
        if rank in ("", None):
            rank = None
        else:
            try:
                rank = int(rank)
            except (TypeError, ValueError):
                rank = 0
            if rank < 1:
                errors[f"rank_{nid}"] = ["排序须为正整数。"]
                continue
            if rank > MAX_RANK:
                errors[f"rank_{nid}"] = [f"排序不超过 {MAX_RANK}。"]
                continue
        by_id[nid].rank = rank
        by_id[nid].selected = bool(choice.get("selected"))
    if errors:
        raise Invalid("候选名单有误。", errors=errors)
    districts = quotas(campaign, rows)
    over = _quota_problems(districts)
    if over:
        db.session.rollback()
        raise Invalid("超出名额，未保存：", errors=over)
    existing = {
        s.nomination_id: s
        for s in db.session.scalars(
            select(Selection).where(Selection.nomination_id.in_(list(by_id)))
        )
    }
    for nid in choices:
        row = by_id[int(nid)]
        selection = existing.get(row.nomination.id)
        if selection is None:
            selection = Selection(nomination_id=row.nomination.id)
            db.session.add(selection)
        selection.rank, selection.selected = row.rank, row.selected
        selection.updated_by_id, selection.updated_at = user.id, utcnow()
    db.session.commit()
    return Board(campaign, rows, districts)


# -- publishing ---------------------------------------------------------------------------


def publish_list(
    user: User, campaign_id: int, *, starts_on: date | None = None, title: str | None = None
) -> Publicity:
    """Selected candidates → `publicity`; the other candidates → `not_commended`. Commits."""
    campaign = get_campaign(campaign_id)
    require_city(user, campaign)
    starts_on = starts_on or beijing_today()
    if starts_on < beijing_today():
        raise Invalid(
            "公示开始日期不能早于今天。", errors={"starts_on": ["请选择今天或以后的日期。"]}
        )
    rows = candidate_rows(campaign.id)
    chosen = [r for r in rows if r.selected]
    if not chosen:
        raise Conflict("还没有选定表彰对象，不能公示。")
    over = _quota_problems(quotas(campaign, rows))
    if over:
        raise Conflict("超出名额，不能公示：", problems=[m for ms in over.values() for m in ms])
    # The list goes up on `starts_on` (a weekend or holiday too); the period counts working
    # days from the first working day on.
    try:
        _, last = period_of_working_days(starts_on, campaign.publicity_working_days)
    except ValueError as exc:  # a calendar without working days for a year
        raise Conflict(str(exc)) from None
    first = starts_on
    publicity = Publicity(
        campaign_id=campaign.id,
        working_days=campaign.publicity_working_days,
        title=(title or "").strip() or f"{campaign.name}拟表彰名单公示",
        starts_on=first,
        ends_on=last,
        published_at=utcnow(),
        published_by_id=user.id,
    )
    db.session.add(publicity)
    for position, row in enumerate(chosen, start=1):
        publicity.entries.append(PublicityEntry(nomination_id=row.nomination.id, position=position))
    db.session.flush()  # the entries exist before the state changes read their period
    for row in chosen:
        fire_stage_action(
            row.nomination,
            "publish",
            actor=user,
            comment=f"列入拟表彰名单公示（{first.isoformat()} 至 {last.isoformat()}）。",
        )
    for row in rows:
        if not row.selected:
            fire_stage_action(
                row.nomination, "not_select", actor=user, comment="未列入本次拟表彰名单。"
            )
    _flush_state_change()
    db.session.commit()
    return publicity


def get_publicity(publicity_id: int) -> Publicity:
    publicity = db.session.get(Publicity, publicity_id)
    if publicity is None:
        raise NotFound("公示不存在。")
    return publicity


def is_open(publicity: Publicity) -> bool:
    return publicity.starts_on <= beijing_today() <= publicity.ends_on


def has_gone_up(publicity: Publicity, user: User | None) -> bool:
    """Whether the user may see the list: anyone from its first day on, the organising city
    before it too."""
    if publicity.starts_on <= beijing_today():
        return True
    return (
        user is not None
        and user.is_authenticated
        and is_city_for(user, get_campaign(publicity.campaign_id))
    )


def publicities(campaign_id: int | None = None) -> list[Publicity]:
    stmt = select(Publicity).order_by(Publicity.starts_on.desc(), Publicity.id.desc())
    if campaign_id is not None:
        stmt = stmt.where(Publicity.campaign_id == campaign_id)
    return list(db.session.scalars(stmt))


@dataclass
class PublicEntry:
    position: int
    nomination_id: int
    unit: str
    district: str
    award: str
    status: str


def public_entries(publicity: Publicity) -> list[PublicEntry]:
    """The published list as the public sees it (one query)."""
    district, link = _district_of()
    rows = db.session.execute(
        select(PublicityEntry.position, Nomination, district.name)
        .join(Nomination, Nomination.id == PublicityEntry.nomination_id)
        .join(Nomination.org)
        .outerjoin(link, link.descendant_id == Nomination.org_id)
        .outerjoin(
            district, and_(district.id == link.ancestor_id, district.level.in_(DISTRICT_LEVELS))
        )
        .options(joinedload(Nomination.org))
        .where(PublicityEntry.publicity_id == publicity.id)
        .order_by(PublicityEntry.position)
    ).all()
    found: dict[int, PublicEntry] = {}
    for position, nomination, dname in rows:
        entry = found.get(nomination.id) or PublicEntry(
            position,
            nomination.id,
            nomination.nominee_name or nomination.org.name,
            "",
            nomination.award_label,
            nomination.status,
        )
        if dname:
            entry.district = dname
        found[nomination.id] = entry
    return list(found.values())


# -- objections ---------------------------------------------------------------------------


def address_hash(address: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()


def lodge_objection(
    publicity_id: int,
    nomination_id: int,
    *,
    body: str,
    name: str | None,
    contact: str,
    address: str,
) -> Objection:
    """Anyone objects to a listed candidate while the list is up. Commits."""
    publicity = get_publicity(publicity_id)
    if not is_open(publicity):
        raise Conflict(
            f"公示期为 {publicity.starts_on.isoformat()} 至 "
            f"{publicity.ends_on.isoformat()}，现在不在公示期内。"
        )
    listed = db.session.scalar(
        select(PublicityEntry).where(
            PublicityEntry.publicity_id == publicity.id,
            PublicityEntry.nomination_id == nomination_id,
        )
    )
    if listed is None:
        raise NotFound("该单位不在本次公示名单中。")
    errors: dict[str, list[str]] = {}
    body = (body or "").strip()
    if len(body) < MIN_OBJECTION:
        errors["body"] = [f"请写明异议的具体事实和理由（至少 {MIN_OBJECTION} 个字）。"]
    elif len(body) > MAX_TEXT:
        errors["body"] = [f"异议内容不超过 {MAX_TEXT} 个字。"]
    contact = (contact or "").strip()
    if not contact:
        errors["contact"] = ["请留下联系电话或电子邮箱，以便答复（不会公开）。"]
    elif len(contact) > 100:
        errors["contact"] = ["联系方式不超过 100 个字符。"]
    name = (name or "").strip() or None
    if name and len(name) > 50:
        errors["name"] = ["姓名不超过 50 个字。"]
    if errors:
        raise Invalid("异议内容有误。", errors=errors)
    digest = address_hash(address)
    limit = int(current_app.config["OBJECTIONS_PER_ADDRESS_PER_DAY"])
    recent = db.session.scalar(
        select(func.count())
        .select_from(Objection)
        .where(
            Objection.address_hash == digest, Objection.created_at >= utcnow() - timedelta(hours=24)
        )
    )
    if recent >= limit:
        raise TooManyAttempts(f"同一网络地址 24 小时内最多提交 {limit} 条异议，请稍后再试。")
    objection = Objection(
        publicity_id=publicity.id,
        nomination_id=nomination_id,
        body=body,
        name=name,
        contact=contact,
        address_hash=digest,
        created_at=utcnow(),
    )
    db.session.add(objection)
    db.session.commit()
    return objection


def objections(campaign_id: int, *, open_only: bool = False) -> list[Objection]:
    stmt = (
        select(Objection)
        .join(Publicity)
        .options(
            joinedload(Objection.nomination).joinedload(Nomination.org),
            joinedload(Objection.answered_by),
        )
        .where(Publicity.campaign_id == campaign_id)
        .order_by(Objection.id)
    )
    if open_only:
        stmt = stmt.where(Objection.status == ObjectionStatus.OPEN)
    return list(db.session.scalars(stmt))


def get_objection(user: User, objection_id: int, *, lock: bool = False) -> Objection:
    stmt = select(Objection).where(Objection.id == objection_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    objection = db.session.scalar(stmt)
    if objection is None:
        raise NotFound("异议不存在。")
    campaign = get_campaign(objection.publicity.campaign_id)
    if not is_city_for(user, campaign):
        raise NotFound("异议不存在。")
    return objection


ANSWERS = ("dismiss", "not_commended", "rectification")


def answer_objection(
    user: User, objection_id: int, *, decision: str, answer: str, deadline: date | None = None
) -> Objection:
    """Dismiss, or uphold (→ not commended, or → rectify by a deadline). Commits."""
    objection = get_objection(user, objection_id, lock=True)
    if objection.status != ObjectionStatus.OPEN:
        raise Conflict("该异议已答复。")
    errors: dict[str, list[str]] = {}
    if decision not in ANSWERS:
        errors["decision"] = ["请选择异议不成立、异议成立不予表彰或异议成立限期整改。"]
    answer = (answer or "").strip()
    if not answer:
        errors["answer"] = ["请填写答复意见（核查情况和理由）。"]
    elif len(answer) > MAX_TEXT:
        errors["answer"] = [f"答复不超过 {MAX_TEXT} 个字。"]
    if decision == "rectification":
        if deadline is None:
            errors["deadline"] = ["请填写整改期限。"]
        elif deadline <= beijing_today():
            errors["deadline"] = ["整改期限须晚于今天。"]
    if errors:
        raise Invalid("答复有误。", errors=errors)
    nomination = objection.nomination
    objection.answer, objection.answered_by_id, objection.answered_at = answer, user.id, utcnow()
    if decision == "dismiss":
        objection.status = ObjectionStatus.DISMISSED
    else:
        objection.status = ObjectionStatus.UPHELD
        objection.outcome = decision
        if nomination.status == "publicity":
            if decision == "not_commended":
                fire_stage_action(
                    nomination, "uphold_objection", actor=user, comment=f"异议成立：{answer}"
                )
            else:
                db.session.add(
                    HonourRectification(
                        nomination_id=nomination.id,
                        origin="objection",
                        objection_id=objection.id,
                        reason=answer,
                        deadline=deadline,
                        ordered_by_id=user.id,
                        ordered_at=utcnow(),
                    )
                )
                db.session.flush()
                fire_stage_action(
                    nomination,
                    "objection_rectification",
                    actor=user,
                    comment=f"异议成立，限期整改（至 {deadline.isoformat()}）：{answer}",
                )
            _flush_state_change()
    db.session.commit()
    return objection


# -- commendation and certificates --------------------------------------------------------


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def certificate_url(base_url: str, code: str) -> str:
    """The public check page of a code, as the certificate prints it (and its QR code)."""
    return f"{base_url.rstrip('/')}/certificates/{code}"


def normalise_code(code: str) -> str:
    raw = re.sub(r"[^0-9A-Za-z]", "", code or "").upper()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def commend(
    user: User, publicity_id: int, *, document_number: str, decided_on: date
) -> Commendation:
    """Issue the commendation for a publicity whose period is over and whose objections are
    all answered: every listed home still in publicity is commended, with a certificate."""
    publicity = get_publicity(publicity_id)
    campaign = get_campaign(publicity.campaign_id)
    require_city(user, campaign)
    db.session.scalar(select(Publicity).where(Publicity.id == publicity.id).with_for_update())
    if publicity.commendation_id is not None:
        raise Conflict("该公示名单已经发文表彰。")
    if beijing_today() <= publicity.ends_on:
        raise Conflict(f"公示期至 {publicity.ends_on.isoformat()} 结束，期满后方可发文表彰。")
    pending = list(
        db.session.scalars(
            select(Objection)
            .options(joinedload(Objection.nomination).joinedload(Nomination.org))
            .where(Objection.publicity_id == publicity.id, Objection.status == ObjectionStatus.OPEN)
        )
    )
    if pending:
        raise Conflict(
            "还有异议未答复，答复后方可发文表彰：",
            problems=[f"异议 {o.id}：{o.nomination.org.name}" for o in pending],
        )
    errors: dict[str, list[str]] = {}
    document_number = (document_number or "").strip()
    if not document_number:
        errors["document_number"] = ["请填写表彰决定文号，如“×工发〔2026〕12号”。"]
    elif len(document_number) > 64:
        errors["document_number"] = ["文号不超过 64 个字。"]
    elif db.session.scalar(
        select(Commendation.id).where(Commendation.document_number == document_number)
    ):
        errors["document_number"] = ["该文号已被使用。"]
    if decided_on is None:
        errors["decided_on"] = ["请填写表彰决定日期。"]
    elif decided_on <= publicity.ends_on or decided_on > beijing_today():
        errors["decided_on"] = [
            f"决定日期须在公示期满（{publicity.ends_on.isoformat()}）之后、不晚于今天。"
        ]
    if errors:
        raise Invalid("表彰决定有误。", errors=errors)
    homes = [e.nomination for e in publicity.entries if e.nomination.status == "publicity"]
    if not homes:
        raise Conflict("名单中已没有待表彰的单位。")
    commendation = Commendation(
        campaign_id=campaign.id,
        document_number=document_number,
        decided_on=decided_on,
        issued_at=utcnow(),
        issued_by_id=user.id,
    )
    db.session.add(commendation)
    db.session.flush()
    prefix = f"{campaign.year}-"
    issued = (
        db.session.scalar(
            select(func.count())
            .select_from(Certificate)
            .where(Certificate.serial.like(prefix + "%"))
        )
        or 0
    )
    for number, nomination in enumerate(homes, start=issued + 1):
        db.session.add(
            Certificate(
                commendation_id=commendation.id,
                nomination_id=nomination.id,
                serial=f"{prefix}{number:04d}",
                code=_new_code(),
                issued_at=utcnow(),
            )
        )
        fire_stage_action(
            nomination,
            "commend",
            actor=user,
            comment=f"{document_number}（{decided_on.isoformat()}）",
        )
    publicity.commendation_id = commendation.id
    _flush_state_change()
    db.session.commit()
    return commendation


def certificate_of(nomination_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.nomination_id == nomination_id))


def get_certificate(user: User, nomination_id: int) -> Certificate:
    """The certificate of a nomination the user may see."""
    nomination = get_nomination(user, nomination_id)
    certificate = certificate_of(nomination.id)
    if certificate is None:
        raise NotFound("该申报没有表彰证书。")
    return certificate


@dataclass
class CertificateCheck:
    code: str
    certificate: Certificate | None

    @property
    def status(self) -> str:
        if self.certificate is None:
            return "unknown"
        return "revoked" if self.certificate.revoked_on else "valid"


def certificates(*criteria: Any) -> list[Certificate]:
    """Certificates with what a page, the API or the PDF prints of them: the nomination and
    its unit, the campaign and its organiser, the decision (one query)."""
    return list(
        db.session.scalars(
            select(Certificate)
            .options(
                joinedload(Certificate.nomination).joinedload(Nomination.org),
                joinedload(Certificate.nomination)
                .joinedload(Nomination.campaign)
                .joinedload(Campaign.organizer),
                joinedload(Certificate.commendation),
            )
            .where(*criteria)
            .order_by(Certificate.serial)
        ).unique()
    )


def check_certificate(code: str) -> CertificateCheck:
    """What the public check says about a code: valid, revoked, or no such certificate."""
    code = normalise_code(code)
    found = certificates(Certificate.code == code) if code else []
    return CertificateCheck(code, found[0] if found else None)


# -- dynamic management -------------------------------------------------------------------


def open_rectification(nomination_id: int, *, lock: bool = False) -> HonourRectification | None:
    stmt = (
        select(HonourRectification)
        .where(
            HonourRectification.nomination_id == nomination_id,
            HonourRectification.decision.is_(None),
        )
        .order_by(HonourRectification.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt.with_for_update() if lock else stmt)


def rectification_files(order: HonourRectification | None, nomination_id: int) -> list[Evidence]:
    """The union's files of an order, in the order they were added (one query)."""
    ids = list(order.evidence_ids or []) if order else []
    if not ids:
        return []
    files = db.session.scalars(
        select(Evidence).where(Evidence.id.in_(ids), Evidence.nomination_id == nomination_id)
    )
    return sorted(files, key=lambda e: ids.index(e.id))


def city_nomination(user: User, nomination_id: int) -> Nomination:
    """The nomination, for its organising city only (404 unseen, 403 for anyone else)."""
    nomination = get_nomination(user, nomination_id)
    require_city(user, nomination.campaign)
    return nomination


def _reason(reason: str | None, label: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(f"{label}须写明理由。", errors={"reason": ["请填写理由。"]})
    if len(reason) > MAX_TEXT:
        raise Invalid(f"理由不超过 {MAX_TEXT} 个字。", errors={"reason": ["理由过长。"]})
    return reason


def order_honour_rectification(
    user: User, nomination_id: int, *, reason: str, deadline: date | None
) -> HonourRectification:
    """A commended home found below standard is ordered to rectify by a deadline. Commits."""
    nomination = city_nomination(user, nomination_id)
    reason = _reason(reason, "责令整改")
    if deadline is None or deadline <= beijing_today():
        raise Invalid("整改期限有误。", errors={"deadline": ["整改期限须晚于今天。"]})
    if nomination.status != "commended":
        raise Conflict("只有已表彰的单位可以责令整改。")
    order = HonourRectification(
        nomination_id=nomination.id,
        origin="commended",
        reason=reason,
        deadline=deadline,
        ordered_by_id=user.id,
        ordered_at=utcnow(),
    )
    db.session.add(order)
    db.session.flush()
    fire_stage_action(
        nomination,
        "order_honour_rectification",
        actor=user,
        comment=f"责令整改（至 {deadline.isoformat()}）：{reason}",
    )
    _flush_state_change()
    db.session.commit()
    return order


def revoke(
    user: User, nomination_id: int, *, reason: str, revoked_on: date | None = None
) -> Certificate:
    """Revoke a commended home's title: the certificate check and the roll say so. Commits."""
    nomination = city_nomination(user, nomination_id)
    reason = _reason(reason, "撤销称号")
    revoked_on = revoked_on or beijing_today()
    if revoked_on > beijing_today():
        raise Invalid("撤销日期不能晚于今天。", errors={"revoked_on": ["撤销日期不能晚于今天。"]})
    certificate = certificate_of(nomination.id)
    if nomination.status not in ("commended", "honour_rectification") or certificate is None:
        raise Conflict("只有已表彰的单位可以撤销称号。")
    order = open_rectification(nomination.id)
    fire_stage_action(
        nomination, "revoke", actor=user, comment=f"撤销称号（{revoked_on.isoformat()}）：{reason}"
    )
    if order is not None:
        order.decision, order.decision_comment = "reject", reason
        order.decided_by_id, order.decided_at = user.id, utcnow()
    certificate.revoked_on, certificate.revoked_reason = revoked_on, reason
    certificate.revoked_by_id = user.id
    _flush_state_change()
    db.session.commit()
    return certificate


@dataclass
class RectificationView:
    nomination: Nomination
    order: HonourRectification
    files: list[Evidence] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.order.overdue


def rectification_view(user: User, nomination_id: int) -> RectificationView:
    nomination = get_nomination(user, nomination_id)
    order = open_rectification(nomination.id)
    if order is None:
        raise NotFound("该申报没有进行中的整改。")
    return RectificationView(nomination, order, rectification_files(order, nomination.id))


def _union_order(user: User, nomination_id: int) -> tuple[Nomination, HonourRectification]:
    nomination = get_nomination(user, nomination_id)
    if not holds_role_over(user, Role.UNION, ancestor_ids(nomination.org_id)):
        raise Forbidden("只有该单位的工会可以填报整改情况。")
    order = open_rectification(nomination.id, lock=True)
    if order is None or nomination.status != "honour_rectification":
        raise Conflict("该申报没有进行中的整改。")
    if order.submitted_at is not None:
        raise Conflict("整改情况已提交，等待市总工会审核。")
    return nomination, order


def save_rectification_statement(user: User, nomination_id: int, statement: str) -> None:
    _, order = _union_order(user, nomination_id)
    statement = (statement or "").strip()
    if len(statement) > MAX_TEXT:
        raise Invalid("整改说明过长。", errors={"statement": [f"不超过 {MAX_TEXT} 个字。"]})
    order.statement = statement or None
    db.session.commit()


def add_rectification_file(user: User, nomination_id: int, file_storage: Any) -> Evidence:
    nomination, order = _union_order(user, nomination_id)

    def attach(evidence: Evidence, is_new: bool) -> Evidence:
        ids = list(order.evidence_ids or [])
        if evidence.id not in ids:
            order.evidence_ids = [*ids, evidence.id]
        return evidence

    return store_evidence(user, nomination, file_storage, attach)


def submit_rectification(user: User, nomination_id: int) -> HonourRectification:
    _, order = _union_order(user, nomination_id)
    problems = []
    if not (order.statement or "").strip():
        problems.append("请填写整改情况说明。")
    if not order.evidence_ids:
        problems.append("请上传整改佐证材料。")
    if problems:
        raise Conflict("整改情况尚不完整：", problems=problems)
    order.submitted_at = utcnow()
    db.session.commit()
    return order


def decide_rectification(
    user: User, nomination_id: int, *, accept: bool, comment: str | None
) -> HonourRectification:
    """The city accepts (→ candidate again, or the title kept) or not (→ not commended, or
    the title revoked). Commits."""
    nomination = city_nomination(user, nomination_id)
    order = open_rectification(nomination.id)
    if order is None or nomination.status != "honour_rectification":
        raise Conflict("该申报没有进行中的整改。")
    comment = (comment or "").strip() or None
    if accept and order.submitted_at is None:
        raise Conflict("单位尚未提交整改情况，不能审核通过。")
    if not accept:
        if not comment:
            raise Invalid("整改不合格须写明理由。", errors={"comment": ["请填写意见。"]})
        if order.submitted_at is None and not order.overdue:
            raise Conflict(
                f"整改期限（{order.deadline.isoformat()}）未到，且单位尚未提交整改情况。"
            )
    if not accept and order.origin == "commended":
        revoke(user, nomination.id, reason=comment or "")
        return order
    if order.origin == "objection":
        action = "rectified_to_candidate" if accept else "rectification_not_passed"
    else:
        action = "honour_restored"
    fire_stage_action(nomination, action, actor=user, comment=comment)  # guards read the order
    order.decision, order.decision_comment = ("accept" if accept else "reject"), comment
    order.decided_by_id, order.decided_at = user.id, utcnow()
    _flush_state_change()
    db.session.commit()
    return order


# -- the honour roll ----------------------------------------------------------------------


@dataclass
class RollEntry:
    certificate: Certificate
    nomination: Nomination
    unit: str
    district: str
    year: int
    level: str
    document_number: str
    decided_on: date

    @property
    def revoked(self) -> bool:
        return self.certificate.revoked_on is not None


def honour_roll(
    *, year: int | None = None, level: str | None = None, district_id: int | None = None
) -> list[RollEntry]:
    """Every certificate ever issued, newest year first; revoked ones stay, marked (one
    query)."""
    district, link = _district_of()
    stmt = (
        select(Certificate, Nomination, Campaign, Commendation, district.name)
        .join(Nomination, Nomination.id == Certificate.nomination_id)
        .join(Campaign, Campaign.id == Nomination.campaign_id)
        .join(Commendation, Commendation.id == Certificate.commendation_id)
        .join(Nomination.org)
        .outerjoin(link, link.descendant_id == Nomination.org_id)
        .outerjoin(
            district, and_(district.id == link.ancestor_id, district.level.in_(DISTRICT_LEVELS))
        )
        .options(joinedload(Nomination.org))
        .order_by(Campaign.year.desc(), Certificate.serial)
    )
    if year:
        stmt = stmt.where(Campaign.year == year)
    if level:
        stmt = stmt.where(Campaign.level == level)
    if district_id:
        stmt = stmt.where(
            Nomination.org_id.in_(
                select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id == district_id)
            )
        )
    found: dict[int, RollEntry] = {}
    for certificate, nomination, campaign, commendation, dname in db.session.execute(stmt):
        entry = found.get(certificate.id)
        if entry is None:
            entry = found[certificate.id] = RollEntry(
                certificate,
                nomination,
                nomination.nominee_name or nomination.org.name,
                "",
                campaign.year,
                campaign.level,
                commendation.document_number,
                commendation.decided_on,
            )
        if dname:
            entry.district = dname
    return list(found.values())
