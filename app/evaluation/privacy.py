"""A member's voting token stays out of what the server writes down or lets others keep.

The same holds for the activation links of new accounts (`/activate/<secret>`,
`app/auth/activation.py`): a one-time secret in the path as well.

- Every answer to a ballot request — the pages under `/e/` and the API's `/api/v1/ballots/…`,
  refusals, CSRF failures, 405s and 500s included — carries `BALLOT_HEADERS`: no cache (a
  shared phone, a proxy), no Referer (the link would leave with it), no indexing.
- Log lines never hold a token: `RedactTokens` rewrites the ballot paths (and any query
  string or header quoting one, percent-encoded too), and during a ballot request its token
  wherever it stands, in every record of the loggers that write requests down: werkzeug's
  development server, gunicorn's access and error logs, the app's own (`unhandled error on
  POST /e/…` and its traceback). `install` puts it in place from the factory;
  `gunicorn.conf.py` puts it on gunicorn's loggers as gunicorn sets them up.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, has_request_context, request

BALLOT_PREFIXES = ("/e/", "/api/v1/ballots/", "/activate/")
BALLOT_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}
REDACTED = "[redacted]"
# A ballot path, raw or percent-encoded (in a query string: ?next=%2Fe%2F…), then everything
# up to the next space or quote: the token and any query string after it. /e/thanks is kept.
_TOKEN_IN_TEXT = re.compile(
    r"(?P<at>/e/|/api/v1/ballots/|/activate/|%2Fe%2F|%2Fapi%2Fv1%2Fballots%2F|%2Factivate%2F)"
    r"(?!thanks(?:$|[\s\"'?#&]))"
    r"[^\s\"'<>]+",
    re.IGNORECASE,
)
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")
MIN_TOKEN_LENGTH = 16  # shorter path values are not tokens we issued (and too common to redact)


def is_ballot_path(path: str) -> bool:
    return path.startswith(BALLOT_PREFIXES)


def ballot_headers(response: Response) -> Response:
    """After every request: a ballot's answer keeps the token private (errors too)."""
    if is_ballot_path(request.path):
        response.headers.update(BALLOT_HEADERS)
    return response


def _requested_token() -> str | None:
    """While a ballot request is answered: its token, wherever a message quotes it bare."""
    if not has_request_context() or not is_ballot_path(request.path):
        return None
    args = request.view_args or {}
    token = args.get("token") or args.get("secret")
    return token if isinstance(token, str) and len(token) >= MIN_TOKEN_LENGTH else None


def redact_tokens(text: str) -> str:
    """`text` with every voting token (and what follows it up to a space) replaced."""
    text = _TOKEN_IN_TEXT.sub(lambda m: m.group("at") + REDACTED, text)
    token = _requested_token()
    return text.replace(token, REDACTED) if token else text


class RedactTokens(logging.Filter):
    """Formats each record's message and traceback, then redacts the tokens in them."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: its parts, still never the token
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact_tokens(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_tokens(record.exc_text)
        return True


REDACT = RedactTokens()  # one instance: addFilter ignores it when already there


def install(app: Flask) -> None:
    """Ballot headers on every response; the redacting filter on the request loggers."""
    app.after_request(ballot_headers)
    for name in LOGGERS:
        logging.getLogger(name).addFilter(REDACT)
    app.logger.addFilter(REDACT)
