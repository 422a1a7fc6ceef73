"""The pages' Content-Security-Policy and Permissions-Policy in a real browser: what they
refuse is refused, and the browser tests' own check (tests/browser_support.py) notices it.

Every other browser test ends with that check, so each page it visits ran without breaking
either policy.
"""

from __future__ import annotations

import pytest

from tests.browser_support import chromium, phone_page

pytestmark = [pytest.mark.browser, pytest.mark.committing]


@pytest.fixture
def browser(live_server: str):  # type: ignore[no-untyped-def]
    with chromium() as browser:
        yield browser


INJECT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.injected = 'script'";
  document.body.append(script);
  const button = document.createElement("button");
  button.setAttribute("onclick", "window.injected = 'handler'");
  document.body.append(button);
  button.click();
  const style = document.createElement("style");
  style.textContent = "body { background: red; }";
  document.head.append(style);
  return window.injected || null;
}"""


def test_inline_script_handlers_and_style_elements_are_refused_and_noticed(browser, live_server):  # type: ignore[no-untyped-def]
    with pytest.raises(AssertionError) as refused:
        with phone_page(browser, live_server) as page:
            page.goto("/login")
            assert page.evaluate(INJECT) is None  # neither the script nor the handler ran
            assert page.evaluate("getComputedStyle(document.body).backgroundColor") != (
                "rgb(255, 0, 0)"
            )
            page.wait_for_timeout(200)  # the violation events are dispatched after the task
    report = str(refused.value)
    assert "security policy" in report
    for directive in ("script-src-elem", "script-src-attr", "style-src-elem"):
        assert directive in report, report


def test_devices_are_refused_and_noticed(browser, live_server):  # type: ignore[no-untyped-def]
    with pytest.raises(AssertionError) as refused:
        with phone_page(browser, live_server) as page:
            page.goto("/login")
            assert not page.evaluate("document.featurePolicy.allowsFeature('camera')")
            assert not page.evaluate("document.featurePolicy.allowsFeature('geolocation')")
            page.evaluate(
                "() => new Promise(done => navigator.geolocation.getCurrentPosition("
                "() => done('allowed'), error => done(error.message)))"
            )
            page.wait_for_timeout(200)
    assert "geolocation" in str(refused.value).lower()


def test_the_pages_own_script_runs(browser, live_server):  # type: ignore[no-untyped-def]
    """The login page with its script files and Bootstrap: nothing refused."""
    with phone_page(browser, live_server) as page:
        page.goto("/login")
        assert page.evaluate("typeof bootstrap") == "object"
        page.goto("/no-such-page")
        back = page.locator("a[data-back]")
        assert back.get_attribute("href") == "/"
        back.click()
        page.wait_for_url("**/login")
        assert page.js_errors == []


def test_confirmations_and_the_select_filter_work_from_their_files(app, phone):  # type: ignore[no-untyped-def]
    """What the pages did with inline script before, now from app/static/js: a form asks
    before it sends (base.js), the organisation list follows the role (select_filter.js)."""
    from datetime import date

    from playwright.sync_api import expect

    from app.calendar.models import WorkCalendarDay
    from app.extensions import db
    from tests.browser_support import log_in, log_out
    from tests.factories import build_world

    with app.app_context():
        build_world()
        db.session.add(WorkCalendarDay(day=date(2027, 10, 8), is_workday=False, note="国庆节"))
        db.session.commit()
    page = phone

    log_in(page, "city")
    page.goto("/calendar?year=2027")
    row = page.locator('tr[data-day="2027-10-08"]')
    expect(row).to_be_visible()
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_test_id("delete-2027-10-08").click()
    expect(row).to_be_visible()  # declined: nothing sent
    page.once("dialog", lambda dialog: answer(dialog, True))
    with page.expect_navigation():
        page.get_by_test_id("delete-2027-10-08").click()
    expect(page.locator('tr[data-day="2027-10-08"]')).to_have_count(0)
    assert len(asked) == 2 and "2027-10-08" in asked[0]
    log_out(page)

    log_in(page, "admin")
    page.goto("/admin/users/new")
    grassroots = page.locator('#org_id option[data-level="grassroots"]').first
    city = page.locator('#org_id option[data-level="city"]').first
    page.select_option("#role", "union")
    expect(city).to_be_disabled()
    expect(grassroots).to_be_enabled()
    page.select_option("#role", "city")
    expect(grassroots).to_be_disabled()
    expect(city).to_be_enabled()
    assert page.js_errors == []
