"""The outside channels — SMS, 企业微信 and 钉钉 group robots — behind one interface.

Every channel has a `name` and `send(OutgoingMessage) -> DeliveryResult`; `send` never
raises for what the network or the provider does (docs/notifications.md#channels). This
package imports nothing else of the app: the delivery pipeline builds the channels from the
settings (`channels_from_config`) and from each organisation's robots (`wecom`, `dingtalk`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.notifications.channels.aliyun_sms import AliyunSms, AliyunSmsConfig
from app.notifications.channels.base import (
    DEFAULT_TIMEOUT,
    Channel,
    DeliveryResult,
    OutgoingMessage,
    fit_sms,
    sms_segments,
)
from app.notifications.channels.dingtalk_robot import DingtalkRobot
from app.notifications.channels.http_gateway import HttpGateway, HttpGatewayConfig
from app.notifications.channels.wecom_robot import WecomRobot

__all__ = [
    "AliyunSms",
    "AliyunSmsConfig",
    "Channel",
    "DeliveryResult",
    "DingtalkRobot",
    "HttpGateway",
    "HttpGatewayConfig",
    "OutgoingMessage",
    "WecomRobot",
    "channels_from_config",
    "dingtalk",
    "fit_sms",
    "sms_segments",
    "wecom",
]

SMS_PROVIDERS = ("aliyun", "http")


def channels_from_config(
    config: Mapping[str, Any], *, timeout: tuple[float, float] = DEFAULT_TIMEOUT
) -> dict[str, Channel]:
    """The channels the settings configure: `{"sms": …}` when `SMS_PROVIDER` is `aliyun` or
    `http`, nothing when it is empty. A bad provider or a missing setting raises ValueError
    (naming the setting, never a value), so a deployment mistake shows at start."""
    provider = str(config.get("SMS_PROVIDER") or "").strip().lower()
    if not provider:
        return {}
    if provider == "aliyun":
        return {"sms": AliyunSms(AliyunSmsConfig.from_config(config), timeout=timeout)}
    if provider == "http":
        return {"sms": HttpGateway(HttpGatewayConfig.from_config(config), timeout=timeout)}
    raise ValueError(f"SMS_PROVIDER must be empty or one of {', '.join(SMS_PROVIDERS)}")


def wecom(webhook_url: str, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> Channel:
    """A 企业微信 group's robot, from its webhook URL (…/cgi-bin/webhook/send?key=…)."""
    return WecomRobot(webhook_url, timeout=timeout)


def dingtalk(
    webhook_url: str, secret: str, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT
) -> Channel:
    """A 钉钉 group's custom robot, from its webhook URL (…/robot/send?access_token=…) and
    its 加签 secret (SEC…)."""
    return DingtalkRobot(webhook_url, secret, timeout=timeout)
