"""What the nomination core plugs into the engine and the calendar: its own guards, and
due dates that follow the working-day calendar."""

from __future__ import annotations

from flask import Flask

from app.calendar import services as calendar
from app.nominations import deadlines, guards
from workflows.guards import GUARDS


def register(app: Flask) -> None:
    GUARDS.register_module(guards)
    calendar.on_change(deadlines.refresh_service_times)
