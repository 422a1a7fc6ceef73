"""Due dates: every active step of a nomination has one, stored on the row (`due_on`).

Where it comes from, per state (the owner is `STATE_OWNER` in the workflow):
- draft, returned (union): the campaign's 申报截止;
- submitted (reviewers): the campaign's service time — `review_working_days` working days
  from the submission on the city's calendar — when set, else 审核截止;
- member_evaluation (union): the day the evaluation window closes once opened, else 评家截止;
- awaiting_draw, spot_check (city, inspectors): 抽查截止;
- rectification (union, then the deciders): the rectification deadline the inspectors set;
- candidate, publicity (city): the publicity's last day when published, else 公示期结束;
- honour_rectification (union, then the city): the deadline of the order;
- final states and commended: none.

`due_on` is recomputed in the transaction of every state change (the engine's audit hook),
when a campaign's calendar or the working-day calendar changes, and when a stage sets its
own date (an evaluation window). The stages that own a step's date say what it is
(`register_own_dates`, from their `plugin.register()`); this module knows none of them.
Storing it keeps the reminder sweep's work proportional to the steps due, with an index on
(due_on, status), rather than to every nomination.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, select
from sqlalchemy.orm import contains_eager

from app.calendar.services import calendar_exceptions
from app.calendar.workdays import working_period
from app.campaigns.models import Campaign, Stage
from app.extensions import db
from app.nominations.models import Nomination
from app.timeutil import to_beijing

STATE_STAGE_DEADLINE = {
    "draft": Stage.APPLICATION,
    "returned": Stage.APPLICATION,
    "submitted": Stage.REVIEW,
    "member_evaluation": Stage.EVALUATION,
    "awaiting_draw": Stage.SPOT_CHECK,
    "spot_check": Stage.SPOT_CHECK,
    "rectification": Stage.SPOT_CHECK,
    "candidate": Stage.PUBLICITY,
    "publicity": Stage.PUBLICITY,
    "honour_rectification": Stage.PUBLICITY,
}


def _table() -> Table:
    """The nominations table, for Core UPDATEs (a declarative class's `__table__` is typed
    as any FROM clause)."""
    table = Nomination.__table__
    assert isinstance(table, Table)
    return table


def _beijing_day(value: datetime | None) -> date | None:
    return to_beijing(value).date() if value else None


# A stage's own date for the step of a state: given the ids of the nominations in that
# state, it returns (nomination id, due date) pairs; where a nomination has several, the
# last pair wins (the provider orders them). Registered by the stages (`register_own_dates`).
OwnDates = Callable[[list[int]], Iterable[tuple[int, date]]]
_OWN_DATES: dict[str, OwnDates] = {}


def register_own_dates(state: str, provider: OwnDates) -> None:
    """Let the stage that sets the date of `state`'s step say what it is."""
    known = _OWN_DATES.get(state)
    if known is not None and known is not provider:
        raise ValueError(f"the due date of {state} is provided twice")
    _OWN_DATES[state] = provider


def own_date_states() -> tuple[str, ...]:
    """States whose step may have a date of its own (the rest follow the campaign's)."""
    return ("submitted", *_OWN_DATES)


def due_dates(nominations: Iterable[Nomination]) -> dict[int, date | None]:
    """The due dates of the nominations' current steps (None: no step, or no date set).

    A step's own date (a service time, an evaluation window, a rectification deadline, a
    publicity period) comes from one query per kind for all the nominations, never one per
    nomination; otherwise the campaign's calendar date for the stage.
    """
    nominations = list(nominations)
    own: dict[int, date] = {}
    for state, provider in _OWN_DATES.items():
        ids = [n.id for n in nominations if n.status == state]
        for nomination_id, day in provider(ids) if ids else ():
            own[nomination_id] = day
    timed = [
        (n, _beijing_day(n.submitted_at))
        for n in nominations
        if n.status == "submitted" and n.campaign.review_working_days and n.submitted_at
    ]
    if timed:
        # The reviewer's service time: working days from the submission, one calendar read.
        starts = [start for _, start in timed if start is not None]
        exceptions = calendar_exceptions(min(starts), max(starts) + timedelta(days=400))
        for n, start in timed:
            assert start is not None and n.campaign.review_working_days is not None
            try:
                own[n.id] = working_period(start, n.campaign.review_working_days, exceptions)[1]
            except ValueError:  # a calendar with no working day for a year: the stage's date
                continue

    dates: dict[int, date | None] = {}
    for n in nominations:
        stage = STATE_STAGE_DEADLINE.get(n.status)
        dates[n.id] = own[n.id] if n.id in own else (n.campaign.due_date(stage) if stage else None)
    return dates


def due_date_for(nomination: Nomination) -> date | None:
    """The due date of the nomination's current step, or None (no step, or no date set)."""
    return due_dates([nomination])[nomination.id]


def _store_all(nominations: list[Nomination]) -> int:
    """Write recomputed due dates with one executemany UPDATE. Core, not the ORM: a
    recomputed date is not an edit, and must not bump `version` (which would refuse the
    next action of someone who had the page open)."""
    rows = [{"nid": nid, "due": due} for nid, due in due_dates(nominations).items()]
    if rows:
        table = _table()
        db.session.execute(
            table.update().where(table.c.id == bindparam("nid")).values(due_on=bindparam("due")),
            rows,
        )
    return len(rows)


def refresh_campaign(campaign_id: int) -> int:
    """Recompute every active nomination's due date after the campaign's calendar changed.

    One UPDATE per stage for the calendar-driven states; the states that may have their own
    dates are read in one query and recomputed by `due_dates`. Caller commits.
    """
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign is not None
    count = 0
    for status, stage in STATE_STAGE_DEADLINE.items():
        if status in own_date_states():
            continue
        # An UPDATE's result is a CursorResult (with rowcount); Session.execute is typed as
        # returning any Result.
        result = cast(
            CursorResult[Any],
            db.session.execute(
                _table()
                .update()
                .where(Nomination.campaign_id == campaign_id, Nomination.status == status)
                .values(due_on=campaign.due_date(stage))
            ),
        )
        count += result.rowcount or 0
    return count + _store_all(
        list(
            db.session.scalars(
                select(Nomination).where(
                    Nomination.campaign_id == campaign_id, Nomination.status.in_(own_date_states())
                )
            )
        )
    )


def store(nomination_id: int) -> None:
    """Recompute one nomination's due date without touching its version (a stage set its
    own date, e.g. opening an evaluation window). Caller commits."""
    nomination = db.session.get(Nomination, nomination_id)
    assert nomination is not None
    _store_all([nomination])


def refresh_service_times() -> int:
    """Recompute the due dates that count working days (submissions under a campaign with a
    review service time) after the working-day calendar changed. Caller commits."""
    return _store_all(
        list(
            db.session.scalars(
                select(Nomination)
                .join(Campaign, Campaign.id == Nomination.campaign_id)
                .options(contains_eager(Nomination.campaign))
                .where(Nomination.status == "submitted", Campaign.review_working_days.is_not(None))
            )
        )
    )
