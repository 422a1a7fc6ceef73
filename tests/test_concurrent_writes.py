"""Concurrent writers, on SQLite and PostgreSQL alike: one wins, the other is refused in
words (409), never a 500 or `database is locked`.

PostgreSQL serialises them with row locks and the guarded UPDATEs; SQLite lets one
transaction write at a time, and `BEGIN IMMEDIATE` (app/database.py) makes the second wait
for the first and then read what it committed. Every racing request runs in its own thread
with its own app context, session and database connection (the file database on SQLite),
and really commits (`committing`: the rows are removed afterwards). The last tests serve
the app for real — werkzeug's threaded server as `flask run` does, and gunicorn with two
processes of four threads — and load it with parallel writes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.auth.models import Role, SessionKind, User
from app.auth.services import start_session
from app.errors import Conflict, StaleVersion
from app.evaluation.models import Ballot, BallotToken, TokenStatus
from app.evaluation.opening import open_evaluation
from app.evaluation.tokens import revealed_tokens
from app.extensions import db
from app.nominations import services
from app.nominations.models import Nomination, NominationEvent
from app.nominations.services import take_action, workflow_for
from app.settings import BASE_DIR
from app.timeutil import utcnow
from tests.browser_support import serve
from tests.conftest import database_url, is_postgres
from tests.factories import build_world, make_user

pytestmark = pytest.mark.committing

TIMEOUT = 30  # seconds; a broken lock must fail the test, never hang the suite


@dataclass
class Scene:
    nomination_ids: list[int]
    versions: list[int]
    reviewer_tokens: tuple[str, str]
    ballot_tokens: list[str]
    dimensions: list[str]


def _scene(app: Flask, nominations: int = 4, members: int = 0) -> Scene:
    """Submitted nominations of union A, two reviewers of district A with API tokens, and
    (with `members`) an open member evaluation's voting tokens."""
    with app.test_request_context():
        world = build_world()
        second = make_user("reviewer_a2", Role.REVIEWER, world.district_a, "甲区审核人二")
        db.session.commit()
        submitted = [world.nomination(status="submitted") for _ in range(nominations)]
        ids, versions = [n.id for n in submitted], [n.version for n in submitted]
        tokens = (
            start_session(world.user("reviewer_a"), SessionKind.API)[0],
            start_session(db.session.get(User, second.id), SessionKind.API)[0],
        )
        ballot_tokens: list[str] = []
        dimensions: list[str] = []
        if members:
            voted = world.nomination(org=world.union_b, status="member_evaluation")
            now = utcnow()
            evaluation = open_evaluation(
                world.user("union_b"),
                voted.id,
                opens_at=now - timedelta(minutes=1),
                closes_at=now + timedelta(days=3),
                member_count=members,
            )
            ballot_tokens = [t.token for t in revealed_tokens(evaluation)]
            dimensions = [d["code"] for d in evaluation.dimensions]
        db.session.remove()
    return Scene(ids, versions, tokens, ballot_tokens, dimensions)


def _ballot(scene: Scene) -> dict[str, Any]:
    return {"overall": "satisfied", "answers": {code: "basic" for code in scene.dimensions}}


def _race(targets: list[Callable[[], Any]]) -> list[Any]:
    """Run the targets in threads released at the same moment; their results (or errors)."""
    barrier = threading.Barrier(len(targets), timeout=TIMEOUT)
    results: list[Any] = [None] * len(targets)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = targets[i]()
        except BaseException as exc:  # noqa: B036 - reported to the main thread
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
        assert not thread.is_alive(), "a racing thread hung"
    return results


def _events(app: Flask, nomination_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(NominationEvent.action, NominationEvent.to_state)
            .where(NominationEvent.nomination_id == nomination_id)
            .order_by(NominationEvent.id)
        ).all()
        return [tuple(r) for r in rows]  # type: ignore[misc]


# -- two reviewers, one nomination -------------------------------------------------------


