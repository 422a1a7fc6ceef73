"""Whose move a commendation-stage rectification is, as `app.nominations.work` asks for it
(registered by `app.commendation.plugin`): once the union has handed its rectification in,
the city decides."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, select

from app.auth.models import User
from app.auth.scope import in_subtree
from app.campaigns.models import Campaign
from app.commendation.models import HonourRectification
from app.nominations.models import Nomination


def handed_in_rectifications() -> Select:
    """Subquery: nominations whose open commendation-stage rectification the union has
    handed in — the city's move now, no longer the union's."""
    return select(HonourRectification.nomination_id).where(
        HonourRectification.decision.is_(None), HonourRectification.submitted_at.is_not(None)
    )


def city_decides(campaign: Campaign) -> str:
    return "city"


def city_rectification_clause(user: User, org_ids: set[int]) -> ColumnElement[bool]:
    """The city's 待办: rectifications handed in, awaiting its decision."""
    return and_(
        Nomination.status == "honour_rectification",
        Nomination.id.in_(handed_in_rectifications()),
        # the column's expression: `in_subtree` is typed for a ColumnElement, not an attribute
        in_subtree(Nomination.org_id.expression, org_ids),
    )
