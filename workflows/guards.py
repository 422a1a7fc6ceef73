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


def _rectification_origin(nomination: Any) -> str | None:
    from app.commendation.services import open_rectification

    order = open_rectification(nomination.id)
    return order.origin if order else None


def rectifying_before_commendation(nomination: Any) -> list[str]:
    """Ordered to rectify on an objection during the publicity period (not yet commended)."""
    if _rectification_origin(nomination) != "objection":
        return ["该单位的整改源于已表彰称号的动态管理，不适用此操作。"]
    return []


def rectifying_commended_home(nomination: Any) -> list[str]:
    """A commended home ordered to rectify keeps its title only from there."""
    if _rectification_origin(nomination) != "commended":
        return ["该单位尚未获得表彰，不能“保留称号”。"]
    return []


def holds_the_title(nomination: Any) -> list[str]:
    """Only a title that was conferred can be revoked."""
    from app.commendation.services import certificate_of

    if certificate_of(nomination.id) is None:
        return ["该单位没有表彰证书，无从撤销称号。"]
    return []


GUARDS: dict[str, Guard] = {
    "campaign_open": campaign_open,
    "self_assessment_complete": self_assessment_complete,
    "rectifying_before_commendation": rectifying_before_commendation,
    "rectifying_commended_home": rectifying_commended_home,
    "holds_the_title": holds_the_title,
}
