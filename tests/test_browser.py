"""A reviewer returns a nomination from a phone, and the union sees why, in a real browser.

Headless Debian chromium (Playwright) against the app on a live local server. The data
really commits (the server answers from its own threads), and is truncated afterwards.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.browser_support import (
    PHONE,
    chromium,
    horizontal_overflow,
    phone_page,
    screenshot,
    serve,
)
from tests.factories import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.committing]

COMMENT = "请补充职代会会议记录"
HOME = re.compile(r"^http://127\.0\.0\.1:\d+/$")


@pytest.fixture
def live_server(app: Flask):  # type: ignore[no-untyped-def]
    """The session app on a live local server (it sees committed data only)."""
    with serve(app) as base_url:
        yield base_url


@pytest.fixture
def phone(live_server: str):  # type: ignore[no-untyped-def]
    """A phone-sized page of Debian's chromium, pointed at the live server."""
    with chromium() as browser, phone_page(browser, live_server) as page:
        yield page


def _submitted_nomination(app: Flask) -> int:
    with app.app_context():
        world = build_world()
        return world.nomination(status="submitted").id


def _log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(HOME)
    expect(page.get_by_test_id("current-user")).to_be_attached()


def _log_out(page) -> None:  # type: ignore[no-untyped-def]
    """Through the navbar, which at phone width is collapsed behind the toggler."""
    from playwright.sync_api import expect

    logout = page.locator("form[action$='/logout'] button[type=submit]")
    toggler = page.locator(".navbar-toggler")
    if not logout.is_visible():
        expect(toggler).to_be_visible()
        toggler.click()
    expect(logout).to_be_visible()
    logout.click()
    page.wait_for_url("**/login")
    expect(page.locator("#password")).to_be_visible()


def _assert_fits_the_phone(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert horizontal_overflow(page) <= 0


def test_reviewer_returns_on_a_phone_and_the_union_sees_why(app, phone):
    from playwright.sync_api import expect

    nomination_id = _submitted_nomination(app)
    page = phone

    # The login page itself fits the phone and is in Chinese.
    page.goto("/login")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    _assert_fits_the_phone(page)

    # -- the district reviewer returns it with a comment ---------------------------------
    _log_in(page, "reviewer_a")
    expect(page.locator(f"[data-testid=worklist] a[href$='/nominations/{nomination_id}']")) \
        .to_be_visible()
    _assert_fits_the_phone(page)

    page.goto(f"/nominations/{nomination_id}")
    state = page.get_by_test_id("state")
    expect(state).to_have_text("待审核")
    _assert_fits_the_phone(page)
    return_form = page.locator('form[data-action="return"]')
    return_form.locator("textarea").fill(COMMENT)
    return_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(state).to_have_text("退回修改")
    expect(page.get_by_test_id("event-comment").filter(has_text=COMMENT)).to_be_visible()
    _assert_fits_the_phone(page)
    screenshot(page, "phone-reviewer-after-return")

    _log_out(page)

    # -- the union sees the state, the reviewer's comment and can resubmit ---------------
    _log_in(page, "union_a")
    expect(page.locator(f"[data-testid=worklist] a[href$='/nominations/{nomination_id}']")) \
        .to_be_visible()
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
    _assert_fits_the_phone(page)
    screenshot(page, "phone-union-returned")

    assert page.js_errors == [], page.js_errors
