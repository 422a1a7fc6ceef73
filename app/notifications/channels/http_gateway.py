"""A generic HTTP SMS gateway, such as the provincial government platforms offer.

The deployment describes the request: its URL and method, its headers (e.g. an
Authorization header), and its body as a template with the placeholders `{mobile}`, `{text}`
and `{sign}`. A JSON body gets the values JSON-escaped (write the placeholders inside the
quotes: `{"phone": "{mobile}", "content": "{text}"}`); any other body (form text such as
`mobile={mobile}&msg={text}`) gets them form-encoded (UTF-8). With GET the rendered body is the
query string. Success is a 2xx answer and, when `SMS_HTTP_SUCCESS` says `field=value` (a
dotted path for nested fields: `result.code=0`), that field of the JSON answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

from flask_babel import gettext as _

from app.notifications.channels.base import (
    DEFAULT_TIMEOUT,
    DeliveryResult,
    OutgoingMessage,
    delivered,
    http_call,
    json_body,
    log_result,
    refused,
    retry_after_seconds,
    retry_later,
    setting,
    with_detail,
)

METHODS = ("POST", "PUT", "GET")
# Where gateways put their explanation, in the order looked for.
MESSAGE_FIELDS = ("message", "msg", "errmsg", "error_description", "error", "desc", "reason")
RATE_LIMITED_RETRY_AFTER = 60  # a 429 without Retry-After


@dataclass(frozen=True)
class HttpGatewayConfig:
    url: str
    body: str
    method: str = "POST"
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = ""  # empty: JSON when the body template is a JSON object, else form
    success: str = ""  # `field=value` in the JSON answer; empty: any 2xx
    sign: str = ""  # the signature's name, for `{sign}` and the length rule (without 【】)

    def __repr__(self) -> str:  # headers may hold credentials
        return (
            f"HttpGatewayConfig(url={self.url!r}, method={self.method!r}, "
            f"headers=<{len(self.headers)}>, content_type={self.content_type!r}, "
            f"success={self.success!r}, sign={self.sign!r})"
        )

    @property
    def is_json(self) -> bool:
        if self.content_type:
            return "json" in self.content_type.lower()
        return self.body.lstrip().startswith(("{", "["))

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> HttpGatewayConfig:
        """From the app's settings; what is missing or malformed fails loudly, by name."""
        url, body = setting(config, "SMS_HTTP_URL"), setting(config, "SMS_HTTP_BODY")
        missing = [
            name for name, value in (("SMS_HTTP_URL", url), ("SMS_HTTP_BODY", body)) if not value
        ]
        if missing:
            raise ValueError("SMS_PROVIDER=http needs " + ", ".join(missing))
        method = setting(config, "SMS_HTTP_METHOD", "POST").upper()
        if method not in METHODS:
            raise ValueError(f"SMS_HTTP_METHOD must be one of {', '.join(METHODS)}")
        raw_headers = config.get("SMS_HTTP_HEADERS") or {}
        if isinstance(raw_headers, str):
            try:
                raw_headers = json.loads(raw_headers)
            except ValueError as exc:  # never the value: it may hold a token
                raise ValueError("SMS_HTTP_HEADERS must be a JSON object") from exc
        if not isinstance(raw_headers, Mapping):
            raise ValueError("SMS_HTTP_HEADERS must be a JSON object")
        success = setting(config, "SMS_HTTP_SUCCESS")
        if success and "=" not in success:
            raise ValueError("SMS_HTTP_SUCCESS must read field=value, e.g. code=0")
        return cls(
            url=url,
            body=body,
            method=method,
            headers={str(k): str(v) for k, v in raw_headers.items()},
            content_type=setting(config, "SMS_HTTP_CONTENT_TYPE"),
            success=success,
            sign=setting(config, "SMS_HTTP_SIGN"),
        )


