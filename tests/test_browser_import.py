"""The import page on a phone, in a real browser: upload a roster with an error row, read the
check's report with the problem by row and column, upload the fixed file, confirm, watch the
progress, done — and the organisations are there."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser_support import assert_fits_the_phone, log_in, screenshot
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.committing]

HEADER = "组织代码,组织名称,上级组织代码,层级,类别,职工数,会员数\n"
GOOD = "".join(f"W-{i},第{i}公司工会,A,基层工会,企业,100,90\n" for i in range(40))


@pytest.fixture
def slow_threaded_imports(app: Flask, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Imports in a thread of the server, as without Redis, each progress step held a moment
    so that the page shows it."""
    from app.admin import imports

    real = imports.report_progress

    def held(run_id: int):  # type: ignore[no-untyped-def]
        report = real(run_id)

        def step(phase: str, done: int, total: int) -> None:
            report(phase, done, total)
            if phase != "done":
                time.sleep(0.4)

        return step

    monkeypatch.setattr(imports, "report_progress", held)
    app.config["IMPORT_RUNNER"] = "thread"
    yield
    app.config["IMPORT_RUNNER"] = "inline"


def _upload(phone, tmp_path: Path, name: str, text: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(HEADER + text, encoding="utf-8-sig")
    phone.goto("/admin/imports")
    assert_fits_the_phone(phone)
    card = phone.get_by_test_id("import-orgs")
    card.locator("input[type=file]").set_input_files(str(path))
    card.get_by_role("button", name="上传并检查").click()


def test_upload_an_error_fix_it_confirm_and_watch_it_done(
    app, phone, tmp_path, slow_threaded_imports
):
    from app.extensions import db
    from app.orgs.models import Organization

    with app.app_context():
        build_world()
        db.session.commit()
        before = db.session.scalar(select(func.count()).select_from(Organization))
    log_in(phone, "admin")
    phone.goto("/admin/imports")
    screenshot(phone, "imports-phone")

    _upload(phone, tmp_path, "名册.csv", GOOD + "W-BAD,坏行工会,NOPE,基层工会,企业,10,20\n")
    expect(phone.locator("[data-import-bar]")).to_be_visible()  # the check at work
    problems = phone.get_by_test_id("import-problems")
    expect(problems).to_be_visible(timeout=20_000)  # the page reloads itself when done
    text = problems.inner_text()
    assert "42" in text and "上级组织代码" in text and "NOPE" in text
    assert "会员数" in text  # more members than staff, same row
    expect(phone.get_by_test_id("import-confirm")).to_have_count(0)
    assert_fits_the_phone(phone)
    screenshot(phone, "import-problems-phone")

    _upload(phone, tmp_path, "名册-改.csv", GOOD)
    confirm = phone.get_by_test_id("import-confirm")
    expect(confirm).to_be_visible(timeout=20_000)
    assert phone.get_by_test_id("import-counts").inner_text().startswith("40")
    phone.once("dialog", lambda dialog: dialog.accept())  # the page asks first
    confirm.get_by_role("button", name="确认导入").click()
    expect(phone.locator("[data-import-bar]")).to_be_visible()
    expect(phone.get_by_test_id("import-applied")).to_be_visible(timeout=20_000)
    assert "新增 40" in phone.get_by_test_id("import-applied").inner_text()
    assert_fits_the_phone(phone)
    screenshot(phone, "import-applied-phone")

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organization)) == before + 40
    status = phone.evaluate("location.pathname") + "/status.json"
    assert json.loads(phone.request.get(status).text())["status"] == "applied"
