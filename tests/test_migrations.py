"""The Alembic migrations: they build the whole schema, tear it down again, and agree with
the models.

Each test uses a throwaway database of its own (a temporary SQLite file, or on PostgreSQL a
database `<test database>_migrations`, i.e. `test_migrations` for the usual
TEST_DATABASE_URL) and a separate app bound to it, so the session-wide test database is
never touched. Only engines are used here, never `db.session`: the conftest binds that to
the session app's connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url

from app import create_app
from app.extensions import db
from app.settings import BASE_DIR, normalise_database_url
from tests.conftest import database_url, is_postgres

MIGRATIONS = BASE_DIR / "migrations"


def _app_tables() -> set[str]:
    """Every table of the models (known once create_app has imported them)."""
    tables = set(db.metadata.tables)
    assert {"users", "nominations", "nomination_events"} <= tables
    return tables


def _drop_database(server: Engine, name: str) -> None:
    with server.connect() as conn:
        force = " WITH (FORCE)" if conn.dialect.server_version_info >= (13,) else ""
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"{force}'))


@pytest.fixture
def migration_url(tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, dropped afterwards."""
    if not is_postgres():
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    base = make_url(normalise_database_url(database_url()))
    name = f"{base.database}_migrations"
    server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        _drop_database(server, name)
        with server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(server, name)
        server.dispose()


@pytest.fixture
def migration_app(migration_url: str) -> Iterator[Flask]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": migration_url, "TESTING": True})
    yield app
    with app.app_context():
        db.engine.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _script() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def _differences(app: Flask) -> list:
    """What `flask db migrate` would generate now: env.py's options, server defaults too."""
    options = dict(app.extensions["migrate"].configure_args)
    options.pop("process_revision_directives", None)
    options["compare_server_default"] = True
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={**options, "target_metadata": db.metadata})
        return compare_metadata(context, db.metadata)


def _leftovers(engine: Engine) -> list[str]:
    """Sequences and enum types left in PostgreSQL's public schema."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT 'sequence ' || sequence_name FROM information_schema.sequences "
                "WHERE sequence_schema = 'public' "
                "UNION ALL SELECT 'type ' || t.typname FROM pg_type t "
                "JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = 'public' AND t.typtype = 'e'"
            )
        )
        return [r[0] for r in rows]


def test_upgrade_downgrade_upgrade(migration_app):
    head = _script().get_current_head()
    assert head, "no migrations found"
    with migration_app.app_context():
        engine = db.engine
        assert _tables(engine) == set()

        upgrade()
        assert _current_revision(engine) == head
        assert _tables(engine) == _app_tables() | {"alembic_version"}

        downgrade(revision="base")
        assert _current_revision(engine) is None
        assert _tables(engine) - {"alembic_version"} == set(), "downgrade left app tables"
        assert _leftovers(engine) == []

        upgrade()
        assert _current_revision(engine) == head
        assert _tables(engine) == _app_tables() | {"alembic_version"}


def test_every_revision_steps_up_and_down(migration_app):
    """The stairway: each revision upgrades, downgrades to its parent and upgrades again."""
    revisions = list(reversed(list(_script().walk_revisions("base", "heads"))))
    with migration_app.app_context():
        engine = db.engine
        for revision in revisions:
            upgrade(revision=revision.revision)
            after_up = _tables(engine)
            downgrade(revision=revision.down_revision or "base")
            assert _current_revision(engine) == revision.down_revision
            upgrade(revision=revision.revision)
            assert _current_revision(engine) == revision.revision
            assert _tables(engine) == after_up


def test_models_and_migrations_agree(migration_app):
    with migration_app.app_context():
        upgrade()
        differences = _differences(migration_app)
    assert differences == [], (
        "the models differ from what the migrations build; run `flask db migrate`:\n"
        + "\n".join(map(repr, differences))
    )


def test_the_migrations_build_the_session_schema():
    """The suite's own database is built by the same migrations (conftest), not create_all."""
    assert (MIGRATIONS / "env.py").exists()
    assert list((MIGRATIONS / "versions").glob("*.py")), "no revision files"
