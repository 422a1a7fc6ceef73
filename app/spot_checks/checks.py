"""One spot check: reading it (what the check page and the API show), and what every change
to it shares.

Who does what (the services are `log`, `conclusion` and `rectification`; who may is `policy`):
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
from fractions import Fraction

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.assessment.rounds import category_of
from app.auth.models import User
from app.campaigns.models import Campaign
from app.errors import Conflict, NotFound
from app.evidence.models import Evidence
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import get_nomination
from app.spot_checks.models import (
    CheckFinding,
    CheckPhoto,
    Conclusion,
    Finding,
    RectificationResponse,
    SpotCheck,
    SpotCheckAssignment,
)
from app.spot_checks.policy import check_not_found, require_log_keeper, require_log_reader
from app.standards.models import StandardItem, StandardVersion
from app.standards.services import items_for
from app.timeutil import beijing_today, utcnow

# The Chinese of the record: the CSV lists and the audit comments (the pages' words are in
# `words`).
FINDING_LABELS = {Finding.MEETS: "符合", Finding.PARTLY: "基本符合", Finding.FAILS: "不符合"}
CONCLUSION_LABELS = {
    Conclusion.PASS: "合格",
    Conclusion.RECTIFY: "限期整改",
    Conclusion.FAIL: "不合格",
}
MAX_NOTES = 2000
MAX_PLACE = 200


# -- reading ------------------------------------------------------------------------------


def load_check(check_id: int, *, lock: bool = False) -> SpotCheck | None:
    """The check by id, its row locked for a change when `lock` (no permission check)."""
    stmt = select(SpotCheck).where(SpotCheck.id == check_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(stmt)


def get_check(user: User, check_id: int, *, lock: bool = False) -> tuple[SpotCheck, Nomination]:
    """A check of a nomination the user may see (an inspector: only their own); else 404."""
    check = load_check(check_id, lock=lock)
    if check is None:
        raise check_not_found()
    try:
        nomination = get_nomination(user, check.nomination_id)
    except NotFound:
        raise check_not_found() from None
    require_log_reader(user, check, nomination)
    return check, nomination


def check_of(nomination_id: int) -> SpotCheck | None:
    return db.session.scalar(select(SpotCheck).where(SpotCheck.nomination_id == nomination_id))


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
    def value(self) -> Finding | None:
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
        raise Conflict(_("The campaign has no standard: it cannot be spot-checked."))
    return version


def item_ids(nomination: Nomination) -> set[int]:
    """The standard items the nomination's check covers."""
    return {i.id for i in items_for(_version(nomination.campaign).id, category_of(nomination))}


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
    """What stops `conclusion` from being agreed, ready to show."""
    check = view.check
    problems: list[str] = []
    if check.visited_on is None or not (check.place or "").strip():
        problems.append(_("Please enter the date and place of the visit."))
    missing = [f for f in view.items if f.value is None]
    if missing:
        problems.append(_("%(n)s items have no finding yet.", n=len(missing)))
    if not check.interviewed:
        problems.append(
            _("Please enter the member interview sample (members interviewed and satisfied).")
        )
    fails = [f for f in view.items if f.value == Finding.FAILS]
    if conclusion == Conclusion.PASS:
        if fails:
            problems.append(
                _(
                    "%(n)s items do not meet the standard: the check cannot pass; choose "
                    "rectification or fail.",
                    n=len(fails),
                )
            )
        if (
            view.rate is not None
            and view.rate_threshold is not None
            and view.rate < view.rate_threshold
        ):
            problems.append(
                _(
                    "The interview sample's satisfaction rate, %(rate)s, is below the "
                    "%(threshold)s%% the standard requires: the check cannot pass.",
                    rate=view.rate_percent,
                    threshold=f"{float(view.rate_threshold) * 100:g}",
                )
            )
    if conclusion == Conclusion.RECTIFY:
        if not check.rectification_items:
            problems.append(_("Rectification by a deadline must list the items to rectify."))
        if check.rectification_deadline is None:
            problems.append(_("Rectification by a deadline must set the deadline."))
    if len(check.assignments) < view.required:
        problems.append(
            _(
                "This check needs %(required)s inspectors; it has only %(n)s.",
                required=view.required,
                n=len(check.assignments),
            )
        )
    return problems


# -- what every change shares -------------------------------------------------------------


def lock_for_log(user: User, check_id: int) -> tuple[SpotCheck, Nomination]:
    """The check, its row locked, for one of its log keepers while it is open."""
    check, nomination = get_check(user, check_id, lock=True)
    require_log_keeper(user, check, nomination)
    return check, nomination


def clear_agreement(check: SpotCheck) -> None:
    """The log or the team changed: earlier agreements no longer hold."""
    check.updated_at = utcnow()
    for assignment in check.assignments:
        assignment.agreed_at = None


# -- the inspector's list -----------------------------------------------------------------


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
