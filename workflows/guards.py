"""Named guards of the nomination workflow.

A guard looks at the nomination it is asked about and returns the problems that stop the
action, in Chinese, ready to show; an empty list means the action may go ahead. Guards
read, never write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Guard = Callable[[Any], list[str]]


def campaign_open(nomination: Any) -> list[str]:
    """Nominations move only while their campaign is running."""
    if nomination.campaign.status != "open":
        return [f"评选活动“{nomination.campaign.name}”未在进行中，不能提交。"]
    return []


def self_assessment_complete(nomination: Any) -> list[str]:
    """Every item rated and explained, evidence where met, key figures at the thresholds."""
    from app.assessment.services import submission_problems

    return submission_problems(nomination)


GUARDS: dict[str, Guard] = {
    "campaign_open": campaign_open,
    "self_assessment_complete": self_assessment_complete,
}
