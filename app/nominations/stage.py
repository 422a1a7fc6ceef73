"""What the nomination core plugs into the engine: its own guards."""

from __future__ import annotations

from app.nominations import guards
from workflows.guards import GUARDS


def register() -> None:
    GUARDS.register_module(guards)
