"""Dynamic management of honours in the UI: the nomination page's commendation card (the
list, 文号, certificate links, a revocation in red), the city's 责令整改 and 撤销称号 (with
its confirm step), the union's rectification page, the city's decision on it, refusals, and
a constant number of queries on the nomination page."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from app.commendation import certificates, honours
from app.extensions import db
from app.timeutil import beijing_today
from tests.conftest import csrf_from, field_error
from tests.test_commendation import _commended, _end_period, _publish
from tests.test_query_budget import count_queries

REASON = "复查发现集体合同到期未续签，职代会未按期召开。"


@pytest.fixture
def candidates(world):  # type: ignore[no-untyped-def]
    """Three candidates in district A (quota 2), two in district B (quota 1)."""
    orgs = [world.union_a, world.union_a2, world.union_a, world.union_b, world.union_b]
    return [world.nomination(org=o, status="candidate") for o in orgs]


def _page(client, nomination_id: int):  # type: ignore[no-untyped-def]
    page = client.get(f"/nominations/{nomination_id}")
    assert page.status_code == 200, page.text
    return page


def _card(html: str) -> str:
    match = re.search(r'<section[^>]*data-testid="honour-card".*?</section>', html, re.S)
    assert match, "no commendation card"
    return match.group(0)


def _post(client, page_url: str, action: str, data: dict, **kwargs):  # type: ignore[no-untyped-def]
    """Post a form of a page with the page's CSRF token, like a browser."""
    token = csrf_from(_page_of(client, page_url).text)
    return client.post(action, data={**data, "csrf_token": token}, **kwargs)


def _page_of(client, url: str):  # type: ignore[no-untyped-def]
    page = client.get(url)
    assert page.status_code == 200, page.text
    return page


def _jpeg(name: str = "整改照片.jpg"):  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 30, 200)).save(buffer, "JPEG")
    buffer.seek(0)
    return (buffer, name)


def _order(world, nomination, days: int = 30) -> None:  # type: ignore[no-untyped-def]
    honours.order_honour_rectification(
        world.user("city"),
        nomination.id,
        reason=REASON,
        deadline=beijing_today() + timedelta(days=days),
    )


# -- the card -----------------------------------------------------------------------------


def test_the_card_follows_the_home_from_publicity_to_certificate(
    world, ctx, client, auth, candidates
):
    home = candidates[0]
    auth.login("union_a")
    assert 'data-testid="honour-card"' not in _page(client, home.id).text  # a candidate
    publicity = _publish(world, candidates)
    card = _card(_page(client, home.id).text)
    assert "公示期" in card and publicity.starts_on.isoformat() in card
    assert publicity.ends_on.isoformat() in card and "5 个工作日" in card
    assert "表彰文号" not in card

    _end_period(publicity)
    commendation = certificates.commend(
        world.user("city"),
        publicity.id,
        document_number="示工发〔2026〕9号",
        decided_on=beijing_today(),
    )
    certificate = certificates.certificate_of(home.id)
    card = _card(_page(client, home.id).text)
    assert "表彰文号" in card and commendation.document_number in card
    assert f"编号 {certificate.serial}" in card
    assert f'href="/nominations/{home.id}/certificate.pdf"' in card
    assert f'href="/certificates/{certificate.code}"' in card
    # the union orders nothing and revokes nothing
    assert "责令整改" not in card and "撤销称号" not in card
    not_selected = _page(client, candidates[2].id).text  # union A's, not on the list
    assert 'data-testid="honour-card"' not in not_selected


# -- 责令整改, the union's answer, the city's decision ---------------------------------------


