"""Flask CLI: import-standard."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from app.errors import DomainError

CATEGORY_LABELS = {
    "enterprise": "企业",
    "public_institution": "机关事业单位",
    "regional": "区域性、行业性工会",
}


def init_app(app: Flask) -> None:
    @app.cli.command("import-standard")
    @click.argument(
        "path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
    )
    @click.option(
        "--pin-campaign",
        "campaign_id",
        type=int,
        default=None,
        help="pin the imported version on this campaign (by id)",
    )
    def import_standard_command(path: Path | None, campaign_id: int | None) -> None:
        """Import a standard file (default: the bundled qingdao-2020.yaml) as a version."""
        from app.standards.services import (
            DEFAULT_STANDARD_FILE,
            import_standard,
            item_counts,
            pin_version,
        )

        try:
            version, created = import_standard(path or DEFAULT_STANDARD_FILE)
            state = "新导入" if created else "内容未变，沿用已有版本"
            click.echo(f"标准 {version.code}《{version.title}》第 {version.version} 版（{state}）")
            counts = item_counts(version.id)
            for category, count in counts.items():
                click.echo(f"  {CATEGORY_LABELS.get(category.value, category.value)}：{count} 项")
            click.echo(f"  合计：{sum(counts.values())} 项")
            if campaign_id is not None:
                changed = pin_version(campaign_id, version)
                verb = "已固定" if changed else "早已固定"
                click.echo(f"评选活动 {campaign_id} {verb}此版本（第 {version.version} 版）")
        except DomainError as exc:
            extra = [p for p in exc.problems if p not in exc.message]
            raise click.ClickException("\n".join([exc.message, *extra])) from None
