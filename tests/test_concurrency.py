"""Two people act on one nomination at the same moment: exactly one wins.

`take_action` relies on optimistic locking (SQLAlchemy `version_id_col`): every UPDATE says
"WHERE id = … AND version = <what I read>". The race tests use two threads, each with its
own app and request context and so its own session and its own database connection, and
really commit (the `committing` marker: rows are truncated afterwards). The two here watch
PostgreSQL's own mechanism — both actors read the same version, the loser waits on the
winner's row lock (seen in pg_stat_activity) — so they run on PostgreSQL only; on SQLite a
writer cannot read before the other's write transaction ends (`BEGIN IMMEDIATE`), and the
same races through the API, the tightest interleaving, ballots and a real server run on
both backends in tests/test_concurrent_writes.py. The stale `version` argument test runs
anywhere.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import Role, User
from app.errors import StaleVersion
from app.extensions import db
from app.nominations import services
from app.nominations.models import Nomination, NominationEvent
from app.nominations.services import take_action, workflow_for
from tests.conftest import is_postgres
from tests.factories import build_world, make_user
from workflows.nomination import ACTIONS

TIMEOUT = 15  # seconds; a broken lock must fail the test, never hang the suite

needs_postgres = pytest.mark.skipif(
    not is_postgres(),
    reason="needs PostgreSQL (two real connections racing on one row); set "
    "TEST_DATABASE_URL=postgresql+psycopg://…  CI runs these on PostgreSQL",
)


@dataclass
class Scene:
    nomination_id: int
    version: int
    reviewer_ids: tuple[int, int]


def _scene(app: Flask) -> Scene:
    """A submitted nomination of union A and two reviewers of district A."""
    with app.app_context():
        world = build_world()
        second = make_user("reviewer_a2", Role.REVIEWER, world.district_a, "甲区审核人二")
        db.session.commit()
        nomination = world.nomination(status="submitted")
        return Scene(nomination.id, nomination.version, (world.users["reviewer_a"].id, second.id))


def _snapshot(app: Flask, nomination_id: int) -> tuple[str, int, list[tuple]]:
    """What the database holds now: status, version and the audit trail."""
    with app.app_context():
        nomination = db.session.get(Nomination, nomination_id)
        events = db.session.execute(
            select(
                NominationEvent.action,
                NominationEvent.actor_id,
                NominationEvent.from_state,
                NominationEvent.to_state,
                NominationEvent.comment,
            )
            .where(NominationEvent.nomination_id == nomination_id)
            .order_by(NominationEvent.id)
        ).all()
        return nomination.status, nomination.version, [tuple(e) for e in events]


def _backend_pid() -> int:
    return db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _run_threads(targets: list[Any]) -> None:
    threads = [threading.Thread(target=t, daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
        assert not thread.is_alive(), "a racing thread hung"


@pytest.mark.postgres
@pytest.mark.committing
@needs_postgres
@pytest.mark.parametrize(("first", "second"), [("approve", "return"), ("return", "approve")])
def test_two_reviewers_at_once_exactly_one_wins(app, monkeypatch, first, second):
    scene = _scene(app)
    before = _snapshot(app, scene.nomination_id)
    assert before[:2] == ("submitted", scene.version) and len(before[2]) == 1

    # Both load the nomination (the same version) before either writes.
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    real_get = services.get_nomination
    loaded: dict[str, tuple[int, int]] = {}

    def get_then_wait(user, nomination_id):  # type: ignore[no-untyped-def]
        nomination = real_get(user, nomination_id)
        loaded[threading.current_thread().name] = (nomination.version, _backend_pid())
        barrier.wait()
        return nomination

    monkeypatch.setattr(services, "get_nomination", get_then_wait)

    comments = {"approve": "同意推荐", "return": "请补充职代会会议记录"}
    outcomes: dict[str, Any] = {}

    def act(user_id: int, action: str):  # type: ignore[no-untyped-def]
        def run() -> None:
            try:
                # A thread starts with no context: this pushes its own app context, so its
                # own session and its own connection from the pool.
                with app.test_request_context():
                    user = db.session.get(User, user_id)
                    take_action(user, scene.nomination_id, action, comment=comments[action])
                    outcomes[action] = "ok"
            except BaseException as exc:  # noqa: B036 - reported to the main thread
                outcomes[action] = exc

        return run

    _run_threads([act(scene.reviewer_ids[0], first), act(scene.reviewer_ids[1], second)])

    versions = {v for v, _ in loaded.values()}
    pids = {pid for _, pid in loaded.values()}
    assert len(loaded) == 2 and versions == {scene.version}, loaded
    assert len(pids) == 2, "both actors must use their own database connection"

    winners = [a for a, o in outcomes.items() if o == "ok"]
    losers = {a: o for a, o in outcomes.items() if o != "ok"}
    assert len(winners) == 1, outcomes
    (winner,) = winners
    ((loser, error),) = losers.items()
    assert isinstance(error, StaleVersion), repr(error)
    # Refused by the database (its UPDATE matched no row), not by a version argument.
    assert isinstance(error.__context__, StaleDataError), repr(error.__context__)

    status, version, events = _snapshot(app, scene.nomination_id)
    assert status == ACTIONS[winner].dest
    assert version == scene.version + 1
    assert events[:1] == before[2]
    winner_id = scene.reviewer_ids[0] if winner == first else scene.reviewer_ids[1]
    assert events[1:] == [
        (winner, winner_id, "submitted", ACTIONS[winner].dest, comments[winner])
    ], "exactly the winner's audit row, nothing else"
    assert loser != winner


@pytest.mark.postgres
@pytest.mark.committing
@needs_postgres
def test_loser_waits_for_the_winners_row_lock_then_matches_no_row(app, monkeypatch):
    """The tightest interleaving: the loser's UPDATE is sent while the winner's UPDATE is
    still uncommitted. PostgreSQL makes it wait on the row lock; once the winner commits it
    re-checks `version = <old>`, matches no row, and the loser's transaction (its audit row
    included) is rolled back."""
    scene = _scene(app)
    before = _snapshot(app, scene.nomination_id)
    winner_id, loser_id = scene.reviewer_ids

    barrier = threading.Barrier(2, timeout=TIMEOUT)
    winner_flushed = threading.Event()
    loser_pid: list[int] = []
    seen_waiting: list[bool] = []
    outcomes: dict[str, Any] = {}
    real_get = services.get_nomination

    def loser_get(user, nomination_id):  # type: ignore[no-untyped-def]
        nomination = real_get(user, nomination_id)
        loser_pid.append(_backend_pid())
        barrier.wait()
        assert winner_flushed.wait(TIMEOUT), "the winner never wrote"
        return nomination

    monkeypatch.setattr(services, "get_nomination", loser_get)

    def winner() -> None:
        try:
            with app.test_request_context():
                user = db.session.get(User, winner_id)
                nomination = real_get(user, scene.nomination_id)
                barrier.wait()
                workflow_for(user, nomination).fire("approve", "同意推荐")
                db.session.flush()  # UPDATE sent: the row is locked until commit
                winner_flushed.set()
                seen_waiting.append(_wait_until_blocked(loser_pid))
                db.session.commit()
                outcomes["winner"] = "ok"
        except BaseException as exc:  # noqa: B036
            winner_flushed.set()
            outcomes["winner"] = exc

    def loser() -> None:
        try:
            with app.test_request_context():
                user = db.session.get(User, loser_id)
                take_action(user, scene.nomination_id, "return", comment="请补充材料")
                outcomes["loser"] = "ok"
        except BaseException as exc:  # noqa: B036
            outcomes["loser"] = exc

    _run_threads([winner, loser])

    assert outcomes["winner"] == "ok", repr(outcomes["winner"])
    assert seen_waiting == [True], "the loser's UPDATE never waited on the winner's row lock"
    error = outcomes["loser"]
    assert isinstance(error, StaleVersion), repr(error)
    assert isinstance(error.__context__, StaleDataError)
    status, version, events = _snapshot(app, scene.nomination_id)
    assert (status, version) == ("member_evaluation", scene.version + 1)
    assert events == before[2] + [
        ("approve", winner_id, "submitted", "member_evaluation", "同意推荐")
    ]


def _wait_until_blocked(pids: list[int]) -> bool:
    """Whether the loser's connection comes to wait on a lock (watched from a third one)."""
    deadline = time.monotonic() + TIMEOUT
    while not pids and time.monotonic() < deadline:
        time.sleep(0.01)
    with db.engine.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": pids[0]},
            ).scalar()
            if waiting == "Lock":
                return True
            watcher.rollback()
            time.sleep(0.01)
    return False


