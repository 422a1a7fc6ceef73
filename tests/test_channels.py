"""The outside channels against real HTTP: a local server answering as each provider does
(tests/channel_providers.py), every outcome as a DeliveryResult, and the SMS length rule.

The tests run in the app context the suite pushes (no request): the messages we write come
in the default language, Chinese.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, unquote

import pytest

from app import settings
from app.notifications.channels import (
    AliyunSms,
    AliyunSmsConfig,
    Channel,
    DeliveryResult,
    DingtalkRobot,
    HttpGateway,
    HttpGatewayConfig,
    OutgoingMessage,
    WecomRobot,
    aliyun_sms,
    channels_from_config,
    dingtalk,
    fit_sms,
    sms_segments,
    wecom,
)
from app.notifications.channels.base import truncate_utf8
from tests import channel_providers as fake
from tests.channel_providers import Providers

SHORT = (1.0, 0.3)  # (connect, read) seconds: the slow server sleeps longer
MOBILE = "13800138000"


@pytest.fixture
def providers() -> Iterator[Providers]:
    server = Providers()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    assert server.problems == []


def aliyun_config(providers: Providers, **changes: str) -> AliyunSmsConfig:
    values = {
        "access_key_id": fake.ALIYUN_KEY_ID,
        "access_key_secret": fake.ALIYUN_SECRET,
        "sign_name": fake.ALIYUN_SIGN,
        "template_code": fake.ALIYUN_TEMPLATE,
        "endpoint": providers.base + "/aliyun/",
        **changes,
    }
    return AliyunSmsConfig(**values)


def aliyun(providers: Providers, **changes: str) -> AliyunSms:
    return AliyunSms(aliyun_config(providers, **changes), timeout=SHORT)


def gateway(providers: Providers, kind: str = "json", **changes: str) -> HttpGateway:
    bodies = {
        "json": '{"phone": "{mobile}", "content": "{text}", "sign": "{sign}"}',
        "form": "phone={mobile}&content={text}&sign={sign}",
    }
    config = {
        "SMS_HTTP_URL": f"{providers.base}/gateway/{kind}",
        "SMS_HTTP_HEADERS": json.dumps({"Authorization": fake.GATEWAY_TOKEN}),
        "SMS_HTTP_BODY": bodies[kind],
        "SMS_HTTP_SUCCESS": "code=0",
        "SMS_HTTP_SIGN": fake.ALIYUN_SIGN,
        **changes,
    }
    return HttpGateway(HttpGatewayConfig.from_config(config), timeout=SHORT)


def wecom_url(providers: Providers, key: str = fake.WECOM_KEY) -> str:
    return f"{providers.base}/cgi-bin/webhook/send?key={key}"


def dingtalk_url(providers: Providers, token: str = fake.DINGTALK_TOKEN) -> str:
    return f"{providers.base}/robot/send?access_token={token}"


def outcome(result: DeliveryResult) -> tuple[bool, bool, int | None, str | None]:
    return result.ok, result.retry, result.retry_after, result.code


def refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the SMS length rule ---------------------------------------------------------------------

SIGNATURE = "【某市总工会】"  # 7 characters


def test_sms_segments_count_the_signature_70_then_67():
    assert sms_segments("", SIGNATURE) == 1
    assert sms_segments("字" * 63, SIGNATURE) == 1  # 70
    assert sms_segments("字" * 64, SIGNATURE) == 2  # 71: two parts of 67
    assert sms_segments("a" * 127, SIGNATURE) == 2  # 134 = 2 × 67
    assert sms_segments("a" * 128, SIGNATURE) == 3
    assert sms_segments("字" * 70, "") == 1


def test_fit_sms_cuts_with_an_ellipsis_to_the_segments_allowed():
    short = "您有一项评选材料即将到期。"
    assert fit_sms(short, SIGNATURE) == short
    long = "第" + "很长的提醒内容" * 40
    two = fit_sms(long, SIGNATURE)
    assert two.endswith("…") and long.startswith(two[:-1])
    assert len(SIGNATURE) + len(two) == 134 and sms_segments(two, SIGNATURE) == 2
    one = fit_sms(long, SIGNATURE, max_segments=1)
    assert len(SIGNATURE) + len(one) == 70 and sms_segments(one, SIGNATURE) == 1
    exactly = "字" * 127
    assert fit_sms(exactly, SIGNATURE) == exactly
    with pytest.raises(ValueError):
        fit_sms(long, SIGNATURE, max_segments=0)


def test_utf8_truncation_keeps_whole_characters():
    text = "a" + "中" * 700 + "😀"
    cut = truncate_utf8(text, 2048)
    assert len(cut.encode("utf-8")) <= 2048 and cut.endswith("…")
    assert text.startswith(cut[:-1]) and len(cut.encode("utf-8")) >= 2048 - 3 - 2
    assert truncate_utf8("短", 2048) == "短"
    emoji = "😀" * 600
    assert truncate_utf8(emoji, 2048).encode("utf-8").decode("utf-8").endswith("😀…")


# -- Aliyun SMS ------------------------------------------------------------------------------

# Aliyun's documented example of the signature (HTTP protocol and signature, SendSms).
DOC_PARAMS = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
DOC_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123"
    "%26PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF"
    "%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF"
    "%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D"
    "45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode%3D"
    "SMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D"
    "%26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25"
)
DOC_SIGNATURE = "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_the_pop_signature_matches_aliyuns_documented_example():
    assert aliyun_sms.string_to_sign(DOC_PARAMS) == DOC_STRING_TO_SIGN
    assert aliyun_sms.sign(DOC_PARAMS, "testSecret") == DOC_SIGNATURE
    assert fake.pop_signature(DOC_PARAMS, "testSecret") == DOC_SIGNATURE  # the test's own
    assert aliyun_sms.signed_query(DOC_PARAMS, "testSecret").startswith(
        "Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D&AccessKeyId=testId&Action=SendSms"
    )


def test_percent_encoding_is_rfc_3986():
    assert aliyun_sms.percent_encode("a b*c~d+e/f:g") == "a%20b%2Ac~d%2Be%2Ff%3Ag"
    assert aliyun_sms.percent_encode("工") == fake.rfc3986("工") == "%E5%B7%A5"


def test_aliyun_sends_a_signed_request_and_returns_the_bizid(providers: Providers):
    channel = aliyun(providers)
    result = channel.send(OutgoingMessage(text="提醒：a b*c~d 请于3天内提交", to=MOBILE))
    assert outcome(result) == (True, False, None, None)
    assert result.provider_id == "9006^0"
    query = providers.requests[-1]["query"]
    assert "+" not in query and "a%2520b%252Ac~d" not in query
    params = {unquote(k): unquote(v) for k, v in (p.split("=", 1) for p in query.split("&"))}
    assert json.loads(params["TemplateParam"]) == {"content": "提醒：a b*c~d 请于3天内提交"}
    assert "a%20b%2Ac~d" in query  # TemplateParam, percent-encoded once
    assert params["PhoneNumbers"] == MOBILE and params["SignName"] == fake.ALIYUN_SIGN
    assert channel.signature == "【某市总工会】"


@pytest.mark.parametrize(
    ("changes", "mode", "to", "expected", "hint"),
    [
        (
            {"access_key_secret": "wrong"},
            None,
            MOBILE,
            (False, False, None, "SignatureDoesNotMatch"),
            "ALIYUN_SMS_ACCESS_KEY_SECRET",
        ),
        (
            {"access_key_id": "LTAInope"},
            None,
            MOBILE,
            (False, False, None, "InvalidAccessKeyId.NotFound"),
            "ALIYUN_SMS_ACCESS_KEY_ID",
        ),
        ({}, None, "12345", (False, False, None, "isv.MOBILE_NUMBER_ILLEGAL"), "手机号"),
        (
            {"sign_name": "别的签名"},
            None,
            MOBILE,
            (False, False, None, "isv.SMS_SIGNATURE_ILLEGAL"),
            "ALIYUN_SMS_SIGN_NAME",
        ),
        (
            {"template_code": "SMS_1"},
            None,
            MOBILE,
            (False, False, None, "isv.SMS_TEMPLATE_ILLEGAL"),
            "ALIYUN_SMS_TEMPLATE_CODE",
        ),
        (
            {"param_name": "text"},
            None,
            MOBILE,
            (False, False, None, "isv.TEMPLATE_MISSING_PARAMETERS"),
            "ALIYUN_SMS_TEMPLATE_PARAM",
        ),
        ({}, "system_error", MOBILE, (False, True, None, "isp.SYSTEM_ERROR"), "阿里云"),
        ({}, "throttling", MOBILE, (False, True, 60, "Throttling.User"), "流控"),
        ({}, "no_balance", MOBILE, (False, True, 3600, "isv.AMOUNT_NOT_ENOUGH"), "充值"),
        ({}, "unknown", MOBILE, (False, False, None, "isv.SOMETHING_NEW"), "isv.SOMETHING_NEW"),
        ({}, "5xx", MOBILE, (False, True, None, "502"), "阿里云"),
    ],
)
def test_aliyun_maps_each_answer(providers, changes, mode, to, expected, hint):
    if mode:
        providers.mode["aliyun"] = mode
    result = aliyun(providers, **changes).send(OutgoingMessage(text="提醒", to=to))
    assert outcome(result) == expected
    assert hint in result.message


def test_aliyun_throttling_is_retried_after_a_minute(providers: Providers):
    channel = aliyun(providers)
    assert channel.send(OutgoingMessage(text="第一条", to=MOBILE)).ok
    limited = channel.send(OutgoingMessage(text="第二条", to=MOBILE))
    assert outcome(limited) == (False, True, 60, "isv.BUSINESS_LIMIT_CONTROL")
    assert channel.send(OutgoingMessage(text="别的号码", to="13900139000")).ok


def test_aliyun_a_stale_clock_is_refused_by_the_provider(providers: Providers):
    channel = AliyunSms(aliyun_config(providers), timeout=SHORT, clock=lambda: time.time() - 3600)
    result = channel.send(OutgoingMessage(text="提醒", to=MOBILE))
    assert outcome(result) == (False, False, None, "InvalidTimeStamp.Expired")


def test_every_channel_retries_after_a_timeout_or_a_refused_connection(providers: Providers):
    for name in ("aliyun", "gateway", "wecom", "dingtalk"):
        providers.mode[name] = "slow"
    slow: list[Channel] = [
        aliyun(providers),
        gateway(providers),
        wecom(wecom_url(providers), timeout=SHORT),
        dingtalk(dingtalk_url(providers), fake.DINGTALK_SECRET, timeout=SHORT),
    ]
    port = refused_port()
    dead: list[Channel] = [
        aliyun(providers, endpoint=f"http://127.0.0.1:{port}/aliyun/"),
        gateway(providers, SMS_HTTP_URL=f"http://127.0.0.1:{port}/gateway/json"),
        wecom(f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key={fake.WECOM_KEY}"),
        dingtalk(f"http://127.0.0.1:{port}/robot/send?access_token=x", fake.DINGTALK_SECRET),
    ]
    for channel in slow + dead:
        started = time.monotonic()
        result = channel.send(OutgoingMessage(text="提醒", to=MOBILE))
        assert outcome(result) == (False, True, None, None), channel.name
        assert time.monotonic() - started < 1.2
    assert "Timeout" in slow[0].send(OutgoingMessage(text="x", to=MOBILE)).message


# -- the HTTP gateway ------------------------------------------------------------------------

TRICKY = '他说"好"\n50% & a=b + c'


@pytest.mark.parametrize("kind", ["json", "form"])
def test_the_gateway_fills_the_template_escaped_for_its_kind(providers, kind):
    result = gateway(providers, kind).send(OutgoingMessage(text=TRICKY, to=MOBILE))
    assert outcome(result) == (True, False, None, None)
    request = providers.requests[-1]
    assert request["headers"]["Authorization"] == fake.GATEWAY_TOKEN
    body = request["body"].decode("utf-8")
    if kind == "json":
        fields = json.loads(body)
    else:
        fields = {k: v[0] for k, v in parse_qs(body).items()}
    assert fields == {"phone": MOBILE, "content": TRICKY, "sign": fake.ALIYUN_SIGN}


@pytest.mark.parametrize(
    ("changes", "mode", "to", "expected", "hint"),
    [
        ({}, "limited", MOBILE, (False, True, 30, "429"), "too many requests"),
        ({}, "5xx", MOBILE, (False, True, None, "502"), "网关"),
        ({}, None, "123", (False, False, None, "1001"), "手机号码格式错误"),
        ({"SMS_HTTP_HEADERS": "{}"}, None, MOBILE, (False, False, None, "401"), "unauthorized"),
        ({"SMS_HTTP_SUCCESS": "data.id=gw-1"}, None, MOBILE, (True, False, None, None), ""),
        ({"SMS_HTTP_SUCCESS": "status=ok"}, None, MOBILE, (False, False, None, None), "status"),
    ],
)
def test_the_gateway_maps_each_answer(providers, changes, mode, to, expected, hint):
    if mode:
        providers.mode["gateway"] = mode
    result = gateway(providers, **changes).send(OutgoingMessage(text="提醒", to=to))
    assert outcome(result) == expected
    assert hint in result.message


def test_the_gateway_settings_are_checked_at_start():
    base = {"SMS_HTTP_URL": "http://x/", "SMS_HTTP_BODY": "m={mobile}"}
    with pytest.raises(ValueError, match="SMS_HTTP_BODY"):
        HttpGatewayConfig.from_config({"SMS_HTTP_URL": "http://x/"})
    with pytest.raises(ValueError, match="SMS_HTTP_HEADERS") as bad_json:
        HttpGatewayConfig.from_config({**base, "SMS_HTTP_HEADERS": '{"Authorization": "tok'})
    assert "tok" not in str(bad_json.value)
    with pytest.raises(ValueError, match="SMS_HTTP_METHOD"):
        HttpGatewayConfig.from_config({**base, "SMS_HTTP_METHOD": "DELETE"})
    with pytest.raises(ValueError, match="SMS_HTTP_SUCCESS"):
        HttpGatewayConfig.from_config({**base, "SMS_HTTP_SUCCESS": "code"})
    get = HttpGateway(HttpGatewayConfig.from_config({**base, "SMS_HTTP_METHOD": "get"}))
    assert get.request(OutgoingMessage(text="x", to="1 2"))[:2] == ("GET", "http://x/?m=1+2")


# -- 企业微信 --------------------------------------------------------------------------------


def test_wecom_sends_text_with_mentions_and_markdown_with_a_title(providers: Providers):
    robot = wecom(wecom_url(providers), timeout=SHORT)
    text = robot.send(OutgoingMessage(text="请审核", mention_mobiles=(MOBILE,)))
    assert outcome(text) == (True, False, None, None)
    assert json.loads(providers.requests[-1]["body"]) == {
        "msgtype": "text",
        "text": {"content": "请审核", "mentioned_mobile_list": [MOBILE]},
    }
    marked = robot.send(OutgoingMessage(text="三项待办", title="今日待办"))
    assert marked.ok
    assert json.loads(providers.requests[-1]["body"]) == {
        "msgtype": "markdown",
        "markdown": {"content": "**今日待办**\n三项待办"},
    }
    both = robot.send(OutgoingMessage(text="请审核", title="督办", mention_mobiles=(MOBILE,)))
    assert both.ok
    assert json.loads(providers.requests[-1]["body"])["text"]["content"] == "督办\n请审核"


def test_wecom_cuts_text_to_2048_and_markdown_to_4096_bytes(providers: Providers):
    robot = WecomRobot(wecom_url(providers), timeout=SHORT)
    assert robot.send(OutgoingMessage(text="a" + "中" * 3000)).ok
    content = json.loads(providers.requests[-1]["body"])["text"]["content"]
    assert 2040 <= len(content.encode("utf-8")) <= 2048 and content.endswith("…")
    assert robot.send(OutgoingMessage(text="中" * 3000, title="长")).ok
    content = json.loads(providers.requests[-1]["body"])["markdown"]["content"]
    assert 4090 <= len(content.encode("utf-8")) <= 4096


@pytest.mark.parametrize(
    ("key", "mode", "expected", "hint"),
    [
        ("wrong-key", None, (False, False, None, "93000"), "Webhook"),
        (fake.WECOM_KEY, "busy", (False, True, None, "-1"), "企业微信"),
        (fake.WECOM_KEY, "5xx", (False, True, None, "502"), "企业微信"),
    ],
)
def test_wecom_maps_each_answer(providers, key, mode, expected, hint):
    if mode:
        providers.mode["wecom"] = mode
    result = wecom(wecom_url(providers, key), timeout=SHORT).send(OutgoingMessage(text="提醒"))
    assert outcome(result) == expected
    assert hint in result.message


def test_wecom_the_21st_message_in_a_minute_is_retried_after_60_seconds(providers: Providers):
    robot = wecom(wecom_url(providers), timeout=SHORT)
    results = [robot.send(OutgoingMessage(text=f"第{n}条")) for n in range(21)]
    assert all(r.ok for r in results[:20])
    assert outcome(results[20]) == (False, True, 60, "45009")


# -- 钉钉 ------------------------------------------------------------------------------------


def test_dingtalk_signs_the_url_and_sends_text_and_markdown(providers: Providers):
    robot = dingtalk(dingtalk_url(providers), fake.DINGTALK_SECRET, timeout=SHORT)
    sent = robot.send(OutgoingMessage(text="请审核", mention_mobiles=(MOBILE,)))
    assert outcome(sent) == (True, False, None, None)
    assert json.loads(providers.requests[-1]["body"]) == {
        "msgtype": "text",
        "text": {"content": "请审核"},
        "at": {"atMobiles": [MOBILE], "isAtAll": False},
    }
    assert robot.send(
        OutgoingMessage(text="三项待办", title="今日待办", mention_mobiles=(MOBILE,))
    ).ok
    assert json.loads(providers.requests[-1]["body"])["markdown"] == {
        "title": "今日待办",
        "text": f"#### 今日待办\n三项待办\n\n@{MOBILE}",
    }


@pytest.mark.parametrize(
    ("token", "secret", "skew", "mode", "expected", "hint"),
    [
        (fake.DINGTALK_TOKEN, "SECwrong", 0, None, (False, False, None, "310000"), "安全设置"),
        (
            fake.DINGTALK_TOKEN,
            fake.DINGTALK_SECRET,
            -3700,
            None,
            (False, False, None, "310000"),
            "加签",
        ),
        ("nope", fake.DINGTALK_SECRET, 0, None, (False, False, None, "300001"), "Webhook"),
        (fake.DINGTALK_TOKEN, fake.DINGTALK_SECRET, 0, "busy", (False, True, None, "-1"), "钉钉"),
        (fake.DINGTALK_TOKEN, fake.DINGTALK_SECRET, 0, "5xx", (False, True, None, "502"), "钉钉"),
    ],
)
def test_dingtalk_maps_each_answer(providers, token, secret, skew, mode, expected, hint):
    if mode:
        providers.mode["dingtalk"] = mode
    robot = DingtalkRobot(
        dingtalk_url(providers, token), secret, timeout=SHORT, clock=lambda: time.time() + skew
    )
    result = robot.send(OutgoingMessage(text="提醒"))
    assert outcome(result) == expected
    assert hint in result.message


def test_dingtalk_the_21st_message_in_a_minute_is_retried_after_60_seconds(providers):
    robot = dingtalk(dingtalk_url(providers), fake.DINGTALK_SECRET, timeout=SHORT)
    results = [robot.send(OutgoingMessage(text=f"第{n}条")) for n in range(21)]
    assert all(r.ok for r in results[:20])
    assert outcome(results[20]) == (False, True, 60, "130101")


# -- the factory, the settings, and no secret anywhere -------------------------------------


def test_the_factory_builds_the_configured_sms_channel(monkeypatch):
    for name, value in {
        "SMS_PROVIDER": "aliyun",
        "ALIYUN_SMS_ACCESS_KEY_ID": fake.ALIYUN_KEY_ID,
        "ALIYUN_SMS_ACCESS_KEY_SECRET": fake.ALIYUN_SECRET,
        "ALIYUN_SMS_SIGN_NAME": fake.ALIYUN_SIGN,
        "ALIYUN_SMS_TEMPLATE_CODE": fake.ALIYUN_TEMPLATE,
    }.items():
        monkeypatch.setenv(name, value)
    config = settings.load()
    sms = channels_from_config(config)["sms"]
    assert isinstance(sms, AliyunSms) and isinstance(sms, Channel)
    assert sms.config.param_name == "content"
    assert sms.config.endpoint == "https://dysmsapi.aliyuncs.com/"
    assert fake.ALIYUN_SECRET not in repr(sms.config)
    assert channels_from_config({**config, "SMS_PROVIDER": ""}) == {}
    http = {"SMS_PROVIDER": "http", "SMS_HTTP_URL": "http://x/", "SMS_HTTP_BODY": "m={mobile}"}
    assert isinstance(channels_from_config(http)["sms"], HttpGateway)
    with pytest.raises(ValueError, match="SMS_PROVIDER"):
        channels_from_config({"SMS_PROVIDER": "tencent"})
    with pytest.raises(ValueError, match="ALIYUN_SMS_ACCESS_KEY_SECRET"):
        channels_from_config({**config, "ALIYUN_SMS_ACCESS_KEY_SECRET": ""})
    assert isinstance(wecom("http://x/?key=k"), Channel)
    assert isinstance(dingtalk("http://x/?access_token=t", "SEC1"), Channel)
    with pytest.raises(ValueError):
        dingtalk("http://x/?access_token=t", "")


def test_no_secret_in_any_result_or_log_record(providers: Providers, caplog, monkeypatch):
    # The migrations' logging config (run by the session's app) disables the loggers that
    # existed before it; in a deployment these two log, so here they must too.
    for name in ("urllib3.connectionpool", "app.notifications.channels"):
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)
    caplog.set_level(logging.DEBUG)
    port = refused_port()
    results = [
        aliyun(providers).send(OutgoingMessage(text="提醒", to=MOBILE)),
        aliyun(providers, access_key_secret=fake.ALIYUN_SECRET + "x").send(
            OutgoingMessage(text="提醒", to="13900139000")
        ),
        aliyun(providers, endpoint=f"http://127.0.0.1:{port}/").send(
            OutgoingMessage(text="提醒", to=MOBILE)
        ),
        gateway(providers).send(OutgoingMessage(text="提醒", to="123")),
        gateway(providers, SMS_HTTP_URL=f"http://127.0.0.1:{port}/").send(
            OutgoingMessage(text="提醒", to=MOBILE)
        ),
        wecom(wecom_url(providers)).send(OutgoingMessage(text="提醒")),
        wecom(f"http://127.0.0.1:{port}/?key={fake.WECOM_KEY}").send(OutgoingMessage(text="x")),
        dingtalk(dingtalk_url(providers), fake.DINGTALK_SECRET).send(OutgoingMessage(text="x")),
        dingtalk(dingtalk_url(providers), "SECwrong").send(OutgoingMessage(text="x")),
        dingtalk(f"http://127.0.0.1:{port}/?access_token={fake.DINGTALK_TOKEN}", "SEC1").send(
            OutgoingMessage(text="x")
        ),
    ]
    assert [r.ok for r in results] == [
        True,
        False,
        False,
        False,
        False,
        True,
        False,
        True,
        False,
        False,
    ]
    assert "/cgi-bin/webhook/send?key=*** " in caplog.text  # urllib3's URLs, masked
    assert any(r.name == "app.notifications.channels" for r in caplog.records)
    for secret in fake.SECRETS:
        assert secret not in caplog.text
        for result in results:
            assert secret not in result.message and secret not in repr(result)
