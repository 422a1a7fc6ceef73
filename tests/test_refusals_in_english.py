"""Every domain's refusals speak the reader's language: the same request, once in the default
Chinese UI and once with English chosen, gets the refusal in that language — from the
engine, a service, a policy, a page and the API alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from app.auth.models import SessionKind
from app.auth.services import start_session
from tests.conftest import AuthActions, csrf_from


@dataclass(frozen=True)
class Case:
    chinese: str
    english: str


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def _choose(client: FlaskClient, language: str) -> None:
    if language == "en":
        client.set_cookie("lang", "en")
    else:
        client.delete_cookie("lang")


def _engine(world, client: FlaskClient, auth: AuthActions) -> str:  # type: ignore[no-untyped-def]
    """The engine's guard: an incomplete self-assessment cannot be submitted."""
    nomination = world.nomination(status="draft", complete=False)
    auth.login("union_a")
    page = client.get(f"/nominations/{nomination.id}")
    refused = client.post(
        f"/nominations/{nomination.id}/actions",
        data={"csrf_token": csrf_from(_text(page)), "action": "submit", "version": 1},
    )
    assert refused.status_code == 409
    return _text(refused)


def _evidence(world, client: FlaskClient, auth: AuthActions) -> str:  # type: ignore[no-untyped-def]
    """The evidence store: an upload without a file."""
    nomination = world.nomination(status="draft", complete=False)
    auth.login("union_a")
    page = client.get(f"/nominations/{nomination.id}/self-assessment")
    refused = client.post(
        f"/nominations/{nomination.id}/evidence",
        data={"csrf_token": csrf_from(_text(page))},
        follow_redirects=True,
    )
    return _text(refused)


def _ballot(world, client: FlaskClient, auth: AuthActions) -> str:  # type: ignore[no-untyped-def]
    """The member evaluation: a voting link that was never issued."""
    return _text(client.get("/e/not-a-link-we-issued"))


def _draw(world, client: FlaskClient, auth: AuthActions) -> str:  # type: ignore[no-untyped-def]
    """The spot check's policy: only the city draws."""
    auth.login("union_a")
    refused = client.get(f"/campaigns/{world.campaign.id}/spot-checks")
    assert refused.status_code == 403
    return _text(refused)


def _dashboard(world, client: FlaskClient, auth: AuthActions) -> str:  # type: ignore[no-untyped-def]
    auth.login("union_a")
    refused = client.get(f"/campaigns/{world.campaign.id}/dashboard")
    assert refused.status_code == 403
    return _text(refused)


def _campaign(world, client: FlaskClient, auth: AuthActions) -> str:  # type: ignore[no-untyped-def]
    auth.login("reviewer_a")
    refused = client.get(f"/campaigns/{world.campaign.id}/edit")
    assert refused.status_code == 403
    return _text(refused)


def _calendar(world, client: FlaskClient, auth: AuthActions) -> str:  # type: ignore[no-untyped-def]
    auth.login("city")
    page = client.get("/calendar?year=2026")
    refused = client.post(
        "/calendar/import?year=2026",
        data={"csrf_token": csrf_from(_text(page)), "text": "2026-13-01 休"},
    )
    assert refused.status_code == 422
    return _text(refused)


def _admin(world, client: FlaskClient, auth: AuthActions) -> str:  # type: ignore[no-untyped-def]
    auth.login("union_a")
    refused = client.get("/admin/users")
    assert refused.status_code == 403
    return _text(refused)


def _login(world, client: FlaskClient, auth: AuthActions) -> str:  # type: ignore[no-untyped-def]
    refused = auth.login("union_a", password="not-the-password")
    assert refused.status_code == 401
    return _text(refused)


def _input(world, client: FlaskClient, auth: AuthActions) -> str:  # type: ignore[no-untyped-def]
    """The input guard: a NUL in the login form, refused before any view runs."""
    page = client.get("/login")
    refused = client.post(
        "/login",
        data={"csrf_token": csrf_from(_text(page)), "username": "a\x00", "password": "x"},
    )
    assert refused.status_code == 422
    return _text(refused)


def _api(world, client: FlaskClient, auth: AuthActions) -> str:  # type: ignore[no-untyped-def]
    token = start_session(world.user("union_a"), SessionKind.API)[0]
    refused = client.get(
        "/api/v1/nominations/2000000000", headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 404 and refused.mimetype == "application/json"
    return str(refused.get_json()["message"])


CASES: dict[str, tuple[Callable[..., str], Case]] = {
    "engine": (
        _engine,
        Case("暂不能“提交申报”：", "Cannot “Submit” yet:"),
    ),
    "evidence": (_evidence, Case("请选择要上传的文件。", "Please choose a file to upload.")),
    "evaluation": (
        _ballot,
        Case(
            "评价链接无效，请核对链接或联系本单位工会。",
            "This evaluation link is not valid: please check it or contact your union.",
        ),
    ),
    "spot check": (
        _draw,
        Case(
            "本次活动由市总工会组织抽签。", "In this campaign the city federation holds the draw."
        ),
    ),
    "dashboard": (
        _dashboard,
        Case(
            "只有市总工会、区县总工会审核人和系统管理员可以查看数据看板。",
            "Only the city federation, district reviewers and administrators see the dashboard.",
        ),
    ),
    "campaigns": (
        _campaign,
        Case(
            "只有主办的市总工会可以修改该评选活动。",
            "Only the organising city federation may change this campaign.",
        ),
    ),
    "calendar": (
        _calendar,
        Case("日历内容有误，未导入。", "The calendar has errors; nothing was imported."),
    ),
    "administration": (
        _admin,
        Case("只有系统管理员可以访问此页面。", "Only system administrators may open this page."),
    ),
    "login": (_login, Case("用户名或密码错误。", "Wrong username or password.")),
    "input": (
        _input,
        Case(
            "部分内容含有文本中不允许的控制字符（如 NUL）。",
            "Some fields contain control characters (such as NUL) that text cannot hold.",
        ),
    ),
    "api": (
        _api,
        Case("申报不存在或您无权查看。", "The nomination does not exist, or you may not see it."),
    ),
}


@pytest.mark.parametrize("domain", list(CASES))
@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_refusal_comes_in_the_chosen_language(domain, language, world, client, auth):
    make, case = CASES[domain]
    _choose(client, language)
    shown = make(world, client, auth)
    expected, other = (
        (case.english, case.chinese) if language == "en" else (case.chinese, case.english)
    )
    assert expected in shown, shown[:3000]
    assert other not in shown


def test_a_record_stays_in_chinese_when_the_reader_chose_english(world, client, auth):
    """Closing early below the standard: the union reads why in English, the audit trail
    keeps it in Chinese (records are written in the language of the source documents)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.nominations.models import NominationEvent
    from tests.conftest import post_form
    from tests.test_evaluation_pages import _open, _page, _tokens, _vote

    nomination, evaluation = _open(world, members=10)
    for token in _tokens(evaluation)[:6]:
        _vote(evaluation, token, "dissatisfied")
    _choose(client, "en")
    auth.login("union_a")
    closed = post_form(client, _page(nomination), {}, action=f"{_page(nomination)}/close")
    assert closed.status_code == 303
    page = client.get(_page(nomination))
    assert "the standard was not met" in page.text and "Satisfaction 0.0%, below" in page.text
    note = db.session.scalars(
        select(NominationEvent.comment)
        .where(NominationEvent.nomination_id == nomination.id)
        .order_by(NominationEvent.id.desc())
    ).first()
    assert note is not None and "满意率 0.0%，低于标准" in note and "Satisfaction" not in note
