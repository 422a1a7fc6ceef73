"""会员评家 voting tokens as credentials: what the database holds opens no ballot, the union's
slips and CSV still carry working links, tokens issued before the change keep voting and
reprinting, every ballot response is kept out of caches, and no log line holds a token."""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from alembic.migration import MigrationContext
from flask import Flask, current_app
from flask_migrate import downgrade, upgrade
from pypdf import PdfReader
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.errors import Conflict
from app.evaluation import credentials
from app.evaluation.models import Ballot, BallotToken
from app.evaluation.tokens import revealed_tokens, tokens_for_print, void_tokens
from app.extensions import db
from app.settings import normalise_database_url
from app.timeutil import utcnow
from tests.conftest import csrf_from, database_url, is_postgres
from tests.test_api import as_user  # noqa: F401  (fixture re-export)
from tests.test_evaluation_pdf import _open

LINK_RE = re.compile(r"/e/([A-Za-z0-9_-]{32,64})")


def _tokens(evaluation) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.token for t in revealed_tokens(evaluation, unused_only=False)]


def _answers(evaluation, choice: str = "satisfied") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {"overall": choice, "answers": {d["code"]: choice for d in evaluation.dimensions}}


def _form(evaluation, choice: str = "satisfied") -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"overall": choice, **{f"answers.{d['code']}": choice for d in evaluation.dimensions}}


def _legacy_token(evaluation, serial: int) -> str:  # type: ignore[no-untyped-def]
    """A token issued before the change, as the migration leaves its row: found by its
    digest, sealed under the server's key, no token stored."""
    token = secrets.token_urlsafe(24)
    key = credentials.token_key(current_app.config)
    nonce = credentials.new_nonce()
    db.session.add(
        BallotToken(
            evaluation_id=evaluation.id,
            token_hash=credentials.token_digest(token),
            nonce=nonce,
            sealed=credentials.seal(key, nonce, token),
            serial=serial,
            batch=1,
            status="unused",
            issued_at=utcnow(),
        )
    )
    db.session.commit()
    return token


def _ballots() -> int:
    return db.session.scalar(select(db.func.count()).select_from(Ballot)) or 0


# -- what a database reader has -----------------------------------------------------------


@pytest.mark.parametrize("issued", ["now", "before the change"])
def test_a_database_reader_cannot_vote_with_what_the_tokens_table_holds(world, client, issued):
    _nomination, evaluation = _open(world, members=2)
    if issued == "before the change":
        _legacy_token(evaluation, serial=3)
    tokens = _tokens(evaluation)
    rows = (
        db.session.execute(
            text("SELECT * FROM ballot_tokens WHERE evaluation_id = :e"), {"e": evaluation.id}
        )
        .mappings()
        .all()
    )
    assert len(rows) == len(tokens)
    values = {str(v) for row in rows for v in row.values() if v is not None}
    if issued == "before the change":
        assert any(row["sealed"] for row in rows)
    # No column holds a token, nor a token inside a longer value.
    assert not [v for v in values for t in tokens if t in v]

    # Every value a reader finds, tried as a link: refused, and nothing is spent.
    guessed_keys = [credentials.token_key({"SECRET_KEY": k}) for k in ("dev-only-change-me", "")]
    nonces = [row["nonce"] for row in rows]
    tries = sorted(values) + [credentials.derive_token(k, n) for k in guessed_keys for n in nonces]
    for value in tries:
        path = quote(value, safe="")
        assert client.get(f"/e/{path}").status_code == 404, value
        api = client.post(f"/api/v1/ballots/{path}", json=_answers(evaluation))
        assert api.status_code == 404, value
    assert _ballots() == 0

    # The links the union hands out do open the ballot (so the refusals above mean something).
    for token in tokens:
        assert client.get(f"/e/{token}").status_code == 200
    assert client.post(f"/api/v1/ballots/{tokens[-1]}", json=_answers(evaluation)).status_code == (
        201
    )
    assert _ballots() == 1


