"""Aliyun SMS (短信服务) `SendSms`, over its RPC-style HTTP API with the POP signature.

The request is a GET of dysmsapi.aliyuncs.com with the common parameters (Version 2017-05-25,
Action, RegionId, Format JSON, AccessKeyId, SignatureMethod HMAC-SHA1, SignatureVersion 1.0,
SignatureNonce, Timestamp) and the action's (PhoneNumbers, SignName, TemplateCode,
TemplateParam). The signature, as Aliyun documents it:

1. sort the parameters by name; percent-encode names and values per RFC 3986 (UTF-8; only
   A-Z a-z 0-9 - _ . ~ stay as they are: a space is %20, `*` is %2A);
2. the canonicalised query string: `name=value` joined with `&`;
3. StringToSign = `GET&%2F&` + percentEncode(canonicalised query string);
4. Signature = base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign)), sent as the
   parameter `Signature` (percent-encoded like the others).

The message goes into the template's one variable (`${content}` by default): the deployment
registers a template such as `${content}` with its signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

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
    setting,
    with_detail,
)

DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
THROTTLED_RETRY_AFTER = 60  # isv.BUSINESS_LIMIT_CONTROL: the provider's rate limits
BALANCE_RETRY_AFTER = 3600  # isv.AMOUNT_NOT_ENOUGH: until the account is topped up


def percent_encode(value: str) -> str:
    """RFC 3986, as Aliyun's POP signature wants it (space %20, `*` %2A, `~` kept)."""
    return quote(value, safe="~")


def canonicalized_query(params: Mapping[str, str]) -> str:
    return "&".join(
        f"{percent_encode(name)}={percent_encode(params[name])}" for name in sorted(params)
    )


def string_to_sign(params: Mapping[str, str], method: str = "GET") -> str:
    return f"{method}&{percent_encode('/')}&{percent_encode(canonicalized_query(params))}"


