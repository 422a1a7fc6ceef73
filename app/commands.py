"""Flask CLI: seed-demo, create-user, workflow-diagram."""

from __future__ import annotations

import click
from flask import Flask

from app.cli.generate import SCALES
from app.errors import DomainError
from app.standards.commands import init_app as init_standard_commands


def init_app(app: Flask) -> None:
    init_standard_commands(app)

    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Load the demo city (idempotent) and print the demo logins."""
        from app.demo import DEMO_PASSWORD, seed_demo

        logins = seed_demo(progress=lambda msg: click.echo(f"· {msg}"))
        click.echo(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        shown: set[str] = set()
        for username, role, name in logins:
            if username not in shown:
                shown.add(username)
                click.echo(f"  {username:<20} {role:<10} {name}")

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
        import time

        from app.cli.generate import GENERATED_PASSWORD, GenerateError, generate, peak_memory_mb

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

    @app.cli.command("create-user")
    @click.option("--username", required=True)
    @click.option("--password", required=True)
    @click.option(
        "--role",
        required=True,
        type=click.Choice(["union", "reviewer", "inspector", "city", "admin"]),
    )
    @click.option("--org", "org_code", required=True, help="organisation code")
    @click.option("--name", "display_name", default=None, help="display name")
    @click.option("--email", default=None, help="e-mail address for reminders")
    def create_user_command(
        username: str,
        password: str,
        role: str,
        org_code: str,
        display_name: str | None,
        email: str | None,
    ) -> None:
        """Create a user, or grant an existing one the role at the organisation."""
        from app.auth.services import ensure_user

        try:
            user, created = ensure_user(
                username=username,
                password=password,
                role=role,
                org_code=org_code,
                display_name=display_name,
                email=email,
            )
        except DomainError as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
            raise click.ClickException(f"{exc.message} {details}".strip()) from None
        verb = "已创建" if created else "已更新"
        click.echo(f"{verb}用户 {user.username}，角色 {role} @ {org_code}")

    @app.cli.command("close-evaluations")
    def close_evaluations_command() -> None:
        """Close every member evaluation whose window has ended (run from cron without Redis)."""
        from app.evaluation.jobs import sweep_job

        closed = sweep_job()
        click.echo(f"已结束 {len(closed)} 个会员评家" + (f"：{closed}" if closed else "。"))

    @app.cli.command("refresh-due-dates")
    def refresh_due_dates_command() -> None:
        """Recompute every active step's due date (after changing the working-day calendar)."""
        from sqlalchemy import select

        from app.campaigns.models import Campaign
        from app.deadlines import refresh_campaign
        from app.extensions import db

        ids = list(db.session.scalars(select(Campaign.id).order_by(Campaign.id)))
        total = 0
        for number, campaign_id in enumerate(ids, start=1):
            total += refresh_campaign(campaign_id)
            db.session.commit()
            click.echo(f"[{number}/{len(ids)}] 评选活动 {campaign_id}：已更新")
        click.echo(f"共更新 {total} 个申报的办理期限。")

    @app.cli.command("overdue")
    def overdue_command() -> None:
        """List the steps that are overdue now (Beijing date), the most overdue first."""
        from app.notifications.sweep import due_steps
        from app.timeutil import beijing_today
        from workflows.nomination import STATE_LABELS

        today = beijing_today()
        steps = due_steps(today, soon_days=-1)  # due before today
        roles = {
            "union": "基层工会",
            "reviewer": "审核人",
            "inspector": "抽查员",
            "city": "市总工会",
        }
        for step in steps:
            click.echo(
                f"申报 {step.nomination_id}\t{step.unit}\t{STATE_LABELS[step.state]}\t"
                f"待{roles.get(step.owner, step.owner)}办理\t"
                f"期限 {step.due_on.isoformat()}\t逾期 {(today - step.due_on).days} 天"
            )
        click.echo(f"截至 {today.isoformat()}，共 {len(steps)} 项逾期。")

    @app.cli.command("remind")
    def remind_command() -> None:
        """Owe today's reminders and send the e-mails due (cron, when there is no Redis)."""
        from app.notifications.jobs import sweep_job

        result = sweep_job()
        click.echo(
            f"到期事项 {result['steps']} 个，新通知 {result['created']} 条，"
            f"邮件：已发送 {result['sent']}，待重试 {result['retrying']}，"
            f"失败 {result['failed']}。"
        )

    @app.cli.command("verify-draw")
    @click.argument("draw_id", type=int)
    def verify_draw_command(draw_id: int) -> None:
        """Re-run a spot-check draw from its published record and compare the sample."""
        from app.spot_checks.services import verify_draw

        try:
            result = verify_draw(draw_id)
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        draw = result.draw
        click.echo(f"抽签编号 {draw.id}：规则 {draw.method}={draw.value}，状态 {draw.status}")
        click.echo(f"种子承诺 {draw.seed_commitment}")
        click.echo(f"种子     {draw.seed}")
        click.echo(f"名单哈希 {draw.population_hash}（{len(draw.population or [])} 个申报）")
        for stratum, counts in sorted(result.strata.items()):
            click.echo(f"  {stratum}: {counts['drawn']} / {counts['population']}")
        click.echo(f"重算样本 {result.recomputed}")
        checks = [
            ("种子与承诺一致", result.commitment_ok),
            ("名单哈希一致", result.population_ok),
            ("样本一致", result.sample_ok),
        ]
        for label, ok in checks:
            click.echo(f"{'✓' if ok else '✗'} {label}")
        if not result.ok:
            raise click.ClickException("验证未通过：记录与重算结果不一致。")
        click.echo("验证通过：任何人用公开的记录都能得到同样的样本。")

    @app.cli.command("workflow-diagram")
    def workflow_diagram_command() -> None:
        """Print the nomination state machine as a Mermaid diagram."""
        from workflows.diagram import mermaid

        click.echo(mermaid(), nl=False)
