"""The JSON API under /api/v1: tokens, scope, validation, the workflow, and JSON errors.

Most tests get a token straight from `start_session` (argon2 is slow); the token endpoint
itself is tested through HTTP.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from app.auth.models import SessionKind
from app.auth.services import start_session
from tests.factories import PASSWORD

BEIJING_SUFFIX = "+08:00"


class Api:
    """The test client speaking as one user with a bearer token."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.client.get(f"/api/v1{path}", headers=self.headers, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.client.post(f"/api/v1{path}", headers=self.headers, json=json, **kwargs)

    def delete(self, path: str):  # type: ignore[no-untyped-def]
        return self.client.delete(f"/api/v1{path}", headers=self.headers)

    def act(self, nomination_id: int, action: str, **body: Any):  # type: ignore[no-untyped-def]
        return self.post(f"/nominations/{nomination_id}/actions/{action}", json=body)


@pytest.fixture
def as_user(client, world):  # type: ignore[no-untyped-def]
    """`as_user("reviewer_a")`: an Api client with a fresh API token for that user."""

    def make(key: str) -> Api:
        return Api(client, start_session(world.user(key), SessionKind.API)[0])

    return make


def assert_json_error(response, status: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == status
    assert body["message"]
    return body


# -- tokens -------------------------------------------------------------------------------


def test_token_is_issued_and_works(client, world):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/auth/token", json={"username": "union_a", "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["expires_at"].endswith(BEIJING_SUFFIX)
    assert "password" not in body
    assert Api(client, body["token"]).get("/campaigns").status_code == 200


def test_wrong_password_is_401_json(client, world):  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/auth/token", json={"username": "union_a", "password": "wrong-password"}
    )
    assert_json_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "token" not in response.get_json()


def test_token_request_without_fields_is_422(client, world):  # type: ignore[no-untyped-def]
    body = assert_json_error(client.post("/api/v1/auth/token", json={}), 422)
    assert set(body["errors"]) == {"username", "password"}


def test_token_requests_are_throttled_for_the_failing_client_only(client, new_client, world):  # type: ignore[no-untyped-def]
    guesser = {"REMOTE_ADDR": "10.0.0.9"}
    wrong = {"username": "union_a", "password": "wrong-password"}
    for _ in range(5):
        response = client.post("/api/v1/auth/token", json=wrong, environ_base=guesser)
        assert_json_error(response, 401)
    right = {"username": "union_a", "password": PASSWORD}
    response = client.post("/api/v1/auth/token", json=right, environ_base=guesser)
    body = assert_json_error(response, 429)
    assert set(body) == {"code", "message"} and body["code"] == 429
    assert "登录失败次数过多" in body["message"]
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    # The owner, elsewhere, is not locked out.
    owner = new_client().post(
        "/api/v1/auth/token", json=right, environ_base={"REMOTE_ADDR": "10.0.0.10"}
    )
    assert owner.status_code == 200 and owner.get_json()["token"]


def test_revoked_token_stops_working(client, world):  # type: ignore[no-untyped-def]
    token = client.post(
        "/api/v1/auth/token", json={"username": "reviewer_a", "password": PASSWORD}
    ).get_json()["token"]
    api = Api(client, token)
    assert api.get("/nominations").status_code == 200
    assert api.delete("/auth/token").status_code == 204
    assert_json_error(api.get("/nominations"), 401)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/campaigns"),
        ("get", "/nominations"),
        ("post", "/nominations"),
        ("get", "/nominations/1"),
        ("post", "/nominations/1/actions/submit"),
        ("delete", "/auth/token"),
    ],
)
@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_every_endpoint_needs_a_token(client, world, method, path, token):  # type: ignore[no-untyped-def]
    # Even an invalid body is answered 401 first: nothing is parsed for an anonymous caller.
    api = Api(client, token)
    response = api.post(path, json={}) if method == "post" else getattr(api, method)(path)
    body = assert_json_error(response, 401)
    assert "errors" not in body


