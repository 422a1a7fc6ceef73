"""The organisation roster's columns and what one row of it may say: the template's
explanations, the words accepted for each level and category (a roster says 区县总工会 as
often as 区（县）总工会), and the checks of each cell, with every problem by row and column.
Planning what the rows change is app/admin/org_import.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from app.admin.sheets import Column, RowProblem
from app.orgs.models import CATEGORY_LABELS, LEVEL_LABELS, OrgCategory, OrgLevel
from app.web.templating import label

CODE, NAME, PARENT, LEVEL, CATEGORY, STATE_OWNED = (
    "组织代码",
    "组织名称",
    "上级组织代码",
    "层级",
    "类别",
    "国有企业",
)
STAFF, MEMBERS, ADDRESS, PHONE = "职工数", "会员数", "地址", "联系电话"
HEADERS = (CODE, NAME, PARENT, LEVEL, CATEGORY, STATE_OWNED, STAFF, MEMBERS, ADDRESS, PHONE)
MAX_HEADCOUNT = 10_000_000
CODE_RE = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
PHONE_RE = re.compile(r"^[0-9+()（） -]{5,32}$")
TIER = {
    OrgLevel.CITY: 0,
    OrgLevel.DISTRICT: 1,
    OrgLevel.INDUSTRY: 1,
    OrgLevel.GRASSROOTS: 2,
    OrgLevel.BRANCH: 3,
}

_LEVELS_BY_TEXT: dict[str, OrgLevel] = {
    **{text: level for level, text in LEVEL_LABELS.items()},
    **{level.value: level for level in OrgLevel},
    "市总": OrgLevel.CITY,
    "区县总工会": OrgLevel.DISTRICT,
    "区总工会": OrgLevel.DISTRICT,
    "县总工会": OrgLevel.DISTRICT,
    "区(县)总工会": OrgLevel.DISTRICT,
    "行业工会": OrgLevel.INDUSTRY,
    "产业(行业)工会": OrgLevel.INDUSTRY,
    "工会小组": OrgLevel.BRANCH,
    "车间工会": OrgLevel.BRANCH,
}
_CATEGORIES_BY_TEXT: dict[str, OrgCategory] = {
    **{text: category for category, text in CATEGORY_LABELS.items()},
    **{category.value: category for category in OrgCategory},
    "机关": OrgCategory.PUBLIC_INSTITUTION,
    "事业单位": OrgCategory.PUBLIC_INSTITUTION,
    "机关事业": OrgCategory.PUBLIC_INSTITUTION,
    "区域性行业性": OrgCategory.REGIONAL,
    "区域性行业性工会": OrgCategory.REGIONAL,
    "区域性": OrgCategory.REGIONAL,
    "行业性": OrgCategory.REGIONAL,
}
_YES = {"是", "y", "yes", "true", "1", "√", "国有", "国企"}
_NO = {"", "否", "n", "no", "false", "0", "非国有"}


def columns() -> list[Column]:
    """The template's columns, explained in the reader's language."""
    levels = "、".join(label(t) for t in LEVEL_LABELS.values())
    categories = "、".join(label(t) for t in CATEGORY_LABELS.values())
    return [
        Column(
            CODE,
            True,
            _("The organisation's unique code: letters, digits, . _ - (up to 32)."),
            "GH-0001",
            text=True,
        ),
        Column(NAME, True, _("Its full name, up to 200 characters."), "某某有限公司工会", width=30),
        Column(
            PARENT,
            False,
            _(
                "The code of the organisation above it, in this file or already in the "
                "system; empty only for the city federation."
            ),
            "D-01",
            text=True,
        ),
        Column(LEVEL, True, _("One of: %(values)s.", values=levels), "基层工会"),
        Column(
            CATEGORY,
            False,
            _("For a grassroots union (required) or a branch: %(values)s.", values=categories),
            "企业",
        ),
        Column(STATE_OWNED, False, _("是 or 否 (empty: 否); enterprises only."), "否", width=10),
        Column(STAFF, False, _("Number of staff, a whole number."), "320", width=10),
        Column(
            MEMBERS,
            False,
            _("Number of union members, not more than the staff."),
            "310",
            width=10,
        ),
        Column(
            ADDRESS, False, _("Where the inspectors visit, up to 200 characters."), "", width=30
        ),
        Column(PHONE, False, _("An office or mobile number."), "0571-88886666", text=True),
    ]


@dataclass
class OrgRow:
    row: int
    code: str
    name: str
    parent_code: str
    level: OrgLevel
    category: OrgCategory | None
    is_state_owned: bool
    staff_count: int | None
    member_count: int | None
    address: str | None
    contact_phone: str | None
    valid: bool = True  # False: a cell has a problem; its place in the tree is still checked


def _count(cell: str, number: int, column: str, problem: Any) -> int | None:
    if not cell:
        return None
    cleaned = cell.replace(",", "").replace("，", "")
    if not re.fullmatch(r"\d{1,9}", cleaned) or int(cleaned) > MAX_HEADCOUNT:
        problem(
            RowProblem(
                number,
                column,
                _(
                    "A whole number from 0 to %(max)s: %(value)s",
                    max=f"{MAX_HEADCOUNT:,}",
                    value=cell,
                ),
            )
        )
        return None
    return int(cleaned)


def parse_row(number: int, cells: dict[str, str], problem: Any) -> OrgRow | None:
    ok = True
    for column in (CODE, NAME, LEVEL):
        if not cells[column]:
            problem(RowProblem(number, column, _("This column must be filled in.")))
            ok = False
    code = cells[CODE]
    if code and not CODE_RE.match(code):
        problem(
            RowProblem(
                number,
                CODE,
                _("A code has up to 32 letters, digits or . _ -: %(value)s", value=code),
            )
        )
        ok = False
    if len(cells[NAME]) > 200:
        problem(RowProblem(number, NAME, _("A name has at most 200 characters.")))
        ok = False
    level = _LEVELS_BY_TEXT.get(cells[LEVEL].replace("（", "(").replace("）", ")"))
    if cells[LEVEL] and level is None:
        problem(
            RowProblem(
                number,
                LEVEL,
                _(
                    "Unknown level “%(value)s”; one of: %(values)s.",
                    value=cells[LEVEL],
                    values="、".join(label(t) for t in LEVEL_LABELS.values()),
                ),
            )
        )
        ok = False
    category = _CATEGORIES_BY_TEXT.get(cells[CATEGORY].replace("、", ""))
    if category is None:
        category = _CATEGORIES_BY_TEXT.get(cells[CATEGORY])
    if cells[CATEGORY] and category is None:
        problem(
            RowProblem(
                number,
                CATEGORY,
                _(
                    "Unknown category “%(value)s”; one of: %(values)s.",
                    value=cells[CATEGORY],
                    values="、".join(label(t) for t in CATEGORY_LABELS.values()),
                ),
            )
        )
        ok = False
    if level == OrgLevel.GRASSROOTS and not cells[CATEGORY]:
        problem(RowProblem(number, CATEGORY, _("A grassroots union needs a category.")))
        ok = False
    if level not in (OrgLevel.GRASSROOTS, OrgLevel.BRANCH):
        category = None
    flag = cells[STATE_OWNED].lower()
    if flag not in _YES | _NO:
        problem(RowProblem(number, STATE_OWNED, _("是 or 否: %(value)s", value=cells[STATE_OWNED])))
        ok = False
    staff = _count(cells[STAFF], number, STAFF, problem)
    members = _count(cells[MEMBERS], number, MEMBERS, problem)
    if staff is not None and members is not None and members > staff:
        problem(RowProblem(number, MEMBERS, _("There cannot be more members than staff.")))
        ok = False
    if cells[ADDRESS] and len(cells[ADDRESS]) > 200:
        problem(RowProblem(number, ADDRESS, _("An address has at most 200 characters.")))
        ok = False
    if cells[PHONE] and not PHONE_RE.match(cells[PHONE]):
        problem(RowProblem(number, PHONE, _("Not a phone number: %(value)s", value=cells[PHONE])))
        ok = False
    if level is None or not code or not CODE_RE.match(code) or not cells[NAME]:
        return None
    return OrgRow(
        valid=ok,
        row=number,
        code=code,
        name=cells[NAME],
        parent_code=cells[PARENT],
        level=level,
        category=category,
        is_state_owned=flag in _YES and category == OrgCategory.ENTERPRISE,
        staff_count=staff,
        member_count=members,
        address=cells[ADDRESS] or None,
        contact_phone=cells[PHONE] or None,
    )
