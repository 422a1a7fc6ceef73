"""The reminder sweep: steps due soon, due today and overdue, each owner told once a day.

Work grows with the steps due, not with the nominations: one indexed range query on
(due_on, status) finds them; owners come from three set-based queries (ancestors, role
holders, assigned users such as a check's inspectors: `app.nominations.work`).
Notifications are inserted with ON CONFLICT DO NOTHING on the unique key (user, nomination,
state, kind, day): running the sweep twice, or retrying it after a worker died half-way,
adds nothing. E-mails are queued for the rows that were new,
in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import String, Table, case, literal, select, text
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.auth.models import Role, RoleAssignment, User
from app.campaigns.models import Campaign
from app.dbtypes import UTCDateTime
from app.extensions import Model, db
from app.nominations import work
from app.nominations.models import Nomination
from app.notifications.delivery import queue_sms
from app.notifications.models import (
    KIND_LABELS,
    Kind,
    Notification,
    NotificationPreference,
    OutboxEmail,
)
from app.orgs.models import Organization, OrgClosure
from app.timeutil import beijing_today, utcnow
from workflows.nomination import STATE_LABELS, STATE_OWNER

# Who supervises an owner: an overdue step escalates to this role above the unit.
EMAIL_SLICE = 10_000  # notifications per INSERT … SELECT of their e-mails

SUPERVISOR = {"union": Role.REVIEWER, "reviewer": Role.CITY, "inspector": Role.CITY}


@dataclass
class Step:
    nomination_id: int
    org_id: int
    unit: str
    state: str
    due_on: date
    owner: str  # role name (a rectification handed in: whoever decides it)


@dataclass
class SweepResult:
    steps: int = 0
    created: int = 0
    emails: int = 0


def kind_for(due_on: date, today: date) -> Kind:
    if due_on < today:
        return Kind.OVERDUE
    return Kind.DUE_TODAY if due_on == today else Kind.DUE_SOON


def due_steps(today: date, soon_days: int) -> list[Step]:
    """Active steps due within `soon_days` or overdue (one query on ix_nominations_due);
    `soon_days=-1`: the overdue only (`flask overdue`). A step whose part the union has
    handed in (`app.nominations.work`) is its taker's."""
    handovers = work.handovers()
    rows = db.session.execute(
        select(
            Nomination.id,
            Nomination.org_id,
            Organization.name,
            Nomination.nominee_name,
            Nomination.status,
            Nomination.due_on,
            Campaign,
            *[Nomination.id.in_(h.handed_in()) for h in handovers],
        )
        .join(Organization, Organization.id == Nomination.org_id)
        .join(Campaign, Campaign.id == Nomination.campaign_id)
        .where(
            Nomination.due_on <= today + timedelta(days=soon_days),
            Nomination.status.in_(list(STATE_OWNER)),
        )
        .order_by(Nomination.due_on, Nomination.id)
    ).all()
    steps = []
    for nid, org_id, unit, nominee, state, due_on, campaign, *handed_in in rows:
        owner = STATE_OWNER[state]
        for handover, done in zip(handovers, handed_in, strict=True):
            if handover.state == state and done:
                owner = handover.taker(campaign)
        steps.append(Step(nid, org_id, nominee or unit, state, due_on, owner))
    return steps


def _role_holders(steps: list[Step], roles: set[str]) -> dict[tuple[int, str], set[int]]:
    """(org, role) → active users holding the role at the org or above (two queries)."""
    org_ids = {s.org_id for s in steps}
    if not org_ids or not roles:
        return {}
    below: dict[int, set[int]] = {}  # an ancestor → the steps' units at or under it
    for descendant, ancestor in db.session.execute(
        select(OrgClosure.descendant_id, OrgClosure.ancestor_id).where(
            OrgClosure.descendant_id.in_(org_ids)
        )
    ):
        below.setdefault(ancestor, set()).add(descendant)
    holders: dict[tuple[int, str], set[int]] = {}
    for user_id, role, at in db.session.execute(
        select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.org_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            RoleAssignment.role.in_(list(roles)),
            RoleAssignment.org_id.in_(list(below)),
            User.is_active_flag.is_(True),
        )
    ):
        for org_id in below[at]:
            holders.setdefault((org_id, str(role)), set()).add(user_id)
    return holders


