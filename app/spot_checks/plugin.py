"""What the spot check (随机抽查) plugs into the nomination core."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select

from app.auth.models import User
from app.campaigns import links
from app.campaigns.links import CampaignLink
from app.extensions import db
from app.nominations import cards, deadlines, work
from app.notifications import events
from app.spot_checks import card, notices, policy, scope
from app.spot_checks.models import SpotCheck, SpotCheckAssignment
from app.web import menu
from app.web.menu import MenuEntry

CARD = cards.Card("spot_check", "spot_checks/_nomination_card.html", card.build_card, order=20)


def rectification_deadlines(nomination_ids: list[int]) -> Iterable[tuple[int, date]]:
    """A rectification is due by the deadline the inspectors set."""
    rows = db.session.execute(
        select(SpotCheck.nomination_id, SpotCheck.rectification_deadline).where(
            SpotCheck.nomination_id.in_(nomination_ids),
            SpotCheck.rectification_deadline.is_not(None),
        )
    ).tuples()
    return [(nomination_id, due) for nomination_id, due in rows if due is not None]


INSPECTORS = work.Assignment(
    role="inspector",
    assigned=scope.inspected_ids,
    is_assigned=scope.assigned_to,
    work=scope.inspector_work_clause,
    assignees=scope.assignees,
)
ANSWERED = work.Handover(
    state="rectification",
    handed_in=scope.answered_rectifications,
    taker=scope.rectification_decider,
)


MENU_ENTRY = MenuEntry(
    "my-checks",
    _l("My spot checks"),
    "spot_checks.my_checks",
    policy.is_inspector,
    10,
    "nav-my-checks",
)
DRAW_LINK = CampaignLink(
    "spot-check", _l("Random spot check"), "spot_checks.manage", policy.may_draw, order=20
)


def reviewer_decides(user: User, org_ids: set[int]) -> ColumnElement[bool]:
    return scope.reviewer_rectification_clause(org_ids)


def register(app: Flask) -> None:
    cards.register(CARD)
    deadlines.register_own_dates("rectification", rectification_deadlines)
    work.register_assignment(INSPECTORS)
    work.register_handover(ANSWERED)
    work.register_more_work("reviewer", "rectification", reviewer_decides)
    links.register(DRAW_LINK)
    menu.register(MENU_ENTRY)
    events.register_source(SpotCheckAssignment, notices.assignment_notices)
    events.register_change(SpotCheck, "conclusion", notices.conclusion_notices)
    events.register_change(SpotCheck, "rectification_submitted_at", notices.rectification_notices)
