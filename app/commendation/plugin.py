"""What the commendation (表彰) plugs into the nomination core and the engine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.campaigns import links
from app.campaigns.links import CampaignLink
from app.commendation import card, guards, notices, policy, scope
from app.commendation.models import HonourRectification, Objection, Publicity, PublicityEntry
from app.extensions import db
from app.nominations import cards, deadlines, work
from app.notifications import events
from workflows.guards import GUARDS

CARD = cards.Card("honour", "commendation/_nomination_card.html", card.build_card, order=10)


def publicity_ends(nomination_ids: list[int]) -> Iterable[tuple[int, date]]:
    """On the list: due the publicity's last day (the latest list it is on wins)."""
    return db.session.execute(
        select(PublicityEntry.nomination_id, Publicity.ends_on)
        .join(Publicity)
        .where(PublicityEntry.nomination_id.in_(nomination_ids))
        .order_by(Publicity.id)
    ).tuples()


def order_deadlines(nomination_ids: list[int]) -> Iterable[tuple[int, date]]:
    """Ordered to rectify: due by the open order's deadline (the latest order wins)."""
    return db.session.execute(
        select(HonourRectification.nomination_id, HonourRectification.deadline)
        .where(
            HonourRectification.nomination_id.in_(nomination_ids),
            HonourRectification.decision.is_(None),
        )
        .order_by(HonourRectification.id)
    ).tuples()


DECISION_LINK = CampaignLink(
    "commendation",
    _l("Commendation decision"),
    "commendation.decide",
    policy.may_manage,
    order=30,
)
HANDED_IN = work.Handover(
    state="honour_rectification",
    handed_in=scope.handed_in_rectifications,
    taker=scope.city_decides,
)


def register(app: Flask) -> None:
    GUARDS.register_module(guards)
    cards.register(CARD)
    deadlines.register_own_dates("publicity", publicity_ends)
    deadlines.register_own_dates("honour_rectification", order_deadlines)
    work.register_handover(HANDED_IN)
    work.register_more_work("city", "honour_rectification", scope.city_rectification_clause)
    links.register(DECISION_LINK)
    events.register_source(Objection, notices.objection_notices)
    events.register_change(Objection, "status", notices.dismissed_notices)
