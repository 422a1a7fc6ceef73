"""Self-assessment pages: the union fills it in and cites its evidence, everyone else allowed
reads it, the district reviewer comments item by item, and anyone allowed compares two rounds.

The services decide; these views read the form, call them and show the result.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from app.assessment import bp
from app.assessment.diff import diff_rounds
from app.assessment.editing import KEEP, Answer, save_self_assessment
from app.assessment.evidence import add_evidence, unlink_evidence
from app.assessment.forms import DeleteCommentForm, ReviewCommentForm, SelfAssessmentForm
from app.assessment.models import AssessmentRound, RoundStatus
from app.assessment.policy import may_read_comments, require_fill_in, roles_over
from app.assessment.rates import (
    FIGURE_LABELS,
    PART_OF,
    RATE_RULES,
    RateResult,
    compute_rates,
    figure_errors,
)
from app.assessment.review import add_review_comment, delete_review_comment
from app.assessment.round_view import RoundView, round_view
from app.assessment.rounds import get_round, latest_round, rounds_of, thresholds_for
from app.errors import Conflict, DomainError, Invalid, NotFound
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import get_nomination, workflow_for
from app.web.errors import flash_refusal, refuse
from app.web.forms import form_int, query_int
from app.web.urls import safe_next

# Integer columns; anything larger is a typing mistake, not a union.
MAX_FIGURE = 10_000_000
REVIEW_ACTIONS = ("approve", "return", "reject")


def _page_url(nomination_id: int, fragment: str | None = None, **args: Any) -> str:
    url = url_for("assessment.self_assessment", nomination_id=nomination_id, **args)
    return f"{url}#{fragment}" if fragment else url


def _safe_next(nomination_id: int, target: str | None, fallback: str) -> str:
    """Only this nomination's own self-assessment page (with a fragment) may be returned to."""
    base = _page_url(nomination_id)
    if target and (
        target == base or target.startswith(base + "#") or target.startswith(base + "?")
    ):
        return target
    return fallback


def _rates_config(view: RoundView, nomination: Nomination) -> str:
    """What the page's script needs to recompute the rates as the union types."""
    thresholds = thresholds_for(nomination, view.version)
    rules = []
    for rule in RATE_RULES[view.category]:
        t = Fraction(str(thresholds[rule.key]))
        rules.append(
            {
                "key": rule.key,
                "label": str(rule.label),
                "num": list(rule.numerator),
                "den": list(rule.denominator),
                "zeroNA": rule.zero_means_not_applicable,
                "t": [t.numerator, t.denominator],
            }
        )
    required = set(view.figures_required)
    return json.dumps(
        {
            "rules": rules,
            "labels": figure_labels(),
            "partOf": [[p, w] for p, w in PART_OF if p in required and w in required],
        },
        ensure_ascii=False,
    )


def figure_labels() -> dict[str, str]:
    """The key figures' labels in the UI language, by name."""
    return {name: str(text) for name, text in FIGURE_LABELS.items()}


def _parse_figures(
    view: RoundView, form: MultiDict
) -> tuple[dict[str, int | None], dict[str, list[str]]]:
    figures: dict[str, int | None] = {}
    errors: dict[str, list[str]] = {}
    for name in view.figures_required:
        key = f"figures.{name}"
        if key not in form:
            continue
        raw = (form.get(key) or "").strip().replace(",", "").replace("，", "")
        if not raw:
            figures[name] = None
            continue
        try:
            value = int(raw)
        except ValueError:
            errors[key] = [_("Please enter a whole number.")]
            continue
        if value < 0:
            errors[key] = [_("The number cannot be negative.")]
        elif value > MAX_FIGURE:
            errors[key] = [_("The number is too large.")]
        else:
            figures[name] = value
    return figures, errors


def _parse_answers(view: RoundView, form: MultiDict) -> dict[int, Answer]:
    answers: dict[int, Answer] = {}
    for _label, items in view.dimensions:
        for entry in items:
            item_id = entry.item.id
            rating = form.get(f"items.{item_id}.rating")
            statement = form.get(f"items.{item_id}.statement")
            if rating is None and statement is None:
                continue  # not on the form: keep what is saved
            if not rating and not (statement or "").strip() and entry.response is None:
                continue  # nothing typed for an item never answered
            if not rating and entry.response is not None:
                # A radio group cannot be cleared in the browser; unsent means unchanged.
                rating = entry.response.rating
            answers[item_id] = Answer(
                rating=rating or None, statement=KEEP if statement is None else statement
            )
    return answers


