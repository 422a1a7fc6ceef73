"""Engine set-up that differs per backend: SQLite's transactions made to serialise writers.

pysqlite starts a transaction with a plain (deferred) BEGIN, which takes no lock until the
first write. Two requests that both read and then write (two approvals of one nomination,
two ballots) each hold a read snapshot, and the second to write cannot upgrade: SQLite
answers `database is locked` at once, without waiting, because waiting could deadlock. So
on SQLite every transaction that may write starts with `BEGIN IMMEDIATE`: it takes the
database's write lock up front and a second writer waits for it (the busy timeout) and then
reads what the first committed, so it sees the state change and is refused like any late
writer (409), never a 500.

What may write: everything except a web request with a safe method (GET, HEAD, OPTIONS) —
forms and API calls that change state, jobs, commands, the test suite's own sessions.
Those safe requests start a deferred BEGIN and, in WAL mode, read a snapshot without
waiting for the writer or making it wait (a slips PDF or an export takes no lock). A safe
request must not write: it could not upgrade under load. `_refuse_write_in_reader` logs one
that does, and makes it an error under TESTING, so the suite names the route.

SQLAlchemy's documented recipe for pysqlite ("Serializable isolation / Savepoints /
Transactional DDL"): the driver's own transaction handling switched off on connect, BEGIN
emitted in the "begin" event; it also makes SAVEPOINT (the tests' rollback per test) and
Alembic's transactional DDL work.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import (
    Flask,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    request_started,
)
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, scoped_session

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
READER = "sqlite_reader"  # conn.info: this transaction began deferred, for a safe request


def configure_sqlite(app: Flask, engine: Engine) -> None:
    """Foreign keys on, WAL, a busy timeout, and BEGIN IMMEDIATE for what may write."""
    if engine.dialect.name != "sqlite":
        return
    busy_timeout_ms = int(app.config["SQLITE_BUSY_TIMEOUT_SECONDS"]) * 1000

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        # Readers keep their snapshot while one writer writes (a no-op for ":memory:").
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        reader = has_app_context() and g.get(READER, False)
        conn.info[READER] = reader
        conn.exec_driver_sql("BEGIN" if reader else "BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_write_in_reader(conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        reading = conn.info.get(READER) or (
            # Under TESTING also a safe request's write in a transaction it did not begin
            # (the suite's per-test transaction), so the test client finds every such route.
            current_app.testing and has_request_context() and g.get(READER, False)
        )
        if reading and statement.lstrip()[:7].upper().startswith(WRITES):
            where = f"{request.method} {request.path}" if has_request_context() else "a read"
            message = f"{where} writes on SQLite in a read transaction: {statement[:80]}"
            if current_app.testing:
                raise RuntimeError(message)
            log.error("%s (under concurrent writes it fails as 'database is locked')", message)

    # Sent by Flask before any before_request function, so even the login session's query
    # begins as what the request is.
    request_started.connect(_mark_safe_request, app, weak=False)


def _mark_safe_request(sender: Flask, **extra: Any) -> None:
    g.setdefault(READER, request.method in SAFE_METHODS)


@contextmanager
def writing(session: Session | scoped_session[Any]) -> Iterator[None]:
    """A write of its own inside any request, committed on leaving (rolled back on an error):
    what came before is committed first, and on SQLite the write's transaction begins
    IMMEDIATE even in a safe request (a deferred one could not upgrade under load). The
    request goes back to reading afterwards. On PostgreSQL only the two commits."""
    session.commit()
    reader = has_app_context() and g.get(READER, False)
    if reader:
        setattr(g, READER, False)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        if reader:
            setattr(g, READER, True)
