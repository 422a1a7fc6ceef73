"""随机抽查管理 pages: the city announces, draws and applies a draw (or redraws with a reason),
assigns inspectors automatically or by hand within the conflict rule, and exports the lists;
nobody else may open the page."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.spot_checks import assign
from app.spot_checks.draw import commitment
from app.spot_checks.models import DrawStatus, SpotCheck, SpotCheckAssignment, SpotCheckDraw
from app.spot_checks.services import announce_draw, apply_draw, make_draw
from tests.conftest import csrf_from, field_error, post_form
from tests.factories import add_inspectors, spot_check
from tests.test_query_budget import count_queries

# -- helpers ------------------------------------------------------------------------------


def _url(world, tail: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/campaigns/{world.campaign.id}/spot-checks{tail}"


@pytest.fixture
def awaiting(world):  # type: ignore[no-untyped-def]
    """Five nominations awaiting the draw: three in district A, two in district B."""
    orgs = [world.union_a, world.union_a2, world.union_a, world.union_b, world.union_b]
    return [world.nomination(org=org, status="awaiting_draw") for org in orgs]


def _applied(world, ratio: str = "1"):  # type: ignore[no-untyped-def]
    """A draw made and applied through the services: every awaiting nomination drawn."""
    city = world.user("city")
    draw = announce_draw(city, world.campaign.id, method="ratio", value=ratio, seed="s")
    make_draw(city, draw.id)
    apply_draw(city, draw.id)
    return draw


def _team(check_id: int) -> set[str]:
    return {
        a.inspector.username
        for a in db.session.scalars(
            select(SpotCheckAssignment).where(SpotCheckAssignment.spot_check_id == check_id)
        )
    }


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _text(html: str) -> str:
    """The page's text without tags, to assert what a user reads."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- the draw -----------------------------------------------------------------------------


def test_announce_draw_and_apply_through_the_page(world, client, auth, awaiting):
    auth.login("city")
    page = client.get(_url(world))
    assert page.status_code == 200
    text = _text(page.text)
    assert "公告抽签" in text and "按比例" in text and "按数量（每区）" in text
    assert "留空则自动生成随机种子" in text and "SHA-256" in text
    assert "甲区总工会 3" in text and "乙区总工会 2" in text  # awaiting per district

    response = post_form(
        client,
        _url(world),
        {"method": "ratio", "value": "0.2", "seed": "2026年福彩开奖号码"},
        action=_url(world, "/announce"),
    )
    assert response.status_code == 303
    draw = db.session.scalar(select(SpotCheckDraw))
    assert draw.status == DrawStatus.ANNOUNCED
    page = client.get(_url(world))
    text = _text(page.text)
    assert f"抽签 {draw.id} 号已公告" in text
    assert commitment("2026年福彩开奖号码") in page.text
    assert "2026年福彩开奖号码" not in page.text  # the seed stays secret until the draw
    assert f'href="/draws/{draw.id}"' in page.text
    assert "已公告，待抽签" in text and "目前各区待抽签的申报" in text

    response = post_form(client, _url(world), {}, action=_url(world, f"/draws/{draw.id}/draw"))
    assert response.status_code == 303
    page = client.get(_url(world))
    text = _text(page.text)
    assert "抽签完成：从 5 个申报中抽中 2 个" in text
    assert "2026年福彩开奖号码" in page.text  # revealed at the draw
    assert 'data-testid="strata"' in page.text and 'data-testid="strata-chart"' in page.text
    sample = page.text.split('data-testid="sample"')[1].split("</table>")[0]
    assert sample.count("<tr>") == 3  # header + two drawn units
    assert "甲区" in sample and "乙区街道总工会" in sample
    assert "确认生效" in text

    response = post_form(client, _url(world), {}, action=_url(world, f"/draws/{draw.id}/apply"))
    assert response.status_code == 303
    page = client.get(_url(world))
    text = _text(page.text)
    assert "抽签结果已生效：2 个申报进入随机抽查" in text
    assert "抽中申报与抽查员（2 个）" in text and "自动分配抽查员" in text
    assert "抽查中" in text  # the nominations' state
    statuses = sorted(n.status for n in awaiting)
    assert statuses == ["candidate"] * 3 + ["spot_check"] * 2
    checks = db.session.scalars(select(SpotCheck)).all()
    for check in checks:
        assert f'href="/spot-checks/{check.id}"' in page.text
    assert "公告抽签" in text  # another draw may be announced for late nominations


