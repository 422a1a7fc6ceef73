"""Member-evaluation pages (会员评家).

The union opens the evaluation, hands out one-time links (slips PDF, CSV), follows the
turnout, enters paper tallies, writes its report and may close early; the district and the
city follow the same page read-only. Members vote at ``/e/<token>`` without an account.

The services decide; these views read the forms, call them and show the result. Nothing
here reads, logs or stores anything about a member beyond what the services keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from fractions import Fraction
from typing import Any

from flask import (
    Response,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict

from app.errors import Conflict, DomainError, Invalid, NotFound
from app.evaluation import bp, policy
from app.evaluation.ballots import MAX_COMMENT, BallotRefused, ballot_form, cast_ballot
from app.evaluation.card import turnout_data, window_state
from app.evaluation.closing import close_early, early_close_turnout
from app.evaluation.forms import (
    BallotPageForm,
    CloseEarlyForm,
    IssueTokensForm,
    OpenEvaluationForm,
    PaperTallyForm,
    ReportForm,
    VoidTokensForm,
)
from app.evaluation.links import public_base_url
from app.evaluation.lookup import evaluation_of, get_evaluation
from app.evaluation.models import (
    Choice,
    EvaluationStatus,
    MemberEvaluation,
)
from app.evaluation.opening import default_member_count, evaluation_deadline, open_evaluation
from app.evaluation.results import Counts, Results, results, turnout
from app.evaluation.tallies import enter_paper_tally, save_report
from app.evaluation.tokens import MAX_TOKENS, batches, issue_tokens, tokens_for_print, void_tokens
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import get_nomination
from app.timeutil import BEIJING
from app.web.downloads import content_disposition
from app.web.forms import apply_errors
from workflows.nomination import STAGES

CHOICES = [
    (Choice.SATISFIED.value, _l("Satisfied")),
    (Choice.BASIC.value, _l("Basically satisfied")),
    (Choice.DISSATISFIED.value, _l("Dissatisfied")),
]
CHOICE_VALUES = [value for value, _label in CHOICES]
RULE_LABELS = {
    "satisfied_or_basic": _l("“Satisfied” and “basically satisfied” both count as satisfied."),
    "satisfied_only": _l("Only “satisfied” counts as satisfied."),
}
# The member's pages must not leak the token (Referer) nor be kept by a shared phone's cache.
BALLOT_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}
MAX_TOKEN_LENGTH = 64  # the column's width; anything longer is not a link we issued
DEFAULT_WINDOW_DAYS = 14
_SERIAL_SPLIT = re.compile(r"[\s,，、;；]+")
_SERIAL_RANGE = re.compile(r"^(\d+)\s*[-–—~～至到]\s*(\d+)$")
_EVALUATION_STAGE = [s["name"] for s in STAGES].index("evaluation")


# -- helpers ------------------------------------------------------------------------------


def _page_url(nomination_id: int, fragment: str | None = None) -> str:
    url = url_for("evaluation.page", nomination_id=nomination_id)
    return f"{url}#{fragment}" if fragment else url


def _percent(value: Fraction | float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


def _fraction(value: Any) -> Fraction | None:
    return None if value is None else Fraction(str(value))


@dataclass
class ResultRow:
    """One line of the result: counts online, on paper and together, and its rate."""

    label: str
    online: Counts
    paper: Counts
    total: Counts
    rate: Fraction | None

    @property
    def rate_percent(self) -> str:
        return _percent(self.rate)

    def share(self, choice: str) -> float:
        """The option's share of the valid answers, in percent (for the bars)."""
        total = self.total.total
        return round(100 * getattr(self.total, choice) / total, 2) if total else 0.0


def result_rows(res: Results, rule: str) -> list[ResultRow]:
    rows = [ResultRow(_("Overall"), res.online, res.paper, res.total, res.total.rate(rule))]
    for dimension, online, paper in res.dimensions:
        total = online.add(paper)
        rows.append(ResultRow(dimension["label"], online, paper, total, total.rate(rule)))
    return rows


# -- the union's and the reviewers' page --------------------------------------------------


def _default_window(nomination: Nomination) -> tuple[datetime, datetime]:
    now = datetime.now(BEIJING).replace(second=0, microsecond=0)
    deadline = evaluation_deadline(nomination)  # 00:00 after the 评家截止 day
    if deadline is not None:
        return now, deadline - timedelta(minutes=1)
    end_day = now.date() + timedelta(days=DEFAULT_WINDOW_DAYS)
    return now, datetime.combine(end_day, time(23, 59), BEIJING)


