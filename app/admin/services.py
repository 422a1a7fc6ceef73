"""Administration services: the only code that changes users, their roles and organisations.

Every function takes the acting administrator, checks that the organisations it touches lie in
the administrator's subtree, raises a DomainError (messages in Chinese, `errors` keyed by form
field) when something is wrong, and commits on success. Who may do what is in
`app.admin.policy`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import (
    JSON,
    CursorResult,
    Integer,
    Select,
    String,
    Table,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import selectinload

from app.admin.models import AdminAudit
from app.admin.policy import (
    require_deactivatable,
    require_role_removable,
    scoped_org,
    scoped_orgs,
)
from app.auth.activation import among, end_activations, issue_activations
from app.auth.mobile import normalise_mobile
from app.auth.models import LoginSession, Role, RoleAssignment, User
from app.auth.policy import ROLE_ORG_LEVELS, may_hold
from app.auth.services import EMAIL_PATTERN, hash_password, validate_password
from app.dbtypes import UTCDateTime, contains_pattern
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.orgs.models import Organization, OrgCategory, OrgLevel
from app.orgs.services import create_org, level_names, org_paths, update_org
from app.timeutil import utcnow
from app.web.templating import label

USERNAME_RE = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")


def record_change(
    actor: User,
    action: str,
    target: User | Organization,
    changes: dict[str, Any] | None = None,
) -> None:
    """Record the change in `admin_audit`, in the transaction of the change (flushed first,
    so a new target has its id), and in the log."""
    db.session.flush()
    kind, label = ("user", target.username) if isinstance(target, User) else ("org", target.code)
    db.session.add(
        AdminAudit(
            actor_id=actor.id,
            action=action,
            target_type=kind,
            target_id=target.id,
            target_label=label,
            changes=changes or {},
        )
    )
    current_app.logger.info("admin %s %s %s %s %s", actor.username, action, kind, label, changes)


def audit_accounts(
    actor: User | None, action: str, user_ids: Sequence[int], changes: dict[str, Any]
) -> None:
    """Record the same change to many accounts at once (an activation issued to each user
    of an import; a user's own password): one `admin_audit` row per account, labelled with
    its username, in one INSERT … SELECT from the users (nothing per row crosses the wire),
    in the transaction of the change; one line in the log."""
    if not user_ids:
        return
    table = cast(Table, AdminAudit.__table__)
    rows = select(
        literal(utcnow(), UTCDateTime),
        literal(actor.id if actor is not None else None, Integer),
        literal(action, String),
        literal("user", String),
        User.id,
        User.username,
        literal(changes, JSON),
    ).where(among(User.id, user_ids))
    columns = ["at", "actor_id", "action", "target_type", "target_id", "target_label", "changes"]
    db.session.execute(insert(table).from_select(columns, rows))
    who = actor.username if actor is not None else "-"
    if len(user_ids) == 1:
        current_app.logger.info("admin %s %s user #%s %s", who, action, user_ids[0], changes)
    else:
        current_app.logger.info("admin %s %s %d users %s", who, action, len(user_ids), changes)


def _changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """`{field: [old, new]}` of what differs."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def audit_trail(target_type: str | None = None, target_id: int | None = None) -> Select:
    """The audit rows, newest first, optionally of one target."""
    stmt = select(AdminAudit).order_by(AdminAudit.at.desc(), AdminAudit.id.desc())
    if target_type:
        stmt = stmt.where(AdminAudit.target_type == target_type)
    if target_id is not None:
        stmt = stmt.where(AdminAudit.target_id == target_id)
    return stmt.options(selectinload(AdminAudit.actor))


# -- reading ------------------------------------------------------------------------------


def search_users(q: str | None = None) -> Select:
    """Users whose username or display name contains `q`, by username."""
    stmt = select(User).order_by(User.username)
    if q and q.strip():
        pattern = contains_pattern(q.strip())
        stmt = stmt.where(
            or_(
                User.username.ilike(pattern, escape="\\"),
                User.display_name.ilike(pattern, escape="\\"),
            )
        )
    return stmt


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


@dataclass
class OrgRow:
    org: Organization
    depth: int


def org_tree(
    actor: User, *, level: str | None = None, category: str | None = None, q: str | None = None
) -> list[OrgRow]:
    """The administrator's organisations as a tree (depth-first by code), filtered."""
    stmt = scoped_orgs(actor)
    if level:
        stmt = stmt.where(Organization.level == level)
    if category:
        stmt = stmt.where(Organization.category == category)
    if q and q.strip():
        pattern = contains_pattern(q.strip())
        stmt = stmt.where(
            or_(
                Organization.name.ilike(pattern, escape="\\"),
                Organization.code.ilike(pattern, escape="\\"),
            )
        )
    orgs = list(db.session.scalars(stmt.options(selectinload(Organization.parent))))
    paths = org_paths(stmt.with_only_columns(Organization.id).order_by(None))
    orgs.sort(key=lambda o: paths.get(o.id, (o.code,)))
    return [OrgRow(o, len(paths.get(o.id, (o.code,))) - 1) for o in orgs]


# -- users --------------------------------------------------------------------------------


def _check_role_org(
    actor: User, role: str, org_id: int | None, field: str = "org_id"
) -> tuple[Role, Organization]:
    errors: dict[str, list[str]] = {}
    try:
        parsed = Role(role)
    except ValueError:
        raise Invalid(
            _("The user's details are not right."), errors={"role": [_("Please choose a role.")]}
        ) from None
    org = scoped_org(actor, org_id)
    if org is None:
        errors[field] = [_("Please choose an organisation you manage.")]
    elif not org.is_active:
        errors[field] = [_("The organisation %(code)s is deactivated.", code=org.code)]
    elif not may_hold(parsed, org):
        errors[field] = [
            _(
                "This role can be held only at a %(levels)s, not at a %(level)s.",
                levels=level_names(ROLE_ORG_LEVELS[parsed]),
                level=label(org.level_label),
            )
        ]
    if errors:
        raise Invalid(_("The role does not fit the organisation."), errors=errors)
    assert org is not None
    return parsed, org


def create_user(
    actor: User,
    *,
    username: str,
    display_name: str,
    password: str,
    role: str,
    org_id: int | None,
    email: str | None = None,
    mobile: str | None = None,
) -> User:
    """Add an account with its first role; the initial password is set by the administrator."""
    username = (username or "").strip()
    display_name = (display_name or "").strip()
    errors: dict[str, list[str]] = {}
    if not USERNAME_RE.match(username):
        errors["username"] = [_("A username has 2–64 letters, digits or . _ @ -.")]
    elif db.session.scalar(select(User.id).where(User.username == username)):
        errors["username"] = [_("The username “%(name)s” is already taken.", name=username)]
    if not display_name:
        errors["display_name"] = [_("Please fill in the name.")]
    elif len(display_name) > 100:
        errors["display_name"] = [_("A name has at most 100 characters.")]
    if problems := validate_password(password, username):
        errors["password"] = problems
    contact, contact_errors = _contact(None, email, mobile)
    errors.update(contact_errors)
    try:
        parsed_role, org = _check_role_org(actor, role, org_id)
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid(_("The user's details are not right."), errors=errors)

    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        is_active_flag=True,
        **contact,
    )
    user.roles.append(RoleAssignment(role=parsed_role, org_id=org.id))
    db.session.add(user)
    record_change(
        actor,
        "user.create",
        user,
        {
            "username": [None, username],
            "display_name": [None, display_name],
            "role": [None, f"{parsed_role.value}@{org.code}"],
            **{k: [None, v] for k, v in contact.items() if v},
        },
    )
    db.session.commit()
    return user