@bp.route("/nominations/<int:nomination_id>/self-assessment", methods=["GET", "POST"])
@login_required
def self_assessment(nomination_id: int) -> ResponseReturnValue:
    nomination = get_nomination(current_user, nomination_id)
    latest = latest_round(nomination.id)
    if latest is None:
        raise NotFound(_("This nomination has no self-assessment."))
    if request.method == "POST":
        # Before the form is read: only the union's form, and only an open round, is shown
        # again with its errors.
        require_fill_in(current_user, nomination)
        if not latest.editable:
            raise Conflict(
                _("This self-assessment has been submitted and can no longer be changed.")
            )
        return _save(nomination, latest)
    is_union, is_reviewer = roles_over(current_user, nomination)
    number = query_int("round", 1)
    rnd = latest if not number or number == latest.number else get_round(nomination, number)
    return _render(nomination, rnd, latest, is_union=is_union, is_reviewer=is_reviewer)


def _save(nomination: Nomination, rnd: AssessmentRound) -> ResponseReturnValue:
    SelfAssessmentForm().validate_on_submit()  # CSRF is checked before the view runs
    view = round_view(nomination, rnd)
    figures, errors = _parse_figures(view, request.form)
    answers = _parse_answers(view, request.form)
    if errors:
        merged = {**rnd.figures(), **figures}
        for name, messages in figure_errors(merged).items():
            errors.setdefault(f"figures.{name}", []).extend(messages)
        flash(_("Some fields are invalid; nothing was saved. Please correct them."), "danger")
    else:
        try:
            save_self_assessment(current_user, nomination.id, figures=figures, answers=answers)
        except Invalid as exc:
            db.session.rollback()
            errors = exc.errors
            flash_refusal(exc, category="danger")
        else:
            flash(_("Draft saved."), "success")
            return redirect(_page_url(nomination.id))
    # Show the rates for what was typed, so the panel agrees with the form.
    typed = {**rnd.figures(), **figures}
    rates = compute_rates(view.category, typed, thresholds_for(nomination, view.version))
    return _render(
        nomination,
        rnd,
        rnd,
        is_union=True,
        is_reviewer=False,
        view=view,
        typed=request.form,
        errors=errors,
        rates=rates,
        status=422,
    )


