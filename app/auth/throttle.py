"""Login throttling that cannot be turned against an account's owner (OWASP ASVS V6.3).

A client is the request's address (`ratelimit.client_of`: behind `TRUSTED_PROXIES` the
forwarded one; an IPv6 client is its /64). Counts, each in the window
`LOGIN_FAILURE_WINDOW_MINUTES` (`app.ratelimit`), all by HMAC'd keys:

- per account and client ("pair"): attempts that did not succeed. Past
  `LOGIN_MAX_FAILURES` that client may not try that account again until the window ends
  (429 with Retry-After); every other client still may, so a guesser cannot lock the
  owner out. The attempt is counted *before* the password is checked, in a statement of
  its own that commits at once: twenty parallel guesses from one client get at most
  `LOGIN_MAX_FAILURES` password checks between them. A success forgets the count.
- per account, over all clients: failures. From `LOGIN_ACCOUNT_SLOW_AFTER` on, every
  attempt on the account waits before its password is checked, twice as long with each
  failure, at most `LOGIN_DELAY_MAX_SECONDS`: many clients guessing one account are
  slowed; the account is never refused.
- per client, over all accounts: failures. From `LOGIN_CLIENT_SLOW_AFTER` on, attempts
  from the client wait in the same way; from `LOGIN_CLIENT_MAX_FAILURES` on (0: never)
  they are refused until the window ends — except on an account this client has logged
  in to (below).

A *known* pair is an account the client logged in to within `LOGIN_KNOWN_CLIENT_DAYS`.
Neither the account's nor the client's failures slow or refuse it: many people share one
address behind a NAT, and one who has logged in from there before gets in at once however
much the others fail, and an owner is not slowed by strangers guessing the account. A
known pair is still refused past its own `LOGIN_MAX_FAILURES`, like any other.

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
    """The counter keys of one attempt."""

    def __init__(self, username: str, address: str) -> None:
        account = username.casefold()
        client = ratelimit.client_of(address)
        self.pair = ratelimit.key_for("login-pair", account, client)
        self.known = ratelimit.key_for("login-known", account, client)
        self.account = ratelimit.key_for("login-account", account)
        self.client = ratelimit.key_for("login-client", client)


def _window() -> timedelta:
    return timedelta(minutes=int(current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"]))


def _refused(count: ratelimit.Count) -> TooManyAttempts:
    return TooManyAttempts(
        _(
            "Too many failed logins; please try again in %(minutes)s minutes.",
            minutes=count.minutes_left(),
        ),
        retry_after=count.retry_after(),
    )


def delay_for(failures: int, slow_after: int) -> float:
    """The wait before an attempt after `failures` failures (none below `slow_after`)."""
    if failures < slow_after:
        return 0.0
    cap = float(current_app.config["LOGIN_DELAY_MAX_SECONDS"])
    return min(cap, BASE_DELAY * 2 ** min(failures - slow_after, 32))


def admit(keys: LoginKeys) -> None:
    """Refuse the attempt if the client failed too often (on this account, or on any while
    this account is not known to it), count it for the pair, and make it wait as long as
    the account's and the client's failures say. Commits."""
    config = current_app.config
    db.session.commit()  # (what the request read so far is done with)
    seen = ratelimit.counts(keys.known, keys.account, keys.client)
    db.session.commit()
    known = seen[keys.known].hits > 0
    client_max = int(config["LOGIN_CLIENT_MAX_FAILURES"])
    if not known and client_max and seen[keys.client].hits >= client_max:
        raise _refused(seen[keys.client])
    # The pair's count is the first statement of its own transaction, committed at once:
    # a parallel attempt waits for it and counts after it.
    count = ratelimit.hit(keys.pair, _window())
    db.session.commit()
    if count.hits > int(config["LOGIN_MAX_FAILURES"]):
        raise _refused(count)
    if known:
        return
    wait = max(
        delay_for(seen[keys.account].hits, int(config["LOGIN_ACCOUNT_SLOW_AFTER"])),
        delay_for(seen[keys.client].hits, int(config["LOGIN_CLIENT_SLOW_AFTER"])),
    )
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
    """Forget the client's failures on this account and note the pair as known (not the
    account's or the client's totals: logging in to one's own account must not end a
    guesser's slowdown). Commits."""
    db.session.commit()
    ratelimit.clear(keys.pair)
    ratelimit.mark(keys.known, timedelta(days=int(current_app.config["LOGIN_KNOWN_CLIENT_DAYS"])))
    db.session.commit()


def admit_client(address: str) -> None:
    """For a page that takes a secret but no username (an activation link): refuse a
    client past `LOGIN_CLIENT_MAX_FAILURES` failures, and slow it past
    `LOGIN_CLIENT_SLOW_AFTER`, counting its failed logins and failed links together.
    Reads only."""
    config = current_app.config
    key = ratelimit.key_for("login-client", ratelimit.client_of(address))
    seen = ratelimit.counts(key)[key]
    client_max = int(config["LOGIN_CLIENT_MAX_FAILURES"])
    if client_max and seen.hits >= client_max:
        raise _refused(seen)
    wait = delay_for(seen.hits, int(config["LOGIN_CLIENT_SLOW_AFTER"]))
    if wait:
        sleep(wait)


def client_failed(address: str) -> None:
    """Count a failure of the client (a link that does not work). In the session's
    transaction: the caller commits."""
    key = ratelimit.key_for("login-client", ratelimit.client_of(address))
    ratelimit.hit(key, _window())