def test_a_token_is_not_stored_and_is_derived_from_the_key(world, ctx):
    _nomination, evaluation = _open(world, members=2)
    row = db.session.scalars(
        select(BallotToken).where(BallotToken.evaluation_id == evaluation.id)
    ).first()
    assert row is not None and row.sealed is None
    key = credentials.token_key(current_app.config)
    token = credentials.derive_token(key, row.nonce)
    assert row.token_hash == credentials.token_digest(token) and len(token) == 32
    other = credentials.token_key({"SECRET_KEY": current_app.config["SECRET_KEY"] + "x"})
    assert credentials.reveal(other, row.nonce, None, row.token_hash) is None
    # A dedicated TOKEN_KEY wins over SECRET_KEY.
    assert credentials.token_key({"SECRET_KEY": "a", "TOKEN_KEY": "b"}) == credentials.token_key(
        {"SECRET_KEY": "c", "TOKEN_KEY": "b"}
    )


# -- tokens issued before the change -------------------------------------------------------


def test_a_token_issued_before_the_change_votes_and_is_reprinted(world, client, auth):
    nomination, evaluation = _open(world, members=2)
    legacy = _legacy_token(evaluation, serial=3)
    _n, issued = tokens_for_print(world.user("union_a"), nomination.id)
    assert [t.serial for t in issued] == [1, 2, 3] and issued[2].token == legacy

    auth.login("union_a")
    csv = client.get(f"/nominations/{nomination.id}/evaluation/tokens.csv")
    assert csv.status_code == 200 and f"/e/{legacy}" in csv.data.decode("utf-8-sig")
    slips = client.get(f"/nominations/{nomination.id}/evaluation/slips.pdf")
    pages = PdfReader(io.BytesIO(slips.data)).pages
    assert legacy in "".join((p.extract_text() or "").replace("\n", "") for p in pages)
    auth.logout()

    assert client.get(f"/e/{legacy}").status_code == 200
    voted = client.post(f"/api/v1/ballots/{legacy}", json=_answers(evaluation))
    assert voted.status_code == 201 and _ballots() == 1
    assert client.post(f"/api/v1/ballots/{legacy}", json=_answers(evaluation)).status_code == 409


def test_under_another_key_reprinting_is_refused_and_the_links_still_vote(
    world, client, auth, app: Flask
):
    nomination, evaluation = _open(world, members=2)
    tokens = _tokens(evaluation)
    base = f"/nominations/{nomination.id}/evaluation"
    auth.login("union_a")
    app.config["TOKEN_KEY"] = "a key the tokens were not issued under"
    try:
        with pytest.raises(Conflict) as info:
            tokens_for_print(world.user("union_a"), nomination.id)
        assert "无法重新打印" in info.value.message
        refused = client.get(f"{base}/slips.pdf")
        assert refused.status_code == 409 and "TOKEN_KEY" in refused.text
        assert client.get(f"{base}/tokens.csv").status_code == 409
        # Voting looks the link up by its digest: no key involved.
        voted = client.post(f"/api/v1/ballots/{tokens[0]}", json=_answers(evaluation))
        assert voted.status_code == 201 and _ballots() == 1
    finally:
        app.config["TOKEN_KEY"] = ""
    assert client.get(f"{base}/slips.pdf").status_code == 200


# -- the union's slips and CSV -------------------------------------------------------------


def test_the_links_on_the_slips_and_in_the_csv_open_the_ballot(world, client, auth):
    nomination, evaluation = _open(world, members=4)
    base = f"/nominations/{nomination.id}/evaluation"
    auth.login("union_a")
    slips = client.get(f"{base}/slips.pdf")
    assert slips.status_code == 200
    pdf_text = "".join(
        (p.extract_text() or "").replace("\n", "") for p in PdfReader(io.BytesIO(slips.data)).pages
    )
    from_pdf = LINK_RE.findall(pdf_text)
    csv = client.get(f"{base}/tokens.csv").data.decode("utf-8-sig")
    from_csv = LINK_RE.findall(csv)
    auth.logout()
    assert len(set(from_pdf)) == len(from_csv) == 4 and set(from_pdf) == set(from_csv)

    for token in from_csv:
        page = client.get(f"/e/{token}")
        assert page.status_code == 200 and nomination.org.name in page.text
    page = client.get(f"/e/{from_csv[0]}")
    sent = client.post(
        f"/e/{from_csv[0]}", data={"csrf_token": csrf_from(page.text), **_form(evaluation)}
    )
    assert sent.status_code == 303
    voted = client.post(f"/api/v1/ballots/{from_pdf[-1]}", json=_answers(evaluation))
    assert voted.status_code == 201 and _ballots() == 2
    assert client.get(f"/e/{from_csv[0]}").status_code == 409


