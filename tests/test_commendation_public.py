"""The public side of 表彰 (no login): the publicity page and its objection form, the
certificate check, and the honour roll with its Excel export."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.commendation import certificates, honours, objections, selection
from app.commendation.models import Certificate, Objection, Publicity
from app.commendation.publicity import publish_list
from app.commendation.words import period_text
from app.extensions import db
from app.timeutil import beijing_today
from tests.conftest import csrf_from, field_error, post_form
from tests.test_query_budget import count_queries

CONTACT = "13912345678"
OBJECTION = "该单位职代会近两年未召开，与申报材料不符，请核查。"
DOCUMENT = "示工发〔2026〕9号"


# -- helpers (used by tests/test_certificate_pdf.py too) --------------------------------------


def publish(world):  # type: ignore[no-untyped-def]
    """Two candidates on a published list: 甲区机械厂工会 (district A), 乙区街道总工会 (B)."""
    city = world.user("city")
    a = world.nomination(org=world.union_a, status="candidate")
    b = world.nomination(org=world.union_b, status="candidate")
    selection.save_selection(
        city,
        world.campaign.id,
        {a.id: {"selected": True, "rank": 1}, b.id: {"selected": True, "rank": 2}},
    )
    return publish_list(city, world.campaign.id), a, b


def end_period(publicity: Publicity) -> None:
    """The period is over, as if its last day had been yesterday."""
    publicity.starts_on = beijing_today() - timedelta(days=10)
    publicity.ends_on = beijing_today() - timedelta(days=1)
    db.session.commit()


def commended(world):  # type: ignore[no-untyped-def]
    """Both homes of `publish` commended under DOCUMENT, with their certificates."""
    publicity, a, b = publish(world)
    end_period(publicity)
    commendation = certificates.commend(
        world.user("city"), publicity.id, document_number=DOCUMENT, decided_on=beijing_today()
    )
    return commendation, a, b


def _objection_form(publicity_id: int, nomination_id: int, **extra: str) -> dict:
    return {
        "nomination_id": str(nomination_id),
        "body": OBJECTION,
        "name": "",
        "contact": CONTACT,
        **extra,
    }


def _page(publicity_id: int) -> str:
    return f"/publicity/{publicity_id}"


def _action(publicity_id: int) -> str:
    return f"/publicity/{publicity_id}/objections"


# -- the publicity page -------------------------------------------------------------------


def test_period_in_beijing_dates(ctx):
    same_year = Publicity(starts_on=date(2026, 11, 23), ends_on=date(2026, 11, 27), working_days=5)
    assert period_text(same_year) == "公示期：2026年11月23日至11月27日（5个工作日）"
    across = Publicity(starts_on=date(2026, 12, 29), ends_on=date(2027, 1, 6), working_days=5)
    assert period_text(across) == "公示期：2026年12月29日至2027年1月6日（5个工作日）"


def test_the_publicity_pages_need_no_login(world, client):
    publicity, a, b = publish(world)
    index = client.get("/publicity")
    assert index.status_code == 200
    assert publicity.title in index.text and "2026年度市级模范职工之家评选" in index.text
    assert f'data-publicity="{publicity.id}"' in index.text

    page = client.get(_page(publicity.id))
    assert page.status_code == 200
    html = page.text
    start = publicity.starts_on
    assert f"公示期：{start.year}年{start.month}月{start.day}日至" in html
    assert "（5个工作日）" in html
    for unit, district in (("甲区机械厂工会", "甲区总工会"), ("乙区街道总工会", "乙区总工会")):
        assert unit in html and district in html
    assert "模范职工之家" in html
    assert "提出异议" in html and "仅用于答复，不公开" in html
    assert 'name="csrf_token"' in html and 'data-testid="objection-form"' in html
    # the public navigation shows the public pages, logged out too
    assert 'data-testid="nav-publicity"' in html and 'data-testid="nav-honours"' in html


def test_a_row_link_chooses_the_candidate(world, client):
    publicity, a, b = publish(world)
    html = client.get(f"{_page(publicity.id)}?candidate={b.id}").text
    assert re.search(rf'<option selected value="{b.id}">|<option value="{b.id}" selected', html), (
        "the candidate of the row is chosen"
    )
    assert f"candidate={a.id}#objection" in client.get(_page(publicity.id)).text


def test_lodging_an_objection_through_the_page(world, client):
    publicity, a, b = publish(world)
    response = post_form(
        client,
        _page(publicity.id),
        _objection_form(publicity.id, a.id),
        action=_action(publicity.id),
    )
    assert response.status_code == 303
    thanks = client.get(response.headers["Location"])
    assert thanks.status_code == 200
    objection = db.session.scalar(select(Objection))
    assert objection.nomination_id == a.id and objection.contact == CONTACT
    assert objection.body == OBJECTION
    assert "您的异议已收到" in thanks.text
    number = re.search(r'data-testid="objection-number">(\d+)<', thanks.text)
    assert number and int(number.group(1)) == objection.id
    assert "甲区机械厂工会" in thanks.text
    assert CONTACT not in thanks.text
    # the list now counts the objection against the candidate, being checked
    page = client.get(_page(publicity.id)).text
    row = re.search(rf'<tr data-nomination="{a.id}">(.*?)</tr>', page, re.S).group(1)
    assert "1 件，1 件核查中" in row


def test_a_missing_contact_is_shown_next_to_the_field_and_the_text_is_kept(world, client):
    publicity, a, _b = publish(world)
    response = post_form(
        client,
        _page(publicity.id),
        _objection_form(publicity.id, a.id, contact="  ", name="李四"),
        action=_action(publicity.id),
    )
    assert response.status_code == 422
    assert "联系方式" in field_error(response.text, "contact") or "联系" in field_error(
        response.text, "contact"
    )
    assert OBJECTION in response.text  # what was typed is still in the form
    assert 'value="李四"' in response.text
    assert re.search(
        rf'<option selected value="{a.id}">|<option value="{a.id}" selected', response.text
    )
    assert db.session.scalar(select(Objection)) is None


def test_a_short_objection_or_no_candidate_is_refused_in_place(world, client):
    publicity, a, _b = publish(world)
    response = post_form(
        client,
        _page(publicity.id),
        _objection_form(publicity.id, a.id, body="不好"),
        action=_action(publicity.id),
    )
    assert response.status_code == 422
    assert "10" in field_error(response.text, "body")
    response = post_form(
        client,
        _page(publicity.id),
        _objection_form(publicity.id, 999999),
        action=_action(publicity.id),
    )
    assert response.status_code == 422
    assert field_error(response.text, "nomination_id") == "请选择您要提出异议的拟表彰对象。"
    assert OBJECTION in response.text


def test_the_rate_limit_is_a_message_on_the_page(world, client, app):
    publicity, a, _b = publish(world)
    app.config["OBJECTIONS_PER_ADDRESS_PER_DAY"] = 1
    try:
        first = post_form(
            client,
            _page(publicity.id),
            _objection_form(publicity.id, a.id),
            action=_action(publicity.id),
        )
        assert first.status_code == 303
        again = post_form(
            client,
            _page(publicity.id),
            _objection_form(publicity.id, a.id, body=OBJECTION + "补充。"),
            action=_action(publicity.id),
        )
    finally:
        app.config["OBJECTIONS_PER_ADDRESS_PER_DAY"] = 5
    assert again.status_code == 429
    assert 0 < int(again.headers["Retry-After"]) <= 24 * 3600
    alert = re.search(r'data-testid="objection-alert">([^<]+)<', again.text).group(1)
    assert "24 小时内最多提交 1 条异议" in alert
    assert OBJECTION + "补充。" in again.text  # kept, to send later
    assert 'data-testid="objection-form"' in again.text  # the page, not an error page


@pytest.mark.parametrize("proxies, counted", [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_the_rate_limit_counts_the_client_address(world, client, app, proxies, counted):
    """X-Forwarded-For is believed only behind a configured proxy (TRUSTED_PROXIES, which
    wraps the app in ProxyFix): the objection counts against the address the app sees."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    publicity, a, _b = publish(world)
    original = app.wsgi_app
    if proxies:
        app.wsgi_app = ProxyFix(original, x_for=proxies)
    try:
        page = client.get(_page(publicity.id))
        client.post(
            _action(publicity.id),
            data={**_objection_form(publicity.id, a.id), "csrf_token": csrf_from(page.text)},
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
    finally:
        app.wsgi_app = original
    objection = db.session.scalar(select(Objection))
    with app.test_request_context():
        assert objection.address_hash == objections.address_hash(counted)


def test_an_expired_form_keeps_the_text(world, client):
    publicity, a, _b = publish(world)
    client.get(_page(publicity.id))
    response = client.post(
        _action(publicity.id), data={**_objection_form(publicity.id, a.id), "csrf_token": "stale"}
    )
    assert response.status_code == 400
    assert "页面已过期" in response.text and OBJECTION in response.text
    assert db.session.scalar(select(Objection)) is None


def test_the_contact_never_appears_on_a_public_page(world, client):
    publicity, a, b = publish(world)
    name = "举报人王五"
    post_form(
        client,
        _page(publicity.id),
        _objection_form(publicity.id, a.id, name=name),
        action=_action(publicity.id),
    )
    objection = db.session.scalar(select(Objection))
    objections.answer_objection(
        world.user("city"),
        objection.id,
        decision="dismiss",
        answer="经核查，该单位2025年5月召开职代会，异议不成立。",
    )
    other = client.application.test_client()  # anyone else
    pages = ["/publicity", _page(publicity.id), "/honours", "/certificates"]
    for url in pages:
        for browser in (client, other):
            body = browser.get(url).get_data(as_text=True)
            assert CONTACT not in body and name not in body, url
            assert OBJECTION not in body, url
    sheet = load_workbook(io.BytesIO(client.get("/honours.xlsx").data)).active
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    assert CONTACT not in cells and name not in cells
    page = client.get(_page(publicity.id)).text
    row = re.search(rf'<tr data-nomination="{a.id}">(.*?)</tr>', page, re.S).group(1)
    assert "1 件，均已答复" in row
    assert "异议不成立" not in page  # the answer goes to the objector, not the page


def test_after_the_period_the_page_says_so_and_has_no_form(world, client):
    publicity, a, _b = publish(world)
    page = client.get(_page(publicity.id))  # opened while the list was up
    end_period(publicity)
    html = client.get(_page(publicity.id)).text
    assert "公示期已结束" in html
    assert 'data-testid="objection-form"' not in html and "object-link" not in html
    response = client.post(
        _action(publicity.id),
        data={**_objection_form(publicity.id, a.id), "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 409
    assert "公示期已结束" in response.text
    assert db.session.scalar(select(Objection)) is None


def test_a_list_not_yet_up_is_private_but_the_city_may_preview_it(world, client, auth):
    publicity, _a, _b = publish(world)
    publicity.starts_on = beijing_today() + timedelta(days=3)
    publicity.ends_on = beijing_today() + timedelta(days=9)
    db.session.commit()
    assert client.get(_page(publicity.id)).status_code == 404
    assert f'data-publicity="{publicity.id}"' not in client.get("/publicity").text
    assert client.get("/publicity/999999").status_code == 404
    auth.login("union_a")
    assert client.get(_page(publicity.id)).status_code == 404
    auth.logout()
    auth.login("city")
    preview = client.get(_page(publicity.id))
    assert preview.status_code == 200 and "尚未公开" in preview.text
    assert 'data-testid="objection-form"' not in preview.text


def test_the_publicity_page_runs_a_constant_number_of_queries(world, client):
    publicity, a, b = publish(world)
    for nomination in (a, b):
        objections.lodge_objection(
            publicity.id,
            nomination.id,
            body=OBJECTION,
            name=None,
            contact=CONTACT,
            address=f"10.0.0.{nomination.id}",
        )
    with count_queries() as few:
        assert client.get(_page(publicity.id)).status_code == 200
    for i in range(3):
        objections.lodge_objection(
            publicity.id, a.id, body=OBJECTION, name=None, contact=CONTACT, address=f"10.1.0.{i}"
        )
    with count_queries() as many:
        assert client.get(_page(publicity.id)).status_code == 200
    assert few["n"] == many["n"] <= 8


# -- the public certificate check ---------------------------------------------------------


def test_the_public_check_of_a_real_a_forged_and_a_revoked_code(world, client, ctx):
    commendation, a, b = commended(world)
    first, second = commendation.certificates
    # real: any case, with or without dashes or spaces, through the lookup form too
    typed = first.code.lower().replace("-", " ")
    lookup = client.get("/certificates", query_string={"code": typed})
    assert lookup.status_code == 303
    assert lookup.headers["Location"].endswith(f"/certificates/{first.code}")
    real = client.get(f"/certificates/{first.code.lower().replace('-', '')}")
    assert real.status_code == 200
    assert 'data-status="valid"' in real.text and "有效" in real.text
    for text in (
        "甲区机械厂工会",
        "2026年度市级模范职工之家",
        DOCUMENT,
        first.serial,
        "测试市总工会",
    ):
        assert text in real.text
    # forged: plainly not issued, on a friendly page
    forged = client.get("/certificates/ABCD-EFGH-JKLM")
    assert forged.status_code == 404
    assert 'data-status="unknown"' in forged.text and "查无此证书" in forged.text
    assert 'data-testid="certificate-lookup"' in forged.text
    assert client.get("/certificates/" + "X" * 300).status_code == 404
    # revoked: says so in red, with the date and the reason
    honours.revoke(world.user("city"), b.id, reason="复查发现申报材料弄虚作假。")
    revoked = client.get(f"/certificates/{second.code}")
    assert revoked.status_code == 200
    assert 'data-status="revoked"' in revoked.text and "alert-danger" in revoked.text
    assert "已撤销" in revoked.text and "复查发现申报材料弄虚作假。" in revoked.text
    today = beijing_today()
    assert f"{today.year}年{today.month}月{today.day}日" in revoked.text
    assert "不再有效" in revoked.text
    assert 'data-status="valid"' in client.get(f"/certificates/{first.code}").text


def test_the_lookup_form_asks_for_a_code(client):
    page = client.get("/certificates")
    assert page.status_code == 200 and 'name="code"' in page.text
    empty = client.get("/certificates?code=--")
    assert empty.status_code == 422
    assert "验证码" in field_error(empty.text, "code")


# -- the honour roll ----------------------------------------------------------------------


def test_the_roll_shows_revocation_and_filters(world, client, ctx):
    commendation, a, b = commended(world)
    honours.revoke(world.user("city"), a.id, reason="复查不合格。")
    page = client.get("/honours")
    assert page.status_code == 200
    first, second = commendation.certificates
    row = re.search(rf'<tr data-certificate="{first.serial}"([^>]*)>(.*?)</tr>', page.text, re.S)
    assert 'data-revoked="1"' in row.group(1)
    assert "<del>甲区机械厂工会</del>" in row.group(2) and "已撤销" in row.group(2)
    assert beijing_today().isoformat() in row.group(2)
    other = re.search(rf'<tr data-certificate="{second.serial}"([^>]*)>(.*?)</tr>', page.text, re.S)
    assert "data-revoked" not in other.group(1) and "乙区街道总工会" in other.group(2)
    assert DOCUMENT in page.text
    assert "2 个称号，其中 1 个已撤销" in page.text

    by_district = client.get(f"/honours?district={world.district_b.id}").text
    assert "乙区街道总工会" in by_district and "甲区机械厂工会" not in by_district
    assert "乙区街道总工会" in client.get("/honours?year=2026&level=city").text
    none = client.get("/honours?year=2025").text
    assert "甲区机械厂工会" not in none and "乙区街道总工会" not in none
    assert 'data-testid="roll-empty"' in client.get("/honours?level=national").text
    # nonsense filters are ignored, never an error
    assert client.get("/honours?year=abc&district=x&level=<b>").status_code == 200


def test_the_roll_as_excel(world, client, ctx):
    commendation, a, b = commended(world)
    honours.revoke(world.user("city"), a.id, reason="复查不合格。")
    response = client.get("/honours.xlsx?year=2026")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "模范职工之家荣誉榜"
    assert rows[1] == [
        "序号",
        "年度",
        "级别",
        "区（县）",
        "单位名称",
        "称号",
        "表彰文号",
        "证书编号",
        "状态",
    ]
    first, second = commendation.certificates
    assert rows[2] == [
        1,
        2026,
        "市级",
        "甲区总工会",
        "甲区机械厂工会",
        "模范职工之家",
        DOCUMENT,
        first.serial,
        f"已撤销（{beijing_today().isoformat()}）",
    ]
    assert rows[3] == [
        2,
        2026,
        "市级",
        "乙区总工会",
        "乙区街道总工会",
        "模范职工之家",
        DOCUMENT,
        second.serial,
        "有效",
    ]
    assert len(rows) == 4
    only_b = load_workbook(
        io.BytesIO(client.get(f"/honours.xlsx?district={world.district_b.id}").data)
    ).active
    assert [r[4].value for r in only_b.iter_rows(min_row=3)] == ["乙区街道总工会"]


def test_the_roll_runs_a_constant_number_of_queries(world, client, ctx):
    commendation, _a, _b = commended(world)
    with count_queries() as few:
        assert client.get("/honours").status_code == 200
    for i, org in enumerate((world.union_a2, world.union_a2, world.union_b), start=1):
        nomination = world.nomination(org=org, status="commended")
        db.session.add(
            Certificate(
                commendation_id=commendation.id,
                nomination_id=nomination.id,
                serial=f"2026-09{i:02d}",
                code=f"TEST-CODE-{i:04d}",
            )
        )
    db.session.commit()
    with count_queries() as many:
        page = client.get("/honours")
    assert page.status_code == 200 and "2026-0903" in page.text
    assert few["n"] == many["n"] <= 8


@pytest.mark.parametrize("url", ["/publicity", "/honours", "/certificates"])
def test_the_public_pages_in_english(client, url):
    client.set_cookie("lang", "en")
    page = client.get(url)
    assert page.status_code == 200 and '<html lang="en">' in page.text
