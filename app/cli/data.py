"""Putting people and data in: the demo city, users (the synthetic city is `generate`)."""

from __future__ import annotations

import click
from flask import Flask

from app.errors import DomainError


def init_app(app: Flask) -> None:
    """Register `flask seed-demo` and `flask create-user`."""

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