def test_two_reviewers_act_through_the_api_at_once_one_wins_one_is_told(app, new_client):
    """Both read the nomination's version, then post approve and return at the same moment,
    four times over: each time exactly one 200 and one 409 saying the nomination changed."""
    scene = _scene(app)
    clients = [new_client(), new_client()]
    headers = [{"Authorization": f"Bearer {t}"} for t in scene.reviewer_tokens]
    comments = {"approve": "同意推荐", "return": "请补充材料"}

    def post(i: int, url: str, action: str, version: int) -> Callable[[], Any]:
        body = {"version": version, "comment": comments[action]}
        return lambda: clients[i].post(f"{url}/actions/{action}", json=body, headers=headers[i])

    for round_, nomination_id in enumerate(scene.nomination_ids):
        url = f"/api/v1/nominations/{nomination_id}"
        versions = [
            c.get(url, headers=h).get_json()["version"]
            for c, h in zip(clients, headers, strict=True)
        ]
        actions = ["approve", "return"] if round_ % 2 == 0 else ["return", "approve"]
        responses = _race([post(i, url, actions[i], versions[i]) for i in (0, 1)])
        assert not [r for r in responses if isinstance(r, BaseException)], responses
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 409], [
            (r.status_code, r.get_data(as_text=True)) for r in responses
        ]
        winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
        loser = responses[1 - winner].get_json()
        assert loser["code"] == 409 and "locked" not in loser["message"], loser
        events = _events(app, nomination_id)
        assert [a for a, _ in events[1:]] == [actions[winner]], events


