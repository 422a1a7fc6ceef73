"""What every outside channel shares: the message, the result of one delivery, the interface,
the HTTP call that never raises, and the SMS length rule.

A channel's `send` never raises for what the network or the provider does: a timeout, a
refused connection or an error answer all come back as a `DeliveryResult`, which says whether
trying again later is worth it (`retry`) and, when the provider says, after how long.
Secrets (keys, tokens, passwords) never enter a result's message nor a log record.
"""

from __future__ import annotations

import email.utils
import logging
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import requests
from flask_babel import gettext as _

log = logging.getLogger("app.notifications.channels")

# (connect, read) seconds of every HTTP call to a provider.
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 10.0)
# What a provider's own message may add to ours, at most (characters).
PROVIDER_MESSAGE_MAX = 300

# China's carriers: up to 70 characters (the signature included) is one message; a longer
# one is sent in parts of 67 characters each (3 go to the header joining them).
SMS_SINGLE = 70
SMS_PART = 67
ELLIPSIS = "…"


@dataclass(frozen=True)
class OutgoingMessage:
    text: str  # the message, already rendered
    to: str = ""  # a mobile number for SMS; a robot's target is its webhook (the channel's)
    mention_mobiles: tuple[str, ...] = ()  # robots: the group members to @
    title: str | None = None  # robots: sent as markdown with this title


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    retry: bool  # worth trying again later
    retry_after: int | None = None  # seconds, when the provider says
    code: str | None = None  # the provider's own error code (or the HTTP status)
    message: str = ""  # human readable (Chinese where we write it); never a secret
    provider_id: str | None = None  # e.g. Aliyun's BizId


@runtime_checkable
class Channel(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> DeliveryResult: ...


# -- results ---------------------------------------------------------------------------------


def delivered(message: str = "", provider_id: str | None = None) -> DeliveryResult:
    return DeliveryResult(ok=True, retry=False, message=message, provider_id=provider_id)


def retry_later(
    message: str, code: str | None = None, retry_after: int | None = None
) -> DeliveryResult:
    return DeliveryResult(ok=False, retry=True, retry_after=retry_after, code=code, message=message)


def refused(message: str, code: str | None = None) -> DeliveryResult:
    """A permanent failure: the same message would fail again until someone fixes something."""
    return DeliveryResult(ok=False, retry=False, code=code, message=message)


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def with_detail(ours: str, theirs: str, secrets: Iterable[str] = ()) -> str:
    """Our explanation, then the provider's own words (shortened, secrets removed)."""
    theirs = redact(" ".join(str(theirs).split()), secrets)[:PROVIDER_MESSAGE_MAX]
    return f"{ours}（{theirs}）" if theirs else ours


def retry_after_seconds(value: str | None, now: float | None = None) -> int | None:
    """A Retry-After header: seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0, int(when.timestamp() - (time.time() if now is None else now)))


# -- HTTP ------------------------------------------------------------------------------------


def http_call(
    channel: str,
    method: str,
    url: str,
    *,
    timeout: tuple[float, float],
    secrets: Iterable[str] = (),
    **kwargs: Any,
) -> requests.Response | DeliveryResult:
    """One request to a provider; a network failure or timeout becomes a retry result.

    The exception's own text is never used: it holds the URL, and a robot's URL is its key.
    """
    try:
        return requests.request(method, url, timeout=timeout, allow_redirects=False, **kwargs)
    except requests.Timeout as exc:
        reason = _("The provider did not answer in time (%(error)s).", error=type(exc).__name__)
    except requests.RequestException as exc:
        reason = _("The provider could not be reached (%(error)s).", error=type(exc).__name__)
    result = retry_later(redact(reason, secrets), code=None)
    log_result(channel, result)
    return result


def json_body(response: requests.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def log_result(channel: str, result: DeliveryResult) -> None:
    """One line per delivery; the message is already free of secrets."""
    if result.ok:
        log.info("%s: delivered (%s)", channel, result.provider_id or "-")
    else:
        log.warning(
            "%s: not delivered, %s, code %s: %s",
            channel,
            "will retry" if result.retry else "permanent",
            result.code,
            result.message,
        )


# The query parameters that carry credentials in providers' URLs: urllib3 logs each request's
# URL at DEBUG level, so its records have these values masked before any handler sees them.
_CREDENTIAL_PARAMS = re.compile(
    r"((?:^|[?&])(?:key|access_token|sign|Signature|AccessKeyId|SignatureNonce)=)[^&\s\"]*"
)


class _MaskCredentials(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        masked = _CREDENTIAL_PARAMS.sub(r"\1***", text)
        if masked != text:
            record.msg, record.args = masked, None
        return True


def _mask_urllib3_logs() -> None:
    logger = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, _MaskCredentials) for f in logger.filters):
        logger.addFilter(_MaskCredentials())


_mask_urllib3_logs()


# -- SMS length ------------------------------------------------------------------------------


def sms_segments(text: str, signature: str) -> int:
    """How many messages the carriers bill for `text` sent with `signature` (e.g. 【某市总工会】).

    Characters are counted as characters (a Chinese character, a letter and a digit alike).
    """
    length = len(signature) + len(text)
    if length <= SMS_SINGLE:
        return 1
    return -(-length // SMS_PART)


def fit_sms(text: str, signature: str, max_segments: int = 2) -> str:
    """`text`, cut with "…" when needed so that with `signature` it fills at most
    `max_segments` messages."""
    if max_segments < 1:
        raise ValueError("max_segments must be at least 1")
    if sms_segments(text, signature) <= max_segments:
        return text
    room = (SMS_SINGLE if max_segments == 1 else SMS_PART * max_segments) - len(signature)
    if room <= len(ELLIPSIS):
        return ELLIPSIS[: max(room, 0)]
    return text[: room - len(ELLIPSIS)].rstrip() + ELLIPSIS


def truncate_utf8(text: str, max_bytes: int) -> str:
    """`text` within `max_bytes` of UTF-8, cut on a character boundary with "…" when cut."""
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    room = max_bytes - len(ELLIPSIS.encode("utf-8"))
    cut = text.encode("utf-8")[: max(room, 0)].decode("utf-8", errors="ignore")
    return cut + ELLIPSIS


def setting(config: Mapping[str, Any], name: str, default: str = "") -> str:
    value = config.get(name)
    return default if value in (None, "") else str(value).strip()
