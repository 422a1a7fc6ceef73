"""Event notices: every step that hands work to someone or changes their standing tells the
people concerned — a nomination submitted tells the district's reviewers; returned,
approved, rejected, the evaluation's result, drawn or not, the check's outcome, a
rectification decided, put on the 公示 list, commended, ordered to rectify, revoked tell the
union.

Keyed on the audit event: every state change writes a `NominationEvent` (the engine's
`record`), and when the session commits, the events it flushed get their notices in the
same transaction, before the COMMIT — one per person and event (the unique key holds it
even if two sessions tried), nobody else's. A transaction that rolls back (the loser of a
race) leaves no notice. E-mails for them are queued in the same transaction and sent after
the commit (an RQ job when Redis is configured; `flask remind` otherwise).

Titles are stored in Chinese, as they are e-mailed; the notification centre words them in
the reader's language (`event_title`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from flask import current_app, has_app_context
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import Table, event, func, insert, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.auth.models import Role, RoleAssignment, User
from app.extensions import db
from app.nominations.models import Nomination, NominationEvent
from app.notifications.models import Kind, MailStatus, Notification, OrgRobot, OutboxMessage
from app.orgs.models import DISTRICT_LEVELS, Organization, OrgClosure, OrgLevel
from app.timeutil import to_beijing, utcnow
from app.web.templating import EN
from workflows.nomination import ACTIONS

PENDING = "pending_event_notices"
PENDING_OTHER = "pending_other_notices"
CREATED = "event_notices_created"


@dataclass(frozen=True)
class Notice:
    """A notice of something other than a state change (an inspector put on a team …):
    who is told, about which nomination, on which occasion and record (the unique key's
    `state` and `event_id`), the words in Chinese as sent, and what goes with them."""

    user_ids: tuple[int, ...]
    nomination_id: int
    occasion: str  # e.g. "assigned"; stored as the notice's `state`
    key: int  # the record it is about: once per person and record
    action: str
    title: str
    body: str | None = None
    title_en: str | None = None


# A stage declares which records it writes are worth a notice (`register_source`): the
# model, and a function giving the notices of one new row (flushed, so it has its id).
SOURCES: dict[type, Callable[[Any], list[Notice]]] = {}


def register_source(model: type, notices: Callable[[Any], list[Notice]]) -> None:
    SOURCES[model] = notices


# And which changes of existing rows are: the model, the attribute whose new value is the
# occasion (a conclusion proposed, a rectification handed in), and the notices of it.
CHANGES: dict[type, list[tuple[str, Callable[[Any], list[Notice]]]]] = {}


def register_change(model: type, attribute: str, notices: Callable[[Any], list[Notice]]) -> None:
    CHANGES.setdefault(model, []).append((attribute, notices))


def occasion_key(at: Any) -> int:
    """The key of an occasion that may recur on one record (a conclusion proposed again
    after a disagreement): the second it happened, one transaction being one occasion."""
    return int(at.timestamp())


# Who is told of each action: the union (the unit's grassroots union), or the district's
# reviewers. Actions not listed (e.g. a withdrawal of a draft) tell nobody.
TOLD: dict[str, Role] = {
    "submit": Role.REVIEWER,
    "return": Role.UNION,
    "approve": Role.UNION,
    "reject": Role.UNION,
    "pass_evaluation": Role.UNION,
    "fail_evaluation": Role.UNION,
    "draw": Role.UNION,
    "pass_without_check": Role.UNION,
    "pass_check": Role.UNION,
    "order_rectification": Role.UNION,
    "fail_check": Role.UNION,
    "accept_rectification": Role.UNION,
    "reject_rectification": Role.UNION,
    "publish": Role.UNION,
    "not_select": Role.UNION,
    "uphold_objection": Role.UNION,
    "commend": Role.UNION,
    "objection_rectification": Role.UNION,
    "order_honour_rectification": Role.UNION,
    "rectified_to_candidate": Role.UNION,
    "rectification_not_passed": Role.UNION,
    "honour_restored": Role.UNION,
    "revoke": Role.UNION,
}


def told_of(action: str, from_state: str | None) -> Role | None:
    """The role told of an action (a withdrawal tells the reviewers only if it was theirs)."""
    if action == "withdraw":
        return Role.REVIEWER if from_state == "submitted" else None
    return TOLD.get(action)


def event_title(action: str | None, unit: str, role: Role | str | None = None) -> str:
    """A notice's title in the current language: 【退回修改】某某工会的申报."""
    if action == "assigned":
        return _("【Spot check】You are on the inspection team of %(unit)s", unit=unit)
    if action == "conclusion_proposed":
        return _("【Spot check】A conclusion on %(unit)s awaits your agreement", unit=unit)
    if action == "rectification_submitted":
        return _("【Rectification】%(unit)s handed in its rectification", unit=unit)
    if action == "objection_dismissed":
        return _("【Objection】An objection to %(unit)s was not upheld", unit=unit)
    if action == "objection":
        return _("【Objection】The publicity of %(unit)s received an objection", unit=unit)
    step = ACTIONS.get(action or "")
    # Not `label`: it reads the request's language once, and a notice's titles are worded
    # in both languages under `force_locale`.
    english = str(get_locale()) == "en"
    what = (EN.get(step.label, step.label) if english else step.label) if step else (action or "")
    if role == Role.REVIEWER and action == "submit":
        return _("【%(what)s】%(unit)s's nomination awaits your review", what=what, unit=unit)
    return _("【%(what)s】%(unit)s's nomination", what=what, unit=unit)


