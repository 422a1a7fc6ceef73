"""The import pages as an administrator uses them: template, upload, the check's report with
problems by row and column, confirm, imported; refusals for others and for bad files."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.admin.models import ImportRun
from app.extensions import db
from app.orgs.models import Organization
from tests.conftest import csrf_from

ORGS_CSV = (
    "组织代码,组织名称,上级组织代码,层级,类别,国有企业,职工数,会员数\n"
    "P-1,某公司工会,A,基层工会,企业,是,100,90\n"
    "P-2,某局机关工会,A,基层工会,机关事业单位,,40,40\n"
)


def _upload(client, kind: str, name: str, data: bytes):  # type: ignore[no-untyped-def]
    page = client.get("/admin/imports")
    token = csrf_from(page.text)
    return client.post(
        f"/admin/imports/{kind}",
        data={
            f"{kind}-csrf_token": token,
            "csrf_token": token,
            f"{kind}-file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Organization)) or 0


def test_upload_check_confirm_and_the_same_file_again_changes_nothing(world, client, auth):
    auth.login("admin")
    before = _count()
    response = _upload(client, "orgs", "名册.csv", ORGS_CSV.encode("utf-8-sig"))
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "待确认" in page.text or "等待您确认" in page.text
    assert 'data-testid="import-confirm"' in page.text
    assert "P-1" in page.text and _count() == before  # nothing written yet

    run_id = int(re.search(r"/admin/imports/(\d+)", response.headers["Location"]).group(1))
    confirmed = client.post(
        f"/admin/imports/{run_id}/confirm", data={"csrf_token": csrf_from(page.text)}
    )
    assert confirmed.status_code == 302
    done = client.get(f"/admin/imports/{run_id}")
    assert 'data-testid="import-applied"' in done.text and _count() == before + 2
    assert client.get(f"/admin/imports/{run_id}/status.json").json["status"] == "applied"
    # Confirming twice is told, not done twice.
    again = client.post(
        f"/admin/imports/{run_id}/confirm",
        data={"csrf_token": csrf_from(done.text)},
        follow_redirects=True,
    )
    assert "不在等待确认" in again.text and _count() == before + 2

    # GB18030, as Chinese Excel saves CSV: the same rows, nothing to change.
    second = _upload(client, "orgs", "名册.csv", ORGS_CSV.encode("gb18030"))
    report = db.session.get(ImportRun, int(second.headers["Location"].rsplit("/", 1)[1])).report
    assert report["counts"]["unchanged"] == 2 and report["counts"]["created"] == 0


def test_problems_are_listed_by_row_and_column_and_cannot_be_confirmed(world, client, auth):
    auth.login("admin")
    bad = ORGS_CSV + "P-3,坏行,NOPE,基层工会,外企,,x,\n"
    response = _upload(client, "orgs", "bad.csv", bad.encode())
    page = client.get(response.headers["Location"])
    assert 'data-testid="import-problems"' in page.text
    assert "NOPE" in page.text and "外企" in page.text
    assert 'data-testid="import-confirm"' not in page.text
    run_id = int(response.headers["Location"].rsplit("/", 1)[1])
    refused = client.post(
        f"/admin/imports/{run_id}/confirm",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=True,
    )
    assert "有问题" in refused.text
    problems = client.get(f"/admin/imports/{run_id}/problems.csv")
    assert problems.status_code == 200 and "上级组织代码" in problems.get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("empty.csv", b"", "文件为空"),
        ("a.xlsx", b"PK\x03\x04 not really a zip", "无法"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
        ("cols.csv", "名称,别的\n甲,乙\n".encode(), "组织代码"),
    ],
)
def test_files_that_are_not_a_roster_are_refused_in_words(world, client, auth, name, data, words):
    auth.login("admin")
    response = _upload(client, "orgs", name, data)
    if response.status_code == 302:
        response = client.get(response.headers["Location"])
    assert response.status_code in (200, 422)
    assert words in response.text


def test_the_template_and_the_export_open_in_excel_with_the_import_columns(world, client, auth):
    auth.login("admin")
    template = client.get("/admin/imports/template/orgs.xlsx")
    book = load_workbook(io.BytesIO(template.data))
    assert [c.value for c in book.worksheets[0][1]][:3] == [
        "*组织代码",
        "*组织名称",
        "上级组织代码",
    ]
    assert book.worksheets[1].title == "填写说明"
    export = load_workbook(io.BytesIO(client.get("/admin/imports/export/orgs.xlsx").data))
    codes = [row[0].value for row in export.worksheets[0].iter_rows(min_row=2)]
    assert "A-1" in codes and "C" in codes
    users = load_workbook(io.BytesIO(client.get("/admin/imports/export/users.xlsx").data))
    assert [c.value for c in users.worksheets[0][1]][0] == "*用户名"


@pytest.mark.parametrize("username", ["union_a", "reviewer_a", "city"])
def test_others_cannot_open_or_use_the_import(world, client, auth, username):
    auth.login(username)
    for path in (
        "/admin/imports",
        "/admin/imports/template/orgs.xlsx",
        "/admin/imports/export/users.xlsx",
    ):
        assert client.get(path).status_code == 403


def test_an_administrator_sees_only_their_own_runs(world, client, auth):
    auth.login("admin")
    response = _upload(client, "orgs", "名册.csv", ORGS_CSV.encode())
    run_id = int(response.headers["Location"].rsplit("/", 1)[1])
    db.session.get(ImportRun, run_id).created_by_id = world.user("city").id
    db.session.commit()
    assert client.get(f"/admin/imports/{run_id}").status_code == 404
    assert client.get(f"/admin/imports/{run_id}/status.json").status_code == 404


USERS_CSV = "用户名,姓名,手机号,电子邮箱,角色,组织代码\nnew.one,新一,13800138011,,基层工会,A-1\n"


def test_after_a_users_import_the_initial_passwords_come_as_a_sheet_and_work_once(
    world, client, auth
):
    auth.login("admin")
    response = _upload(client, "users", "users.csv", USERS_CSV.encode())
    run_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/admin/imports/{run_id}")
    client.post(f"/admin/imports/{run_id}/confirm", data={"csrf_token": csrf_from(page.text)})
    done = client.get(f"/admin/imports/{run_id}")
    assert 'data-testid="import-activations"' in done.text
    sheet = client.post(
        f"/admin/imports/{run_id}/activations",
        data={"csrf_token": csrf_from(done.text), "kind": "password"},
    )
    assert sheet.status_code == 200 and sheet.headers["Cache-Control"] == "no-store"
    rows = list(load_workbook(io.BytesIO(sheet.data)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == "new.one" and rows[1][3] == "A-1"
    initial = rows[1][4]
    auth.logout()
    first = auth.login("new.one", initial)
    assert first.status_code == 302  # in, and sent to choose a password of one's own
    home = client.get("/")
    assert home.status_code == 303 and "/account/password" in home.headers["Location"]


def test_an_organisations_import_has_no_activations_to_hand_out(world, client, auth):
    auth.login("admin")
    response = _upload(client, "orgs", "名册.csv", ORGS_CSV.encode())
    run_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/admin/imports/{run_id}")
    refused = client.post(
        f"/admin/imports/{run_id}/activations",
        data={"csrf_token": csrf_from(page.text), "kind": "password"},
        follow_redirects=True,
    )
    assert refused.status_code == 200 and "只有已完成的用户导入" in refused.text
