"""Closing an evaluation when its window ends: scheduled on RQ, run by a real worker."""

from __future__ import annotations

import time
from datetime import timedelta

from rq import Queue
from rq.registry import ScheduledJobRegistry

from app.evaluation.models import EvaluationStatus
from app.evaluation.opening import open_evaluation
from app.extensions import db
from app.jobs import QUEUE_NAME, AppSimpleWorker
from app.timeutil import utcnow


def test_opening_schedules_the_close_and_a_worker_runs_it(world, ctx, app, redis):
    nomination = world.nomination(status="member_evaluation")
    closes = utcnow() + timedelta(seconds=2)
    evaluation = open_evaluation(
        world.user("union_a"),
        nomination.id,
        opens_at=utcnow() - timedelta(minutes=1),
        closes_at=closes,
        member_count=3,
    )
    queue = Queue(QUEUE_NAME, connection=redis)
    registry = ScheduledJobRegistry(queue=queue)
    [job_id] = registry.get_job_ids()
    assert queue.fetch_job(job_id).args == (evaluation.id,)
    # RQ keeps whole seconds and enqueues once the clock's second reaches them: the job is
    # scheduled at the window's end rounded up, never the second before it (it would find
    # the window still open and leave the evaluation to the sweep).
    assert closes <= registry.get_scheduled_time(job_id) < closes + timedelta(seconds=1)

    time.sleep(max(0.0, (closes - utcnow()).total_seconds()) + 1.2)
    worker = AppSimpleWorker([QUEUE_NAME], connection=redis)
    worker.app = app
    worker.work(burst=True, with_scheduler=True)
    job = queue.fetch_job(job_id)
    assert job.get_status() == "finished", job.exc_info
    assert job.return_value() == "closed"
    db.session.expire_all()
    assert evaluation.status == EvaluationStatus.CLOSED
    assert nomination.status == "evaluation_failed"  # nobody voted: no valid ballots


def test_the_job_is_idempotent_and_waits_for_the_window(world, ctx):
    from app.evaluation.jobs import close_evaluation_job

    nomination = world.nomination(status="member_evaluation")
    evaluation = open_evaluation(
        world.user("union_a"),
        nomination.id,
        opens_at=utcnow() - timedelta(minutes=1),
        closes_at=utcnow() + timedelta(days=1),
        member_count=3,
    )
    assert close_evaluation_job(evaluation.id) == "window still open"
    evaluation.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert close_evaluation_job(evaluation.id) == "closed"
    assert close_evaluation_job(evaluation.id) == "already closed"


def test_close_evaluations_command(world, app):
    nomination = world.nomination(status="member_evaluation")
    evaluation = open_evaluation(
        world.user("union_a"),
        nomination.id,
        opens_at=utcnow() - timedelta(days=2),
        closes_at=utcnow() + timedelta(seconds=30),
        member_count=3,
    )
    evaluation.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["close-evaluations"])
    assert result.exit_code == 0 and "已结束 1 个会员评家" in result.output