def sign(params: Mapping[str, str], access_key_secret: str, method: str = "GET") -> str:
    digest = hmac.new(
        (access_key_secret + "&").encode("utf-8"),
        string_to_sign(params, method).encode("utf-8"),
        hashlib.sha1,
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_query(params: Mapping[str, str], access_key_secret: str) -> str:
    """The query string of the GET: the signature first, then the canonicalised parameters."""
    signature = sign(params, access_key_secret)
    return f"Signature={percent_encode(signature)}&{canonicalized_query(params)}"


@dataclass(frozen=True)
class AliyunSmsConfig:
    access_key_id: str
    access_key_secret: str = ""
    sign_name: str = ""  # the approved signature's name, e.g. 某市总工会 (without 【】)
    template_code: str = ""  # e.g. SMS_123456789
    param_name: str = "content"  # the template's variable the text goes into
    endpoint: str = DEFAULT_ENDPOINT

    def __repr__(self) -> str:  # never the secret, in a traceback or a log line
        return (
            f"AliyunSmsConfig(access_key_id={self.access_key_id!r}, access_key_secret='***', "
            f"sign_name={self.sign_name!r}, template_code={self.template_code!r}, "
            f"param_name={self.param_name!r}, endpoint={self.endpoint!r})"
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AliyunSmsConfig:
        """From the app's settings; a missing one fails loudly, naming it (never a value)."""
        values = {
            "access_key_id": setting(config, "ALIYUN_SMS_ACCESS_KEY_ID"),
            "access_key_secret": setting(config, "ALIYUN_SMS_ACCESS_KEY_SECRET"),
            "sign_name": setting(config, "ALIYUN_SMS_SIGN_NAME"),
            "template_code": setting(config, "ALIYUN_SMS_TEMPLATE_CODE"),
        }
        missing = [f"ALIYUN_SMS_{key.upper()}" for key, value in values.items() if not value]
        if missing:
            raise ValueError("SMS_PROVIDER=aliyun needs " + ", ".join(missing))
        return cls(
            **values,
            param_name=setting(config, "ALIYUN_SMS_TEMPLATE_PARAM", "content"),
            endpoint=setting(config, "ALIYUN_SMS_ENDPOINT", DEFAULT_ENDPOINT),
        )


def _permanent_reasons(config: AliyunSmsConfig) -> dict[str, str]:
    """What the admin must fix, by Aliyun's error code."""
    return {
        "isv.MOBILE_NUMBER_ILLEGAL": _(
            "The mobile number is not valid: correct the recipient's mobile number."
        ),
        "isv.SMS_TEMPLATE_ILLEGAL": _(
            "The SMS template %(template)s does not exist or is not approved: check "
            "ALIYUN_SMS_TEMPLATE_CODE and the template's review in the Aliyun console.",
            template=config.template_code,
        ),
        "isv.SMS_SIGNATURE_ILLEGAL": _(
            "The SMS signature %(sign)s does not exist or is not approved: check "
            "ALIYUN_SMS_SIGN_NAME and the signature's review in the Aliyun console.",
            sign=config.sign_name,
        ),
        "isv.TEMPLATE_MISSING_PARAMETERS": _(
            "The SMS template's variables do not match: the template must have the one "
            "variable ${%(param)s} (ALIYUN_SMS_TEMPLATE_PARAM).",
            param=config.param_name,
        ),
        "isv.INVALID_PARAMETERS": _(
            "Aliyun refused the request's parameters: check the SMS settings and the number."
        ),
        "SignatureDoesNotMatch": _(
            "Aliyun could not verify the request's signature: check ALIYUN_SMS_ACCESS_KEY_SECRET."
        ),
        "InvalidAccessKeyId.NotFound": _(
            "Aliyun does not know the AccessKey: check ALIYUN_SMS_ACCESS_KEY_ID."
        ),
        "InvalidAccessKeyId.Inactive": _(
            "The AccessKey is disabled: enable it in the Aliyun console or set a new one."
        ),
    }


class AliyunSms:
    """The `sms` channel on Aliyun. `to` is the mobile number (11 digits, or +86…)."""

    name = "aliyun_sms"

    def __init__(
        self,
        config: AliyunSmsConfig,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.timeout = timeout
        self.clock = clock

    @property
    def signature(self) -> str:
        """What the carriers add to each message, to count with `sms_segments`/`fit_sms`."""
        return f"【{self.config.sign_name}】"

    def params(self, message: OutgoingMessage) -> dict[str, str]:
        """The request's parameters, without the signature."""
        return {
            "AccessKeyId": self.config.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": message.to,
            "RegionId": "cn-hangzhou",
            "SignName": self.config.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": str(uuid.uuid4()),
            "SignatureVersion": "1.0",
            "TemplateCode": self.config.template_code,
            "TemplateParam": json.dumps(
                {self.config.param_name: message.text}, ensure_ascii=False, separators=(",", ":")
            ),
            "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock())),
            "Version": "2017-05-25",
        }

    def send(self, message: OutgoingMessage) -> DeliveryResult:
        secrets = (self.config.access_key_secret, self.config.access_key_id)
        query = signed_query(self.params(message), self.config.access_key_secret)
        separator = "&" if "?" in self.config.endpoint else "?"
        response = http_call(
            self.name,
            "GET",
            f"{self.config.endpoint}{separator}{query}",
            timeout=self.timeout,
            secrets=secrets,
        )
        if isinstance(response, DeliveryResult):
            return response
        result = self._result(response.status_code, json_body(response), response.text)
        log_result(self.name, result)
        return result

    def _result(self, status: int, body: dict[str, Any] | None, text: str) -> DeliveryResult:
        secrets = (self.config.access_key_secret, self.config.access_key_id)
        body = body or {}
        code = str(body.get("Code", ""))
        theirs = str(body.get("Message", "")) if body else text
        if status >= 500 and code != "OK":
            return retry_later(
                _("Aliyun SMS had a server error; it is tried again later."),
                code=code or str(status),
            )
        if code == "OK":
            return delivered(
                _("Accepted by Aliyun SMS."), provider_id=str(body.get("BizId") or "") or None
            )
        if not code:
            return refused(
                with_detail(_("Aliyun SMS gave an answer that was not understood."), text, secrets),
                code=str(status),
            )
        if code == "isv.BUSINESS_LIMIT_CONTROL" or code.startswith("Throttling"):
            return retry_later(
                with_detail(
                    _("Aliyun SMS is limiting the sending rate; it is tried again later."),
                    theirs,
                    secrets,
                ),
                code=code,
                retry_after=THROTTLED_RETRY_AFTER,
            )
        if code == "isv.AMOUNT_NOT_ENOUGH":
            return retry_later(
                with_detail(
                    _(
                        "The Aliyun account's balance is not enough: top it up; sending "
                        "resumes by itself."
                    ),
                    theirs,
                    secrets,
                ),
                code=code,
                retry_after=BALANCE_RETRY_AFTER,
            )
        if code.startswith("isp."):
            return retry_later(
                with_detail(
                    _("Aliyun SMS had a system error; it is tried again later."), theirs, secrets
                ),
                code=code,
            )
        reason = _permanent_reasons(self.config).get(code)
        if reason is None:
            reason = _("Aliyun SMS refused the message (%(code)s).", code=code)
        return refused(with_detail(reason, theirs, secrets), code=code)
