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
when a campaign's calendar changes, and when a stage sets its own date (an evaluation
window). Storing it keeps the reminder sweep's work proportional to the steps due, with an
index on (due_on, status), rather than to every nomination.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import bindparam, select

from app.campaigns.models import Campaign, Stage
from app.extensions import db
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


def _beijing_day(value: datetime | None) -> date | None:
    return to_beijing(value).date() if value else None


def due_date_for(nomination) -> date | None:  # type: ignore[no-untyped-def]
    """The due date of the nomination's current step, or None (no step, or no date set)."""
    status = nomination.status
    campaign: Campaign = nomination.campaign
    if status == "submitted" and campaign.review_working_days and nomination.submitted_at:
        from app.commendation.services import publicity_period

        _, last = publicity_period(_beijing_day(nomination.submitted_at),  # type: ignore[arg-type]
                                   campaign.review_working_days)
        return last
    if status == "member_evaluation":
        from app.evaluation.models import MemberEvaluation

        closes = db.session.scalar(select(MemberEvaluation.closes_at).where(
            MemberEvaluation.nomination_id == nomination.id))
        if closes is not None:
            return _beijing_day(closes)
    if status == "rectification":
        from app.spot_checks.models import SpotCheck

        deadline = db.session.scalar(select(SpotCheck.rectification_deadline).where(
            SpotCheck.nomination_id == nomination.id))
        if deadline is not None:
            return deadline
    if status == "honour_rectification":
        from app.commendation.services import open_rectification

        order = open_rectification(nomination.id)
        if order is not None:
            return order.deadline
    if status == "publicity":
        from app.commendation.models import Publicity, PublicityEntry

        ends = db.session.scalar(
            select(Publicity.ends_on).join(PublicityEntry)
            .where(PublicityEntry.nomination_id == nomination.id)
            .order_by(Publicity.id.desc()).limit(1))
        if ends is not None:
            return ends
    stage = STATE_STAGE_DEADLINE.get(status)
    return campaign.due_date(stage) if stage else None


def refresh(nomination) -> None:  # type: ignore[no-untyped-def]
    nomination.due_on = due_date_for(nomination)


def refresh_campaign(campaign_id: int) -> int:
    """Recompute every active nomination's due date after the campaign's calendar changed.

    One UPDATE per stage for the calendar-driven states; the few states with their own dates
    are recomputed one by one (they are the minority at any time). Caller commits.
    """
    from app.nominations.models import Nomination

    campaign = db.session.get(Campaign, campaign_id)
    assert campaign is not None
    count = 0
    own_dates = ("submitted", "member_evaluation", "rectification", "honour_rectification",
                 "publicity")
    for status, stage in STATE_STAGE_DEADLINE.items():
        if status in own_dates:
            continue
        result = db.session.execute(
            Nomination.__table__.update()
            .where(Nomination.campaign_id == campaign_id, Nomination.status == status)
            .values(due_on=campaign.due_date(stage)))
        count += result.rowcount or 0
    rows = [{"nid": n.id, "due": due_date_for(n)} for n in db.session.scalars(
        select(Nomination).where(Nomination.campaign_id == campaign_id,
                                 Nomination.status.in_(own_dates)))]
    if rows:
        # Core UPDATEs: a recomputed date is not an edit, and must not bump `version` (which
        # would refuse the next action of someone who had the page open).
        table = Nomination.__table__
        db.session.execute(table.update().where(table.c.id == bindparam("nid"))
                           .values(due_on=bindparam("due")), rows)
        count += len(rows)
    return count


def store(nomination_id: int) -> None:
    """Recompute one nomination's due date without touching its version (a stage set its
    own date, e.g. opening an evaluation window). Caller commits."""
    from app.nominations.models import Nomination

    nomination = db.session.get(Nomination, nomination_id)
    assert nomination is not None
    table = Nomination.__table__
    db.session.execute(table.update().where(table.c.id == nomination_id)
                       .values(due_on=due_date_for(nomination)))


def refresh_service_times() -> int:
    """Recompute the due dates that count working days (submissions under a campaign with a
    review service time) after the working-day calendar changed. Caller commits."""
    from app.nominations.models import Nomination

    ids = list(db.session.scalars(
        select(Nomination.id).join(Campaign, Campaign.id == Nomination.campaign_id)
        .where(Nomination.status == "submitted", Campaign.review_working_days.is_not(None))))
    for nomination_id in ids:
        store(nomination_id)
    return len(ids)


def overdue(today: date | None = None, limit: int | None = None) -> list[tuple]:
    """Active steps past their due date, the most overdue first: (nomination id, unit,
    state, owner role, due date). One indexed query (ix_nominations_due)."""
    from app.nominations.models import Nomination
    from app.orgs.models import Organization
    from app.timeutil import beijing_today
    from workflows.nomination import STATE_OWNER

    today = today or beijing_today()
    active = [s for s in STATE_OWNER]
    stmt = (select(Nomination.id, Organization.name, Nomination.status, Nomination.due_on)
            .join(Organization, Organization.id == Nomination.org_id)
            .where(Nomination.due_on < today, Nomination.status.in_(active))
            .order_by(Nomination.due_on, Nomination.id))
    if limit:
        stmt = stmt.limit(limit)
    return [(nid, name, status, STATE_OWNER[status], due)
            for nid, name, status, due in db.session.execute(stmt)]