def union_orgs(org_id: int) -> list[int]:
    """The grassroots union of a unit (itself, or the one above a branch)."""
    return _orgs_told(org_id, Role.UNION)


def district_orgs(org_id: int) -> list[int]:
    """The district (or industry union) above a unit."""
    return _orgs_told(org_id, Role.REVIEWER)


def _orgs_told(org_id: int, role: Role) -> list[int]:
    """The organisations whose holders of `role` are told about a unit's nomination: its
    grassroots union (itself, or the one above a branch), or its district."""
    levels = (OrgLevel.GRASSROOTS,) if role == Role.UNION else DISTRICT_LEVELS
    return list(
        db.session.scalars(
            select(OrgClosure.ancestor_id)
            .join(Organization, Organization.id == OrgClosure.ancestor_id)
            .where(OrgClosure.descendant_id == org_id, Organization.level.in_(levels))
        )
    )


def people_holding(role: Role, org_ids: list[int]) -> list[int]:
    """The active users holding `role` at these organisations."""
    if not org_ids:
        return []
    return list(
        db.session.scalars(
            select(RoleAssignment.user_id)
            .join(User, User.id == RoleAssignment.user_id)
            .where(
                RoleAssignment.role == role,
                RoleAssignment.org_id.in_(org_ids),
                User.is_active_flag.is_(True),
            )
            .distinct()
        )
    )


def _insert(rows: list[dict[str, Any]]) -> list[int]:
    """Insert, skipping any (user, event) already told; the new rows' ids."""
    if not rows:
        return []
    table = cast(Table, Notification.__table__)
    keys = ["user_id", "nomination_id", "state", "kind", "day", "event_id"]
    dialect = db.session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = make(table).on_conflict_do_nothing(index_elements=keys).returning(table.c.id)
    return list(db.session.scalars(stmt, rows))


def notify_events(events: list[NominationEvent]) -> list[int]:
    """Write the notices of these (flushed) audit events; the new notifications' ids. The
    groups (robots) of the organisations told get one message per event."""
    rows: list[dict[str, Any]] = []
    groups: list[tuple[int, list[int], Role, str]] = []  # event, orgs, role, title
    for ev in events:
        role = told_of(ev.action, ev.from_state)
        if role is None:
            continue
        found = db.session.execute(
            select(Nomination.org_id, Nomination.due_on, Organization.name)
            .join(Organization, Organization.id == Nomination.org_id)
            .where(Nomination.id == ev.nomination_id)
        ).first()
        if found is None:
            continue
        org_id, due_on, unit = found
        orgs = _orgs_told(org_id, role)
        people = set(people_holding(role, orgs))
        people.discard(ev.actor_id or 0)  # nobody is told of their own step
        if not people:
            continue
        with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_Hans_CN")):
            title = event_title(ev.action, unit or "", role)[:300]
        with force_locale("en"):
            title_en = event_title(ev.action, unit or "", role)[:300]
        groups.append((ev.id, orgs, role, title))
        day = to_beijing(ev.created_at).date()
        rows += [
            {
                "user_id": user_id,
                "nomination_id": ev.nomination_id,
                "state": ev.to_state,
                "kind": Kind.EVENT,
                "day": day,
                "due_on": due_on,
                "title": title,
                "title_en": title_en,
                "event_id": ev.id,
                "action": ev.action,
                "body": (ev.comment or None),
                "created_at": ev.created_at,
            }
            for user_id in sorted(people)
        ]
    created = _insert(rows)
    if created and groups:
        _queue_robots(groups)
    return created