def test_city_orders_rectification_union_answers_city_decides(
    world, ctx, client, auth, new_client, candidates
):
    _commended(world, candidates)
    home = candidates[0]  # union A's
    url = f"/nominations/{home.id}"
    auth.login("city")
    card = _card(_page(client, home.id).text)
    assert "责令整改…" in card and "撤销称号…" in card
    # the reason forgotten: refused next to the field, the date typed kept
    deadline = (beijing_today() + timedelta(days=30)).isoformat()
    refused = _post(
        client,
        url,
        f"/nominations/{home.id}/honour/rectification",
        {"order-reason": " ", "order-deadline": deadline},
    )
    assert refused.status_code == 422
    assert field_error(refused.text, "order-reason") == "请填写理由。"
    assert f'value="{deadline}"' in refused.text
    past = _post(
        client,
        url,
        f"/nominations/{home.id}/honour/rectification",
        {"order-reason": REASON, "order-deadline": "2020-01-01"},
    )
    assert past.status_code == 422
    assert field_error(past.text, "order-deadline") == "整改期限须晚于今天。"
    assert REASON in past.text  # what was typed is not lost
    done = _post(
        client,
        url,
        f"/nominations/{home.id}/honour/rectification",
        {"order-reason": REASON, "order-deadline": deadline},
    )
    assert done.status_code == 303
    db.session.refresh(home)
    assert home.status == "honour_rectification"
    card = _card(_page(client, home.id).text)
    assert REASON in card and f"整改期限 {deadline}" in card and "单位整改中" in card
    assert "尚未填写" in card and "责令整改…" not in card
    accept = re.search(r'<button[^>]*data-testid="honour-accept"[^>]*>', card).group(0)
    assert "disabled" in accept  # nothing handed in yet

    union = new_client()
    union_login = union.get("/login")
    union.post(
        "/login",
        data={
            "username": "union_a",
            "password": "password-123",
            "csrf_token": csrf_from(union_login.text),
        },
    )
    card = _card(_page(union, home.id).text)
    assert "填报整改情况" in card and "整改审核" not in card
    page_url = f"/nominations/{home.id}/honour-rectification"
    page = _page_of(union, page_url)
    assert REASON in page.text and deadline in page.text and "已表彰单位复查" in page.text
    assert 'data-testid="honour-rect-form"' in page.text
    early = _post(union, page_url, page_url, {"statement": "已续签集体合同。", "submit": "1"})
    assert early.status_code == 409
    assert "请上传整改佐证材料。" in early.text and "已续签集体合同。" in early.text
    saved = _post(
        union,
        page_url,
        page_url,
        {"statement": "已续签集体合同，召开职代会。", "file": _jpeg()},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303
    handed = _post(
        union, page_url, page_url, {"statement": "已续签集体合同，召开职代会。", "submit": "1"}
    )
    assert handed.status_code == 303
    page = _page_of(union, page_url)
    assert 'data-testid="honour-rect-form"' not in page.text
    assert "等待市总工会审核" in page.text and "整改照片.jpg" in page.text
    assert _post(union, page_url, page_url, {"statement": "再改"}).status_code == 303
    assert "整改情况已提交，等待市总工会审核。" in _page_of(union, page_url).text

    # the city sees the answer and decides; "not passed" needs a comment
    card = _card(_page(client, home.id).text)
    assert "已续签集体合同，召开职代会。" in card and "整改照片.jpg" in card
    decision = f"/nominations/{home.id}/honour/rectification/decision"
    no_comment = _post(client, url, decision, {"decision": "reject", "decision-comment": ""})
    assert no_comment.status_code == 422
    assert field_error(no_comment.text, "decision-comment") == "请填写意见。"
    assert _post(union, url, decision, {"decision": "accept"}).status_code == 403
    passed = _post(
        client, url, decision, {"decision": "accept", "decision-comment": "整改到位，保留称号。"}
    )
    assert passed.status_code == 303
    db.session.refresh(home)
    assert home.status == "commended"
    assert "已表彰" in _page(client, home.id).text
    assert union.get(page_url).status_code == 404  # no open rectification any more


def test_the_union_page_is_refused_outside_its_district_and_shows_overdue(
    world, ctx, client, auth, candidates
):
    _commended(world, candidates)
    home = candidates[0]
    _order(world, home)
    page_url = f"/nominations/{home.id}/honour-rectification"
    auth.login("union_b")
    assert client.get(page_url).status_code == 404
    assert client.get(f"/nominations/{home.id}").status_code == 404
    auth.logout()
    auth.login("union_a")
    honours.open_rectification(home.id).deadline = beijing_today() - timedelta(days=1)
    db.session.commit()
    page = _page_of(client, page_url)
    assert 'data-testid="overdue"' in page.text and "已逾期" in page.text
    assert re.search(r'<strong class="text-danger">', page.text)
    assert "已逾期" in _card(_page(client, home.id).text)
    auth.logout()
    auth.login("reviewer_a")  # sees it, read-only, and cannot decide
    page = _page_of(client, page_url)
    assert 'data-testid="honour-rect-form"' not in page.text
    card = _card(_page(client, home.id).text)
    assert "整改审核" not in card
    token = csrf_from(page.text)
    assert (
        client.post(page_url, data={"statement": "审核人代填", "csrf_token": token}).status_code
        == 403
    )
    assert (
        client.post(
            f"/nominations/{home.id}/honour/rectification/decision",
            data={"decision": "accept", "csrf_token": token},
        ).status_code
        == 403
    )


# -- 撤销称号 ------------------------------------------------------------------------------


def test_revocation_needs_a_confirm_step_and_shows_in_red(world, ctx, client, auth, candidates):
    _commended(world, candidates)
    home = candidates[3]  # union B's
    url = f"/nominations/{home.id}"
    action = f"/nominations/{home.id}/honour/revoke"
    today = beijing_today().isoformat()

    auth.login("reviewer_b")  # sees the home, may not revoke
    assert (
        _post(
            client, url, action, {"revoke-reason": REASON, "revoke-revoked_on": today}
        ).status_code
        == 403
    )
    assert "撤销称号…" not in _card(_page(client, home.id).text)
    auth.logout()
    auth.login("reviewer_a")  # another district: the home does not exist for them
    token = csrf_from(_page_of(client, "/").text)
    assert (
        client.post(
            action, data={"revoke-reason": REASON, "revoke-revoked_on": today, "csrf_token": token}
        ).status_code
        == 404
    )
    auth.logout()
    auth.login("city")
    assert client.post(action, data={"revoke-reason": REASON}).status_code == 400  # no CSRF
    blank = _post(client, url, action, {"revoke-reason": "", "revoke-revoked_on": today})
    assert blank.status_code == 422
    assert field_error(blank.text, "revoke-reason") == "请填写理由。"
    tomorrow = (beijing_today() + timedelta(days=1)).isoformat()
    future = _post(client, url, action, {"revoke-reason": REASON, "revoke-revoked_on": tomorrow})
    assert future.status_code == 422
    assert field_error(future.text, "revoke-revoked_on") == "日期不能晚于今天。"
    assert REASON in future.text

    confirm = _post(client, url, action, {"revoke-reason": REASON, "revoke-revoked_on": today})
    assert confirm.status_code == 200
    assert "确定撤销“乙区街道总工会”的称号吗？" in confirm.text and REASON in confirm.text
    db.session.refresh(home)
    assert home.status == "commended"  # nothing done before it is confirmed
    done = client.post(
        action,
        data={
            "revoke-reason": REASON,
            "revoke-revoked_on": today,
            "revoke-confirmed": "1",
            "csrf_token": csrf_from(confirm.text),
        },
    )
    assert done.status_code == 303
    db.session.refresh(home)
    assert home.status == "revoked"
    page = _page(client, home.id)
    assert "已撤销称号，证书查验和荣誉榜均已显示撤销。" in page.text
    card = _card(page.text)
    revoked = re.search(
        r'<div class="alert alert-danger[^"]*"[^>]*data-testid="honour-revoked"'
        r".*?</div>",
        card,
        re.S,
    ).group(0)
    assert f"已于 {today} 撤销称号" in revoked and REASON in revoked
    assert "撤销称号…" not in card and "责令整改…" not in card
    assert (
        certificates.check_certificate(certificates.certificate_of(home.id).code).status
        == "revoked"
    )
    again = client.post(
        action,
        data={
            "revoke-reason": REASON,
            "revoke-revoked_on": today,
            "revoke-confirmed": "1",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert again.status_code == 303  # refused with a message on the page
    assert "只有已表彰的单位可以撤销称号。" in _page(client, home.id).text


# -- queries ------------------------------------------------------------------------------


def test_the_nomination_page_queries_do_not_grow_with_files(world, ctx, client, auth, candidates):
    from tests.test_spot_checks import _photo

    _commended(world, candidates)
    home = candidates[0]
    _order(world, home)
    union = world.user("union_a")
    honours.add_rectification_file(union, home.id, _photo("一.jpg"))
    auth.login("city")
    with count_queries() as few:
        _page(client, home.id)
    for number in range(5):
        honours.add_rectification_file(world.user("union_a"), home.id, _photo(f"图{number}.jpg"))
    with count_queries() as many:
        page = _page(client, home.id)
    assert "图4.jpg" in page.text
    assert many["n"] == few["n"] and few["n"] <= 20
