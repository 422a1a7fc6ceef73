"""Flask CLI: seed-demo, create-user, workflow-diagram."""

from __future__ import annotations

import click
from flask import Flask

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

    @app.cli.command("create-user")
    @click.option("--username", required=True)
    @click.option("--password", required=True)
    @click.option("--role", required=True,
                  type=click.Choice(["union", "reviewer", "inspector", "city", "admin"]))
    @click.option("--org", "org_code", required=True, help="organisation code")
    @click.option("--name", "display_name", default=None, help="display name")
    def create_user_command(username: str, password: str, role: str, org_code: str,
                            display_name: str | None) -> None:
        """Create a user, or grant an existing one the role at the organisation."""
        from app.auth.services import ensure_user

        try:
            user, created = ensure_user(username=username, password=password, role=role,
                                        org_code=org_code, display_name=display_name)
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

    @app.cli.command("workflow-diagram")
    def workflow_diagram_command() -> None:
        """Print the nomination state machine as a Mermaid diagram."""
        from workflows.diagram import mermaid

        click.echo(mermaid(), nl=False)
