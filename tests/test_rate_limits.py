"""Rate limits counted atomically (app/ratelimit.py): parallel requests cannot pass a limit
together; and the public certificate check's limit per client.

The parallel tests fire real requests from threads, each with its own app context and so
its own database connection, all released at once by a barrier; they commit for real
(`committing`). They run on both backends: on SQLite every writing transaction begins
IMMEDIATE (app/database.py), so the parallel requests take turns instead of failing with
"database is locked".
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import ratelimit
from app.auth import throttle
from app.commendation.models import Objection
from app.extensions import db
from app.timeutil import utcnow
from tests.factories import build_world
from tests.test_commendation_public import OBJECTION, publish

TIMEOUT = 60  # seconds; a hung request must fail the test, never hang the suite


def _race(app: Flask, n: int, request: Callable[[Any], Any]) -> Counter[int]:
    """`n` requests at once, each from a client of its own; their statuses."""
    barrier = threading.Barrier(n, timeout=TIMEOUT)
    statuses: list[int | BaseException] = []

    def run() -> None:
        client = app.test_client()
        try:
            barrier.wait()
            statuses.append(request(client).status_code)
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            statuses.append(exc)

    threads = [threading.Thread(target=run, daemon=True) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "a racing request hung"
    errors = [s for s in statuses if isinstance(s, BaseException)]
    assert not errors, errors
    return Counter(s for s in statuses if isinstance(s, int))


@pytest.mark.committing
def test_twenty_parallel_wrong_logins_get_only_the_limits_password_checks(app, monkeypatch):
    monkeypatch.setattr(throttle, "sleep", lambda seconds: None)
    with app.app_context():
        build_world()
    limit = app.config["LOGIN_MAX_FAILURES"]

    statuses = _race(
        app,
        20,
        lambda client: client.post(
            "/api/v1/auth/token",
            json={"username": "union_a", "password": "wrong-password"},
            environ_base={"REMOTE_ADDR": "10.20.0.1"},
        ),
    )

    assert statuses == {401: limit, 429: 20 - limit}
    with app.app_context():
        keys = throttle.LoginKeys("union_a", "10.20.0.1")
        failures = ratelimit.counts(keys.account, keys.client)
        assert {key: count.hits for key, count in failures.items()} == {
            keys.account: limit,
            keys.client: limit,
        }


@pytest.mark.committing
def test_twelve_parallel_objections_from_one_address_store_at_most_the_limit(app):
    with app.app_context():
        world = build_world()
        publicity, candidate, _other = publish(world)
        publicity_id, nomination_id = publicity.id, candidate.id
    limit = app.config["OBJECTIONS_PER_ADDRESS_PER_DAY"]

    statuses = _race(
        app,
        12,
        lambda client: client.post(
            f"/api/v1/publicities/{publicity_id}/objections",
            json={"nomination_id": nomination_id, "body": OBJECTION, "contact": "13800000000"},
            environ_base={"REMOTE_ADDR": "10.20.0.2"},
        ),
    )

    assert statuses == {201: limit, 429: 12 - limit}
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Objection))
        assert stored == limit


@pytest.mark.committing
def test_parallel_hits_of_one_key_are_each_counted_once(app):
    """The counter itself: every hit gets its own number, none lost, none repeated."""
    with app.app_context():
        key = ratelimit.key_for("test", "parallel")
    seen: list[int] = []
    barrier = threading.Barrier(16, timeout=TIMEOUT)

    def run() -> None:
        with app.app_context():
            barrier.wait()
            count = ratelimit.hit(key, timedelta(minutes=1))
            db.session.commit()
            seen.append(count.hits)

    threads = [threading.Thread(target=run, daemon=True) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert sorted(seen) == list(range(1, 17))


# -- the certificate check ---------------------------------------------------------------------


CODE = "ABCD-EFGH-JKLM"  # never issued: the check answers "no such certificate"


def test_the_certificate_check_is_limited_per_client(app, client, new_client, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_CHECKS_PER_MINUTE", 3)
    here = {"REMOTE_ADDR": "10.30.0.1"}
    for _ in range(2):
        assert client.get(f"/certificates/{CODE}", environ_base=here).status_code == 404
    assert client.get(f"/api/v1/certificates/{CODE}", environ_base=here).status_code == 200

    page = client.get(f"/certificates/{CODE}", environ_base=here)
    assert page.status_code == 429 and page.mimetype == "text/html"
    assert "查验证书的次数过多（每分钟最多 3 次）" in page.text
    assert 1 <= int(page.headers["Retry-After"]) <= 60

    api = client.get(f"/api/v1/certificates/{CODE}", environ_base=here)
    assert api.status_code == 429 and api.mimetype == "application/json"
    body = api.get_json()
    assert body["code"] == 429 and "每分钟最多 3 次" in body["message"]
    assert 1 <= int(api.headers["Retry-After"]) <= 60

    # Another client is not affected ...
    other = new_client().get(f"/certificates/{CODE}", environ_base={"REMOTE_ADDR": "10.30.0.2"})
    assert other.status_code == 404
    # ... and after a minute this one may check again.
    moved = utcnow() + timedelta(minutes=1, seconds=1)
    monkeypatch.setattr(ratelimit, "utcnow", lambda: moved)
    assert client.get(f"/certificates/{CODE}", environ_base=here).status_code == 404


def test_the_certificate_limit_is_in_english_when_english_is_chosen(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_CHECKS_PER_MINUTE", 1)
    client.set_cookie("lang", "en")
    here = {"REMOTE_ADDR": "10.30.0.3"}
    client.get(f"/api/v1/certificates/{CODE}", environ_base=here)
    body = client.get(f"/api/v1/certificates/{CODE}", environ_base=here).get_json()
    assert body["message"].startswith("Too many certificate checks from your network address")


def test_the_openapi_document_declares_the_429(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "429" in paths["/api/v1/certificates/{code}"]["get"]["responses"]
