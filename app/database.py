"""Engine set-up that differs per backend."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite behave: foreign keys on, and real transactions with SAVEPOINT support.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; SQLAlchemy's
    documented recipe takes it over (docs: "Serializable isolation / Savepoints / ...").
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")
