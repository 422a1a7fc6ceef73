"""The import in the JSON API: upload, the check's report, confirm once, refusals."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.auth.models import SessionKind, User
from app.auth.services import start_session
from app.extensions import db

USERS_CSV = (
    "用户名,姓名,手机号,电子邮箱,角色,组织代码\n"
    "api.one,张一,13800138001,,基层工会,A-1\n"
    "api.two,张二,,two@example.cn,区县审核人,A\n"
)


def _token(world, key: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {start_session(world.user(key), SessionKind.API)[0]}"}


def _upload(client, headers, kind: str, data: bytes, name: str = "users.csv"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/admin/imports/{kind}",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_upload_check_and_confirm_users(world, client):
    headers = _token(world, "admin")
    created = _upload(client, headers, "users", USERS_CSV.encode())
    assert created.status_code == 201, created.json
    run = created.json
    assert run["status"] == "checked" and run["counts"]["created"] == 2
    assert run["counts"]["problems"] == 0 and run["problems"] == []
    assert {u["username"] for u in run["created"]} == {"api.one", "api.two"}
    assert db.session.scalar(select(User.id).where(User.username == "api.one")) is None

    confirmed = client.post(
        f"/api/v1/admin/imports/runs/{run['id']}/confirm", json={}, headers=headers
    )
    assert confirmed.status_code == 202 and confirmed.json["status"] == "applied"
    assert confirmed.json["result"]["counts"]["created"] == 2
    assert db.session.scalar(select(User.mobile).where(User.username == "api.one")) == "13800138001"
    again = client.post(f"/api/v1/admin/imports/runs/{run['id']}/confirm", json={}, headers=headers)
    assert again.status_code == 409 and again.json["message"]
    assert (
        client.get(f"/api/v1/admin/imports/runs/{run['id']}", headers=headers).json["status"]
        == "applied"
    )


def test_problems_come_back_by_row_and_column_and_the_run_cannot_be_confirmed(world, client):
    headers = _token(world, "admin")
    bad = USERS_CSV + "api.three,张三,12345,,主席,A-1\n"
    run = _upload(client, headers, "users", bad.encode()).json
    assert {(p["row"], p["column"]) for p in run["problems"]} == {(4, "手机号"), (4, "角色")}
    refused = client.post(
        f"/api/v1/admin/imports/runs/{run['id']}/confirm", json={}, headers=headers
    )
    assert refused.status_code == 409
    assert (
        db.session.scalar(select(func.count()).select_from(User).where(User.username.like("api.%")))
        == 0
    )


def test_bad_requests_and_other_users_are_refused(world, client):
    headers = _token(world, "admin")
    assert _upload(client, headers, "nothing", USERS_CSV.encode()).status_code == 404
    missing = client.post(
        "/api/v1/admin/imports/users", data={}, headers=headers, content_type="multipart/form-data"
    )
    assert missing.status_code == 422 and "file" in str(missing.json["errors"])
    empty = _upload(client, headers, "users", b"")
    assert empty.status_code == 422 and empty.json["message"]
    for key in ("union_a", "reviewer_a", "city"):
        assert _upload(client, _token(world, key), "users", USERS_CSV.encode()).status_code == 403
    run = _upload(client, headers, "users", USERS_CSV.encode()).json
    assert (
        client.get(
            f"/api/v1/admin/imports/runs/{run['id']}", headers=_token(world, "city")
        ).status_code
        == 403
    )
    assert client.get("/api/v1/admin/imports/runs/99999", headers=headers).status_code == 404


@pytest.mark.parametrize(
    "path", ["/api/v1/admin/imports/orgs", "/api/v1/admin/imports/runs/1/confirm"]
)
def test_without_a_token_nothing_happens(world, client, path):
    assert client.post(path).status_code == 401
