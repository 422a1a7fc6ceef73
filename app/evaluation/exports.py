"""会员评家 downloads other than PDF: the voting links as CSV, for sending by WeChat or SMS."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response

from app.evaluation.links import vote_url
from app.evaluation.models import TokenStatus
from app.evaluation.tokens import IssuedToken
from app.nominations.models import Nomination
from app.web.downloads import csv_response

TOKEN_STATUS_LABELS = {
    TokenStatus.UNUSED: "未使用",
    TokenStatus.USED: "已使用",
    TokenStatus.VOID: "已作废",
}
TOKENS_CSV_HEADER = ["编号", "批次", "评价链接", "状态"]


def tokens_csv_filename(nomination: Nomination, tokens: Sequence[IssuedToken]) -> str:
    batches = {t.batch for t in tokens}
    suffix = f"-batch{batches.pop()}" if len(batches) == 1 else ""
    return f"evaluation-links-{nomination.id}{suffix}.csv"


def tokens_csv(nomination: Nomination, tokens: Sequence[IssuedToken], base_url: str) -> Response:
    """One row per token: 编号 (0001), 批次, 评价链接, 状态 — UTF-8 with a BOM for Excel.

    `tokens` as from tokens.tokens_for_print; `base_url` the site's external root.
    """
    rows = (
        [
            f"{t.serial:04d}",
            t.batch,
            vote_url(base_url, t.token),
            TOKEN_STATUS_LABELS.get(TokenStatus(t.status), str(t.status)),
        ]
        for t in tokens
    )
    response = csv_response(tokens_csv_filename(nomination, tokens), TOKENS_CSV_HEADER, rows)
    response.headers["Cache-Control"] = "no-store"  # one-time voting links
    return response