def test_announce_with_a_bad_rule_shows_the_field_error_and_keeps_the_input(
    world, client, auth, awaiting
):
    auth.login("city")
    response = post_form(
        client,
        _url(world),
        {"method": "ratio", "value": "1.5", "seed": "我的种子"},
        action=_url(world, "/announce"),
    )
    assert response.status_code == 422
    assert field_error(response.text, "value") == "比例须大于 0 且不超过 1，如 0.2。"
    assert 'value="1.5"' in response.text and 'value="我的种子"' in response.text
    assert db.session.scalar(select(func.count()).select_from(SpotCheckDraw)) == 0


def test_redraw_needs_a_reason_and_keeps_the_record(world, client, auth, awaiting):
    city = world.user("city")
    draw = announce_draw(city, world.campaign.id, method="ratio", value="0.5", seed="a")
    make_draw(city, draw.id)
    auth.login("city")
    action = _url(world, f"/draws/{draw.id}/redraw")
    response = post_form(
        client,
        _url(world),
        {
            "redraw-reason": "  ",
            "redraw-method": "ratio",
            "redraw-value": "0.5",
            "redraw-seed": "b",
        },
        action=action,
    )
    assert response.status_code == 422
    assert field_error(response.text, "redraw-reason") == "请填写重新抽签的理由。"
    assert "未重新抽签" in _text(response.text)
    assert 'value="b"' in response.text  # nothing typed is lost
    db.session.refresh(draw)
    assert draw.status == DrawStatus.DRAWN  # the draw is kept as it was

    response = post_form(
        client,
        _url(world),
        {
            "redraw-reason": "名单漏报一个申报。",
            "redraw-method": "count",
            "redraw-value": "1",
            "redraw-seed": "",
        },
        action=action,
    )
    assert response.status_code == 303
    db.session.refresh(draw)
    assert draw.status == DrawStatus.SUPERSEDED
    new = db.session.scalar(select(SpotCheckDraw).where(SpotCheckDraw.id != draw.id))
    assert (new.redraw_of_id, new.method, new.value) == (draw.id, "count", "1")
    page = client.get(_url(world))
    text = _text(page.text)
    assert f"原抽签 {draw.id} 号已作废" in text
    history = page.text.split('data-testid="history"')[1]
    assert "已作废（已重新抽签）" in history and "名单漏报一个申报。" in history
    assert f'href="/draws/{draw.id}"' in history and f'href="/draws/{new.id}"' in history


def test_drawing_with_nothing_awaiting_says_so(world, client, auth):
    draw = announce_draw(world.user("city"), world.campaign.id, method="count", value="1")
    auth.login("city")
    response = post_form(client, _url(world), {}, action=_url(world, f"/draws/{draw.id}/draw"))
    assert response.status_code == 303
    assert "目前没有待抽签的申报。" in client.get(_url(world)).text
    db.session.refresh(draw)
    assert draw.status == DrawStatus.ANNOUNCED


@pytest.mark.parametrize("username", ["reviewer_a", "union_a", "inspector"])
def test_only_the_drawing_organisation_opens_or_posts(world, client, auth, awaiting, username):
    draw = announce_draw(world.user("city"), world.campaign.id, method="ratio", value="1")
    auth.login(username)
    assert client.get(_url(world)).status_code in (403, 404)
    token = csrf_from(client.get("/").text)
    for tail in (
        "/announce",
        f"/draws/{draw.id}/draw",
        f"/draws/{draw.id}/apply",
        f"/draws/{draw.id}/redraw",
        "/auto-assign",
    ):
        response = client.post(
            _url(world, tail),
            data={"csrf_token": token, "method": "ratio", "value": "1", "redraw-reason": "x"},
        )
        assert response.status_code in (403, 404), tail
    for tail in ("/checks.csv", f"/draws/{draw.id}.csv"):
        assert client.get(_url(world, tail)).status_code in (403, 404)
    db.session.refresh(draw)
    assert draw.status == DrawStatus.ANNOUNCED
    assert db.session.scalar(select(func.count()).select_from(SpotCheckDraw)) == 1
    # and the campaign page shows them no link
    page = client.get(f"/campaigns/{world.campaign.id}")
    assert page.status_code == 200
    assert 'data-testid="spot-check-link"' not in page.text and _url(world) not in page.text