def test_the_second_writer_waits_for_the_first_then_is_refused(app, monkeypatch):
    """The tightest interleaving: the loser starts while the winner's UPDATE is written and
    not yet committed. It waits (PostgreSQL: on the row lock; SQLite: for the write lock,
    at BEGIN IMMEDIATE) and, once the winner commits, is refused as stale: no 500."""
    scene = _scene(app, nominations=1)
    (nomination_id,) = scene.nomination_ids
    with app.app_context():
        version = db.session.get(Nomination, nomination_id).version
        reviewers = [
            u.id for u in db.session.scalars(select(User).where(User.username.like("reviewer_a%")))
        ]
    flushed, committed_at, loser_read_at = threading.Event(), [], []
    real_get = services.get_nomination
    outcomes: dict[str, Any] = {}

    def winner() -> None:
        try:
            with app.test_request_context(method="POST"):
                user = db.session.get(User, reviewers[0])
                workflow_for(user, real_get(user, nomination_id)).fire("approve", "同意推荐")
                db.session.flush()  # the UPDATE is written: the loser must now wait
                flushed.set()
                time.sleep(0.5)
                committed_at.append(time.monotonic())
                db.session.commit()
                outcomes["winner"] = "ok"
        except BaseException as exc:  # noqa: B036
            flushed.set()
            outcomes["winner"] = exc

    def loser_get(user, nomination_id):  # type: ignore[no-untyped-def]
        nomination = real_get(user, nomination_id)
        loser_read_at.append(time.monotonic())
        return nomination

    def loser() -> None:
        assert flushed.wait(TIMEOUT), "the winner never wrote"
        monkeypatch.setattr(services, "get_nomination", loser_get)
        try:
            with app.test_request_context(method="POST"):
                user = db.session.get(User, reviewers[1])
                take_action(user, nomination_id, "return", comment="请补充材料", version=version)
                outcomes["loser"] = "ok"
        except BaseException as exc:  # noqa: B036
            outcomes["loser"] = exc

    threads = [threading.Thread(target=t, daemon=True) for t in (winner, loser)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert outcomes.get("winner") == "ok", repr(outcomes)
    assert isinstance(outcomes.get("loser"), StaleVersion), repr(outcomes.get("loser"))
    if not is_postgres():  # SQLite: the loser read nothing before the winner committed
        assert loser_read_at and loser_read_at[0] >= committed_at[0], (loser_read_at, committed_at)
    assert _events(app, nomination_id)[1:] == [("approve", "member_evaluation")]


# -- ballots -----------------------------------------------------------------------------


def test_parallel_ballots_each_token_votes_once_and_nothing_fails(app, new_client):
    """Twelve requests at once: three tokens posted four times each. Three ballots stored,
    nine told the link was used, no 500."""
    scene = _scene(app, nominations=0, members=5)
    tokens = scene.ballot_tokens[:3]
    clients = [new_client() for _ in range(12)]

    def vote(i: int) -> Callable[[], Any]:
        return lambda: clients[i].post(f"/api/v1/ballots/{tokens[i % 3]}", json=_ballot(scene))

    responses = _race([vote(i) for i in range(12)])
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert Counter(r.status_code for r in responses) == {201: 3, 409: 9}, [
        (r.status_code, r.get_data(as_text=True)[:200]) for r in responses
    ]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == 3
        used = db.session.scalar(
            select(func.count())
            .select_from(BallotToken)
            .where(BallotToken.status == TokenStatus.USED)
        )
        assert used == 3


# -- a real server under parallel writes ---------------------------------------------------


def _http(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, str]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.read().decode()
    except HTTPError as exc:
        return exc.code, exc.read().decode()


@contextmanager
def _gunicorn(app: Flask, tmp_path: Path) -> Iterator[str]:
    """gunicorn as the README runs it, with two processes of four threads each."""
    errors = tmp_path / "error.log"
    env = dict(os.environ, DATABASE_URL=database_url(), SECRET_KEY=app.config["SECRET_KEY"])
    env.pop("TOKEN_KEY", None)
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", str(BASE_DIR / "gunicorn.conf.py")]
        + ["--error-logfile", str(errors), "--no-control-socket", "-w", "2", "--threads", "4"]
        + ["-b", "127.0.0.1:0", "wsgi:app"],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        deadline = time.monotonic() + 90
        base = None
        while time.monotonic() < deadline:
            assert server.poll() is None, _read(errors)
            text = _read(errors)
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", text)
            if found and text.count("Booting worker") >= 2:
                base = found.group(1)
                try:
                    if _http("GET", f"{base}/login")[0] == 200:
                        break
                except OSError:
                    pass
            time.sleep(0.2)
        assert base, _read(errors)
        yield base
    finally:
        server.terminate()
        server.wait(20)
        log = _read(errors)
        assert "database is locked" not in log and "read transaction" not in log, log


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


@contextmanager
def _werkzeug(app: Flask, tmp_path: Path) -> Iterator[str]:
    with serve(app) as base:
        yield base


@pytest.mark.parametrize("server", [_werkzeug, _gunicorn], ids=["flask-run", "gunicorn"])
def test_a_real_server_under_parallel_writes_answers_no_500(app, tmp_path, server):
    """Sixteen clients at once: ballots (each token twice), approvals and returns of the
    same nominations by two reviewers, and pages read in between. Every answer is 2xx or a
    409; the database holds one ballot per token and one decision per nomination."""
    scene = _scene(app, nominations=6, members=20)
    work: list[tuple[str, str, Any, str | None]] = []
    for token in scene.ballot_tokens:
        work += [("POST", f"/api/v1/ballots/{token}", _ballot(scene), None)] * 2
        work.append(("GET", f"/api/v1/ballots/{token}", None, None))
    for nomination_id, version in zip(scene.nomination_ids, scene.versions, strict=True):
        for i, action in enumerate(("approve", "return")):
            comment = {"approve": "同意推荐", "return": "请补充材料"}[action]
            body = {"comment": comment, "version": version}
            work.append(
                (
                    "POST",
                    f"/api/v1/nominations/{nomination_id}/actions/{action}",
                    body,
                    scene.reviewer_tokens[i],
                )
            )
            work.append(
                ("GET", f"/api/v1/nominations/{nomination_id}", None, scene.reviewer_tokens[i])
            )
    work.sort(key=lambda item: hash(item[1]) % 97)  # interleaved, the same order every run
    results: list[tuple[str, str, int, str]] = []
    lock = threading.Lock()

    with server(app, tmp_path) as base:
        queue = list(work)

        def client() -> None:
            while True:
                with lock:
                    if not queue:
                        return
                    method, path, body, token = queue.pop()
                status, text = _http(method, base + path, body, token)
                with lock:
                    results.append((method, path, status, text))

        _race([client] * 16)

    statuses = Counter(status for _m, _p, status, _t in results)
    assert len(results) == len(work)
    failed = [(m, p, s, t[:200]) for m, p, s, t in results if s >= 500 or s not in (200, 201, 409)]
    assert not failed, failed
    ballots = [r for r in results if r[0] == "POST" and "/ballots/" in r[1]]
    assert Counter(s for _m, _p, s, _t in ballots) == {201: 20, 409: 20}, statuses
    actions = [r for r in results if "/actions/" in r[1]]
    assert Counter(s for _m, _p, s, _t in actions) == {200: 6, 409: 6}, statuses
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == 20
    for nomination_id in scene.nomination_ids:
        assert len(_events(app, nomination_id)) == 2  # submitted, then one decision


# -- closing an evaluation: exactly once, whoever closes -----------------------------------


def test_the_job_its_retry_the_sweep_and_the_union_close_at_once_one_closing(app):
    """Four closers of one ended evaluation at the same moment — the scheduled job, the same
    job run again, the periodic sweep and the union closing early: one closes it, the
    others find it closed; one decision in the audit trail, no error."""
    from app.evaluation.closing import close_early, close_expired_evaluations
    from app.evaluation.jobs import close_evaluation_job
    from app.evaluation.models import MemberEvaluation
    from tests.test_evaluation_pdf import _open, _vote

    with app.test_request_context():
        world = build_world()
        nomination, evaluation = _open(world, members=2)
        _vote(evaluation, revealed_tokens(evaluation)[0].token)
        evaluation.closes_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        ids = evaluation.id, nomination.id, world.users["union_a"].id
        db.session.remove()
    evaluation_id, nomination_id, union_id = ids

    def job() -> str:
        with app.app_context():
            return close_evaluation_job(evaluation_id)

    def sweep() -> str:
        with app.app_context():
            return "closed" if close_expired_evaluations() == [evaluation_id] else "none"

    def union() -> str:
        with app.test_request_context(method="POST"):
            close_early(db.session.get(User, union_id), nomination_id)
            return "closed"

    outcomes = _race([job, job, sweep, union])
    refusals = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(o, Conflict) for o in refusals), refusals  # the union: told
    assert [o for o in outcomes if o == "closed"] == ["closed"], outcomes
    assert _events(app, nomination_id)[-1:] == [("pass_evaluation", "awaiting_draw")]
    assert [a for a, _ in _events(app, nomination_id)].count("pass_evaluation") == 1
    with app.app_context():
        assert db.session.get(MemberEvaluation, evaluation_id).valid_ballots == 1


