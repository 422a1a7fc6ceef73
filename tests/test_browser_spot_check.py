"""An inspector on site, on a phone: opens 我的抽查, the check, fills the visit and the member
interview sample, sets a finding for every item, photographs one item, sees the thumbnail and
proposes 合格; the second inspector agrees and the nomination becomes 表彰候选.

Headless Debian chromium (Playwright) against the app on a live local server, 375×812; the
data really commits and is truncated afterwards.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.browser_support import (
    ARTIFACTS,
    assert_fits_the_phone,
    log_in,
    log_out,
    screenshot,
)
from tests.factories import add_inspectors, build_world, spot_check

pytestmark = [pytest.mark.browser, pytest.mark.committing]

PLACE = "甲区机械厂工会职工之家活动室"
NOTES = "会员档案柜齐全，已拍照。"
PHOTO = "会员档案柜.jpg"


def _check(app: Flask) -> tuple[int, int, list[int]]:
    """A nomination drawn for a check, with the city's and district B's inspectors on it."""
    from app.spot_checks import checks

    with app.app_context():
        world = build_world()
        add_inspectors(world)
        nomination, check = spot_check(
            world, org=world.union_a, inspectors=("inspector", "inspector_b")
        )
        view = checks.check_view(check, nomination)
        return nomination.id, check.id, [row.item.id for row in view.items]


def _jpeg(tmp_path) -> str:  # type: ignore[no-untyped-def]
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (230, 226, 214))
    draw = ImageDraw.Draw(image)
    for i in range(4):  # a filing cabinet, four drawers
        draw.rectangle((200, 60 + i * 95, 440, 140 + i * 95), outline=(90, 70, 40), width=6)
        draw.rectangle((300, 90 + i * 95, 340, 105 + i * 95), fill=(183, 28, 28))
    path = tmp_path / PHOTO
    image.save(path, "JPEG")
    return str(path)


def test_inspector_logs_a_check_on_a_phone_and_the_team_agrees(app, phone, tmp_path):
    from playwright.sync_api import expect

    from app.timeutil import beijing_today

    nomination_id, check_id, items = _check(app)
    page = phone
    url = f"/spot-checks/{check_id}"

    # -- 我的抽查, from the collapsed menu ----------------------------------------------------
    log_in(page, "inspector")
    page.locator(".navbar-toggler").click()
    expect(page.locator("#nav.collapse.show")).to_be_visible()
    page.get_by_test_id("nav-my-checks").click()
    page.wait_for_url("**/spot-checks/mine")
    mine = page.get_by_test_id("my-checks")
    expect(mine.locator(f'[data-check="{check_id}"]')).to_contain_text("甲区机械厂工会")
    expect(mine.locator(f'[data-check="{check_id}"]')).to_contain_text("抽查中")
    assert_fits_the_phone(page)
    screenshot(page, "spot-check-mine-phone")
    assert not page.evaluate("document.featurePolicy.allowsFeature('camera')")

    mine.locator(f'[data-check="{check_id}"]').click()
    page.wait_for_url(f"**{url}")
    expect(page.locator("h1")).to_have_text("抽查记录")
    assert_fits_the_phone(page)
    screenshot(page, "spot-check-log-empty-phone")
    # The photo fields may open the phone's camera: on this page only (Permissions-Policy).
    assert page.evaluate("document.featurePolicy.allowsFeature('camera')")

    # -- the visit and the interview sample --------------------------------------------------
    expect(page.locator("#visited_on")).to_have_value(beijing_today().isoformat())
    page.fill("#place", PLACE)
    page.fill("#interviewed", "20")
    page.fill("#interviewed_satisfied", "19")
    expect(page.get_by_test_id("sample-rate")).to_contain_text("95.0%")  # while typing

    # -- a finding for every item, by tapping big buttons ------------------------------------
    first = page.locator(f'label[for="finding_{items[0]}_meets"]')
    box = first.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 80
    for item in items:
        page.locator(f'label[for="finding_{item}_meets"]').click()
    expect(page.locator(f"#finding_{items[-1]}_meets")).to_be_checked()
    page.fill(f"#notes_{items[0]}", NOTES)
    assert_fits_the_phone(page)
    page.get_by_test_id("save-log").click()
    page.wait_for_url(f"**{url}#log")
    expect(page.locator("main > .alert-success").first).to_contain_text("检查记录已保存")
    expect(page.get_by_test_id("count-meets")).to_have_text(str(len(items)))
    expect(page.get_by_test_id("count-none")).to_have_text("0")
    expect(page.locator("#place")).to_have_value(PLACE)
    expect(page.get_by_test_id("sample-rate")).to_contain_text("95.0%")
    assert_fits_the_phone(page)
    screenshot(page, "spot-check-log-filled-phone")

    # -- a photo of the first item: sent as soon as it is chosen ----------------------------
    card = page.locator(f"#item-{items[0]}")
    file_input = card.locator('input[type="file"]')
    expect(file_input).to_have_attribute("accept", "image/*")
    expect(file_input).to_have_attribute("capture", "environment")
    file_input.set_input_files(_jpeg(tmp_path))
    page.wait_for_url(f"**{url}#item-{items[0]}")
    expect(card.locator("img.sc-thumb")).to_have_count(1)
    expect(card.locator(f'[data-photo="{PHOTO}"]')).to_be_visible()
    page.wait_for_function("""() => { const i = document.querySelector('img.sc-thumb');
                                      return i && i.complete && i.naturalWidth > 0; }""")
    expect(page.locator(f"#notes_{items[0]}")).to_have_value(NOTES)
    expect(page.locator("main > .alert-success").first).to_contain_text("已添加 1 张照片")
    assert_fits_the_phone(page)
    screenshot(page, "spot-check-log-photo-phone")
    ARTIFACTS.mkdir(exist_ok=True)
    card.screenshot(path=str(ARTIFACTS / "spot-check-item-with-photo.png"))

    # -- propose 合格 ------------------------------------------------------------------------
    form = page.get_by_test_id("conclusion-form")
    form.locator('label[for="conclusion-0"]').click()
    expect(form.locator("[data-rectify]")).to_be_hidden()  # only for 限期整改
    form.get_by_test_id("propose").click()
    page.wait_for_url(f"**{url}#conclusion")
    expect(page.get_by_test_id("conclusion-label")).to_have_text("合格")
    expect(page.get_by_test_id("you-agreed")).to_be_visible()
    expect(page.get_by_test_id("state")).to_have_text("抽查中")
    assert_fits_the_phone(page)
    screenshot(page, "spot-check-proposed-phone")
    assert page.js_errors == [], page.js_errors
    log_out(page)

    # -- the second inspector agrees ---------------------------------------------------------
    log_in(page, "inspector_b")
    page.goto(url)
    expect(page.get_by_test_id("proposal")).to_contain_text("1 / 2 名抽查员已同意")
    expect(page.locator(f'[data-photo="{PHOTO}"]')).to_be_visible()
    assert_fits_the_phone(page)
    agree = page.get_by_test_id("agree-form").locator("button[type=submit]")
    box = agree.bounding_box()
    assert box is not None and box["height"] >= 44
    agree.click()
    page.wait_for_url(f"**{url}#conclusion")
    expect(page.get_by_test_id("state")).to_have_text("表彰候选")
    expect(page.locator("main > .alert-success").first).to_contain_text("抽查结论已生效")
    expect(page.get_by_test_id("log-form")).to_have_count(0)
    assert_fits_the_phone(page)
    screenshot(page, "spot-check-concluded-phone")

    page.goto(f"/nominations/{nomination_id}")
    expect(page.get_by_test_id("state")).to_have_text("表彰候选")
    card = page.get_by_test_id("spot-check-card")
    expect(card.get_by_test_id("spot-check-conclusion")).to_have_text("合格")
    expect(card).to_contain_text("乙区抽查员")
    assert_fits_the_phone(page)
    screenshot(page, "spot-check-nomination-card-phone")
    assert page.js_errors == [], page.js_errors
