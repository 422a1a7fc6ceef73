"""One-time activations for new users, and the first login that asks for a password of
one's own (app/auth/activation.py): the initial password at the login page and the API,
the activation link, the administrator's buttons and API, the bulk issue of an import."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update

from app.admin.models import AdminAudit
from app.auth.activation import (
    PASSWORD_ALPHABET,
    activation_url,
    issue_activations,
)
from app.auth.models import (
    ActivationKind,
    LoginSession,
    Role,
    RoleAssignment,
    SessionKind,
    User,
    UserActivation,
)
from app.auth.services import UNUSABLE_PASSWORD, activation_digest, start_session
from app.evaluation.privacy import REDACTED, redact_tokens
from app.extensions import db
from app.timeutil import utcnow
from tests.conftest import csrf_from, field_error
from tests.test_query_budget import count_queries

NEW_PASSWORD = "Zgzj-own-2026!"
WEAK = "password"  # on the list of common passwords
WRONG = "用户名或密码错误"


def new_user(world: Any, username: str = "newbie") -> User:
    """A user as the import creates one: no usable password yet."""
    user = User(username=username, display_name="新来的", password_hash=UNUSABLE_PASSWORD)
    user.roles.append(RoleAssignment(role=Role.UNION, org_id=world.union_a.id))
    db.session.add(user)
    db.session.commit()
    return user


def issue(world: Any, user: User, kind: str = "password") -> str:
    secret = issue_activations(world.user("admin"), [user.id], kind)[user.id]  # type: ignore[arg-type]
    db.session.commit()
    return secret


def login(client: Any, username: str, password: str) -> Any:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
    )


def choose(client: Any, url: str, password: str, confirm: str | None = None) -> Any:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return client.post(
        url,
        data={
            "new_password": password,
            "confirm": password if confirm is None else confirm,
            "csrf_token": csrf_from(page.text),
        },
    )


def audit(action: str) -> list[AdminAudit]:
    return list(
        db.session.scalars(
            select(AdminAudit).where(AdminAudit.action == action).order_by(AdminAudit.id)
        )
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- the secrets --------------------------------------------------------------------------


def test_secrets_are_random_readable_and_stored_only_as_digests(ctx, world):  # type: ignore[no-untyped-def]
    users = [new_user(world, f"u{i}") for i in range(20)]
    passwords = issue_activations(world.user("admin"), [u.id for u in users], "password")
    links = issue_activations(None, [users[0].id], "link")
    db.session.commit()
    assert len(set(passwords.values())) == 20
    for secret in passwords.values():
        assert len(secret) == 10 and set(secret) <= set(PASSWORD_ALPHABET)
        assert not set(secret) & set("0O1lIio")
    assert len(links[users[0].id]) == 32
    stored = db.session.scalars(select(UserActivation.secret_digest)).all()
    for secret in [*passwords.values(), *links.values()]:
        assert secret not in stored
        assert activation_digest(secret) in stored
    assert activation_url(links[users[0].id]).endswith(f"/activate/{links[users[0].id]}")


# -- the initial password at the login page -----------------------------------------------


def test_initial_password_logs_in_once_then_a_password_of_ones_own(world, client):  # type: ignore[no-untyped-def]
    user = new_user(world)
    secret = issue(world, user)
    assert user.must_change_password

    response = login(client, "newbie", secret.capitalize())  # a phone's capital first letter
    assert response.status_code == 302
    # Every page leads to the password page, but logging out, static files and the language.
    home = client.get("/")
    assert home.status_code == 303 and "/account/password/new" in home.headers["Location"]
    assert "/account/password/new" in client.get("/nominations/").headers["Location"]
    assert client.get("/lang/en?next=/login").status_code == 302
    assert client.get("/static/js/base.js").status_code == 200
    client.get("/lang/zh_Hans_CN")

    page = client.get("/account/password/new")
    assert page.status_code == 200 and "newbie" in page.text
    assert "选择" in page.text or "密码" in page.text

    # The policy's errors stand next to the field, in Chinese.
    weak = choose(client, "/account/password/new", WEAK)
    assert weak.status_code == 422
    assert "常见" in field_error(weak.text, "new_password")
    named = choose(client, "/account/password/new", "newbie2026x")
    assert named.status_code == 422 and "用户名" in field_error(named.text, "new_password")
    given = choose(client, "/account/password/new", secret)
    assert given.status_code == 422 and "不同" in field_error(given.text, "new_password")
    mismatch = choose(client, "/account/password/new", NEW_PASSWORD, "something-else-1")
    assert mismatch.status_code == 422 and field_error(mismatch.text, "confirm")
    # No CSRF token, no change.
    assert (
        client.post(
            "/account/password/new", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        ).status_code
        == 400
    )

    done = choose(client, "/account/password/new?next=/nominations/", NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["Location"] == "/nominations/"
    assert client.get("/").status_code == 200
    db.session.expire_all()
    assert not db.session.get(User, user.id).must_change_password  # type: ignore[union-attr]

    (change,) = audit("user.password_change")
    assert change.actor_id == user.id and change.target_id == user.id
    assert change.changes["password"] == [None, "(set)"]

    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    refused = login(client, "newbie", secret)
    assert refused.status_code == 401 and WRONG in refused.text
    assert login(client, "newbie", NEW_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200  # no longer asked


def test_without_a_password_or_an_activation_nobody_logs_in(app, world, client):  # type: ignore[no-untyped-def]
    new_user(world)
    for attempt in ("", "!unset", "unset", "anything-at-all"):
        response = login(client, "newbie", attempt or "x")
        assert response.status_code == 401 and WRONG in response.text
    # Counted like any wrong password: the client is refused the account (never locked).
    for _ in range(int(app.config["LOGIN_MAX_FAILURES"])):
        login(client, "newbie", "still-wrong")
    assert login(client, "newbie", "still-wrong").status_code == 429


def test_an_unusable_password_takes_the_time_of_a_real_one(world, ctx):  # type: ignore[no-untyped-def]
    from app.auth.services import check_password, hash_password

    real = User(username="real", display_name="r", password_hash=hash_password("x-long-pass"))
    unset = User(username="unset", display_name="u", password_hash=UNUSABLE_PASSWORD)

    def timed(user: User) -> float:
        start = time.perf_counter()
        assert not check_password(user, "wrong-guess")
        return time.perf_counter() - start

    real_time, unset_time = min(timed(real) for _ in range(3)), min(timed(unset) for _ in range(3))
    assert unset_time > real_time / 3  # an argon2 verification either way


def test_a_new_activation_ends_the_earlier_one_and_the_sessions(world, client):  # type: ignore[no-untyped-def]
    user = new_user(world)
    first = issue(world, user)
    start_session(user, SessionKind.API)
    second = issue(world, user, "password")
    assert login(client, "newbie", first).status_code == 401
    assert login(client, "newbie", second).status_code == 302
    live = db.session.scalar(
        select(func.count())
        .select_from(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.kind == SessionKind.API)
        .where(LoginSession.revoked_at.is_(None))
    )
    assert live == 0


def test_an_expired_initial_password_is_refused(world, client):  # type: ignore[no-untyped-def]
    user = new_user(world)
    secret = issue(world, user)
    db.session.execute(update(UserActivation).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert login(client, "newbie", secret).status_code == 401


def test_a_deactivated_user_does_not_use_up_the_initial_password(world, client):  # type: ignore[no-untyped-def]
    user = new_user(world)
    secret = issue(world, user)
    user.is_active_flag = False
    db.session.commit()
    assert login(client, "newbie", secret).status_code == 401
    assert db.session.scalar(select(UserActivation.used_at)) is None


def test_the_administrators_reset_asks_for_a_new_password_at_login(world, client):  # type: ignore[no-untyped-def]
    from app.admin.services import reset_password

    target = world.user("union_b")
    reset_password(world.user("admin"), target, "Reset-by-admin-77")
    assert target.must_change_password
    assert login(client, "union_b", "Reset-by-admin-77").status_code == 302
    assert "/account/password/new" in client.get("/").headers["Location"]
    same = choose(client, "/account/password/new", "Reset-by-admin-77")
    assert same.status_code == 422 and field_error(same.text, "new_password")
    assert choose(client, "/account/password/new", NEW_PASSWORD).status_code == 303
    assert client.get("/").status_code == 200


# -- the activation link ------------------------------------------------------------------


def test_the_link_is_not_used_up_by_opening_it_only_by_setting_the_password(
    world, client, new_client
):  # type: ignore[no-untyped-def]
    user = new_user(world)
    secret = issue(world, user, "link")
    url = f"/activate/{secret}"
    for _ in range(2):  # a preview, then the user
        page = client.get(url)
        assert page.status_code == 200 and "newbie" in page.text
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(select(UserActivation.used_at)) is None

    weak = choose(client, url, WEAK)
    assert weak.status_code == 422 and "常见" in field_error(weak.text, "new_password")
    assert db.session.scalar(select(UserActivation.used_at)) is None

    done = choose(client, url, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["Location"] == "/"
    assert client.get("/").status_code == 200  # logged in, not asked again
    db.session.expire_all()
    assert not user.must_change_password
    assert db.session.scalar(select(UserActivation.used_at)) is not None
    assert audit("user.password_change")[0].changes["via"] == [None, "link"]

    again = client.get(url)
    assert again.status_code == 410 and "管理员" in again.text
    page_token = csrf_from(client.get("/").text)
    replay = client.post(
        url,
        data={
            "new_password": "Other-pass-2026",
            "confirm": "Other-pass-2026",
            "csrf_token": page_token,
        },
    )
    assert replay.status_code == 410
    assert login(new_client(), "newbie", NEW_PASSWORD).status_code == 302


def test_unknown_and_expired_links_are_friendly_refusals(world, client):  # type: ignore[no-untyped-def]
    user = new_user(world)
    unknown = client.get("/activate/not-a-link-we-ever-issued")
    assert unknown.status_code == 404 and "管理员" in unknown.text
    assert client.get("/activate/" + "x" * 5000).status_code == 404
    secret = issue(world, user, "link")
    db.session.execute(update(UserActivation).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    expired = client.get(f"/activate/{secret}")
    assert expired.status_code == 410 and "管理员" in expired.text
    # An initial password is not a link, nor the other way round.
    password = issue(world, user, "password")
    assert client.get(f"/activate/{password}").status_code == 404


def test_a_client_guessing_links_is_refused_like_one_guessing_passwords(app, world, client):  # type: ignore[no-untyped-def]
    app.config["LOGIN_CLIENT_MAX_FAILURES"], old = 3, app.config["LOGIN_CLIENT_MAX_FAILURES"]
    app.config["LOGIN_CLIENT_SLOW_AFTER"], old_slow = 1000, app.config["LOGIN_CLIENT_SLOW_AFTER"]
    try:
        for i in range(3):
            assert client.get(f"/activate/guess-number-{i}-xxxxxxxx").status_code == 404
        refused = client.get("/activate/guess-number-4-xxxxxxxx")
        assert refused.status_code == 429 and refused.headers["Retry-After"]
    finally:
        app.config["LOGIN_CLIENT_MAX_FAILURES"] = old
        app.config["LOGIN_CLIENT_SLOW_AFTER"] = old_slow


def test_the_secret_stays_out_of_the_logs(ctx):  # type: ignore[no-untyped-def]
    secret = "k3Jd9s0-Qw8LmZx1VbNc4TyUiOp2AsDf"
    line = f'127.0.0.1 - - "GET /activate/{secret} HTTP/1.1" 200 -'
    assert secret not in redact_tokens(line) and REDACTED in redact_tokens(line)
    assert secret not in redact_tokens(f"/login?next=%2Factivate%2F{secret}")


# -- the API ------------------------------------------------------------------------------


def test_api_asks_for_a_password_first_then_gives_a_token(world, client):  # type: ignore[no-untyped-def]
    user = new_user(world)
    secret = issue(world, user)
    refused = client.post("/api/v1/auth/token", json={"username": "newbie", "password": secret})
    assert refused.status_code == 403
    body = refused.get_json()
    assert body["reason"] == "password_change_required" and "密码" in body["message"]
    assert db.session.scalar(select(UserActivation.used_at)) is None  # not used up

    wrong = client.post(
        "/api/v1/auth/password",
        json={"username": "newbie", "password": "not-it-at-all", "new_password": NEW_PASSWORD},
    )
    assert wrong.status_code == 401
    weak = client.post(
        "/api/v1/auth/password",
        json={"username": "newbie", "password": secret, "new_password": WEAK},
    )
    assert weak.status_code == 422 and weak.get_json()["errors"]["new_password"]
    assert db.session.scalar(select(UserActivation.used_at)) is None

    done = client.post(
        "/api/v1/auth/password",
        json={"username": "newbie", "password": secret, "new_password": NEW_PASSWORD},
    )
    assert done.status_code == 200, done.text
    token = done.get_json()["token"]
    assert client.get("/api/v1/campaigns", headers=bearer(token)).status_code == 200
    assert (
        client.post(
            "/api/v1/auth/token", json={"username": "newbie", "password": secret}
        ).status_code
        == 401
    )
    again = client.post("/api/v1/auth/token", json={"username": "newbie", "password": NEW_PASSWORD})
    assert again.status_code == 200
    assert audit("user.password_change")[0].changes["via"] == [None, "api"]


def test_a_token_cannot_be_used_while_a_password_must_be_chosen(world, client):  # type: ignore[no-untyped-def]
    token, _ = start_session(world.user("union_a"), SessionKind.API)
    assert client.get("/api/v1/campaigns", headers=bearer(token)).status_code == 200
    db.session.execute(
        update(User).where(User.username == "union_a").values(must_change_password=True)
    )
    db.session.commit()
    response = client.get("/api/v1/campaigns", headers=bearer(token))
    assert response.status_code == 403
    assert response.get_json()["reason"] == "password_change_required"


def test_the_openapi_document_describes_both(client):  # type: ignore[no-untyped-def]
    spec = client.get("/api/v1/openapi.json").get_json()
    password = spec["paths"]["/api/v1/auth/password"]["post"]
    assert {"200", "401", "422"} <= set(password["responses"])
    assert "403" in spec["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert "/api/v1/admin/users/{user_id}/activation" in spec["paths"]
    error = spec["components"]["schemas"]["ApiError"]["properties"]
    assert "reason" in error


# -- bulk ---------------------------------------------------------------------------------


def _imported(world: Any, count: int, prefix: str) -> list[int]:
    db.session.execute(
        insert(User),
        [
            {
                "username": f"{prefix}{i:05d}",
                "display_name": "导入",
                "password_hash": UNUSABLE_PASSWORD,
                "is_active_flag": True,
                "created_at": utcnow(),
            }
            for i in range(count)
        ],
    )
    return list(
        db.session.scalars(
            select(User.id).where(User.username.like(f"{prefix}%")).order_by(User.id)
        )
    )


def test_bulk_issue_runs_a_constant_number_of_statements(ctx, world):  # type: ignore[no-untyped-def]
    few, many = _imported(world, 20, "few"), _imported(world, 2_000, "many")
    admin = world.user("admin")
    with count_queries() as small:
        issue_activations(admin, few, "password")
    start = time.perf_counter()
    with count_queries() as large:
        secrets_by_user = issue_activations(admin, many, "link")
    elapsed = time.perf_counter() - start
    assert large["n"] == small["n"] <= 8, (small, large)
    assert elapsed < 5
    assert len(secrets_by_user) == 2_000
    flagged = db.session.scalar(
        select(func.count()).select_from(User).where(User.must_change_password.is_(True))
    )
    assert flagged == 2_020
    rows = audit("user.activation_issued")
    assert len(rows) == 2_020
    assert {r.changes["activation"][1] for r in rows} == {"password", "link"}
    assert all(r.actor_id == admin.id for r in rows)
    text = json.dumps([r.changes for r in rows])
    assert not any(secret in text for secret in secrets_by_user.values())
    kinds = db.session.execute(
        select(UserActivation.kind, func.count()).group_by(UserActivation.kind)
    ).all()
    assert dict(kinds) == {ActivationKind.PASSWORD: 20, ActivationKind.LINK: 2_000}


# -- the administrator --------------------------------------------------------------------


def test_the_admin_page_shows_the_secret_once(world, client, auth):  # type: ignore[no-untyped-def]
    user = new_user(world)
    auth.login("admin")
    page = client.get(f"/admin/users/{user.id}")
    assert "生成初始密码" in page.text and "生成激活链接" in page.text
    assert page.text.count("data-confirm") >= 2
    token = csrf_from(page.text)
    shown = client.post(f"/admin/users/{user.id}/activation/password", data={"csrf_token": token})
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    (activation,) = db.session.scalars(select(UserActivation)).all()
    secret = shown.text.split('data-testid="secret">')[1].split("<")[0]
    assert activation.secret_digest == activation_digest(secret)
    assert "复制" in shown.text

    link = client.post(f"/admin/users/{user.id}/activation/link", data={"csrf_token": token})
    assert link.status_code == 200
    url = link.text.split('data-testid="secret">')[1].split("<")[0]
    assert "/activate/" in url
    assert client.get(f"/admin/users/{user.id}").text.count(url) == 0  # only that once
    assert (
        client.post(f"/admin/users/{user.id}/activation/other", data={"csrf_token": token})
    ).status_code == 404
    assert client.post(f"/admin/users/{user.id}/activation/link").status_code == 400  # no CSRF
    assert len(audit("user.activation_issued")) == 2


def test_the_admin_api_issues_once_and_only_for_administrators(world, client):  # type: ignore[no-untyped-def]
    user = new_user(world)
    path = f"/api/v1/admin/users/{user.id}/activation"
    for key in ("union_a", "reviewer_a", "city"):
        token, _ = start_session(world.user(key), SessionKind.API)
        refused = client.post(path, json={"kind": "link"}, headers=bearer(token))
        assert refused.status_code == 403
    assert client.post(path, json={"kind": "link"}).status_code == 401
    assert db.session.scalar(select(func.count()).select_from(UserActivation)) == 0

    admin, _ = start_session(world.user("admin"), SessionKind.API)
    response = client.post(path, json={"kind": "link"}, headers=bearer(admin))
    assert response.status_code == 201, response.text
    body = response.get_json()
    assert body["username"] == "newbie" and body["kind"] == "link"
    assert body["url"].endswith(f"/activate/{body['secret']}")
    assert response.headers["Cache-Control"] == "no-store"
    password = client.post(path, json={"kind": "password"}, headers=bearer(admin)).get_json()
    assert password["url"] is None and len(password["secret"]) == 10
    assert client.post(path, json={"kind": "other"}, headers=bearer(admin)).status_code == 422
    missing = "/api/v1/admin/users/999999/activation"
    assert client.post(missing, json={"kind": "link"}, headers=bearer(admin)).status_code == 404

    rows = audit("user.activation_issued")
    assert [r.changes for r in rows] == [
        {"activation": [None, "link"]},
        {"activation": [None, "password"]},
    ]
    text = json.dumps([r.changes for r in rows])
    assert body["secret"] not in text and password["secret"] not in text

    user.is_active_flag = False
    db.session.commit()
    admin, _ = start_session(world.user("admin"), SessionKind.API)
    assert client.post(path, json={"kind": "link"}, headers=bearer(admin)).status_code == 409


def test_the_admin_pages_refuse_everyone_else(world, client, auth):  # type: ignore[no-untyped-def]
    user = new_user(world)
    auth.login("union_a")
    token = csrf_from(client.get("/").text)
    response = client.post(f"/admin/users/{user.id}/activation/link", data={"csrf_token": token})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(UserActivation)) == 0


@pytest.mark.parametrize("kind", ["password", "link"])
def test_issue_leaves_other_users_alone(ctx, world, kind):  # type: ignore[no-untyped-def]
    a, b = new_user(world, "a1"), new_user(world, "b1")
    assert not b.must_change_password  # loaded: the UPDATE shows on it at once
    issue_activations(None, [b.id], kind)  # type: ignore[arg-type]
    assert b.must_change_password and not a.must_change_password
    first = db.session.scalar(select(UserActivation).where(UserActivation.user_id == b.id))
    issue_activations(None, [a.id, 999_999], kind)  # type: ignore[arg-type]
    db.session.commit()
    assert first is not None and first.expires_at > utcnow()
