"""Inspector assignment: at least N inspectors per drawn nomination, never one in conflict.

The conflict-of-interest rule: an inspector whose organisation is the inspected union (or
inside it), or inside the same district (or industry union), may not inspect it. The rule is
checked the same way for the automatic assignment and for a change by hand, and a refusal
names the reason. Automatic assignment fills each check up to the campaign's number, giving
each place to the eligible inspector with the fewest checks in the campaign so far.

Changing the team of a check clears the inspectors' agreement to a proposed conclusion: the
new team must agree afresh.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.auth.models import Role, RoleAssignment, User
from app.auth.scope import in_subtree
from app.campaigns.models import Campaign
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.nominations.models import Nomination
from app.orgs.models import DISTRICT_LEVELS, Organization, OrgClosure, OrgLevel
from app.spot_checks.checks import clear_agreement
from app.spot_checks.models import DrawStatus, SpotCheck, SpotCheckAssignment, SpotCheckDraw
from app.spot_checks.policy import check_not_found, require_check_manager, require_drawer
from app.spot_checks.services import get_draw
from app.timeutil import utcnow


@dataclass
class Target:
    """What an inspector must not belong to: the inspected union, and its district."""

    union_id: int
    union_name: str
    district_id: int | None
    district_name: str | None


@dataclass
class Inspector:
    user_id: int
    name: str
    org_names: list[str]
    org_ids: list[int]
    load: int = 0  # checks in this campaign so far
    reason: str | None = None  # why not for the check at hand (None: eligible)

    @property
    def label(self) -> str:
        return f"{self.name}（{'、'.join(self.org_names)}）"


@dataclass
class AutoResult:
    assigned: int = 0
    short: list[str] = field(default_factory=list)  # checks that could not be filled


def targets_of(org_ids: set[int]) -> dict[int, Target]:
    """For each nomination organisation: its grassroots union and district (one query)."""
    rows = db.session.execute(
        select(OrgClosure.descendant_id, Organization.id, Organization.name, Organization.level)
        .join(Organization, Organization.id == OrgClosure.ancestor_id)
        .where(OrgClosure.descendant_id.in_(org_ids))
    ).all()
    found: dict[int, dict] = {oid: {} for oid in org_ids}
    for descendant, oid, name, level in rows:
        if level == OrgLevel.GRASSROOTS:
            found[descendant]["union"] = (oid, name)
        elif level in DISTRICT_LEVELS:
            found[descendant]["district"] = (oid, name)
        if oid == descendant:
            found[descendant].setdefault("self", (oid, name))
    targets = {}
    for oid, parts in found.items():
        union = parts.get("union") or parts["self"]
        district = parts.get("district")
        targets[oid] = Target(
            union[0], union[1], district[0] if district else None, district[1] if district else None
        )
    return targets


def inspector_pool(campaign: Campaign) -> tuple[list[Inspector], dict[int, set[int]]]:
    """Active inspectors within the campaign's federation, with their organisations'
    ancestors (two queries)."""
    rows = db.session.execute(
        select(User.id, User.display_name, Organization.id, Organization.name)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .join(Organization, Organization.id == RoleAssignment.org_id)
        .where(
            RoleAssignment.role == Role.INSPECTOR,
            User.is_active_flag.is_(True),
            in_subtree(RoleAssignment.org_id.expression, [campaign.organizer_id]),
        )
        .order_by(User.id, Organization.id)
    ).all()
    inspectors: dict[int, Inspector] = {}
    for uid, name, oid, org_name in rows:
        inspector = inspectors.setdefault(uid, Inspector(uid, name, [], []))
        inspector.org_ids.append(oid)
        inspector.org_names.append(org_name)
    org_ids = {oid for i in inspectors.values() for oid in i.org_ids}
    ancestors: dict[int, set[int]] = {oid: set() for oid in org_ids}
    for descendant, ancestor in db.session.execute(
        select(OrgClosure.descendant_id, OrgClosure.ancestor_id).where(
            OrgClosure.descendant_id.in_(org_ids)
        )
    ):
        ancestors[descendant].add(ancestor)
    loads = dict(
        db.session.execute(
            select(SpotCheckAssignment.inspector_id, func.count())
            .join(SpotCheck, SpotCheck.id == SpotCheckAssignment.spot_check_id)
            .join(SpotCheckDraw, SpotCheckDraw.id == SpotCheck.draw_id)
            .where(SpotCheckDraw.campaign_id == campaign.id)
            .group_by(SpotCheckAssignment.inspector_id)
        )
        .tuples()
        .all()
    )
    for inspector in inspectors.values():
        inspector.load = loads.get(inspector.user_id, 0)
    return list(inspectors.values()), ancestors


def conflict_reason(
    inspector: Inspector, ancestors: dict[int, set[int]], target: Target
) -> str | None:
    """Why this inspector may not inspect the target, or None."""
    for oid, org_name in zip(inspector.org_ids, inspector.org_names, strict=True):
        above = ancestors.get(oid, {oid})
        if target.union_id in above:
            return _(
                "%(name)s's organisation (%(org)s) belongs to the inspected union %(union)s: "
                "a conflict of interest.",
                name=inspector.name,
                org=org_name,
                union=target.union_name,
            )
        if target.district_id is not None and target.district_id in above:
            return _(
                "%(name)s's organisation (%(org)s) is in %(district)s, as the inspected union "
                "is: a conflict of interest.",
                name=inspector.name,
                org=org_name,
                district=target.district_name,
            )
    return None


def _lock_check(check_id: int) -> SpotCheck:
    check = db.session.scalar(
        select(SpotCheck)
        .where(SpotCheck.id == check_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if check is None:
        raise check_not_found()
    return check


def _managed_check(user: User, check_id: int, *, lock: bool = False) -> SpotCheck:
    """A check the user's organisation drew (else 404: not theirs to see or change)."""
    check = _lock_check(check_id) if lock else db.session.get(SpotCheck, check_id)
    if check is None:
        raise check_not_found()
    require_check_manager(user, check)
    return check


