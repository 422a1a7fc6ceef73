"""Single sign-on with OpenID Connect, end to end against a real provider (panva's
oidc-provider on Node.js, tests/oidc_support.py): the authorization code flow with PKCE,
the identity mapped to our user by username or by mobile number, refusals in words, and
password login switched off."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from flask import Flask

from app import create_app
from app.extensions import db
from tests.browser_support import serve
from tests.factories import build_world
from tests.oidc_support import CLIENT_ID, CLIENT_SECRET, free_port, oidc_provider

pytestmark = pytest.mark.committing

ACCOUNTS = {
    "union_a": {"preferred_username": "union_a", "name": "甲一"},
    "stranger": {"preferred_username": "nobody-here", "name": "外人"},
    "phone-user": {"phone_number": "+86 138 0013 8000", "phone_number_verified": True},
    "unverified": {"phone_number": "13800138000", "phone_number_verified": False},
}


@pytest.fixture
def names(app: Flask) -> dict[str, str]:
    """The world's users (reviewer_a with a mobile number): their display names by key."""
    with app.app_context():
        world = build_world()
        world.user("reviewer_a").mobile = "13800138000"
        db.session.commit()
        return {key: world.user(key).display_name for key in world.users}


@contextmanager
def single_sign_on(app: Flask, **config: Any) -> Iterator[str]:
    """Our app, configured for the provider, served on a free port with the provider
    running; yields the app's base URL."""
    port = free_port()
    sso_app = create_app(
        {
            **{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI")},
            "EVIDENCE_STORAGE_DIR": app.config["EVIDENCE_STORAGE_DIR"],
            "OIDC_ISSUER": f"http://127.0.0.1:{port}",
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_PROVIDER_NAME": "统一身份认证平台",
            **config,
        }
    )
    with serve(sso_app) as base:
        with oidc_provider(port, f"{base}/login/sso/callback", ACCOUNTS):
            yield base


def _form(page: str) -> tuple[str, dict[str, str]]:
    action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', page).group(1))
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    return action, hidden


def sign_on(base: str, login: str) -> tuple[requests.Session, requests.Response]:
    """A person signing on: our button, the provider's login page, its consent page, back."""
    browser = requests.Session()
    start = browser.get(f"{base}/login/sso", timeout=10)
    assert start.url.startswith("http://127.0.0.1:") and "/interaction/" in start.url
    action, fields = _form(start.text)
    consent = browser.post(
        requests.compat.urljoin(start.url, action),
        data={**fields, "login": login, "password": "any"},
        timeout=10,
    )
    if "/interaction/" not in consent.url:  # an unknown login stays on the provider's page
        return browser, consent
    action, fields = _form(consent.text)
    done = browser.post(requests.compat.urljoin(consent.url, action), data=fields, timeout=10)
    return browser, done


def test_signing_on_by_username_logs_the_user_in_with_pkce(app, names):
    with single_sign_on(app) as base:
        login_page = requests.get(f"{base}/login", timeout=10).text
        assert "使用统一身份认证平台登录" in login_page and 'name="password"' in login_page

        first = requests.get(f"{base}/login/sso", allow_redirects=False, timeout=10)
        assert first.status_code == 302
        query = first.headers["Location"]
        assert "code_challenge_method=S256" in query and "code_challenge=" in query

        browser, done = sign_on(base, "union_a")
        assert done.url.rstrip("/") == base
        assert "欢迎" in done.text and names["union_a"] in done.text
        assert browser.get(f"{base}/nominations/", timeout=10).status_code == 200


def test_an_identity_without_an_account_here_is_refused_in_words(app, names):
    with single_sign_on(app) as base:
        browser, done = sign_on(base, "stranger")
        assert done.url.startswith(f"{base}/login")
        assert "nobody-here" in done.text and "管理员" in done.text
        home = browser.get(f"{base}/nominations/", timeout=10)
        assert home.url.startswith(f"{base}/login")  # not logged in


def test_mapping_by_mobile_number_needs_a_verified_number(app, names):
    with single_sign_on(app, OIDC_MATCH="mobile") as base:
        _, done = sign_on(base, "phone-user")
        assert names["reviewer_a"] in done.text and "欢迎" in done.text
        _, refused = sign_on(base, "unverified")
        assert refused.url.startswith(f"{base}/login") and "未核实" in refused.text


def test_a_forged_callback_is_refused_not_a_server_error(app, names):
    with single_sign_on(app) as base:
        browser = requests.Session()
        response = browser.get(f"{base}/login/sso/callback?code=forged&state=forged", timeout=10)
        assert response.status_code == 200 and response.url.startswith(f"{base}/login")
        assert "重新开始" in response.text
        denied = browser.get(
            f"{base}/login/sso/callback?error=access_denied&error_description=用户拒绝",
            timeout=10,
        )
        assert "用户拒绝" in denied.text


def test_with_password_login_switched_off_only_single_sign_on_lets_in(app, names):
    with single_sign_on(app, PASSWORD_LOGIN=False) as base:
        page = requests.get(f"{base}/login", timeout=10).text
        assert "使用统一身份认证平台登录" in page and 'name="password"' not in page
        token = requests.post(
            f"{base}/api/v1/auth/token",
            json={"username": "union_a", "password": "password-123"},
            timeout=10,
        )
        assert token.status_code == 403 and "统一身份认证平台" in token.json()["message"]
        _, done = sign_on(base, "union_a")
        assert "欢迎" in done.text


def test_without_an_issuer_there_is_no_single_sign_on(client):
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404
    assert "统一身份" not in client.get("/login").get_data(as_text=True)


@pytest.mark.browser
def test_signing_on_from_a_phone(app, names):
    from playwright.sync_api import expect

    from tests.browser_support import assert_fits_the_phone, chromium, phone_page, screenshot

    with single_sign_on(app) as base, chromium() as browser, phone_page(browser, base) as page:
        page.goto("/nominations/")  # sent to log in first, and back here afterwards
        assert_fits_the_phone(page)
        screenshot(page, "sso-login-phone")
        page.get_by_test_id("sso-login").click()
        page.wait_for_url("**/interaction/**")
        page.fill("input[name=login]", "union_a")
        page.fill("input[name=password]", "any")
        page.locator("button[type=submit]").click()
        page.wait_for_url("**/interaction/**")
        page.locator("button[type=submit]").click()  # the provider's consent
        page.wait_for_url(f"{base}/nominations/")
        expect(page.get_by_test_id("current-user")).to_contain_text(names["union_a"])