def test_a_web_login_session_is_not_an_api_token(client, world):  # type: ignore[no-untyped-def]
    web_token, _expires = start_session(world.user("city"), SessionKind.WEB)
    assert_json_error(Api(client, web_token).get("/campaigns"), 401)


# -- campaigns ----------------------------------------------------------------------------


def test_campaigns_list(as_user, world):  # type: ignore[no-untyped-def]
    response = as_user("union_a").get("/campaigns")
    assert response.status_code == 200
    [campaign] = response.get_json()
    assert campaign["id"] == world.campaign.id
    assert campaign["name"] == world.campaign.name
    assert (campaign["year"], campaign["level"], campaign["status"]) == (2026, "city", "open")
    assert set(campaign["award_types"]) == {"model_home", "model_small_home", "outstanding_worker"}
    assert campaign["deadlines"] == [{"stage": "application", "due_date": "2026-12-31"}]
    assert sorted(campaign["quotas"], key=lambda q: q["district_code"]) == [
        {"district_code": "A", "district_name": "甲区总工会", "quota": 2},
        {"district_code": "B", "district_name": "乙区总工会", "quota": 1},
    ]


# -- listing nominations ------------------------------------------------------------------


def test_nominations_are_paginated(as_user, world):  # type: ignore[no-untyped-def]
    ids = {
        world.nomination(org=world.union_a).id,
        world.nomination(org=world.union_a2).id,
        world.nomination(org=world.union_a, status="submitted").id,
    }
    world.nomination(org=world.union_b)  # another district: never listed for reviewer_a
    api = as_user("reviewer_a")

    first = api.get("/nominations?per_page=2").get_json()
    assert (first["page"], first["per_page"], first["total"]) == (1, 2, 3)
    second = api.get("/nominations?per_page=2&page=2").get_json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert {n["id"] for n in first["items"] + second["items"]} == ids
    assert api.get("/nominations?page=9").get_json()["items"] == []


def test_nominations_filter_by_state_campaign_and_name(as_user, world):  # type: ignore[no-untyped-def]
    submitted = world.nomination(org=world.union_a, status="submitted")
    world.nomination(org=world.union_a2)
    api = as_user("reviewer_a")

    body = api.get("/nominations?state=submitted").get_json()
    assert [n["id"] for n in body["items"]] == [submitted.id]
    assert body["items"][0]["state"] == "submitted"
    assert body["items"][0]["state_label"] == "待审核"
    assert api.get(f"/nominations?campaign_id={world.campaign.id}").get_json()["total"] == 2
    assert api.get("/nominations?campaign_id=999999").get_json()["total"] == 0
    assert api.get("/nominations?q=医院").get_json()["total"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=bogus", "state"),
        ("campaign_id=abc", "campaign_id"),
        ("per_page=101", "per_page"),
        ("page=0", "page"),
    ],
)
def test_bad_filters_are_422_with_field_errors(as_user, world, query, field):  # type: ignore[no-untyped-def]
    body = assert_json_error(as_user("reviewer_a").get(f"/nominations?{query}"), 422)
    assert list(body["errors"]) == [field]


# -- creating -----------------------------------------------------------------------------