def test_the_apis_token_list_is_kept_by_no_cache(world, as_user):  # noqa: F811
    nomination, _evaluation = _open(world, members=2)
    union = as_user("union_a")
    listed = union.get(f"/nominations/{nomination.id}/evaluation/tokens")
    issued = union.post(f"/nominations/{nomination.id}/evaluation/tokens", json={"count": 1})
    assert listed.status_code == 200 and len(listed.get_json()) == 2
    assert issued.status_code == 201 and len(issued.get_json()) == 1
    for response in (listed, issued):
        assert response.headers["Cache-Control"] == "private, no-store"


# -- ballot responses: never cached, no Referer --------------------------------------------


def _assert_private(response, what: str) -> None:  # type: ignore[no-untyped-def]
    assert response.headers.get("Cache-Control") == "no-store", what
    assert response.headers.get("Referrer-Policy") == "no-referrer", what
    assert "noindex" in response.headers.get("X-Robots-Tag", ""), what


def test_every_ballot_response_is_no_store_refusals_included(world, client, app, monkeypatch):
    nomination, evaluation = _open(world, members=6)
    fresh, used, void, api_fresh, api_used, spare = _tokens(evaluation)
    void_tokens(world.user("union_a"), nomination.id, [3])
    client.post(f"/api/v1/ballots/{used}", json=_answers(evaluation))
    client.post(f"/api/v1/ballots/{api_used}", json=_answers(evaluation))
    page = client.get(f"/e/{fresh}")
    csrf = csrf_from(page.text)
    web = [
        ("page", page, 200),
        ("missing answers", client.post(f"/e/{fresh}", data={"csrf_token": csrf}), 422),
        ("no form token", client.post(f"/e/{fresh}", data=_form(evaluation)), 400),
        ("used", client.get(f"/e/{used}"), 409),
        ("void", client.get(f"/e/{void}"), 409),
        ("unknown", client.get("/e/" + "x" * 32), 404),
        ("too long", client.get("/e/" + "y" * 300), 404),
        ("NUL", client.get("/e/a%00b"), 422),  # the input guard: a control character
        ("wrong method", client.put(f"/e/{fresh}"), 405),
        (
            "cast",
            client.post(f"/e/{fresh}", data={"csrf_token": csrf, **_form(evaluation)}),
            303,
        ),
        ("thanks", client.get("/e/thanks"), 200),
    ]
    api = [
        ("questions", client.get(f"/api/v1/ballots/{api_fresh}"), 200),
        ("invalid", client.post(f"/api/v1/ballots/{api_fresh}", json={"overall": "?"}), 422),
        (
            "not JSON",
            client.post(f"/api/v1/ballots/{api_fresh}", data="x", content_type="application/json"),
            400,
        ),
        ("used", client.post(f"/api/v1/ballots/{api_used}", json=_answers(evaluation)), 409),
        ("unknown", client.get("/api/v1/ballots/" + "x" * 32), 404),
        ("wrong method", client.delete(f"/api/v1/ballots/{api_fresh}"), 405),
        ("cast", client.post(f"/api/v1/ballots/{api_fresh}", json=_answers(evaluation)), 201),
    ]
    # A fault while answering: the 500 keeps the headers too.
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def broken(token: str) -> None:
        raise RuntimeError("a fault")

    monkeypatch.setattr("app.evaluation.public.ballot_form", broken)
    monkeypatch.setattr("app.evaluation.api.ballot_form", broken)
    web.append(("fault", client.get(f"/e/{spare}"), 500))
    api.append(("fault", client.get(f"/api/v1/ballots/{spare}"), 500))
    for label, response, status in [*web, *[(f"API {n}", r, s) for n, r, s in api]]:
        assert response.status_code == status, (label, response.status_code)
        _assert_private(response, label)
    # Elsewhere the headers are the site's own (a ballot's no-referrer is not everyone's).
    assert client.get("/login").headers.get("X-Robots-Tag") is None


