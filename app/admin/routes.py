"""Administration: users with their roles, and the organisation tree."""

from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.admin import bp
from app.admin.forms import (
    ConfirmForm,
    EditOrgForm,
    EmailForm,
    GrantRoleForm,
    NewOrgForm,
    NewUserForm,
    OrgFilterForm,
    ResetPasswordForm,
    UserSearchForm,
)
from app.admin.models import AUDIT_ACTIONS, AUDIT_TARGETS, describe_changes
from app.admin.policy import require_admin, require_scoped_org, scoped_org, scoped_orgs
from app.admin.robots import KIND_LABELS as ROBOT_KINDS
from app.admin.robots import masked, robots_of, roles_for
from app.admin.services import (
    add_org,
    audit_trail,
    create_user,
    edit_org,
    get_user,
    grant_role,
    issue_activation,
    org_tree,
    remove_role,
    reset_password,
    search_users,
    set_active,
    set_email,
    set_org_active,
)
from app.auth.activation import activation_url, expires_in_days
from app.auth.models import ROLE_LABELS, Role, User
from app.auth.passwords import POLICY as PASSWORD_POLICY
from app.auth.policy import ROLE_ORG_LEVELS
from app.errors import DomainError
from app.extensions import db
from app.orgs.models import (
    ALLOWED_PARENT_LEVELS,
    CATEGORY_LABELS,
    LEVEL_LABELS,
    Organization,
    OrgCategory,
    OrgLevel,
)
from app.orgs.services import level_names
from app.timeutil import format_beijing
from app.web.downloads import csv_response
from app.web.errors import flash_refusal
from app.web.forms import apply_errors, page_number, query_int
from app.web.templating import label


@bp.before_request
@login_required
def admins_only() -> None:
    """Every page of the blueprint (the outbox and the queue too) is the administrators'."""
    require_admin(current_user)


def _show_errors(form: Any, exc: DomainError) -> None:
    """A refused form: its field errors next to the fields, the rest in the flash (always
    an error, a conflict too, as these pages always showed it)."""
    db.session.rollback()
    flash_refusal(exc, *apply_errors(form, exc.errors), category="danger")


def _org_choices(orgs: list[Organization]) -> list[Any]:
    """Select options, upper tiers first; each says its tier for the page's narrowing."""
    tiers = list(OrgLevel)
    return [("", _("Choose…"))] + [
        (o.id, f"{o.name}（{label(o.level_label)} · {o.code}）", {"data-level": o.level.value})
        for o in sorted(orgs, key=lambda o: (tiers.index(o.level), o.code))
    ]


def _role_org_fields(form: NewUserForm | GrantRoleForm) -> None:
    """Role and organisation selects; the page narrows the organisations to the role's tiers."""
    form.role.choices = [("", _("Choose…"))] + [(r.value, label(ROLE_LABELS[r])) for r in Role]
    levels = tuple({lv for tiers in ROLE_ORG_LEVELS.values() for lv in tiers})
    orgs = db.session.scalars(scoped_orgs(current_user, levels)).all()
    form.org_id.choices = _org_choices(list(orgs))
    form.org_id.render_kw = {
        "data-filter-by": form.role.id,
        "data-filter-map": json.dumps(
            {r.value: [lv.value for lv in tiers] for r, tiers in ROLE_ORG_LEVELS.items()}
        ),
    }


def _role_help() -> list[tuple[str, str]]:
    return [(label(ROLE_LABELS[r]), level_names(tiers)) for r, tiers in ROLE_ORG_LEVELS.items()]


# -- the audit trail ----------------------------------------------------------------------


def _audit_rows(target_type: str | None) -> Any:
    kind = target_type if target_type in AUDIT_TARGETS else None
    return audit_trail(kind), kind