def _editable_team(check: SpotCheck) -> Nomination:
    nomination = db.session.get(Nomination, check.nomination_id)
    assert nomination is not None
    if nomination.status != "spot_check":
        raise Conflict(_("The conclusion has taken effect: the team can no longer change."))
    return nomination


def candidates(user: User, check_id: int) -> list[Inspector]:
    """Every inspector of the federation for this check, with the conflict reason if any,
    the least loaded first."""
    check = _managed_check(user, check_id)
    nomination = db.session.get(Nomination, check.nomination_id)
    assert nomination is not None
    pool, ancestors = inspector_pool(nomination.campaign)
    target = targets_of({nomination.org_id})[nomination.org_id]
    assigned = {a.inspector_id for a in check.assignments}
    result = []
    for inspector in pool:
        if inspector.user_id in assigned:
            continue
        inspector.reason = conflict_reason(inspector, ancestors, target)
        result.append(inspector)
    return sorted(result, key=lambda i: (i.reason is not None, i.load, i.user_id))


def assign_inspector(user: User, check_id: int, inspector_id: int) -> SpotCheckAssignment:
    """The drawing organisation adds an inspector by hand, within the conflict rule."""
    check = _managed_check(user, check_id, lock=True)
    nomination = _editable_team(check)
    pool, ancestors = inspector_pool(nomination.campaign)
    inspector = next((i for i in pool if i.user_id == inspector_id), None)
    if inspector is None:
        raise Invalid(
            _("This user is not one of the federation's inspectors."),
            errors={"inspector_id": [_("Please choose an inspector.")]},
        )
    if any(a.inspector_id == inspector_id for a in check.assignments):
        raise Conflict(_("%(name)s is already on the team.", name=inspector.name))
    target = targets_of({nomination.org_id})[nomination.org_id]
    reason = conflict_reason(inspector, ancestors, target)
    if reason:
        raise Invalid(
            _("Cannot assign: %(reason)s", reason=reason), errors={"inspector_id": [reason]}
        )
    assignment = SpotCheckAssignment(
        spot_check=check, inspector_id=inspector_id, assigned_by_id=user.id, assigned_at=utcnow()
    )
    db.session.add(assignment)
    clear_agreement(check)
    db.session.commit()
    return assignment


def unassign_inspector(user: User, check_id: int, inspector_id: int) -> None:
    """The drawing organisation takes an inspector off a check whose conclusion is pending."""
    check = _managed_check(user, check_id, lock=True)
    _editable_team(check)
    assignment = next((a for a in check.assignments if a.inspector_id == inspector_id), None)
    if assignment is None:
        raise NotFound(_("This inspector is not on this check's team."))
    check.assignments.remove(assignment)
    clear_agreement(check)
    db.session.commit()


def auto_assign(user: User, draw_id: int) -> AutoResult:
    """Fill every pending check of an applied draw up to the campaign's number of inspectors,
    least-loaded eligible inspector first; checks that cannot be filled are listed."""
    draw = get_draw(draw_id)
    campaign = require_drawer(user, draw)
    if draw.status != DrawStatus.APPLIED:
        raise Conflict(_("Inspectors can be assigned once a draw is applied."))
    checks = list(
        db.session.scalars(
            select(SpotCheck)
            .join(Nomination, Nomination.id == SpotCheck.nomination_id)
            .where(SpotCheck.draw_id == draw.id, Nomination.status == "spot_check")
            .order_by(SpotCheck.id)
            .with_for_update(of=SpotCheck)
            .options(selectinload(SpotCheck.assignments))  # not one query per check
            .execution_options(populate_existing=True)
        )
    )
    if not checks:
        return AutoResult()
    orgs = dict(
        db.session.execute(
            select(Nomination.id, Nomination.org_id).where(
                Nomination.id.in_([c.nomination_id for c in checks])
            )
        )
        .tuples()
        .all()
    )
    names = dict(
        db.session.execute(
            select(Organization.id, Organization.name).where(
                Organization.id.in_(set(orgs.values()))
            )
        )
        .tuples()
        .all()
    )
    targets = targets_of(set(orgs.values()))
    pool, ancestors = inspector_pool(campaign)
    load = Counter({i.user_id: i.load for i in pool})
    needed = campaign.inspectors_per_check
    result = AutoResult()
    for check in checks:
        have = {a.inspector_id for a in check.assignments}
        if len(have) >= needed:
            continue
        target = targets[orgs[check.nomination_id]]
        eligible = sorted(
            (
                i
                for i in pool
                if i.user_id not in have and conflict_reason(i, ancestors, target) is None
            ),
            key=lambda i: (load[i.user_id], i.user_id),
        )
        chosen = eligible[: needed - len(have)]
        for inspector in chosen:
            db.session.add(
                SpotCheckAssignment(
                    spot_check=check, inspector_id=inspector.user_id, assigned_at=utcnow()
                )
            )
            load[inspector.user_id] += 1
            result.assigned += 1
        if chosen:
            clear_agreement(check)
        if len(have) + len(chosen) < needed:
            result.short.append(
                _(
                    "%(unit)s: %(needed)s inspectors needed, only %(eligible)s within the "
                    "conflict rule.",
                    unit=names[orgs[check.nomination_id]],
                    needed=needed,
                    eligible=len(have) + len(chosen),
                )
            )
    db.session.commit()
    return result