@bp.route("/nominations/<int:nomination_id>/evaluation", methods=["GET", "POST"])
@login_required
def page(nomination_id: int):  # type: ignore[no-untyped-def]
    nomination = get_nomination(current_user, nomination_id)
    evaluation = evaluation_of(nomination.id)
    if evaluation is not None:
        if request.method == "POST":  # opened meanwhile, in another tab
            flash(_("The member evaluation has already been opened."), "warning")
            return redirect(_page_url(nomination.id), code=303)
        return _render(nomination, evaluation)
    if not policy.may_open(current_user, nomination):
        raise NotFound(_("This nomination has no member evaluation yet."))
    return _open(nomination)


def _open(nomination: Nomination):  # type: ignore[no-untyped-def]
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
                opens_at=form.opens_at.data,
                closes_at=form.closes_at.data,
                member_count=form.member_count.data,
            )
        except Invalid as exc:
            db.session.rollback()
            others = apply_errors(form, exc.errors)
            flash(" ".join([exc.message, *others]), "danger")
            status = 422
        else:
            flash(
                _(
                    "The member evaluation is open: %(n)s one-time links were created.",
                    n=form.member_count.data,
                ),
                "success",
            )
            return redirect(_page_url(nomination.id), code=303)
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
):  # type: ignore[no-untyped-def]
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
        early_turnout=_percent(early_close_turnout(nomination), 0),
        batches=batches(evaluation) if union and not closed else [],
        tally=tally,
        show_tally=tally is not None and (union or closed),
        forms=forms,
        paper_dims=paper_dims,
        dim_errors=dim_errors,
        close_error=close_error,
        res=res,
        rows=result_rows(res, rule) if res else [],
        rule_label=RULE_LABELS.get(rule, ""),
        satisfaction=_percent(_fraction(evaluation.satisfaction_rate)),
        threshold=_percent(_fraction(evaluation.threshold), 0),
        closed_turnout=_percent(_fraction(evaluation.turnout)),
        min_turnout=_percent(_fraction(evaluation.min_turnout), 0)
        if evaluation.min_turnout is not None
        else None,
        choices=CHOICES,
        max_tokens=MAX_TOKENS,
    ), status


def _open_evaluation(nomination_id: int) -> tuple[Nomination, MemberEvaluation]:
    """The nomination and its evaluation, for the union's POSTs."""
    nomination, evaluation = get_evaluation(current_user, nomination_id)
    policy.require_run(current_user, nomination)
    return nomination, evaluation


def _refused(nomination_id: int, exc: DomainError, fragment: str | None = None):  # type: ignore[no-untyped-def]
    db.session.rollback()
    if exc.status in (403, 404):
        raise exc
    flash(" ".join([exc.message, *exc.problems]), "danger")
    return redirect(_page_url(nomination_id, fragment), code=303)


@bp.post("/nominations/<int:nomination_id>/evaluation/tokens")
@login_required
def issue(nomination_id: int):  # type: ignore[no-untyped-def]
    nomination, evaluation = _open_evaluation(nomination_id)
    form = IssueTokensForm()
    if form.validate_on_submit():
        try:
            batch = issue_tokens(current_user, nomination.id, form.count.data)
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        except Conflict as exc:
            return _refused(nomination.id, exc)
        else:
            flash(
                _(
                    "%(n)s new links were issued as batch %(batch)s; print or export them below.",
                    n=form.count.data,
                    batch=batch,
                ),
                "success",
            )
            return redirect(_page_url(nomination.id, "tokens"), code=303)
    flash(_("Please correct the number of links."), "danger")
    return _render(nomination, evaluation, forms={"issue": form}, status=422)


def parse_serials(text: str) -> tuple[list[int], str | None]:
    """ "12, 13 15-18" → [12, 13, 15, 16, 17, 18]; or an error message."""
    serials: set[int] = set()
    for part in _SERIAL_SPLIT.split(text.strip()):
        if not part:
            continue
        if part.isdigit():
            serials.add(int(part))
            continue
        match = _SERIAL_RANGE.match(part)
        if not match:
            return [], _(
                "“%(part)s” is not a serial number: write numbers such as 12, 15 or "
                "ranges such as 12-15.",
                part=part,
            )
        first, last = sorted((int(match.group(1)), int(match.group(2))))
        if last - first >= MAX_TOKENS:
            return [], _("The range %(part)s is too long.", part=part)
        serials.update(range(first, last + 1))
        if len(serials) > MAX_TOKENS:
            return [], _("Too many serial numbers at once.")
    if not serials:
        return [], _("Please enter the serial numbers to void.")
    return sorted(serials), None


