"""The admin API: users and their roles, organisations, and the audit trail of changes.

System administrators only (403 for anyone else, before anything is read); the same
services as the admin pages (`app.admin.services`), so the same rules, errors and audit
rows. Organisations are those in the administrator's subtree; one outside it is 404.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from sqlalchemy.orm import selectinload

from app.admin.policy import require_admin, require_scoped_org
from app.admin.schemas import (
    ActivationRequestSchema,
    ActivationSchema,
    AdminOrgSchema,
    AdminUserSchema,
    AuditPageSchema,
    AuditQuerySchema,
    OrgCreateSchema,
    OrgQuerySchema,
    OrgUpdateSchema,
    PasswordResetSchema,
    RoleGrantSchema,
    UserCreateSchema,
    UserPageSchema,
    UserQuerySchema,
    UserUpdateSchema,
)
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
from app.api.security import ApiBlueprint
from app.auth.activation import activation_url
from app.auth.models import RoleAssignment, User
from app.auth.session import api_user
from app.extensions import db
from app.orgs.models import Organization

blp = ApiBlueprint(
    "api_admin",
    __name__,
    url_prefix="/api/v1/admin",
    description="Administration (system administrators only): users, roles, organisations "
    "and the audit trail of their changes.",
)


def _admin() -> User:
    user = api_user()
    require_admin(user)
    return user


def _page(stmt: Any, args: dict[str, Any]) -> dict[str, Any]:
    page, per_page = args["page"], args["per_page"]
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)
    return {"items": result.items, "page": page, "per_page": per_page, "total": result.total}


def _user(user_id: int) -> User:
    db.session.expire_all()
    return get_user(user_id)


@blp.route("/users")
class Users(MethodView):
    @blp.token_required
    @blp.arguments(UserQuerySchema, location="query")
    @blp.response(200, UserPageSchema)
    @blp.errors(403, 422)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Users whose username or name contains `q`, by username, with their roles."""
        _admin()
        stmt = search_users(args.get("q")).options(
            selectinload(User.roles).joinedload(RoleAssignment.org)
        )
        return _page(stmt, args)

    @blp.token_required
    @blp.arguments(UserCreateSchema)
    @blp.response(201, AdminUserSchema)
    @blp.errors(400, 403, 409, 422)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a user with a first role at an organisation the administrator manages.

        422 with `errors` by field: a taken username, a password against the policy, a role
        that does not fit the organisation's level, an invalid e-mail or mobile number.
        """
        actor = _admin()
        user = create_user(
            actor,
            username=data["username"],
            display_name=data["display_name"],
            password=data["password"],
            role=data["role"],
            org_id=data["org_id"],
            email=data.get("email"),
            mobile=data.get("mobile"),
        )
        location = url_for("api_admin.UserItem", user_id=user.id)
        return _user(user.id), {"Location": location}


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @blp.token_required
    @blp.response(200, AdminUserSchema)
    @blp.errors(403, 404)
    def get(self, user_id: int) -> User:
        """One user with their roles."""
        _admin()
        return get_user(user_id)

    @blp.token_required
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, AdminUserSchema)
    @blp.errors(400, 403, 404, 409, 422)
    def patch(self, data: dict[str, Any], user_id: int) -> User:
        """Change the e-mail, the mobile number or whether the account is active; only the
        fields sent change. Deactivating ends the user's sessions and tokens at once; an
        administrator cannot deactivate their own account (409)."""
        actor = _admin()
        user = get_user(user_id)
        if "email" in data or "mobile" in data:
            set_email(actor, user, data.get("email", user.email), data.get("mobile", user.mobile))
        if "active" in data:
            set_active(actor, user, data["active"])
        return _user(user_id)


@blp.route("/users/<int:user_id>/password")
class UserPassword(MethodView):
    @blp.token_required
    @blp.arguments(PasswordResetSchema)
    @blp.response(204)
    @blp.errors(400, 403, 404, 422)
    def put(self, data: dict[str, Any], user_id: int) -> None:
        """Set a new password (under the policy); the user's sessions and tokens end."""
        reset_password(_admin(), get_user(user_id), data["new_password"])


@blp.route("/users/<int:user_id>/activation")
class Activation(MethodView):
    @blp.token_required
    @blp.arguments(ActivationRequestSchema)
    @blp.response(201, ActivationSchema)
    @blp.errors(400, 403, 404, 409, 422)
    def post(self, data: dict[str, Any], user_id: int) -> Any:
        """Issue a new initial password or activation link; the answer is the only place
        the secret is shown. The user's earlier unused ones stop working, their sessions
        and tokens end, and they must choose a password at the next login. 409 for a
        deactivated account."""
        issued = issue_activation(_admin(), get_user(user_id), data["kind"])
        body = {
            "user": issued.user,
            "kind": issued.kind,
            "secret": issued.secret,
            "url": activation_url(issued.secret) if issued.kind == "link" else None,
            "expires_at": issued.expires_at,
        }
        return body, {"Cache-Control": "no-store"}


