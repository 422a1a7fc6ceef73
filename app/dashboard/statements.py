"""The dashboard's statements: the database does the counting.

After one small statement for the districts shown, three statements give every figure,
whatever the number of nominations:
- `district_rows`: one row per district and a totals row. The nominations are first folded
  into groups alike in everything counted (district, state, evaluation result, check
  outcome, overdue or not: about a hundred rows for a whole city); then GROUP BY the
  district with FILTER'd sums and averages, UNION ALL the same aggregates without the
  grouping, window functions for each district's share of the total;
- `satisfaction_bands`: closed member evaluations bucketed by satisfaction rate (CASE),
  with the passed / failed counts and each band's share (a window function);
- `most_overdue`: the steps longest overdue, ranked by a window function over all of them.

A nomination's district is its ancestor at the tier under the city (`DISTRICT_LEVELS`),
found through the closure table.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import QueryableAttribute, aliased

from app.auth.scope import descendants_of, in_subtree
from app.campaigns.models import Campaign, CampaignQuota
from app.dashboard.figures import (
    ACTIVE_BY_STAGE,
    ACTIVE_STATES,
    BANDS,
    ENDED_STATES,
    STAGE_NAMES,
)
from app.evaluation.models import EvaluationStatus, MemberEvaluation
from app.extensions import db
from app.nominations.models import Nomination
from app.orgs.models import DISTRICT_LEVELS, Organization, OrgClosure
from app.spot_checks.models import Conclusion, SpotCheck
from workflows.nomination import STATE_NAMES

OVERDUE_LIST_LIMIT = 20


def district_ids(campaign: Campaign, scope: set[int]) -> list[int]:
    """The districts shown: under the organiser, and above or under one of the user's
    organisations (a reviewer's own district; every district for the city). One statement.

    The figures' statements take these ids as values rather than as a subquery: a closure
    table's rows per ancestor are very uneven (a district has thousands of descendants, a
    union one or two), and only with the values in hand does PostgreSQL read the real
    counts from its statistics and hash the join, instead of probing an index per row.
    """
    above = select(OrgClosure.ancestor_id).where(OrgClosure.descendant_id.in_(scope))
    return list(
        db.session.scalars(
            select(Organization.id)
            .where(
                Organization.level.in_(DISTRICT_LEVELS),
                Organization.id.in_(descendants_of([campaign.organizer_id])),
                or_(in_subtree(Organization.id, scope), Organization.id.in_(above)),
            )
            .order_by(Organization.code)
        )
    )


def _overdue(
    status: ColumnElement[Any] | QueryableAttribute[Any],
    due_on: ColumnElement[Any] | QueryableAttribute[Any],
    today: date,
) -> ColumnElement[bool]:
    """A step overdue: under way (someone's move, as for the reminder sweep and `flask
    overdue`) and due before today; due today is not overdue yet."""
    return and_(status.in_(ACTIVE_STATES), due_on < today)


def _nominations(campaign: Campaign, scope: set[int], districts: list[int]) -> CTE:
    """The campaign's nominations in scope, each with its district, evaluation and check."""
    return (
        select(
            Nomination.id,
            Nomination.status,
            Nomination.due_on,
            OrgClosure.ancestor_id.label("district_id"),
            MemberEvaluation.status.label("evaluation_status"),
            MemberEvaluation.passed,
            MemberEvaluation.turnout,
            MemberEvaluation.satisfaction_rate,
            SpotCheck.id.label("check_id"),
            SpotCheck.conclusion,
            SpotCheck.rectification_decision,
        )
        .join(
            OrgClosure,
            and_(
                OrgClosure.descendant_id == Nomination.org_id, OrgClosure.ancestor_id.in_(districts)
            ),
        )
        .outerjoin(MemberEvaluation, MemberEvaluation.nomination_id == Nomination.id)
        .outerjoin(SpotCheck, SpotCheck.nomination_id == Nomination.id)
        .where(Nomination.campaign_id == campaign.id, in_subtree(Nomination.org_id, scope))
        .cte("n")
    )


def _groups(n: CTE, today: date) -> CTE:
    """The nominations `n` folded into groups alike in everything the figures count (a few
    hundred rows, whatever the number of nominations), with the sums, counts and minima
    the averages need; the figures then aggregate these groups, once per district and once
    for the totals, instead of every nomination twice."""
    overdue = case((_overdue(n.c.status, n.c.due_on, today), 1), else_=0)
    alike = select(
        n.c.district_id,
        n.c.status,
        n.c.evaluation_status,
        n.c.passed,
        n.c.turnout,
        n.c.satisfaction_rate,
        n.c.due_on,
        n.c.conclusion,
        n.c.rectification_decision,
        overdue.label("overdue"),
        case((n.c.check_id.is_not(None), 1), else_=0).label("checked"),
    ).subquery()
    keys = [
        alike.c.district_id,
        alike.c.status,
        alike.c.evaluation_status,
        alike.c.passed,
        alike.c.conclusion,
        alike.c.rectification_decision,
        alike.c.overdue,
        alike.c.checked,
    ]
    rate, turnout = alike.c.satisfaction_rate, alike.c.turnout
    return (
        select(
            *keys,
            func.count().label("k"),
            func.sum(turnout).label("turnout_sum"),
            func.count(turnout).label("turnout_n"),
            func.sum(rate).label("rate_sum"),
            func.count(rate).label("rate_n"),
            func.min(rate).label("rate_min"),
            func.min(alike.c.due_on).label("due_min"),
        )
        .group_by(*keys)
        .cte("g")
    )


def _aggregates(g: CTE) -> dict[str, ColumnElement[Any]]:
    """Every per-district figure, as aggregates over the groups `g` (FILTER clauses), by
    the name the row carries."""

    def count(*where: ColumnElement[bool]) -> ColumnElement[int]:
        total = func.sum(g.c.k).filter(and_(*where)) if where else func.sum(g.c.k)
        return func.coalesce(total, 0)

    def mean(
        total: ColumnElement[Any], n: ColumnElement[int], where: ColumnElement[bool]
    ) -> ColumnElement[float | Decimal]:
        return cast(func.sum(total).filter(where), Float) / func.nullif(
            func.sum(n).filter(where), 0
        )

    closed = g.c.evaluation_status == EvaluationStatus.CLOSED
    overdue = g.c.overdue == 1
    return {
        "n_total": count(),
        **{f"state_{s}": count(g.c.status == s) for s in STATE_NAMES},
        **{f"stage_{st}": count(g.c.status.in_(ACTIVE_BY_STAGE[st])) for st in STAGE_NAMES},
        "n_active": count(g.c.status.in_(ACTIVE_STATES)),
        "n_ended": count(g.c.status.in_(ENDED_STATES)),
        "ev_open": count(g.c.evaluation_status == EvaluationStatus.OPEN),
        "ev_closed": count(closed),
        "ev_passed": count(closed, g.c.passed.is_(True)),
        "ev_failed": count(closed, g.c.passed.is_(False)),
        "ev_turnout": mean(g.c.turnout_sum, g.c.turnout_n, closed),
        "ev_satisfaction": mean(g.c.rate_sum, g.c.rate_n, closed),
        "ev_min_satisfaction": cast(func.min(g.c.rate_min).filter(closed), Float),
        "sc_checks": count(g.c.checked == 1),
        "sc_pending": count(g.c.checked == 1, g.c.conclusion.is_(None)),
        "sc_pass": count(g.c.conclusion == Conclusion.PASS),
        "sc_rectify": count(g.c.conclusion == Conclusion.RECTIFY),
        "sc_fail": count(g.c.conclusion == Conclusion.FAIL),
        "sc_accepted": count(g.c.rectification_decision == "accept"),
        "sc_rejected": count(g.c.rectification_decision == "reject"),
        "sc_rectifying": count(
            g.c.conclusion == Conclusion.RECTIFY, g.c.rectification_decision.is_(None)
        ),
        "od_total": count(overdue),
        **{f"od_{st}": count(overdue, g.c.status.in_(ACTIVE_BY_STAGE[st])) for st in STAGE_NAMES},
        "od_oldest": func.min(g.c.due_min).filter(overdue),
    }


def _share(part: ColumnElement[int]) -> ColumnElement[float | Decimal]:
    """A district's share of the column's total over all districts (a window function)."""
    return cast(part, Float) / func.nullif(func.sum(part).over(), 0)


def _whole(total: ColumnElement[int]) -> ColumnElement[float]:
    """The totals row's share: all of it, or none when there is nothing."""
    return case((total > 0, literal(1.0, Float)))


def district_rows(
    campaign: Campaign, scope: set[int], districts: list[int], today: date
) -> list[Any]:
    """One row per district shown (zeros included), then the totals row: one statement."""
    g = _groups(_nominations(campaign, scope, districts), today)
    figures = _aggregates(g)
    labelled = [expr.label(name) for name, expr in figures.items()]
    district = aliased(Organization, name="district")
    quota = aliased(CampaignQuota)
    per_district = (
        select(
            literal(0).label("is_total"),
            district.id.label("district_id"),
            district.code,
            district.name,
            quota.quota,
            *labelled,
            _share(figures["n_total"]).label("n_share"),
            _share(figures["od_total"]).label("od_share"),
        )
        .select_from(district)
        .outerjoin(g, g.c.district_id == district.id)
        .outerjoin(quota, and_(quota.campaign_id == campaign.id, quota.district_id == district.id))
        .where(district.id.in_(districts))
        .group_by(district.id, district.code, district.name, quota.quota)
    )
    all_quotas = (
        select(func.sum(CampaignQuota.quota))
        .where(CampaignQuota.campaign_id == campaign.id, CampaignQuota.district_id.in_(districts))
        .scalar_subquery()
    )
    totals = select(
        literal(1),
        null(),
        null(),
        null(),
        all_quotas,
        *figures.values(),
        _whole(figures["n_total"]),
        _whole(figures["od_total"]),
    ).select_from(g)
    return list(
        db.session.execute(
            union_all(per_district, totals).order_by(
                literal_column("is_total"), literal_column("code")
            )
        )
    )


def satisfaction_bands(campaign: Campaign, scope: set[int], districts: list[int]) -> dict[str, Any]:
    """Closed evaluations per satisfaction band (band key → row): one statement."""
    n = _nominations(campaign, scope, districts)
    rate = n.c.satisfaction_rate
    edges = [
        (rate < high if low is None else and_(rate >= low, rate < high), key)
        for key, _, low, high in BANDS
        if high is not None
    ]
    banded = (
        select(
            case((rate.is_(None), "no_ballots"), *edges, else_="95_100").label("band"), n.c.passed
        )
        .where(n.c.evaluation_status == EvaluationStatus.CLOSED)
        .subquery("banded")
    )
    # Grouped by the computed column of a subquery: PostgreSQL would not match a CASE
    # repeated in GROUP BY with its own bound parameters.
    rows = db.session.execute(
        select(
            banded.c.band,
            func.count().label("evaluations"),
            func.count().filter(banded.c.passed.is_(True)).label("passed"),
            func.count().filter(banded.c.passed.is_(False)).label("failed"),
            _share(func.count()).label("share"),
        ).group_by(banded.c.band)
    )
    return {row.band: row for row in rows}


def most_overdue(
    campaign: Campaign, scope: set[int], districts: list[int], today: date
) -> list[Any]:
    """The steps longest overdue (due before today, still under way), ranked among all the
    overdue ones, with how many there are: one statement."""
    district = aliased(Organization)
    unit = aliased(Organization)
    return list(
        db.session.execute(
            select(
                Nomination.id,
                func.coalesce(Nomination.nominee_name, unit.name).label("unit"),
                Nomination.status,
                Nomination.due_on,
                district.id.label("district_id"),
                district.name.label("district"),
                func.rank().over(order_by=Nomination.due_on).label("rank"),
                func.row_number()
                .over(partition_by=district.id, order_by=(Nomination.due_on, Nomination.id))
                .label("rank_in_district"),
                func.count().over().label("of"),
            )
            .join(unit, unit.id == Nomination.org_id)
            .join(
                OrgClosure,
                and_(
                    OrgClosure.descendant_id == Nomination.org_id,
                    OrgClosure.ancestor_id.in_(districts),
                ),
            )
            .join(district, district.id == OrgClosure.ancestor_id)
            .where(
                Nomination.campaign_id == campaign.id,
                in_subtree(Nomination.org_id, scope),
                _overdue(Nomination.status, Nomination.due_on, today),
            )
            .order_by(Nomination.due_on, Nomination.id)
            .limit(OVERDUE_LIST_LIMIT)
        )
    )
