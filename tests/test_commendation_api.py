"""表彰 through /api/v1 with real bearer tokens: quotas, publishing, a public objection (no
token, contact kept private, rate-limited), an open objection blocking the commendation,
certificates checked real / forged / revoked, the honour roll, the rectification of a
commended home, refusals, and the OpenAPI document."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image

from app.commendation.models import Publicity
from app.extensions import db
from app.timeutil import beijing_today
from tests.test_api import Api, as_user, assert_json_error  # noqa: F401  (fixture re-export)
from tests.test_commendation import _end_period

OBJECTION = "该单位职代会近两年未召开，与申报材料不符。"
CONTACT = "13912345678"


def _put(api: Api, path: str, body: Any):  # type: ignore[no-untyped-def]
    return api.client.put(f"/api/v1{path}", headers=api.headers, json=body)


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 120, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def candidates(world):  # type: ignore[no-untyped-def]
    """Three candidates in district A (quota 2), two in district B (quota 1)."""
    orgs = [world.union_a, world.union_a2, world.union_a, world.union_b, world.union_b]
    return [world.nomination(org=o, status="candidate") for o in orgs]


def _publish(city: Api, world, candidates) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    saved = _put(
        city,
        f"/campaigns/{world.campaign.id}/commendation/selection",
        {
            "choices": [
                {"nomination_id": candidates[0].id, "selected": True, "rank": 1},
                {"nomination_id": candidates[3].id, "selected": True, "rank": 2},
            ]
        },
    )
    assert saved.status_code == 200, saved.text
    published = city.post(
        f"/campaigns/{world.campaign.id}/publicities",
        json={"title": "2026年度市级模范职工之家拟表彰名单公示"},
    )
    assert published.status_code == 201, published.text
    return published.get_json()


def _lodge(client, publicity_id: int, nomination_id: int, **extra: Any):  # type: ignore[no-untyped-def]
    body = {
        "nomination_id": nomination_id,
        "body": OBJECTION,
        "name": "李四",
        "contact": CONTACT,
        **extra,
    }
    return client.post(f"/api/v1/publicities/{publicity_id}/objections", json=body)


def _commend(city: Api, publicity_id: int, number: str = "示工发〔2026〕9号"):  # type: ignore[no-untyped-def]
    return city.post(
        f"/publicities/{publicity_id}/commendation",
        json={"document_number": number, "decided_on": beijing_today().isoformat()},
    )


def _commended(city: Api, world, candidates) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    publicity = _publish(city, world, candidates)
    _end_period(db.session.get(Publicity, publicity["id"]))
    commended = _commend(city, publicity["id"])
    assert commended.status_code == 201, commended.text
    return commended.get_json()


# -- the decision and publishing ----------------------------------------------------------


def test_the_board_refuses_a_selection_over_quota(world, as_user, candidates):  # noqa: F811
    city = as_user("city")
    campaign = world.campaign.id
    board = city.get(f"/campaigns/{campaign}/commendation")
    assert board.status_code == 200, board.text
    body = board.get_json()
    assert {(d["name"], d["quota"], d["candidates"], d["selected"]) for d in body["districts"]} == {
        ("甲区总工会", 2, 3, 0),
        ("乙区总工会", 1, 2, 0),
    }
    row = body["rows"][0]
    assert row["spot_check"] == "未抽中" and row["items_met"] == row["items_total"] > 0
    assert row["unit"] and row["district_name"] in ("甲区总工会", "乙区总工会")

    over = assert_json_error(
        _put(
            city,
            f"/campaigns/{campaign}/commendation/selection",
            {
                "choices": [
                    {"nomination_id": n.id, "selected": True, "rank": i}
                    for i, n in enumerate(candidates[:3], 1)
                ]
            },
        ),
        422,
    )
    assert over["errors"] == {
        f"district_{world.district_a.id}": ["甲区总工会名额 2 个，已选 3 个，超出名额。"]
    }
    again = city.get(f"/campaigns/{campaign}/commendation").get_json()
    assert not any(r["selected"] for r in again["rows"])  # nothing saved
    bad_rank = assert_json_error(
        _put(
            city,
            f"/campaigns/{campaign}/commendation/selection",
            {"choices": [{"nomination_id": candidates[0].id, "selected": True, "rank": 0}]},
        ),
        422,
    )
    assert list(bad_rank["errors"]) == ["choices.0.rank"]  # the field's place in the body
    missing = assert_json_error(
        _put(city, f"/campaigns/{campaign}/commendation/selection", {}), 422
    )
    assert missing["errors"] == {"choices": ["缺少 choices。"]}

    for who in ("reviewer_a", "union_a"):
        assert_json_error(as_user(who).get(f"/campaigns/{campaign}/commendation"), 403)
        assert_json_error(
            _put(as_user(who), f"/campaigns/{campaign}/commendation/selection", {"choices": []}),
            403,
        )
    assert_json_error(city.get("/campaigns/999999/commendation"), 404)
    assert_json_error(city.client.get(f"/api/v1/campaigns/{campaign}/commendation"), 401)


def test_publishing_puts_the_list_up_for_the_public(world, as_user, client, candidates):  # noqa: F811
    city = as_user("city")
    assert_json_error(city.post(f"/campaigns/{world.campaign.id}/publicities", json={}), 409)
    assert_json_error(
        as_user("reviewer_a").post(f"/campaigns/{world.campaign.id}/publicities", json={}), 403
    )
    past = assert_json_error(
        city.post(
            f"/campaigns/{world.campaign.id}/publicities",
            json={"starts_on": (beijing_today() - timedelta(days=1)).isoformat()},
        ),
        422,
    )
    assert past["errors"] == {"starts_on": ["请选择今天或以后的日期。"]}

    publicity = _publish(city, world, candidates)
    assert publicity["open"] and publicity["working_days"] == 5
    assert publicity["starts_on"] == beijing_today().isoformat()
    assert [(e["unit"], e["district"], e["status"]) for e in publicity["entries"]] == [
        ("甲区机械厂工会", "甲区总工会", "publicity"),
        ("乙区街道总工会", "乙区总工会", "publicity"),
    ]

    public = client.get(f"/api/v1/publicities/{publicity['id']}")  # no token
    assert public.status_code == 200
    body = public.get_json()
    assert body["title"] == "2026年度市级模范职工之家拟表彰名单公示"
    assert body["ends_on"] >= body["starts_on"] and body["open"] is True
    assert body["entries"][0]["status_label"] == "公示中"
    assert_json_error(client.get("/api/v1/publicities/999999"), 404)

    listed = city.get(f"/campaigns/{world.campaign.id}/publicities").get_json()
    assert [p["id"] for p in listed] == [publicity["id"]]
    states = {n.id: city.get(f"/nominations/{n.id}").get_json()["state"] for n in candidates}
    assert sorted(states.values()) == ["not_commended"] * 3 + ["publicity"] * 2


def test_a_list_not_up_yet_is_seen_by_the_organising_city_only(
    world,
    as_user,  # noqa: F811
    client,
    candidates,
):
    city = as_user("city")
    campaign = world.campaign.id
    huge = assert_json_error(
        _put(
            city,
            f"/campaigns/{campaign}/commendation/selection",
            {"choices": [{"nomination_id": candidates[0].id, "selected": True, "rank": 10**12}]},
        ),
        422,
    )  # beyond the integer column: refused, not a server error
    # Named by its place in the body; beyond what the column holds, the range is the column's.
    assert huge["errors"] == {"choices.0.rank": ["须为 -2147483648 至 2147483647 之间的整数。"]}
    stranger = world.nomination(status="draft")
    not_a_candidate = assert_json_error(
        _put(
            city,
            f"/campaigns/{campaign}/commendation/selection",
            {
                "choices": [
                    {"nomination_id": candidates[0].id, "selected": False},
                    {"nomination_id": stranger.id, "selected": True},
                ]
            },
        ),
        422,
    )
    assert list(not_a_candidate["errors"]) == ["choices.1.nomination_id"]
    saved = _put(
        city,
        f"/campaigns/{campaign}/commendation/selection",
        {"choices": [{"nomination_id": candidates[0].id, "selected": True, "rank": 1}]},
    )
    assert saved.status_code == 200, saved.text
    later = (beijing_today() + timedelta(days=3)).isoformat()
    published = city.post(f"/campaigns/{campaign}/publicities", json={"starts_on": later})
    assert published.status_code == 201, published.text
    pid = published.get_json()["id"]

    assert_json_error(client.get(f"/api/v1/publicities/{pid}"), 404)  # no token
    reviewer = as_user("reviewer_a")
    assert_json_error(reviewer.get(f"/publicities/{pid}"), 404)
    assert reviewer.get(f"/campaigns/{campaign}/publicities").get_json() == []
    assert city.get(f"/publicities/{pid}").status_code == 200
    assert [p["id"] for p in city.get(f"/campaigns/{campaign}/publicities").get_json()] == [pid]
    assert client.get(f"/publicity/{pid}").status_code == 404  # the page agrees


# -- objections ---------------------------------------------------------------------------


def test_a_public_objection_keeps_the_contact_private(world, as_user, client, candidates, app):  # noqa: F811
    city = as_user("city")
    publicity = _publish(city, world, candidates)
    lodged = _lodge(client, publicity["id"], candidates[0].id)  # no token
    assert lodged.status_code == 201, lodged.text
    body = lodged.get_json()
    assert body["unit"] == "甲区机械厂工会" and body["status"] == "open"
    assert CONTACT not in lodged.text and "李四" not in lodged.text
    assert "contact" not in body and "name" not in body

    short = assert_json_error(
        _lodge(client, publicity["id"], candidates[0].id, body="不好", contact=""), 422
    )
    assert set(short["errors"]) == {"body", "contact"}
    assert "至少 10 个字" in short["errors"]["body"][0]
    assert_json_error(_lodge(client, publicity["id"], candidates[1].id), 404)  # not listed
    missing = assert_json_error(
        client.post(f"/api/v1/publicities/{publicity['id']}/objections", json={"body": OBJECTION}),
        422,
    )
    assert set(missing["errors"]) == {"nomination_id", "contact"}

    app.config["OBJECTIONS_PER_ADDRESS_PER_DAY"] = 2
    try:
        assert _lodge(client, publicity["id"], candidates[3].id).status_code == 201
        refused = _lodge(client, publicity["id"], candidates[3].id)
        limited = assert_json_error(refused, 429)
        assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600
        assert "24 小时内最多提交 2 条异议" in limited["message"]
    finally:
        app.config["OBJECTIONS_PER_ADDRESS_PER_DAY"] = 5

    seen = city.get(f"/campaigns/{world.campaign.id}/objections")
    assert seen.status_code == 200
    assert [(o["contact"], o["name"], o["status"]) for o in seen.get_json()] == [
        (CONTACT, "李四", "open"),
        (CONTACT, "李四", "open"),
    ]
    assert (
        len(city.get(f"/campaigns/{world.campaign.id}/objections?open_only=true").get_json()) == 2
    )
    for who in ("reviewer_a", "union_a"):
        assert_json_error(as_user(who).get(f"/campaigns/{world.campaign.id}/objections"), 403)
        assert_json_error(
            as_user(who).post(
                f"/objections/{body['id']}/answer",
                json={"decision": "dismiss", "answer": "经核查异议不成立。"},
            ),
            404,
        )
    assert_json_error(client.get(f"/api/v1/campaigns/{world.campaign.id}/objections"), 401)
    # the public list never shows them
    assert CONTACT not in client.get(f"/api/v1/publicities/{publicity['id']}").text


def test_an_open_objection_blocks_commendation_until_answered(
    world,
    as_user,  # noqa: F811
    client,
    candidates,
):
    city = as_user("city")
    publicity = _publish(city, world, candidates)
    objection = _lodge(client, publicity["id"], candidates[0].id).get_json()
    early = assert_json_error(_commend(city, publicity["id"]), 409)
    assert "期满后方可发文表彰" in early["message"]
    _end_period(db.session.get(Publicity, publicity["id"]))
    closed = assert_json_error(_lodge(client, publicity["id"], candidates[0].id), 409)
    assert "不在公示期内" in closed["message"]

    blocked = assert_json_error(_commend(city, publicity["id"]), 409)
    assert blocked["problems"] == [f"异议 {objection['id']}：甲区机械厂工会"]

    no_deadline = assert_json_error(
        city.post(
            f"/objections/{objection['id']}/answer",
            json={"decision": "rectification", "answer": "经核查，异议部分属实。"},
        ),
        422,
    )
    assert no_deadline["errors"] == {"deadline": ["请填写整改期限。"]}
    wrong = assert_json_error(
        city.post(
            f"/objections/{objection['id']}/answer", json={"decision": "maybe", "answer": "x"}
        ),
        422,
    )
    assert wrong["errors"]["decision"]
    answered = city.post(
        f"/objections/{objection['id']}/answer",
        json={
            "decision": "dismiss",
            "answer": "经核查，该单位2025年5月召开职代会，有会议纪要为证，异议不成立。",
        },
    )
    assert answered.status_code == 200, answered.text
    assert answered.get_json()["status"] == "dismissed"
    assert answered.get_json()["answered_by"] == "市总工会"
    assert_json_error(
        city.post(
            f"/objections/{objection['id']}/answer",
            json={"decision": "dismiss", "answer": "再答一次。"},
        ),
        409,
    )

    assert_json_error(
        as_user("reviewer_a").post(
            f"/publicities/{publicity['id']}/commendation",
            json={"document_number": "x号", "decided_on": beijing_today().isoformat()},
        ),
        403,
    )
    no_number = assert_json_error(
        city.post(
            f"/publicities/{publicity['id']}/commendation", json={"decided_on": "2026-13-01"}
        ),
        422,
    )
    assert set(no_number["errors"]) == {"document_number", "decided_on"}
    commended = _commend(city, publicity["id"])
    assert commended.status_code == 201, commended.text
    body = commended.get_json()
    assert body["document_number"] == "示工发〔2026〕9号"
    assert [(c["serial"], c["unit"], c["status"]) for c in body["certificates"]] == [
        ("2026-0001", "甲区机械厂工会", "valid"),
        ("2026-0002", "乙区街道总工会", "valid"),
    ]
    assert_json_error(_commend(city, publicity["id"], "示工发〔2026〕10号"), 409)
    assert city.get(f"/nominations/{candidates[0].id}").get_json()["state"] == "commended"


# -- certificates and the roll ------------------------------------------------------------


def test_certificates_real_forged_and_revoked_and_the_roll(
    world,
    as_user,  # noqa: F811
    client,
    candidates,
):
    city = as_user("city")
    commendation = _commended(city, world, candidates)
    home = candidates[0]
    mine = as_user("union_a").get(f"/nominations/{home.id}/certificate")
    assert mine.status_code == 200, mine.text
    certificate = mine.get_json()
    assert certificate["serial"] == "2026-0001" and certificate["status"] == "valid"
    assert certificate["pdf_url"] == f"/nominations/{home.id}/certificate.pdf"
    assert certificate["check_url"].endswith(f"/certificates/{certificate['code']}")
    assert certificate["document_number"] == commendation["document_number"]
    assert_json_error(as_user("union_b").get(f"/nominations/{home.id}/certificate"), 404)
    assert_json_error(city.get(f"/nominations/{candidates[1].id}/certificate"), 404)

    real = client.get(f"/api/v1/certificates/{certificate['code'].lower()}")  # no token
    assert real.status_code == 200
    assert real.get_json() | {"decided_on": None} == {
        "status": "valid",
        "code": certificate["code"],
        "serial": "2026-0001",
        "unit": "甲区机械厂工会",
        "award": real.get_json()["award"],
        "campaign": "2026年度市级模范职工之家评选",
        "year": 2026,
        "document_number": "示工发〔2026〕9号",
        "decided_on": None,
        "revoked_on": None,
        "revoked_reason": None,
    }
    forged = client.get("/api/v1/certificates/ABCD-EFGH-JKLM")
    assert forged.status_code == 200
    assert forged.get_json()["status"] == "unknown" and forged.get_json()["unit"] is None

    # only the city revokes: the reviewer is refused, another district's reviewer sees nothing
    reason = {"reason": "2027年复查发现台账弄虚作假。"}
    assert_json_error(
        as_user("reviewer_a").post(f"/nominations/{home.id}/honour/revoke", json=reason), 403
    )
    assert_json_error(
        as_user("reviewer_b").post(f"/nominations/{home.id}/honour/revoke", json=reason), 404
    )
    assert_json_error(
        as_user("union_a").post(f"/nominations/{home.id}/honour/revoke", json=reason), 403
    )
    empty = assert_json_error(
        city.post(f"/nominations/{home.id}/honour/revoke", json={"reason": " "}), 422
    )
    assert empty["errors"] == {"reason": ["请填写理由。"]}
    future = assert_json_error(
        city.post(
            f"/nominations/{home.id}/honour/revoke",
            json={**reason, "revoked_on": (beijing_today() + timedelta(days=1)).isoformat()},
        ),
        422,
    )
    assert future["errors"] == {"revoked_on": ["撤销日期不能晚于今天。"]}
    revoked = city.post(f"/nominations/{home.id}/honour/revoke", json=reason)
    assert revoked.status_code == 200, revoked.text
    assert revoked.get_json()["status"] == "revoked"
    assert revoked.get_json()["revoked_on"] == beijing_today().isoformat()

    check = client.get(f"/api/v1/certificates/{certificate['code']}").get_json()
    assert (check["status"], check["revoked_reason"], check["revoked_on"]) == (
        "revoked",
        reason["reason"],
        beijing_today().isoformat(),
    )
    roll = client.get("/api/v1/honours?year=2026")  # no token
    assert roll.status_code == 200
    assert [(e["serial"], e["unit"], e["district"], e["revoked"]) for e in roll.get_json()] == [
        ("2026-0001", "甲区机械厂工会", "甲区总工会", True),
        ("2026-0002", "乙区街道总工会", "乙区总工会", False),
    ]
    district_b = client.get(f"/api/v1/honours?district_id={world.district_b.id}&level=city")
    assert [e["unit"] for e in district_b.get_json()] == ["乙区街道总工会"]
    assert client.get("/api/v1/honours?year=2025").get_json() == []
    bad = assert_json_error(client.get("/api/v1/honours?level=planet"), 422)
    assert "level" in bad["errors"]


# -- dynamic management -------------------------------------------------------------------


def test_a_commended_home_rectifies_through_the_api(world, as_user, candidates):  # noqa: F811
    city = as_user("city")
    _commended(city, world, candidates)
    home = candidates[3]  # union B's
    path = f"/nominations/{home.id}/honour/rectification"
    deadline = (beijing_today() + timedelta(days=30)).isoformat()
    order = {"reason": "复查发现集体合同到期未续签。", "deadline": deadline}
    assert_json_error(as_user("reviewer_b").post(path, json=order), 403)
    assert_json_error(as_user("reviewer_a").post(path, json=order), 404)
    assert_json_error(as_user("union_b").post(path, json=order), 403)
    past = assert_json_error(city.post(path, json={**order, "deadline": "2020-01-01"}), 422)
    assert past["errors"] == {"deadline": ["整改期限须晚于今天。"]}
    ordered = city.post(path, json=order)
    assert ordered.status_code == 201, ordered.text
    body = ordered.get_json()
    assert (body["state"], body["origin"], body["deadline"], body["overdue"]) == (
        "honour_rectification",
        "commended",
        deadline,
        False,
    )

    union = as_user("union_b")
    assert union.get(path).get_json()["reason"] == order["reason"]
    assert_json_error(as_user("union_a").get(path), 404)
    assert_json_error(_put(as_user("union_a"), path, {"statement": "x"}), 404)
    incomplete = assert_json_error(union.post(f"{path}/submit"), 409)
    assert incomplete["problems"] == ["请填写整改情况说明。", "请上传整改佐证材料。"]
    saved = _put(union, path, {"statement": "已与职工方续签集体合同并报备。"})
    assert saved.status_code == 200 and saved.get_json()["statement"].startswith("已与职工方")
    upload = union.client.post(
        f"/api/v1{path}/files",
        headers=union.headers,
        data={"file": (io.BytesIO(_jpeg()), "集体合同.jpg")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.text
    assert upload.get_json()["name"] == "集体合同.jpg" and upload.get_json()["kind"] == "image"
    assert_json_error(_put(city, path, {"statement": "市总代填"}), 403)
    submitted = union.post(f"{path}/submit")
    assert submitted.status_code == 200 and submitted.get_json()["submitted_at"]
    assert [f["name"] for f in submitted.get_json()["files"]] == ["集体合同.jpg"]
    assert_json_error(_put(union, path, {"statement": "再改"}), 409)  # handed in

    decision = f"{path}/decision"
    assert_json_error(union.post(decision, json={"accept": True}), 403)
    assert_json_error(as_user("reviewer_b").post(decision, json={"accept": True}), 403)
    no_comment = assert_json_error(city.post(decision, json={"accept": False}), 422)
    assert no_comment["errors"] == {"comment": ["请填写意见。"]}
    accepted = city.post(decision, json={"accept": True, "comment": "整改到位，保留称号。"})
    assert accepted.status_code == 200, accepted.text
    assert (accepted.get_json()["decision"], accepted.get_json()["state"]) == (
        "accept",
        "commended",
    )
    assert_json_error(city.get(path), 404)  # no open order any more


# -- the OpenAPI document -----------------------------------------------------------------


def test_openapi_describes_the_commendation_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    public = {
        ("/api/v1/publicities/{publicity_id}", "get"),
        ("/api/v1/publicities/{publicity_id}/objections", "post"),
        ("/api/v1/certificates/{code}", "get"),
        ("/api/v1/honours", "get"),
    }
    expected = {
        "/api/v1/campaigns/{campaign_id}/commendation": {"get"},
        "/api/v1/campaigns/{campaign_id}/commendation/selection": {"put"},
        "/api/v1/campaigns/{campaign_id}/publicities": {"get", "post"},
        "/api/v1/publicities/{publicity_id}": {"get"},
        "/api/v1/publicities/{publicity_id}/objections": {"post"},
        "/api/v1/campaigns/{campaign_id}/objections": {"get"},
        "/api/v1/objections/{objection_id}/answer": {"post"},
        "/api/v1/publicities/{publicity_id}/commendation": {"post"},
        "/api/v1/nominations/{nomination_id}/certificate": {"get"},
        "/api/v1/certificates/{code}": {"get"},
        "/api/v1/honours": {"get"},
        "/api/v1/nominations/{nomination_id}/honour/rectification": {"get", "post", "put"},
        "/api/v1/nominations/{nomination_id}/honour/rectification/files": {"post"},
        "/api/v1/nominations/{nomination_id}/honour/rectification/submit": {"post"},
        "/api/v1/nominations/{nomination_id}/honour/rectification/decision": {"post"},
        "/api/v1/nominations/{nomination_id}/honour/revoke": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
        for method in methods:
            operation = paths[path][method]
            assert operation["summary"], (path, method)
            if (path, method) in public:
                assert "security" not in operation, (path, method)
            else:
                assert operation["security"] == [{"bearerAuth": []}], (path, method)
                assert "401" in operation["responses"]
    assert "429" in paths["/api/v1/publicities/{publicity_id}/objections"]["post"]["responses"]
    upload = paths["/api/v1/nominations/{nomination_id}/honour/rectification/files"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    schemas = spec["components"]["schemas"]
    assert "contact" not in schemas["LodgedObjection"]["properties"]
    assert "contact" in schemas["Objection"]["properties"]
    assert {"status", "revoked_on", "revoked_reason"} <= set(
        schemas["CertificateCheck"]["properties"]
    )


def test_oversized_numbers_on_the_public_endpoints_are_422_not_500(
    world,
    as_user,  # noqa: F811
    client,
    candidates,
):
    """Anyone may call these without a login: a number past the database's integer is a
    field error in Chinese, never a database overflow."""
    publicity = _publish(as_user("city"), world, candidates)
    lodged = assert_json_error(_lodge(client, publicity["id"], 10**20), 422)
    assert set(lodged["errors"]) == {"nomination_id"}
    roll = assert_json_error(client.get(f"/api/v1/honours?district_id={10**20}"), 422)
    assert "district_id" in str(roll["errors"])
    assert_json_error(client.get(f"/api/v1/publicities/{10**20}"), 404)  # in the path: 404