def render_body(template: str, values: Mapping[str, str], as_json: bool) -> str:
    """The body template with each `{name}` replaced, escaped for the body's kind."""
    rendered = template
    for name, value in values.items():
        escaped = json.dumps(value, ensure_ascii=False)[1:-1] if as_json else quote_plus(value)
        rendered = rendered.replace("{" + name + "}", escaped)
    return rendered


def _field(body: Mapping[str, Any], path: str) -> Any:
    value: Any = body
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def response_message(body: Mapping[str, Any] | None, text: str) -> str:
    if body:
        for name in MESSAGE_FIELDS:
            if body.get(name) not in (None, ""):
                return _as_text(body[name])
    return text


class HttpGateway:
    """The `sms` channel on a gateway described by settings. `to` is the mobile number."""

    name = "http_sms"

    def __init__(
        self, config: HttpGatewayConfig, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT
    ) -> None:
        self.config = config
        self.timeout = timeout

    @property
    def signature(self) -> str:
        """What the gateway adds to each message, to count with `sms_segments`/`fit_sms`."""
        return f"【{self.config.sign}】" if self.config.sign else ""

    @property
    def _secrets(self) -> tuple[str, ...]:
        return tuple(v for v in self.config.headers.values() if len(v) >= 4)

    def request(self, message: OutgoingMessage) -> tuple[str, str, dict[str, str], bytes | None]:
        """Method, URL, headers and body of the request for `message`."""
        config = self.config
        values = {"mobile": message.to, "text": message.text, "sign": config.sign}
        rendered = render_body(
            config.body, values, as_json=config.is_json and config.method != "GET"
        )
        headers = dict(config.headers)
        if config.method == "GET":
            separator = "&" if "?" in config.url else "?"
            return config.method, f"{config.url}{separator}{rendered}", headers, None
        content_type = config.content_type or (
            "application/json; charset=utf-8"
            if config.is_json
            else "application/x-www-form-urlencoded; charset=utf-8"
        )
        headers.setdefault("Content-Type", content_type)
        return config.method, config.url, headers, rendered.encode("utf-8")

    def send(self, message: OutgoingMessage) -> DeliveryResult:
        method, url, headers, body = self.request(message)
        response = http_call(
            self.name,
            method,
            url,
            timeout=self.timeout,
            secrets=self._secrets,
            headers=headers,
            data=body,
        )
        if isinstance(response, DeliveryResult):
            return response
        result = self._result(
            response.status_code,
            json_body(response),
            response.text,
            response.headers.get("Retry-After"),
        )
        log_result(self.name, result)
        return result

    def _result(
        self, status: int, body: dict[str, Any] | None, text: str, retry_after: str | None
    ) -> DeliveryResult:
        theirs = response_message(body, text)
        if status == 429:
            return retry_later(
                with_detail(
                    _("The SMS gateway is limiting the sending rate; it is tried again later."),
                    theirs,
                    self._secrets,
                ),
                code="429",
                retry_after=retry_after_seconds(retry_after) or RATE_LIMITED_RETRY_AFTER,
            )
        if status >= 500:
            return retry_later(
                with_detail(
                    _("The SMS gateway had a server error; it is tried again later."),
                    theirs,
                    self._secrets,
                ),
                code=str(status),
                retry_after=retry_after_seconds(retry_after),
            )
        if not 200 <= status < 300:
            return refused(
                with_detail(
                    _("The SMS gateway refused the message (HTTP %(status)s).", status=status),
                    theirs,
                    self._secrets,
                ),
                code=str(status),
            )
        if self.config.success:
            name, expected = (part.strip() for part in self.config.success.split("=", 1))
            actual = _field(body, name) if body is not None else None
            if actual is None or _as_text(actual) != expected:
                return refused(
                    with_detail(
                        _(
                            "The SMS gateway did not accept the message (%(field)s is not "
                            "%(expected)s).",
                            field=name,
                            expected=expected,
                        ),
                        theirs,
                        self._secrets,
                    ),
                    code=None if actual is None else _as_text(actual),
                )
        return delivered(_("Accepted by the SMS gateway."))
