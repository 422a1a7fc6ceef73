"""The member evaluation's page (会员评家), for the union and its reviewers.

The union opens the evaluation, hands out one-time links (see downloads.py), follows the
turnout, enters paper tallies, writes its report and may close early; the district and the
city follow the same page read-only. Members vote on their own pages (public.py).

The services decide; these views read the forms, call them and show the result. Nothing
here reads, logs or stores anything about a member beyond what the services keep.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import flash, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import Conflict, Invalid, NotFound
from app.evaluation import bp, policy
from app.evaluation.card import turnout_data, window_state
from app.evaluation.closing import close_early, early_close_turnout
from app.evaluation.forms import (
    CloseEarlyForm,
    IssueTokensForm,
    OpenEvaluationForm,
    PaperTallyForm,
    ReportForm,
    VoidTokensForm,
    entered,
    parse_dimension_counts,
    parse_serials,
)
from app.evaluation.lookup import evaluation_of, get_evaluation, union_evaluation
from app.evaluation.models import EvaluationStatus, MemberEvaluation
from app.evaluation.opening import default_member_count, evaluation_deadline, open_evaluation
from app.evaluation.pages import CHOICES, RULE_LABELS, fraction, page_url, percent, result_rows
from app.evaluation.results import results, turnout
from app.evaluation.tallies import enter_paper_tally, save_report
from app.evaluation.tokens import MAX_TOKENS, batches, issue_tokens, void_tokens
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import get_nomination
from app.timeutil import BEIJING
from app.web.errors import flash_refusal, refuse
from app.web.forms import apply_errors

DEFAULT_WINDOW_DAYS = 14


def _default_window(nomination: Nomination) -> tuple[datetime, datetime]:
    now = datetime.now(BEIJING).replace(second=0, microsecond=0)
    deadline = evaluation_deadline(nomination)  # 00:00 after the 评家截止 day
    if deadline is not None:
        return now, deadline - timedelta(minutes=1)
    end_day = now.date() + timedelta(days=DEFAULT_WINDOW_DAYS)
    return now, datetime.combine(end_day, time(23, 59), BEIJING)


@bp.route("/nominations/<int:nomination_id>/evaluation", methods=["GET", "POST"])
@login_required
def page(nomination_id: int) -> ResponseReturnValue:
    nomination = get_nomination(current_user, nomination_id)
    evaluation = evaluation_of(nomination.id)
    if evaluation is not None:
        if request.method == "POST":  # opened meanwhile, in another tab
            flash(_("The member evaluation has already been opened."), "warning")
            return redirect(page_url(nomination.id), code=303)
        return _render(nomination, evaluation)
    if not policy.may_open(current_user, nomination):
        raise NotFound(_("This nomination has no member evaluation yet."))
    return _open(nomination)


def _open(nomination: Nomination) -> ResponseReturnValue:
    form = OpenEvaluationForm()
    if request.method == "GET":
        form.opens_at.data, form.closes_at.data = _default_window(nomination)
        form.member_count.data = default_member_count(nomination)
    status = 200
    if form.validate_on_submit():
        try:
            open_evaluation(
                current_user,
                nomination.id,
                opens_at=entered(form.opens_at),
                closes_at=entered(form.closes_at),
                member_count=form.member_count.data,
            )
        except Invalid as exc:
            db.session.rollback()
            flash_refusal(exc, *apply_errors(form, exc.errors))
            status = 422
        else:
            flash(
                _(
                    "The member evaluation is open: %(n)s one-time links were created.",
                    n=form.member_count.data,
                ),
                "success",
            )
            return redirect(page_url(nomination.id), code=303)
    elif request.method == "POST":
        status = 422
    deadline = evaluation_deadline(nomination)
    return render_template(
        "evaluation/open.html",
        nomination=nomination,
        form=form,
        deadline_day=(deadline - timedelta(days=1)).date() if deadline else None,
        default_members=default_member_count(nomination),
        window_days=DEFAULT_WINDOW_DAYS,
    ), status


def _render(
    nomination: Nomination,
    evaluation: MemberEvaluation,
    *,
    forms: dict[str, Any] | None = None,
    close_error: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    union = policy.may_run(current_user, nomination)
    t = turnout(evaluation)
    closed = evaluation.status == EvaluationStatus.CLOSED
    rule = evaluation.rule or nomination.campaign.evaluation_rule or "satisfied_or_basic"
    res = results(evaluation, with_comments=True) if closed else None
    tally = evaluation.paper_tally
    forms = dict(forms or {})
    if union and not closed:
        forms.setdefault("issue", IssueTokensForm(formdata=None))
        forms.setdefault("void", VoidTokensForm(formdata=None))
        forms.setdefault(
            "paper",
            PaperTallyForm(
                formdata=None,
                data={
                    "satisfied": tally.satisfied,
                    "basic": tally.basic,
                    "dissatisfied": tally.dissatisfied,
                    "invalid": tally.invalid,
                }
                if tally
                else None,
            ),
        )
        forms.setdefault("close", CloseEarlyForm(formdata=None))
    if union:
        forms.setdefault("report", ReportForm(formdata=None, obj=evaluation))
    typed_dims = forms.pop("typed_dims", None)
    dim_errors = forms.pop("dim_errors", {})
    paper_dims: dict[str, dict[str, Any]] = {}
    if typed_dims is not None:
        paper_dims = typed_dims
    elif tally and tally.dimension_counts:
        paper_dims = tally.dimension_counts
    return render_template(
        "evaluation/page.html",
        nomination=nomination,
        evaluation=evaluation,
        union=union,
        closed=closed,
        state=window_state(evaluation),
        turnout=turnout_data(evaluation, t),
        early_turnout=percent(early_close_turnout(nomination), 0),
        batches=batches(evaluation) if union and not closed else [],
        tally=tally,
        show_tally=tally is not None and policy.may_see_tally(current_user, nomination, evaluation),
        forms=forms,
        paper_dims=paper_dims,
        dim_errors=dim_errors,
        close_error=close_error,
        res=res,
        rows=result_rows(res, rule) if res else [],
        rule_label=RULE_LABELS.get(rule, ""),
        satisfaction=percent(fraction(evaluation.satisfaction_rate)),
        threshold=percent(fraction(evaluation.threshold), 0),
        closed_turnout=percent(fraction(evaluation.turnout)),
        min_turnout=percent(fraction(evaluation.min_turnout), 0)
        if evaluation.min_turnout is not None
        else None,
        choices=CHOICES,
        max_tokens=MAX_TOKENS,
    ), status


# The union's forms. Each view loads the evaluation for the union (others are refused
# before their form is read); a refusal of the posted form is told on the page.


@bp.post("/nominations/<int:nomination_id>/evaluation/tokens")
@login_required
def issue(nomination_id: int) -> ResponseReturnValue:
    nomination, evaluation = union_evaluation(current_user, nomination_id)
    form = IssueTokensForm()
    if form.validate_on_submit():
        try:
            batch = issue_tokens(current_user, nomination.id, entered(form.count))
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        except Conflict as exc:
            return refuse(exc, page_url(nomination.id), category="danger")
        else:
            flash(
                _(
                    "%(n)s new links were issued as batch %(batch)s; print or export them below.",
                    n=form.count.data,
                    batch=batch,
                ),
                "success",
            )
            return redirect(page_url(nomination.id, "tokens"), code=303)
    flash(_("Please correct the number of links."), "danger")
    return _render(nomination, evaluation, forms={"issue": form}, status=422)


@bp.post("/nominations/<int:nomination_id>/evaluation/void")
@login_required
def void(nomination_id: int) -> ResponseReturnValue:
    nomination, evaluation = union_evaluation(current_user, nomination_id)
    form = VoidTokensForm()
    if form.validate_on_submit():
        serials, error = parse_serials(form.serials.data or "")
        if error:
            form.serials.errors = [error]
        else:
            try:
                voided = void_tokens(current_user, nomination.id, serials)
            except Invalid as exc:
                db.session.rollback()
                apply_errors(form, exc.errors)
            except Conflict as exc:
                return refuse(exc, page_url(nomination.id), category="danger")
            else:
                message = _("%(n)s links were voided.", n=voided)
                if voided < len(serials):
                    message += " " + _(
                        "%(n)s of the numbers were not voided: already used, already void "
                        "or never issued.",
                        n=len(serials) - voided,
                    )
                flash(message, "success" if voided else "warning")
                return redirect(page_url(nomination.id, "tokens"), code=303)
    flash(_("Please correct the serial numbers."), "danger")
    return _render(nomination, evaluation, forms={"void": form}, status=422)


@bp.post("/nominations/<int:nomination_id>/evaluation/paper")
@login_required
def paper(nomination_id: int) -> ResponseReturnValue:
    nomination, evaluation = union_evaluation(current_user, nomination_id)
    form = PaperTallyForm()
    dims, typed, dim_errors = parse_dimension_counts(evaluation, request.form)
    if form.validate_on_submit() and not dim_errors:
        try:
            enter_paper_tally(
                current_user,
                nomination.id,
                satisfied=entered(form.satisfied),
                basic=entered(form.basic),
                dissatisfied=entered(form.dissatisfied),
                invalid=form.invalid.data or 0,
                tally_sheet=request.files.get("tally_sheet"),
                dimension_counts=dims or None,
            )
        except Invalid as exc:
            db.session.rollback()
            for key, messages in exc.errors.items():
                if key.startswith("dimension_counts."):
                    dim_errors[key.partition(".")[2]] = messages
            others = apply_errors(
                form,
                {k: v for k, v in exc.errors.items() if not k.startswith("dimension_counts.")},
                aliases={"file": "tally_sheet"},
            )
            if others:
                form.satisfied.errors = list(form.satisfied.errors) + others
        except Conflict as exc:
            return refuse(exc, page_url(nomination.id), category="danger")
        else:
            flash(_("The paper ballots were recorded."), "success")
            return redirect(page_url(nomination.id, "paper"), code=303)
    flash(_("The paper tally was not saved; please correct it."), "danger")
    return _render(
        nomination,
        evaluation,
        forms={"paper": form, "typed_dims": typed, "dim_errors": dim_errors},
        status=422,
    )


@bp.post("/nominations/<int:nomination_id>/evaluation/report")
@login_required
def report(nomination_id: int) -> ResponseReturnValue:
    nomination, evaluation = union_evaluation(current_user, nomination_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            save_report(
                current_user,
                nomination.id,
                process_notes=form.process_notes.data,
                rectification_measures=form.rectification_measures.data,
            )
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        else:
            flash(_("The report was saved."), "success")
            return redirect(page_url(nomination.id, "report"), code=303)
    flash(_("The report was not saved; please correct it."), "danger")
    return _render(nomination, evaluation, forms={"report": form}, status=422)


@bp.post("/nominations/<int:nomination_id>/evaluation/close")
@login_required
def close(nomination_id: int) -> ResponseReturnValue:
    nomination, evaluation = union_evaluation(current_user, nomination_id)
    CloseEarlyForm().validate_on_submit()  # CSRF is checked before the view runs
    try:
        decision = close_early(current_user, nomination.id)
    except Conflict as exc:
        db.session.rollback()
        nomination, evaluation = get_evaluation(current_user, nomination_id)
        if evaluation.status == EvaluationStatus.CLOSED:
            flash_refusal(exc)  # closed meanwhile: told as a warning
            return redirect(page_url(nomination.id), code=303)
        return _render(nomination, evaluation, close_error=exc.message, status=409)
    if decision.passed:
        flash(
            _(
                "The member evaluation is closed: satisfaction %(rate)s meets the standard.",
                rate=percent(decision.rate),
            ),
            "success",
        )
    else:
        flash(
            _("The member evaluation is closed: the standard was not met.")
            + " "
            + " ".join(decision.reasons),
            "warning",
        )
    return redirect(page_url(nomination.id, "result"), code=303)


@bp.get("/nominations/<int:nomination_id>/evaluation/turnout.json")
@login_required
def turnout_json(nomination_id: int) -> ResponseReturnValue:
    _nomination, evaluation = get_evaluation(current_user, nomination_id)
    response = jsonify(turnout_data(evaluation, turnout(evaluation)))
    response.headers["Cache-Control"] = "no-store"
    return response