@bp.get("/audit")
def audit() -> ResponseReturnValue:
    """Every administrator's change, newest first: who, when, what, old → new."""
    stmt, kind = _audit_rows(request.args.get("type"))
    page = db.paginate(stmt, page=page_number(), per_page=50, error_out=False, count=True)
    return render_template(
        "admin/audit.html",
        page=page,
        entries=page.items,
        kind=kind,
        actions=AUDIT_ACTIONS,
        describe=describe_changes,
        args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.get("/audit/export.csv")
def export_audit() -> ResponseReturnValue:
    stmt, _kind = _audit_rows(request.args.get("type"))
    return csv_response(
        "admin-audit.csv",
        ["时间（北京时间）", "操作人", "操作", "对象", "变更"],
        (
            [
                format_beijing(e.at, "%Y-%m-%d %H:%M:%S"),
                e.actor.username if e.actor else "",
                str(AUDIT_ACTIONS.get(e.action, e.action)),
                e.target_label,
                describe_changes(e.changes),
            ]
            for e in db.session.scalars(stmt.limit(100_000))
        ),
    )


# -- users --------------------------------------------------------------------------------


@bp.get("/users")
def users() -> ResponseReturnValue:
    form = UserSearchForm(request.args)
    form.validate()
    page = db.paginate(
        search_users(form.q.data), page=page_number(), per_page=50, error_out=False, count=True
    )
    return render_template(
        "admin/users.html",
        form=form,
        page=page,
        users=page.items,
        args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.get("/users/export.csv")
def export_users() -> ResponseReturnValue:
    form = UserSearchForm(request.args)
    form.validate()
    users = db.session.scalars(search_users(form.q.data).limit(100_000))
    return csv_response(
        "users.csv",
        ["用户名", "姓名", "手机号", "电子邮箱", "状态", "角色", "创建时间（北京时间）"],
        (
            [
                u.username,
                u.display_name,
                u.mobile or "",
                u.email or "",
                "启用" if u.is_active else "停用",
                "；".join(f"{ROLE_LABELS[r.role]}@{r.org.name}（{r.org.code}）" for r in u.roles),
                format_beijing(u.created_at),
            ]
            for u in users
        ),
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> ResponseReturnValue:
    form = NewUserForm()
    _role_org_fields(form)
    status = 200
    if form.validate_on_submit():
        try:
            user = create_user(
                current_user,
                username=form.username.data or "",
                display_name=form.display_name.data or "",
                password=form.password.data or "",
                role=form.role.data,
                org_id=form.org_id.data,
            )
        except DomainError as exc:
            _show_errors(form, exc)
            status = exc.status
        else:
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    elif request.method == "POST":
        status = 422
    return render_template(
        "admin/user_new.html", form=form, role_help=_role_help(), password_policy=PASSWORD_POLICY
    ), status


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int) -> ResponseReturnValue:
    return _render_user(get_user(user_id))


def _render_user(
    user: User,
    status: int = 200,
    grant: GrantRoleForm | None = None,
    password: ResetPasswordForm | None = None,
    email: EmailForm | None = None,
) -> ResponseReturnValue:
    grant = grant or GrantRoleForm(formdata=None)
    _role_org_fields(grant)
    password = password or ResetPasswordForm(formdata=None)
    email = email or EmailForm(formdata=None, data={"email": user.email, "mobile": user.mobile})
    return render_template(
        "admin/user.html",
        user=user,
        grant=grant,
        password=password,
        email=email,
        confirm=ConfirmForm(formdata=None),
        role_help=_role_help(),
        password_policy=PASSWORD_POLICY,
        activation_days=expires_in_days(),
    ), status


@bp.post("/users/<int:user_id>/roles")
def grant_user_role(user_id: int) -> ResponseReturnValue:
    user = get_user(user_id)
    form = GrantRoleForm()
    _role_org_fields(form)
    if not form.validate_on_submit():
        return _render_user(user, 422, grant=form)
    try:
        grant_role(current_user, user, role=form.role.data, org_id=form.org_id.data)
    except DomainError as exc:
        _show_errors(form, exc)
        return _render_user(get_user(user_id), exc.status, grant=form)
    flash(_("Role granted."), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/roles/<int:assignment_id>/remove")
def remove_user_role(user_id: int, assignment_id: int) -> ResponseReturnValue:
    user = get_user(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _render_user(user, 422)
    try:
        remove_role(current_user, user, assignment_id)
    except DomainError as exc:
        _show_errors(form, exc)
        return _render_user(get_user(user_id), exc.status)
    flash(_("Role removed."), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/email")
def set_user_email(user_id: int) -> ResponseReturnValue:
    """Where the user's reminders are e-mailed (empty: in-app only), and the mobile number."""
    user = get_user(user_id)
    form = EmailForm()
    if not form.validate_on_submit():
        return _render_user(user, 422, email=form)
    try:
        set_email(current_user, user, form.email.data, form.mobile.data)
    except DomainError as exc:
        _show_errors(form, exc)
        return _render_user(get_user(user_id), exc.status, email=form)
    flash(_("Contact details saved."), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/password")
def reset_user_password(user_id: int) -> ResponseReturnValue:
    user = get_user(user_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return _render_user(user, 422, password=form)
    try:
        reset_password(current_user, user, form.new_password.data or "")
    except DomainError as exc:
        _show_errors(form, exc)
        return _render_user(get_user(user_id), exc.status, password=form)
    flash(_("Password reset; the user's open sessions were ended."), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/activation/<kind>")
def issue_user_activation(user_id: int, kind: str) -> ResponseReturnValue:
    """A new initial password or activation link, shown once on the page that answers."""
    if kind not in ("password", "link"):
        abort(404)
    user = get_user(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _render_user(user, 422)
    try:
        issued = issue_activation(current_user, user, "password" if kind == "password" else "link")
    except DomainError as exc:
        _show_errors(form, exc)
        return _render_user(get_user(user_id), exc.status)
    page = render_template(
        "admin/activation_issued.html",
        user=user,
        issued=issued,
        url=activation_url(issued.secret) if issued.kind == "link" else None,
    )
    # The secret is on this page only: no cache keeps it, no Referer carries the address.
    return page, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _set_active(user_id: int, active: bool) -> ResponseReturnValue:
    user = get_user(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _render_user(user, 422)
    try:
        set_active(current_user, user, active)
    except DomainError as exc:
        _show_errors(form, exc)
        return _render_user(get_user(user_id), exc.status)
    flash(
        _("Account reactivated.") if active else _("Account deactivated; the user was logged out."),
        "success",
    )
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/deactivate")
def deactivate_user(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/reactivate")
def reactivate_user(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, True)


# -- organisations ------------------------------------------------------------------------


def _level_choices(include_city: bool = True) -> list[tuple[str, str]]:
    return [
        (lv.value, label(LEVEL_LABELS[lv]))
        for lv in OrgLevel
        if include_city or lv != OrgLevel.CITY
    ]


def _category_choices(blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(c.value, label(CATEGORY_LABELS[c])) for c in OrgCategory]


def _org_filters() -> tuple[OrgFilterForm, dict[str, str | None]]:
    form = OrgFilterForm(request.args)
    form.level.choices = [("", _("All levels"))] + _level_choices()
    form.category.choices = _category_choices(_("All categories"))
    form.validate()
    level = form.level.data if form.level.data in set(OrgLevel) else None
    category = form.category.data if form.category.data in set(OrgCategory) else None
    return form, {"level": level, "category": category, "q": form.q.data}


@bp.get("/orgs")
def orgs() -> ResponseReturnValue:
    form, filters = _org_filters()
    rows = org_tree(current_user, **filters)
    return render_template(
        "admin/orgs.html", form=form, rows=rows, args={k: v for k, v in request.args.items() if v}
    )


@bp.get("/orgs/export.csv")
def export_orgs() -> ResponseReturnValue:
    _, filters = _org_filters()
    rows = org_tree(current_user, **filters)
    return csv_response(
        "organisations.csv",
        ["编码", "名称", "层级", "上级组织", "类别", "国有企业", "职工数", "会员数"],
        (
            [
                r.org.code,
                r.org.name,
                r.org.level_label,
                r.org.parent.name if r.org.parent else "",
                r.org.category_label,
                "是" if r.org.is_state_owned else "",
                r.org.staff_count,
                r.org.member_count,
            ]
            for r in rows
        ),
    )


def _parent_field(form: NewOrgForm) -> None:
    parent_levels = tuple({lv for tiers in ALLOWED_PARENT_LEVELS.values() for lv in tiers})
    parents = db.session.scalars(scoped_orgs(current_user, parent_levels)).all()
    form.parent_id.choices = _org_choices(list(parents))
    form.parent_id.render_kw = {
        "data-filter-by": form.level.id,
        "data-filter-map": json.dumps(
            {lv.value: [p.value for p in tiers] for lv, tiers in ALLOWED_PARENT_LEVELS.items()}
        ),
    }


@bp.route("/orgs/new", methods=["GET", "POST"])
def new_org() -> ResponseReturnValue:
    form = NewOrgForm()
    form.level.choices = [("", _("Choose…"))] + _level_choices(include_city=False)
    form.category.choices = _category_choices(_("None"))
    _parent_field(form)
    parent_id = query_int("parent_id", 1)
    if request.method == "GET" and parent_id is not None:
        # "Add below this one": preselect the parent and the tier that fits under it.
        parent = scoped_org(current_user, parent_id)
        if parent is not None:
            form.parent_id.data = parent.id
            form.level.data = next(
                (lv.value for lv, tiers in ALLOWED_PARENT_LEVELS.items() if parent.level in tiers),
                "",
            )
    status = 200
    if form.validate_on_submit():
        try:
            org = add_org(
                current_user,
                code=form.code.data or "",
                name=form.name.data or "",
                level=form.level.data,
                parent_id=form.parent_id.data,
                category=form.category.data or None,
                is_state_owned=form.is_state_owned.data,
                staff_count=form.staff_count.data,
                member_count=form.member_count.data,
                address=form.address.data,
                contact_phone=form.contact_phone.data,
            )
        except DomainError as exc:
            _show_errors(form, exc)
            status = exc.status
        else:
            flash(_("Organisation %(name)s created.", name=org.name), "success")
            return redirect(url_for("admin.orgs", q=org.code))
    elif request.method == "POST":
        status = 422
    return render_template("admin/org_form.html", form=form, org=None), status


@bp.route("/orgs/<int:org_id>/edit", methods=["GET", "POST"])
def edit_org_page(org_id: int) -> ResponseReturnValue:
    org = require_scoped_org(current_user, org_id)
    form = EditOrgForm(obj=org if request.method == "GET" else None)
    if request.method == "GET":
        form.category.data = org.category.value if org.category else ""
    form.category.choices = _category_choices(_("None"))
    status = 200
    if form.validate_on_submit():
        try:
            edit_org(
                current_user,
                org,
                name=form.name.data or "",
                category=form.category.data or None,
                is_state_owned=form.is_state_owned.data,
                staff_count=form.staff_count.data,
                member_count=form.member_count.data,
                address=form.address.data,
                contact_phone=form.contact_phone.data,
            )
        except DomainError as exc:
            _show_errors(form, exc)
            status = exc.status
            org = require_scoped_org(current_user, org_id)
        else:
            flash(_("Organisation %(name)s saved.", name=org.name), "success")
            return redirect(url_for("admin.orgs", q=org.code))
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "admin/org_form.html",
            form=form,
            org=org,
            active_form=ConfirmForm(),
            robots=robots_of(org),
            robot_kinds=ROBOT_KINDS,
            robot_roles=roles_for(org),
            masked=masked,
        ),
        status,
    )


@bp.post("/orgs/<int:org_id>/active")
def set_org_active_page(org_id: int) -> ResponseReturnValue:
    """Deactivate an organisation, or make it active again (the button says which)."""
    org = require_scoped_org(current_user, org_id)
    active = request.form.get("active") == "1"
    if not ConfirmForm().validate_on_submit():
        flash(_("The form has expired; please try again."), "danger")
    else:
        try:
            set_org_active(current_user, org, active)
        except DomainError as exc:
            db.session.rollback()
            flash_refusal(exc, category="danger")
        else:
            flash(
                _("%(name)s is active again.", name=org.name)
                if active
                else _("%(name)s is deactivated.", name=org.name),
                "success",
            )
    return redirect(url_for("admin.edit_org_page", org_id=org_id))
