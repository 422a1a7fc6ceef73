"""What anyone can re-derive from the published definitions: a draw's sample, the diagram."""

from __future__ import annotations

import click
from flask import Flask

from app.errors import DomainError


def init_app(app: Flask) -> None:
    """Register `flask verify-draw` and `flask workflow-diagram`."""

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
