#!/usr/bin/env python
"""The roster import at city scale: 20,000 grassroots unions and 100,000 users, from the
files a city federation has, into an empty PostgreSQL database, against a floor.

    .venv/bin/python bench/imports.py            # about 2 minutes

1. A database of its own (bench_import, or BENCH_IMPORT_DATABASE_URL) is created empty and
   migrated.
2. The files are written: organisations as .xlsx (1 city, 12 districts, 20,000 grassroots
   unions, in the template's columns), users as .csv in UTF-8 with a BOM (100,000 people,
   5 per union, each with a mobile number).
3. `flask import-orgs FILE --yes` and `flask import-users FILE --yes` run as an operator
   would, timed end to end (the process start, reading, checking every row, writing, the
   closure table); then both again, which must change nothing.
4. The floor, in the same run: the same rows COPYed by psycopg into two bare tables of the
   same columns (no checks, no indexes beyond the keys) — the least any import can cost.
5. bench/results/imports.md gets the table; the ratio is the import's time ÷ the floor's.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
UNIONS, PER_UNION, DISTRICTS = 20_000, 5, 12
ORG_HEADER = [
    "组织代码",
    "组织名称",
    "上级组织代码",
    "层级",
    "类别",
    "国有企业",
    "职工数",
    "会员数",
]
USER_HEADER = ["用户名", "姓名", "手机号", "电子邮箱", "角色", "组织代码"]
CATEGORIES = ["企业", "机关事业单位", "区域性、行业性工会"]


def org_rows() -> list[list[object]]:
    rows: list[list[object]] = [["BC", "基准市总工会", "", "市总工会", "", "", "", ""]]
    rows += [
        [f"BD{d:02d}", f"基准第{d}区总工会", "BC", "区县总工会", "", "", "", ""]
        for d in range(DISTRICTS)
    ]
    for u in range(UNIONS):
        staff = 50 + u % 900
        rows.append(
            [
                f"BG{u:05d}",
                f"基准第{u}号公司工会",
                f"BD{u % DISTRICTS:02d}",
                "基层工会",
                CATEGORIES[u % 3],
                "是" if u % 7 == 0 and u % 3 == 0 else "否",
                staff,
                staff - u % 20,
            ]
        )
    return rows


def user_rows() -> list[list[object]]:
    return [
        [
            f"bu{u:05d}.{k}",
            f"职工{u}-{k}",
            f"139{u * PER_UNION + k:08d}",
            "",
            "基层工会",
            f"BG{u:05d}",
        ]
        for u in range(UNIONS)
        for k in range(PER_UNION)
    ]


def write_files(folder: Path) -> tuple[Path, Path]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("组织")
    sheet.append(ORG_HEADER)
    for row in org_rows():
        sheet.append(row)
    orgs = folder / "orgs.xlsx"
    book.save(orgs)
    users = folder / "users.csv"
    with users.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(USER_HEADER)
        writer.writerows(user_rows())
    return orgs, users


def fresh_database(url: str) -> None:
    admin = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def flask(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    took = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return took, done.stdout.strip().splitlines()[-2] if done.stdout.strip() else ""


def floor(url: str) -> float:
    """The same rows COPYed into bare tables: the least an import can cost."""
    orgs, users = org_rows(), user_rows()
    started = time.monotonic()
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        conn.execute(
            "CREATE TEMP TABLE floor_orgs (id serial PRIMARY KEY, code text UNIQUE, name text,"
            " parent text, level text, category text, state text, staff int, members int)"
        )
        conn.execute(
            "CREATE TEMP TABLE floor_users (id serial PRIMARY KEY, username text UNIQUE,"
            " name text, mobile text UNIQUE, email text, role text, org text)"
        )
        with conn.cursor().copy(
            "COPY floor_orgs (code, name, parent, level, category, state, staff, members)"
            " FROM STDIN"
        ) as copy:
            for row in orgs:
                copy.write_row([v if v != "" else None for v in row])
        with conn.cursor().copy(
            "COPY floor_users (username, name, mobile, email, role, org) FROM STDIN"
        ) as copy:
            for row in users:
                copy.write_row([v if v != "" else None for v in row])
        conn.commit()
    return time.monotonic() - started


def main() -> None:
    url = os.environ.get(
        "BENCH_IMPORT_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/bench_import"
    )
    fresh_database(url)
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": "", "PYTHONPATH": str(ROOT)}
    flask(env, "db", "upgrade")
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / "bench-import"
    folder.mkdir(exist_ok=True)
    orgs, users = write_files(folder)
    figures = []
    for label, args in (
        ("organisations, first import (.xlsx, 20,013 rows)", ("import-orgs", str(orgs), "--yes")),
        ("users, first import (.csv, 100,000 rows)", ("import-users", str(users), "--yes")),
        ("organisations again (no change)", ("import-orgs", str(orgs), "--yes")),
        ("users again (no change)", ("import-users", str(users), "--yes")),
    ):
        took, said = flask(env, *args)
        figures.append((label, took, said))
        print(f"{label}: {took:.1f} s — {said}", flush=True)
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        counted = conn.execute(
            "SELECT (SELECT count(*) FROM organizations), (SELECT count(*) FROM users),"
            " (SELECT count(*) FROM org_closure), (SELECT count(*) FROM admin_audit)"
        ).fetchone()
    floor_s = floor(url)
    first = figures[0][1] + figures[1][1]
    beijing = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    lines = [
        "# Roster import at city scale",
        "",
        f"`.venv/bin/python bench/imports.py`, {beijing} (Beijing time), PostgreSQL, "
        f"{os.cpu_count()} cores. Each figure is a whole `flask` command as an operator runs it.",
        "",
        "| step | seconds |",
        "|---|---:|",
        *[f"| {label} | {took:.1f} |" for label, took, _said in figures],
        f"| **first import, both files** | **{first:.1f}** |",
        f"| floor: the same rows COPYed into bare tables | {floor_s:.1f} |",
        f"| ratio of the first import to the floor | {first / floor_s:.1f} |",
        "",
        f"Afterwards: {counted[0]:,} organisations, {counted[1]:,} users, {counted[2]:,} closure "
        f"rows, {counted[3]:,} audit rows. Aim: both files under 60 s — "
        + ("met." if first < 60 else "**not met**."),
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "imports.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