# -- the API's `version` argument ---------------------------------------------------------


def _events(nomination_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(NominationEvent)
        .where(NominationEvent.nomination_id == nomination_id)
    )


def test_stale_version_argument_is_refused(world, ctx):
    """A client that read version v may not act once the nomination has moved on, even if
    it came back to the same state (returned and resubmitted in between)."""
    nomination = world.nomination(status="submitted")
    read_version = nomination.version
    take_action(world.user("reviewer_a"), nomination.id, "return", comment="请补充材料")
    take_action(world.user("union_a"), nomination.id, "submit")
    assert nomination.status == "submitted"
    current = nomination.version
    assert current == read_version + 2
    events = _events(nomination.id)

    with pytest.raises(StaleVersion) as refused:
        take_action(world.user("reviewer_a"), nomination.id, "approve", version=read_version)
    assert refused.value.status == 409
    db.session.rollback()
    db.session.expire_all()
    fresh = db.session.get(Nomination, nomination.id)
    assert (fresh.status, fresh.version) == ("submitted", current)
    assert _events(nomination.id) == events

    # With the version it has now read, the same action goes through.
    take_action(world.user("reviewer_a"), nomination.id, "approve", version=current)
    assert (fresh.status, fresh.version) == ("member_evaluation", current + 1)
    assert _events(nomination.id) == events + 1
