"""The admin API's schemas: users with their roles, organisations, the audit trail."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from app.api.schemas import ID_RANGE, INT4_RANGE, BeijingDateTime
from app.auth.models import Role
from app.orgs.models import OrgCategory, OrgLevel

MAX_PER_PAGE = 100
ROLES = [r.value for r in Role]
LEVELS = [level.value for level in OrgLevel]
CATEGORIES = [c.value for c in OrgCategory]


class PageQuerySchema(Schema):
    page = fields.Int(load_default=1, validate=ID_RANGE)
    per_page = fields.Int(load_default=50, validate=Range(min=1, max=MAX_PER_PAGE))


class UserQuerySchema(PageQuerySchema):
    q = fields.Str(
        validate=Length(max=100), metadata={"description": "Part of the username or name."}
    )


class RoleAssignmentSchema(Schema):
    id = fields.Int()
    role = fields.Str(metadata={"enum": ROLES})
    org_id = fields.Int()
    org_code = fields.Str(attribute="org.code")
    org_name = fields.Str(attribute="org.name")


class AdminUserSchema(Schema):
    id = fields.Int()
    username = fields.Str()
    display_name = fields.Str()
    email = fields.Str(allow_none=True)
    mobile = fields.Str(allow_none=True, metadata={"description": "11 digits, in full."})
    active = fields.Bool(attribute="is_active_flag")
    created_at = BeijingDateTime()
    roles = fields.List(fields.Nested(RoleAssignmentSchema))


class UserPageSchema(Schema):
    items = fields.List(fields.Nested(AdminUserSchema))
    page = fields.Int()
    per_page = fields.Int()
    total = fields.Int()


class UserCreateSchema(Schema):
    username = fields.Str(required=True, validate=Length(min=1, max=64))
    display_name = fields.Str(required=True, validate=Length(min=1, max=100))
    password = fields.Str(
        required=True,
        validate=Length(max=200),
        metadata={"description": "The initial password, under the password policy."},
    )
    role = fields.Str(required=True, validate=OneOf(ROLES))
    org_id = fields.Int(required=True, validate=ID_RANGE)
    email = fields.Str(load_default=None, allow_none=True, validate=Length(max=255))
    mobile = fields.Str(load_default=None, allow_none=True, validate=Length(max=32))


class UserUpdateSchema(Schema):
    """Only the fields sent change."""

    email = fields.Str(allow_none=True, validate=Length(max=255))
    mobile = fields.Str(
        allow_none=True,
        validate=Length(max=32),
        metadata={"description": "A mainland mobile number; null or empty clears it."},
    )
    active = fields.Bool(
        metadata={"description": "false deactivates the account and ends its sessions at once."}
    )


class PasswordResetSchema(Schema):
    new_password = fields.Str(required=True, validate=Length(max=200))


class ActivationRequestSchema(Schema):
    kind = fields.Str(
        required=True,
        validate=OneOf(["password", "link"]),
        metadata={"description": "`password`: an initial password; `link`: an activation link."},
    )


class ActivationSchema(Schema):
    """Shown once: the secret is not stored, only its digest."""

    user_id = fields.Int(attribute="user.id")
    username = fields.Str(attribute="user.username")
    kind = fields.Str(metadata={"enum": ["password", "link"]})
    secret = fields.Str(
        metadata={"description": "The initial password, or the link's secret; only this once."}
    )
    url = fields.Str(
        allow_none=True, metadata={"description": "The activation link (kind `link`), else null."}
    )
    expires_at = BeijingDateTime()


class RoleGrantSchema(Schema):
    role = fields.Str(required=True, validate=OneOf(ROLES))
    org_id = fields.Int(required=True, validate=ID_RANGE)


class OrgQuerySchema(Schema):
    level = fields.Str(validate=OneOf(LEVELS))
    category = fields.Str(validate=OneOf(CATEGORIES))
    q = fields.Str(validate=Length(max=100), metadata={"description": "Part of the code or name."})


class AdminOrgSchema(Schema):
    id = fields.Int()
    code = fields.Str()
    name = fields.Str()
    level = fields.Str(metadata={"enum": LEVELS})
    parent_id = fields.Int(allow_none=True)
    category = fields.Str(allow_none=True, metadata={"enum": CATEGORIES})
    is_state_owned = fields.Bool()
    staff_count = fields.Int(allow_none=True)
    member_count = fields.Int(allow_none=True)
    address = fields.Str(allow_none=True)
    contact_phone = fields.Str(allow_none=True)
    is_active = fields.Bool()
    depth = fields.Int(
        dump_default=None, metadata={"description": "Depth below the caller's top, in lists."}
    )


class OrgUpdateSchema(Schema):
    """Only the fields sent change (the code, level and parent never do here)."""

    name = fields.Str(validate=Length(min=1, max=200))
    category = fields.Str(allow_none=True, validate=OneOf(CATEGORIES))
    is_state_owned = fields.Bool()
    staff_count = fields.Int(allow_none=True, validate=INT4_RANGE)
    member_count = fields.Int(allow_none=True, validate=INT4_RANGE)
    address = fields.Str(allow_none=True, validate=Length(max=200))
    contact_phone = fields.Str(allow_none=True, validate=Length(max=32))
    is_active = fields.Bool(
        metadata={
            "description": "false: deactivate (kept with its history, offered for "
            "nothing new); true: active again."
        }
    )


class OrgCreateSchema(OrgUpdateSchema):
    class Meta:
        exclude = ("is_active",)  # a new organisation is active

    code = fields.Str(required=True, validate=Length(min=1, max=32))
    name = fields.Str(required=True, validate=Length(min=1, max=200))
    level = fields.Str(required=True, validate=OneOf(LEVELS))
    parent_id = fields.Int(required=True, validate=ID_RANGE)


class AuditQuerySchema(PageQuerySchema):
    target_type = fields.Str(validate=OneOf(["user", "org"]))
    target_id = fields.Int(validate=ID_RANGE)


class AuditEntrySchema(Schema):
    id = fields.Int()
    at = BeijingDateTime()
    actor = fields.Str(attribute="actor.username", allow_none=True)
    action = fields.Str()
    target_type = fields.Str()
    target_id = fields.Int(allow_none=True)
    target_label = fields.Str()
    changes = fields.Dict(
        metadata={"description": "{field: [old, new]}; a password is only ever “(set)”."}
    )


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    page = fields.Int()
    per_page = fields.Int()
    total = fields.Int()
