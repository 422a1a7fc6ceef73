"""The city's decision board: the candidates with what the decision needs, each district's
quota against its selection, and saving the ranks and choices.

A district's quota counts the selected candidates plus its homes already on a published
list or commended; a selection over it is refused as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from app.assessment.models import AssessmentRound, ItemResponse
from app.auth.models import User
from app.campaigns.models import Campaign, CampaignQuota
from app.commendation import policy
from app.commendation.models import Selection
from app.commendation.queries import district_of, get_campaign
from app.errors import Invalid
from app.evaluation.models import MemberEvaluation
from app.extensions import db
from app.nominations.models import Nomination
from app.orgs.models import DISTRICT_LEVELS, Organization
from app.spot_checks.models import SpotCheck
from app.timeutil import utcnow

MAX_RANK = 9999  # a rank is stored as an integer column; keep it well inside it
# The spot check's result as the board shows it: labels, shown through the `label` filter.
CHECK_LABELS = {"pass": "抽查合格", "rectify": "整改后合格", "fail": "抽查不合格"}


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


def candidate_rows(
    campaign_id: int, statuses: tuple[str, ...] = ("candidate",)
) -> list[CandidateRow]:
    """The campaign's nominations in `statuses` with what the decision needs (two queries)."""
    district, link = district_of()
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
    district, link = district_of()
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
    policy.require_manage(user, campaign)
    rows = candidate_rows(campaign.id)
    return Board(campaign, rows, quotas(campaign, rows))


def quota_problems(districts: list[DistrictQuota]) -> dict[str, list[str]]:
    """What is wrong with each district over its quota, by `district_<id>`."""
    return {
        f"district_{d.district_id}": [
            _(
                "%(district)s has a quota of %(quota)s and %(selected)s selected: over the quota.",
                district=d.name,
                quota=d.quota,
                selected=d.selected,
            )
            if d.quota
            else _(
                "%(district)s has no quota: none of its candidates can be selected.",
                district=d.name,
            )
        ]
        for d in districts
        if d.over
    }


def save_selection(user: User, campaign_id: int, choices: dict[int, dict[str, Any]]) -> Board:
    """{nomination_id: {"selected": bool, "rank": int | None}} for candidates of the campaign.
    Refused as a whole when a district would exceed its quota. Commits."""
    campaign = get_campaign(campaign_id)
    policy.require_manage(user, campaign)
    rows = candidate_rows(campaign.id)
    by_id = {r.nomination.id: r for r in rows}
    errors: dict[str, list[str]] = {}
    for raw_id, choice in choices.items():
        nid = int(raw_id)
        if nid not in by_id:
            errors[f"nomination_{raw_id}"] = [
                _("Not a candidate for commendation in this campaign.")
            ]
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
                errors[f"rank_{nid}"] = [_("The rank must be a positive whole number.")]
                continue
            if rank > MAX_RANK:
                errors[f"rank_{nid}"] = [_("The rank is at most %(max)s.", max=MAX_RANK)]
                continue
        by_id[nid].rank = rank
        by_id[nid].selected = bool(choice.get("selected"))
    if errors:
        raise Invalid(_("The candidate list has errors."), errors=errors)
    districts = quotas(campaign, rows)
    over = quota_problems(districts)
    if over:
        db.session.rollback()
        raise Invalid(_("Over the quota, not saved:"), errors=over)
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
