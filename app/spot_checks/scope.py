"""Who works on a spot check: the inspectors' assignments and the deciders of an answered
rectification, as `app.nominations.work` asks for them (registered by
`app.spot_checks.plugin`): what they see, whose move it is, their 待办."""

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


def inspected_ids(user: User) -> Select:
    """Subquery: the nominations whose spot check the user is assigned to inspect."""
    return (
        select(SpotCheck.nomination_id)
        .join(SpotCheckAssignment, SpotCheckAssignment.spot_check_id == SpotCheck.id)
        .where(SpotCheckAssignment.inspector_id == user.id)
    )


def assignees(nomination_ids: list[int]) -> dict[int, set[int]]:
    """Nomination id → the inspectors assigned to its check (one query)."""
    found: dict[int, set[int]] = {}
    for nid, uid in db.session.execute(
        select(SpotCheck.nomination_id, SpotCheckAssignment.inspector_id)
        .join(SpotCheckAssignment, SpotCheckAssignment.spot_check_id == SpotCheck.id)
        .where(SpotCheck.nomination_id.in_(nomination_ids))
    ):
        found.setdefault(nid, set()).add(uid)
    return found


def rectification_decider(campaign: Campaign) -> str:
    """Who accepts or rejects an answered rectification: a campaign setting."""
    return "reviewer" if campaign.rectification_reviewer == "reviewer" else "inspector"


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
        in_subtree(Nomination.org_id.expression, org_ids),
    )


def answered_rectifications() -> Select:
    """Subquery: nominations whose rectification the union has handed in."""
    return select(SpotCheck.nomination_id).where(SpotCheck.rectification_submitted_at.is_not(None))
