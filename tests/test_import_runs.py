"""Import runs as they run outside a test's transaction: in a thread of the web process
(no Redis), as RQ jobs on the real Redis, and a failure mid-apply that leaves nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.admin.imports import confirm_import, read_progress, start_import
from app.admin.models import ImportRun
from app.extensions import db
from app.jobs import QUEUE_NAME, AppSimpleWorker
from app.orgs.models import Organization
from tests.factories import build_world

pytestmark = pytest.mark.committing

ROWS = (
    "组织代码,组织名称,上级组织代码,层级,类别\n"
    + "".join(f"R-{i},第{i}公司工会,A,基层工会,企业\n" for i in range(300))
).encode()


@pytest.fixture
def admin(app: Flask) -> Iterator[int]:
    with app.test_request_context():
        world = build_world()
        admin_id = world.user("admin").id
        db.session.commit()
        db.session.remove()
    yield admin_id


def _wait(app: Flask, run_id: int, status: str, timeout: float = 30) -> ImportRun:
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            run = db.session.get(ImportRun, run_id)
            assert run is not None
            if run.status == status:
                db.session.expunge(run)
                return run
            assert run.status != "failed", run.error
        assert time.monotonic() < deadline, f"still {run.status}"
        time.sleep(0.1)


def _orgs(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Organization)) or 0


def _user(admin_id: int):  # type: ignore[no-untyped-def]
    from app.auth.models import User

    return db.session.get(User, admin_id)


def test_without_redis_a_thread_checks_and_applies_and_reports_its_progress(app, admin):
    app.config["IMPORT_RUNNER"] = "thread"
    before = _orgs(app)
    try:
        with app.test_request_context():
            run_id = start_import(_user(admin), "orgs", "r.csv", ROWS).id
        checked = _wait(app, run_id, "checked")
        assert checked.report["counts"]["created"] == 300
        with app.test_request_context():
            assert read_progress(run_id)["phase"] == "done"
            confirm_import(_user(admin), db.session.get(ImportRun, run_id))
        applied = _wait(app, run_id, "applied")
        assert applied.data is None  # the file is not kept once applied
        assert _orgs(app) == before + 300
    finally:
        app.config["IMPORT_RUNNER"] = "inline"


def test_with_redis_the_check_and_the_apply_are_jobs_a_worker_runs(app, admin, redis):
    app.config["IMPORT_RUNNER"] = "rq"
    before = _orgs(app)
    try:
        with app.test_request_context():
            run_id = start_import(_user(admin), "orgs", "r.csv", ROWS).id
            assert db.session.get(ImportRun, run_id).status == "checking"  # queued
        worker = AppSimpleWorker([QUEUE_NAME], connection=redis)
        worker.app = app
        worker.work(burst=True)
        _wait(app, run_id, "checked")
        with app.test_request_context():
            confirm_import(_user(admin), db.session.get(ImportRun, run_id))
        worker.work(burst=True)
        _wait(app, run_id, "applied")
        assert _orgs(app) == before + 300
    finally:
        app.config["IMPORT_RUNNER"] = "inline"


def test_a_failure_while_writing_leaves_nothing_and_says_so(app, admin, monkeypatch):
    before = _orgs(app)

    def broken(new_ids):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr("app.admin.org_import.closure_for", broken)
    with app.test_request_context():
        run_id = start_import(_user(admin), "orgs", "r.csv", ROWS).id
        run = confirm_import(_user(admin), db.session.get(ImportRun, run_id))
        assert run.status == "failed" and "未写入" in (run.error or "")
    assert _orgs(app) == before


def test_with_redis_down_the_run_still_runs_in_the_web_process(app, admin):
    app.config["IMPORT_RUNNER"] = "rq"
    old = app.config.get("REDIS_URL")
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    before = _orgs(app)
    try:
        with app.test_request_context():
            run_id = start_import(_user(admin), "orgs", "r.csv", ROWS).id
        _wait(app, run_id, "checked")
    finally:
        app.config["REDIS_URL"] = old
        app.config["IMPORT_RUNNER"] = "inline"
    assert _orgs(app) == before
