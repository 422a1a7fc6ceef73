"""Helpers for real-browser tests: the app on a live local server and Debian's chromium.

Playwright's own browser download does not work here (nor is it wanted in CI); the tests
drive the distribution's chromium instead, which `scripts/test.sh` installs. Tests using
these must be marked `committing`: the server answers from its own threads and
connections, so it sees only data that really committed.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-quic",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"  # gitignored
PHONE = {"width": 375, "height": 812}


def chromium_path() -> str | None:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium")


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 at a free port from a background thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


@contextmanager
def chromium():  # type: ignore[no-untyped-def]
    """A headless Debian chromium driven by Playwright; skips when either is missing."""
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "chromium is not installed (apt-get install chromium; scripts/test.sh does this in CI)"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e .[dev])"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# A page's breaches of its Content-Security-Policy and Permissions-Policy, as the page itself
# sees them (the securitypolicyviolation event, the Reporting API) and logs them to the
# console, plus what chromium logs itself ("Permissions policy violation: camera is not
# allowed…", "Refused to … Content Security Policy directive…").
POLICY_VIOLATION = re.compile(
    r"CSP violation|Content Security Policy|Permissions.policy violation|Permissions-Policy", re.I
)
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.effectiveDirective + " refused " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
if (window.ReportingObserver) {
  new ReportingObserver(function (reports) {
    reports.forEach(function (r) {
      console.error("Permissions policy violation: " + r.body.featureId);
    });
  }, {types: ["permissions-policy-violation"], buffered: true}).observe();
}
"""


@contextmanager
def phone_page(browser, base_url: str):  # type: ignore[no-untyped-def]
    """A page in a phone-sized browser context (375×812, touch, Chinese locale).

    `page.js_errors` collects uncaught script errors; `page.policy_violations` what broke the
    pages' Content-Security-Policy or Permissions-Policy, which must be nothing when the test
    ends (checked here, so every browser test checks it).
    """
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=base_url,
    )
    context.set_default_timeout(10_000)
    # Run before any script of the page, outside its CSP (Playwright's init scripts are).
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{message.text} ({page.url})")
            if POLICY_VIOLATION.search(message.text)
            else None
        ),
    )
    page.policy_violations = violations
    try:
        yield page
        assert violations == [], "the page broke its security policy:\n" + "\n".join(violations)
    finally:
        context.close()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def horizontal_overflow(page) -> int:  # type: ignore[no-untyped-def]
    """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )


HOME = re.compile(r"^http://127\.0\.0\.1:\d+/$")


def log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    """Through the login form, as a person would; waits for the worklist."""
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(HOME)
    expect(page.get_by_test_id("current-user")).to_be_attached()


def log_out(page) -> None:  # type: ignore[no-untyped-def]
    """Through the navbar, which at phone width is collapsed behind the toggler."""
    from playwright.sync_api import expect

    logout = page.locator("form[action$='/logout'] button[type=submit]")
    if not logout.is_visible():
        page.locator(".navbar-toggler").click()
        # Wait for the collapse animation to finish before clicking inside it.
        expect(page.locator("#nav.collapse.show")).to_be_visible()
    expect(logout).to_be_visible()
    with page.expect_navigation(url="**/login"):
        logout.click()
    expect(page.locator("#password")).to_be_visible()


def assert_fits_the_phone(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert horizontal_overflow(page) <= 0
