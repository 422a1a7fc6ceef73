"""Publishing the list (公示): the selected candidates go into `publicity` for the campaign's
number of working days on the city's calendar, the other candidates into `not_commended`;
the published lists and what the public sees of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.calendar.services import period_of_working_days
from app.commendation import policy
from app.commendation.models import Objection, ObjectionStatus, Publicity, PublicityEntry
from app.commendation.queries import district_of, get_campaign
from app.commendation.selection import candidate_rows, quota_problems, quotas
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import fire_stage_action, flush_state_change
from app.orgs.models import DISTRICT_LEVELS
from app.timeutil import beijing_today, utcnow


def publish_list(
    user: User, campaign_id: int, *, starts_on: date | None = None, title: str | None = None
) -> Publicity:
    """Selected candidates → `publicity`; the other candidates → `not_commended`. Commits."""
    campaign = get_campaign(campaign_id)
    policy.require_manage(user, campaign)
    starts_on = starts_on or beijing_today()
    if starts_on < beijing_today():
        raise Invalid(
            _("The publicity cannot start before today."),
            errors={"starts_on": [_("Please choose today or a later date.")]},
        )
    rows = candidate_rows(campaign.id)
    chosen = [r for r in rows if r.selected]
    if not chosen:
        raise Conflict(_("No candidate is selected yet: the list cannot be published."))
    over = quota_problems(quotas(campaign, rows))
    if over:
        raise Conflict(
            _("Over the quota, the list cannot be published:"),
            problems=[m for ms in over.values() for m in ms],
        )
    # The list goes up on `starts_on` (a weekend or holiday too); the period counts working
    # days from the first working day on.
    try:
        _first_working_day, last = period_of_working_days(
            starts_on, campaign.publicity_working_days
        )
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
    flush_state_change()
    db.session.commit()
    return publicity


def get_publicity(publicity_id: int) -> Publicity:
    publicity = db.session.get(Publicity, publicity_id)
    if publicity is None:
        raise NotFound(_("There is no such publicity list."))
    return publicity


def visible_publicity(user: User | None, publicity_id: int) -> Publicity:
    """A list the user may see: it has gone up, or the user is its city (404 otherwise)."""
    publicity = get_publicity(publicity_id)
    policy.require_see_publicity(user, publicity)
    return publicity


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
    district, link = district_of()
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


@dataclass
class ListedCandidate:
    """One line of a published list as the public sees it, with its objections' counts."""

    entry: PublicEntry
    objections: int = 0
    answered: int = 0

    @property
    def can_object(self) -> bool:
        return policy.may_object_to(self.entry.status)


def listed_candidates(publicity: Publicity) -> list[ListedCandidate]:
    """The list and how many objections each candidate has had and has been answered (two
    queries). Only counts: never who objected, what they wrote or how to reach them."""
    rows = [ListedCandidate(entry) for entry in public_entries(publicity)]
    counts = {
        nid: (total, answered)
        for nid, total, answered in db.session.execute(
            select(
                Objection.nomination_id,
                func.count(),
                func.count().filter(Objection.status != ObjectionStatus.OPEN),
            )
            .where(Objection.publicity_id == publicity.id)
            .group_by(Objection.nomination_id)
        )
    }
    for row in rows:
        row.objections, row.answered = counts.get(row.entry.nomination_id, (0, 0))
    return rows
