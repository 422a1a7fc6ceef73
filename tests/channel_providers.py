"""A local HTTP server answering as Aliyun SMS, an HTTP SMS gateway, a 企业微信 robot and a
钉钉 robot do: it checks each request as the provider documents it — recomputing Aliyun's POP
signature and 钉钉's sign with its own implementation of the algorithms — and answers with
the provider's own codes (rate limits, a bad signature or key, an invalid number, a system
error, a 5xx, or no answer in time).

A request the adapters should never send (a missing parameter, a wrong content type, text
over a limit) is recorded in `problems`, which the fixture asserts empty at the end.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import json
import re
import string
import threading
import time
import uuid
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

ALIYUN_KEY_ID = "LTAI5tTestKeyId0001"
ALIYUN_SECRET = "aliyun-secret-Zx9+/~*q"
ALIYUN_SIGN = "某市总工会"
ALIYUN_TEMPLATE = "SMS_480000001"
GATEWAY_TOKEN = "Bearer gw-token-7d41c0"
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DINGTALK_TOKEN = "dt-access-token-5f0e2a"
DINGTALK_SECRET = "SEC5e8b2cdb0e2b1f0c5f0f1b6c1d7d3a9d6f3a6c1d2b8e0f4a9c7b5e3d1f2a4c6"
SECRETS = (
    ALIYUN_SECRET,
    GATEWAY_TOKEN,
    "gw-token-7d41c0",
    WECOM_KEY,
    DINGTALK_TOKEN,
    DINGTALK_SECRET,
)

UNRESERVED = set(string.ascii_letters + string.digits + "-_.~")
ALIYUN_COMMON = {
    "AccessKeyId",
    "Action",
    "Format",
    "RegionId",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
    "Version",
}
ALIYUN_SEND_SMS = {"PhoneNumbers", "SignName", "TemplateCode", "TemplateParam"}


def rfc3986(value: str) -> str:
    """The test's own percent-encoding: every byte outside A-Z a-z 0-9 - _ . ~ as %XX."""
    out = []
    for char in value:
        if char in UNRESERVED:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def pop_signature(params: dict[str, str], secret: str) -> str:
    """Aliyun's POP signature, written out step by step from the documentation."""
    pairs = [rfc3986(name) + "=" + rfc3986(params[name]) for name in sorted(params)]
    canonical = "&".join(pairs)
    to_sign = "GET" + "&" + rfc3986("/") + "&" + rfc3986(canonical)
    mac = hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def dingtalk_sign(timestamp: str, secret: str) -> str:
    mac = hmac.new(secret.encode(), (timestamp + "\n" + secret).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


class Providers(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode: dict[str, str] = {}  # provider → "busy", "5xx", "slow", "no_balance", …
        self.slow_seconds = 1.5
        self.requests: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self.sent: dict[str, list[float]] = defaultdict(list)  # rate-limit windows
        self.nonces: set[str] = set()
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)

    def within_rate(self, key: str, per_minute: int) -> bool:
        now = time.time()
        with self.lock:
            window = [t for t in self.sent[key] if now - t < 60]
            if len(window) >= per_minute:
                self.sent[key] = window
                return False
            self.sent[key] = [*window, now]
            return True


Answer = tuple[int, dict[str, str], Any]


class _Handler(BaseHTTPRequestHandler):
    server: Providers

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record = {
            "method": self.command,
            "path": parts.path,
            "query": parts.query,
            "headers": dict(self.headers.items()),
            "body": body,
        }
        with self.server.lock:
            self.server.requests.append(record)
        routes = {
            "/aliyun/": ("aliyun", self._aliyun),
            "/gateway/json": ("gateway", self._gateway),
            "/gateway/form": ("gateway", self._gateway),
            "/cgi-bin/webhook/send": ("wecom", self._wecom),
            "/robot/send": ("dingtalk", self._dingtalk),
        }
        provider, route = routes.get(parts.path, ("", None))
        if route is None:
            self.server.problem(f"unknown path {parts.path}")
            status, headers, answer = 404, {}, {"error": "not found"}
        else:
            mode = self.server.mode.get(provider)
            if mode == "slow":
                time.sleep(self.server.slow_seconds)
            if mode == "5xx":
                status, headers, answer = 502, {"Content-Type": "text/html"}, "<h1>502</h1>"
            else:
                status, headers, answer = route(parts.query, body, mode)
        data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
        try:
            self.send_response(status)
            headers.setdefault("Content-Type", "application/json;charset=utf-8")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            pass

    # -- Aliyun SendSms ----------------------------------------------------------------------

    def _aliyun(self, query: str, body: bytes, mode: str | None) -> Answer:
        def error(status: int, code: str, message: str) -> Answer:
            return status, {}, {"RequestId": str(uuid.uuid4()), "Code": code, "Message": message}

        if self.command != "GET":
            self.server.problem(f"Aliyun: method {self.command}")
        if not re.fullmatch(r"[A-Za-z0-9\-_.~%=&]*", query):
            self.server.problem(f"Aliyun: query not RFC 3986 encoded: {query[:80]}")
        pairs = [pair.split("=", 1) for pair in query.split("&")]
        params = {unquote(name): unquote(value) for name, value in pairs}
        signature = params.pop("Signature", "")
        expected = ALIYUN_COMMON | ALIYUN_SEND_SMS
        if set(params) != expected:
            self.server.problem(f"Aliyun: parameters {sorted(set(params) ^ expected)}")
            return error(400, "MissingParameter", "missing or unexpected parameters")
        fixed = {
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": "cn-hangzhou",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "Version": "2017-05-25",
        }
        for name, value in fixed.items():
            if params[name] != value:
                self.server.problem(f"Aliyun: {name}={params[name]}")
        stamp = params["Timestamp"]
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp):
            return error(400, "InvalidTimeStamp.Format", "Specified time stamp is not valid.")
        sent_at = calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))
        if abs(time.time() - sent_at) > 15 * 60:
            return error(400, "InvalidTimeStamp.Expired", "Specified time stamp is expired.")
        nonce = params["SignatureNonce"]
        if uuid.UUID(nonce).version != 4:
            self.server.problem(f"Aliyun: nonce {nonce} not a uuid4")
        with self.server.lock:
            if nonce in self.server.nonces:
                return error(400, "SignatureNonceUsed", "Specified signature nonce was used.")
            self.server.nonces.add(nonce)
        if params["AccessKeyId"] != ALIYUN_KEY_ID:
            return error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if signature != pop_signature(params, ALIYUN_SECRET):
            return error(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            )
        if mode == "throttling":  # the API gateway's own flow control, before the SMS service
            return error(400, "Throttling.User", "Request was denied due to user flow control.")
        if mode == "system_error":
            return error(200, "isp.SYSTEM_ERROR", "系统错误")
        if mode == "no_balance":
            return error(200, "isv.AMOUNT_NOT_ENOUGH", "账户余额不足")
        if mode == "unknown":
            return error(200, "isv.SOMETHING_NEW", "新的错误")
        if not re.fullmatch(r"(\+?86)?1[3-9]\d{9}", params["PhoneNumbers"]):
            return error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if params["SignName"] != ALIYUN_SIGN:
            return error(200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        if params["TemplateCode"] != ALIYUN_TEMPLATE:
            return error(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        template_param = json.loads(params["TemplateParam"])
        if set(template_param) != {"content"}:
            return error(200, "isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值")
        if not self.server.within_rate("aliyun:" + params["PhoneNumbers"], 1):
            return error(200, "isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控Permits:1")
        return 200, {}, {"RequestId": "R1", "Code": "OK", "Message": "OK", "BizId": "9006^0"}

    # -- the HTTP gateway --------------------------------------------------------------------

    def _gateway(self, query: str, body: bytes, mode: str | None) -> Answer:
        if self.headers.get("Authorization") != GATEWAY_TOKEN:
            return 401, {}, {"code": 401, "msg": "unauthorized"}
        if mode == "limited":
            return 429, {"Retry-After": "30"}, {"code": 429, "msg": "too many requests"}
        content_type = self.headers.get("Content-Type", "")
        if self.path.startswith("/gateway/json"):
            if not content_type.startswith("application/json"):
                self.server.problem(f"gateway: content type {content_type}")
            try:
                fields = json.loads(body.decode("utf-8"))
            except ValueError:
                self.server.problem(f"gateway: not JSON: {body[:80]!r}")
                return 400, {}, {"code": 400, "msg": "bad json"}
        else:
            if not content_type.startswith("application/x-www-form-urlencoded"):
                self.server.problem(f"gateway: content type {content_type}")
            fields = {
                k: v[0] for k, v in parse_qs(body.decode("utf-8"), strict_parsing=True).items()
            }
        if set(fields) != {"phone", "content", "sign"}:
            self.server.problem(f"gateway: fields {sorted(fields)}")
        if not re.fullmatch(r"1[3-9]\d{9}", str(fields.get("phone"))):
            return 200, {}, {"code": 1001, "msg": "手机号码格式错误"}
        return 200, {}, {"code": 0, "msg": "ok", "data": {"id": "gw-1"}}

    # -- 企业微信 group robot ----------------------------------------------------------------

    def _wecom(self, query: str, body: bytes, mode: str | None) -> Answer:
        if self.command != "POST":
            self.server.problem(f"wecom: method {self.command}")
        if parse_qs(query).get("key") != [WECOM_KEY]:
            return 200, {}, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [x]"}
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            self.server.problem("wecom: not JSON")
        message = json.loads(body.decode("utf-8"))
        kind = message.get("msgtype")
        if kind not in ("text", "markdown") or set(message) != {"msgtype", kind}:
            self.server.problem(f"wecom: message {sorted(message)}")
            return 200, {}, {"errcode": 40008, "errmsg": "invalid message type"}
        content = message[kind]["content"]
        limit = 2048 if kind == "text" else 4096
        if len(content.encode("utf-8")) > limit:
            self.server.problem(f"wecom: {kind} of {len(content.encode())} bytes")
        extra = set(message[kind]) - {"content", "mentioned_list", "mentioned_mobile_list"}
        if extra or (kind == "markdown" and len(message[kind]) != 1):
            self.server.problem(f"wecom: fields {sorted(message[kind])}")
        if mode == "busy":
            return 200, {}, {"errcode": -1, "errmsg": "system busy"}
        if not self.server.within_rate("wecom", 20):
            return 200, {}, {"errcode": 45009, "errmsg": "api freq out of limit"}
        return 200, {}, {"errcode": 0, "errmsg": "ok"}

    # -- 钉钉 custom robot -------------------------------------------------------------------

    def _dingtalk(self, query: str, body: bytes, mode: str | None) -> Answer:
        raw = dict(pair.split("=", 1) for pair in query.split("&"))
        if set(raw) != {"access_token", "timestamp", "sign"}:
            self.server.problem(f"dingtalk: query {sorted(raw)}")
        if raw.get("access_token") != DINGTALK_TOKEN:
            return 200, {}, {"errcode": 300001, "errmsg": "token is not exist"}
        timestamp = raw.get("timestamp", "")
        if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3600 * 1000:
            return 200, {}, {"errcode": 310000, "errmsg": "invalid timestamp"}
        if unquote(raw.get("sign", "")) != dingtalk_sign(timestamp, DINGTALK_SECRET):
            return 200, {}, {"errcode": 310000, "errmsg": "sign not match"}
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            self.server.problem("dingtalk: not JSON")
        message = json.loads(body.decode("utf-8"))
        kind = message.get("msgtype")
        if kind == "text":
            if set(message["text"]) != {"content"}:
                self.server.problem(f"dingtalk: text {sorted(message['text'])}")
        elif kind == "markdown":
            if set(message["markdown"]) != {"title", "text"}:
                self.server.problem(f"dingtalk: markdown {sorted(message['markdown'])}")
        else:
            return 200, {}, {"errcode": 40035, "errmsg": "缺少参数 msgtype"}
        at = message.get("at", {})
        if at.get("isAtAll") is not False or not isinstance(at.get("atMobiles"), list):
            self.server.problem(f"dingtalk: at {at}")
        if mode == "busy":
            return 200, {}, {"errcode": -1, "errmsg": "系统繁忙"}
        if not self.server.within_rate("dingtalk", 20):
            return (
                200,
                {},
                {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
            )
        return 200, {}, {"errcode": 0, "errmsg": "ok"}
