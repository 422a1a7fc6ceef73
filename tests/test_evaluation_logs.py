"""No log line holds a member's voting token: werkzeug's development server, gunicorn's access
and error logs (through gunicorn.conf.py, as the README runs it) and the app's own."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.error import HTTPError

import pytest
from flask import Flask
from gunicorn.app.base import Application
from gunicorn.config import Config

from app.evaluation.privacy import LOGGERS, REDACT, REDACTED, redact_tokens
from app.evaluation.tokens import revealed_tokens
from app.settings import BASE_DIR
from tests.browser_support import serve
from tests.conftest import database_url
from tests.test_evaluation_pdf import _open

CONF = BASE_DIR / "gunicorn.conf.py"


def _tokens(app: Flask, members: int = 3) -> tuple[list[str], list[dict]]:
    """A committed open evaluation's tokens and its dimensions (for committing tests)."""
    from tests.factories import build_world

    with app.app_context():
        _nomination, evaluation = _open(build_world(), members=members)
        return [t.token for t in revealed_tokens(evaluation)], list(evaluation.dimensions)


def _ballot(dimensions: list[dict]) -> bytes:
    import json

    body = {"overall": "satisfied", "answers": {d["code"]: "satisfied" for d in dimensions}}
    return json.dumps(body).encode()


def _request(url: str, data: bytes | None = None, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status
    except HTTPError as exc:
        return exc.code


@pytest.fixture(autouse=True)
def _loggers_on(app: Flask) -> Iterator[None]:
    """The session's `flask db upgrade` runs Alembic's logging.fileConfig, which disables the
    loggers that exist by then (these, once the factory has put its filter on them): in a
    server they are on, and so they are here."""
    loggers = [logging.getLogger(name) for name in LOGGERS] + [app.logger]
    before = [log.disabled for log in loggers]
    for log in loggers:
        log.disabled = False
    yield
    for log, disabled in zip(loggers, before, strict=True):
        log.disabled = disabled


@contextmanager
def _without_the_factorys_filter() -> Iterator[None]:
    """The app factory puts the filter on gunicorn's loggers too; take it off so that what is
    tested is gunicorn.conf.py's own."""
    loggers = [logging.getLogger(name) for name in LOGGERS]
    for log in loggers:
        log.removeFilter(REDACT)
    try:
        yield
    finally:
        for log in loggers:
            log.addFilter(REDACT)


def test_redaction_of_paths_query_strings_and_headers():
    token = "Ab3_-" * 7
    line = (
        f'1.2.3.4 - - "GET /e/{token}?next=%2Fe%2F{token}&x=1 HTTP/1.1" 200 5 '
        f'"https://zgzj.example.cn/api/v1/ballots/{token}" "Mozilla" /login?next=%2fE%2f{token}'
    )
    redacted = redact_tokens(line)
    assert token not in redacted
    assert f"/e/{REDACTED} HTTP/1.1" in redacted and f"/api/v1/ballots/{REDACTED}" in redacted
    assert redacted.endswith(f"/login?next=%2fE%2f{REDACTED}")
    # What is not a token stays readable.
    assert redact_tokens('"GET /e/thanks HTTP/1.1" 200') == '"GET /e/thanks HTTP/1.1" 200'
    assert redact_tokens("GET /nominations/5/evaluation/tokens.csv") == (
        "GET /nominations/5/evaluation/tokens.csv"
    )


# -- werkzeug's development server (flask run) ---------------------------------------------


@pytest.mark.committing
def test_the_development_servers_log_lines_hold_no_token(app, caplog):
    tokens, dimensions = _tokens(app)
    caplog.set_level(logging.INFO, logger="werkzeug")
    with serve(app) as base:
        assert _request(f"{base}/e/{tokens[0]}") == 200
        assert _request(f"{base}/e/{tokens[1]}?from=%2Fe%2F{tokens[1]}") == 200
        assert _request(f"{base}/api/v1/ballots/{tokens[2]}", _ballot(dimensions)) == 201
        assert _request(f"{base}/e/{tokens[2]}") == 409
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert len([line for line in lines if REDACTED in line]) == 4, lines
    assert not [line for line in lines for t in tokens if t in line]
    assert not [t for t in tokens if t in caplog.text]


def test_the_apps_own_error_log_holds_no_token(world, client, app, monkeypatch, caplog):
    _nomination, evaluation = _open(world, members=1)
    token = revealed_tokens(evaluation)[0].token
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def broken(value: str) -> None:
        raise RuntimeError(f"could not read the ballot of {value}")  # the bare token

    monkeypatch.setattr("app.evaluation.public.ballot_form", broken)
    caplog.set_level(logging.ERROR, logger=app.logger.name)
    assert client.get(f"/e/{token}").status_code == 500
    assert f"unhandled error on GET /e/{REDACTED}" in caplog.text
    assert "RuntimeError: could not read the ballot of [redacted]" in caplog.text
    assert token not in caplog.text


# -- gunicorn ------------------------------------------------------------------------------


class _Conf(Application):
    """gunicorn's own loading of a configuration file, as `gunicorn -c FILE` does."""

    def __init__(self, path: Path, **settings: object) -> None:
        self.path, self.settings = path, settings
        super().__init__()

    def init(self, parser, opts, args):  # type: ignore[no-untyped-def]
        return None

    def load_config(self) -> None:
        self.load_config_from_file(str(self.path))
        for name, value in self.settings.items():
            self.cfg.set(name, value)

    def load(self):  # type: ignore[no-untyped-def]
        raise AssertionError("not served")


def test_gunicorn_conf_redacts_the_access_and_error_logs(tmp_path):
    token = "Zx9-_" * 7
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    with _without_the_factorys_filter():
        cfg: Config = _Conf(CONF, accesslog=str(access), errorlog=str(errors)).cfg
        logger = cfg.logger_class(cfg)
        assert type(logger).__name__ == "TokenSafeLogger"
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": f"/e/{token}?again=%2Fe%2F{token}",
            "PATH_INFO": f"/e/{token}",
            "QUERY_STRING": f"again=%2Fe%2F{token}",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "10.0.0.7",
            "HTTP_REFERER": f"https://zgzj.example.cn/e/{token}",
            "HTTP_USER_AGENT": "phone",
        }
        response = SimpleNamespace(status="200 OK", headers=[], sent=123)
        request = SimpleNamespace(headers=[("Referer", environ["HTTP_REFERER"])])
        logger.access(response, request, environ, timedelta(milliseconds=12))
        # Every atom a format could name, the query string and the Referer included.
        cfg.set("access_log_format", '%(r)s %(U)s %(q)s "%(f)s" %({referer}i)s')
        logger.access(response, request, environ, timedelta(milliseconds=12))
        logger.error("Error handling request %s", f"/api/v1/ballots/{token}")
        for log in (logger.access_log, logger.error_log):
            for handler in list(log.handlers):
                if getattr(handler, "_gunicorn", False):  # gunicorn's, to these files
                    log.removeHandler(handler)
                    handler.close()
    written = access.read_text() + errors.read_text()
    assert written.count(REDACTED) >= 7, written
    assert token not in written
    assert f'"GET /e/{REDACTED} HTTP/1.1" 200 123' in access.read_text()