def _assignees(steps: list[Step]) -> dict[tuple[int, str], set[int]]:
    """(nomination, role) → the users assigned, for owners that work by assignment."""
    found: dict[tuple[int, str], set[int]] = {}
    for assignment in work.assignments():
        ids = [s.nomination_id for s in steps if s.owner == assignment.role]
        if ids:
            for nid, users in assignment.assignees(ids).items():
                found[(nid, assignment.role)] = users
    return found


def _title(step: Step, kind: Kind, today: date) -> str:
    days = (step.due_on - today).days
    when = f"已逾期 {-days} 天" if days < 0 else "今天到期" if days == 0 else f"剩 {days} 天"
    prefix = KIND_LABELS[kind]
    return (
        f"【{prefix}】{step.unit} · {STATE_LABELS[step.state]}，"
        f"办理期限 {step.due_on.isoformat()}（{when}）"
    )


def plan(today: date | None = None) -> list[dict[str, Any]]:
    """The notifications the sweep owes today, as rows for the insert."""
    today = today or beijing_today()
    config = current_app.config
    steps = due_steps(today, int(config["REMINDER_DAYS_BEFORE"]))
    escalate_after = int(config["ESCALATE_AFTER_DAYS_OVERDUE"])
    by_assignment = {a.role for a in work.assignments()}
    roles = {s.owner for s in steps if s.owner not in by_assignment}
    roles |= {
        str(SUPERVISOR[s.owner])
        for s in steps
        if s.owner in SUPERVISOR and (today - s.due_on).days >= escalate_after
    }
    holders = _role_holders(steps, roles)
    assigned = _assignees(steps)
    rows = []
    for step in steps:
        kind = kind_for(step.due_on, today)
        owners = (
            assigned.get((step.nomination_id, step.owner), set())
            if step.owner in by_assignment
            else holders.get((step.org_id, step.owner), set())
        )
        for user_id in sorted(owners):
            rows.append(_row(user_id, step, kind, today))
        supervisor = SUPERVISOR.get(step.owner)
        if supervisor and (today - step.due_on).days >= escalate_after:
            for user_id in sorted(holders.get((step.org_id, str(supervisor)), set()) - owners):
                rows.append(_row(user_id, step, Kind.ESCALATION, today))
    return rows


def _row(user_id: int, step: Step, kind: Kind, today: date) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "nomination_id": step.nomination_id,
        "state": step.state,
        "kind": kind.value,
        "day": today,
        "due_on": step.due_on,
        "title": _title(step, kind, today),
        "created_at": utcnow(),
    }


def _table(model: type[Model]) -> Table:
    """A model's table. Declarative types it as any FROM clause; a model declared with a
    `__tablename__` has a Table, which can be inserted into."""
    return cast(Table, model.__table__)


def _insert_ignoring_duplicates(rows: list[dict[str, Any]]) -> list[int]:
    """Insert, skipping rows whose (user, nomination, state, kind, day) exists; the ids of
    the rows actually inserted.

    Rows already there today are left out first (one indexed read of the day's keys), so a
    repeat run inserts nothing. On PostgreSQL the rest go in as one INSERT … SELECT FROM
    unnest(arrays) ON CONFLICT DO NOTHING RETURNING: eight array parameters whatever the
    number of rows. Elsewhere, one executemany (SQLAlchemy batches it into multi-row
    statements compiled once). The conflict clause still decides a race with another sweep."""
    if not rows:
        return []
    days = {r["day"] for r in rows}
    table = _table(Notification)
    existing = set(
        db.session.execute(
            select(
                table.c.user_id, table.c.nomination_id, table.c.state, table.c.kind, table.c.day
            ).where(table.c.day.in_(days), table.c.event_id == 0)
        ).tuples()
    )
    fresh = [
        r
        for r in rows
        if (r["user_id"], r["nomination_id"], r["state"], r["kind"], r["day"]) not in existing
    ]
    if not fresh:
        return []
    keys = ["user_id", "nomination_id", "state", "kind", "day", "event_id"]
    if db.session.get_bind().dialect.name == "postgresql":
        # One statement whatever the number of rows: the columns as arrays, unnested.
        columns = [
            "user_id",
            "nomination_id",
            "state",
            "kind",
            "day",
            "due_on",
            "title",
            "created_at",
        ]
        types = [
            "int[]",
            "int[]",
            "text[]",
            "text[]",
            "date[]",
            "date[]",
            "text[]",
            "timestamptz[]",
        ]
        arrays = ", ".join(f"CAST(:{c} AS {t})" for c, t in zip(columns, types, strict=True))
        unnest = text(
            f"INSERT INTO notifications ({', '.join(columns)}) "
            f"SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT ({', '.join(keys)}) DO NOTHING RETURNING id"
        )
        return list(db.session.scalars(unnest, {c: [r[c] for r in fresh] for c in columns}))
    many = sqlite_insert(table).on_conflict_do_nothing(index_elements=keys).returning(table.c.id)
    return list(db.session.scalars(many, fresh))


