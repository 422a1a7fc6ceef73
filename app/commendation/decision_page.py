"""What the city's decision page (`app.commendation.decide`) shows: each district's quota
against what the table shows selected, the choice in each candidate's row, the published
lists with their objections and commendation, and the period a start date would give."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.calendar.services import period_of_working_days
from app.campaigns.models import Campaign
from app.commendation.forms_decide import PublishForm
from app.commendation.models import (
    Certificate,
    Commendation,
    Objection,
    ObjectionStatus,
    Publicity,
    PublicityEntry,
)
from app.commendation.objections import objections
from app.commendation.publicity import publicities
from app.commendation.selection import Board
from app.extensions import db
from app.nominations.models import Nomination
from app.timeutil import beijing_today

PUBLICITY_STATES = {
    "upcoming": (_l("Not started"), "info"),
    "open": (_l("Open for objections"), "primary"),
    "ended": (_l("Period over"), "secondary"),
    "commended": (_l("Commendation issued"), "success"),
}
OBJECTION_STATES = {
    "open": (_l("Awaiting an answer"), "warning"),
    "dismiss": (_l("Objection not upheld"), "secondary"),
    "not_commended": (_l("Objection upheld · not commended"), "danger"),
    "rectification": (_l("Objection upheld · rectify by a deadline"), "warning"),
}


@dataclass
class QuotaLine:
    """One district: its quota, what is selected (ticked here + already published or
    commended) and its candidates. `key`/`label`/`count` feed the chart."""

    district_id: int
    name: str
    quota: int
    selected: int
    published: int
    candidates: int

    @property
    def over(self) -> bool:
        return self.selected > self.quota

    @property
    def key(self) -> int:
        return self.district_id

    @property
    def label(self) -> str:
        return self.name

    @property
    def count(self) -> int:
        return self.selected


@dataclass
class Choice:
    """What a candidate's row shows in its inputs: the saved choice, or what was typed."""

    rank: str
    selected: bool


@dataclass
class PublicityView:
    publicity: Publicity
    homes: int
    objections: list[Objection]
    commendation: Commendation | None

    @property
    def open_objections(self) -> int:
        return sum(1 for o in self.objections if o.status == ObjectionStatus.OPEN)

    @property
    def state(self) -> str:
        if self.publicity.commendation_id is not None:
            return "commended"
        today = beijing_today()
        if today < self.publicity.starts_on:
            return "upcoming"
        return "open" if today <= self.publicity.ends_on else "ended"


def quota_lines(board: Board, choices: dict[int, Choice]) -> list[QuotaLine]:
    """The board's quotas, counting what the table shows (typed values after a refusal)."""
    lines = []
    for d in board.districts:
        rows = [r for r in board.rows if r.district_id == d.district_id]
        published = d.selected - sum(1 for r in rows if r.selected)
        ticked = sum(1 for r in rows if choices[r.nomination.id].selected)
        lines.append(
            QuotaLine(d.district_id, d.name, d.quota, published + ticked, published, d.candidates)
        )
    return lines


def publicity_views(campaign: Campaign) -> list[PublicityView]:
    """The campaign's lists, newest first, with their objections and commendation (a fixed
    number of queries: lists, entry counts, objections, commendations and certificates)."""
    found = publicities(campaign.id)
    if not found:
        return []
    homes: dict[int, int] = {
        pid: count
        for pid, count in db.session.execute(
            select(PublicityEntry.publicity_id, func.count())
            .where(PublicityEntry.publicity_id.in_([p.id for p in found]))
            .group_by(PublicityEntry.publicity_id)
        ).tuples()
    }
    by_publicity: dict[int, list[Objection]] = {}
    for objection in objections(campaign.id):
        by_publicity.setdefault(objection.publicity_id, []).append(objection)
    commendations = {
        c.id: c
        for c in db.session.scalars(
            select(Commendation)
            .where(Commendation.campaign_id == campaign.id)
            .options(
                selectinload(Commendation.certificates)
                .joinedload(Certificate.nomination)
                .joinedload(Nomination.org)
            )
        )
    }
    return [
        PublicityView(
            p,
            homes.get(p.id, 0),
            by_publicity.get(p.id, []),
            commendations.get(p.commendation_id) if p.commendation_id else None,
        )
        for p in found
    ]


def period_preview(campaign: Campaign, form: PublishForm) -> dict[str, Any] | None:
    """The publicity period the form's start date would give, on the city's calendar."""
    starts_on = form.starts_on.data if isinstance(form.starts_on.data, date) else None
    if starts_on is None or form.starts_on.errors:
        return None
    try:
        first, last = period_of_working_days(starts_on, campaign.publicity_working_days)
    except ValueError as exc:
        return {"error": str(exc)}
    return {"starts_on": starts_on, "first": first, "last": last}
