"""The nomination page's self-assessment card: the latest round's progress and rates."""

from __future__ import annotations

from typing import Any

from app.assessment.services import RoundSummary, round_summary
from app.auth.models import User
from app.nominations.models import Nomination


def build_card(user: User, nomination: Nomination, state: Any = None) -> RoundSummary | None:
    """The latest round at a glance (None before there is one, or where no standard applies)."""
    return round_summary(nomination)
