"""The nomination page's spot-check card: the check, its team and its conclusion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.extensions import db
from app.nominations.models import Nomination
from app.spot_checks import checks, policy
from app.spot_checks.models import Conclusion, SpotCheck, SpotCheckAssignment
from app.spot_checks.words import CONCLUSION_COLOURS, CONCLUSION_WORDS
from workflows.nomination import STATE_STAGE

# Where a nomination may have a check: from the draw on (the card's query runs only here).
_CHECK_STAGES = ("spot_check", "commendation")


@dataclass
class SpotCheckCard:
    check: SpotCheck
    team: list[SpotCheckAssignment]
    required: int
    overdue: bool
    url: str

    @property
    def conclusion_label(self) -> str | None:
        return (
            str(CONCLUSION_WORDS[Conclusion(self.check.conclusion)])
            if self.check.conclusion
            else None
        )

    @property
    def conclusion_colour(self) -> str | None:
        return CONCLUSION_COLOURS[self.check.conclusion] if self.check.conclusion else None


def build_card(user: User, nomination: Nomination, state: Any = None) -> SpotCheckCard | None:
    """What the nomination page shows of its spot check; None without one, or for a user who
    may not open it. At most two queries, and none before the draw."""
    if STATE_STAGE[nomination.status] not in _CHECK_STAGES or nomination.status == "awaiting_draw":
        return None
    check = (
        db.session.scalars(
            select(SpotCheck)
            .where(SpotCheck.nomination_id == nomination.id)
            .options(joinedload(SpotCheck.assignments).joinedload(SpotCheckAssignment.inspector))
        )
        .unique()
        .first()
    )
    if check is None or not policy.may_read_log(user, check, nomination):
        return None
    return SpotCheckCard(
        check,
        list(check.assignments),
        nomination.campaign.inspectors_per_check,
        checks.rectification_overdue(check, nomination.status),
        url_for("spot_checks.check_page", check_id=check.id),
    )
