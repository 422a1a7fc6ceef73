"""Who works on a spot check: clauses the nomination service uses for visibility and 待办.

Kept apart from the services so the nomination service can import it lazily without a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.sql.elements import ColumnElement

from app.auth.models import User
from app.auth.scope import in_subtree
from app.campaigns.models import Campaign
from app.extensions import db
from app.nominations.models import Nomination
from app.spot_checks.models import SpotCheck, SpotCheckAssignment


def assigned_to(user: User, nomination_id: int) -> bool:
    """Whether the user is assigned to inspect this nomination (one indexed query)."""
    return (
        db.session.scalar(
            select(
                exists().where(
                    SpotCheck.nomination_id == nomination_id,
                    SpotCheckAssignment.spot_check_id == SpotCheck.id,
                    SpotCheckAssignment.inspector_id == user.id,
                )
            )
        )
        or False
    )


def inspector_work_clause(user: User) -> ColumnElement[bool]:
    """An inspector's 待办: checks on site, and answered rectifications the inspectors accept."""
    mine = (
        select(SpotCheck.nomination_id)
        .join(SpotCheckAssignment, SpotCheckAssignment.spot_check_id == SpotCheck.id)
        .join(Nomination, Nomination.id == SpotCheck.nomination_id)
        .join(Campaign, Campaign.id == Nomination.campaign_id)
        .where(
            SpotCheckAssignment.inspector_id == user.id,
            (Nomination.status == "spot_check")
            | and_(
                Nomination.status == "rectification",
                SpotCheck.rectification_submitted_at.is_not(None),
                Campaign.rectification_reviewer == "inspectors",
            ),
        )
    )
    # The state test on the outer row as well, so each role's part of the 待办 OR stays an
    # index scan on (status, org_id) instead of a scan of every nomination.
    return and_(Nomination.status.in_(("spot_check", "rectification")), Nomination.id.in_(mine))


def reviewer_rectification_clause(org_ids: Iterable[int]) -> ColumnElement[bool]:
    """A district reviewer's 待办 when the campaign has reviewers accept rectifications."""
    answered = (
        select(SpotCheck.nomination_id)
        .join(Nomination, Nomination.id == SpotCheck.nomination_id)
        .join(Campaign, Campaign.id == Nomination.campaign_id)
        .where(
            Nomination.status == "rectification",
            SpotCheck.rectification_submitted_at.is_not(None),
            Campaign.rectification_reviewer == "reviewer",
        )
    )
    return and_(
        Nomination.status == "rectification",
        Nomination.id.in_(answered),
        in_subtree(Nomination.org_id, org_ids),
    )


def answered_rectifications() -> Select:
    """Subquery: nominations whose rectification the union has handed in."""
    return select(SpotCheck.nomination_id).where(SpotCheck.rectification_submitted_at.is_not(None))