def grant_role(actor: User, user: User, *, role: str, org_id: int | None) -> RoleAssignment:
    """Give the user another role at an organisation."""
    parsed, org = _check_role_org(actor, role, org_id)
    if any(a.role == parsed and a.org_id == org.id for a in user.roles):
        raise Conflict(
            _("The user already holds this role."),
            errors={"org_id": [_("The user already holds this role at this organisation.")]},
        )
    assignment = RoleAssignment(role=parsed, org_id=org.id)
    user.roles.append(assignment)
    record_change(actor, "user.role_grant", user, {"role": [None, f"{parsed.value}@{org.code}"]})
    db.session.commit()
    return assignment


def remove_role(actor: User, user: User, assignment_id: int) -> None:
    """Take a role away. An administrator cannot drop their own administrator role."""
    assignment = next((a for a in user.roles if a.id == assignment_id), None)
    if assignment is None:
        raise NotFound(_("No such role."))
    require_role_removable(actor, user, assignment)
    org = db.session.get(Organization, assignment.org_id)
    where = f"{assignment.role.value}@{org.code if org else assignment.org_id}"
    user.roles.remove(assignment)
    record_change(actor, "user.role_revoke", user, {"role": [where, None]})
    db.session.commit()


def _revoke_sessions(user: User) -> int:
    """End every live web session and API token of the user at once."""
    # An UPDATE's result is a cursor result, which has the row count.
    result = cast(
        CursorResult,
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ),
    )
    return result.rowcount or 0