@bp.post("/nominations/<int:nomination_id>/evaluation/void")
@login_required
def void(nomination_id: int):  # type: ignore[no-untyped-def]
    nomination, evaluation = _open_evaluation(nomination_id)
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
                return _refused(nomination.id, exc)
            else:
                message = _("%(n)s links were voided.", n=voided)
                if voided < len(serials):
                    message += " " + _(
                        "%(n)s of the numbers were not voided: already used, already void "
                        "or never issued.",
                        n=len(serials) - voided,
                    )
                flash(message, "success" if voided else "warning")
                return redirect(_page_url(nomination.id, "tokens"), code=303)
    flash(_("Please correct the serial numbers."), "danger")
    return _render(nomination, evaluation, forms={"void": form}, status=422)


def _parse_dimension_counts(
    evaluation: MemberEvaluation, form: MultiDict
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, str]], dict[str, list[str]]]:
    """Optional paper counts per dimension: (counts, what was typed, errors by code)."""
    counts: dict[str, dict[str, int]] = {}
    typed: dict[str, dict[str, str]] = {}
    errors: dict[str, list[str]] = {}
    for dimension in evaluation.dimensions:
        code = dimension["code"]
        raw = {c: (form.get(f"dim.{code}.{c}") or "").strip() for c in CHOICE_VALUES}
        typed[code] = raw
        if not any(raw.values()):
            continue
        values: dict[str, int] = {}
        for choice, text in raw.items():
            if not text:
                values[choice] = 0
            elif text.isdigit() and int(text) <= MAX_TOKENS:
                values[choice] = int(text)
            else:
                errors[code] = [_("Please enter whole numbers (0 if none).")]
        if code not in errors:
            counts[code] = values
    return counts, typed, errors


