"""The API's inputs as a client sends them: control characters refused naming the field (in
the body at any depth, in the query, in a path, in an upload's name), whole numbers held to
the database's range, and the document saying so. The pages' side is in
tests/test_inputs_web.py; every route and operation at once in tests/test_fuzz_inputs.py."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from app.auth.models import SessionKind
from app.auth.services import start_session
from app.dbtypes import INT4_MAX, INT4_MIN
from app.extensions import db
from app.nominations.models import Nomination
from tests.fuzz_support import at, dotted, example, leaves, replaced
from tests.fuzz_world import png


def _api(client, world, key: str = "union_a"):  # type: ignore[no-untyped-def]
    token = start_session(world.user(key), SessionKind.API)[0]
    return {"Authorization": f"Bearer {token}"}


def _refused(response, *fields: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == 422 and body["message"]
    assert set(body["errors"]) == set(fields), body["errors"]
    return body


def test_nul_in_the_token_request_is_refused_in_chinese_naming_the_field(client, world):  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/auth/token", json={"username": "union_a\u0000", "password": "password-123"}
    )
    body = _refused(response, "username")
    assert body["message"] == "部分内容含有文本中不允许的控制字符（如 NUL）。"
    field = "请删除此项中的控制字符（如 NUL）：文本中不能含有这类字符。"
    assert body["errors"]["username"] == [field]


def test_the_same_refusal_in_english(client, world):  # type: ignore[no-untyped-def]
    client.set_cookie("lang", "en")
    response = client.post("/api/v1/auth/token", json={"username": "a\x1b", "password": "x"})
    body = _refused(response, "username")
    assert "control characters" in body["message"]


def test_a_nested_field_is_named_by_its_dotted_path(client, world):  # type: ignore[no-untyped-def]
    nomination = world.nomination(status="draft")
    response = client.patch(
        f"/api/v1/nominations/{nomination.id}/self-assessment",
        json={"items": [{"item_id": 1, "statement": "好"}, {"item_id": 2, "statement": "坏\x00"}]},
        headers=_api(client, world),
    )
    _refused(response, "items.1.statement")


def test_a_key_with_a_control_character_is_named_escaped_and_a_lone_surrogate_refused(
    client, world
):  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/auth/token",
        json={"username": "union_a", "password": "a\ud800b", "x\x07": 1},
    )
    _refused(response, "password", "x\\u0007")


def test_tab_and_line_breaks_are_text(client, world):  # type: ignore[no-untyped-def]
    nomination = world.nomination(status="submitted")
    comment = "请补充：\n\t1. 会议记录\r\n\t2. 台账"
    response = client.post(
        f"/api/v1/nominations/{nomination.id}/actions/return",
        json={"comment": comment, "version": nomination.version},
        headers=_api(client, world, "reviewer_a"),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["state"] == "returned"
    assert db.session.get(Nomination, nomination.id).events[-1].comment == comment


def test_nul_in_the_query_and_in_a_path_is_refused_naming_the_parameter(client, world):  # type: ignore[no-untyped-def]
    headers = _api(client, world)
    _refused(client.get("/api/v1/nominations?q=%E7%94%B2%00", headers=headers), "q")
    _refused(client.get("/api/v1/certificates/AB%00CD"), "code")


def test_an_upload_named_with_a_control_character_is_refused_its_bytes_are_not_read(client, world):  # type: ignore[no-untyped-def]
    nomination = world.nomination(status="draft")
    url = f"/api/v1/nominations/{nomination.id}/evidence"
    named = client.post(
        url, data={"file": (io.BytesIO(png().read()), "照\x00片.png")}, headers=_api(client, world)
    )
    _refused(named, "file")
    # A PNG holds NUL bytes in plenty: the contents are not text.
    stored = client.post(
        url, data={"file": (io.BytesIO(png().read()), "照片.png")}, headers=_api(client, world)
    )
    assert stored.status_code == 201, stored.get_data(as_text=True)


@pytest.mark.parametrize("campaign_id", [1099511627776, 2**31, 2**63, -1, 0])
def test_an_id_beyond_the_database_is_a_field_error(client, world, campaign_id):  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/nominations",
        json={"campaign_id": campaign_id, "award_type": "model_home"},
        headers=_api(client, world),
    )
    body = _refused(response, "campaign_id")
    assert "2147483647" in body["errors"]["campaign_id"][0]


def test_counts_in_a_list_are_held_to_the_range_too(client, world):  # type: ignore[no-untyped-def]
    nomination = world.nomination(status="draft")
    response = client.patch(
        f"/api/v1/nominations/{nomination.id}/self-assessment",
        json={"figures": {"staff_count": 2**31}},
        headers=_api(client, world),
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "figures" in str(response.get_json()["errors"])


def test_a_json_body_nested_too_deep_is_refused_not_a_server_error(client):  # type: ignore[no-untyped-def]
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert response.status_code == 400


def _integers(spec: dict, schema: dict, where: str, seen: frozenset = frozenset()):  # type: ignore[no-untyped-def]
    """(where, schema) of every integer a request may carry, refs and containers walked."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        seen, schema = seen | {name}, spec["components"]["schemas"][name]
    if schema.get("type") == "integer":
        yield where, schema
    for key, prop in schema.get("properties", {}).items():
        yield from _integers(spec, prop, f"{where}.{key}", seen)
    if "items" in schema:
        yield from _integers(spec, schema["items"], f"{where}[]", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _integers(spec, schema["additionalProperties"], f"{where}{{}}", seen)


def test_every_integer_a_request_carries_is_documented_within_the_databases_range(client):  # type: ignore[no-untyped-def]
    spec = client.get("/api/v1/openapi.json").get_json()
    found, unbounded = 0, []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            sources = [
                (f"{method} {path} ?{p['name']}", p["schema"])
                for p in operation.get("parameters", [])
                if p["in"] == "query"
            ]
            for content in operation.get("requestBody", {}).get("content", {}).values():
                sources.append((f"{method} {path} body", content["schema"]))
            for where, schema in sources:
                for name, integer in _integers(spec, schema, where):
                    found += 1
                    low, high = integer.get("minimum"), integer.get("maximum")
                    if low is None or high is None or low < INT4_MIN or high > INT4_MAX:
                        unbounded.append(f"{name}: {low}..{high}")
    assert found > 20
    assert not unbounded


def test_every_date_and_whole_number_of_every_body_is_held_to_what_the_product_holds(client, world):  # type: ignore[no-untyped-def]
    """Whoever sends it, before the view looks at anything: each date of a body in the year
    9999 and each whole number beyond int4 is a field error (a far date used to overflow
    the publicity's working days, a 500, where the page's form refused it)."""
    spec = client.get("/api/v1/openapi.json").get_json()
    headers = _api(client, world, "city")
    checked = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            body = example(spec, content["application/json"]["schema"])
            url = path
            for name in re.findall(r"{(\w+)}", path):
                url = url.replace("{" + name + "}", "1")
            for leaf in leaves(body):
                value = at(body, leaf)
                if isinstance(value, bool) or not isinstance(value, int | str):
                    continue
                if isinstance(value, int):
                    wrong: Any = 2**31
                elif re.fullmatch(r"\d{4}-\d\d-\d\d", value):
                    wrong = "9999-12-31"
                elif re.fullmatch(r"\d{4}-\d\d-\d\dT.*", value):
                    wrong = "9999-12-31T23:59:59+08:00"
                else:
                    continue
                response = client.open(
                    url, method=method, json=replaced(body, leaf, wrong), headers=headers
                )
                where = f"{method} {path} {dotted(leaf)}={wrong}"
                assert response.status_code == 422, where + response.get_data(as_text=True)
                # The field is named by its dotted path in the body (`figures.staff_count`).
                assert dotted(leaf) in response.get_json()["errors"], where
                checked.append(where)
    assert any("starts_on" in c for c in checked) and any("campaign_id" in c for c in checked)
    assert len(checked) > 20
