"""The member evaluation's downloads: the union's voting links (slips to cut apart, CSV) and
the report to the higher union once the evaluation closed.

The PDFs and the CSV are records in Chinese, their file names too. reportlab is loaded only
when a PDF is asked for.
"""

from __future__ import annotations

from flask import Response
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import Conflict, NotFound
from app.evaluation import bp, exports
from app.evaluation.links import public_base_url
from app.evaluation.lookup import get_evaluation
from app.evaluation.models import EvaluationStatus
from app.evaluation.results import results, turnout
from app.evaluation.tokens import IssuedToken, tokens_for_print
from app.nominations.models import Nomination
from app.web.downloads import content_disposition
from app.web.forms import query_int


def _union_tokens(nomination_id: int) -> tuple[Nomination, list[IssuedToken], int | None]:
    """The union's unused tokens of one batch (or all); anyone else: not found."""
    batch = query_int("batch", 1)
    nomination, tokens = tokens_for_print(current_user, nomination_id, batch=batch)
    if batch is not None and not tokens:
        raise NotFound(_("This batch has no unused links."))
    return nomination, tokens, batch


def _download_name(nomination: Nomination, what: str, batch: int | None, ext: str) -> str:
    part = f"-第{batch}批" if batch else ""
    return f"{nomination.org.name}-{what}{part}.{ext}"


@bp.get("/nominations/<int:nomination_id>/evaluation/slips.pdf")
@login_required
def slips(nomination_id: int) -> ResponseReturnValue:
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
def tokens_csv(nomination_id: int) -> ResponseReturnValue:
    nomination, tokens, _batch = _union_tokens(nomination_id)
    response = exports.tokens_csv(nomination, tokens, public_base_url())
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/nominations/<int:nomination_id>/evaluation/report.pdf")
@login_required
def report_pdf(nomination_id: int) -> ResponseReturnValue:
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