# -- the migration -------------------------------------------------------------------------

BEFORE = "34a0875911cb"  # the revision before ballot tokens lost their plaintext


@pytest.fixture
def migration_app(tmp_path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """An app on an empty database of its own (SQLite file, or `<test db>_tokens` on
    PostgreSQL); only engines are used with it, never db.session (bound to the suite's)."""
    if is_postgres():
        base = make_url(normalise_database_url(database_url()))
        name = f"{base.database}_tokens"
        server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'tokens.sqlite'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "production-secret"}
    )
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        if is_postgres():
            with server.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            server.dispose()


def _insert_legacy_rows(url: str, tokens: list[str]) -> None:
    """Rows as the app wrote them before: an evaluation (its nomination left out: foreign
    keys off for this one connection) and its tokens in plaintext."""
    engine = create_engine(normalise_database_url(url))
    now = utcnow()
    with engine.begin() as conn:
        if is_postgres():
            conn.execute(text("SET session_replication_role = replica"))
        conn.execute(
            text(
                "INSERT INTO member_evaluations (id, nomination_id, status, opens_at, closes_at,"
                " member_count, dimensions, opened_at) VALUES (1, 1, 'open', :o, :c, :n,"
                " '[]', :o)"
            ),
            {"o": now, "c": now + timedelta(days=3), "n": len(tokens)},
        )
        conn.execute(
            text(
                "INSERT INTO ballot_tokens (evaluation_id, token, serial, batch, status,"
                " issued_at) VALUES (1, :t, :s, 1, :st, :o)"
            ),
            [
                {"t": t, "s": i + 1, "st": "used" if i == 0 else "unused", "o": now}
                for i, t in enumerate(tokens)
            ],
        )
    engine.dispose()


def test_the_migration_keeps_existing_tokens_voting_and_reprintable(migration_app):
    # The app's (token_urlsafe) and the generator's (hex) kinds, across a chunk's boundary.
    tokens = [secrets.token_urlsafe(24) for _ in range(2_003)] + [secrets.token_hex(20)]
    with migration_app.app_context():
        engine = db.engine
        upgrade(revision=BEFORE)
        _insert_legacy_rows(migration_app.config["SQLALCHEMY_DATABASE_URI"], tokens)
        upgrade()
        columns = {c["name"] for c in inspect(engine).get_columns("ballot_tokens")}
        assert "token" not in columns and {"token_hash", "nonce", "sealed"} <= columns
        with engine.connect() as conn:
            rows = (
                conn.execute(text("SELECT * FROM ballot_tokens ORDER BY serial")).mappings().all()
            )
        stored = {str(v) for row in rows for v in row.values() if v is not None}
        assert not [v for v in stored for t in tokens if t in v]  # no plaintext left
        key = credentials.token_key(migration_app.config)
        for row, token in zip(rows, tokens, strict=True):
            # Found by its digest (what voting looks up), recomputed for reprinting.
            assert row["token_hash"] == credentials.token_digest(token)
            assert credentials.reveal(key, row["nonce"], row["sealed"], row["token_hash"]) == token
        assert [row["status"] for row in rows] == ["used"] + ["unused"] * (len(tokens) - 1)

        # Down again: the plaintext back as it was, recomputed with the same key.
        downgrade(revision=BEFORE)
        with engine.connect() as conn:
            back = conn.execute(text("SELECT token FROM ballot_tokens ORDER BY serial")).all()
        assert [t for (t,) in back] == tokens
        upgrade()
        # Under another key the plaintext cannot be recovered: the downgrade refuses.
        migration_app.config["TOKEN_KEY"] = "another key"
        with pytest.raises(SystemExit):  # Flask-Migrate's exit after Alembic's error
            downgrade(revision=BEFORE)
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() != BEFORE
        columns = {c["name"] for c in inspect(engine).get_columns("ballot_tokens")}
        assert "token" not in columns and "token_hash" in columns