@pytest.mark.committing
def test_gunicorn_as_the_readme_runs_it_logs_no_token(app, tmp_path):
    tokens, dimensions = _tokens(app)
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    env = dict(os.environ, DATABASE_URL=database_url(), SECRET_KEY=app.config["SECRET_KEY"])
    env.pop("TOKEN_KEY", None)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [
            str(gunicorn),
            "-c",
            str(CONF),
            "--access-logfile",
            str(access),
            "--error-logfile",
            str(errors),
            "--log-level",
            "info",
            "--no-control-socket",
            "-w",
            "1",
            "-b",
            "127.0.0.1:0",
            "wsgi:app",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        base = None
        deadline = time.monotonic() + 60
        while base is None and time.monotonic() < deadline:
            assert server.poll() is None, errors.read_text() if errors.exists() else ""
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", _read(errors))
            if found and "Booting worker" in _read(errors):
                base = found.group(1)
            time.sleep(0.2)
        assert base, _read(errors)
        status = 0
        while status != 200 and time.monotonic() < deadline:  # the worker loads the app
            try:
                status = _request(f"{base}/e/{tokens[0]}")
            except OSError:
                time.sleep(0.2)
        assert status == 200
        assert _request(f"{base}/api/v1/ballots/{tokens[1]}", _ballot(dimensions)) == 201
        used = _request(f"{base}/e/{tokens[1]}", headers={"Referer": f"{base}/e/{tokens[1]}"})
        assert used == 409
    finally:
        server.terminate()
        server.wait(20)
    written = _read(access)
    assert written.count(REDACTED) >= 3, written
    assert not [t for t in tokens if t in written + _read(errors)]


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""
