"""Login throttling that cannot be turned against an account's owner (OWASP ASVS V6.3).

Three counts, each in the window `LOGIN_FAILURE_WINDOW_MINUTES` (`app.ratelimit`):

- per account and client: attempts that did not succeed. Past `LOGIN_MAX_FAILURES` that
  client may not try that account again until the window ends (429 with Retry-After);
  every other client still may, so a guesser cannot lock the owner out. The attempt is
  counted *before* the password is checked, in a statement of its own that commits at
  once: twenty parallel guesses from one client get at most `LOGIN_MAX_FAILURES`
  password checks between them. A success forgets the count.
- per account, over all clients: failures. Past `LOGIN_ACCOUNT_SLOW_AFTER` every attempt
  on the account waits before its password is checked, longer with each failure, at
  most `LOGIN_DELAY_MAX_SECONDS`: many clients guessing one account are slowed; the owner
  is slowed as much, never refused.
- per client, over all accounts: failures. Past `LOGIN_CLIENT_SLOW_AFTER` every attempt
  from the client waits in the same way. It never refuses: many people share one address
  behind a NAT, and a correct password of one who has not been failing must still get in.

Unknown usernames are counted and answered exactly like known ones (the same message,
a password hash verified all the same), so the answers do not tell which usernames exist.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from app import ratelimit
from app.errors import TooManyAttempts
from app.extensions import db

BASE_DELAY = 0.25  # seconds: the first slowed attempt; doubled with each failure after it

# Tests replace it to see the delays without waiting for them.
sleep: Callable[[float], None] = time.sleep


class LoginKeys:
    """The three counter keys of one attempt."""

    def __init__(self, username: str, address: str) -> None:
        account = username.casefold()
        client = ratelimit.client_of(address)
        self.pair = ratelimit.key_for("login-pair", account, client)
        self.account = ratelimit.key_for("login-account", account)
        self.client = ratelimit.key_for("login-client", client)


def _window() -> timedelta:
    return timedelta(minutes=int(current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"]))


def delay_for(failures: int, slow_after: int) -> float:
    """The wait before an attempt after `failures` failures (none up to `slow_after`)."""
    if failures < slow_after:
        return 0.0
    cap = float(current_app.config["LOGIN_DELAY_MAX_SECONDS"])
    return min(cap, BASE_DELAY * 2 ** min(failures - slow_after, 32))


def admit(keys: LoginKeys) -> None:
    """Count the attempt for its account and client, refuse it past the limit, and make it
    wait as long as the account's and the client's failures say. Commits."""
    db.session.commit()  # (the count is the first statement of its own transaction)
    count = ratelimit.hit(keys.pair, _window())
    db.session.commit()
    limit = int(current_app.config["LOGIN_MAX_FAILURES"])
    if count.hits > limit:
        raise TooManyAttempts(
            _(
                "Too many failed logins; please try again in %(minutes)s minutes.",
                minutes=count.minutes_left(),
            ),
            retry_after=count.retry_after(),
        )
    failures = ratelimit.counts(keys.account, keys.client)
    config = current_app.config
    wait = max(
        delay_for(failures[keys.account], int(config["LOGIN_ACCOUNT_SLOW_AFTER"])),
        delay_for(failures[keys.client], int(config["LOGIN_CLIENT_SLOW_AFTER"])),
    )
    db.session.commit()
    if wait:
        sleep(wait)


def failed(keys: LoginKeys) -> None:
    """Count a failure for the account and for the client. Commits."""
    db.session.commit()
    window = _window()
    ratelimit.hit(keys.account, window)
    ratelimit.hit(keys.client, window)
    db.session.commit()


def succeeded(keys: LoginKeys) -> None:
    """Forget the client's failures on this account (not the account's or the client's
    totals: logging in to one's own account must not reset a guesser's slowdown)."""
    ratelimit.clear(keys.pair)
