"""Importing users from a spreadsheet's rows: check every row first, plan what would change,
then write it all in one transaction with bulk statements.

A row is one role of one person: 用户名, 姓名, 手机号, 电子邮箱, 角色, 组织代码. A person with
two roles has two rows with the same username (and the same name, mobile number and
e-mail). Reading the file (.xlsx or .csv) is the spreadsheet reader's job; this module takes
its rows as `(row number, {header: text})`.

- **The plan** (`plan_users`): every problem by row and column, in words (a bad username,
  a missing name, a mobile number that is not a mainland one or is another user's, an
  e-mail that is not one, an unknown role, an organisation that does not exist or is not the
  administrator's, a role that does not fit the organisation's level, rows of one person
  that disagree); then which users would be created, which changed (field by field, old →
  new, roles added), which left alone, and which users of the administrator's
  organisations the file does not mention (reported, never removed or deactivated). Roles
  the file does not list are kept: the import adds, it does not take away.
- **Applying** (`apply_users`): only a plan without problems; users, roles and one audit
  row per change (`admin_audit`, plus one for the import) go in with executemany inserts
  and updates, in the caller's transaction. New users get no usable password
  (`UNUSABLE_PASSWORD`): they set one through the activation the administrator hands out.
- **Idempotent**: importing the same rows again plans no change.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from app.admin.models import AdminAudit
from app.admin.policy import scoped_orgs
from app.admin.sheets import Column, RowProblem
from app.auth.mobile import normalise_mobile
from app.auth.models import ROLE_LABELS, Role, RoleAssignment, User
from app.auth.policy import ROLE_ORG_LEVELS
from app.auth.services import EMAIL_PATTERN
from app.extensions import db
from app.orgs.models import Organization
from app.orgs.services import level_names
from app.timeutil import utcnow
from app.web.templating import label

USERNAME, NAME, MOBILE, EMAIL, ROLE, ORG = (
    "用户名",
    "姓名",
    "手机号",
    "电子邮箱",
    "角色",
    "组织代码",
)
COLUMNS = (USERNAME, NAME, MOBILE, EMAIL, ROLE, ORG)
REQUIRED = (USERNAME, NAME, ROLE, ORG)
USERNAME_RE = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")
UNUSABLE_PASSWORD = "!unset"  # never an argon2 hash: no password checks against it
CHUNK = 5_000  # names per IN (…) when reading what exists
Progress = Callable[[str, int, int], None]  # phase, done, total


def _quiet(phase: str, done: int, total: int) -> None:
    """No progress shown."""


def columns() -> list[Column]:
    """The template's columns, explained in the reader's language."""
    roles = "、".join(label(t) for t in ROLE_LABELS.values())
    return [
        Column(
            USERNAME,
            True,
            _(
                "The login name: 2–64 letters, digits or . _ @ -. A person with several "
                "roles has one row per role with the same username."
            ),
            "zhangsan",
            text=True,
        ),
        Column(
            NAME,
            True,
            _("The person's name (on a second row of the same person it may be left empty)."),
            "张三",
        ),
        Column(
            MOBILE,
            False,
            _("A mainland mobile number of 11 digits, for SMS notices and single sign-on."),
            "13800138000",
            text=True,
        ),
        Column(
            EMAIL, False, _("An e-mail address for reminders."), "zhangsan@example.cn", width=24
        ),
        Column(ROLE, True, _("One of: %(values)s.", values=roles), "基层工会"),
        Column(
            ORG,
            True,
            _(
                "The code of the organisation where the role is held; the role must fit its "
                "level (a grassroots union's officer at a 基层工会, a reviewer at a district)."
            ),
            "GH-0001",
            text=True,
        ),
    ]


_ROLES_BY_TEXT = {
    **{text: role for role, text in ROLE_LABELS.items()},
    **{role.value: role for role in Role},
}


@dataclass
class PersonRow:
    """What the file says of one person (all their rows)."""

    username: str
    display_name: str
    mobile: str | None
    email: str | None
    roles: list[tuple[Role, int, str]] = field(default_factory=list)  # role, org id, org code
    row: int = 0


@dataclass
class Change:
    username: str
    fields: dict[str, list[Any]]  # field → [old, new]
    roles_added: list[tuple[Role, int, str]]  # role, org id, org code
    user_id: int | None = None

    def roles_text(self) -> list[str]:
        return [f"{role.value}@{code}" for role, _org, code in self.roles_added]


@dataclass
class UserPlan:
    problems: list[RowProblem] = field(default_factory=list)
    created: list[PersonRow] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # the administrator's users not in it

    @property
    def ok(self) -> bool:
        return not self.problems


def _cell(values: dict[str, Any], column: str) -> str:
    value = values.get(column)
    return "" if value is None else str(value).strip()


def plan_users(
    actor: Any, rows: Iterable[tuple[int, dict[str, Any]]], progress: Progress = _quiet
) -> UserPlan:
    """Check every row and plan the import (reads, writes nothing). `actor` None: the
    operator on the command line, who manages the whole tree."""
    plan = UserPlan()
    problem = plan.problems.append
    people: dict[str, PersonRow] = {}
    orgs_wanted: dict[int, str] = {}
    parsed: list[tuple[int, dict[str, str]]] = []
    for number, values in rows:
        cells = {c: _cell(values, c) for c in COLUMNS}
        if not any(cells.values()):
            continue  # an empty line in the sheet
        parsed.append((number, cells))
        orgs_wanted[number] = cells[ORG]
    codes = {c for c in orgs_wanted.values() if c}
    orgs = _orgs_by_code(actor, codes)
    mobiles_in_file: dict[str, tuple[str, int]] = {}
    for index, (number, cells) in enumerate(parsed):
        if index % 1000 == 0:
            progress("check", index, len(parsed))
        username = cells[USERNAME]
        for column in REQUIRED:
            if column == NAME and username in people:
                continue  # said on the person's first row
            if not cells[column]:
                problem(RowProblem(number, column, _("This column must be filled in.")))
        if username and not USERNAME_RE.match(username):
            problem(
                RowProblem(number, USERNAME, _("A username has 2–64 letters, digits or . _ @ -."))
            )
            continue
        if len(cells[NAME]) > 100:
            problem(RowProblem(number, NAME, _("A name has at most 100 characters.")))
        try:
            mobile = normalise_mobile(cells[MOBILE])
        except ValueError:
            problem(
                RowProblem(
                    number,
                    MOBILE,
                    _("Not a mainland mobile number of 11 digits: %(value)s", value=cells[MOBILE]),
                )
            )
            mobile = None
        email = cells[EMAIL] or None
        if email and (len(email) > 255 or not re.fullmatch(EMAIL_PATTERN, email)):
            problem(RowProblem(number, EMAIL, _("Not an e-mail address: %(value)s", value=email)))
        role = _ROLES_BY_TEXT.get(cells[ROLE])
        if cells[ROLE] and role is None:
            problem(
                RowProblem(
                    number,
                    ROLE,
                    _(
                        "Unknown role “%(value)s”; one of: %(roles)s.",
                        value=cells[ROLE],
                        roles="、".join(label(t) for t in ROLE_LABELS.values()),
                    ),
                )
            )
        org = orgs.get(cells[ORG])
        if cells[ORG] and org is None:
            problem(
                RowProblem(
                    number,
                    ORG,
                    _(
                        "No organisation with the code %(code)s that you manage.",
                        code=cells[ORG],
                    ),
                )
            )
        if org is not None and not org.is_active:
            problem(
                RowProblem(
                    number, ORG, _("The organisation %(code)s is deactivated.", code=org.code)
                )
            )
        if role is not None and org is not None and org.level not in ROLE_ORG_LEVELS[role]:
            problem(
                RowProblem(
                    number,
                    ROLE,
                    _(
                        "This role can be held only at a %(levels)s, not at a %(level)s.",
                        levels=level_names(ROLE_ORG_LEVELS[role]),
                        level=label(org.level_label),
                    ),
                )
            )
        if mobile and username:
            owner = mobiles_in_file.setdefault(mobile, (username, number))
            if owner[0] != username:
                problem(
                    RowProblem(
                        number,
                        MOBILE,
                        _(
                            "Row %(row)s gives this mobile number to %(other)s.",
                            row=owner[1],
                            other=owner[0],
                        ),
                    )
                )
        if not username:
            continue
        person = people.get(username)
        if person is None:
            person = people[username] = PersonRow(username, cells[NAME], mobile, email, row=number)
        else:
            # A later row of the same person may leave a cell empty ("as above"); a filled
            # cell must agree with what an earlier row said.
            if person.mobile is None and mobile:
                person.mobile = mobile
            if person.email is None and email:
                person.email = email
            for column, mine, theirs in (
                (NAME, cells[NAME], person.display_name),
                (MOBILE, mobile, person.mobile),
                (EMAIL, email, person.email),
            ):
                if mine and mine != theirs:
                    problem(
                        RowProblem(
                            number,
                            column,
                            _(
                                "Row %(row)s says otherwise for the same username.",
                                row=person.row,
                            ),
                        )
                    )
        if role is not None and org is not None:
            key = (role, org.id, org.code)
            if key in person.roles:
                problem(
                    RowProblem(number, ROLE, _("The same role at the same organisation twice."))
                )
            else:
                person.roles.append(key)
    progress("compare", 0, 1)
    _compare(actor, plan, people)
    progress("compare", 1, 1)
    return plan


def _orgs_by_code(actor: Any, codes: set[str]) -> dict[str, Organization]:
    found: dict[str, Organization] = {}
    ordered = sorted(codes)
    for i in range(0, len(ordered), CHUNK):
        stmt = scoped_orgs(actor).where(Organization.code.in_(ordered[i : i + CHUNK]))
        found.update({o.code: o for o in db.session.scalars(stmt.order_by(None))})
    return found


def _compare(actor: Any, plan: UserPlan, people: dict[str, PersonRow]) -> None:
    """Against the database: who is new, who changes, mobile numbers taken by others."""
    names = sorted(people)
    existing: dict[str, User] = {}
    for i in range(0, len(names), CHUNK):
        stmt = select(User).where(User.username.in_(names[i : i + CHUNK]))
        existing.update({u.username: u for u in db.session.scalars(stmt)})
    held: dict[int, set[tuple[Role, int]]] = defaultdict(set)
    ids = [u.id for u in existing.values()]
    for i in range(0, len(ids), CHUNK):
        roles = select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.org_id).where(
            RoleAssignment.user_id.in_(ids[i : i + CHUNK])
        )
        for user_id, role, org_id in db.session.execute(roles):
            held[user_id].add((role, org_id))
    mobiles = sorted({p.mobile for p in people.values() if p.mobile})
    mobile_owner: dict[str, str] = {}
    for i in range(0, len(mobiles), CHUNK):
        owners = select(User.mobile, User.username).where(User.mobile.in_(mobiles[i : i + CHUNK]))
        mobile_owner.update({m: u for m, u in db.session.execute(owners) if m})
    for person in people.values():
        owner = mobile_owner.get(person.mobile or "")
        if owner and owner != person.username:
            plan.problems.append(
                RowProblem(
                    person.row,
                    MOBILE,
                    _(
                        "Another user already has the mobile number %(mobile)s.",
                        mobile=person.mobile,
                    ),
                )
            )
        user = existing.get(person.username)
        if user is None:
            plan.created.append(person)
            continue
        before = {"display_name": user.display_name, "mobile": user.mobile, "email": user.email}
        after = {
            "display_name": person.display_name,
            "mobile": person.mobile,
            "email": person.email,
        }
        # An empty mobile or e-mail cell keeps what the user has: a roster often lacks them.
        fields = {k: [before[k], v] for k, v in after.items() if v and before[k] != v}
        added = [r for r in person.roles if (r[0], r[1]) not in held[user.id]]
        if fields or added:
            plan.changed.append(Change(person.username, fields, added, user.id))
        else:
            plan.unchanged.append(person.username)
    # The administrator's users (a role in their subtree) whom the file leaves out.
    mine = (
        select(User.username)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            RoleAssignment.org_id.in_(
                scoped_orgs(actor).with_only_columns(Organization.id).order_by(None)
            )
        )
        .distinct()
    )
    plan.missing = sorted(set(db.session.scalars(mine)) - set(people))
    plan.problems.sort(
        key=lambda p: (p.row, COLUMNS.index(p.column) if p.column in COLUMNS else 99)
    )


def apply_users(actor: Any, plan: UserPlan, progress: Progress = _quiet) -> list[int]:
    """Write a plan without problems in the caller's transaction; the new users' ids."""
    if not plan.ok:
        raise ValueError("a plan with problems is not applied")
    now = utcnow()
    new_ids: list[int] = []
    progress("write", 0, 3)
    if plan.created:
        db.session.execute(
            insert(User),
            [
                {
                    "username": p.username,
                    "display_name": p.display_name,
                    "mobile": p.mobile,
                    "email": p.email,
                    "password_hash": UNUSABLE_PASSWORD,
                    "is_active_flag": True,
                    "created_at": now,
                }
                for p in plan.created
            ],
        )
        names = [p.username for p in plan.created]
        ids: dict[str, int] = {}
        for i in range(0, len(names), CHUNK):
            stmt = select(User.username, User.id).where(User.username.in_(names[i : i + CHUNK]))
            ids.update({name: user_id for name, user_id in db.session.execute(stmt)})
        new_ids = [ids[n] for n in names]
        roles = [
            {"user_id": ids[p.username], "role": role, "org_id": org_id}
            for p in plan.created
            for role, org_id, _code in p.roles
        ]
        progress("write", 1, 3)
        if roles:
            db.session.execute(insert(RoleAssignment), roles)
    updates = [
        {"id": c.user_id, **{k: v[1] for k, v in c.fields.items()}}
        for c in plan.changed
        if c.fields
    ]
    for keys in {tuple(sorted(u)) for u in updates}:  # one executemany per set of columns
        db.session.execute(update(User), [u for u in updates if tuple(sorted(u)) == keys])
    added_roles = [
        {"user_id": c.user_id, "role": role, "org_id": org_id}
        for c in plan.changed
        for role, org_id, _code in c.roles_added
    ]
    if added_roles:
        db.session.execute(insert(RoleAssignment), added_roles)
    audit = [
        {
            "at": now,
            "actor_id": getattr(actor, "id", None),
            "action": "user.create",
            "target_type": "user",
            "target_id": user_id,
            "target_label": p.username,
            "changes": {
                "display_name": [None, p.display_name],
                **({"mobile": [None, p.mobile]} if p.mobile else {}),
                **({"email": [None, p.email]} if p.email else {}),
                "roles": [None, [f"{r.value}@{code}" for r, _o, code in p.roles]],
                "source": [None, "import"],
            },
        }
        for p, user_id in zip(plan.created, new_ids, strict=True)
    ] + [
        {
            "at": now,
            "actor_id": getattr(actor, "id", None),
            "action": "user.import_update",
            "target_type": "user",
            "target_id": c.user_id,
            "target_label": c.username,
            "changes": {
                **c.fields,
                **({"roles": [None, c.roles_text()]} if c.roles_added else {}),
            },
        }
        for c in plan.changed
    ]
    progress("write", 2, 3)
    for i in range(0, len(audit), CHUNK):
        db.session.execute(insert(AdminAudit), audit[i : i + CHUNK])
    progress("write", 3, 3)
    return new_ids
