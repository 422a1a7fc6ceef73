"""A worker killed mid-job (SIGKILL, a real `flask worker` on the real Redis): RQ runs the
job again by its own mechanisms, and what the job does still happens exactly once.

Two deaths: the work horse alone (the kernel's OOM killer picks the largest process) — the
worker sees its horse end without a result and retries the job after its first wait; and
the whole worker with its horse (the machine or container gone) — the job stays in RQ's
StartedJobRegistry until its heartbeat lapses, and the registry clean-up of the next worker
hands it back. Each job is paused at its commit by tests/worker_app.py, its writes sent,
and killed there; the database must show none of them until the retry, then each once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import func, select

from app.evaluation.models import EvaluationStatus, MemberEvaluation
from app.evaluation.opening import open_evaluation
from app.extensions import db
from app.jobs import POLICIES, QUEUE_NAME
from app.nominations.models import Nomination, NominationEvent
from app.notifications.models import MailStatus, Notification, OutboxEmail
from app.settings import BASE_DIR
from app.timeutil import beijing_today, utcnow
from tests.conftest import REDIS_URL, database_url
from tests.factories import build_world

pytestmark = pytest.mark.committing

FLASK = str(Path(sys.executable).parent / "flask")


class Workers:
    """Real `flask worker` processes, each in its own process group; killed at the end."""

    def __init__(self, app: Flask, tmp_path: Path) -> None:
        self.pause = tmp_path / "pause"
        self.env = dict(
            os.environ,
            DATABASE_URL=database_url(),
            REDIS_URL=REDIS_URL,
            SECRET_KEY=app.config["SECRET_KEY"],
            PYTHONPATH=str(BASE_DIR),
            PAUSE_BEFORE_COMMIT=str(self.pause),
        )
        self.env.pop("TOKEN_KEY", None)
        self.logs = tmp_path
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, *options: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(
            [FLASK, "--app", "tests.worker_app:create", "worker", *options],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def log(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.logs.glob("worker-*.log")))

    def horse_paused(self, timeout: float = 90) -> int:
        """Wait until a job sits at its commit; the pid of the process running it."""
        reached = Path(f"{self.pause}.reached")
        deadline = time.monotonic() + timeout
        while not reached.exists():
            assert time.monotonic() < deadline, "no job reached its commit:\n" + self.log()
            assert all(p.poll() is None for p in self.processes), self.log()
            time.sleep(0.1)
        time.sleep(0.1)  # the pid is written
        return int(reached.read_text())

    def close(self) -> None:
        self.pause.unlink(missing_ok=True)  # a paused horse left alive finishes, then exits
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


@pytest.fixture
def workers(app: Flask, redis: Any, tmp_path: Path) -> Iterator[Workers]:
    workers = Workers(app, tmp_path)
    workers.pause.touch()
    try:
        yield workers
    finally:
        workers.close()


def _wait_for(what: str, done: Callable[[], bool], workers: Workers, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s\n" + workers.log()
        time.sleep(0.25)


def _finished(job: Job) -> Callable[[], bool]:
    return lambda: job.get_status(refresh=True) == "finished"


def _evaluation_closing_soon(app: Flask, seconds: int = 3) -> tuple[int, int]:
    """A committed open evaluation whose window ends in a few seconds; opening it scheduled
    its closing job on RQ, as in production."""
    with app.test_request_context():
        world = build_world()
        nomination = world.nomination(status="member_evaluation")
        evaluation = open_evaluation(
            world.user("union_a"),
            nomination.id,
            opens_at=utcnow() - timedelta(minutes=1),
            closes_at=utcnow() + timedelta(seconds=seconds),
            member_count=3,
        )
        ids = evaluation.id, nomination.id
        db.session.remove()
    return ids


def _closing_record(app: Flask, evaluation_id: int, nomination_id: int) -> dict[str, Any]:
    with app.app_context():
        evaluation = db.session.get(MemberEvaluation, evaluation_id)
        nomination = db.session.get(Nomination, nomination_id)
        decisions = db.session.scalars(
            select(NominationEvent.action).where(
                NominationEvent.nomination_id == nomination_id,
                NominationEvent.action.in_(["pass_evaluation", "fail_evaluation"]),
            )
        ).all()
        return {
            "status": evaluation.status,
            "closed": evaluation.closed_at is not None,
            "nomination": nomination.status,
            "decisions": list(decisions),
        }


@pytest.mark.slow
def test_a_whole_worker_killed_while_closing_an_evaluation_the_next_worker_closes_it_once(
    app, redis, workers
):
    evaluation_id, nomination_id = _evaluation_closing_soon(app)
    queue = Queue(QUEUE_NAME, connection=redis)
    [job_id] = ScheduledJobRegistry(queue=queue).get_job_ids()
    job = queue.fetch_job(job_id)
    policy = POLICIES["app.evaluation.jobs.close_evaluation_job"]
    assert job.retries_left == len(policy.retry_after) and job.timeout == policy.timeout

    first = workers.start("--job-monitoring-interval", "5")
    horse = workers.horse_paused()
    # The machine gone: the worker and its scheduler (one process group), and the work
    # horse, which RQ puts in a session of its own.
    os.killpg(first.pid, signal.SIGKILL)
    os.kill(horse, signal.SIGKILL)
    first.wait(10)
    workers.pause.unlink()

    # Killed before its commit: nothing of the closing is in the database, the job is
    # left "started" by a worker that no longer exists.
    assert _closing_record(app, evaluation_id, nomination_id) == {
        "status": EvaluationStatus.OPEN,
        "closed": False,
        "nomination": "member_evaluation",
        "decisions": [],
    }
    assert job.get_status(refresh=True) == "started"
    assert job_id in StartedJobRegistry(queue=queue).get_job_ids()

    workers.start("--maintenance-interval", "2")
    # About a minute after the dead worker's last heartbeat, then the first retry's wait.
    _wait_for("the abandoned job retried", _finished(job), workers, timeout=150)
    job.refresh()
    assert job.retries_left == len(policy.retry_after) - 1
    assert job.return_value() == "closed"
    assert _closing_record(app, evaluation_id, nomination_id) == {
        "status": EvaluationStatus.CLOSED,
        "closed": True,
        "nomination": "evaluation_failed",  # nobody voted
        "decisions": ["fail_evaluation"],  # one audit entry
    }


def _late_for_reminders(app: Flask) -> None:
    """An overdue step of a reviewer with an e-mail address: one reminder, one e-mail."""
    with app.app_context():
        world = build_world()
        world.user("reviewer_a").email = "shenhe@example.cn"
        world.nomination(status="submitted").due_on = beijing_today() - timedelta(days=1)
        db.session.commit()
        db.session.remove()


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.slow
def test_a_work_horse_killed_mid_sweep_the_worker_retries_and_reminds_once(app, redis, workers):
    _late_for_reminders(app)
    queue = Queue(QUEUE_NAME, connection=redis)
    worker = workers.start()
    # What RQ's cron enqueues: the periodic job, which enqueues the sweep with its policy.
    tick = queue.enqueue("app.jobs.run_periodic", "app.notifications.jobs.sweep_job")
    horse = workers.horse_paused()
    sweep = queue.fetch_job(tick.return_value(refresh=True))
    assert sweep is not None and sweep.func_name == "app.notifications.jobs.sweep_job"
    policy = POLICIES["app.notifications.jobs.sweep_job"]
    assert sweep.retries_left == len(policy.retry_after)
    assert horse != worker.pid
    os.kill(horse, signal.SIGKILL)
    # The worker lives on and sees its horse die: the job waits for its retry.
    _wait_for(
        "the job scheduled again",
        lambda: sweep.get_status(refresh=True) == "scheduled",
        workers,
        timeout=30,
    )
    assert (_count(app, Notification), _count(app, OutboxEmail)) == (0, 0)
    workers.pause.unlink()

    _wait_for("the retried sweep", _finished(sweep), workers, timeout=90)
    assert worker.poll() is None
    sweep.refresh()
    assert sweep.retries_left == len(policy.retry_after) - 1
    assert sweep.return_value()["created"] == 1
    with app.app_context():  # one reminder, its e-mail sent once
        assert _count(app, Notification) == 1
        emails = db.session.execute(select(OutboxEmail.status, OutboxEmail.attempts)).all()
        assert [tuple(e) for e in emails] == [(MailStatus.SENT, 1)]
