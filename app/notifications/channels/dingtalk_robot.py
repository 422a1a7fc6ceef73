"""钉钉 custom robot (自定义机器人) with the 加签 security setting: JSON POSTed to the signed URL.

`https://oapi.dingtalk.com/robot/send?access_token=TOKEN&timestamp=T&sign=S`, where T is the
time in milliseconds and S = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{T}\\n{secret}")));
钉钉 refuses a timestamp more than an hour away from its clock. The access token and the
secret are the robot's credentials: neither appears in a message or a log. A robot may send
20 messages a minute. A message with a title is sent as markdown; the mentioned members'
mobile numbers are written into its text too, as 钉钉 wants for markdown.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

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
    retry_later,
    with_detail,
)

RATE_LIMITED_RETRY_AFTER = 60  # 130101: 20 messages a minute per robot
BUSY = -1  # 系统繁忙
RATE_LIMITED = 130101
SECURITY_CHECK_FAILED = 310000  # keyword, signature or IP address not as the robot's 安全设置
TOKEN_INVALID = (300001, 300005, 400013, 410100)  # no such robot / token, group dissolved …


def signature(timestamp_ms: int, secret: str) -> str:
    """The `sign` parameter (already URL-encoded) for `timestamp_ms`."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return quote_plus(base64.b64encode(digest))


def payload(message: OutgoingMessage) -> dict[str, Any]:
    at = {"atMobiles": list(message.mention_mobiles), "isAtAll": False}
    if message.title:
        text = message.text
        missing = [m for m in message.mention_mobiles if f"@{m}" not in text]
        if missing:
            text = text + "\n\n" + " ".join(f"@{m}" for m in missing)
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.title, "text": f"#### {message.title}\n{text}"},
            "at": at,
        }
    return {"msgtype": "text", "text": {"content": message.text}, "at": at}


class DingtalkRobot:
    """One group's robot. `OutgoingMessage.to` is not used: the webhook is the target."""

    name = "dingtalk"

    def __init__(
        self,
        webhook_url: str,
        secret: str,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not webhook_url:
            raise ValueError("a 钉钉 robot needs its webhook URL")
        if not secret:
            raise ValueError("a 钉钉 robot needs its 加签 secret")
        self.webhook_url = webhook_url
        self.secret = secret
        self.timeout = timeout
        self.clock = clock

    def __repr__(self) -> str:
        return f"DingtalkRobot(host={urlsplit(self.webhook_url).netloc!r})"

    @property
    def _secrets(self) -> tuple[str, ...]:
        tokens = parse_qs(urlsplit(self.webhook_url).query).get("access_token", [])
        return (self.secret, self.webhook_url, *tokens)

    def signed_url(self) -> str:
        timestamp = int(self.clock() * 1000)
        separator = "&" if "?" in self.webhook_url else "?"
        return (
            f"{self.webhook_url}{separator}timestamp={timestamp}"
            f"&sign={signature(timestamp, self.secret)}"
        )

    def send(self, message: OutgoingMessage) -> DeliveryResult:
        response = http_call(
            self.name,
            "POST",
            self.signed_url(),
            timeout=self.timeout,
            secrets=self._secrets,
            json=payload(message),
        )
        if isinstance(response, DeliveryResult):
            return response
        result = self._result(response.status_code, json_body(response), response.text)
        log_result(self.name, result)
        return result

    def _result(self, status: int, body: Mapping[str, Any] | None, text: str) -> DeliveryResult:
        if status >= 500:
            return retry_later(
                _("DingTalk had a server error; it is tried again later."), code=str(status)
            )
        if body is None or "errcode" not in body:
            return refused(
                with_detail(
                    _(
                        "DingTalk gave an answer that was not understood (HTTP %(status)s).",
                        status=status,
                    ),
                    text,
                    self._secrets,
                ),
                code=str(status),
            )
        errcode, errmsg = body.get("errcode"), str(body.get("errmsg", ""))
        code = str(errcode)
        if errcode == 0:
            return delivered(_("Sent to the DingTalk group."))
        if errcode == RATE_LIMITED:
            return retry_later(
                with_detail(
                    _("The DingTalk robot may send 20 messages a minute; it is tried again later."),
                    errmsg,
                    self._secrets,
                ),
                code=code,
                retry_after=RATE_LIMITED_RETRY_AFTER,
            )
        if errcode == BUSY:
            return retry_later(
                with_detail(_("DingTalk is busy; it is tried again later."), errmsg, self._secrets),
                code=code,
            )
        if errcode == SECURITY_CHECK_FAILED:
            reason = _(
                "DingTalk's security check failed: in the robot's 安全设置, choose 加签 and "
                "store its secret here again (a keyword or IP address setting must let these "
                "messages through); the server's clock must be right within an hour."
            )
        elif errcode in TOKEN_INVALID:
            reason = _(
                "The DingTalk robot no longer exists or its webhook address is wrong (the "
                "robot was removed or the group dissolved): copy the webhook address again "
                "from the robot's settings."
            )
        else:
            reason = _("DingTalk refused the message (error %(code)s).", code=code)
        return refused(with_detail(reason, errmsg, self._secrets), code=code)
