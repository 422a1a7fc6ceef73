"""Logging in and out: argon2 passwords, safe redirects, CSRF, server-side sessions
(throttling: tests/test_login_throttle.py).

The UI chrome is translated by a catalog that may not exist yet, so these tests assert on
status codes, redirects, markup and the Chinese messages the services raise themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from app.auth.models import LoginSession, SessionKind, User
from app.auth.services import hash_password
from app.campaigns.models import Campaign
from app.extensions import db
from app.nominations.models import Nomination, NominationEvent
from app.orgs.services import get_org_by_code
from app.timeutil import utcnow
from tests.conftest import AuthActions, IsolatedClient, csrf_from
from tests.factories import PASSWORD, World, build_world


@dataclass
class Site:
    """The test world for page tests, read and changed in short app contexts of its own.

    Each use opens a fresh session, so what the test reads is what the requests wrote,
    never a stale object from an identity map kept across requests.
    """

    app: Flask

    @contextmanager
    def db(self) -> Iterator[World]:
        """An app context with the world reloaded into its session."""
        with self.app.app_context():
            orgs = {
                code: get_org_by_code(code)
                for code in ("C", "A", "B", "A-1", "A-2", "B-1", "A-1-1")
            }
            world = World(
                orgs["C"],
                orgs["A"],
                orgs["B"],
                orgs["A-1"],
                orgs["A-2"],
                orgs["B-1"],
                orgs["A-1-1"],
                db.session.scalar(select(Campaign)),
            )
            world.users = {u.username: u for u in db.session.scalars(select(User))}
            yield world

    def nomination(self, status: str) -> tuple[int, int]:
        """A nomination of union A in `status`: (id, version)."""
        with self.db() as world:
            nomination = world.nomination(status=status)
            return nomination.id, nomination.version

    def user_id(self, username: str) -> int:
        with self.db() as world:
            return world.users[username].id

    def count(self, model, *where) -> int:  # type: ignore[no-untyped-def]
        with self.db():
            return db.session.scalar(select(func.count()).select_from(model).where(*where))

    def execute(self, statement) -> None:  # type: ignore[no-untyped-def]
        with self.db():
            db.session.execute(statement)
            db.session.commit()


@pytest.fixture
def site(app: Flask) -> Site:
    with app.app_context():
        build_world()
    return Site(app)


def _path(location: str | None) -> str:
    """The path a redirect leads to, resolved the way a browser does; fails if off-site."""
    assert location is not None
    # Browsers (WHATWG URL parsing) read a backslash as "/" and drop tabs and newlines.
    as_browser_reads = re.sub(r"[\t\r\n]", "", location).replace("\\", "/")
    parts = urlsplit(urljoin("http://localhost/login", as_browser_reads))
    assert parts.netloc == "localhost", f"redirect leaves the site: {location!r}"
    return parts.path


def _session_cookie(app: Flask, client: FlaskClient) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None and cookie.value
    return cookie.value


def _client_with_cookie(app: Flask, value: str) -> FlaskClient:
    """A fresh client (another browser) presenting a copied session cookie."""
    other = IsolatedClient(app, app.response_class, use_cookies=True)
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return other


def _assert_sent_to_login(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 302
    assert _path(response.location) == "/login"


# -- the page -----------------------------------------------------------------------------


def test_login_page_renders_in_chinese_by_default(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert re.search(r'<html[^>]*\blang="zh-CN"', response.text)
    assert 'name="username"' in response.text
    assert 'type="password"' in response.text and 'name="password"' in response.text
    assert 'name="csrf_token"' in response.text
    # Nobody is logged in: no logout form, no user name.
    assert 'data-testid="current-user"' not in response.text


def test_english_on_request_switches_the_lang_attribute(client):
    client.set_cookie("lang", "en")
    response = client.get("/login")
    assert response.status_code == 200
    assert re.search(r'<html[^>]*\blang="en"', response.text)


def test_protected_page_redirects_to_login_with_next(client):
    response = client.get("/nominations/")
    assert response.status_code == 302
    parts = urlsplit(response.location)
    assert parts.path == "/login"
    assert "next=" in parts.query and "nominations" in parts.query


def test_stored_password_hashes_are_argon2id(site):
    with site.db() as world:
        assert len(world.users) >= 8
        for user in world.users.values():
            assert user.password_hash.startswith("$argon2id$")
    assert hash_password("another-password").startswith("$argon2id$")


# -- wrong passwords and throttling ---------------------------------------------------------


def test_wrong_password_is_401_with_the_error_at_the_password_field(site, client, auth):
    response = auth.login("reviewer_a", "wrong-password")
    assert response.status_code == 401
    html = response.text
    # The message sits right after the password input, tied to it for screen readers.
    field = re.search(r'<input[^>]*name="password"[^>]*>', html)
    assert field, html
    assert "is-invalid" in field.group(0)
    assert 'aria-describedby="password-err"' in field.group(0)
    error = re.search(
        r'<div class="invalid-feedback d-block" id="password-err">([^<]*)</div>', html
    )
    assert error and "用户名或密码错误" in error.group(1)
    assert html.index(field.group(0)) < html.index('id="password-err"')
    # The username is not blamed: which part was wrong is not revealed.
    assert 'id="username-err"' not in html
    # Still logged out (throttling: tests/test_login_throttle.py).
    _assert_sent_to_login(client.get("/"))
    assert site.count(LoginSession) == 0


def test_unknown_user_gets_the_same_answer(site, auth):
    response = auth.login("nobody-here", PASSWORD)
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text


def test_empty_form_is_422(site, client):
    page = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 422
    assert site.count(LoginSession) == 0


def test_inactive_user_cannot_log_in(site, auth):
    site.execute(update(User).where(User.username == "reviewer_a").values(is_active_flag=False))
    assert auth.login("reviewer_a", PASSWORD).status_code == 401
    assert site.count(LoginSession) == 0


# -- successful login ---------------------------------------------------------------------


def test_login_redirects_home_and_the_worklist_loads(site, client, auth):
    nomination_id, _ = site.nomination("submitted")
    response = auth.login("reviewer_a")
    assert response.status_code == 302
    assert _path(response.location) == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert 'data-testid="worklist"' in home.text
    assert f"/nominations/{nomination_id}" in home.text
    assert 'data-testid="current-user"' in home.text and "甲区审核人" in home.text
    # A live server-side session row backs the cookie.
    with site.db() as world:
        row = db.session.scalar(select(LoginSession))
        assert row.kind == SessionKind.WEB
        assert row.user_id == world.users["reviewer_a"].id
        assert row.revoked_at is None and row.expires_at > utcnow()


def test_cookie_holds_a_session_token_not_the_user_id(site, client, auth):
    auth.login("reviewer_a")
    with client.session_transaction() as sess:
        token = sess["_user_id"]
    assert token != str(site.user_id("reviewer_a"))
    assert len(token) >= 32
    # Only a hash of it is stored.
    assert site.count(LoginSession, LoginSession.token_hash == token) == 0
    assert site.count(LoginSession) == 1


def test_login_page_sends_a_logged_in_user_home(site, client, auth):
    auth.login("reviewer_a")
    response = client.get("/login")
    assert response.status_code == 302
    assert _path(response.location) == "/"


def test_same_site_next_is_followed(site, client):
    page = client.get("/login?next=/nominations/")
    response = client.post(
        "/login?next=/nominations/",
        data={"username": "reviewer_a", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 302
    assert _path(response.location) == "/nominations/"


def _login_with_next(client: FlaskClient, target: str):  # type: ignore[no-untyped-def]
    page = client.get("/login", query_string={"next": target})
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"username": "reviewer_a", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 302
    return response.headers["Location"]  # as sent on the wire


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/login",
        "https://evil.example",
        "https://evil.example/",
        "http://evil.example/x",
        "/\t/evil.example",
        "javascript:alert(1)",
    ],
)
def test_off_site_next_is_ignored(site, client, target):
    location = _login_with_next(client, target)
    assert "evil" not in location and "javascript" not in location
    assert _path(location) == "/"


@pytest.mark.parametrize("target", ["/\\evil.example", "/\\/evil.example"])
def test_backslash_next_stays_on_site(site, client, target):
    """Browsers read "/\\evil.example" as "//evil.example". Werkzeug percent-encodes the
    backslash in the Location header, so the browser stays on this site."""
    location = _login_with_next(client, target)
    assert "\\" not in location
    assert _path(location).startswith("/")


# -- CSRF -----------------------------------------------------------------------------------


def test_login_post_without_csrf_is_refused(site, client):
    client.get("/login")
    response = client.post("/login", data={"username": "reviewer_a", "password": PASSWORD})
    assert response.status_code == 400
    assert site.count(LoginSession) == 0
    _assert_sent_to_login(client.get("/"))


def test_login_post_with_a_forged_csrf_token_is_refused(site, client):
    client.get("/login")
    response = client.post(
        "/login", data={"username": "reviewer_a", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert site.count(LoginSession) == 0


def _action_post(client: FlaskClient, nomination_id: int, version: int, csrf_token: str | None):  # type: ignore[no-untyped-def]
    data = {"action": "approve", "version": str(version), "comment": "同意推荐"}
    if csrf_token is not None:
        data["csrf_token"] = csrf_token
    return client.post(f"/nominations/{nomination_id}/actions", data=data)


def _state(site: Site, nomination_id: int) -> tuple[str, int, int]:
    """(status, version, number of audit rows) of a nomination."""
    with site.db():
        nomination = db.session.get(Nomination, nomination_id)
        events = db.session.scalar(
            select(func.count())
            .select_from(NominationEvent)
            .where(NominationEvent.nomination_id == nomination_id)
        )
        return nomination.status, nomination.version, events


def test_action_post_without_csrf_changes_nothing(site, client, auth):
    nomination_id, version = site.nomination("submitted")
    auth.login("reviewer_a")
    before = _state(site, nomination_id)
    assert before == ("submitted", version, 1)
    response = _action_post(client, nomination_id, version, None)
    assert response.status_code == 400
    assert _state(site, nomination_id) == before
    response = _action_post(client, nomination_id, version, "forged")
    assert response.status_code == 400
    assert _state(site, nomination_id) == before


def test_action_post_with_csrf_goes_through(site, client, auth):
    """The control for the test above: the same post with the page's token is accepted."""
    nomination_id, version = site.nomination("submitted")
    auth.login("reviewer_a")
    page = client.get(f"/nominations/{nomination_id}")
    response = _action_post(client, nomination_id, version, csrf_from(page.text))
    assert response.status_code == 302
    assert _state(site, nomination_id) == ("member_evaluation", version + 1, 2)


