"""Background jobs on RQ: the queue, and the worker as a Flask CLI command.

Jobs take ids, not objects, and are plain functions testable without a queue; they are
enqueued after the commit that makes their work visible. Without `REDIS_URL` (the embedded
default) nothing is enqueued and the periodic commands (e.g. `flask close-evaluations`) do
the same work when run by cron.

Every job changes state, so every job declares its retries (`POLICIES`): RQ runs it again
when it raises, when its work horse dies (the worker sees the horse end without a result),
and when the whole worker dies mid-job — the job then stays in the queue's
StartedJobRegistry until its heartbeat lapses (about a minute), and the next registry
clean-up of any live worker (`--maintenance-interval`) hands it back to the queue. A job
killed mid-way has committed nothing (each job's work is one transaction, or one per
e-mail), and running one twice changes nothing twice: a closing is claimed by a guarded
UPDATE, a reminder is kept once per user, step and day by a unique key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import click
from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry, SimpleWorker, Worker
from rq.job import Job

QUEUE_NAME = "default"


@dataclass(frozen=True)
class JobPolicy:
    """How long a job may run (RQ's `job_timeout`, seconds) and the waits before each retry."""

    timeout: int
    retry_after: tuple[int, ...]

    def options(self) -> dict[str, Any]:
        """The keyword arguments of `Queue.enqueue` that apply the policy."""
        retry = Retry(max=len(self.retry_after), interval=list(self.retry_after))
        return {"job_timeout": self.timeout, "retry": retry}


# Every job, by its dotted path. The waits grow so that a database or SMTP server that is
# down for a while is not hammered; the periodic ones run again at their next period anyway.
POLICIES: dict[str, JobPolicy] = {
    "app.evaluation.jobs.close_evaluation_job": JobPolicy(300, (10, 60, 300)),
    "app.evaluation.jobs.sweep_job": JobPolicy(600, (30, 120)),
    "app.notifications.jobs.sweep_job": JobPolicy(600, (30, 120, 600)),
    "app.notifications.jobs.send_job": JobPolicy(600, (30,)),
    # An import's check or apply is one transaction, started once by its guarded status.
    "app.admin.imports.check_job": JobPolicy(1800, (30,)),
    "app.admin.imports.apply_job": JobPolicy(1800, (30,)),
}


def redis_connection() -> Redis | None:
    url = current_app.config.get("REDIS_URL")
    return Redis.from_url(url) if url else None


def get_queue() -> Queue | None:
    connection = redis_connection()
    return Queue(QUEUE_NAME, connection=connection) if connection is not None else None


def enqueue_at(when: datetime, func: str, *args: Any, **kwargs: Any) -> str | None:
    """Schedule `func` (dotted path) at `when`; None when no Redis is configured.

    A failure to reach Redis is logged, not raised: the periodic command catches up.
    """
    queue = get_queue()
    if queue is None:
        return None
    # RQ keeps the time in whole seconds, cut down, and enqueues when the clock's whole
    # second reaches it: up to a second early. A job that checks its own time (a window
    # closing) would find itself early and do nothing; rounded up, it never is.
    if when.microsecond:
        when = when.replace(microsecond=0) + timedelta(seconds=1)
    try:
        job = queue.enqueue_at(when, func, *args, **POLICIES[func].options(), **kwargs)
    except Exception:  # Redis down: the cron sweep still closes the window
        current_app.logger.exception("could not schedule %s at %s", func, when)
        return None
    return job.id


class AppWorker(Worker):
    """An RQ worker that runs every job inside the Flask app context."""

    app: Flask | None = None

    def perform_job(self, job: Job, queue: Queue) -> bool:
        assert self.app is not None
        with self.app.app_context():
            return super().perform_job(job, queue)


class AppSimpleWorker(SimpleWorker, AppWorker):
    """The same without forking, for tests and small installations."""


def run_periodic(func: str) -> str:
    """What RQ's cron enqueues: the periodic job itself, with its policy (RQ's cron jobs
    take no retries of their own). Returns the job's id."""
    from rq import get_current_job

    current = get_current_job()
    assert current is not None, "run by a worker"
    queue = Queue(QUEUE_NAME, connection=current.connection)
    return queue.enqueue(func, **POLICIES[func].options()).id


# RQ cleans its registries every 10 minutes by default; a job of a dead worker is handed
# back at the first clean-up after its heartbeat lapses, so clean up more often (a few
# Redis calls, done by one worker at a time under RQ's lock). An idle worker only looks up
# from waiting for a job every `worker_ttl - 15` seconds, so its TTL follows the interval.
MAINTENANCE_INTERVAL = 60


def init_app(app: Flask) -> None:
    register_cron(app)

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
    @click.option("--simple", is_flag=True, help="Run jobs in this process (no fork).")
    @click.option(
        "--maintenance-interval",
        type=click.IntRange(1),
        default=MAINTENANCE_INTERVAL,
        show_default=True,
        help="Seconds between clean-ups of RQ's registries (they retry a dead worker's job).",
    )
    @click.option(
        "--job-monitoring-interval",
        type=click.IntRange(1),
        default=30,
        show_default=True,
        help="Seconds between heartbeats of a running job; it counts as abandoned about a "
        "minute after the last.",
    )
    def worker_command(
        burst: bool, simple: bool, maintenance_interval: int, job_monitoring_interval: int
    ) -> None:
        """Run an RQ worker (with the scheduler) for this app's queue."""
        connection = redis_connection()
        if connection is None:
            raise click.ClickException("REDIS_URL is not set: no queue to work on.")
        cls = AppSimpleWorker if simple else AppWorker
        worker = cls(
            [QUEUE_NAME],
            connection=connection,
            maintenance_interval=maintenance_interval,
            worker_ttl=maintenance_interval + 15,
            job_monitoring_interval=job_monitoring_interval,
        )
        worker.app = app
        worker.work(burst=burst, with_scheduler=True)


# The periodic jobs: (dotted path, cron string in UTC or None, interval in seconds or None).
# RQ reads cron strings in UTC: "5 * * * *" is five past every hour, Beijing time too.
PERIODIC = [
    ("app.notifications.jobs.sweep_job", "5 * * * *", None),
    ("app.notifications.jobs.send_job", None, 60),
    ("app.evaluation.jobs.sweep_job", None, 600),
]


def register_cron(app: Flask) -> None:
    @app.cli.command("cron")
    def cron_command() -> None:
        """Run RQ's cron scheduler: it enqueues the periodic jobs for the workers."""
        from rq.cron import CronScheduler
        from rq.utils import import_attribute

        connection = redis_connection()
        if connection is None:
            raise click.ClickException("REDIS_URL is not set: no queue to schedule on.")
        scheduler = CronScheduler(connection=connection)
        for path, cron, interval in PERIODIC:
            import_attribute(path)  # a typo fails here, at start, not in every worker later
            scheduler.register(
                run_periodic,
                QUEUE_NAME,
                args=(path,),
                cron=cron,
                interval=interval,
                job_timeout=60,
                name=path,
            )
        scheduler.start()
