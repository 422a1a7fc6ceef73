"""Background jobs on RQ: the queue, and the worker as a Flask CLI command.

Jobs take ids, not objects, and are plain functions testable without a queue; they are
enqueued after the commit that makes their work visible. Without `REDIS_URL` (the embedded
default) nothing is enqueued and the periodic commands (e.g. `flask close-evaluations`) do
the same work when run by cron.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click
from flask import Flask, current_app
from redis import Redis
from rq import Queue, SimpleWorker, Worker
from rq.job import Job

QUEUE_NAME = "default"


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
    try:
        job = queue.enqueue_at(when, func, *args, job_timeout=300, **kwargs)
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


def init_app(app: Flask) -> None:
    register_cron(app)

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
    @click.option("--simple", is_flag=True, help="Run jobs in this process (no fork).")
    def worker_command(burst: bool, simple: bool) -> None:
        """Run an RQ worker (with the scheduler) for this app's queue."""
        connection = redis_connection()
        if connection is None:
            raise click.ClickException("REDIS_URL is not set: no queue to work on.")
        cls = AppSimpleWorker if simple else AppWorker
        worker = cls([QUEUE_NAME], connection=connection)
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
            scheduler.register(
                import_attribute(path), QUEUE_NAME, cron=cron, interval=interval, job_timeout=600
            )
        scheduler.start()