def _queue_robots(groups: list[tuple[int, list[int], Role, str]]) -> int:
    """One message per event to each active robot of the organisations told, for the
    role told; attached to the event's first notice, after the quiet hours."""
    from app.notifications.delivery import release_time

    orgs = {org for _e, ids, _r, _t in groups for org in ids}
    robots = list(
        db.session.scalars(
            select(OrgRobot).where(OrgRobot.org_id.in_(orgs), OrgRobot.active.is_(True))
        )
    )
    if not robots:
        return 0
    firsts = dict(
        db.session.execute(
            select(Notification.event_id, func.min(Notification.id))
            .where(
                Notification.kind == Kind.EVENT,
                Notification.event_id.in_([e for e, _o, _r, _t in groups]),
            )
            .group_by(Notification.event_id)
        )
        .tuples()
        .all()
    )
    now = utcnow()
    at = release_time(now)
    rows = [
        {
            "notification_id": firsts[event_id],
            "channel": robot.kind.value,
            "target": str(robot.id),
            "text": title,
            "status": MailStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": at,
            "created_at": now,
        }
        for event_id, org_ids, role, title in groups
        if event_id in firsts
        for robot in robots
        if robot.org_id in org_ids and robot.role == role.value
    ]
    if rows:
        db.session.execute(insert(OutboxMessage), rows)
    return len(rows)


def notify_others(notices: list[Notice], at: Any) -> list[int]:
    """Write notices from the registered sources; the new notifications' ids."""
    day = to_beijing(at).date()
    rows = [
        {
            "user_id": user_id,
            "nomination_id": n.nomination_id,
            "state": n.occasion,
            "kind": Kind.EVENT,
            "day": day,
            "due_on": None,
            "title": n.title[:300],
            "title_en": (n.title_en or None) and n.title_en[:300],
            "event_id": n.key,
            "action": n.action,
            "body": n.body,
            "created_at": at,
        }
        for n in notices
        for user_id in sorted(set(n.user_ids))
    ]
    return _insert(rows)


# -- the session hooks -----------------------------------------------------------------


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    """Note the audit events this flush wrote (their ids are known now)."""
    new = [obj for obj in session.new if isinstance(obj, NominationEvent)]
    if new:
        session.info.setdefault(PENDING, []).extend(new)
    others: list[tuple[Any, Callable[[Any], list[Notice]]]] = [
        (obj, SOURCES[type(obj)]) for obj in session.new if type(obj) in SOURCES
    ]
    for obj in session.dirty:
        for attribute, notices in CHANGES.get(type(obj), ()):
            added = inspect(obj).attrs[attribute].history.added
            if added and added[0] is not None:
                others.append((obj, notices))
    if others:
        session.info.setdefault(PENDING_OTHER, []).extend(others)


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    """Before the COMMIT, in the same transaction: the notices and their e-mails."""
    if not has_app_context():
        return
    if session.dirty or any(
        isinstance(obj, NominationEvent) or type(obj) in SOURCES for obj in session.new
    ):
        session.flush()  # the COMMIT would flush them after this hook: now, to know their ids
    events = session.info.pop(PENDING, [])
    others = session.info.pop(PENDING_OTHER, [])
    if not events and not others:
        return
    from app.notifications.delivery import queue_sms
    from app.notifications.sweep import queue_emails

    created = notify_events(events) if events else []
    if others:
        notices = [n for obj, make in others for n in make(obj)]
        created += notify_others(notices, utcnow())
    if created:
        queue_emails(created, "events")
        queue_sms(created, "events")
        session.info[CREATED] = True


@event.listens_for(Session, "after_commit")
def _send(session: Session) -> None:
    """After the commit: a job sends the e-mails (without Redis, `flask remind` does)."""
    if not session.info.pop(CREATED, False) or not has_app_context():
        return
    from app.jobs import POLICIES, get_queue

    try:
        queue = get_queue()
        if queue is not None:
            name = "app.notifications.jobs.send_job"
            queue.enqueue(name, **POLICIES[name].options())
    except Exception:  # Redis down: the periodic sweep sends them
        current_app.logger.warning("could not enqueue the notices' e-mails", exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(PENDING_OTHER, None)
    session.info.pop(CREATED, None)


def english_title(action: str, unit: str) -> str:
    """A notice's title in English, for the users who chose English (their messages)."""
    with force_locale("en"):
        return event_title(action, unit)