@bp.post("/nominations/<int:nomination_id>/evaluation/paper")
@login_required
def paper(nomination_id: int):  # type: ignore[no-untyped-def]
    nomination, evaluation = _open_evaluation(nomination_id)
    form = PaperTallyForm()
    dims, typed, dim_errors = _parse_dimension_counts(evaluation, request.form)
    if form.validate_on_submit() and not dim_errors:
        try:
            enter_paper_tally(
                current_user,
                nomination.id,
                satisfied=form.satisfied.data,
                basic=form.basic.data,
                dissatisfied=form.dissatisfied.data,
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
            return _refused(nomination.id, exc)
        else:
            flash(_("The paper ballots were recorded."), "success")
            return redirect(_page_url(nomination.id, "paper"), code=303)
    flash(_("The paper tally was not saved; please correct it."), "danger")
    return _render(
        nomination,
        evaluation,
        forms={"paper": form, "typed_dims": typed, "dim_errors": dim_errors},
        status=422,
    )


@bp.post("/nominations/<int:nomination_id>/evaluation/report")
@login_required
def report(nomination_id: int):  # type: ignore[no-untyped-def]
    nomination, evaluation = _open_evaluation(nomination_id)
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
            return redirect(_page_url(nomination.id, "report"), code=303)
    flash(_("The report was not saved; please correct it."), "danger")
    return _render(nomination, evaluation, forms={"report": form}, status=422)


@bp.post("/nominations/<int:nomination_id>/evaluation/close")
@login_required
def close(nomination_id: int):  # type: ignore[no-untyped-def]
    nomination, evaluation = _open_evaluation(nomination_id)
    CloseEarlyForm().validate_on_submit()  # CSRF is checked before the view runs
    try:
        decision = close_early(current_user, nomination.id)
    except Conflict as exc:
        db.session.rollback()
        nomination, evaluation = get_evaluation(current_user, nomination_id)
        if evaluation.status == EvaluationStatus.CLOSED:
            flash(exc.message, "warning")
            return redirect(_page_url(nomination.id), code=303)
        return _render(nomination, evaluation, close_error=exc.message, status=409)
    if decision.passed:
        flash(
            _(
                "The member evaluation is closed: satisfaction %(rate)s meets the standard.",
                rate=_percent(decision.rate),
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
    return redirect(_page_url(nomination.id, "result"), code=303)


# -- counts and downloads -----------------------------------------------------------------


@bp.get("/nominations/<int:nomination_id>/evaluation/turnout.json")
@login_required
def turnout_json(nomination_id: int):  # type: ignore[no-untyped-def]
    _nomination, evaluation = get_evaluation(current_user, nomination_id)
    response = jsonify(turnout_data(evaluation, turnout(evaluation)))
    response.headers["Cache-Control"] = "no-store"
    return response


def _union_tokens(nomination_id: int):  # type: ignore[no-untyped-def]
    """The union's unused tokens of one batch (or all); anyone else: not found."""
    batch = request.args.get("batch", type=int)
    nomination, tokens = tokens_for_print(current_user, nomination_id, batch=batch)
    if batch is not None and not tokens:
        raise NotFound(_("This batch has no unused links."))
    return nomination, tokens, batch


def _download_name(nomination: Nomination, what: str, batch: int | None, ext: str) -> str:
    part = f"-第{batch}批" if batch else ""
    return f"{nomination.org.name}-{what}{part}.{ext}"


@bp.get("/nominations/<int:nomination_id>/evaluation/slips.pdf")
@login_required
def slips(nomination_id: int):  # type: ignore[no-untyped-def]
    from app.evaluation.slips_pdf import slips_pdf  # reportlab: loaded when a PDF is asked for

    nomination, tokens, batch = _union_tokens(nomination_id)
    body = slips_pdf(nomination, tokens, public_base_url())
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(
        _download_name(nomination, "会员评家链接", batch, "pdf"), f"slips-{nomination.id}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/nominations/<int:nomination_id>/evaluation/tokens.csv")
@login_required
def tokens_csv(nomination_id: int):  # type: ignore[no-untyped-def]
    from app.evaluation.exports import tokens_csv as export

    nomination, tokens, _batch = _union_tokens(nomination_id)
    response = export(nomination, tokens, public_base_url())
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/nominations/<int:nomination_id>/evaluation/report.pdf")
@login_required
def report_pdf(nomination_id: int):  # type: ignore[no-untyped-def]
    from app.evaluation.report_pdf import report_pdf as render_report

    nomination, evaluation = get_evaluation(current_user, nomination_id)
    if evaluation.status != EvaluationStatus.CLOSED:
        raise Conflict(_("The report can be printed once the member evaluation is closed."))
    # Closed: the report prints the figures and verdict stored at closing (no new decision).
    body = render_report(
        nomination, evaluation, results(evaluation, with_comments=True), turnout(evaluation), None
    )
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(
        _download_name(nomination, "会员评家报告", None, "pdf"), f"evaluation-{nomination.id}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- the member's ballot (public) ---------------------------------------------------------


def _is_ballot_page() -> bool:
    return request.path.startswith("/e/")


@bp.after_request
def _ballot_headers(response: Response) -> Response:
    """Every answer under /e/ (refusals and CSRF errors included) keeps the token private."""
    if _is_ballot_page():
        response.headers.update(BALLOT_HEADERS)
    return response


@bp.errorhandler(CSRFError)
def _ballot_csrf_error(exc: CSRFError):  # type: ignore[no-untyped-def]
    """A ballot posted without its session (cookies cleared, page kept open for days)."""
    if _is_ballot_page():
        return render_template(
            "evaluation/ballot_refused.html",
            status=400,
            retry=request.path,
            message=_(
                "This page has expired. Please open your link again and send your evaluation."
            ),
        ), 400
    # Elsewhere on the blueprint: the site's usual page.
    return render_template(
        "error.html",
        status=400,
        problems=[],
        message=_(
            "The form has expired or was not sent from this site. "
            "Please go back, reload the page and try again."
        ),
    ), 400


def _ballot_response(body: str, status: int = 200) -> Response:
    return make_response(body, status)


def _ballot_refused(exc: BallotRefused | None) -> Response:
    db.session.rollback()
    message = exc.message if exc is not None else "评价链接无效，请核对链接或联系本单位工会。"
    status = exc.status if exc is not None else 404  # 404 unknown link; 409 used, void, closed
    return _ballot_response(
        render_template("evaluation/ballot_refused.html", message=message, status=status), status
    )


@bp.route("/e/<token>", methods=["GET", "POST"])
def ballot(token: str) -> Response:
    if len(token) > MAX_TOKEN_LENGTH:
        return _ballot_refused(None)
    try:
        info = ballot_form(token)
    except BallotRefused as exc:
        return _ballot_refused(exc)
    form = BallotPageForm()
    errors: dict[str, list[str]] = {}
    typed: MultiDict | dict = {}
    status = 200
    if request.method == "POST":
        form.validate()  # CSRF is checked before the view runs
        dimensions = info.evaluation.dimensions
        try:
            cast_ballot(
                token,
                overall=request.form.get("overall", ""),
                answers={
                    d["code"]: request.form.get(f"answers.{d['code']}", "") for d in dimensions
                },
                comment=request.form.get("comment"),
            )
        except BallotRefused as exc:
            return _ballot_refused(exc)
        except Invalid as exc:
            db.session.rollback()
            errors, typed, status = exc.errors, request.form, 422
        else:
            return redirect(url_for("evaluation.thanks"), code=303)
    return _ballot_response(
        render_template(
            "evaluation/ballot.html",
            info=info,
            form=form,
            choices=CHOICES,
            errors=errors,
            typed=typed,
            max_comment=MAX_COMMENT,
        ),
        status,
    )


@bp.get("/e/thanks")
def thanks() -> Response:
    return _ballot_response(render_template("evaluation/ballot_thanks.html"))
