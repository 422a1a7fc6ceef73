"""企业微信 group robot (群机器人): a POST of JSON to the group's webhook URL.

`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY` — the key in the URL is the
robot's only credential, so the URL is treated as a secret (never in a message or a log).
A text message may @ members by mobile number (`mentioned_mobile_list`) and holds at most
2048 bytes of UTF-8; a markdown message (sent when the message has a title) holds 4096
bytes and cannot @ by mobile number, so a titled message that mentions someone is sent as
text with the title on its first line. Each robot may send 20 messages a minute.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
    truncate_utf8,
    with_detail,
)

TEXT_MAX_BYTES = 2048
MARKDOWN_MAX_BYTES = 4096
RATE_LIMITED_RETRY_AFTER = 60  # 45009: 20 messages a minute per robot
BUSY = -1  # 系统繁忙
RATE_LIMITED = 45009


def payload(message: OutgoingMessage) -> dict[str, Any]:
    """The JSON body for `message`, cut to the robot's limits."""
    if message.title and not message.mention_mobiles:
        content = f"**{message.title}**\n{message.text}"
        return {
            "msgtype": "markdown",
            "markdown": {"content": truncate_utf8(content, MARKDOWN_MAX_BYTES)},
        }
    content = f"{message.title}\n{message.text}" if message.title else message.text
    text: dict[str, Any] = {"content": truncate_utf8(content, TEXT_MAX_BYTES)}
    if message.mention_mobiles:
        text["mentioned_mobile_list"] = list(message.mention_mobiles)
    return {"msgtype": "text", "text": text}


class WecomRobot:
    """One group's robot. `OutgoingMessage.to` is not used: the webhook is the target."""

    name = "wecom"

    def __init__(self, webhook_url: str, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        if not webhook_url:
            raise ValueError("a 企业微信 robot needs its webhook URL")
        self.webhook_url = webhook_url
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"WecomRobot(host={urlsplit(self.webhook_url).netloc!r})"

    @property
    def _secrets(self) -> tuple[str, ...]:
        keys = parse_qs(urlsplit(self.webhook_url).query).get("key", [])
        return (self.webhook_url, *keys)

    def send(self, message: OutgoingMessage) -> DeliveryResult:
        response = http_call(
            self.name,
            "POST",
            self.webhook_url,
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
                _("WeCom had a server error; it is tried again later."), code=str(status)
            )
        if body is None or "errcode" not in body:
            return refused(
                with_detail(
                    _(
                        "WeCom gave an answer that was not understood (HTTP %(status)s).",
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
            return delivered(_("Sent to the WeCom group."))
        if errcode == RATE_LIMITED:
            return retry_later(
                with_detail(
                    _("The WeCom robot may send 20 messages a minute; it is tried again later."),
                    errmsg,
                    self._secrets,
                ),
                code=code,
                retry_after=RATE_LIMITED_RETRY_AFTER,
            )
        if errcode == BUSY:
            return retry_later(
                with_detail(_("WeCom is busy; it is tried again later."), errmsg, self._secrets),
                code=code,
            )
        if errcode == 93000:
            reason = _(
                "The WeCom robot's webhook address is not valid (the robot was removed or "
                "the address mistyped): copy the webhook address again from the robot's page "
                "in the group."
            )
        else:
            reason = _("WeCom refused the message (error %(code)s).", code=code)
        return refused(with_detail(reason, errmsg, self._secrets), code=code)
