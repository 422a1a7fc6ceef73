"""The API contract: /api/v1/openapi.json is a valid OpenAPI 3 document that says what the
server does (the errors it answers with, one error body, typed objects)."""

from __future__ import annotations

import re
from typing import Any

from openapi_spec_validator import validate


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
    ]


def test_the_document_is_valid_openapi_3(client):  # type: ignore[no-untyped-def]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    validate(spec)  # raises on the first violation of the OpenAPI 3 schema
    locations = {
        parameter["in"]
        for path, item in spec["paths"].items()
        for operation in [item, *item.values()]
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
    }
    assert locations <= {"path", "query", "header", "cookie"}


def test_the_paper_tally_is_one_multipart_body(client):  # type: ignore[no-untyped-def]
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/nominations/{nomination_id}/evaluation/paper-tally"]["post"]
    assert "parameters" not in operation
    ref = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    body = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"satisfied", "basic", "dissatisfied", "invalid", "tally_sheet"} == set(
        body["properties"]
    )
    assert body["properties"]["tally_sheet"]["format"] == "binary"


def _spec(client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return client.get("/api/v1/openapi.json").get_json()  # type: ignore[no-any-return]


def test_every_error_is_the_one_error_body(client):  # type: ignore[no-untyped-def]
    spec = _spec(client)
    assert "Error" not in spec["components"]["schemas"]  # flask-smorest's own, another shape
    for method, path, operation in _operations(spec):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ApiError"
                }, (method, path, status)


def test_what_reading_a_request_can_answer_is_documented(client):  # type: ignore[no-untyped-def]
    """Any request: 422 (the input guard); a JSON body: 400 (not JSON), 413; a multipart
    body: 413; a bearer token: 401; an id in the path: 404 (no such object, or not one)."""
    spec = _spec(client)
    for method, path, operation in _operations(spec):
        documented = set(operation["responses"])
        content = operation.get("requestBody", {}).get("content", {})
        expected = {"422"}
        if "application/json" in content:
            expected |= {"400", "413", "422"}
        if "multipart/form-data" in content:
            expected |= {"413", "422"}
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            expected.add("422")
        if operation.get("security"):
            expected.add("401")
        if any(p["schema"]["type"] == "integer" for p in spec["paths"][path].get("parameters", [])):
            expected.add("404")
        assert expected <= documented, (method, path, expected - documented)


def test_a_body_that_is_not_json_is_the_documented_400(client, world):  # type: ignore[no-untyped-def]
    from app.auth.models import SessionKind
    from app.auth.services import start_session

    token = start_session(world.user("union_a"), SessionKind.API)[0]
    sent = 0
    for method, path, operation in _operations(_spec(client)):
        if "application/json" not in operation.get("requestBody", {}).get("content", {}):
            continue
        url = re.sub(r"\{[a-z_]+\}", "1", path)
        response = client.open(
            url,
            method=method,
            data="{not json",
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 400, (method, path, response.text)
        assert set(response.get_json()) == {"code", "message"}
        assert "400" in operation["responses"]
        sent += 1
    assert sent > 20


def test_a_control_character_is_the_documented_422_on_every_operation(client, world):  # type: ignore[no-untyped-def]
    """The input guard answers before any view, token check or route lookup of an object."""
    sent = 0
    for method, path, operation in _operations(_spec(client)):
        url = re.sub(r"\{[a-z_]+\}", "1", path)
        response = client.open(f"{url}?note=a%00b", method=method)
        assert response.status_code == 422, (method, path, response.text)
        assert list(response.get_json()["errors"]) == ["note"]
        assert "422" in operation["responses"]
        sent += 1
    assert sent >= 60


def test_a_multipart_part_without_a_readable_name_is_no_server_error(client, world):  # type: ignore[no-untyped-def]
    """Found by schemathesis: a line break in a part's name leaves Werkzeug no name (None)."""
    from app.auth.models import SessionKind
    from app.auth.services import start_session

    nomination = world.nomination(status="draft")
    token = start_session(world.user("union_a"), SessionKind.API)[0]
    response = client.post(
        f"/api/v1/nominations/{nomination.id}/evidence",
        data={"名称\r": "x", "note\x07": "y"},
        headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422, response.text
    assert list(response.get_json()["errors"]) == ["note\\u0007"]
