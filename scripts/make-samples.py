#!/usr/bin/env python
"""Write docs/samples/orgs.xlsx and users.xlsx: a new district of the demo city (南湖区,
under its city federation C) with its unions and a branch, and their people, in the import
templates' columns — what `flask import-orgs` / `import-users` take. Run it again after the
columns change: `.venv/bin/python scripts/make-samples.py`."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ORGS = [
    [
        "D4",
        "南湖区总工会",
        "C",
        "区（县）总工会",
        "",
        "",
        "",
        "",
        "南湖区政务中心 3 楼",
        "0571-86000000",
    ],
    [
        "D4-U01",
        "南湖港务集团有限公司工会",
        "D4",
        "基层工会",
        "企业",
        "是",
        2400,
        2380,
        "南湖区港城大道 1 号",
        "0571-86000101",
    ],
    [
        "D4-U02",
        "南湖精密仪器有限公司工会",
        "D4",
        "基层工会",
        "企业",
        "否",
        380,
        352,
        "南湖区工业园 8 号",
        "13905710102",
    ],
    [
        "D4-U03",
        "南湖区中心医院工会",
        "D4",
        "基层工会",
        "机关事业单位",
        "",
        960,
        960,
        "南湖区健康路 20 号",
        "0571-86000103",
    ],
    [
        "D4-U04",
        "南湖区实验小学工会",
        "D4",
        "基层工会",
        "机关事业单位",
        "",
        130,
        130,
        "南湖区书院街 5 号",
        "",
    ],
    [
        "D4-U05",
        "南湖街道总工会",
        "D4",
        "基层工会",
        "区域性、行业性工会",
        "",
        2900,
        2650,
        "南湖街道办事处",
        "0571-86000105",
    ],
    ["D4-U01-B1", "南湖港务集团装卸分公司分工会", "D4-U01", "分工会", "企业", "", 620, 615, "", ""],
]
USERS = [
    ["reviewer-d4", "南湖区审核人", "13905710001", "reviewer-d4@example.cn", "区县审核人", "D4"],
    ["inspector-d4", "南湖区抽查员", "13905710002", "", "抽查员", "D4"],
    ["union-d4-u01", "港务工会主席", "13905710011", "", "基层工会", "D4-U01"],
    ["union-d4-u02", "精密仪器工会主席", "13905710012", "", "基层工会", "D4-U02"],
    ["union-d4-u03", "医院工会主席", "13905710013", "", "基层工会", "D4-U03"],
    ["union-d4-u04", "实验小学工会主席", "", "", "基层工会", "D4-U04"],
    ["union-d4-u05", "南湖街道工会主席", "13905710015", "", "基层工会", "D4-U05"],
    ["union-d4-u02", "", "", "", "抽查员", "D4-U02"],  # the same person, a second role
]


def main() -> None:
    from app import create_app
    from app.admin.imports import kind_columns
    from app.admin.sheets import template_workbook

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    out = ROOT / "docs" / "samples"
    out.mkdir(exist_ok=True)
    with app.test_request_context():
        (out / "orgs.xlsx").write_bytes(template_workbook("组织", kind_columns("orgs"), ORGS))
        (out / "users.xlsx").write_bytes(template_workbook("用户", kind_columns("users"), USERS))
    print(f"wrote {out / 'orgs.xlsx'} and {out / 'users.xlsx'}")


if __name__ == "__main__":
    main()