@blp.route("/users/<int:user_id>/roles")
class UserRoles(MethodView):
    @blp.token_required
    @blp.arguments(RoleGrantSchema)
    @blp.response(201, AdminUserSchema)
    @blp.errors(400, 403, 404, 409, 422)
    def post(self, data: dict[str, Any], user_id: int) -> User:
        """Grant a role at an organisation the administrator manages (409: already held)."""
        grant_role(_admin(), get_user(user_id), role=data["role"], org_id=data["org_id"])
        return _user(user_id)


@blp.route("/users/<int:user_id>/roles/<int:assignment_id>")
class UserRole(MethodView):
    @blp.token_required
    @blp.response(200, AdminUserSchema)
    @blp.errors(403, 404, 409)
    def delete(self, user_id: int, assignment_id: int) -> User:
        """Revoke a role; an administrator cannot revoke their own administrator role (409)."""
        remove_role(_admin(), get_user(user_id), assignment_id)
        return _user(user_id)


@blp.route("/organizations")
class Organizations(MethodView):
    @blp.token_required
    @blp.arguments(OrgQuerySchema, location="query")
    @blp.response(200, AdminOrgSchema(many=True))
    @blp.errors(403, 422)
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """The organisations the administrator manages, as a tree (depth-first by code)."""
        actor = _admin()
        rows = org_tree(
            actor, level=args.get("level"), category=args.get("category"), q=args.get("q")
        )
        return [_org_row(r.org, r.depth) for r in rows]

    @blp.token_required
    @blp.arguments(OrgCreateSchema)
    @blp.response(201, AdminOrgSchema)
    @blp.errors(400, 403, 409, 422)
    def post(self, data: dict[str, Any]) -> Any:
        """Add an organisation under a parent the administrator manages (the tier must fit:
        a grassroots union under a district or industry union, a branch under a union)."""
        org = add_org(
            _admin(),
            code=data["code"],
            name=data["name"],
            level=data["level"],
            parent_id=data["parent_id"],
            category=data.get("category"),
            is_state_owned=data.get("is_state_owned", False),
            staff_count=data.get("staff_count"),
            member_count=data.get("member_count"),
            address=data.get("address"),
            contact_phone=data.get("contact_phone"),
        )
        location = url_for("api_admin.OrganizationItem", org_id=org.id)
        return _org_row(org), {"Location": location}


@blp.route("/organizations/<int:org_id>")
class OrganizationItem(MethodView):
    @blp.token_required
    @blp.response(200, AdminOrgSchema)
    @blp.errors(403, 404)
    def get(self, org_id: int) -> dict[str, Any]:
        """One organisation the administrator manages."""
        return _org_row(require_scoped_org(_admin(), org_id))

    @blp.token_required
    @blp.arguments(OrgUpdateSchema)
    @blp.response(200, AdminOrgSchema)
    @blp.errors(400, 403, 404, 409, 422)
    def patch(self, data: dict[str, Any], org_id: int) -> dict[str, Any]:
        """Change the name, category, state-owned flag or headcounts; only the fields sent
        change. The category is fixed while a nomination of the organisation is under way
        (409)."""
        actor = _admin()
        org = require_scoped_org(actor, org_id)
        edit_org(
            actor,
            org,
            name=data.get("name", org.name),
            category=data["category"] if "category" in data else _value(org.category),
            is_state_owned=data.get("is_state_owned", org.is_state_owned),
            staff_count=data.get("staff_count", org.staff_count),
            member_count=data.get("member_count", org.member_count),
            address=data.get("address", org.address),
            contact_phone=data.get("contact_phone", org.contact_phone),
        )
        if "is_active" in data:
            set_org_active(actor, org, bool(data["is_active"]))
        return _org_row(org)


@blp.route("/audit")
class Audit(MethodView):
    @blp.token_required
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditPageSchema)
    @blp.errors(403, 422)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Changes to users and organisations, newest first: who, when, what, old → new."""
        _admin()
        stmt = audit_trail(args.get("target_type"), args.get("target_id"))
        return _page(stmt, args)


def _value(enum_value: Any) -> str | None:
    return enum_value.value if enum_value is not None else None


def _org_row(org: Organization, depth: int | None = None) -> dict[str, Any]:
    return {
        "id": org.id,
        "code": org.code,
        "name": org.name,
        "level": org.level.value,
        "parent_id": org.parent_id,
        "category": _value(org.category),
        "is_state_owned": org.is_state_owned,
        "staff_count": org.staff_count,
        "member_count": org.member_count,
        "address": org.address,
        "contact_phone": org.contact_phone,
        "is_active": org.is_active,
        "depth": depth,
    }
