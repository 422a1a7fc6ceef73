"""Administration pages: users (create, roles, password, deactivation) and the org tree."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.auth.models import LoginSession, Role, RoleAssignment, User
from app.extensions import db
from app.orgs.models import Organization, OrgCategory, OrgClosure, OrgLevel
from tests.conftest import IsolatedClient, csrf_from, field_error, post_form


def browser(app: Flask) -> FlaskClient:
    """A second, independent browser."""
    return IsolatedClient(app, app.response_class, use_cookies=True)


def user_by_name(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


# -- access -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["union_a", "reviewer_a", "inspector", "city"])
@pytest.mark.parametrize(
    "path",
    [
        "/admin/users",
        "/admin/users/new",
        "/admin/users/export.csv",
        "/admin/orgs",
        "/admin/orgs/new",
        "/admin/orgs/export.csv",
        "/admin/audit",
        "/admin/audit/export.csv",
    ],
)
def test_non_admin_gets_403(world, client, auth, username, path):
    auth.login(username)
    assert client.get(path).status_code == 403


def test_non_admin_cannot_post_admin_actions(world, client, auth):
    auth.login("city")
    token = csrf_from(client.get("/").text)
    target = world.users["union_a"].id
    response = client.post(f"/admin/users/{target}/deactivate", data={"csrf_token": token})
    assert response.status_code == 403
    assert world.user("union_a").is_active


def test_unknown_user_or_organisation_is_not_found(world, client, auth):
    auth.login("admin")
    for path in ("/admin/users/999999", "/admin/orgs/999999/edit"):
        assert client.get(path).status_code == 404, path


def test_anonymous_is_sent_to_login(world, client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- users --------------------------------------------------------------------------------


def test_admin_creates_a_user_who_can_log_in(world, client, auth, app):
    auth.login("admin")
    page = client.get("/admin/users/new")
    assert f'value="{world.union_b.id}"' in page.text
    # Branches take no role, so they are not offered.
    assert f'value="{world.branch_a.id}"' not in page.text
    response = post_form(
        client,
        "/admin/users/new",
        {
            "username": "new_union",
            "display_name": "乙区新工会干事",
            "password": "s3cret-pass",
            "role": "union",
            "org_id": world.union_b.id,
        },
    )
    assert response.status_code == 302
    user = user_by_name("new_union")
    assert user is not None and user.is_active
    assert [(a.role, a.org_id) for a in user.roles] == [(Role.UNION, world.union_b.id)]
    assert response.headers["Location"].endswith(f"/admin/users/{user.id}")

    fresh = browser(app)
    login_page = fresh.get("/login")
    response = fresh.post(
        "/login",
        data={
            "username": "new_union",
            "password": "s3cret-pass",
            "csrf_token": csrf_from(login_page.text),
        },
    )
    assert response.status_code == 302
    assert "乙区新工会干事" in fresh.get("/").text


@pytest.mark.parametrize(
    "data, field",
    [
        ({"password": "short"}, "password"),
        (
            {"role": "union", "org_key": "district_a"},
            "org_id",
        ),  # a union sits at a grassroots union
        ({"role": "reviewer", "org_key": "union_a"}, "org_id"),
        ({"username": "union_a"}, "username"),  # taken
        ({"username": "has space"}, "username"),
        ({"display_name": ""}, "display_name"),
    ],
)
def test_create_user_errors_are_shown_next_to_the_field(world, client, auth, data, field):
    auth.login("admin")
    before = db.session.scalar(select(func.count()).select_from(User))
    form = {
        "username": "someone",
        "display_name": "某人",
        "password": "long-enough",
        "role": "union",
        "org_id": world.union_a.id,
    }
    form.update({k: v for k, v in data.items() if k != "org_key"})
    if "org_key" in data:
        form["org_id"] = getattr(world, data["org_key"]).id
    response = post_form(client, "/admin/users/new", form)
    assert response.status_code == 422
    assert field_error(response.text, field)
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_user_search_and_csv_export(world, client, auth):
    db.session.add(
        User(username="mallory", display_name='=HYPERLINK("http://x")', password_hash="x")
    )
    db.session.commit()
    auth.login("admin")
    page = client.get("/admin/users?q=审核")
    names = re.findall(r"<code>([^<]+)</code></a>", page.text)
    assert sorted(names) == ["reviewer_a", "reviewer_b"]
    page = client.get("/admin/users?q=union_a")
    assert sorted(re.findall(r"<code>([^<]+)</code></a>", page.text)) == ["union_a", "union_a2"]

    export = client.get("/admin/users/export.csv")
    assert export.status_code == 200
    assert export.mimetype == "text/csv"
    body = export.data.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:2] == ["用户名", "姓名"]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["mallory"][1] == '\'=HYPERLINK("http://x")'
    assert "区县审核人@甲区总工会" in by_name["reviewer_a"][rows[0].index("角色")]
    only = client.get("/admin/users/export.csv?q=mallory").data.decode("utf-8")
    assert [r[0] for r in csv.reader(io.StringIO(only.lstrip("\ufeff")))][1:] == ["mallory"]


def test_grant_and_remove_a_role(world, client, auth):
    auth.login("admin")
    target = world.users["reviewer_a"].id
    url = f"/admin/users/{target}"
    response = post_form(
        client, url, {"role": "inspector", "org_id": world.city.id}, action=f"{url}/roles"
    )
    assert response.status_code == 302
    roles = {(a.role, a.org_id) for a in world.user("reviewer_a").roles}
    assert roles == {(Role.REVIEWER, world.district_a.id), (Role.INSPECTOR, world.city.id)}

    # The wrong tier for the role: shown next to the organisation, nothing granted.
    response = post_form(
        client, url, {"role": "city", "org_id": world.district_b.id}, action=f"{url}/roles"
    )
    assert response.status_code == 422
    assert "市总工会" in field_error(response.text, "org_id")
    # The same role twice.
    response = post_form(
        client, url, {"role": "inspector", "org_id": world.city.id}, action=f"{url}/roles"
    )
    assert response.status_code == 409
    assert field_error(response.text, "org_id")
    assert len(world.user("reviewer_a").roles) == 2

    assignment = db.session.scalar(
        select(RoleAssignment).where(
            RoleAssignment.user_id == target, RoleAssignment.role == Role.INSPECTOR
        )
    )
    response = post_form(client, url, {}, action=f"{url}/roles/{assignment.id}/remove")
    assert response.status_code == 302
    assert [a.role for a in world.user("reviewer_a").roles] == [Role.REVIEWER]


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(world, client, auth):
    auth.login("admin")
    me = world.user("admin")
    url = f"/admin/users/{me.id}"
    response = post_form(client, url, {}, action=f"{url}/roles/{me.roles[0].id}/remove")
    assert response.status_code == 409
    response = post_form(client, url, {}, action=f"{url}/deactivate")
    assert response.status_code == 409
    me = world.user("admin")
    assert me.is_active and [a.role for a in me.roles] == [Role.ADMIN]


def test_reset_password(world, client, auth, app):
    other = browser(app)
    page = other.get("/login")
    other.post(
        "/login",
        data={
            "username": "union_b",
            "password": "password-123",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert other.get("/").status_code == 200

    auth.login("admin")
    url = f"/admin/users/{world.users['union_b'].id}"
    response = post_form(client, url, {"new_password": "short"}, action=f"{url}/password")
    assert response.status_code == 422
    assert field_error(response.text, "new_password")

    response = post_form(client, url, {"new_password": "brand-new-pass"}, action=f"{url}/password")
    assert response.status_code == 302
    # The session opened with the old password is over.
    assert other.get("/").status_code == 302

    page = other.get("/login")
    response = other.post(
        "/login",
        data={
            "username": "union_b",
            "password": "password-123",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 401
    response = other.post(
        "/login",
        data={
            "username": "union_b",
            "password": "brand-new-pass",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 302


def test_deactivating_logs_the_user_out_at_once(world, client, auth, app):
    victim = browser(app)
    page = victim.get("/login")
    victim.post(
        "/login",
        data={
            "username": "union_a",
            "password": "password-123",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert victim.get("/").status_code == 200
    user_id = world.users["union_a"].id

    auth.login("admin")
    url = f"/admin/users/{user_id}"
    response = post_form(client, url, {}, action=f"{url}/deactivate")
    assert response.status_code == 302
    assert not world.user("union_a").is_active
    live = db.session.scalar(
        select(func.count())
        .select_from(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
    )
    assert live == 0

    response = victim.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = victim.get("/login")
    response = victim.post(
        "/login",
        data={
            "username": "union_a",
            "password": "password-123",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 401
    assert "已停用" in client.get("/admin/users?q=union_a").text

    response = post_form(client, url, {}, action=f"{url}/reactivate")
    assert response.status_code == 302
    response = victim.post(
        "/login",
        data={
            "username": "union_a",
            "password": "password-123",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 302


# -- organisations ------------------------------------------------------------------------


def _tree_rows(html: str) -> list[tuple[str, int]]:
    return [
        (code, int(depth))
        for depth, code in re.findall(r'<tr data-depth="(\d+)" data-code="([^"]+)"', html)
    ]


def test_org_list_is_the_tree_with_filters(world, client, auth):
    auth.login("admin")
    rows = _tree_rows(client.get("/admin/orgs").text)
    assert rows == [("C", 0), ("A", 1), ("A-1", 2), ("A-1-1", 3), ("A-2", 2), ("B", 1), ("B-1", 2)]
    rows = _tree_rows(client.get("/admin/orgs?level=grassroots").text)
    assert rows == [("A-1", 2), ("A-2", 2), ("B-1", 2)]
    rows = _tree_rows(client.get("/admin/orgs?category=enterprise").text)
    assert rows == [("A-1", 2), ("A-1-1", 3)]
    rows = _tree_rows(client.get("/admin/orgs?level=grassroots&category=regional").text)
    assert rows == [("B-1", 2)]
    # An unknown filter value is ignored rather than an error.
    assert len(_tree_rows(client.get("/admin/orgs?level=bogus").text)) == 7


def test_org_csv_export(world, client, auth):
    world.union_b.name = "@SUM(1)乙区街道总工会"
    db.session.commit()
    auth.login("admin")
    export = client.get("/admin/orgs/export.csv?level=grassroots")
    body = export.data.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:4] == ["编码", "名称", "层级", "上级组织"]
    assert [r[0] for r in rows[1:]] == ["A-1", "A-2", "B-1"]
    a1 = rows[1]
    assert a1[3] == "甲区总工会" and a1[4] == "企业" and a1[5] == "是" and a1[6] == "100"
    assert rows[3][1] == "'@SUM(1)乙区街道总工会"


def _org_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Organization))


def test_create_org_under_a_district(world, client, auth):
    auth.login("admin")
    page = client.get(f"/admin/orgs/new?parent_id={world.district_a.id}")
    assert re.search(rf'<option[^>]* selected value="{world.district_a.id}"', page.text)
    assert re.search(r'<option selected value="grassroots"', page.text)
    response = post_form(
        client,
        "/admin/orgs/new",
        {
            "code": "A-3",
            "name": "甲区开发区总工会",
            "level": "grassroots",
            "parent_id": world.district_a.id,
            "category": "regional",
            "staff_count": "300",
            "member_count": "280",
        },
    )
    assert response.status_code == 302, response.text
    org = db.session.scalar(select(Organization).where(Organization.code == "A-3"))
    assert org.parent_id == world.district_a.id and org.level == OrgLevel.GRASSROOTS
    assert org.category == OrgCategory.REGIONAL and org.member_count == 280
    closure = dict(
        db.session.execute(
            select(OrgClosure.ancestor_id, OrgClosure.depth).where(
                OrgClosure.descendant_id == org.id
            )
        ).all()
    )
    assert closure == {org.id: 0, world.district_a.id: 1, world.city.id: 2}
    assert ("A-3", 2) in _tree_rows(client.get("/admin/orgs").text)


@pytest.mark.parametrize(
    "form, field",
    [
        # A branch belongs under a grassroots union, not a district.
        ({"level": "branch", "parent_key": "district_a"}, "parent_id"),
        ({"level": "district", "parent_key": "district_a"}, "parent_id"),
        ({"level": "grassroots", "category": ""}, "category"),
        ({"code": "A-1"}, "code"),  # taken
        ({"staff_count": "10", "member_count": "20"}, "member_count"),
        ({"staff_count": "-1"}, "staff_count"),
        ({"level": "city"}, "level"),
    ],
)
def test_create_org_errors_next_to_the_field(world, client, auth, form, field):
    auth.login("admin")
    before = _org_count()
    data = {
        "code": "NEW-1",
        "name": "新组织",
        "level": "grassroots",
        "parent_id": world.district_a.id,
        "category": "enterprise",
    }
    data.update({k: v for k, v in form.items() if k != "parent_key"})
    if "parent_key" in form:
        data["parent_id"] = getattr(world, form["parent_key"]).id
    response = post_form(client, "/admin/orgs/new", data)
    assert response.status_code == 422
    assert field_error(response.text, field)
    assert _org_count() == before
    assert db.session.scalar(select(Organization).where(Organization.code == "NEW-1")) is None


def test_wrong_parent_level_message(world, client, auth):
    auth.login("admin")
    response = post_form(
        client,
        "/admin/orgs/new",
        {
            "code": "A-9",
            "name": "车间分工会",
            "level": "branch",
            "parent_id": world.district_a.id,
            "category": "enterprise",
        },
    )
    assert response.status_code == 422
    assert field_error(response.text, "parent_id") == "分工会的上级必须是基层工会。"


def test_edit_org(world, client, auth):
    auth.login("admin")
    url = f"/admin/orgs/{world.union_a2.id}/edit"
    page = client.get(url)
    assert 'value="甲区医院工会"' in page.text
    response = post_form(
        client,
        url,
        {
            "name": "甲区人民医院工会",
            "category": "public_institution",
            "staff_count": "60",
            "member_count": "58",
            # Neither the code nor the parent can be changed here.
            "code": "HACK",
            "parent_id": world.district_b.id,
        },
    )
    assert response.status_code == 302
    org = db.session.get(Organization, world.union_a2.id)
    db.session.refresh(org)
    assert (org.name, org.staff_count, org.member_count) == ("甲区人民医院工会", 60, 58)
    assert (org.code, org.parent_id) == ("A-2", world.district_a.id)

    response = post_form(
        client,
        url,
        {
            "name": "甲区人民医院工会",
            "category": "public_institution",
            "staff_count": "10",
            "member_count": "58",
        },
    )
    assert response.status_code == 422
    assert field_error(response.text, "member_count")
    response = post_form(client, url, {"name": "甲区人民医院工会", "category": ""})
    assert response.status_code == 422
    assert field_error(response.text, "category")


def test_category_is_fixed_while_a_nomination_is_under_way(world, client, auth):
    nomination = world.nomination(world.union_a, "submitted")
    auth.login("admin")
    url = f"/admin/orgs/{world.union_a.id}/edit"
    response = post_form(
        client,
        url,
        {
            "name": "甲区机械厂工会",
            "category": "regional",
            "is_state_owned": "y",
            "staff_count": "100",
            "member_count": "100",
        },
    )
    assert response.status_code == 422
    assert str(nomination.id) in field_error(response.text, "category")
    org = db.session.get(Organization, world.union_a.id)
    db.session.refresh(org)
    assert org.category == OrgCategory.ENTERPRISE
    # Other changes still go through.
    response = post_form(
        client,
        url,
        {
            "name": "甲区机械厂工会（新）",
            "category": "enterprise",
            "is_state_owned": "y",
            "staff_count": "120",
            "member_count": "110",
        },
    )
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.name == "甲区机械厂工会（新）" and org.is_state_owned


def test_admin_pages_render_for_phone_layout(world, client, auth):
    auth.login("admin")
    for path in [
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{world.users['city'].id}",
        "/admin/orgs",
        "/admin/orgs/new",
        f"/admin/orgs/{world.union_a.id}/edit",
        "/admin/audit",
    ]:
        page = client.get(path)
        assert page.status_code == 200, path
        assert 'name="viewport"' in page.text
        if "<table" in page.text:
            assert "table-responsive" in page.text, path


def test_the_admin_sets_a_users_mobile_number(world, client, auth):
    auth.login("admin")
    reviewer, union = world.users["reviewer_a"].id, world.users["union_a"].id
    page = f"/admin/users/{reviewer}"
    bad = post_form(client, page, {"mobile": "1380013800"}, action=f"{page}/email")
    assert bad.status_code == 422 and "11 位" in field_error(bad.text, "mobile")
    good = post_form(client, page, {"mobile": "+86 138-0013-8000"}, action=f"{page}/email")
    assert good.status_code == 302
    db.session.expire_all()
    assert world.user("reviewer_a").mobile == "13800138000"
    assert 'value="13800138000"' in client.get(page).text  # the admin sees it in full

    # Another user cannot have the same number; what was typed stays in the form.
    other = f"/admin/users/{union}"
    taken = post_form(client, other, {"mobile": "13800138000"}, action=f"{other}/email")
    assert taken.status_code == 422 and "13800138000" in field_error(taken.text, "mobile")
    assert world.user("union_a").mobile is None

    cleared = post_form(client, page, {"mobile": "", "email": ""}, action=f"{page}/email")
    assert cleared.status_code == 302
    db.session.expire_all()
    assert world.user("reviewer_a").mobile is None


def test_the_audit_trail_page_lists_changes_newest_first_and_exports(world, client, auth):
    auth.login("admin")
    reviewer = world.users["reviewer_a"].id
    page = f"/admin/users/{reviewer}"
    post_form(client, page, {"mobile": "13800138000"}, action=f"{page}/email")
    post_form(client, page, {"new_password": "zgzj-audit-2026"}, action=f"{page}/password")

    listing = client.get("/admin/audit")
    assert listing.status_code == 200
    rows = re.findall(r"<tr>(.*?)</tr>", listing.text, re.S)[1:]
    assert "重置密码" in rows[0] or "密码" in rows[0]
    assert "联系方式" in rows[1] and "13800138000" in rows[1]
    assert "zgzj-audit-2026" not in listing.text
    assert "用户" in client.get("/admin/audit?type=org").text  # the filter renders

    export = client.get("/admin/audit/export.csv")
    lines = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == ["时间（北京时间）", "操作人", "操作", "对象", "变更"]
    assert [line[1] for line in lines[1:]] == ["admin", "admin"]
    assert "mobile: — → 13800138000" in lines[2][4]