def reset_password(actor: User, user: User, password: str) -> None:
    """Set a new password; the user's open sessions end, so whoever held them is out, and
    unused activations too. The user must choose their own at the next login."""
    if problems := validate_password(password, user.username):
        raise Invalid(_("The password does not meet the rules."), errors={"new_password": problems})
    user.password_hash = hash_password(password)
    user.must_change_password = True
    end_activations(user)
    ended = _revoke_sessions(user)
    record_change(
        actor,
        "user.password_reset",
        user,
        {"password": [None, "(set)"], "sessions_ended": [None, ended]},
    )
    db.session.commit()


@dataclass
class Issued:
    """An initial password or activation link, shown to the administrator once."""

    user: User
    kind: str
    secret: str
    expires_at: datetime


def issue_activation(actor: User, user: User, kind: Literal["password", "link"]) -> Issued:
    """A new initial password or activation link for one user (`app.auth.activation`): the
    earlier unused ones end, the user's sessions end, the user must choose a password at
    the next login. A deactivated account is refused (409). Commits."""
    if kind not in ("password", "link"):
        raise Invalid(
            _("Please choose an initial password or an activation link."),
            errors={"kind": [_("Must be “password” or “link”.")]},
        )
    if not user.is_active:
        raise Conflict(_("The account is deactivated; reactivate it first."))
    secret = issue_activations(actor, [user.id], kind)[user.id]
    db.session.commit()
    expires_at = utcnow() + timedelta(days=int(current_app.config["ACTIVATION_DAYS"]))
    return Issued(user, kind, secret, expires_at)


def _contact(
    user: User | None, email: str | None, mobile: str | None
) -> tuple[dict[str, str | None], dict[str, list[str]]]:
    """The e-mail and mobile number as stored, and the errors by field: an e-mail must look
    like one, a mobile number must be a mainland one (normalised, app/auth/mobile.py) that
    no other user has."""
    values: dict[str, str | None] = {"email": (email or "").strip() or None, "mobile": None}
    errors: dict[str, list[str]] = {}
    if values["email"] and (
        len(values["email"]) > 255 or not re.fullmatch(EMAIL_PATTERN, values["email"])
    ):
        errors["email"] = [_("Please enter a valid e-mail address.")]
    try:
        values["mobile"] = normalise_mobile(mobile)
    except ValueError:
        errors["mobile"] = [
            _("Please enter a mainland mobile number of 11 digits, such as 138 0013 8000.")
        ]
    others = select(User.id).where(User.mobile == values["mobile"])
    if user is not None:
        others = others.where(User.id != user.id)
    if values["mobile"] and db.session.scalar(others):
        errors["mobile"] = [
            _("Another user already has the mobile number %(mobile)s.", mobile=values["mobile"])
        ]
    return values, errors


def set_email(actor: User, user: User, email: str | None, mobile: str | None = None) -> None:
    """Where the user's reminders are e-mailed (empty: in the app only), and the user's
    mainland mobile number, which no other user may have."""
    values, errors = _contact(user, email, mobile)
    if errors:
        raise Invalid(next(iter(errors.values()))[0], errors=errors)
    before = {"email": user.email, "mobile": user.mobile}
    user.email, user.mobile = values["email"], values["mobile"]
    if changes := _changed(before, values):
        record_change(actor, "user.contact", user, changes)
    db.session.commit()


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (logging the user out everywhere at once) or reactivate an account."""
    if not active:
        require_deactivatable(actor, user)
    was = user.is_active_flag
    user.is_active_flag = active
    if not active:
        _revoke_sessions(user)
    if was != active:
        record_change(
            actor, "user.activate" if active else "user.deactivate", user, {"active": [was, active]}
        )
    db.session.commit()


# -- organisations ------------------------------------------------------------------------


def _category(value: str | None) -> OrgCategory | None:
    try:
        return OrgCategory(value) if value else None
    except ValueError:
        raise Invalid(
            _("The organisation's details are not right."),
            errors={"category": [_("Not a valid category.")]},
        ) from None


def _visit_details(address: str | None, phone: str | None) -> tuple[str | None, str | None]:
    """An organisation's address and contact phone, tidied; refused in words if wrong."""
    from app.admin.org_rows import PHONE_RE

    address, phone = (address or "").strip() or None, (phone or "").strip() or None
    errors: dict[str, list[str]] = {}
    if phone and not PHONE_RE.match(phone):
        errors["contact_phone"] = [_("Not a phone number: %(value)s", value=phone)]
    if address and len(address) > 200:
        errors["address"] = [_("An address has at most 200 characters.")]
    if errors:
        raise Invalid(_("The organisation's details are not right."), errors=errors)
    return address, phone