def test_logout_post_without_csrf_keeps_the_session(site, client, auth):
    auth.login("reviewer_a")
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200
    assert site.count(LoginSession, LoginSession.revoked_at.is_(None)) == 1


def test_logout_by_get_is_not_allowed(site, client, auth):
    auth.login("reviewer_a")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


# -- server-side sessions -------------------------------------------------------------------


def test_logout_invalidates_the_old_session_cookie(app, site, client, auth):
    assert auth.login("reviewer_a").status_code == 302
    old_cookie = _session_cookie(app, client)

    # Control: the copied cookie works in another browser while the session is live.
    assert _client_with_cookie(app, old_cookie).get("/").status_code == 200

    response = auth.logout()
    assert response.status_code == 302
    assert _path(response.location) == "/login"
    _assert_sent_to_login(client.get("/"))

    # Replaying the cookie captured before logout gets nowhere: the server revoked it.
    replay = _client_with_cookie(app, old_cookie)
    _assert_sent_to_login(replay.get("/"))
    _assert_sent_to_login(replay.get("/nominations/"))
    assert site.count(LoginSession, LoginSession.revoked_at.is_not(None)) == 1
    assert site.count(LoginSession, LoginSession.revoked_at.is_(None)) == 0


def test_logging_in_again_issues_a_new_session(app, site, client, auth):
    auth.login("reviewer_a")
    first = _session_cookie(app, client)
    auth.logout()
    auth.login("reviewer_a")
    assert _session_cookie(app, client) != first
    assert client.get("/").status_code == 200
    assert site.count(LoginSession) == 2
    _assert_sent_to_login(_client_with_cookie(app, first).get("/"))


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_revoked_or_expired_session_row_refuses(site, client, auth, how):
    auth.login("reviewer_a")
    assert client.get("/").status_code == 200
    values = (
        {"revoked_at": utcnow()}
        if how == "revoked"
        else {"expires_at": utcnow() - timedelta(seconds=1)}
    )
    site.execute(update(LoginSession).values(**values))
    _assert_sent_to_login(client.get("/"))


