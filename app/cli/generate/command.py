"""`flask generate`: plan the whole data set in memory, then write it table by table."""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable

import click
from flask import Flask
from sqlalchemy import select, text

from app.cli.generate import (
    assessment,
    campaigns,
    commendation,
    evaluation,
    nominations,
    organisations,
    spot_checks,
)
from app.cli.generate.plan import Generation
from app.cli.generate.scales import CITY_CODE, GENERATED_PASSWORD, SCALES, Scale
from app.extensions import db


class GenerateError(Exception):
    """The data set cannot be generated here (the database already holds one)."""


def generate(
    scale: str | Scale = "city", seed: int = 2026, progress: Callable[[str], None] = print
) -> dict[str, int]:
    """Load the data set of `scale` into the current database; returns the rows per table."""
    from app.nominations.deadlines import refresh_campaign
    from app.orgs.models import Organization
    from app.standards.services import ensure_default_standard

    chosen = SCALES[scale] if isinstance(scale, str) else scale
    if db.session.scalar(select(Organization.id).where(Organization.code == CITY_CODE)):
        raise GenerateError("这个数据库里已经有生成的数据（组织编码 GC）；请换一个空数据库。")
    gen = Generation(chosen, seed, progress, ensure_default_standard())
    # The order of the stages is the order they draw from the seeded stream: keep it.
    city = organisations.plan_city(gen)
    plans = campaigns.plan_campaigns(gen)
    stories = nominations.plan_nominations(gen, city, plans)
    evaluations = evaluation.decide_evaluations(gen, city, stories)
    draws = spot_checks.plan_draws(gen, city, plans, stories)
    honours = commendation.plan_commendation(gen, city, plans, stories)
    progress(f"· 数据已在内存中生成，开始写入（{db.engine.dialect.name}）")
    organisations.write_city(gen, city)
    campaigns.write_campaigns(gen, city, plans)
    nominations.write_nominations(gen, plans, stories)
    assessment.write_assessments(gen, stories)
    evaluation.write_evaluations(gen, evaluations)
    spot_checks.write_checks(gen, draws, stories)
    commendation.write_commendation(gen, honours)
    gen.writer.finish()
    for plan in plans:  # each step's due date, as the application computes it
        refresh_campaign(plan.id)
    db.session.commit()
    if gen.writer.postgres:
        # Statistics for the planner, and the visibility map set, so index-only scans
        # (the closure table's subtree lookups) need no heap visits from the start.
        progress("· VACUUM ANALYZE")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # TRUNCATE false: never wait on another transaction's lock to give back
            # empty pages at a table's end.
            conn.execute(text("VACUUM (ANALYZE, TRUNCATE false)"))
    return gen.writer.counts


def peak_memory_mb() -> float:
    """This process's peak resident memory (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def init_app(app: Flask) -> None:
    """Register `flask generate`."""

    @app.cli.command("generate")
    @click.option(
        "--scale",
        type=click.Choice(list(SCALES)),
        default="city",
        show_default=True,
        help="city: 20,000 unions, 30,000 nominations, 1,000,000 ballots",
    )
    @click.option("--seed", type=int, default=2026, show_default=True)
    def generate_command(scale: str, seed: int) -> None:
        """Load a synthetic city into the database (bulk statements; for benchmarks)."""
        started = time.monotonic()
        try:
            counts = generate(scale, seed=seed, progress=click.echo)
        except GenerateError as exc:
            raise click.ClickException(str(exc)) from None
        elapsed = time.monotonic() - started
        click.echo(
            f"\n共写入 {sum(counts.values()):,} 行，用时 {elapsed:.0f} 秒，"
            f"峰值内存 {peak_memory_mb():.0f} MB。"
        )
        click.echo(
            f"生成的账号密码均为 {GENERATED_PASSWORD}：g-admin、g-city-1、"
            "g-rev-gd01-1（第一个区的审核人）、g-insp-c01（抽查员）、"
            "g-gd01-u00001-1（第一个基层工会）。"
        )
