"""The drawing organisation's spot-check page (随机抽查管理) as its views render it: the draws
of the campaign, the population awaiting the draw per district, the sample, and the drawn
nominations with their teams and the candidates for each.

The page loads in a fixed number of queries whatever the number of checks: the candidate
inspectors of every check are computed from one pool, not one lookup per check. Shared by
the views of the draw (`manage`) and of the teams (`teams`); no view of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import aliased, selectinload

from app.campaigns.models import Campaign
from app.extensions import db
from app.nominations.models import Nomination
from app.orgs.models import DISTRICT_LEVELS, Organization, OrgClosure
from app.spot_checks.assign import Inspector, conflict_reason, inspector_pool, targets_of
from app.spot_checks.checks import CONCLUSION_LABELS
from app.spot_checks.forms_manage import AnnounceForm, RedrawForm
from app.spot_checks.models import DrawStatus, SpotCheck, SpotCheckAssignment, SpotCheckDraw
from app.spot_checks.services import OPEN_STATUSES, unit_names
from app.spot_checks.words import DRAW_STATUS_COLOURS, DRAW_STATUS_LABELS
from workflows.nomination import STATE_LABELS


def page_url(campaign_id: int, fragment: str | None = None) -> str:
    url = url_for("spot_checks.manage", campaign_id=campaign_id)
    return f"{url}#{fragment}" if fragment else url


# -- what the page shows --------------------------------------------------------------------


@dataclass
class DistrictRow:
    """One district's line: `count` is its population (the chart's bar), `drawn` its sample."""

    key: str
    label: str
    count: int
    drawn: int = 0


@dataclass
class SampleRow:
    nomination_id: int
    unit: str
    district: str


@dataclass
class CheckRow:
    """One drawn nomination with its team, the candidates for it, and its conclusion."""

    check: SpotCheck
    nomination_id: int
    status: str
    unit: str
    nominee: str | None
    district: str
    required: int
    options: list[Inspector] = field(default_factory=list)

    @property
    def assignments(self) -> list[SpotCheckAssignment]:
        return list(self.check.assignments)

    @property
    def agreed(self) -> int:
        return sum(1 for a in self.check.assignments if a.agreed_at is not None)

    @property
    def editable(self) -> bool:
        return self.status == "spot_check"

    @property
    def missing(self) -> int:
        return max(0, self.required - len(self.check.assignments))

    @property
    def eligible(self) -> list[Inspector]:
        return [i for i in self.options if i.reason is None]

    @property
    def conflicted(self) -> list[Inspector]:
        return [i for i in self.options if i.reason is not None]

    @property
    def conclusion(self) -> str:
        if self.check.conclusion is None:
            return ""
        return CONCLUSION_LABELS[self.check.conclusion]

    @property
    def concluded(self) -> bool:
        return self.check.concluded_at is not None

    @property
    def inspector_names(self) -> str:
        return "、".join(a.inspector.display_name for a in self.check.assignments)


@dataclass
class ManageView:
    campaign: Campaign
    org: Organization
    draws: list[SpotCheckDraw]  # every draw of the campaign by this organisation, newest first
    current: SpotCheckDraw | None  # the open draw (announced or drawn), if any
    awaiting: list[DistrictRow]
    strata: list[DistrictRow]
    sample: list[SampleRow]
    checks: list[CheckRow]

    @property
    def applied(self) -> list[SpotCheckDraw]:
        return [d for d in self.draws if d.status == DrawStatus.APPLIED]

    @property
    def awaiting_total(self) -> int:
        return sum(r.count for r in self.awaiting)

    @property
    def short(self) -> list[CheckRow]:
        return [r for r in self.checks if r.editable and r.missing]


def _districts_under(org_id: int) -> Select[tuple[int]]:
    return select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id == org_id)


def _awaiting(campaign: Campaign, org: Organization) -> list[DistrictRow]:
    """The nominations awaiting the draw per district, as the draw would count them
    (one GROUP BY; the same population as services.population_entries)."""
    district = aliased(Organization)
    link = aliased(OrgClosure)
    rows = db.session.execute(
        select(district.code, district.name, func.count())
        .select_from(Nomination)
        .join(link, link.descendant_id == Nomination.org_id)
        .join(district, district.id == link.ancestor_id)
        .where(
            Nomination.campaign_id == campaign.id,
            Nomination.status == "awaiting_draw",
            Nomination.org_id.in_(_districts_under(org.id)),
            district.level.in_(DISTRICT_LEVELS),
        )
        .group_by(district.code, district.name)
        .order_by(district.code)
    ).all()
    return [DistrictRow(code, name, count) for code, name, count in rows]


def district_names(org: Organization) -> dict[str, str]:
    """District code → name under the drawing organisation (the strata are keyed by code)."""
    rows = db.session.execute(
        select(Organization.code, Organization.name).where(
            Organization.id.in_(_districts_under(org.id)),
            Organization.level.in_(DISTRICT_LEVELS),
        )
    ).all()
    return {code: name for code, name in rows}


def _strata(draw: SpotCheckDraw, names: dict[str, str]) -> list[DistrictRow]:
    return [
        DistrictRow(code, names.get(code, code), int(s["population"]), int(s["drawn"]))
        for code, s in sorted((draw.strata or {}).items())
    ]


def _sample(draw: SpotCheckDraw, names: dict[str, str]) -> list[SampleRow]:
    strata = {e["nomination_id"]: e["stratum"] for e in draw.population or []}
    units = unit_names(list(draw.sample or []))
    rows = [
        SampleRow(nid, units.get(nid, ""), names.get(strata.get(nid, ""), ""))
        for nid in draw.sample or []
    ]
    return sorted(rows, key=lambda r: (r.district, r.nomination_id))


def _checks(campaign: Campaign, draw_ids: list[int], *, with_options: bool) -> list[CheckRow]:
    """The drawn nominations of the applied draws, their teams, and — for checks whose team
    may still change — every inspector of the federation with the conflict reason if any.

    A fixed number of queries: the checks with unit and district (one), their assignments and
    inspectors (two), and, for the candidates, the inspector pool (three) and the inspected
    unions' districts (one).
    """
    if not draw_ids:
        return []
    district = aliased(Organization)
    link = aliased(OrgClosure)
    district_ids = select(Organization.id).where(Organization.level.in_(DISTRICT_LEVELS))
    rows = db.session.execute(
        select(
            SpotCheck,
            Nomination.status,
            Nomination.org_id,
            Nomination.nominee_name,
            Organization.name,
            district.name,
        )
        .join(Nomination, Nomination.id == SpotCheck.nomination_id)
        .join(Organization, Organization.id == Nomination.org_id)
        .outerjoin(
            link, and_(link.descendant_id == Nomination.org_id, link.ancestor_id.in_(district_ids))
        )
        .outerjoin(district, district.id == link.ancestor_id)
        .where(SpotCheck.draw_id.in_(draw_ids))
        .options(selectinload(SpotCheck.assignments).selectinload(SpotCheckAssignment.inspector))
        .order_by(district.code, Organization.name, SpotCheck.id)
    ).all()
    required = campaign.inspectors_per_check
    result = [
        CheckRow(check, check.nomination_id, status, unit, nominee, dname or "", required)
        for check, status, _org, nominee, unit, dname in rows
    ]
    org_of = {check.id: org_id for check, _s, org_id, *_rest in rows}
    editable = [r for r in result if r.editable]
    if with_options and editable:
        pool, ancestors = inspector_pool(campaign)
        targets = targets_of({org_of[r.check.id] for r in editable})
        for row in editable:
            target = targets[org_of[row.check.id]]
            have = {a.inspector_id for a in row.check.assignments}
            options = [
                replace(i, reason=conflict_reason(i, ancestors, target))
                for i in pool
                if i.user_id not in have
            ]
            row.options = sorted(options, key=lambda i: (i.reason is not None, i.load, i.user_id))
    return result


def manage_view(campaign: Campaign, org: Organization, *, with_options: bool = True) -> ManageView:
    draws = list(
        db.session.scalars(
            select(SpotCheckDraw)
            .where(SpotCheckDraw.campaign_id == campaign.id, SpotCheckDraw.scope_org_id == org.id)
            .order_by(SpotCheckDraw.id.desc())
        )
    )
    current = next((d for d in draws if d.status in OPEN_STATUSES), None)
    strata: list[DistrictRow] = []
    sample: list[SampleRow] = []
    if current is not None and current.status == DrawStatus.DRAWN:
        names = district_names(org)
        strata, sample = _strata(current, names), _sample(current, names)
    applied = [d.id for d in draws if d.status == DrawStatus.APPLIED]
    return ManageView(
        campaign=campaign,
        org=org,
        draws=draws,
        current=current,
        awaiting=_awaiting(campaign, org)
        if current is None or current.status == DrawStatus.ANNOUNCED
        else [],
        strata=strata,
        sample=sample,
        checks=_checks(campaign, applied, with_options=with_options),
    )


def render(
    campaign: Campaign,
    org: Organization,
    *,
    forms: dict[str, Any] | None = None,
    assign_error: dict[str, Any] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The page; a refused form shows again with what was typed and its errors."""
    view = manage_view(campaign, org)
    forms = dict(forms or {})
    forms.setdefault("announce", AnnounceForm(formdata=None))
    if view.current is not None:
        forms.setdefault(
            "redraw",
            RedrawForm(
                formdata=None,
                prefix="redraw",
                data={"method": view.current.method, "value": view.current.value},
            ),
        )
    return render_template(
        "spot_checks/manage.html",
        view=view,
        campaign=campaign,
        org=org,
        forms=forms,
        assign_error=assign_error or {},
        draw_labels=DRAW_STATUS_LABELS,
        draw_colours=DRAW_STATUS_COLOURS,
        state_labels=STATE_LABELS,
    ), status
