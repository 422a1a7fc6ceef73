"""Test fixtures.

The suite runs on the database named by TEST_DATABASE_URL (PostgreSQL in CI) or on a
temporary SQLite file. The schema is built once per run by the Alembic migrations; each test
then runs inside a transaction that is rolled back, except tests marked `committing`
(real concurrent connections, the live server for the browser), whose rows are truncated
afterwards.
"""

from __future__ import annotations

import contextvars
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.extensions import db

_TMP = Path(tempfile.mkdtemp(prefix="zgzj-tests-"))


def database_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.sqlite'}"


def is_postgres() -> bool:
    return database_url().startswith("postgres")


def _reset_database(url: str) -> None:
    """Start from an empty database, so the migrations build the whole schema."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.exists():
            path.unlink()
        return
    from app.settings import normalise_database_url

    engine = create_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    url = database_url()
    _reset_database(url)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "SERVER_NAME": None,
            # Imports run in the request: a thread or a worker would not see the test's
            # transaction (tests/test_imports.py runs the RQ path on its own).
            "IMPORT_RUNNER": "inline",
            # Evidence files of the whole run go to a temporary folder, never into instance/.
            "EVIDENCE_STORAGE_DIR": str(_TMP / "evidence"),
        }
    )
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _truncate_all() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            db.session.execute(text(f"DELETE FROM {name}"))
    db.session.commit()


@pytest.fixture(autouse=True)
def _db_transaction(request: pytest.FixtureRequest, app: Flask) -> Iterator[None]:
    """Run each test in a transaction rolled back at the end."""
    if request.node.get_closest_marker("committing"):
        with app.app_context():
            _truncate_all()
        yield
        with app.app_context():
            db.session.remove()
            _truncate_all()
        return
    from flask_sqlalchemy.session import _app_ctx_id

    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An application context for tests that call services directly."""
    with app.test_request_context():
        yield


class IsolatedClient(FlaskClient):
    """A test client whose every request runs with no app context already active.

    The autouse `_db_transaction` fixture (and `world`) keep an app context pushed for the
    whole test, and Flask reuses an active app context for test-client requests, so `g`
    would outlive each request: Flask-Login's cached user and Flask-WTF's CSRF token would
    carry over. Running each request in an empty contextvars context makes Flask push a
    fresh app context (and database session) per request, as in production.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            # The test's own session reads what the request wrote, not its cached copy.
            db.session.expire_all()
        return response


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def new_client(app: Flask):  # type: ignore[no-untyped-def]
    """A factory of further independent browsers."""
    return lambda: IsolatedClient(app, app.response_class, use_cookies=True)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def post_form(client: FlaskClient, page_url: str, data: dict, action: str | None = None):  # type: ignore[no-untyped-def]
    """Open a page like a browser, then post one of its forms with the page's CSRF token."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    return client.post(action or page_url, data={**data, "csrf_token": csrf_from(page.text)})


def field_error(html: str, field: str) -> str:
    """The error shown right under a field (the forms macro gives it the id <field>-err)."""
    match = re.search(rf'id="{re.escape(field)}-err">([^<]+)<', html)
    assert match, f"no error shown next to {field}"
    return match.group(1)


class AuthActions:
    """Log a browser-like client in and out through the real pages."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, username: str, password: str = "password-123"):  # type: ignore[no-untyped-def]
        page = self._client.get("/login")
        return self._client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
        )

    def logout(self):  # type: ignore[no-untyped-def]
        page = self._client.get("/")
        return self._client.post("/logout", data={"csrf_token": csrf_from(page.text)})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def world(app: Flask):  # type: ignore[no-untyped-def]
    """A small city: two districts, unions of each category, one user per role."""
    from tests.factories import build_world

    with app.app_context():
        yield build_world()


@pytest.fixture
def live_server(app: Flask):  # type: ignore[no-untyped-def]
    """The session app on a live local server, for browser tests (it sees committed data)."""
    from tests.browser_support import serve

    with serve(app) as base_url:
        yield base_url


@pytest.fixture
def phone(live_server: str):  # type: ignore[no-untyped-def]
    """A phone-sized page of Debian's chromium on the live server."""
    from tests.browser_support import chromium, phone_page

    with chromium() as browser, phone_page(browser, live_server) as page:
        yield page


REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis(app):  # type: ignore[no-untyped-def]
    """The real Redis on this machine (a database of its own, emptied), as CI runs it."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisConnectionError:
        pytest.skip("needs Redis at REDIS_URL (CI runs it)")
    connection.flushdb()
    old = app.config.get("REDIS_URL")
    app.config["REDIS_URL"] = REDIS_URL
    yield connection
    app.config["REDIS_URL"] = old
    connection.flushdb()
