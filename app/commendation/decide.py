"""The city federation's 表彰 pages: the decision board of a campaign, the published lists
with their objections and the commendation, the working-day calendar, the Excel lists.

- The board shows each district's quota against what is selected (already published and
  commended homes count too), with a chart, and the candidates with what the decision
  needs; the city ranks and ticks them and saves. A selection over a quota is refused as a
  whole: the reason is shown at the top and beside the district, and the table keeps what
  was typed.
- Publishing puts the ticked candidates on a public list for the campaign's number of
  working days, counted on the city's calendar (the page shows the period first).
- Every objection is answered here (the city sees the contact details, the public never
  does); the commendation is issued once the period is over and nothing is left open.

The services decide and commit; these views read the forms, call them and show the result.
The board runs a fixed number of SQL statements whatever the number of candidates,
publicities or objections.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.calendar.services import period_of_working_days
from app.campaigns.models import Campaign
from app.campaigns.services import get_campaign as visible_campaign
from app.commendation import bp, policy
from app.commendation import services as svc
from app.commendation.forms_decide import (
    AnswerForm,
    CommendForm,
    PublishForm,
    SelectionForm,
)
from app.commendation.models import (
    Certificate,
    Commendation,
    Objection,
    ObjectionStatus,
    Publicity,
    PublicityEntry,
)
from app.errors import Conflict, DomainError, Invalid, NotFound
from app.extensions import db
from app.nominations.models import Nomination
from app.timeutil import beijing_today
from app.web.downloads import xlsx_response
from app.web.forms import apply_errors
from app.web.templating import label
from workflows.nomination import STATE_LABELS

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
# Every state a listed home can be in afterwards (the lists read them all in one query).
ALL_STATES = tuple(STATE_LABELS)
XLSX_WIDTHS = [6, 14, 30, 16, 12, 10, 12, 14, 8, 10]


# -- who may open the pages -------------------------------------------------------------------


def _campaign(campaign_id: int) -> Campaign:
    """The campaign (404 outside the user's view), only for its city federation (403)."""
    campaign = visible_campaign(current_user, campaign_id)
    policy.require_city(current_user, campaign)
    return campaign


def _own_publicity(campaign: Campaign, publicity_id: int) -> Publicity:
    publicity = db.session.get(Publicity, publicity_id)
    if publicity is None or publicity.campaign_id != campaign.id:
        raise NotFound(_("Not found, or you are not allowed to see it."))
    return publicity


def _board_url(campaign_id: int, fragment: str | None = None) -> str:
    url = url_for("commendation.decide", campaign_id=campaign_id)
    return f"{url}#{fragment}" if fragment else url


def _refused(campaign_id: int, exc: DomainError, fragment: str | None = None):  # type: ignore[no-untyped-def]
    """A refusal the user can act on: say why on the page (403/404 stay error pages)."""
    db.session.rollback()
    if exc.status in (403, 404):
        raise exc
    flash(" ".join([exc.message, *exc.problems]), "danger")
    return redirect(_board_url(campaign_id, fragment), code=303)


# -- what the board shows -----------------------------------------------------------------


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


def _quota_lines(board: svc.Board, choices: dict[int, Choice]) -> list[QuotaLine]:
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


def _publicity_views(campaign: Campaign) -> list[PublicityView]:
    """The campaign's lists, newest first, with their objections and commendation (a fixed
    number of queries: lists, entry counts, objections, commendations and certificates)."""
    found = svc.publicities(campaign.id)
    if not found:
        return []
    homes = dict(
        db.session.execute(
            select(PublicityEntry.publicity_id, func.count())
            .where(PublicityEntry.publicity_id.in_([p.id for p in found]))
            .group_by(PublicityEntry.publicity_id)
        ).all()
    )
    by_publicity: dict[int, list[Objection]] = {}
    for objection in svc.objections(campaign.id):
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


def _period(campaign: Campaign, form: PublishForm) -> dict[str, Any] | None:
    """The publicity period the form's start date would give, on the city's calendar."""
    starts_on = form.starts_on.data if isinstance(form.starts_on.data, date) else None
    if starts_on is None or form.starts_on.errors:
        return None
    try:
        first, last = period_of_working_days(starts_on, campaign.publicity_working_days)
    except ValueError as exc:
        return {"error": str(exc)}
    return {"starts_on": starts_on, "first": first, "last": last}


def _render(
    campaign: Campaign,
    *,
    typed: dict[int, Choice] | None = None,  # type: ignore[no-untyped-def]
    selection_errors: dict[str, list[str]] | None = None,
    publish_form: PublishForm | None = None,
    answer_forms: dict[int, AnswerForm] | None = None,
    commend_forms: dict[int, CommendForm] | None = None,
    commend_refusal: dict[int, DomainError] | None = None,
    status: int = 200,
):
    board = svc.board(current_user, campaign.id)
    choices = {
        r.nomination.id: Choice("" if r.rank is None else str(r.rank), r.selected)
        for r in board.rows
    }
    for nid, choice in (typed or {}).items():
        if nid in choices:
            choices[nid] = choice
    publish_form = publish_form or PublishForm(formdata=None, data={"starts_on": beijing_today()})
    views = _publicity_views(campaign)
    answers = dict(answer_forms or {})
    commends = dict(commend_forms or {})
    for view in views:
        for o in view.objections:
            if o.status == ObjectionStatus.OPEN and o.id not in answers:
                answers[o.id] = AnswerForm(formdata=None, prefix=f"o{o.id}")
        pid = view.publicity.id
        if view.commendation is None and pid not in commends:
            commends[pid] = CommendForm(
                formdata=None, prefix=f"c{pid}", data={"decided_on": beijing_today()}
            )
    return render_template(
        "commendation/decide.html",
        campaign=campaign,
        board=board,
        quotas=_quota_lines(board, choices),
        choices=choices,
        selection_errors=selection_errors or {},
        publish_form=publish_form,
        period=_period(campaign, publish_form),
        publicities=views,
        answer_forms=answers,
        commend_forms=commends,
        commend_refusal=commend_refusal or {},
        publicity_states=PUBLICITY_STATES,
        objection_states=OBJECTION_STATES,
        today=beijing_today(),
    ), status


# -- the board and the selection ------------------------------------------------------------


@bp.get("/campaigns/<int:campaign_id>/commendation")
@login_required
def decide(campaign_id: int):  # type: ignore[no-untyped-def]
    campaign = _campaign(campaign_id)
    return _render(campaign)


def _typed_choices() -> dict[int, Choice]:
    """The ranks and ticks of the posted table, by nomination (the rows list their ids)."""
    typed: dict[int, Choice] = {}
    for raw in request.form.getlist("nomination"):
        if raw.isdigit():
            nid = int(raw)
            typed[nid] = Choice(
                (request.form.get(f"rank_{nid}") or "").strip()[:12],
                bool(request.form.get(f"selected_{nid}")),
            )
    return typed


@bp.post("/campaigns/<int:campaign_id>/commendation/selection")
@login_required
def decide_save(campaign_id: int):  # type: ignore[no-untyped-def]
    campaign = _campaign(campaign_id)
    SelectionForm().validate_on_submit()  # CSRF is checked before the view runs
    typed = _typed_choices()
    if not typed:
        flash(_("There are no candidates to save."), "warning")
        return redirect(_board_url(campaign.id, "candidates"), code=303)
    try:
        result = svc.save_selection(
            current_user,
            campaign.id,
            {nid: {"selected": c.selected, "rank": c.rank} for nid, c in typed.items()},
        )
    except Invalid as exc:
        db.session.rollback()  # the reasons are shown at the top and beside each district
        return _render(campaign, typed=typed, selection_errors=exc.errors, status=422)
    flash(_("Selection saved: %(n)s candidates selected.", n=len(result.selected)), "success")
    return redirect(_board_url(campaign.id, "candidates"), code=303)


# -- publishing -------------------------------------------------------------------------------


@bp.post("/campaigns/<int:campaign_id>/commendation/publish")
@login_required
def decide_publish(campaign_id: int):  # type: ignore[no-untyped-def]
    """Publish the list, or (the 计算公示期 button) only show the period for the date."""
    campaign = _campaign(campaign_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return _render(campaign, publish_form=form, status=422)
    if request.form.get("preview"):
        return _render(campaign, publish_form=form)
    try:
        publicity = svc.publish_list(
            current_user, campaign.id, starts_on=form.starts_on.data, title=form.title.data
        )
    except Invalid as exc:
        db.session.rollback()
        others = apply_errors(form, exc.errors)
        flash(" ".join([exc.message, *others]), "danger")
        return _render(campaign, publish_form=form, status=422)
    except Conflict as exc:
        return _refused(campaign.id, exc, "publish")
    flash(
        _(
            "The list is published for objections from %(start)s to %(end)s (%(n)s working days).",
            start=publicity.starts_on.isoformat(),
            end=publicity.ends_on.isoformat(),
            n=publicity.working_days,
        ),
        "success",
    )
    return redirect(_board_url(campaign.id, f"publicity-{publicity.id}"), code=303)


# -- objections and the commendation --------------------------------------------------------


@bp.post("/campaigns/<int:campaign_id>/commendation/objections/<int:objection_id>/answer")
@login_required
def decide_answer(campaign_id: int, objection_id: int):  # type: ignore[no-untyped-def]
    campaign = _campaign(campaign_id)
    objection = svc.get_objection(current_user, objection_id)
    if objection.publicity.campaign_id != campaign.id:
        raise NotFound(_("Not found, or you are not allowed to see it."))
    form = AnswerForm(prefix=f"o{objection.id}")
    if form.validate_on_submit():
        try:
            svc.answer_objection(
                current_user,
                objection.id,
                decision=form.decision.data,
                answer=form.answer.data,
                deadline=form.deadline.data,
            )
        except Invalid as exc:
            db.session.rollback()
            others = apply_errors(form, exc.errors)
            flash(" ".join([exc.message, *others]), "danger")
        except Conflict as exc:
            return _refused(campaign.id, exc, f"objection-{objection_id}")
        else:
            flash(_("Objection No. %(id)s is answered.", id=objection_id), "success")
            return redirect(_board_url(campaign.id, f"objection-{objection_id}"), code=303)
    else:
        flash(_("The answer was not saved; please correct the form."), "danger")
    return _render(campaign, answer_forms={objection_id: form}, status=422)


@bp.post("/campaigns/<int:campaign_id>/commendation/publicities/<int:publicity_id>/commend")
@login_required
def decide_commend(campaign_id: int, publicity_id: int):  # type: ignore[no-untyped-def]
    campaign = _campaign(campaign_id)
    publicity = _own_publicity(campaign, publicity_id)
    form = CommendForm(prefix=f"c{publicity.id}")
    if form.validate_on_submit():
        try:
            commendation = svc.commend(
                current_user,
                publicity.id,
                document_number=form.document_number.data,
                decided_on=form.decided_on.data,
            )
        except Invalid as exc:
            db.session.rollback()
            others = apply_errors(form, exc.errors)
            flash(" ".join([exc.message, *others]), "danger")
        except Conflict as exc:
            db.session.rollback()
            if publicity.commendation_id is not None:  # issued meanwhile: no form to show it by
                return _refused(campaign.id, exc, f"publicity-{publicity_id}")
            return _render(
                campaign,
                commend_forms={publicity_id: form},
                commend_refusal={publicity_id: exc},
                status=409,
            )
        else:
            flash(
                _(
                    "Commendation %(number)s issued: %(n)s certificates.",
                    number=commendation.document_number,
                    n=len(commendation.certificates),
                ),
                "success",
            )
            return redirect(_board_url(campaign.id, f"publicity-{publicity_id}"), code=303)
    else:
        flash(_("The commendation was not issued; please correct the form."), "danger")
    return _render(campaign, commend_forms={publicity_id: form}, status=422)


# -- Excel lists ------------------------------------------------------------------------------


def _xlsx_header() -> list[str]:
    return [
        _("Row No."),
        _("District (county)"),
        _("Unit name"),
        _("Award type"),
        _("Self-assessment items met"),
        _("Membership rate"),
        _("Member satisfaction rate"),
        _("Spot-check result"),
    ]


def _xlsx_cells(number: int, row: svc.CandidateRow) -> list[Any]:
    nomination = row.nomination
    unit = nomination.org.name
    if nomination.nominee_name:
        unit = f"{nomination.nominee_name}（{unit}）"
    return [
        number,
        row.district_name,
        unit,
        label(nomination.award_label),
        f"{row.items_met}/{row.items_total}",
        row.membership_percent,
        row.satisfaction_percent,
        label(row.check),
    ]


@bp.get("/campaigns/<int:campaign_id>/commendation/candidates.xlsx")
@login_required
def decide_candidates_xlsx(campaign_id: int):  # type: ignore[no-untyped-def]
    """The candidate list as the board shows it, ranked, with the saved choice."""
    campaign = _campaign(campaign_id)
    board = svc.board(current_user, campaign.id)
    yes, no = _("Yes"), _("No")
    rows = [
        [*_xlsx_cells(i, r), r.rank if r.rank is not None else "", yes if r.selected else no]
        for i, r in enumerate(board.rows, start=1)
    ]
    return xlsx_response(
        f"commendation-candidates-{campaign.id}.xlsx",
        _("Candidate list"),
        [*_xlsx_header(), _("Rank"), _("Selected for commendation")],
        rows,
        heading=_("%(campaign)s Candidates for commendation", campaign=campaign.name),
        widths=XLSX_WIDTHS,
    )


@bp.get("/campaigns/<int:campaign_id>/commendation/publicities/<int:publicity_id>/list.xlsx")
@login_required
def decide_list_xlsx(campaign_id: int, publicity_id: int):  # type: ignore[no-untyped-def]
    """The commended homes with the 文号 and certificate serials; before the commendation,
    the published list with each home's state."""
    campaign = _campaign(campaign_id)
    publicity = _own_publicity(campaign, publicity_id)
    rows = {r.nomination.id: r for r in svc.candidate_rows(campaign.id, ALL_STATES)}
    order = [
        e.nomination_id
        for e in db.session.scalars(
            select(PublicityEntry)
            .where(PublicityEntry.publicity_id == publicity.id)
            .order_by(PublicityEntry.position)
        )
    ]
    if publicity.commendation_id is not None:
        commendation = db.session.scalar(
            select(Commendation)
            .where(Commendation.id == publicity.commendation_id)
            .options(selectinload(Commendation.certificates))
        )
        certificates = {c.nomination_id: c for c in commendation.certificates}
        listed = [rows[n] for n in order if n in certificates and n in rows]
        revoked = _("revoked")
        body = [
            [
                *_xlsx_cells(i, r),
                commendation.document_number,
                commendation.decided_on.isoformat(),
                certificates[r.nomination.id].serial
                + (f"（{revoked}）" if certificates[r.nomination.id].revoked_on else ""),
            ]
            for i, r in enumerate(listed, start=1)
        ]
        return xlsx_response(
            f"commendation-decision-{commendation.id}.xlsx",
            _("Commendation list"),
            [
                *_xlsx_header(),
                _("Document number"),
                _("Date of the decision"),
                _("Certificate No."),
            ],
            body,
            heading=_(
                "%(campaign)s Commendation list (%(number)s)",
                campaign=campaign.name,
                number=commendation.document_number,
            ),
            widths=[*XLSX_WIDTHS[:8], 22, 12, 16],
        )
    period = f"{publicity.starts_on.isoformat()} — {publicity.ends_on.isoformat()}"
    body = [
        [*_xlsx_cells(i, rows[n]), period, label(STATE_LABELS[rows[n].nomination.status])]
        for i, n in enumerate([n for n in order if n in rows], start=1)
    ]
    return xlsx_response(
        f"commendation-publicity-{publicity.id}.xlsx",
        _("Published list"),
        [*_xlsx_header(), _("Publicity period"), _("State")],
        body,
        heading=_("%(campaign)s List published for commendation", campaign=campaign.name),
        widths=[*XLSX_WIDTHS[:8], 24, 12],
    )