def test_while_the_smtp_server_answers_nobody_waits_and_the_send_is_recorded(app):
    """The sender holds no transaction while it talks to the SMTP server: a user who saves
    meanwhile is not kept waiting (on SQLite an open write would hold the only lock), and
    the e-mail is still recorded as sent, once."""
    from app.notifications.centre import mark_all_read
    from app.notifications.mail import send_due
    from app.notifications.models import MailStatus, OutboxEmail
    from app.notifications.sweep import sweep
    from app.timeutil import beijing_today

    with app.app_context():
        world = build_world()
        world.user("reviewer_a").email = "shenhe@example.cn"
        world.nomination(status="submitted").due_on = beijing_today() - timedelta(days=1)
        db.session.commit()
        sweep()
        reviewer_id = world.users["reviewer_a"].id
        db.session.remove()

    def save_meanwhile() -> None:
        with app.test_request_context(method="POST"):
            mark_all_read(db.session.get(User, reviewer_id))

    saved: list[bool] = []

    def slow_smtp(letter: OutboxEmail) -> None:
        assert letter.to_address == "shenhe@example.cn"
        other = threading.Thread(target=save_meanwhile, daemon=True)
        other.start()
        other.join(5)
        saved.append(not other.is_alive())

    with app.app_context():
        assert send_due(slow_smtp) == {"sent": 1, "retrying": 0, "failed": 0}
    assert saved == [True], "a write waited for the SMTP conversation"
    with app.app_context():
        emails = db.session.execute(select(OutboxEmail.status, OutboxEmail.attempts)).all()
        assert [tuple(e) for e in emails] == [(MailStatus.SENT, 1)]


@pytest.mark.skipif(is_postgres(), reason="SQLite's deferred read transactions only")
def test_a_safe_request_that_writes_is_named_unless_it_writes_in_its_own_transaction(app):
    from app.database import _mark_safe_request, writing
    from app.ratelimit import RateCounter

    def count(key: str) -> None:
        db.session.add(RateCounter(key=key, hits=1, resets_at=utcnow() + timedelta(minutes=1)))
        db.session.flush()

    with app.test_request_context("/certificates/X", method="GET"):
        _mark_safe_request(app)
        with pytest.raises(RuntimeError, match="GET /certificates/X writes on SQLite"):
            count("refused")
        db.session.rollback()
        with writing(db.session):
            count("counted")
        # back to reading: the next write is refused again
        with pytest.raises(RuntimeError):
            count("refused-again")
        db.session.rollback()
    with app.app_context():
        keys = db.session.scalars(select(RateCounter.key)).all()
        db.session.execute(RateCounter.__table__.delete())
        db.session.commit()
    assert keys == ["counted"]


@pytest.mark.skipif(is_postgres(), reason="SQLite's busy timeout only")
def test_a_writer_that_waits_out_the_busy_timeout_is_told_to_retry_not_a_500(app):
    import sqlite3

    from app import create_app

    busy_app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SQLITE_BUSY_TIMEOUT_SECONDS": 1,
        }
    )
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock past the timeout
    try:
        client = busy_app.test_client()
        api = client.post("/api/v1/auth/token", json={"username": "x", "password": "wrong-one"})
        assert api.status_code == 503, api.get_data(as_text=True)
        assert api.headers["Retry-After"] == "5" and "稍后" in api.get_json()["message"]
        page = client.get("/login")
        assert page.status_code == 200  # a reader is not held up by the writer
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
        form = client.post(
            "/login",
            data={"username": "x", "password": "wrong-one", "csrf_token": csrf.group(1)},
        )
        assert form.status_code == 503 and "没有保存" in form.get_data(as_text=True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with busy_app.app_context():
        db.session.remove()