def queue_emails(notification_ids: list[int], kind: str = "reminders") -> int:
    """One INSERT … SELECT: an e-mail for each new notification whose user has an address
    and wants this kind by e-mail (`app.notifications.delivery`), the body written by the
    database."""
    from app.notifications.delivery import wanted

    if not notification_ids:
        return 0
    prefs = _table(NotificationPreference)
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    now = utcnow()
    n, u = _table(Notification), _table(User)
    link = literal(base + "/nominations/") + sql_cast(n.c.nomination_id, String)
    body_zh = (
        u.c.display_name
        + literal("：\n\n")
        + n.c.title
        + literal("。\n\n请登录职工之家评选系统办理：")
        + link
        + literal("\n\n（本邮件由系统自动发送，请勿回复。）")
    )
    # A user who chose English gets the notice's English title where it has one.
    english = u.c.locale.like("en%") & n.c.title_en.is_not(None)
    body_en = (
        u.c.display_name
        + literal(":\n\n")
        + n.c.title_en
        + literal(".\n\nPlease sign in to 职工之家评选 to see it: ")
        + link
        + literal("\n\n(This e-mail was sent automatically; please do not reply.)")
    )
    subject = case((english, n.c.title_en), else_=n.c.title)
    body = case((english, body_en), else_=body_zh)
    queued = 0
    # In slices: an IN list is one parameter per id, and drivers cap the parameters of a
    # statement (PostgreSQL 65,535; SQLite 32,766).
    for start in range(0, len(notification_ids), EMAIL_SLICE):
        ids = notification_ids[start : start + EMAIL_SLICE]
        chosen = (
            select(
                n.c.id,
                u.c.email,
                subject,
                body,
                literal("pending"),
                literal(0),
                literal(now, UTCDateTime),
                literal(now, UTCDateTime),
            )
            .join(u, u.c.id == n.c.user_id)
            .outerjoin(prefs, prefs.c.user_id == n.c.user_id)
            .where(
                n.c.id.in_(ids),
                u.c.email.is_not(None),
                u.c.email != "",
                wanted(kind, "email", prefs),
            )
        )
        outbox = _table(OutboxEmail)
        result = db.session.execute(
            outbox.insert()
            .from_select(
                [
                    "notification_id",
                    "to_address",
                    "subject",
                    "body",
                    "status",
                    "attempts",
                    "next_attempt_at",
                    "created_at",
                ],
                chosen,
            )
            .returning(outbox.c.id)
        )
        queued += len(result.all())
    return queued


def sweep(today: date | None = None) -> SweepResult:
    """Run once: owe, insert what is new, queue its e-mails; one transaction. Commits."""
    today = today or beijing_today()
    rows = plan(today)
    created = _insert_ignoring_duplicates(rows)
    emails = queue_emails(created, "reminders")
    queue_sms(created, "reminders")
    db.session.commit()
    return SweepResult(
        steps=len({(r["nomination_id"]) for r in rows}), created=len(created), emails=emails
    )