def test_union_creates_a_draft(as_user, world):  # type: ignore[no-untyped-def]
    response = as_user("union_a").post(
        "/nominations", json={"campaign_id": world.campaign.id, "award_type": "model_home"}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/nominations/{body['id']}")
    assert body["state"] == "draft"
    assert (body["org_code"], body["org_name"]) == ("A-1", "甲区机械厂工会")
    assert body["campaign_name"] == world.campaign.name
    # An empty self-assessment cannot be submitted yet: the engine offers only withdraw.
    assert set(body["available_actions"]) == {"withdraw"}
    assert [e["action"] for e in body["history"]] == ["create"]


def test_create_validates_the_body(as_user, world):  # type: ignore[no-untyped-def]
    body = assert_json_error(
        as_user("union_a").post("/nominations", json={"award_type": "medal"}), 422
    )
    assert set(body["errors"]) == {"campaign_id", "award_type"}


def test_create_reports_the_services_field_errors(as_user, world):  # type: ignore[no-untyped-def]
    body = assert_json_error(
        as_user("union_a").post(
            "/nominations",
            json={"campaign_id": world.campaign.id, "award_type": "outstanding_worker"},
        ),
        422,
    )
    assert "nominee_name" in body["errors"]


def test_reviewer_may_not_create(as_user, world):  # type: ignore[no-untyped-def]
    assert_json_error(
        as_user("reviewer_a").post(
            "/nominations", json={"campaign_id": world.campaign.id, "award_type": "model_home"}
        ),
        403,
    )


def test_duplicate_nomination_is_409(as_user, world):  # type: ignore[no-untyped-def]
    api = as_user("union_a")
    payload = {"campaign_id": world.campaign.id, "award_type": "model_home"}
    assert api.post("/nominations", json=payload).status_code == 201
    body = assert_json_error(api.post("/nominations", json=payload), 409)
    assert body["problems"]


# -- reading one --------------------------------------------------------------------------


def test_detail_has_actions_and_history(as_user, world):  # type: ignore[no-untyped-def]
    nomination = world.nomination(org=world.union_a, status="submitted")
    response = as_user("reviewer_a").get(f"/nominations/{nomination.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == nomination.id
    assert body["campaign_id"] == world.campaign.id
    assert body["award_type"] == "model_home"
    assert body["nominee_name"] is None
    assert body["version"] == nomination.version
    assert set(body["available_actions"]) == {"return", "approve", "reject"}
    [event] = body["history"]
    assert (event["action"], event["from_state"], event["to_state"]) == (
        "create",
        None,
        "submitted",
    )
    assert event["actor"] is None
    assert event["created_at"].endswith(BEIJING_SUFFIX)


def test_other_districts_nomination_is_404(as_user, world):  # type: ignore[no-untyped-def]
    nomination = world.nomination(org=world.union_a, status="submitted")
    api = as_user("reviewer_b")
    assert_json_error(api.get(f"/nominations/{nomination.id}"), 404)
    assert_json_error(api.act(nomination.id, "approve", version=nomination.version), 404)
    assert_json_error(api.get("/nominations/999999"), 404)


# -- actions ------------------------------------------------------------------------------


def test_submit_return_and_resubmit(as_user, world):  # type: ignore[no-untyped-def]
    nomination = world.nomination(org=world.union_a)
    union, reviewer = as_user("union_a"), as_user("reviewer_a")

    body = union.act(nomination.id, "submit", version=nomination.version).get_json()
    assert body["state"] == "submitted"
    assert body["history"][-1]["action"] == "submit"
    assert body["history"][-1]["actor"] == "甲区机械厂工会干事"

    refused = assert_json_error(reviewer.act(nomination.id, "return", version=body["version"]), 422)
    assert "comment" in refused["errors"]
    assert (
        reviewer.act(nomination.id, "return", version=body["version"], comment="   ").status_code
        == 422
    )

    response = reviewer.act(
        nomination.id, "return", version=body["version"], comment="请补充会员代表大会记录。"
    )
    assert response.status_code == 200
    returned = response.get_json()
    assert returned["state"] == "returned"
    assert returned["version"] > body["version"]
    assert returned["history"][-1]["comment"] == "请补充会员代表大会记录。"
    assert returned["available_actions"] == []  # the union's move now

    again = union.act(nomination.id, "submit", version=returned["version"]).get_json()
    assert again["state"] == "submitted"


def test_stale_version_is_409(as_user, world):  # type: ignore[no-untyped-def]
    nomination = world.nomination(org=world.union_a, status="submitted")
    stale = nomination.version - 1
    assert_json_error(as_user("reviewer_a").act(nomination.id, "approve", version=stale), 409)
    assert (
        as_user("reviewer_a").get(f"/nominations/{nomination.id}").get_json()["state"]
        == "submitted"
    )


def test_union_may_not_approve(as_user, world):  # type: ignore[no-untyped-def]
    nomination = world.nomination(org=world.union_a, status="submitted")
    assert_json_error(
        as_user("union_a").act(nomination.id, "approve", version=nomination.version), 403
    )


def test_state_not_allowing_the_action_is_409(as_user, world):  # type: ignore[no-untyped-def]
    nomination = world.nomination(org=world.union_a, status="draft")
    assert_json_error(
        as_user("reviewer_a").act(nomination.id, "approve", version=nomination.version), 409
    )


def test_approve_moves_to_member_evaluation(as_user, world):  # type: ignore[no-untyped-def]
    nomination = world.nomination(org=world.union_a, status="submitted")
    body = (
        as_user("reviewer_a").act(nomination.id, "approve", version=nomination.version).get_json()
    )
    assert (body["state"], body["state_label"]) == ("member_evaluation", "会员评家")


def test_unknown_action_is_404(as_user, world):  # type: ignore[no-untyped-def]
    nomination = world.nomination(org=world.union_a)
    assert_json_error(
        as_user("union_a").act(nomination.id, "explode", version=nomination.version), 404
    )


def test_system_action_is_refused(as_user, world):  # type: ignore[no-untyped-def]
    nomination = world.nomination(org=world.union_a, status="awaiting_draw")
    assert_json_error(as_user("city").act(nomination.id, "draw", version=nomination.version), 403)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "version"),
        ({"version": "one"}, "version"),
        ({"version": 1, "comment": 5}, "comment"),
        ({"version": 1, "colour": "red"}, "colour"),
    ],
)
def test_action_body_is_validated(as_user, world, body, field):  # type: ignore[no-untyped-def]
    nomination = world.nomination(org=world.union_a)
    response = as_user("union_a").post(f"/nominations/{nomination.id}/actions/submit", json=body)
    assert field in assert_json_error(response, 422)["errors"]


