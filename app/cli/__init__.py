"""The Flask CLI: every command of the app but the RQ worker's and cron's (`app.jobs`)."""

from __future__ import annotations

from flask import Flask

from app.cli import data, deadlines, imports, records
from app.cli.generate import command as generate_command
from app.standards.commands import init_app as init_standard_commands


def init_app(app: Flask) -> None:
    """Register the commands on `app`."""
    init_standard_commands(app)
    data.init_app(app)
    generate_command.init_app(app)
    deadlines.init_app(app)
    records.init_app(app)
    imports.init_app(app)