def add_org(
    actor: User,
    *,
    code: str,
    name: str,
    level: str,
    parent_id: int | None,
    category: str | None = None,
    is_state_owned: bool = False,
    staff_count: int | None = None,
    member_count: int | None = None,
    address: str | None = None,
    contact_phone: str | None = None,
) -> Organization:
    """Create an organisation under a parent in the administrator's subtree."""
    code, name = (code or "").strip(), (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not code:
        errors["code"] = [_("Please fill in the organisation's code.")]
    elif len(code) > 32:
        errors["code"] = [_("An organisation's code has at most 32 characters.")]
    if not name:
        errors["name"] = [_("Please fill in the organisation's name.")]
    try:
        parsed_level = OrgLevel(level)
    except ValueError:
        errors["level"] = [_("Please choose a level.")]
        parsed_level = None
    if parsed_level == OrgLevel.CITY:
        # A new root would lie outside every administrator's subtree.
        errors["level"] = [
            _("The city federation is the root of the tree; it cannot be added here.")
        ]
    parent = None
    if parent_id:
        parent = scoped_org(actor, parent_id)
        if parent is None:
            errors["parent_id"] = [
                _("The parent organisation does not exist or is not yours to manage.")
            ]
        elif not parent.is_active:
            errors["parent_id"] = [_("The organisation %(code)s is deactivated.", code=parent.code)]
    else:
        errors["parent_id"] = [_("Please choose a parent.")]
    for key, value in (("staff_count", staff_count), ("member_count", member_count)):
        if value is not None and value < 0:
            errors[key] = [_("A number of people cannot be negative.")]
    try:
        parsed_category = _category(category)
    except Invalid as exc:
        errors.update(exc.errors)
        parsed_category = None
    try:
        address, contact_phone = _visit_details(address, contact_phone)
    except Invalid as exc:
        errors.update(exc.errors)
    if errors or parsed_level is None:
        raise Invalid(_("The organisation's details are not right."), errors=errors)
    try:
        org = create_org(
            code=code,
            name=name,
            level=parsed_level,
            parent=parent,
            category=parsed_category,
            is_state_owned=is_state_owned,
            staff_count=staff_count,
            member_count=member_count,
        )
    except Invalid as exc:
        if "parent" in exc.errors:
            exc.errors["parent_id"] = exc.errors.pop("parent")
        raise
    org.address, org.contact_phone = address, contact_phone
    record_change(
        actor,
        "org.create",
        org,
        {
            "code": [None, org.code],
            "name": [None, org.name],
            "parent": [None, parent.code if parent else None],
        },
    )
    db.session.commit()
    return org


def _org_fields(org: Organization) -> dict[str, Any]:
    return {
        "name": org.name,
        "category": org.category.value if org.category else None,
        "is_state_owned": org.is_state_owned,
        "staff_count": org.staff_count,
        "member_count": org.member_count,
        "address": org.address,
        "contact_phone": org.contact_phone,
    }


def edit_org(
    actor: User,
    org: Organization,
    *,
    name: str,
    category: str | None,
    is_state_owned: bool,
    staff_count: int | None,
    member_count: int | None,
    address: str | None = None,
    contact_phone: str | None = None,
) -> Organization:
    """Change what may change of an organisation (not its code, level or parent)."""
    before = _org_fields(org)
    address, contact_phone = _visit_details(address, contact_phone)
    update_org(
        org,
        name=name,
        category=_category(category),
        is_state_owned=is_state_owned,
        staff_count=staff_count,
        member_count=member_count,
    )
    org.address, org.contact_phone = address, contact_phone
    if changes := _changed(before, _org_fields(org)):
        record_change(actor, "org.update", org, changes)
    db.session.commit()
    return org


def set_org_active(actor: User, org: Organization, active: bool) -> Organization:
    """Deactivate an organisation (it keeps its history, users and nominations, and is
    offered for nothing new: no new nomination, no new role) or make it active again."""
    if org.is_active == active:
        return org
    if not active and org.parent_id is None:
        raise Conflict(_("The city federation cannot be deactivated."))
    org.is_active = active
    record_change(
        actor,
        "org.activate" if active else "org.deactivate",
        org,
        {"is_active": [not active, active]},
    )
    db.session.commit()
    return org