def test_campaign_page_links_the_drawing_organisation(world, client, auth):
    auth.login("city")
    page = client.get(f"/campaigns/{world.campaign.id}")
    assert f'href="{_url(world)}"' in page.text and "随机抽查" in _text(page.text)


def test_a_draw_of_another_campaign_is_not_found(world, client, auth, awaiting):
    from app.campaigns.models import Campaign

    other = Campaign(
        name="另一活动",
        year=2026,
        level=world.campaign.level,
        status=world.campaign.status,
        organizer_id=world.city.id,
        award_types=world.campaign.award_types,
        standard_version_id=world.campaign.standard_version_id,
    )
    db.session.add(other)
    db.session.commit()
    draw = announce_draw(world.user("city"), world.campaign.id, method="ratio", value="1")
    auth.login("city")
    response = post_form(
        client, _url(world), {}, action=f"/campaigns/{other.id}/spot-checks/draws/{draw.id}/draw"
    )
    assert response.status_code == 404
    db.session.refresh(draw)
    assert draw.status == DrawStatus.ANNOUNCED


# -- inspectors ---------------------------------------------------------------------------


def test_auto_assign_through_the_page(world, client, auth, awaiting):
    add_inspectors(world)
    _applied(world)
    auth.login("city")
    response = post_form(client, _url(world), {}, action=_url(world, "/auto-assign"))
    assert response.status_code == 303
    page = client.get(_url(world))
    assert "已自动指派 10 人次抽查员。" in _text(page.text)
    for check in db.session.scalars(select(SpotCheck)):
        team = _team(check.id)
        assert len(team) == 2
        if check.nomination_id in (awaiting[0].id, awaiting[1].id, awaiting[2].id):
            assert not team & {"inspector_a", "inspector_a1"}
    # again: nothing to do
    response = post_form(client, _url(world), {}, action=_url(world, "/auto-assign"))
    assert "未新增指派" in _text(client.get(_url(world)).text)


def test_auto_assign_lists_the_checks_it_could_not_fill(world, client, auth):
    spot_check(world, org=world.union_b)  # only the city's one inspector exists
    auth.login("city")
    post_form(client, _url(world), {}, action=_url(world, "/auto-assign"))
    text = _text(client.get(_url(world)).text)
    assert "已自动指派 1 人次抽查员。" in text
    assert "未能配齐：乙区街道总工会：需要 2 名抽查员，符合回避规则的只有 1 名。" in text
    assert "以下抽查组的抽查员尚未配齐" in text and "还差 1 名" in text


def test_manual_assignment_in_conflict_shows_the_reason_and_assigns_nothing(world, client, auth):
    add_inspectors(world)
    _nomination, check = spot_check(world, org=world.union_a2)
    auth.login("city")
    page = client.get(_url(world))
    form = page.text.split(f'id="assign-{check.id}"')[1].split("</select>")[0]
    inspector_a = world.users["inspector_a"].id
    # listed, but greyed out with the reason
    assert re.search(rf'value="{inspector_a}" disabled', form)
    assert "同属甲区总工会，须回避" in _text(page.text)
    response = post_form(
        client,
        _url(world),
        {"inspector_id": str(inspector_a)},
        action=_url(world, f"/checks/{check.id}/assign"),
    )
    assert response.status_code == 422
    assert "同属甲区总工会，须回避" in field_error(response.text, f"assign-{check.id}")
    assert "不能指派" in _text(response.text)  # the flash
    assert re.search(rf'value="{inspector_a}" disabled selected', response.text)
    assert _team(check.id) == set()

    response = post_form(
        client, _url(world), {"inspector_id": ""}, action=_url(world, f"/checks/{check.id}/assign")
    )
    assert response.status_code == 422
    assert field_error(response.text, f"assign-{check.id}") == "请选择抽查员。"

    inspector_b = world.users["inspector_b"].id
    response = post_form(
        client,
        _url(world),
        {"inspector_id": str(inspector_b)},
        action=_url(world, f"/checks/{check.id}/assign"),
    )
    assert response.status_code == 303
    assert _team(check.id) == {"inspector_b"}
    assert "已指派乙区抽查员。" in _text(client.get(_url(world)).text)


