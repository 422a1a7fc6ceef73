"""The API contract: /api/v1/openapi.json is a valid OpenAPI 3 document that says what the
server does (the errors it answers with, one error body, typed objects)."""

from __future__ import annotations

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
