"""Login throttling cannot be turned against an account's owner (app/auth/throttle.py).

Failures are counted per account and client (that client is refused that account for the
rest of the window), and per account and per client (every attempt then waits, capped,
never refused). The waits are recorded instead of slept (`throttle.sleep`). Clients are
told apart by their address, as `request.remote_addr` gives it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import ratelimit
from app.auth import services, throttle
from app.auth.models import LoginSession
from app.extensions import db
from app.timeutil import utcnow
from tests.conftest import csrf_from
from tests.factories import PASSWORD, build_world

THROTTLED = "登录失败次数过多"
WRONG = "用户名或密码错误"


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the throttle asked for, in order (nothing really sleeps)."""
    recorded: list[float] = []
    monkeypatch.setattr(throttle, "sleep", recorded.append)
    return recorded


@pytest.fixture
def users(app: Flask) -> None:
    with app.app_context():
        build_world()


def web_login(client: FlaskClient, address: str, username: str, password: str):  # type: ignore[no-untyped-def]
    """Log in through the page, from a client at `address`."""
    env = {"REMOTE_ADDR": address}
    page = client.get("/login", environ_base=env)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
        environ_base=env,
    )


def api_login(client: FlaskClient, address: str, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def password_error(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'id="password-err">([^<]*)<', response.text)
    assert match, response.text
    return match.group(1)


def later(monkeypatch: pytest.MonkeyPatch, delta: timedelta) -> None:
    """Move the rate limits' clock forward."""
    moved = utcnow() + delta
    monkeypatch.setattr(ratelimit, "utcnow", lambda: moved)


# -- one client guessing one account ---------------------------------------------------------


def test_eight_wrong_passwords_from_one_client_do_not_lock_the_owner_out(
    app, users, client, new_client, waits, monkeypatch
):
    for _ in range(5):
        response = web_login(client, "10.1.1.1", "reviewer_a", "wrong-password")
        assert response.status_code == 401 and password_error(response) == "用户名或密码错误。"
    for _ in range(3):
        response = web_login(client, "10.1.1.1", "reviewer_a", "wrong-password")
        assert response.status_code == 429
        assert THROTTLED in password_error(response) and "15 分钟" in password_error(response)
        assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60
    # The guessing client is refused even the right password, for the rest of the window.
    refused = web_login(client, "10.1.1.1", "reviewer_a", PASSWORD)
    assert refused.status_code == 429

    # The owner, from another address, logs in at once and is not slowed.
    owner = new_client()
    assert web_login(owner, "10.2.2.2", "reviewer_a", PASSWORD).status_code == 302
    assert waits == []

    # Once the window is over, the first client may try again, and gets in.
    later(monkeypatch, timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"], seconds=1))
    again = new_client()
    assert web_login(again, "10.1.1.1", "reviewer_a", PASSWORD).status_code == 302


def test_the_api_counts_with_the_page(users, client, new_client, waits):
    for _ in range(3):
        assert web_login(client, "10.1.1.1", "union_a", "wrong-password").status_code == 401
    for _ in range(2):
        assert api_login(client, "10.1.1.1", "union_a", "wrong-password").status_code == 401
    refused = api_login(client, "10.1.1.1", "union_a", PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert refused.get_json()["code"] == 429 and THROTTLED in refused.get_json()["message"]
    assert api_login(new_client(), "10.3.3.3", "union_a", PASSWORD).status_code == 200


def test_a_success_forgets_the_clients_failures_on_the_account(users, client, new_client, waits):
    for _ in range(4):
        assert web_login(client, "10.1.1.1", "reviewer_a", "wrong-password").status_code == 401
    assert web_login(client, "10.1.1.1", "reviewer_a", PASSWORD).status_code == 302
    fresh = new_client()
    for _ in range(4):
        assert web_login(fresh, "10.1.1.1", "reviewer_a", "wrong-password").status_code == 401
    assert web_login(fresh, "10.1.1.1", "reviewer_a", PASSWORD).status_code == 302


def test_unknown_usernames_are_answered_like_known_ones(users, new_client, waits, monkeypatch):
    """The same statuses and words, and a password hash verified each time."""

    class CountingHasher:
        def __init__(self, real: Any) -> None:
            self.real, self.verified = real, 0

        def verify(self, hash: str, password: str) -> bool:
            self.verified += 1
            return self.real.verify(hash, password)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.real, name)

    hasher = CountingHasher(services._hasher)
    monkeypatch.setattr(services, "_hasher", hasher)

    def answers(username: str) -> list[tuple[int, str]]:
        client = new_client()
        seen = []
        for _ in range(6):
            response = web_login(client, "10.4.4.4", username, "wrong-password")
            seen.append((response.status_code, password_error(response)))
        return seen

    known, unknown = answers("reviewer_a"), answers("nobody-at-all")
    assert known == unknown
    assert [status for status, _ in known] == [401] * 5 + [429]
    assert WRONG in known[0][1] and THROTTLED in known[-1][1]
    assert hasher.verified == 10  # five checks each; the refused ones check nothing


def test_an_inactive_account_is_a_wrong_password_too(app, users, client, waits):
    from sqlalchemy import update

    from app.auth.models import User

    with app.app_context():
        db.session.execute(
            update(User).where(User.username == "reviewer_a").values(is_active_flag=False)
        )
        db.session.commit()
    response = web_login(client, "10.1.1.1", "reviewer_a", PASSWORD)
    assert response.status_code == 401 and WRONG in password_error(response)


# -- many clients on one account, one client on many accounts --------------------------------


def test_many_clients_guessing_one_account_slow_down_but_never_lock(app, users, new_client, waits):
    slow_after = app.config["LOGIN_ACCOUNT_SLOW_AFTER"]
    cap = app.config["LOGIN_DELAY_MAX_SECONDS"]
    for n in range(slow_after + 8):
        response = api_login(new_client(), f"10.5.0.{n + 1}", "city", "wrong-password")
        assert response.status_code == 401  # never 429: each client failed once
    # No wait until the account has failed `slow_after` times; then doubling, capped.
    assert waits == [min(cap, 0.25 * 2**n) for n in range(8)]
    assert waits[-3:] == [cap] * 3

    # The owner still gets in, from any address: slowed as much, not refused.
    waits.clear()
    assert api_login(new_client(), "10.6.0.1", "city", PASSWORD).status_code == 200
    assert waits == [cap]


def test_a_failing_address_slows_down_but_its_other_users_get_in(app, users, new_client, waits):
    """Behind one NAT address: someone tries many usernames; a colleague at the same
    address, who has not been failing, still logs in (slowed, never refused), and a
    client elsewhere is not even slowed."""
    slow_after = app.config["LOGIN_CLIENT_SLOW_AFTER"]
    nat = "10.7.7.7"
    for n in range(slow_after + 3):
        response = web_login(new_client(), nat, f"guess-{n}", "wrong-password")
        assert response.status_code == 401
    assert waits == [0.25, 0.5, 1.0]
    waits.clear()
    colleague = new_client()
    assert web_login(colleague, nat, "union_b", PASSWORD).status_code == 302
    assert waits == [2.0]
    waits.clear()
    assert web_login(new_client(), "10.8.8.8", "union_a", PASSWORD).status_code == 302
    assert waits == []


def test_a_client_that_logged_in_before_is_neither_slowed_nor_refused(
    app, users, new_client, waits
):
    """A colleague who logged in from the NAT address before gets in at once however much
    the others there fail, even past the point where the address is refused strangers'
    accounts; an owner is not slowed by guessers on the account either."""
    nat = "10.9.9.9"
    assert web_login(new_client(), nat, "union_b", PASSWORD).status_code == 302
    limit = app.config["LOGIN_CLIENT_MAX_FAILURES"]
    app.config["LOGIN_CLIENT_MAX_FAILURES"] = 30
    try:
        for n in range(30):
            assert web_login(new_client(), nat, f"guess-{n}", "wrong-password").status_code == 401
        # Slowed from the 20th failure on, never more than the cap.
        assert len(waits) == 10 and max(waits) == app.config["LOGIN_DELAY_MAX_SECONDS"]
        waits.clear()
        # A stranger's account, or a colleague who never logged in from here: refused now.
        refused = web_login(new_client(), nat, "union_a", PASSWORD)
        assert refused.status_code == 429 and THROTTLED in password_error(refused)
        assert 14 * 60 < int(refused.headers["Retry-After"]) <= 15 * 60
        # The known colleague: in at once, not slowed.
        assert web_login(new_client(), nat, "union_b", PASSWORD).status_code == 302
        assert waits == []
        # The account guessed from many places, its owner at the known address: not slowed.
        for n in range(app.config["LOGIN_ACCOUNT_SLOW_AFTER"] + 2):
            api_login(new_client(), f"10.10.0.{n + 1}", "union_b", "wrong-password")
        waits.clear()
        assert api_login(new_client(), nat, "union_b", PASSWORD).status_code == 200
        assert waits == []
        # ... but a known client has its own allowance like any other.
        for _ in range(5):
            assert api_login(new_client(), nat, "union_b", "wrong").status_code == 401
        assert api_login(new_client(), nat, "union_b", PASSWORD).status_code == 429
    finally:
        app.config["LOGIN_CLIENT_MAX_FAILURES"] = limit


def test_known_clients_are_forgotten_after_the_configured_days(
    app, users, new_client, waits, monkeypatch
):
    nat = "10.11.11.11"
    assert web_login(new_client(), nat, "union_b", PASSWORD).status_code == 302
    later(monkeypatch, timedelta(days=app.config["LOGIN_KNOWN_CLIENT_DAYS"], minutes=1))
    for n in range(app.config["LOGIN_CLIENT_SLOW_AFTER"]):
        web_login(new_client(), nat, f"guess-{n}", "wrong-password")
    waits.clear()
    assert web_login(new_client(), nat, "union_b", PASSWORD).status_code == 302
    assert waits == [0.25]  # a stranger again: slowed as the address is


def test_an_ipv6_client_is_its_64_block(users, new_client, waits):
    for n in range(5):
        response = web_login(new_client(), f"2001:db8:1:2::{n + 1}", "union_a", "wrong-password")
        assert response.status_code == 401
    # Another address of the same /64 is the same client ...
    assert web_login(new_client(), "2001:db8:1:2::99", "union_a", PASSWORD).status_code == 429
    # ... the neighbouring /64 is another.
    assert web_login(new_client(), "2001:db8:1:3::1", "union_a", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("address", "client"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("not an address", "not an address"),
        ("", ""),
    ],
)
def test_client_of(address, client):
    assert ratelimit.client_of(address) == client


def test_no_session_is_opened_by_a_refused_login(app, users, client, waits):
    for _ in range(6):
        web_login(client, "10.1.1.1", "reviewer_a", "wrong-password")
    assert web_login(client, "10.1.1.1", "reviewer_a", PASSWORD).status_code == 429
    with app.app_context():
        assert db.session.query(LoginSession).count() == 0
