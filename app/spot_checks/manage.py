"""The drawing organisation's spot-check page, one per campaign (随机抽查管理).

The city federation (or each district's reviewer when the campaign draws by district)
announces a draw with its seed's commitment, makes the draw, checks the sample and applies
it, or supersedes it with a reason; then assigns inspectors to the drawn nominations,
automatically or by hand within the conflict-of-interest rule, follows each check, and
exports the list and the draw record.

The services decide and commit; these views read the forms, call them and show the result.
The page loads in a fixed number of queries whatever the number of checks: the candidate
inspectors of every check are computed from one pool, not one lookup per check.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, selectinload

from app.campaigns.models import Campaign
from app.campaigns.services import get_campaign
from app.errors import Conflict, DomainError, Invalid, NotFound
from app.extensions import db
from app.nominations.models import Nomination
from app.orgs.models import DISTRICT_LEVELS, Organization, OrgClosure
from app.spot_checks import bp
from app.spot_checks.assign import (
    Inspector,
    assign_inspector,
    auto_assign,
    conflict_reason,
    inspector_pool,
    targets_of,
    unassign_inspector,
)
from app.spot_checks.checks import CONCLUSION_LABELS
from app.spot_checks.forms_manage import AnnounceForm, AssignForm, RedrawForm
from app.spot_checks.models import DrawStatus, SpotCheck, SpotCheckAssignment, SpotCheckDraw
from app.spot_checks.policy import drawing_org
from app.spot_checks.services import (
    OPEN_STATUSES,
    announce_draw,
    apply_draw,
    make_draw,
    redraw,
    unit_names,
)
from app.spot_checks.words import DRAW_STATUS_COLOURS, DRAW_STATUS_LABELS
from app.timeutil import format_beijing
from app.web.downloads import csv_response
from app.web.forms import apply_errors
from workflows.nomination import STATE_LABELS

# -- who may open the page ------------------------------------------------------------------


def _scope(campaign_id: int) -> tuple[Campaign, Organization]:
    """The campaign (404 outside the user's view) and the organisation the user draws for
    (403 for anyone who does not run this campaign's draw)."""
    campaign = get_campaign(current_user, campaign_id)
    return campaign, drawing_org(current_user, campaign)


def _own_draw(campaign: Campaign, org: Organization, draw_id: int) -> SpotCheckDraw:
    draw = db.session.get(SpotCheckDraw, draw_id)
    if draw is None or draw.campaign_id != campaign.id or draw.scope_org_id != org.id:
        raise NotFound(_("Not found, or you are not allowed to see it."))
    return draw


def _own_check(campaign: Campaign, org: Organization, check_id: int) -> SpotCheck:
    check = db.session.get(SpotCheck, check_id)
    if check is None or check.draw.campaign_id != campaign.id or check.draw.scope_org_id != org.id:
        raise NotFound(_("Not found, or you are not allowed to see it."))
    return check


def _page_url(campaign_id: int, fragment: str | None = None) -> str:
    url = url_for("spot_checks.manage", campaign_id=campaign_id)
    return f"{url}#{fragment}" if fragment else url


def _refused(campaign_id: int, exc: DomainError, fragment: str | None = None):  # type: ignore[no-untyped-def]
    """A refusal the user can act on: say why on the page (403/404 stay error pages)."""
    db.session.rollback()
    if exc.status in (403, 404):
        raise exc
    flash(" ".join([exc.message, *exc.problems]), "danger")
    return redirect(_page_url(campaign_id, fragment), code=303)


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


def _districts_under(org_id: int) -> Any:
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


def _district_names(org: Organization) -> dict[str, str]:
    """District code → name under the drawing organisation (the strata are keyed by code)."""
    return dict(
        db.session.execute(
            select(Organization.code, Organization.name).where(
                Organization.id.in_(_districts_under(org.id)),
                Organization.level.in_(DISTRICT_LEVELS),
            )
        ).all()
    )


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
        names = _district_names(org)
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


def _render(
    campaign: Campaign,
    org: Organization,
    *,
    forms: dict[str, Any] | None = None,
    assign_error: dict[str, Any] | None = None,
    status: int = 200,
):  # type: ignore[no-untyped-def]
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


# -- the page and the draw ------------------------------------------------------------------


@bp.get("/campaigns/<int:campaign_id>/spot-checks")
@login_required
def manage(campaign_id: int):  # type: ignore[no-untyped-def]
    campaign, org = _scope(campaign_id)
    return _render(campaign, org)


@bp.post("/campaigns/<int:campaign_id>/spot-checks/announce")
@login_required
def manage_announce(campaign_id: int):  # type: ignore[no-untyped-def]
    campaign, org = _scope(campaign_id)
    form = AnnounceForm()
    if form.validate_on_submit():
        try:
            draw = announce_draw(
                current_user,
                campaign.id,
                method=form.method.data,
                value=form.value.data,
                seed=form.seed.data,
            )
        except Invalid as exc:
            db.session.rollback()
            others = apply_errors(form, exc.errors)
            flash(" ".join([exc.message, *others]), "danger")
        except Conflict as exc:
            return _refused(campaign.id, exc, "draw")
        else:
            flash(
                _(
                    "Draw No. %(id)s announced: the seed's commitment is published; the seed "
                    "itself is revealed when you make the draw.",
                    id=draw.id,
                ),
                "success",
            )
            return redirect(_page_url(campaign.id, "draw"), code=303)
    return _render(campaign, org, forms={"announce": form}, status=422)


@bp.post("/campaigns/<int:campaign_id>/spot-checks/draws/<int:draw_id>/draw")
@login_required
def manage_make_draw(campaign_id: int, draw_id: int):  # type: ignore[no-untyped-def]
    campaign, org = _scope(campaign_id)
    draw = _own_draw(campaign, org, draw_id)
    try:
        draw = make_draw(current_user, draw.id)
    except Conflict as exc:
        return _refused(campaign.id, exc, "draw")
    flash(
        _(
            "Drawn: %(drawn)s of %(population)s nominations. Check the sample, then apply it.",
            drawn=len(draw.sample or []),
            population=len(draw.population or []),
        ),
        "success",
    )
    return redirect(_page_url(campaign.id, "draw"), code=303)


@bp.post("/campaigns/<int:campaign_id>/spot-checks/draws/<int:draw_id>/apply")
@login_required
def manage_apply(campaign_id: int, draw_id: int):  # type: ignore[no-untyped-def]
    campaign, org = _scope(campaign_id)
    draw = _own_draw(campaign, org, draw_id)
    try:
        draw = apply_draw(current_user, draw.id)
    except Conflict as exc:
        return _refused(campaign.id, exc, "draw")
    flash(
        _(
            "The draw is applied: %(n)s nominations go to the spot check, the others become "
            "candidates for commendation.",
            n=len(draw.sample or []),
        ),
        "success",
    )
    return redirect(_page_url(campaign.id, "checks"), code=303)


@bp.post("/campaigns/<int:campaign_id>/spot-checks/draws/<int:draw_id>/redraw")
@login_required
def manage_redraw(campaign_id: int, draw_id: int):  # type: ignore[no-untyped-def]
    campaign, org = _scope(campaign_id)
    draw = _own_draw(campaign, org, draw_id)
    form = RedrawForm(prefix="redraw")
    if form.validate_on_submit():
        try:
            new = redraw(
                current_user,
                draw.id,
                reason=form.reason.data,
                method=form.method.data,
                value=form.value.data,
                seed=form.seed.data,
            )
        except Invalid as exc:
            db.session.rollback()
            others = apply_errors(form, exc.errors)
            flash(" ".join([exc.message, *others]), "danger")
        except Conflict as exc:
            return _refused(campaign.id, exc, "draw")
        else:
            flash(
                _(
                    "Draw No. %(new)s announced in place of No. %(old)s, which is kept in the "
                    "record with your reason.",
                    new=new.id,
                    old=draw.id,
                ),
                "success",
            )
            return redirect(_page_url(campaign.id, "draw"), code=303)
    else:
        flash(_("The draw was not redone; please correct the form."), "danger")
    return _render(campaign, org, forms={"redraw": form}, status=422)


# -- inspectors -----------------------------------------------------------------------------


@bp.post("/campaigns/<int:campaign_id>/spot-checks/auto-assign")
@login_required
def manage_auto_assign(campaign_id: int):  # type: ignore[no-untyped-def]
    campaign, org = _scope(campaign_id)
    draws = db.session.scalars(
        select(SpotCheckDraw.id)
        .where(
            SpotCheckDraw.campaign_id == campaign.id,
            SpotCheckDraw.scope_org_id == org.id,
            SpotCheckDraw.status == DrawStatus.APPLIED,
        )
        .order_by(SpotCheckDraw.id)
    ).all()
    if not draws:
        flash(_("Inspectors can be assigned once a draw is applied."), "warning")
        return redirect(_page_url(campaign.id), code=303)
    assigned, short = 0, []
    for draw_id in draws:
        try:
            result = auto_assign(current_user, draw_id)
        except Conflict as exc:
            return _refused(campaign.id, exc, "checks")
        assigned += result.assigned
        short.extend(result.short)
    if assigned:
        flash(_("%(n)s inspector places were filled automatically.", n=assigned), "success")
    elif not short:
        flash(_("Every check already has enough inspectors; nobody was added."), "info")
    for line in short:
        flash(_("Not filled: %(line)s", line=line), "warning")
    return redirect(_page_url(campaign.id, "checks"), code=303)


def _inspector_id(form: AssignForm) -> int | None:
    raw = (form.inspector_id.data or "").strip()
    return int(raw) if raw.isdecimal() else None


@bp.post("/campaigns/<int:campaign_id>/spot-checks/checks/<int:check_id>/assign")
@login_required
def manage_assign(campaign_id: int, check_id: int):  # type: ignore[no-untyped-def]
    campaign, org = _scope(campaign_id)
    check = _own_check(campaign, org, check_id)
    form = AssignForm()
    inspector_id = _inspector_id(form) if form.validate_on_submit() else None
    if inspector_id is None:
        message = (form.inspector_id.errors or [_("Please choose an inspector.")])[0]
        flash(message, "danger")
        return _render(
            campaign,
            org,
            status=422,
            assign_error={"check_id": check.id, "message": message, "selected": None},
        )
    try:
        assignment = assign_inspector(current_user, check.id, inspector_id)
    except Invalid as exc:
        db.session.rollback()
        message = (exc.errors.get("inspector_id") or [exc.message])[0]
        flash(exc.message, "danger")
        return _render(
            campaign,
            org,
            status=422,
            assign_error={"check_id": check_id, "message": message, "selected": inspector_id},
        )
    except Conflict as exc:
        return _refused(campaign.id, exc, f"check-{check_id}")
    flash(_("%(name)s was assigned.", name=assignment.inspector.display_name), "success")
    return redirect(_page_url(campaign.id, f"check-{check_id}"), code=303)


@bp.post("/campaigns/<int:campaign_id>/spot-checks/checks/<int:check_id>/unassign")
@login_required
def manage_unassign(campaign_id: int, check_id: int):  # type: ignore[no-untyped-def]
    campaign, org = _scope(campaign_id)
    check = _own_check(campaign, org, check_id)
    # Looked up in the team, never by the posted number (an overflowing one would fail in
    # the database): whoever is not on it is not removed.
    inspector_id = request.form.get("inspector_id", type=int)
    member = next((a for a in check.assignments if a.inspector_id == inspector_id), None)
    if member is None:
        flash(_("This inspector is not on the team."), "warning")
        return redirect(_page_url(campaign.id, f"check-{check.id}"), code=303)
    name = member.inspector.display_name
    try:
        unassign_inspector(current_user, check.id, member.inspector_id)
    except (Conflict, NotFound) as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(_page_url(campaign.id, f"check-{check.id}"), code=303)
    flash(_("%(name)s was removed from the team.", name=name), "success")
    return redirect(_page_url(campaign.id, f"check-{check.id}"), code=303)


# -- downloads ------------------------------------------------------------------------------


@bp.get("/campaigns/<int:campaign_id>/spot-checks/checks.csv")
@login_required
def manage_checks_csv(campaign_id: int):  # type: ignore[no-untyped-def]
    """The drawn nominations with their inspectors and conclusions."""
    campaign, org = _scope(campaign_id)
    view = manage_view(campaign, org, with_options=False)
    header = [
        _("Check No."),
        _("Nomination No."),
        _("Unit"),
        _("Nominee"),
        _("District"),
        _("State"),
        _("Inspectors"),
        _("Agreed"),
        _("Conclusion"),
        _("Conclusion in effect (Beijing time)"),
        _("Rectification deadline"),
    ]
    return csv_response(
        f"spot-checks-campaign-{campaign.id}.csv",
        header,
        (
            [
                r.check.id,
                r.nomination_id,
                r.unit,
                r.nominee,
                r.district,
                STATE_LABELS[r.status],
                r.inspector_names,
                f"{r.agreed}/{max(r.required, len(r.assignments))}",
                r.conclusion,
                format_beijing(r.check.concluded_at),
                r.check.rectification_deadline.isoformat()
                if r.check.rectification_deadline
                else "",
            ]
            for r in view.checks
        ),
    )


@bp.get("/campaigns/<int:campaign_id>/spot-checks/draws/<int:draw_id>.csv")
@login_required
def manage_draw_csv(campaign_id: int, draw_id: int):  # type: ignore[no-untyped-def]
    """The draw record: every nomination of the population, its district, and whether drawn."""
    campaign, org = _scope(campaign_id)
    draw = _own_draw(campaign, org, draw_id)
    if draw.population is None:
        raise Conflict(_("This draw has not been made yet: there is no population to export."))
    names = _district_names(org)
    units = unit_names([e["nomination_id"] for e in draw.population])
    sample = set(draw.sample or [])
    header = [
        _("Draw No."),
        _("District code"),
        _("District"),
        _("Nomination No."),
        _("Unit"),
        _("Drawn"),
    ]
    yes = _("Yes")
    return csv_response(
        f"draw-{draw.id}.csv",
        header,
        (
            [
                draw.id,
                e["stratum"],
                names.get(e["stratum"], ""),
                e["nomination_id"],
                units.get(e["nomination_id"], ""),
                yes if e["nomination_id"] in sample else "",
            ]
            for e in draw.population
        ),
    )
