"""The bulk writer: one statement per table, COPY on PostgreSQL, chunked executemany elsewhere."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import JSON, Connection, Integer, Table, text

from app.extensions import db

Row = tuple[Any, ...]


class Writer:
    """Writes the generated rows table by table, in the session's transaction."""

    CHUNK = 5_000

    def __init__(self, progress: Callable[[str], None]) -> None:
        self.postgres = db.engine.dialect.name == "postgresql"
        self.progress = progress
        self.counts: dict[str, int] = {}

    @property
    def conn(self) -> Connection:
        """The session's connection: all the writing is one transaction."""
        return db.session.connection()

    def next_id(self, table: str) -> int:
        """The first id after the rows already in `table`."""
        return int(db.session.scalar(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}"))) + 1

    def write(self, name: str, columns: tuple[str, ...], rows: Iterable[Row]) -> int:
        """Write `rows` (values in the order of `columns`) into table `name`; returns the count."""
        table: Table = db.metadata.tables[name]
        json_at = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
        started = time.monotonic()
        count = 0
        report_every = 250_000
        if self.postgres:
            raw = self.conn.connection.driver_connection
            assert raw is not None  # a live psycopg connection while the session holds it
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    if json_at:
                        # COPY takes a JSON column's value as its text.
                        values = list(row)
                        for i in json_at:
                            values[i] = (
                                None
                                if values[i] is None
                                else json.dumps(values[i], ensure_ascii=False)
                            )
                        row = tuple(values)
                    copy.write_row(row)
                    count += 1
                    if count % report_every == 0:
                        self.progress(f"  {name}: {count:,} …")
        else:
            chunk: list[dict[str, Any]] = []
            statement = table.insert()
            for row in rows:
                chunk.append(dict(zip(columns, row, strict=True)))
                count += 1
                if len(chunk) >= self.CHUNK:
                    self.conn.execute(statement, chunk)
                    chunk = []
                    if count % report_every == 0:
                        self.progress(f"  {name}: {count:,} …")
            if chunk:
                self.conn.execute(statement, chunk)
        self.counts[name] = self.counts.get(name, 0) + count
        self.progress(f"· {name}: {count:,} 行（{time.monotonic() - started:.1f} 秒）")
        return count

    def finish(self) -> None:
        """Move each id sequence past the ids written here (PostgreSQL)."""
        if not self.postgres:
            return
        for name in self.counts:
            table = db.metadata.tables[name]
            if "id" in table.c and isinstance(table.c.id.type, Integer):
                self.conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT MAX(id) FROM {name}))"
                    )
                )