def _render(
    nomination: Nomination,
    rnd: AssessmentRound,
    latest: AssessmentRound,
    *,
    is_union: bool,
    is_reviewer: bool,
    view: RoundView | None = None,
    typed: MultiDict | None = None,
    errors: dict[str, list[str]] | None = None,
    rates: list[RateResult] | None = None,
    comment_errors: dict[str, Any] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    view = view or round_view(nomination, rnd)
    editing = is_union and rnd.id == latest.id and rnd.editable
    reviewing = (
        is_reviewer
        and rnd.id == latest.id
        and nomination.status == "submitted"
        and rnd.status == RoundStatus.SUBMITTED
    )
    show_comments = may_read_comments(rnd, is_union=is_union, is_reviewer=is_reviewer)
    options = workflow_for(current_user, nomination).options() if (editing or reviewing) else []
    submit_option = next((o for o in options if o.action.name == "submit"), None)
    review_options = [o for o in options if o.action.name in REVIEW_ACTIONS]
    errors = errors or {}
    shown_errors = {k for k in errors if k.startswith("figures.") or k.startswith("items.")}
    return render_template(
        "assessment/self_assessment.html",
        nomination=nomination,
        rnd=rnd,
        latest=latest,
        rounds=rounds_of(nomination.id),
        view=view,
        rates=rates if rates is not None else view.rates,
        editing=editing,
        reviewing=reviewing,
        show_comments=show_comments,
        typed=typed,
        errors=errors,
        other_errors=[m for k, ms in errors.items() if k not in shown_errors for m in ms],
        submit_option=submit_option,
        review_options=review_options,
        comment_errors=comment_errors or {},
        comment_count=len(view.general_comments)
        + sum(len(entry.comments) for _label, items in view.dimensions for entry in items),
        # Where the last return's comments are, to jump to them on a long page.
        commented_items=[
            (label, entry)
            for label, items in view.dimensions
            for entry in items
            if entry.previous_comments
        ],
        rates_config=_rates_config(view, nomination) if editing else None,
        figure_labels=figure_labels(),
        page_url=_page_url(nomination.id),
    ), status


@bp.post("/nominations/<int:nomination_id>/review-comments")
@login_required
def add_comment(nomination_id: int) -> ResponseReturnValue:
    nomination = get_nomination(current_user, nomination_id)
    form = ReviewCommentForm()
    form.validate()
    raw_item = (request.form.get("item_id") or "").strip()
    # Not a number, or none the database holds: refused below as an unknown item.
    item_id = (form_int("item_id") or -1) if raw_item else None
    anchor = f"item-{item_id}" if item_id else "figures"
    try:
        add_review_comment(current_user, nomination.id, form.body.data or "", item_id)
    except Invalid as exc:
        db.session.rollback()
        messages = [m for ms in exc.errors.values() for m in ms] or [exc.message]
        flash_refusal(exc, category="danger")
        latest = latest_round(nomination.id)
        assert latest is not None
        is_union, is_reviewer = roles_over(current_user, nomination)
        return _render(
            nomination,
            latest,
            latest,
            is_union=is_union,
            is_reviewer=is_reviewer,
            comment_errors={"item": item_id, "messages": messages, "body": form.body.data or ""},
            status=422,
        )
    flash(_("Comment added."), "success")
    return redirect(_page_url(nomination.id, anchor))


@bp.post("/nominations/<int:nomination_id>/review-comments/<int:comment_id>/delete")
@login_required
def delete_comment(nomination_id: int, comment_id: int) -> ResponseReturnValue:
    nomination = get_nomination(current_user, nomination_id)
    form = DeleteCommentForm()
    form.validate()
    delete_review_comment(current_user, nomination.id, comment_id)
    flash(_("Comment deleted."), "success")
    return redirect(_safe_next(nomination.id, form.next.data, _page_url(nomination.id)))


@bp.get("/nominations/<int:nomination_id>/rounds/<int:old>/diff/<int:new>")
@login_required
def diff(nomination_id: int, old: int, new: int) -> ResponseReturnValue:
    nomination = get_nomination(current_user, nomination_id)
    if old == new or min(old, new) < 1:
        raise NotFound(_("Choose two different rounds to compare."))
    changes = diff_rounds(nomination, old, new)
    return render_template(
        "assessment/diff.html",
        nomination=nomination,
        diff=changes,
        page_url=_page_url(nomination.id),
    )


# -- evidence (forms posted from the self-assessment page, which renders them) ------------


def _back_url(nomination_id: int) -> str:
    """Where an evidence form returns to: the page it was posted from, else the nomination."""
    return safe_next(request.form.get("next")) or url_for(
        "nominations.detail", nomination_id=nomination_id
    )


@bp.post("/nominations/<int:nomination_id>/evidence")
@login_required
def upload_evidence(nomination_id: int) -> ResponseReturnValue:
    """Form fields: csrf_token, file, item_id (optional), next (optional page to return to)."""
    try:
        link = add_evidence(
            current_user,
            nomination_id,
            request.files.get("file"),
            request.form.get("item_id") or None,
        )
    except DomainError as exc:
        return refuse(exc, _back_url(nomination_id), category="danger")
    flash(_("Evidence uploaded: %(name)s", name=link.evidence.original_name), "success")
    return redirect(_back_url(nomination_id), code=303)


@bp.post("/nominations/<int:nomination_id>/evidence/<int:link_id>/remove")
@login_required
def remove_evidence(nomination_id: int, link_id: int) -> ResponseReturnValue:
    try:
        unlink_evidence(current_user, nomination_id, link_id)
    except DomainError as exc:
        return refuse(exc, _back_url(nomination_id), category="danger")
    flash(_("The evidence was removed."), "success")
    return redirect(_back_url(nomination_id), code=303)
