"""A step's notice in a real browser on a phone: a reviewer returns a nomination with a
comment; the union's header shows one unread notice, which says what happened and opens
the nomination."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.browser_support import assert_fits_the_phone, log_in, log_out, screenshot
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def _submitted(app: Flask) -> tuple[int, str]:
    from app.extensions import db

    with app.app_context():
        world = build_world()
        nomination = world.nomination(status="submitted")
        db.session.commit()
        return nomination.id, world.union_a.name


def test_a_return_reaches_the_union_s_header_and_opens_the_nomination(app, phone):
    nomination_id, unit = _submitted(app)
    log_in(phone, "reviewer_a")
    phone.goto(f"/nominations/{nomination_id}")
    form = phone.locator("form[data-action='return']")
    form.locator("textarea[name=comment]").fill("请补充会员代表大会记录")
    phone.once("dialog", lambda dialog: dialog.accept())
    form.get_by_role("button").click()
    phone.wait_for_url(f"**/nominations/{nomination_id}")
    log_out(phone)

    log_in(phone, "union_a")
    assert phone.get_by_test_id("unread-count").inner_text() == "1"
    phone.get_by_test_id("bell").click()
    notice = phone.get_by_test_id("notification")
    assert f"【退回修改】{unit}的申报" in notice.inner_text()
    assert "请补充会员代表大会记录" in notice.inner_text()
    assert_fits_the_phone(phone)
    screenshot(phone, "event-notice-phone")
    notice.get_by_role("button", name="查看").click()
    phone.wait_for_url(f"**/nominations/{nomination_id}")
    assert phone.get_by_test_id("unread-count").count() == 0
