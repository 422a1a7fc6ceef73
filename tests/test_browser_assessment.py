"""The self-assessment in a real browser on a phone: the union completes the last item with a
photo and submits; the district reviewer comments on that item and returns; the union sees
the comment beside the item in round 2.

Headless Debian chromium (Playwright) against the app on a live local server; the data
really commits and is truncated afterwards.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import delete, select

from tests.browser_support import (
    PHONE,
    assert_fits_the_phone,
    log_in,
    log_out,
    screenshot,
)
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.committing]

COMMENT = "照片不清晰，请重新上传"
STATEMENT = "工会委员会、经审会、女职工委员会已同步换届，批复文件齐全。"
PHOTO = "换届选举现场照片.png"
NEW_PHOTO = "换届选举现场照片（清晰）.png"


def _draft_missing_one_item(app: Flask) -> tuple[int, int, str]:
    """A complete draft, except for one item of the second dimension (no answer, no file)."""
    from app.assessment.models import AssessmentRound, EvidenceLink, ItemResponse
    from app.extensions import db
    from app.standards.models import StandardItem

    with app.app_context():
        world = build_world()
        nomination = world.nomination(status="draft", complete=True)
        rnd = db.session.scalar(
            select(AssessmentRound).where(AssessmentRound.nomination_id == nomination.id)
        )
        items = list(
            db.session.scalars(
                select(StandardItem)
                .where(
                    StandardItem.version_id == rnd.standard_version_id,
                    StandardItem.category == "enterprise",
                )
                .order_by(StandardItem.position)
            )
        )
        first_dimension = items[0].dimension
        item = next(i for i in items if i.dimension != first_dimension)
        db.session.execute(
            delete(ItemResponse).where(
                ItemResponse.round_id == rnd.id, ItemResponse.item_id == item.id
            )
        )
        db.session.execute(
            delete(EvidenceLink).where(
                EvidenceLink.round_id == rnd.id, EvidenceLink.item_id == item.id
            )
        )
        db.session.commit()
        return nomination.id, item.id, item.code


def _photo(tmp_path, name: str = PHOTO) -> str:  # type: ignore[no-untyped-def]
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (236, 240, 244) if name == PHOTO else (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 60, 600, 420), outline=(183, 28, 28), width=8)
    for i in range(8):
        draw.ellipse((80 + i * 60, 300, 120 + i * 60, 340), fill=(40, 90, 160))
    draw.rectangle((200, 100, 440, 180), fill=(183, 28, 28))
    path = tmp_path / name
    image.save(path, "PNG")
    return str(path)


def test_union_fills_uploads_submits_reviewer_returns_union_sees_comment(app, phone, tmp_path):
    from playwright.sync_api import expect

    nomination_id, item_id, code = _draft_missing_one_item(app)
    page = phone
    url = f"/nominations/{nomination_id}/self-assessment"
    item = page.locator(f'[data-item-code="{code}"]')

    # -- the union: the form, live rates, the missing item, a photo ---------------------
    log_in(page, "union_a")
    page.goto(f"/nominations/{nomination_id}")
    page.get_by_test_id("sa-open").click()
    page.wait_for_url(f"**{url}")
    expect(page.get_by_test_id("problems")).to_contain_text("尚未自评")
    # The dimension holding the unanswered item is the one open.
    expect(item).to_be_visible()
    assert_fits_the_phone(page)
    screenshot(page, "assessment-union-form")

    # The rates follow what is typed, before anything is saved.
    rate = page.locator('[data-rate="membership_rate"]')
    expect(rate.locator(".rate-value")).to_have_text("100.0%")
    page.fill("#figures-member_count", "95")
    expect(rate.locator(".rate-value")).to_have_text("95.0%")
    expect(rate.locator(".rate-badge")).to_have_text("✗")
    page.fill("#figures-member_count", "120")
    expect(rate).to_contain_text("超过 100%")
    expect(page.locator("#figures-member_count-live")).to_contain_text("不能大于")
    page.fill("#figures-member_count", "100")
    expect(rate.locator(".rate-badge")).to_have_text("✓")
    page.locator("#figures").screenshot(path=str(screenshot_path("assessment-rates")))

    item.locator(f'label[for="r-{item_id}-met"]').click()
    item.locator("textarea").fill(STATEMENT)
    item.locator('input[type="file"]').set_input_files(_photo(tmp_path))
    item.locator('button[type="submit"]', has_text="上传").click()
    page.wait_for_url(f"**{url}#item-{item_id}")
    # The typed answer was saved before the upload, and the photo is beside the item.
    expect(item.locator(f"#r-{item_id}-met")).to_be_checked()
    expect(item.locator("textarea")).to_have_value(STATEMENT)
    expect(item.locator(f'[data-evidence="{PHOTO}"]')).to_be_visible()
    expect(item.locator("img.sa-thumb")).to_have_count(1)
    # The thumbnail really loads (generated on the server from the photo).
    page.wait_for_function("""() => { const i = document.querySelector('img.sa-thumb');
                                      return i && i.complete && i.naturalWidth > 0; }""")
    expect(item).to_contain_text("已上传佐证材料")  # the message shown beside the item
    assert_fits_the_phone(page)
    item.screenshot(path=str(screenshot_path("assessment-item-with-photo")))

    page.get_by_test_id("save").click()
    page.wait_for_url(f"**{url}")
    expect(page.locator("main > .alert-success").first).to_contain_text("草稿已保存")
    expect(page.get_by_test_id("problems-none")).to_be_visible()
    screenshot(page, "assessment-union-complete")

    page.goto(f"/nominations/{nomination_id}")
    card = page.get_by_test_id("self-assessment-card")
    expect(card.get_by_test_id("sa-progress")).to_contain_text("已作答")
    page.locator('form[data-action="submit"] button[type=submit]').click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("state")).to_have_text("待审核")
    assert_fits_the_phone(page)
    log_out(page)

    # -- the reviewer: item by item, a comment on that item, return ----------------------
    log_in(page, "reviewer_a")
    page.goto(f"/nominations/{nomination_id}")
    expect(page.get_by_test_id("sa-open")).to_have_text("逐项审核")
    page.get_by_test_id("sa-open").click()
    page.wait_for_url(f"**{url}")
    expect(item.locator(f'[data-evidence="{PHOTO}"]')).to_be_visible()
    expect(item).to_contain_text(STATEMENT)
    item.locator("textarea[name=body]").fill(COMMENT)
    item.locator(".sa-comment-form button[type=submit]").click()
    page.wait_for_url(f"**{url}#item-{item_id}")
    expect(item.locator(".sa-comment")).to_contain_text(COMMENT)
    assert_fits_the_phone(page)
    item.screenshot(path=str(screenshot_path("assessment-reviewer-item-comment")))
    # On a desktop the evidence sits beside the item.
    page.set_viewport_size({"width": 1280, "height": 900})
    item.scroll_into_view_if_needed()
    box, evidence = item.bounding_box(), item.locator(".sa-evidence-side").bounding_box()
    assert evidence["x"] > box["x"] + box["width"] / 2 - 40
    page.screenshot(path=str(screenshot_path("assessment-reviewer-desktop")))
    page.set_viewport_size(PHONE)
    decision = page.get_by_test_id("review-actions")
    expect(decision).to_contain_text("本轮已有审核意见 1 条")
    decision.locator('form[data-action="return"] button[type=submit]').click()
    page.wait_for_url(f"**/nominations/{nomination_id}")
    expect(page.get_by_test_id("state")).to_have_text("退回修改")
    expect(page.get_by_test_id("latest-decision")).to_contain_text("1 条审核意见")
    screenshot(page, "assessment-reviewer-returned")
    log_out(page)

    # -- the union: round 2, the comment beside its item --------------------------------
    log_in(page, "union_a")
    page.goto(url)
    expect(page.locator("h1 + div, h1").first).to_be_visible()
    expect(page.get_by_test_id("rounds")).to_contain_text("第 2 轮")
    comment = item.locator(".sa-prev-comment")
    expect(comment).to_contain_text("审核意见")
    expect(comment).to_contain_text(COMMENT)
    comment.scroll_into_view_if_needed()
    expect(comment).to_be_visible()
    # Only beside that item.
    expect(page.locator(".sa-prev-comment")).to_have_count(1)
    expect(page.get_by_test_id("diff-link")).to_be_visible()
    assert_fits_the_phone(page)
    screenshot(page, "assessment-union-round2")
    item.screenshot(path=str(screenshot_path("assessment-union-round2-item")))

    # A clearer photo replaces the old one, and the statement says so.
    page.once("dialog", lambda dialog: dialog.accept())
    item.locator(f'[data-evidence="{PHOTO}"] button').click()
    page.wait_for_url(f"**{url}#item-{item_id}")
    expect(item.locator(f'[data-evidence="{PHOTO}"]')).to_have_count(0)
    item.locator('input[type="file"]').set_input_files(_photo(tmp_path, NEW_PHOTO))
    item.locator("textarea").fill(STATEMENT + "已重新拍摄上传清晰照片。")
    item.locator('button[type="submit"]', has_text="上传").click()
    page.wait_for_url(f"**{url}#item-{item_id}")
    expect(item.locator(f'[data-evidence="{NEW_PHOTO}"]')).to_be_visible()
    expect(item.locator("textarea")).to_have_value(STATEMENT + "已重新拍摄上传清晰照片。")

    page.get_by_test_id("diff-link").click()
    page.wait_for_url(f"**/nominations/{nomination_id}/rounds/1/diff/2")
    changed = page.locator(f'[data-testid=diff-item][data-item-code="{code}"]')
    expect(changed.locator("[data-side=new]")).to_contain_text("已重新拍摄上传清晰照片")
    expect(changed.locator("[data-change=added]")).to_have_text(f"+ {NEW_PHOTO}")
    expect(changed.locator("[data-change=removed]")).to_have_text(f"− {PHOTO}")
    assert_fits_the_phone(page)
    screenshot(page, "assessment-diff")

    assert page.js_errors == [], page.js_errors


def screenshot_path(name: str):  # type: ignore[no-untyped-def]
    from tests.browser_support import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