def test_session_of_a_deactivated_user_refuses(site, client, auth):
    auth.login("reviewer_a")
    assert client.get("/").status_code == 200
    site.execute(update(User).where(User.username == "reviewer_a").values(is_active_flag=False))
    _assert_sent_to_login(client.get("/"))


def test_api_token_is_not_a_web_session(site, client):
    """A session row of kind API does not log a browser in, even with its token."""
    from app.auth.services import start_session

    with site.db() as world:
        token, _expires = start_session(world.users["reviewer_a"], SessionKind.API)
    with client.session_transaction() as sess:
        sess["_user_id"] = token
        sess["_fresh"] = True
    _assert_sent_to_login(client.get("/"))


def test_auth_actions_log_in_and_out(site, client):
    actions = AuthActions(client)
    assert actions.login("union_a").status_code == 302
    assert client.get("/").status_code == 200
    assert actions.logout().status_code == 302
    _assert_sent_to_login(client.get("/"))


def test_behind_a_trusted_proxy_the_client_address_is_forwarded():
    from flask import request

    from app import create_app

    for proxies, expected in ((0, "10.0.0.1"), (1, "203.0.113.7")):
        app = create_app(
            {"TESTING": True, "TRUSTED_PROXIES": proxies, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
        )
        app.add_url_rule("/_addr", "addr", lambda: request.remote_addr or "")
        response = app.test_client().get(
            "/_addr",
            headers={"X-Forwarded-For": "203.0.113.7"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
        assert response.text == expected
