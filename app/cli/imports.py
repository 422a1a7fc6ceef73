"""`flask import-orgs FILE`, `flask import-users FILE`, `flask export-orgs FILE`,
`flask export-users FILE`: the roster import on the command line, as the operator (who
manages the whole tree, and may add the city federation itself).

An import checks the whole file first and prints every problem by row and column; nothing
is written unless there are none and the operator confirms (or passes `--yes`). Then it is
written in one transaction, with progress, or not at all."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask

from app.errors import DomainError


def _progress() -> Callable[[str, int, int], None]:
    shown = [0.0]

    def report(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - shown[0] < 1:
            return
        shown[0] = now
        click.echo(f"  · {phase}: {done:,}/{total:,}", err=True)

    return report


def _run(
    kind: str,
    path: Path,
    yes: bool,
    deactivate_missing: bool,
    activations: str | None = None,
    out: Path | None = None,
) -> None:
    from app.admin import org_import, user_import
    from app.admin.imports import kind_columns
    from app.admin.sheets import read_rows
    from app.extensions import db

    started = time.monotonic()
    progress = _progress()
    try:
        rows = read_rows(path.name, path.read_bytes(), kind_columns(kind))
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"读取 {len(rows):,} 行（{path.name}）")
    plan = (
        org_import.plan_orgs(None, rows, progress=progress)
        if kind == "orgs"
        else user_import.plan_users(None, rows, progress=progress)
    )
    click.echo(
        f"新增 {len(plan.created):,}，更新 {len(plan.changed):,}，不变 {len(plan.unchanged):,}，"
        f"文件中没有 {len(plan.missing):,}，问题 {len(plan.problems):,}"
    )
    if plan.problems:
        for p in plan.problems[:200]:
            click.echo(f"  第 {p.row} 行 【{p.column}】 {p.message}", err=True)
        if len(plan.problems) > 200:
            click.echo(f"  …… 另有 {len(plan.problems) - 200:,} 个问题", err=True)
        db.session.rollback()
        raise click.ClickException("文件有问题，未写入任何数据。")
    if not (plan.created or plan.changed or (deactivate_missing and plan.missing)):
        db.session.rollback()
        click.echo("没有需要写入的变化。")
        return
    if not yes and not click.confirm("确认写入？", default=False):
        db.session.rollback()
        click.echo("已取消，未写入任何数据。")
        return
    new_ids: list[int] = []
    if isinstance(plan, org_import.OrgPlan):
        org_import.apply_orgs(None, plan, deactivate_missing=deactivate_missing, progress=progress)
    else:
        new_ids = user_import.apply_users(None, plan, progress=progress)
    db.session.commit()
    click.echo(f"已写入，用时 {time.monotonic() - started:.1f} 秒。")
    if kind == "users" and activations and out is not None and new_ids:
        from app.admin.imports import activation_workbook

        out.write_bytes(activation_workbook(None, new_ids, activations))
        click.echo(f"新用户的{'初始密码' if activations == 'password' else '激活链接'}已写入 {out}")


def init_app(app: Flask) -> None:
    @app.cli.command("import-orgs")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="write without asking once the check passes")
    @click.option(
        "--deactivate-missing",
        is_flag=True,
        help="deactivate active organisations of the file's levels that it leaves out",
    )
    def import_orgs(file: Path, yes: bool, deactivate_missing: bool) -> None:
        """Import organisations from an .xlsx or .csv in the template's columns."""
        _run("orgs", file, yes, deactivate_missing)

    @app.cli.command("import-users")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="write without asking once the check passes")
    @click.option(
        "--activations",
        type=click.Choice(["password", "link"]),
        default=None,
        help="issue the new users initial passwords or activation links",
    )
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="the .xlsx the activations are written to (the only copy)",
    )
    def import_users(file: Path, yes: bool, activations: str | None, out: Path | None) -> None:
        """Import users and their roles from an .xlsx or .csv in the template's columns."""
        from flask import current_app

        if activations and out is None:
            raise click.UsageError("--activations needs --out FILE.xlsx")
        if activations == "link" and not current_app.config.get("PUBLIC_BASE_URL"):
            raise click.UsageError(
                "activation links need PUBLIC_BASE_URL (the address users open), e.g. "
                "PUBLIC_BASE_URL=https://zgzj.example.cn"
            )
        _run("users", file, yes, False, activations, out)

    @app.cli.command("export-orgs")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--template", is_flag=True, help="the empty template with an example row")
    def export_orgs(file: Path, template: bool) -> None:
        """Write every organisation in the import's columns (.xlsx), or the template."""
        _export("orgs", file, template)

    @app.cli.command("export-users")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--template", is_flag=True, help="the empty template with an example row")
    def export_users(file: Path, template: bool) -> None:
        """Write every user's roles in the import's columns (.xlsx), or the template."""
        _export("users", file, template)


def _export(kind: str, file: Path, template: bool) -> None:
    from app.admin.imports import workbook

    file.write_bytes(workbook(None, kind, example=template))
    click.echo(f"已写出 {file}")
