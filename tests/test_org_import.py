"""Importing the organisation tree from roster rows: problems by row and column with nothing
written, creation in bulk with the closure table right, the same file again changes nothing,
an edited file changes what it edits, missing organisations reported and only deactivated
when asked."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.admin.models import AdminAudit
from app.admin.org_import import apply_orgs, plan_orgs
from app.auth.scope import ancestor_ids
from app.extensions import db
from app.orgs.models import Organization, OrgCategory, OrgClosure


def _rows(*rows: dict[str, str]) -> list[tuple[int, dict[str, str]]]:
    return [(i, row) for i, row in enumerate(rows, start=2)]


def _union(code: str, parent: str = "A", **extra: str) -> dict[str, str]:
    return {
        "组织代码": code,
        "组织名称": f"{code}公司工会",
        "上级组织代码": parent,
        "层级": "基层工会",
        "类别": "企业",
        **extra,
    }


def _closure() -> set[tuple[int, int, int]]:
    return set(
        db.session.execute(
            select(OrgClosure.ancestor_id, OrgClosure.descendant_id, OrgClosure.depth)
        ).tuples()
    )


def _org(code: str) -> Organization:
    org = db.session.scalar(select(Organization).where(Organization.code == code))
    assert org is not None
    return org


def test_a_new_district_with_its_unions_and_a_branch_is_created_with_its_closure(world):
    admin = world.user("admin")
    rows = _rows(
        _union("Z-1", parent="Z", 职工数="320", 会员数="310", 国有企业="是", 地址="某路 1 号"),
        {"组织代码": "Z", "组织名称": "丙区总工会", "上级组织代码": "C", "层级": "区县总工会"},
        {
            "组织代码": "Z-1-1",
            "组织名称": "一车间分工会",
            "上级组织代码": "Z-1",
            "层级": "分工会",
        },
        _union("Z-2", parent="Z", 类别="机关事业单位", 联系电话="0571-88886666"),
    )
    plan = plan_orgs(admin, rows)
    assert plan.ok, plan.problems
    assert sorted(o.code for o in plan.created) == ["Z", "Z-1", "Z-1-1", "Z-2"]
    counts = apply_orgs(admin, plan)
    db.session.commit()
    assert counts["created"] == 4

    z1 = _org("Z-1")
    assert z1.parent.code == "Z" and z1.category == OrgCategory.ENTERPRISE and z1.is_state_owned
    assert (z1.staff_count, z1.member_count, z1.address) == (320, 310, "某路 1 号")
    assert _org("Z-2").contact_phone == "0571-88886666"
    branch = _org("Z-1-1")
    assert ancestor_ids(branch.id) == {branch.id, z1.id, _org("Z").id, _org("C").id}
    depth = db.session.scalar(
        select(OrgClosure.depth).where(
            OrgClosure.ancestor_id == _org("C").id, OrgClosure.descendant_id == branch.id
        )
    )
    assert depth == 3
    assert (
        db.session.scalar(
            select(func.count()).select_from(AdminAudit).where(AdminAudit.action == "org.create")
        )
        == 4
    )

    again = plan_orgs(admin, rows)
    assert again.ok and again.created == [] and again.changed == []
    assert sorted(again.unchanged) == ["Z", "Z-1", "Z-1-1", "Z-2"]


def test_an_edited_file_changes_and_moves_what_it_edits_and_reports_what_it_leaves_out(world):
    admin = world.user("admin")
    apply_orgs(admin, plan_orgs(admin, _rows(_union("N-1"), _union("N-2"))))
    db.session.commit()
    closure_before = _closure()

    edited = _rows(
        _union("N-1", 组织名称="新名字工会", 职工数="50"),
        _union("N-2", parent="B"),  # moved to district B
    )
    plan = plan_orgs(admin, edited)
    assert plan.ok, plan.problems
    fields = {c.code: c.fields for c in plan.changed}
    assert fields["N-1"] == {"name": ["N-1公司工会", "新名字工会"], "staff_count": [None, 50]}
    assert fields["N-2"] == {"parent_code": ["A", "B"]}
    assert ("A-1", _org("A-1").name) in plan.missing  # the world's unions, not in the file
    apply_orgs(admin, plan)
    db.session.commit()
    n2 = _org("N-2")
    assert ancestor_ids(n2.id) == {n2.id, _org("B").id, _org("C").id}
    assert _closure() != closure_before
    # The rest of the tree is as it was.
    assert ancestor_ids(_org("A-1-1").id) == {_org(c).id for c in ("A-1-1", "A-1", "A", "C")}
    # Missing ones are only reported: still active.
    assert _org("A-1").is_active

    # An empty headcount keeps what is recorded.
    keep = plan_orgs(admin, _rows(_union("N-1", 组织名称="新名字工会"), _union("N-2", parent="B")))
    assert keep.changed == []


def test_deactivating_the_missing_is_an_explicit_choice_and_a_later_file_reactivates(world):
    admin = world.user("admin")
    only = _rows(_union("A-1", 组织名称=_org("A-1").name))
    plan = plan_orgs(admin, only)
    missing = {code for code, _name in plan.missing}
    assert {"A-2", "B-1"} <= missing and "A" not in missing  # a parent in use is not missing
    apply_orgs(admin, plan, deactivate_missing=True)
    db.session.commit()
    assert not _org("A-2").is_active and _org("A-1").is_active
    assert db.session.scalar(
        select(func.count()).select_from(AdminAudit).where(AdminAudit.action == "org.deactivate")
    ) == len(missing)

    back = plan_orgs(
        admin,
        _rows(_union("A-2", 组织名称=_org("A-2").name, 类别=_org("A-2").category_label)),
    )
    assert [c.fields.get("is_active") for c in back.changed] == [[False, True]]


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ({"组织代码": "有 空格"}, "组织代码", "32"),
        ({"组织名称": ""}, "组织名称", "必须填写"),
        ({"上级组织代码": "NOPE"}, "上级组织代码", "NOPE"),
        ({"上级组织代码": "A-1"}, "上级组织代码", "A-1"),  # a union under a union
        ({"层级": "总部"}, "层级", "总部"),
        ({"类别": "外企"}, "类别", "外企"),
        ({"类别": ""}, "类别", "类别"),
        ({"国有企业": "也许"}, "国有企业", "也许"),
        ({"职工数": "-5"}, "职工数", "-5"),
        ({"职工数": "10", "会员数": "20"}, "会员数", "会员"),
        ({"联系电话": "打电话"}, "联系电话", "打电话"),
        ({"组织代码": "A-2", "层级": "分工会", "上级组织代码": "A-1"}, "层级", "不能更改"),
    ],
)
def test_each_kind_of_row_problem_names_its_row_and_column_and_nothing_is_written(
    world, row, column, words
):
    admin = world.user("admin")
    before = db.session.scalar(select(func.count()).select_from(Organization))
    plan = plan_orgs(admin, _rows(_union("OK-1"), {**_union("BAD-1"), **row}))
    assert not plan.ok
    assert [(p.row, p.column) for p in plan.problems] == [(3, column)], plan.problems
    assert words in plan.problems[0].message
    with pytest.raises(ValueError):
        apply_orgs(admin, plan)
    assert db.session.scalar(select(func.count()).select_from(Organization)) == before


def test_duplicates_cycles_and_other_administrators_trees_are_refused(world):
    admin = world.user("admin")
    plan = plan_orgs(
        admin,
        _rows(
            _union("D-1"),
            _union("D-1"),  # the same code again
            {"组织代码": "X", "组织名称": "X区", "上级组织代码": "Y", "层级": "区县总工会"},
            {"组织代码": "Y", "组织名称": "Y区", "上级组织代码": "X", "层级": "区县总工会"},
        ),
    )
    found = {(p.row, p.column): p.message for p in plan.problems}
    assert "第 2 行" in found[(3, "组织代码")]
    assert (4, "上级组织代码") in found and (5, "上级组织代码") in found


def test_a_district_administrator_imports_only_under_their_district(world):
    from app.auth.models import Role, RoleAssignment

    district_admin = world.user("reviewer_a")
    db.session.add(RoleAssignment(user=district_admin, role=Role.ADMIN, org=_org("A")))
    db.session.commit()
    plan = plan_orgs(
        district_admin,
        _rows(_union("MINE-1"), _union("THEIRS-1", parent="B"), _union("B-1", parent="B")),
    )
    found = {(p.row, p.column) for p in plan.problems}
    assert found == {(3, "上级组织代码"), (4, "组织代码")}
    assert [o.code for o in plan.created] == ["MINE-1"]


def test_the_bulk_closure_is_the_one_the_one_at_a_time_path_builds(world):
    from app.orgs.closure import rebuild_closure

    one_at_a_time = _closure()
    rebuild_closure()
    assert _closure() == one_at_a_time


def test_imported_organisations_get_the_closure_creating_them_one_by_one_gives(world):
    from app.orgs.closure import rebuild_closure

    admin = world.user("admin")
    rows = _rows(
        {"组织代码": "Q", "组织名称": "Q区", "上级组织代码": "C", "层级": "区县总工会"},
        _union("Q-1", parent="Q"),
        {"组织代码": "Q-1-1", "组织名称": "分会", "上级组织代码": "Q-1", "层级": "分工会"},
        _union("A-9"),
    )
    apply_orgs(admin, plan_orgs(admin, rows))
    imported = _closure()
    rebuild_closure()
    assert _closure() == imported
    # and the same as create_org gives, node by node
    from app.orgs.models import OrgLevel
    from app.orgs.services import create_org

    q = _org("Q")
    mirror = create_org(code="Q2", name="Q2区", level=OrgLevel.DISTRICT, parent=_org("C"))
    mirror_union = create_org(
        code="Q2-1",
        name="x",
        level=OrgLevel.GRASSROOTS,
        parent=mirror,
        category=OrgCategory.ENTERPRISE,
    )

    def depths(org_id: int) -> list[int]:
        return sorted(depth for _a, below, depth in _closure() if below == org_id)

    assert depths(_org("Q-1").id) == depths(mirror_union.id) == [0, 1, 2]
    assert depths(q.id) == depths(mirror.id) == [0, 1]


@pytest.mark.parametrize("kind", ["orgs", "users"])
def test_the_export_imported_again_changes_nothing(world, kind):
    from app.admin.imports import kind_columns, workbook
    from app.admin.sheets import read_rows
    from app.admin.user_import import plan_users

    admin = world.user("admin")
    world.user("union_a").mobile = "13800138000"
    _org("A-1").address = "某路 1 号"
    db.session.commit()
    data = workbook(admin, kind, example=False)
    rows = read_rows("export.xlsx", data, kind_columns(kind))
    assert len(rows) >= 7
    plan = (plan_orgs if kind == "orgs" else plan_users)(admin, rows)
    assert plan.ok, plan.problems[:5]
    assert plan.created == [] and plan.changed == [] and plan.missing == []