def test_unassign_through_the_page(world, client, auth):
    add_inspectors(world)
    _nomination, check = spot_check(
        world, org=world.union_b, inspectors=("inspector", "inspector_a")
    )
    auth.login("city")
    response = post_form(
        client,
        _url(world),
        {"inspector_id": world.users["inspector_a"].id},
        action=_url(world, f"/checks/{check.id}/unassign"),
    )
    assert response.status_code == 303
    assert _team(check.id) == {"inspector"}
    page = client.get(_url(world))
    assert "已将甲区抽查员移出抽查组。" in _text(page.text)
    # the removed inspector is a candidate again
    form = page.text.split(f'id="assign-{check.id}"')[1].split("</select>")[0]
    assert f'value="{world.users["inspector_a"].id}"' in form


def test_auto_assign_before_any_draw_is_applied_is_refused(world, client, auth, awaiting):
    add_inspectors(world)
    auth.login("city")
    response = post_form(client, _url(world), {}, action=_url(world, "/auto-assign"))
    assert response.status_code == 303
    assert "抽签生效后才能分配抽查员。" in _text(client.get(_url(world)).text)
    assert db.session.scalar(select(func.count()).select_from(SpotCheckAssignment)) == 0


def test_a_second_announcement_while_a_draw_is_open_is_refused(world, client, auth, awaiting):
    auth.login("city")
    post_form(
        client,
        _url(world),
        {"method": "ratio", "value": "0.2", "seed": ""},
        action=_url(world, "/announce"),
    )
    first = db.session.scalar(select(SpotCheckDraw))
    response = post_form(
        client,
        _url(world),
        {"method": "count", "value": "1", "seed": ""},
        action=_url(world, "/announce"),
    )
    page = client.get(_url(world)).text if response.status_code == 303 else response.text
    assert f"已有进行中的抽签（编号 {first.id}）" in _text(page)
    assert db.session.scalar(select(func.count()).select_from(SpotCheckDraw)) == 1


def test_removing_someone_not_on_the_team_is_refused_and_changes_nothing(world, client, auth):
    add_inspectors(world)
    _nomination, check = spot_check(
        world, org=world.union_b, inspectors=("inspector", "inspector_a")
    )
    auth.login("city")
    for posted in (world.users["reviewer_a"].id, 10**20, "x"):
        response = post_form(
            client,
            _url(world),
            {"inspector_id": posted},
            action=_url(world, f"/checks/{check.id}/unassign"),
        )
        assert response.status_code == 303, posted
        assert _team(check.id) == {"inspector", "inspector_a"}
        assert "该抽查员不在本抽查组中。" in _text(client.get(_url(world)).text)


def test_a_check_of_another_organisation_is_not_found(world, client, auth):
    """A district reviewer never reaches the city's checks, not even by guessing ids."""
    _nomination, check = spot_check(world, org=world.union_b)
    auth.login("reviewer_a")
    token = csrf_from(client.get("/").text)
    for tail in (f"/checks/{check.id}/assign", f"/checks/{check.id}/unassign"):
        response = client.post(
            _url(world, tail),
            data={"csrf_token": token, "inspector_id": world.users["inspector"].id},
        )
        assert response.status_code in (403, 404)
    assert _team(check.id) == set()


# -- exports ------------------------------------------------------------------------------


def test_csv_exports(world, client, auth, awaiting):
    add_inspectors(world)
    draw = _applied(world)
    assign.auto_assign(world.user("city"), draw.id)
    auth.login("city")
    rows = _csv(client.get(_url(world, "/checks.csv")))
    assert rows[0][:9] == [
        "抽查编号",
        "申报编号",
        "单位",
        "被推荐人",
        "区县",
        "状态",
        "抽查员",
        "已同意",
        "抽查结论",
    ]
    assert len(rows) == 6
    by_unit = {r[2]: r for r in rows[1:]}
    assert by_unit["乙区街道总工会"][4] == "乙区总工会"
    assert by_unit["乙区街道总工会"][5] == "抽查中"
    for row in rows[1:]:
        assert len(row[6].split("、")) == 2 and row[7] == "0/2"

    rows = _csv(client.get(_url(world, f"/draws/{draw.id}.csv")))
    assert rows[0] == ["抽签编号", "区县编码", "区县", "申报编号", "单位", "抽中"]
    assert len(rows) == 6
    assert {r[2] for r in rows[1:]} == {"甲区总工会", "乙区总工会"}
    assert all(r[5] == "是" for r in rows[1:])  # ratio 1: every nomination drawn
    assert sorted(int(r[3]) for r in rows[1:]) == sorted(n.id for n in awaiting)


