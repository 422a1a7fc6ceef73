"""Nomination services: the only code that creates nominations or changes their state
(stages change it through `fire_stage_action`). Who may is `app.nominations.policy`."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import Role, User
from app.auth.scope import (
    ancestor_ids,
    any_role_clause,
    holds_role_over,
    in_subtree,
    role_orgs,
    visible_org_clause,
)
from app.campaigns.models import AWARD_LABELS, AwardType, Campaign, CampaignStatus
from app.dbtypes import contains_pattern
from app.errors import Conflict, Invalid, StaleVersion
from app.extensions import db
from app.nominations import effects, policy, work
from app.nominations.deadlines import due_date_for
from app.nominations.models import Nomination, NominationEvent
from app.orgs.models import Organization, OrgClosure, OrgLevel
from app.timeutil import utcnow
from app.web.templating import label
from workflows.engine import NominationWorkflow
from workflows.nomination import FINAL_STATES, STATE_OWNER, Action

# Which organisation level each award is for.
AWARD_ORG_LEVEL = {
    AwardType.MODEL_HOME: OrgLevel.GRASSROOTS,
    AwardType.MODEL_SMALL_HOME: OrgLevel.BRANCH,
    AwardType.OUTSTANDING_WORKER: OrgLevel.GRASSROOTS,
}


# -- reading ------------------------------------------------------------------------------


@dataclass
class NominationFilters:
    campaign_id: int | None = None
    state: str | None = None
    district_id: int | None = None
    q: str | None = None


def visible_nomination_clause(user: User) -> ColumnElement[bool]:
    """WHERE clause: the nominations of the user's subtrees, and those the user is assigned
    to through a role that works by assignment (an inspector's checks)."""
    clause = visible_org_clause(user, Nomination.org_id.expression)
    for assignment in work.assignments():
        if any(a.role == assignment.role for a in user.roles):
            clause = or_(clause, Nomination.id.in_(assignment.assigned(user)))
    return clause


def visible_nominations(user: User, filters: NominationFilters | None = None) -> Select:
    """Nominations the user may see, newest first, with campaign and organisation loaded."""
    stmt = (
        select(Nomination)
        .join(Nomination.org)
        .join(Nomination.campaign)
        .options(contains_eager(Nomination.org), contains_eager(Nomination.campaign))
        .where(visible_nomination_clause(user))
    )
    f = filters or NominationFilters()
    if f.campaign_id:
        stmt = stmt.where(Nomination.campaign_id == f.campaign_id)
    if f.state:
        stmt = stmt.where(Nomination.status == f.state)
    if f.district_id:
        stmt = stmt.where(in_subtree(Nomination.org_id.expression, [f.district_id]))
    if f.q:
        pattern = contains_pattern(f.q.strip())
        stmt = stmt.where(
            Organization.name.ilike(pattern, escape="\\")
            | Nomination.nominee_name.ilike(pattern, escape="\\")
        )
    return stmt.order_by(Nomination.updated_at.desc(), Nomination.id.desc())


def get_nomination(user: User, nomination_id: int) -> Nomination:
    """A nomination the user may see; any other id is "not found", never "forbidden"."""
    nomination = db.session.scalar(visible_nominations(user).where(Nomination.id == nomination_id))
    if nomination is None:
        raise policy.not_found()
    return nomination


def history(nomination: Nomination) -> list[NominationEvent]:
    return list(
        db.session.scalars(
            select(NominationEvent)
            .where(NominationEvent.nomination_id == nomination.id)
            .options(joinedload(NominationEvent.actor))
            .order_by(NominationEvent.id)
        )
    )


def _owned_clause(user: User) -> ColumnElement[bool]:
    """Nominations awaiting this user's move: owned states within the role's subtree, less
    what the union has handed in, plus each role's further work and assignments."""
    clauses = []
    for role, orgs in role_orgs(user).items():
        assignment = work.assignment(role)
        if assignment is not None:
            clauses.append(assignment.work(user))
            continue
        states = [s for s, owner in STATE_OWNER.items() if owner == role]
        if states:
            clause = and_(
                Nomination.status.in_(states), in_subtree(Nomination.org_id.expression, orgs)
            )
            if role == Role.UNION:
                # A part handed in (an answered rectification) awaits others, not the union.
                for handover in work.handovers():
                    clause = and_(clause, Nomination.id.not_in(handover.handed_in()))
            clauses.append(clause)
        for more in work.more_work(role):
            extra = more(user, orgs)
            if extra is not None:
                clauses.append(extra)
    return any_role_clause(clauses)


def worklist_counts(user: User) -> dict[str, int]:
    """待办 counts per state, in one GROUP BY."""
    rows = db.session.execute(
        select(Nomination.status, func.count())
        .where(_owned_clause(user))
        .group_by(Nomination.status)
    )
    return {status: count for status, count in rows}


def worklist(user: User, limit: int = 50) -> list[Nomination]:
    """What awaits this user's action, the earliest due first (overdue on top); steps
    without a due date last, longest waiting first."""
    # The owned clause is itself scoped: each role's part lies within the subtrees where the
    # user holds that role, an inspector's within their assignments — all of it inside
    # what `visible_nomination_clause` allows — so the visibility test is not repeated (it
    # doubled the subtree lookups). Only the columns the worklist shows are loaded.
    stmt = (
        select(Nomination)
        .join(Nomination.org)
        .join(Nomination.campaign)
        .options(
            contains_eager(Nomination.org).load_only(Organization.name),
            contains_eager(Nomination.campaign).load_only(Campaign.name),
        )
        .where(_owned_clause(user))
        .order_by(
            Nomination.due_on.is_(None),
            Nomination.due_on.asc(),
            Nomination.updated_at.asc(),
            Nomination.id.asc(),
        )
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


# -- the engine ---------------------------------------------------------------------------


def workflow_for(user: User | None, nomination: Nomination) -> NominationWorkflow:
    """The workflow around `nomination` for `user`; audit rows go into the current session."""
    ancestors = ancestor_ids(nomination.org_id) if user is not None else set()

    def permits(role: str) -> bool:
        if user is None:
            return False
        assignment = work.assignment(role)
        if assignment is not None:  # e.g. inspectors act on their assigned checks only
            return assignment.is_assigned(user, nomination.id)
        return holds_role_over(user, role, ancestors)

    def record(action: Action, source: str, dest: str, comment: str | None) -> None:
        now = utcnow()
        if dest == "submitted":
            nomination.submitted_at = now
        nomination.updated_at = now
        with db.session.no_autoflush:  # the guarded UPDATE is flushed by the caller only
            nomination.due_on = due_date_for(nomination)  # the new step's due date
        db.session.add(
            NominationEvent(
                nomination=nomination,
                actor_id=user.id if user else None,
                action=action.name,
                from_state=source,
                to_state=dest,
                comment=comment,
                created_at=now,
            )
        )

    return NominationWorkflow(nomination, permits, record)


def _stale() -> StaleVersion:
    return StaleVersion(
        _("Someone else has dealt with this nomination: reload the page to see where it is.")
    )


def flush_state_change() -> None:
    """Write the guarded UPDATE now: a stale writer fails here, before any stage hook runs."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise _stale() from None


def take_action(
    user: User,
    nomination_id: int,
    action: str,
    *,
    comment: str | None = None,
    version: int | None = None,
) -> Nomination:
    """A person takes `action` on a nomination: scope, role, state, guards, audit, commit.

    Exactly one of two concurrent actors wins: the loser's UPDATE matches no row of the
    version it read, and its whole transaction (audit row included) is rolled back.
    """
    nomination = get_nomination(user, nomination_id)
    if version is not None and version != nomination.version:
        raise _stale()
    workflow = workflow_for(user, nomination)
    policy.require_by_hand(action)
    comment = effects.run_prepare(nomination, action, comment)
    workflow.fire(action, comment)
    flush_state_change()
    effects.run_after(nomination, action)
    db.session.commit()
    return nomination


def fire_stage_action(
    nomination: Nomination,
    action: str,
    *,
    actor: User | None = None,
    comment: str | None = None,
) -> None:
    """For a stage's own service (evaluation close, draw, check log, commendation).

    The caller has authorised and validated; the engine still checks the state and the
    action's guards and writes the audit row. The caller commits.
    """
    workflow_for(actor, nomination).fire(action, comment, system=True)
    effects.run_after(nomination, action)


# -- creating -----------------------------------------------------------------------------


def open_campaigns_for(user: User) -> list[Campaign]:
    """Campaigns accepting nominations that reach one of the unions the user files for
    (`policy.nominating_unions`): the choices of the new-nomination form."""
    orgs = policy.nominating_unions(user)
    if not orgs:
        return []
    ancestors = select(OrgClosure.ancestor_id).where(OrgClosure.descendant_id.in_(orgs))
    return list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.status == CampaignStatus.OPEN, Campaign.organizer_id.in_(ancestors))
            .order_by(Campaign.year.desc(), Campaign.id.desc())
        )
    )


def fileable_orgs(user: User) -> list[Organization]:
    """Units a union user may file for (`policy.may_nominate_for`): its own union(s)
    first, then their branches."""
    orgs = policy.nominating_unions(user)
    if not orgs:
        return []
    return list(
        db.session.scalars(
            select(Organization)
            .where(in_subtree(Organization.id.expression, orgs))
            .order_by(
                case((Organization.level == OrgLevel.GRASSROOTS, 0), else_=1), Organization.code
            )
        )
    )


def create_nomination(
    user: User,
    *,
    campaign_id: int,
    award_type: str,
    org_code: str | None = None,
    nominee_name: str | None = None,
) -> Nomination:
    """A union starts a nomination (draft) for itself or a unit below it."""
    union_orgs = policy.require_nominator(user)

    errors: dict[str, list[str]] = {}
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        errors["campaign_id"] = [_("The campaign does not exist.")]
    try:
        award = AwardType(award_type)
    except ValueError:
        award = None
        errors["award_type"] = [_("Not a valid type of nomination.")]
    if org_code:
        org = db.session.scalar(select(Organization).where(Organization.code == org_code))
        if org is None:
            errors["org_code"] = [_("The organisation does not exist.")]
    elif len(union_orgs) == 1:
        org = db.session.get(Organization, next(iter(union_orgs)))
    else:
        org = None
        errors["org_code"] = [
            _("You belong to several grassroots unions: please choose the unit to file for.")
        ]
    if errors:
        raise Invalid(_("The nomination has errors."), errors=errors)
    assert campaign is not None and award is not None and org is not None

    policy.require_nominate_for(user, org)
    if campaign.status != CampaignStatus.OPEN:
        errors["campaign_id"] = [_("The campaign is not open.")]
    elif campaign.organizer_id not in ancestor_ids(org.id):
        errors["campaign_id"] = [_("The campaign is not open to this unit.")]
    elif campaign.standard_version_id is None:
        errors["campaign_id"] = [
            _("The campaign has no assessment standard yet: nominations cannot be filed.")
        ]
    elif award.value not in campaign.award_types:
        errors["award_type"] = [
            _(
                "This campaign does not take nominations for “%(award)s”.",
                award=label(AWARD_LABELS[award]),
            )
        ]
    if not org.is_active:
        errors["org_code"] = [
            _(
                "The organisation %(code)s is deactivated: it cannot file a nomination.",
                code=org.code,
            )
        ]
    elif org.level != AWARD_ORG_LEVEL[award]:
        errors["org_code"] = [
            _("A model small home is nominated by a branch union.")
            if award == AwardType.MODEL_SMALL_HOME
            else _("This award is filed in the name of a grassroots union.")
        ]
    name = (nominee_name or "").strip() or None
    if award == AwardType.OUTSTANDING_WORKER and not name:
        errors["nominee_name"] = [_("Please enter the nominee's name.")]
    if award != AwardType.OUTSTANDING_WORKER:
        name = None
    if errors:
        raise Invalid(_("The nomination has errors."), errors=errors)

    existing = db.session.scalar(
        select(Nomination.id).where(
            Nomination.campaign_id == campaign.id,
            Nomination.org_id == org.id,
            Nomination.award_type == award,
            Nomination.status.not_in(FINAL_STATES),
            (Nomination.nominee_name == name) if name else Nomination.nominee_name.is_(None),
        )
    )
    if existing:
        raise Conflict(
            _("This unit already has such a nomination under way in this campaign."),
            problems=[_("Nomination No. %(id)s", id=existing)],
        )

    now = utcnow()
    nomination = Nomination(
        campaign=campaign,
        org=org,
        award_type=award,
        nominee_name=name,
        status="draft",
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    nomination.due_on = due_date_for(nomination)  # a draft: by the application deadline
    db.session.add(nomination)
    db.session.add(
        NominationEvent(
            nomination=nomination,
            actor_id=user.id,
            action="create",
            from_state=None,
            to_state="draft",
            comment=None,
            created_at=now,
        )
    )
    db.session.flush()
    effects.run_after(nomination, "create")
    db.session.commit()
    return nomination
