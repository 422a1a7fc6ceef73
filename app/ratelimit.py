"""Counters for rate limits (login throttling, objections, the certificate check).

One row per key: how many hits it has had since its window began, and when the window
ends. A hit is one statement — `INSERT … ON CONFLICT (key) DO UPDATE … RETURNING hits` —
on PostgreSQL and SQLite alike: the database adds one to the row (or starts a new window
when the old one is over) and returns the new count, so two requests at the same moment
can never both read 4 and both write 5. On PostgreSQL the statement also locks the row
until the transaction ends: a caller that counts in the transaction of the write it limits
(an objection) makes a second request for the same key wait until the first has committed.

Keys are opaque: an HMAC of what they count (a username, a network address) with the
app's `SECRET_KEY`, so the table holds no usernames or addresses. Expired rows are
deleted now and then by the hits themselves.

Redis is not used for limits: every web worker shares the database anyway, and the limits
hold in the embedded SQLite default with no other service.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Index, Integer, String, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from app.dbtypes import UTCDateTime
from app.extensions import Model, db
from app.timeutil import as_utc, utcnow

PURGE_EVERY = 600.0  # seconds between two deletions of expired rows (per process)
PURGE_BATCH = 10_000  # rows deleted at most at once
_last_purge = 0.0


class RateCounter(Model):
    """Hits of one key in its current window."""

    __tablename__ = "rate_counters"
    __table_args__ = (Index("ix_rate_counters_resets_at", "resets_at"),)

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    resets_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Count:
    """A key's hits in its window, and when the window ends."""

    hits: int
    resets_at: datetime

    def retry_after(self, now: datetime | None = None) -> int:
        """Whole seconds until the window ends (at least 1): for a Retry-After header."""
        left = (self.resets_at - (now or utcnow())).total_seconds()
        return max(1, math.ceil(left))

    def minutes_left(self) -> int:
        return max(1, math.ceil(self.retry_after() / 60))


def client_of(address: str | None) -> str:
    """The client a limit counts: the request's address (`request.remote_addr`, which is
    the forwarded one only behind `TRUSTED_PROXIES`). An IPv6 client is its /64 — one
    line or device hands out a whole /64, and counting single addresses would let it
    take a new one for every guess; an IPv4-mapped IPv6 address is its IPv4 address."""
    text = (address or "").strip()
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return text[:100]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def key_for(kind: str, *parts: str) -> str:
    """The counter key of `parts` (a username, a client) for one kind of limit."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = "\x1f".join([kind, *parts]).encode()
    return f"{kind}:{hmac.new(secret, message, hashlib.sha256).hexdigest()[:48]}"


def hit(key: str, window: timedelta) -> Count:
    """Count one hit of `key` and return its count, atomically. The window starts with the
    first hit and lasts `window`; the first hit after it starts a new one.

    Runs in the session's transaction (the caller commits): on PostgreSQL the row stays
    locked until then.
    """
    now = utcnow()
    over = RateCounter.resets_at <= now
    statement = (
        _insert()
        .values(key=key, hits=1, resets_at=now + window)
        .on_conflict_do_update(
            index_elements=[RateCounter.key],
            set_={
                "hits": case((over, 1), else_=RateCounter.hits + 1),
                "resets_at": case((over, now + window), else_=RateCounter.resets_at),
            },
        )
        .returning(RateCounter.hits, RateCounter.resets_at)
    )
    hits, resets_at = db.session.execute(statement).one()
    _purge_now_and_then(now)
    return Count(int(hits), as_utc(resets_at))


def counts(*keys: str) -> dict[str, Count]:
    """Each key's hits in its current window (0, ending now, without a live window)."""
    now = utcnow()
    live = {
        key: Count(int(hits), as_utc(resets_at))
        for key, hits, resets_at in db.session.execute(
            select(RateCounter.key, RateCounter.hits, RateCounter.resets_at).where(
                RateCounter.key.in_(keys), RateCounter.resets_at > now
            )
        ).tuples()
    }
    return {key: live.get(key, Count(0, now)) for key in keys}


def mark(key: str, lasting: timedelta) -> None:
    """Note `key` (one hit) for `lasting` from now, however long it was noted before: a
    fact that holds for a while (a client that logged in to an account), not a count.
    Runs in the session's transaction (the caller commits)."""
    now = utcnow()
    statement = (
        _insert()
        .values(key=key, hits=1, resets_at=now + lasting)
        .on_conflict_do_update(
            index_elements=[RateCounter.key], set_={"hits": 1, "resets_at": now + lasting}
        )
    )
    db.session.execute(statement)


def clear(key: str) -> None:
    """Forget a key's hits (in the session's transaction)."""
    db.session.execute(delete(RateCounter).where(RateCounter.key == key))


def _insert() -> postgresql.Insert | sqlite.Insert:
    """An upsert-capable INSERT into the counters, in the database's own dialect."""
    if db.engine.dialect.name == "postgresql":
        return postgresql.insert(RateCounter)
    return sqlite.insert(RateCounter)


def _purge_now_and_then(now: datetime) -> None:
    global _last_purge
    if time.monotonic() - _last_purge < PURGE_EVERY:
        return
    _last_purge = time.monotonic()
    # Rows another transaction holds are skipped (PostgreSQL), never waited for: two
    # purges could otherwise each wait for a row the other has just counted.
    expired = (
        select(RateCounter.key)
        .where(RateCounter.resets_at <= now)
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    db.session.execute(delete(RateCounter).where(RateCounter.key.in_(expired.scalar_subquery())))
