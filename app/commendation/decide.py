"""The city federation's 表彰 pages: the decision board of a campaign, the published lists
with their objections and the commendation, the Excel lists.

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
What the page shows is built by `app.commendation.decision_page`. The board runs a fixed
number of SQL statements whatever the number of candidates, publicities or objections.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.campaigns.models import Campaign
from app.campaigns.services import get_campaign as visible_campaign
from app.commendation import bp, policy, selection
from app.commendation.certificates import commend
from app.commendation.decision_page import (
    OBJECTION_STATES,
    PUBLICITY_STATES,
    Choice,
    period_preview,
    publicity_views,
    quota_lines,
)
from app.commendation.forms_decide import (
    AnswerForm,
    CommendForm,
    PublishForm,
    SelectionForm,
)
from app.commendation.models import (
    Commendation,
    ObjectionStatus,
    Publicity,
    PublicityEntry,
)
from app.commendation.objections import answer_objection, get_objection
from app.commendation.publicity import publish_list
from app.errors import Conflict, DomainError, Invalid, NotFound
from app.extensions import db
from app.timeutil import beijing_today
from app.web.downloads import xlsx_response
from app.web.errors import flash_refusal, refuse
from app.web.forms import apply_errors, whole_number
from app.web.templating import label
from workflows.nomination import STATE_LABELS

# Every state a listed home can be in afterwards (the lists read them all in one query).
ALL_STATES = tuple(STATE_LABELS)
XLSX_WIDTHS = [6, 14, 30, 16, 12, 10, 12, 14, 8, 10]


# -- who may open the pages -------------------------------------------------------------------


def _campaign(campaign_id: int) -> Campaign:
    """The campaign (404 outside the user's view), only for its city federation (403)."""
    campaign = visible_campaign(current_user, campaign_id)
    policy.require_manage(current_user, campaign)
    return campaign


def _own_publicity(campaign: Campaign, publicity_id: int) -> Publicity:
    found = db.session.get(Publicity, publicity_id)
    if found is None or found.campaign_id != campaign.id:
        raise NotFound(_("Not found, or you are not allowed to see it."))
    return found


def _board_url(campaign_id: int, fragment: str | None = None) -> str:
    url = url_for("commendation.decide", campaign_id=campaign_id)
    return f"{url}#{fragment}" if fragment else url


# -- the page ---------------------------------------------------------------------------------


def _render(
    campaign: Campaign,
    *,
    typed: dict[int, Choice] | None = None,
    selection_errors: dict[str, list[str]] | None = None,
    publish_form: PublishForm | None = None,
    answer_forms: dict[int, AnswerForm] | None = None,
    commend_forms: dict[int, CommendForm] | None = None,
    commend_refusal: dict[int, DomainError] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    board = selection.board(current_user, campaign.id)
    choices = {
        r.nomination.id: Choice("" if r.rank is None else str(r.rank), r.selected)
        for r in board.rows
    }
    for nid, choice in (typed or {}).items():
        if nid in choices:
            choices[nid] = choice
    publish_form = publish_form or PublishForm(formdata=None, data={"starts_on": beijing_today()})
    views = publicity_views(campaign)
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
        quotas=quota_lines(board, choices),
        choices=choices,
        selection_errors=selection_errors or {},
        publish_form=publish_form,
        period=period_preview(campaign, publish_form),
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
def decide(campaign_id: int) -> ResponseReturnValue:
    campaign = _campaign(campaign_id)
    return _render(campaign)


def _typed_choices() -> dict[int, Choice]:
    """The ranks and ticks of the posted table, by nomination (the rows list their ids)."""
    typed: dict[int, Choice] = {}
    for raw in request.form.getlist("nomination"):
        nid = whole_number(raw, 1)
        if nid is not None:
            typed[nid] = Choice(
                (request.form.get(f"rank_{nid}") or "").strip()[:12],
                bool(request.form.get(f"selected_{nid}")),
            )
    return typed


@bp.post("/campaigns/<int:campaign_id>/commendation/selection")
@login_required
def decide_save(campaign_id: int) -> ResponseReturnValue:
    campaign = _campaign(campaign_id)
    SelectionForm().validate_on_submit()  # CSRF is checked before the view runs
    typed = _typed_choices()
    if not typed:
        flash(_("There are no candidates to save."), "warning")
        return redirect(_board_url(campaign.id, "candidates"), code=303)
    try:
        result = selection.save_selection(
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
def decide_publish(campaign_id: int) -> ResponseReturnValue:
    """Publish the list, or (the 计算公示期 button) only show the period for the date."""
    campaign = _campaign(campaign_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return _render(campaign, publish_form=form, status=422)
    if request.form.get("preview"):
        return _render(campaign, publish_form=form)
    try:
        published = publish_list(
            current_user, campaign.id, starts_on=form.starts_on.data, title=form.title.data
        )
    except Invalid as exc:
        db.session.rollback()
        flash_refusal(exc, *apply_errors(form, exc.errors))
        return _render(campaign, publish_form=form, status=422)
    except Conflict as exc:
        return refuse(exc, _board_url(campaign.id, "publish"), category="danger")
    flash(
        _(
            "The list is published for objections from %(start)s to %(end)s (%(n)s working days).",
            start=published.starts_on.isoformat(),
            end=published.ends_on.isoformat(),
            n=published.working_days,
        ),
        "success",
    )
    return redirect(_board_url(campaign.id, f"publicity-{published.id}"), code=303)


# -- objections and the commendation --------------------------------------------------------


@bp.post("/campaigns/<int:campaign_id>/commendation/objections/<int:objection_id>/answer")
@login_required
def decide_answer(campaign_id: int, objection_id: int) -> ResponseReturnValue:
    campaign = _campaign(campaign_id)
    objection = get_objection(current_user, objection_id)
    if objection.publicity.campaign_id != campaign.id:
        raise NotFound(_("Not found, or you are not allowed to see it."))
    form = AnswerForm(prefix=f"o{objection.id}")
    if form.validate_on_submit():
        try:
            answer_objection(
                current_user,
                objection.id,
                decision=form.decision.data,
                answer=form.answer.data,
                deadline=form.deadline.data,
            )
        except Invalid as exc:
            db.session.rollback()
            flash_refusal(exc, *apply_errors(form, exc.errors))
        except Conflict as exc:
            return refuse(
                exc, _board_url(campaign.id, f"objection-{objection_id}"), category="danger"
            )
        else:
            flash(_("Objection No. %(id)s is answered.", id=objection_id), "success")
            return redirect(_board_url(campaign.id, f"objection-{objection_id}"), code=303)
    else:
        flash(_("The answer was not saved; please correct the form."), "danger")
    return _render(campaign, answer_forms={objection_id: form}, status=422)


@bp.post("/campaigns/<int:campaign_id>/commendation/publicities/<int:publicity_id>/commend")
@login_required
def decide_commend(campaign_id: int, publicity_id: int) -> ResponseReturnValue:
    campaign = _campaign(campaign_id)
    publicity = _own_publicity(campaign, publicity_id)
    form = CommendForm(prefix=f"c{publicity.id}")
    if form.validate_on_submit():
        try:
            commendation = commend(
                current_user,
                publicity.id,
                document_number=form.document_number.data,
                decided_on=form.decided_on.data,
            )
        except Invalid as exc:
            db.session.rollback()
            flash_refusal(exc, *apply_errors(form, exc.errors))
        except Conflict as exc:
            db.session.rollback()
            if publicity.commendation_id is not None:  # issued meanwhile: no form to show it by
                return refuse(
                    exc, _board_url(campaign.id, f"publicity-{publicity_id}"), category="danger"
                )
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


def _xlsx_cells(number: int, row: selection.CandidateRow) -> list[Any]:
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
def decide_candidates_xlsx(campaign_id: int) -> ResponseReturnValue:
    """The candidate list as the board shows it, ranked, with the saved choice."""
    campaign = _campaign(campaign_id)
    board = selection.board(current_user, campaign.id)
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
def decide_list_xlsx(campaign_id: int, publicity_id: int) -> ResponseReturnValue:
    """The commended homes with the 文号 and certificate serials; before the commendation,
    the published list with each home's state."""
    campaign = _campaign(campaign_id)
    publicity = _own_publicity(campaign, publicity_id)
    rows = {r.nomination.id: r for r in selection.candidate_rows(campaign.id, ALL_STATES)}
    order = [
        e.nomination_id
        for e in db.session.scalars(
            select(PublicityEntry)
            .where(PublicityEntry.publicity_id == publicity.id)
            .order_by(PublicityEntry.position)
        )
    ]
    if publicity.commendation_id is not None:
        commendation = db.session.scalars(
            select(Commendation)
            .where(Commendation.id == publicity.commendation_id)
            .options(selectinload(Commendation.certificates))
        ).one()
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
