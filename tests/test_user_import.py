"""Importing users from spreadsheet rows: every problem by row and column with nothing
written, a plan of what changes, bulk writes, and the same rows again change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.admin.models import AdminAudit
from app.admin.user_import import apply_users, plan_users
from app.auth.models import Role, RoleAssignment, User
from app.auth.services import check_password
from app.extensions import db


def _rows(*rows: dict[str, str]) -> list[tuple[int, dict[str, str]]]:
    return [(i, row) for i, row in enumerate(rows, start=2)]  # row 1 is the header


def _person(username: str, role: str = "基层工会", org: str = "A-1", **extra: str) -> dict:
    return {"用户名": username, "姓名": f"{username}的名字", "角色": role, "组织代码": org, **extra}


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model))


def test_new_users_are_created_in_bulk_with_their_roles_and_an_audit_row_each(world):
    admin = world.user("admin")
    rows = _rows(
        _person("li.si", 手机号="139 0013 9001", 电子邮箱="lisi@example.cn"),
        _person("li.si", role="抽查员", org="A-1"),  # a second role of the same person
        _person("wang.wu", role="区县审核人", org="A"),
    )
    plan = plan_users(admin, rows)
    assert plan.ok, plan.problems
    assert [p.username for p in plan.created] == ["li.si", "wang.wu"]
    ids = apply_users(admin, plan)
    db.session.commit()

    li = db.session.get(User, ids[0])
    assert li.mobile == "13900139001" and li.email == "lisi@example.cn"
    assert {r.role for r in li.roles} == {Role.UNION, Role.INSPECTOR}
    assert not check_password(li, "")  # no usable password until activation
    entries = db.session.scalars(select(AdminAudit).order_by(AdminAudit.id)).all()
    assert [(e.action, e.target_label) for e in entries] == [
        ("user.create", "li.si"),
        ("user.create", "wang.wu"),
    ]
    assert entries[0].changes["roles"] == [None, ["union@A-1", "inspector@A-1"]]

    again = plan_users(admin, rows)
    assert again.ok and again.created == [] and again.changed == []
    assert sorted(again.unchanged) == ["li.si", "wang.wu"]


def test_an_edited_file_changes_only_what_changed_and_keeps_roles_it_does_not_list(world):
    admin = world.user("admin")
    apply_users(admin, plan_users(admin, _rows(_person("li.si"), _person("zhao.liu"))))
    db.session.commit()
    roles_before = _count(RoleAssignment)

    edited = _rows(
        {**_person("li.si"), "姓名": "李四（改）"},
        {**_person("li.si", role="抽查员", org="A"), "姓名": ""},  # "as above"
        _person("zhao.liu"),
    )
    plan = plan_users(admin, edited)
    assert plan.ok, plan.problems
    assert plan.created == [] and plan.unchanged == ["zhao.liu"]
    (change,) = plan.changed
    assert change.fields == {"display_name": ["li.si的名字", "李四（改）"]}
    assert change.roles_text() == ["inspector@A"]
    apply_users(admin, plan)
    db.session.commit()
    li = db.session.scalar(select(User).where(User.username == "li.si"))
    assert li.display_name == "李四（改）" and _count(RoleAssignment) == roles_before + 1
    assert db.session.scalar(
        select(AdminAudit.changes).where(AdminAudit.action == "user.import_update")
    ) == {"display_name": ["li.si的名字", "李四（改）"], "roles": [None, ["inspector@A"]]}

    # A later file without li.si: reported as missing, never removed.
    later = plan_users(admin, _rows(_person("zhao.liu")))
    assert "li.si" in later.missing and "admin" in later.missing
    assert db.session.scalar(select(User.id).where(User.username == "li.si"))


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ({"用户名": "有 空格"}, "用户名", "2–64"),
        ({"姓名": ""}, "姓名", "必须填写"),
        ({"手机号": "1380013800"}, "手机号", "11 位"),
        ({"电子邮箱": "不是邮箱"}, "电子邮箱", "不是电子邮箱"),
        ({"角色": "主席"}, "角色", "未知角色"),
        ({"组织代码": "NOPE"}, "组织代码", "NOPE"),
        ({"角色": "区县审核人"}, "角色", "不能"),  # a reviewer at a grassroots union
        ({"组织代码": ""}, "组织代码", "必须填写"),
    ],
)
def test_each_kind_of_row_problem_names_its_row_and_column_and_nothing_is_written(
    world, row, column, words
):
    admin = world.user("admin")
    users, audit = _count(User), _count(AdminAudit)
    plan = plan_users(admin, _rows(_person("ok.user"), {**_person("bad.user"), **row}))
    assert not plan.ok
    assert [(p.row, p.column) for p in plan.problems] == [(3, column)], plan.problems
    assert words in plan.problems[0].message
    with pytest.raises(ValueError):
        apply_users(admin, plan)
    assert _count(User) == users and _count(AdminAudit) == audit


def test_mobile_numbers_and_rows_of_one_person_must_agree(world):
    admin = world.user("admin")
    world.user("reviewer_a").mobile = "13700137000"
    db.session.commit()
    plan = plan_users(
        admin,
        _rows(
            _person("a.one", 手机号="13800138000"),
            _person("b.two", 手机号="13800138000"),  # the same number as row 2
            _person("c.three", 手机号="13700137000"),  # reviewer_a's
            _person("a.one", role="抽查员", 手机号="13900139000"),  # a.one's row 2 disagrees
            _person("a.one"),  # the same role twice
        ),
    )
    found = {(p.row, p.column): p.message for p in plan.problems}
    assert "第 2 行" in found[(3, "手机号")] and "a.one" in found[(3, "手机号")]
    assert "已被其他用户使用" in found[(4, "手机号")]
    assert "第 2 行" in found[(5, "手机号")]
    assert (6, "角色") in found
