"""The notification centre on a phone: the unread count in the header, open a reminder,
mark the rest read; the count goes down and disappears."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from tests.browser_support import assert_fits_the_phone, log_in, screenshot
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def _reminders(app: Flask) -> list[int]:
    from app.extensions import db
    from app.notifications.sweep import sweep
    from app.timeutil import beijing_today

    with app.app_context():
        world = build_world()
        ids = []
        for org, days in ((world.union_a, -2), (world.union_a2, 0), (world.union_a, 2)):
            nomination = world.nomination(org=org, status="submitted")
            nomination.due_on = beijing_today() + timedelta(days=days)
            ids.append(nomination.id)
        db.session.commit()
        assert sweep().created == 3
        return ids


def test_notification_centre_on_a_phone(app, phone):
    overdue, today, soon = _reminders(app)
    log_in(phone, "reviewer_a")
    badge = phone.get_by_test_id("unread-count")
    assert badge.inner_text() == "3"
    phone.get_by_test_id("bell").click()
    assert phone.locator("[data-unread='1']").count() == 3
    assert "已逾期 2 天" in phone.get_by_test_id("notifications").inner_text()
    assert_fits_the_phone(phone)
    screenshot(phone, "notifications-phone")
    # open the overdue one: it is marked read and the nomination opens
    phone.locator("[data-testid='notification']", has_text="已逾期").get_by_role(
        "button", name="查看"
    ).click()
    phone.wait_for_url(f"**/nominations/{overdue}")
    assert phone.get_by_test_id("unread-count").inner_text() == "2"
    # mark one read, then all
    phone.get_by_test_id("bell").click()
    phone.get_by_test_id("mark-read").first.click()
    assert phone.get_by_test_id("unread-count").inner_text() == "1"
    phone.get_by_test_id("read-all").click()
    assert phone.get_by_test_id("unread-count").count() == 0
    assert phone.locator("[data-unread='1']").count() == 0
    assert_fits_the_phone(phone)
