"""Importing the organisation tree from a roster's rows: check every row, plan what changes,
then write it in the caller's transaction with bulk statements and rebuild the closure table
in bulk.

A row is one organisation: 组织代码, 组织名称, 上级组织代码, 层级, 类别, 国有企业, 职工数,
会员数, 地址, 联系电话. The parent is another row of the file or an organisation already in
the system. Rows are matched to organisations by code, so the same file again plans no
change and an edited one changes what it edits. Empty headcount, address and phone cells
keep what is recorded (a roster often lacks them). Organisations of the administrator's
tree that the file leaves out are reported (`missing`), never removed; deactivating them
is a separate, explicit choice (`apply_orgs(..., deactivate_missing=True)`). An inactive
organisation that is in the file again is reactivated.

Moving an existing organisation to another parent is allowed unless a nomination of it or
below it is under way (its district decides its reviewers, quota and draw stratum); its
level never changes. A grassroots union's category and 国有企业 flag stay fixed while one of
its nominations is under way, as on the admin page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import insert, select, text, update

from app.admin.models import AdminAudit
from app.admin.org_rows import (
    CATEGORY,
    CODE,
    HEADERS,
    LEVEL,
    PARENT,
    STATE_OWNED,
    TIER,
    OrgRow,
    columns,
    parse_row,
)
from app.admin.policy import scoped_orgs
from app.admin.sheets import RowProblem
from app.extensions import db
from app.orgs.closure import closure_for, rebuild_closure
from app.orgs.models import (
    ALLOWED_PARENT_LEVELS,
    LEVEL_LABELS,
    Organization,
    OrgCategory,
    OrgClosure,
    OrgLevel,
)
from app.orgs.services import level_names
from app.timeutil import utcnow
from app.web.templating import label

__all__ = ["OrgChange", "OrgPlan", "apply_orgs", "columns", "plan_orgs"]
CHUNK = 5_000
Progress = Callable[[str, int, int], None]  # phase, done, total


@dataclass
class OrgChange:
    code: str
    org_id: int
    fields: dict[str, list[Any]]  # field → [old, new]


@dataclass
class OrgPlan:
    problems: list[RowProblem] = field(default_factory=list)
    created: list[OrgRow] = field(default_factory=list)
    changed: list[OrgChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (code, name), active ones
    moves: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Known:
    """What the plan needs of an organisation already in the system."""

    id: int
    code: str
    level: OrgLevel
    parent_id: int | None
    in_scope: bool
    values: dict[str, Any]


def _known_orgs(actor: Any) -> dict[str, _Known]:
    """Every organisation by code (codes are unique across the system), marked whether the
    administrator manages it: one statement each."""
    scope = set(
        db.session.scalars(scoped_orgs(actor).with_only_columns(Organization.id).order_by(None))
    )
    rows = db.session.execute(
        select(
            Organization.id,
            Organization.code,
            Organization.level,
            Organization.parent_id,
            Organization.name,
            Organization.category,
            Organization.is_state_owned,
            Organization.staff_count,
            Organization.member_count,
            Organization.address,
            Organization.contact_phone,
            Organization.is_active,
        )
    ).all()
    code_of = {r.id: r.code for r in rows}
    return {
        r.code: _Known(
            id=r.id,
            code=r.code,
            level=OrgLevel(r.level),
            parent_id=r.parent_id,
            in_scope=r.id in scope,
            values={
                "name": r.name,
                "parent_code": code_of.get(r.parent_id, "") if r.parent_id else "",
                "category": r.category.value if r.category else None,
                "is_state_owned": bool(r.is_state_owned),
                "staff_count": r.staff_count,
                "member_count": r.member_count,
                "address": r.address,
                "contact_phone": r.contact_phone,
                "is_active": bool(r.is_active),
            },
        )
        for r in rows
    }


def _under_way(org_ids: list[int], with_subtree: bool) -> set[int]:
    """Of these organisations, those with a nomination under way (of their own, or with
    `with_subtree` of any organisation below them)."""
    from app.nominations.models import Nomination  # the org tree sits below nominations
    from workflows.nomination import FINAL_STATES

    found: set[int] = set()
    open_states = Nomination.status.not_in([*FINAL_STATES, "commended"])
    for i in range(0, len(org_ids), CHUNK):
        chunk = org_ids[i : i + CHUNK]
        if with_subtree:
            stmt = (
                select(OrgClosure.ancestor_id)
                .join(Nomination, Nomination.org_id == OrgClosure.descendant_id)
                .where(OrgClosure.ancestor_id.in_(chunk), open_states)
                .distinct()
            )
        else:
            stmt = (
                select(Nomination.org_id)
                .where(Nomination.org_id.in_(chunk), open_states)
                .distinct()
            )
        found.update(db.session.scalars(stmt))
    return found


def _quiet(phase: str, done: int, total: int) -> None:
    """No progress shown."""


def plan_orgs(
    actor: Any, rows: Iterable[tuple[int, dict[str, Any]]], progress: Progress = _quiet
) -> OrgPlan:
    """Check every row and plan the import (reads, writes nothing). `actor` None: the
    operator on the command line, who manages the whole tree."""
    plan = OrgPlan()
    problem = plan.problems.append
    parsed: dict[str, OrgRow] = {}
    rows = list(rows)
    for index, (number, values) in enumerate(rows):
        if index % 1000 == 0:
            progress("check", index, len(rows))
        cells = {c: ("" if values.get(c) is None else str(values.get(c)).strip()) for c in HEADERS}
        if not any(cells.values()):
            continue
        org = parse_row(number, cells, problem)
        if org is None:
            continue
        earlier = parsed.get(org.code)
        if earlier is not None:
            problem(
                RowProblem(
                    number,
                    CODE,
                    _(
                        "The code %(code)s is already on row %(row)s.",
                        code=org.code,
                        row=earlier.row,
                    ),
                )
            )
            continue
        parsed[org.code] = org

    progress("compare", 0, 1)
    known = _known_orgs(actor)
    level_of = {code: k.level for code, k in known.items()} | {
        c: o.level for c, o in parsed.items()
    }
    parent_of = {code: k.values["parent_code"] for code, k in known.items()} | {
        c: o.parent_code for c, o in parsed.items()
    }
    good: list[OrgRow] = []
    for org in parsed.values():
        before = len(plan.problems)
        existing = known.get(org.code)
        if existing is not None and not existing.in_scope:
            problem(
                RowProblem(
                    org.row,
                    CODE,
                    _(
                        "The code %(code)s belongs to an organisation you do not manage.",
                        code=org.code,
                    ),
                )
            )
            continue
        if existing is not None and existing.level != org.level:
            problem(
                RowProblem(
                    org.row,
                    LEVEL,
                    _(
                        "The organisation is a %(old)s; its level cannot change.",
                        old=label(LEVEL_LABELS[existing.level]),
                    ),
                )
            )
        allowed = ALLOWED_PARENT_LEVELS[org.level]
        if not allowed:
            if org.parent_code:
                problem(
                    RowProblem(
                        org.row,
                        PARENT,
                        _(
                            "A %(level)s has no parent organisation.",
                            level=label(LEVEL_LABELS[org.level]),
                        ),
                    )
                )
            elif existing is None and actor is not None:
                problem(
                    RowProblem(
                        org.row,
                        LEVEL,
                        _(
                            "A new city federation is added on the command line "
                            "(flask import-orgs)."
                        ),
                    )
                )
        elif not org.parent_code:
            problem(RowProblem(org.row, PARENT, _("This column must be filled in.")))
        elif org.parent_code not in level_of:
            problem(
                RowProblem(
                    org.row,
                    PARENT,
                    _(
                        "No organisation with the code %(code)s, in the file or in the system.",
                        code=org.parent_code,
                    ),
                )
            )
        elif (
            org.parent_code in known
            and org.parent_code not in parsed
            and not known[org.parent_code].in_scope
        ):
            problem(
                RowProblem(
                    org.row,
                    PARENT,
                    _("The organisation %(code)s is not yours to manage.", code=org.parent_code),
                )
            )
        elif level_of[org.parent_code] not in allowed:
            problem(
                RowProblem(
                    org.row,
                    PARENT,
                    _(
                        "The parent of a %(level)s must be a %(parents)s; "
                        "%(code)s is a %(actual)s.",
                        level=label(LEVEL_LABELS[org.level]),
                        parents=level_names(allowed),
                        code=org.parent_code,
                        actual=label(LEVEL_LABELS[level_of[org.parent_code]]),
                    ),
                )
            )
        else:
            seen = {org.code}
            step = org.parent_code
            while step:
                if step in seen:
                    problem(
                        RowProblem(
                            org.row,
                            PARENT,
                            _("The parents go round in a circle back to %(code)s.", code=org.code),
                        )
                    )
                    break
                seen.add(step)
                step = parent_of.get(step, "")
        if len(plan.problems) == before and org.valid:
            good.append(org)

    _compare(actor, plan, good, known, parsed)
    progress("compare", 1, 1)
    plan.problems.sort(
        key=lambda p: (p.row, HEADERS.index(p.column) if p.column in HEADERS else 99)
    )
    return plan


def _values(org: OrgRow, old: dict[str, Any] | None) -> dict[str, Any]:
    keep = old or {}
    return {
        "name": org.name,
        "parent_code": org.parent_code,
        "category": org.category.value if org.category else None,
        "is_state_owned": org.is_state_owned,
        "staff_count": org.staff_count if org.staff_count is not None else keep.get("staff_count"),
        "member_count": org.member_count
        if org.member_count is not None
        else keep.get("member_count"),
        "address": org.address or keep.get("address"),
        "contact_phone": org.contact_phone or keep.get("contact_phone"),
        "is_active": True,
    }


def _compare(
    actor: Any,
    plan: OrgPlan,
    good: list[OrgRow],
    known: dict[str, _Known],
    parsed: dict[str, OrgRow],
) -> None:
    changes: list[tuple[OrgRow, _Known, dict[str, list[Any]]]] = []
    for org in good:
        existing = known.get(org.code)
        if existing is None:
            plan.created.append(org)
            continue
        after = _values(org, existing.values)
        fields = {k: [existing.values[k], v] for k, v in after.items() if existing.values[k] != v}
        if not fields:
            plan.unchanged.append(org.code)
        else:
            changes.append((org, existing, fields))
    moved = [k.id for _o, k, f in changes if "parent_code" in f]
    recategorised = [k.id for _o, k, f in changes if "category" in f or "is_state_owned" in f]
    busy_moves = _under_way(moved, with_subtree=True) if moved else set()
    busy = _under_way(recategorised, with_subtree=False) if recategorised else set()
    for org, existing, fields in changes:
        if existing.id in busy_moves and "parent_code" in fields:
            plan.problems.append(
                RowProblem(
                    org.row,
                    PARENT,
                    _(
                        "A nomination of this organisation or below it is under way: "
                        "it cannot move now."
                    ),
                )
            )
            continue
        if existing.id in busy and ("category" in fields or "is_state_owned" in fields):
            column = CATEGORY if "category" in fields else STATE_OWNED
            plan.problems.append(
                RowProblem(
                    org.row,
                    column,
                    _(
                        "This organisation has a nomination under way: its category and "
                        "state-owned flag cannot change."
                    ),
                )
            )
            continue
        plan.changed.append(OrgChange(org.code, existing.id, fields))
        plan.moves += "parent_code" in fields
    # The administrator's active organisations, of the levels the file lists, that it
    # leaves out (the file's own parents are not "missing").
    levels = {o.level for o in parsed.values()}
    parents = {o.parent_code for o in parsed.values()}
    plan.missing = sorted(
        (k.code, k.values["name"])
        for k in known.values()
        if k.in_scope
        and k.values["is_active"]
        and k.level in levels
        and k.code not in parsed
        and k.code not in parents
    )


def apply_orgs(
    actor: Any, plan: OrgPlan, *, deactivate_missing: bool = False, progress: Progress = _quiet
) -> dict[str, int]:
    """Write a plan without problems in the caller's transaction: new organisations tier by
    tier (each tier one batched INSERT … RETURNING), changes as executemany UPDATEs, the
    closure table rebuilt in bulk, one audit row per organisation. Returns the counts."""
    if not plan.ok:
        raise ValueError("a plan with problems is not applied")
    if db.session.get_bind().dialect.name == "postgresql":
        # No organisation is added on a page while the closure is rebuilt; readers go on.
        db.session.execute(text("LOCK TABLE org_closure IN SHARE ROW EXCLUSIVE MODE"))
    now = utcnow()
    ids = dict(db.session.execute(select(Organization.code, Organization.id)).tuples().all())
    new_ids: list[int] = []
    by_tier: dict[int, list[OrgRow]] = {}
    for org in plan.created:
        by_tier.setdefault(TIER[org.level], []).append(org)
    total = len(plan.created) + len(plan.changed)
    progress("write", 0, total)
    for tier in sorted(by_tier):
        rows = [
            {
                "code": o.code,
                "name": o.name,
                "level": o.level,
                "parent_id": ids[o.parent_code] if o.parent_code else None,
                "category": o.category,
                "is_state_owned": o.is_state_owned,
                "staff_count": o.staff_count,
                "member_count": o.member_count,
                "address": o.address,
                "contact_phone": o.contact_phone,
                "is_active": True,
            }
            for o in by_tier[tier]
        ]
        returned = db.session.execute(
            insert(Organization).returning(Organization.id, Organization.code), rows
        ).all()
        for org_id, code in returned:
            ids[code] = org_id
            new_ids.append(org_id)
        progress("write", len(new_ids), total)

    updates = []
    for change in plan.changed:
        values: dict[str, Any] = {"id": change.org_id}
        for name, (_old, new) in change.fields.items():
            if name == "parent_code":
                values["parent_id"] = ids[new]
            elif name == "category":
                values["category"] = OrgCategory(new) if new else None
            else:
                values[name] = new
        updates.append(values)
    for keys in {tuple(sorted(u)) for u in updates}:
        db.session.execute(update(Organization), [u for u in updates if tuple(sorted(u)) == keys])

    deactivated: list[tuple[str, str]] = []
    if deactivate_missing and plan.missing:
        deactivated = plan.missing
        codes = [code for code, _name in deactivated]
        for i in range(0, len(codes), CHUNK):
            db.session.execute(
                update(Organization)
                .where(Organization.code.in_(codes[i : i + CHUNK]))
                .values(is_active=False)
            )

    progress("write", total, total)
    progress("tree", 0, 1)
    if plan.moves:
        rebuild_closure()
    elif new_ids:
        closure_for(new_ids)

    audit = [
        {
            "at": now,
            "actor_id": getattr(actor, "id", None),
            "action": "org.create",
            "target_type": "org",
            "target_id": ids[o.code],
            "target_label": o.code,
            "changes": {
                **{k: [None, v] for k, v in _values(o, None).items() if v not in (None, "", False)},
                "source": [None, "import"],
            },
        }
        for o in plan.created
    ]
    audit += [
        {
            "at": now,
            "actor_id": getattr(actor, "id", None),
            "action": "org.import_update",
            "target_type": "org",
            "target_id": c.org_id,
            "target_label": c.code,
            "changes": c.fields,
        }
        for c in plan.changed
    ]
    audit += [
        {
            "at": now,
            "actor_id": getattr(actor, "id", None),
            "action": "org.deactivate",
            "target_type": "org",
            "target_id": ids[code],
            "target_label": code,
            "changes": {"is_active": [True, False], "source": [None, "import"]},
        }
        for code, _name in deactivated
    ]
    for i in range(0, len(audit), CHUNK):
        db.session.execute(insert(AdminAudit), audit[i : i + CHUNK])
    db.session.expire_all()
    return {
        "created": len(plan.created),
        "changed": len(plan.changed),
        "unchanged": len(plan.unchanged),
        "deactivated": len(deactivated),
    }
