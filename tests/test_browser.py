"""A reviewer returns a nomination from a phone, and the union sees why, in a real browser.

Headless Debian chromium (Playwright) against the app on a live local server. The data
really commits (the server answers from its own threads), and is truncated afterwards.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.browser_support import (
    assert_fits_the_phone,
    log_in,
    log_out,
    screenshot,
)
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.committing]

COMMENT = "请补充职代会会议记录"


def _submitted_nomination(app: Flask) -> int:
    with app.app_context():
        world = build_world()
        return world.nomination(status="submitted").id


def test_reviewer_returns_on_a_phone_and_the_union_sees_why(app, phone):
    from playwright.sync_api import expect

    nomination_id = _submitted_nomination(app)
    page = phone

    # The login page itself fits the phone and is in Chinese.
    page.goto("/login")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert_fits_the_phone(page)

    # -- the district reviewer returns it with a comment ---------------------------------
    log_in(page, "reviewer_a")
    expect(
        page.locator(f"[data-testid=worklist] a[href$='/nominations/{nomination_id}']")
    ).to_be_visible()
    assert_fits_the_phone(page)

    page.goto(f"/nominations/{nomination_id}")
    state = page.get_by_test_id("state")
    expect(state).to_have_text("待审核")
    assert_fits_the_phone(page)
    return_form = page.locator('form[data-action="return"]')
    return_form.locator("textarea").fill(COMMENT)
    return_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(state).to_have_text("退回修改")
    expect(page.get_by_test_id("event-comment").filter(has_text=COMMENT)).to_be_visible()
    assert_fits_the_phone(page)
    screenshot(page, "phone-reviewer-after-return")

    log_out(page)

    # -- the union sees the state, the reviewer's comment and can resubmit ---------------
    log_in(page, "union_a")
    expect(
        page.locator(f"[data-testid=worklist] a[href$='/nominations/{nomination_id}']")
    ).to_be_visible()
    page.goto(f"/nominations/{nomination_id}")
    expect(page.get_by_test_id("state")).to_have_text("退回修改")
    comment = page.get_by_test_id("event-comment")
    expect(comment).to_have_count(1)
    expect(comment).to_have_text(COMMENT)
    expect(comment).to_be_visible()
    submit = page.locator('form[data-action="submit"] button[type=submit]')
    expect(submit).to_have_text("提交申报")
    expect(submit).to_be_visible()
    expect(submit).to_be_enabled()
    # The union has no reviewer actions.
    expect(page.locator('form[data-action="return"]')).to_have_count(0)
    expect(page.locator('form[data-action="approve"]')).to_have_count(0)
    assert_fits_the_phone(page)
    screenshot(page, "phone-union-returned")

    assert page.js_errors == [], page.js_errors