def test_draw_csv_of_an_announced_draw_is_refused(world, client, auth):
    draw = announce_draw(world.user("city"), world.campaign.id, method="count", value="1")
    auth.login("city")
    response = client.get(_url(world, f"/draws/{draw.id}.csv"))
    assert response.status_code == 409
    assert "这次抽签尚未进行" in response.text


# -- query budget -------------------------------------------------------------------------


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return counter["n"]


def test_management_page_runs_a_constant_number_of_queries(world, client, auth):
    add_inspectors(world)
    city = world.user("city")
    for org in (world.union_a, world.union_b):
        world.nomination(org=org, status="awaiting_draw")
    assign.auto_assign(city, _applied(world).id)
    # and an open draw, drawn: its strata and sample are on the page too
    for org in (world.union_a, world.union_b):
        world.nomination(org=org, status="awaiting_draw")
    current = announce_draw(city, world.campaign.id, method="ratio", value="0.5")
    make_draw(city, current.id)
    auth.login("city")
    few = _queries(client, _url(world))
    for _ in range(8):
        for org in (world.union_a, world.union_a2, world.union_b, world.branch_a):
            spot_check(world, org=org, inspectors=("inspector", "inspector_c2"))
    assert db.session.scalar(select(func.count()).select_from(SpotCheck)) == 34
    many = _queries(client, _url(world))
    assert many == few, f"{few} statements with 2 checks, {many} with 34"
    assert few <= 20, few


def test_campaign_page_query_count_does_not_grow(world, client, auth):
    auth.login("city")
    url = f"/campaigns/{world.campaign.id}"
    few = _queries(client, url)
    for _ in range(5):
        world.nomination(org=world.union_a, status="awaiting_draw")
    spot_check(world, org=world.union_b)
    assert _queries(client, url) == few


# -- on a phone ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.committing
def test_city_runs_the_draw_on_a_phone(app, live_server):  # type: ignore[no-untyped-def]
    """From the campaign page through announce, draw, apply and automatic assignment, in a
    375 px browser, answering the confirm dialogs; nothing is wider than the phone."""
    from playwright.sync_api import expect

    from tests.browser_support import (
        assert_fits_the_phone,
        chromium,
        log_in,
        phone_page,
        screenshot,
    )
    from tests.factories import build_world

    with app.app_context():
        world = build_world()
        add_inspectors(world)
        for org in (world.union_a, world.union_a2, world.union_b, world.union_b):
            world.nomination(org=org, status="awaiting_draw")
        campaign_id = world.campaign.id

    with chromium() as browser, phone_page(browser, live_server) as page:
        page.on("dialog", lambda dialog: dialog.accept())
        log_in(page, "city")
        page.goto(f"/campaigns/{campaign_id}")
        page.get_by_test_id("spot-check-link").click()
        expect(page.locator("h1")).to_have_text("随机抽查")
        assert_fits_the_phone(page)
        page.get_by_label("比例或每区数量").fill("0.5")
        page.get_by_role("button", name="公告抽签").click()
        expect(page.get_by_test_id("draw-status")).to_have_text("已公告，待抽签")
        assert_fits_the_phone(page)
        page.get_by_test_id("make-draw").click()
        expect(page.get_by_test_id("draw-status")).to_have_text("已抽签，待确认生效")
        expect(page.get_by_test_id("strata-chart")).to_be_visible()
        assert_fits_the_phone(page)
        screenshot(page, "spot-check-manage-drawn")
        page.get_by_test_id("apply-draw").click()
        expect(page.get_by_test_id("checks")).to_be_visible()
        page.get_by_test_id("auto-assign").click()
        expect(page.locator(".alert-success")).to_contain_text("已自动指派 4 人次抽查员。")
        assert_fits_the_phone(page)
        screenshot(page, "spot-check-manage-checks")
        assert page.js_errors == []


def test_district_reviewer_draws_when_the_campaign_draws_by_district(world, client, auth, awaiting):
    world.campaign.draw_level = "district"
    db.session.commit()
    auth.login("reviewer_a")
    page = client.get(f"/campaigns/{world.campaign.id}")
    assert f'href="{_url(world)}"' in page.text
    text = _text(client.get(_url(world)).text)
    assert "抽签单位：甲区总工会" in text
    assert "甲区总工会 3" in text and "乙区总工会" not in text  # only its own district
    auth.logout()
    auth.login("city")
    assert client.get(_url(world)).status_code == 403
    assert f'href="{_url(world)}"' not in client.get(f"/campaigns/{world.campaign.id}").text
