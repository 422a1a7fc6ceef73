"""The admin API (/api/v1/admin): administrators only, the same rules and errors as the
admin pages, and every change in the audit trail with who, when and what changed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.admin.models import AdminAudit
from app.auth.models import LoginSession, SessionKind, User
from app.auth.services import start_session
from app.extensions import db
from app.orgs.models import Organization


class Api:
    def __init__(self, client: Any, token: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method: str) -> Any:
        def call(path: str, json: Any = None, **kwargs: Any) -> Any:
            return getattr(self.client, method)(
                f"/api/v1/admin{path}", json=json, headers=self.headers, **kwargs
            )

        return call


@pytest.fixture
def as_user(client, world):  # type: ignore[no-untyped-def]
    return lambda key: Api(client, start_session(world.user(key), SessionKind.API)[0])


def _audit(action: str | None = None) -> list[AdminAudit]:
    stmt = select(AdminAudit).order_by(AdminAudit.id)
    if action:
        stmt = stmt.where(AdminAudit.action == action)
    return list(db.session.scalars(stmt))


@pytest.mark.parametrize("key", ["union_a", "reviewer_a", "city"])
def test_everyone_but_an_administrator_is_refused_and_nothing_changes(world, as_user, key):
    api = as_user(key)
    target = world.users["union_b"].id
    calls = [
        api.get("/users"),
        api.get(f"/users/{target}"),
        api.post(
            "/users",
            {
                "username": "x1",
                "display_name": "X",
                "password": "zgzj-x-2026",
                "role": "union",
                "org_id": world.union_a.id,
            },
        ),
        api.patch(f"/users/{target}", {"active": False}),
        api.put(f"/users/{target}/password", {"new_password": "zgzj-new-2026"}),
        api.post(f"/users/{target}/roles", {"role": "union", "org_id": world.union_a.id}),
        api.get("/organizations"),
        api.get(f"/organizations/{world.union_a.id}"),
        api.patch(f"/organizations/{world.union_a.id}", {"name": "改名"}),
        api.get("/audit"),
    ]
    for response in calls:
        assert response.status_code == 403, response.get_data(as_text=True)
        assert response.get_json()["message"]
    db.session.expire_all()
    assert world.user("union_b").is_active_flag
    assert world.union_a.name != "改名"
    assert _audit() == []


def test_without_a_token_401(client):
    assert client.get("/api/v1/admin/users").status_code == 401


def test_an_administrator_adds_a_user_grants_and_revokes_and_it_is_audited(world, as_user):
    api = as_user("admin")
    created = api.post(
        "/users",
        {
            "username": "new.union",
            "display_name": "新工会主席",
            "password": "zgzj-initial-2026",
            "role": "union",
            "org_id": world.union_a.id,
            "mobile": "+86 139 0013 9000",
        },
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["mobile"] == "13900139000" and body["active"] is True
    assert [(r["role"], r["org_code"]) for r in body["roles"]] == [("union", world.union_a.code)]
    assert created.headers["Location"].endswith(f"/api/v1/admin/users/{body['id']}")

    granted = api.post(f"/users/{body['id']}/roles", {"role": "union", "org_id": world.union_a2.id})
    assert granted.status_code == 201
    assert len(granted.get_json()["roles"]) == 2
    again = api.post(f"/users/{body['id']}/roles", {"role": "union", "org_id": world.union_a2.id})
    assert again.status_code == 409

    assignment = next(r for r in granted.get_json()["roles"] if r["org_id"] == world.union_a2.id)
    revoked = api.delete(f"/users/{body['id']}/roles/{assignment['id']}")
    assert revoked.status_code == 200 and len(revoked.get_json()["roles"]) == 1

    actions = [(a.action, a.target_label, a.actor.username) for a in _audit()]
    assert actions == [
        ("user.create", "new.union", "admin"),
        ("user.role_grant", "new.union", "admin"),
        ("user.role_revoke", "new.union", "admin"),
    ]
    create, grant, revoke = _audit()
    assert create.changes["mobile"] == [None, "13900139000"]
    assert grant.changes == {"role": [None, f"union@{world.union_a2.code}"]}
    assert revoke.changes == {"role": [f"union@{world.union_a2.code}", None]}

    trail = api.get(f"/audit?target_type=user&target_id={body['id']}").get_json()
    assert trail["total"] == 3
    assert [e["action"] for e in trail["items"]] == [
        "user.role_revoke",
        "user.role_grant",
        "user.create",
    ]


def test_a_bad_user_is_refused_field_by_field_and_nothing_is_written(world, as_user):
    api = as_user("admin")
    world.user("union_b").mobile = "13700137000"
    db.session.commit()
    users = db.session.scalar(select(func.count()).select_from(User))
    response = api.post(
        "/users",
        {
            "username": "union_a",  # taken
            "display_name": "某人",
            "password": "password",  # on the common list
            "role": "reviewer",  # a reviewer sits at a district, not a union
            "org_id": world.union_a.id,
            "email": "不是邮箱",
            "mobile": "13700137000",  # union_b's
        },
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"username", "password", "org_id", "email", "mobile"} <= set(errors)
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    assert _audit() == []


def test_patch_changes_only_what_was_sent_and_deactivating_ends_the_sessions(world, as_user):
    api = as_user("admin")
    target = world.users["reviewer_a"].id
    start_session(world.user("reviewer_a"), SessionKind.API)
    world.user("reviewer_a").email = "shenhe@example.cn"
    db.session.commit()

    response = api.patch(f"/users/{target}", {"mobile": "138 0013 8000"})
    assert response.status_code == 200
    assert response.get_json()["email"] == "shenhe@example.cn"  # untouched
    assert response.get_json()["mobile"] == "13800138000"

    assert api.patch(f"/users/{target}", {"mobile": "12345"}).status_code == 422
    off = api.patch(f"/users/{target}", {"active": False})
    assert off.status_code == 200 and off.get_json()["active"] is False
    live = select(func.count()).where(
        LoginSession.user_id == target, LoginSession.revoked_at.is_(None)
    )
    assert db.session.scalar(live) == 0

    me = world.users["admin"].id
    assert api.patch(f"/users/{me}", {"active": False}).status_code == 409
    assert [(a.action, a.changes) for a in _audit()] == [
        ("user.contact", {"mobile": [None, "13800138000"]}),
        ("user.deactivate", {"active": [True, False]}),
    ]


def test_password_reset_is_audited_without_the_password(world, as_user):
    api = as_user("admin")
    target = world.users["union_b"].id
    assert api.put(f"/users/{target}/password", {"new_password": "short"}).status_code == 422
    assert (
        api.put(f"/users/{target}/password", {"new_password": "zgzj-reset-2026"}).status_code == 204
    )
    (entry,) = _audit("user.password_reset")
    assert "zgzj-reset-2026" not in str(entry.changes)
    assert entry.changes["password"] == [None, "(set)"]


def test_organisations_the_tree_create_and_patch(world, as_user):
    api = as_user("admin")
    tree = api.get("/organizations").get_json()
    codes = [o["code"] for o in tree]
    assert codes[0] == world.city.code and tree[0]["depth"] == 0
    assert world.branch_a.code in codes

    created = api.post(
        "/organizations",
        {
            "code": "A-NEW",
            "name": "甲区新建工会",
            "level": "grassroots",
            "parent_id": world.district_a.id,
            "category": "enterprise",
            "staff_count": 120,
            "member_count": 118,
        },
    )
    assert created.status_code == 201, created.get_json()
    org_id = created.get_json()["id"]
    wrong_tier = api.post(
        "/organizations",
        {"code": "A-BAD", "name": "错层", "level": "grassroots", "parent_id": world.city.id},
    )
    assert wrong_tier.status_code == 422 and "parent_id" in wrong_tier.get_json()["errors"]

    patched = api.patch(f"/organizations/{org_id}", {"member_count": 119})
    assert patched.status_code == 200
    assert (
        patched.get_json()["name"] == "甲区新建工会" and patched.get_json()["member_count"] == 119
    )
    assert api.get("/organizations/2147483647").status_code == 404
    assert (
        db.session.scalar(select(Organization.member_count).where(Organization.id == org_id)) == 119
    )
    assert [(a.action, a.target_label) for a in _audit()] == [
        ("org.create", "A-NEW"),
        ("org.update", "A-NEW"),
    ]
    assert _audit("org.update")[0].changes == {"member_count": [118, 119]}


def test_the_admin_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/admin/users",
        "/api/v1/admin/users/{user_id}/roles",
        "/api/v1/admin/organizations/{org_id}",
        "/api/v1/admin/audit",
    ):
        assert path in paths