def test_malformed_json_is_a_json_error(as_user, world):  # type: ignore[no-untyped-def]
    nomination = world.nomination(org=world.union_a)
    response = as_user("union_a").post(
        f"/nominations/{nomination.id}/actions/submit",
        data="{not json",
        content_type="application/json",
    )
    assert assert_json_error(response, 400)["message"] == "请求体不是有效的 JSON。"


# -- errors are JSON everywhere -----------------------------------------------------------


def test_405_keeps_the_allow_header(as_user, world):  # type: ignore[no-untyped-def]
    response = as_user("union_a").delete("/nominations")
    assert_json_error(response, 405)
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed


def test_unknown_api_path_is_json_404(client, world):  # type: ignore[no-untyped-def]
    assert_json_error(client.get("/api/v1/xyz"), 404)
    assert_json_error(client.get("/api/v1/nominations/not-a-number"), 404)


# -- the OpenAPI document -----------------------------------------------------------------


def test_openapi_document_describes_the_api(client):  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    paths = spec["paths"]
    assert set(paths["/api/v1/auth/token"]) >= {"post", "delete"}
    assert "get" in paths["/api/v1/campaigns"]
    assert set(paths["/api/v1/nominations"]) >= {"get", "post"}
    assert "get" in paths["/api/v1/nominations/{nomination_id}"]
    assert "post" in paths["/api/v1/nominations/{nomination_id}/actions/{action}"]
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from `POST /api/v1/auth/token`.",
    }
    assert paths["/api/v1/nominations"]["get"]["security"] == [{"bearerAuth": []}]
    assert "security" not in paths["/api/v1/auth/token"]["post"]
    schemas = spec["components"]["schemas"]
    assert {"available_actions", "history", "version", "state"} <= set(
        schemas["NominationDetail"]["properties"]
    )
    assert {"code", "message", "errors", "problems", "reason"} == set(
        schemas["ApiError"]["properties"]
    )


def test_an_oversized_id_in_a_url_is_404_not_500(world, client, auth, as_user):
    """Every `<int:…>` route stops at the database's integer range."""
    assert_json_error(as_user("union_a").get(f"/nominations/{10**20}"), 404)
    auth.login("union_a")
    assert client.get(f"/nominations/{10**20}").status_code == 404
    assert client.get(f"/nominations/{2**31 - 1}").status_code == 404  # in range, not found
