"""随机抽查 through /api/v1 with real bearer tokens: the draw and its public record, inspector
assignment within the conflict rule, what an inspector may see, the check log to an agreed
conclusion (with photos), the 85% interview rule, rectification, and the OpenAPI document."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from PIL import Image

from app.spot_checks.draw import commitment
from app.timeutil import beijing_today
from tests.factories import PASSWORD, add_inspectors, spot_check
from tests.test_api import Api, as_user, assert_json_error  # noqa: F401  (fixture re-export)

TEAM = ("inspector", "inspector_b")  # the city's inspector and district B's: free for union A


def _put(api: Api, path: str, body: Any):  # type: ignore[no-untyped-def]
    return api.client.put(f"/api/v1{path}", headers=api.headers, json=body)


def _upload(api: Api, path: str, data: bytes, name: str):  # type: ignore[no-untyped-def]
    return api.client.post(
        f"/api/v1{path}",
        headers=api.headers,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _jpeg(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), colour).save(buffer, "JPEG")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _fill(
    api: Api, check_id: int, *, asked: int = 20, satisfied: int = 20, finding: str = "meets"
) -> list[int]:
    """Visit, interview sample and a finding for every item; returns the item ids."""
    visit = _put(
        api,
        f"/spot-checks/{check_id}/visit",
        {
            "visited_on": beijing_today().isoformat(),
            "place": "单位会议室",
            "interviewed": asked,
            "interviewed_satisfied": satisfied,
        },
    )
    assert visit.status_code == 200, visit.text
    items = [f["item_id"] for f in visit.get_json()["findings"]]
    saved = _put(
        api,
        f"/spot-checks/{check_id}/findings",
        {"findings": [{"item_id": i, "finding": finding, "notes": "现场查看。"} for i in items]},
    )
    assert saved.status_code == 200, saved.text
    return items


# -- the draw -----------------------------------------------------------------------------


def test_draw_lifecycle_with_the_public_record(world, as_user, client):  # noqa: F811
    orgs = [world.union_a, world.union_a2, world.union_a, world.union_b, world.union_b]
    nominations = [world.nomination(org=org, status="awaiting_draw") for org in orgs]
    login = client.post("/api/v1/auth/token", json={"username": "city", "password": PASSWORD})
    city = Api(client, login.get_json()["token"])
    campaign = world.campaign.id

    announced = city.post(
        f"/campaigns/{campaign}/draws", json={"method": "ratio", "value": 0.3, "seed": "公开种子"}
    )
    assert announced.status_code == 201, announced.text
    body = announced.get_json()
    draw_id = body["id"]
    assert (body["status"], body["value"], body["seed"]) == ("announced", "0.3", None)
    assert body["seed_commitment"] == commitment("公开种子")
    assert body["page_url"] == f"/draws/{draw_id}"

    public = client.get(f"/api/v1/draws/{draw_id}")  # no token
    assert public.status_code == 200
    assert public.get_json()["seed"] is None and public.get_json()["verification"] is None
    assert "公开种子" not in public.text

    assert_json_error(
        city.post(f"/campaigns/{campaign}/draws", json={"method": "count", "value": "1"}), 409
    )  # one open
    bad_rule = assert_json_error(
        city.post(f"/campaigns/{campaign}/draws", json={"method": "lottery", "value": "x"}), 422
    )
    assert bad_rule["errors"]["method"] == ["请选择按比例或按数量抽取。"]
    reviewer = as_user("reviewer_a")
    assert_json_error(reviewer.post(f"/draws/{draw_id}/draw"), 403)
    assert_json_error(client.post(f"/api/v1/draws/{draw_id}/draw"), 401)
    assert_json_error(city.post(f"/draws/{draw_id}/apply"), 409)  # not drawn yet

    drawn = city.post(f"/draws/{draw_id}/draw")
    assert drawn.status_code == 200, drawn.text
    body = drawn.get_json()
    assert body["status"] == "drawn" and body["seed"] == "公开种子"
    assert body["strata"] == {
        "A": {"population": 3, "drawn": 1},
        "B": {"population": 2, "drawn": 1},
    }
    assert body["drawn_at"].endswith("+08:00")
    record = client.get(f"/api/v1/draws/{draw_id}").get_json()
    assert record["seed"] == "公开种子"
    check = record["verification"]
    assert check["ok"] and check["commitment_ok"] and check["population_ok"] and check["sample_ok"]
    assert check["recomputed"] == record["sample"] and check["strata"] == record["strata"]
    assert record["units"][str(nominations[0].id)] == "甲区机械厂工会"

    applied = city.post(f"/draws/{draw_id}/apply")
    assert applied.status_code == 200 and applied.get_json()["status"] == "applied"
    sample = set(applied.get_json()["sample"])
    states = {n.id: city.get(f"/nominations/{n.id}").get_json()["state"] for n in nominations}
    assert {nid for nid, s in states.items() if s == "spot_check"} == sample
    assert {s for nid, s in states.items() if nid not in sample} == {"candidate"}
    assert_json_error(city.post(f"/draws/{draw_id}/redraw", json={"reason": "想换一批"}), 409)

    listed = city.get(f"/campaigns/{campaign}/draws")
    assert [d["id"] for d in listed.get_json()] == [draw_id]
    assert_json_error(reviewer.get(f"/campaigns/{campaign}/draws"), 403)
    assert_json_error(city.get("/campaigns/999999/draws"), 404)
    assert_json_error(client.get("/api/v1/draws/999999"), 404)

    checks = city.get("/spot-checks").get_json()  # the drawer's checks
    assert {c["nomination_id"] for c in checks} == sample
    assert all(c["inspectors"] == [] for c in checks)


def test_redraw_needs_a_reason_and_keeps_both_records(world, as_user, client):  # noqa: F811
    for org in (world.union_a, world.union_b):
        world.nomination(org=org, status="awaiting_draw")
    city = as_user("city")
    first = city.post(
        f"/campaigns/{world.campaign.id}/draws", json={"method": "count", "value": "1", "seed": "a"}
    ).get_json()
    assert city.post(f"/draws/{first['id']}/draw").status_code == 200

    missing = assert_json_error(city.post(f"/draws/{first['id']}/redraw", json={}), 422)
    assert missing["errors"] == {"reason": ["请填写重新抽签的理由。"]}
    blank = assert_json_error(
        city.post(f"/draws/{first['id']}/redraw", json={"reason": "   "}), 422
    )
    assert blank["errors"] == {"reason": ["请填写重新抽签的理由。"]}

    second = city.post(
        f"/draws/{first['id']}/redraw", json={"reason": "名单漏报一个申报，重新抽签。", "seed": "b"}
    )
    assert second.status_code == 201, second.text
    body = second.get_json()
    assert (body["redraw_of"], body["redraw_reason"], body["status"]) == (
        first["id"],
        "名单漏报一个申报，重新抽签。",
        "announced",
    )
    old = client.get(f"/api/v1/draws/{first['id']}").get_json()
    assert old["status"] == "superseded" and old["seed"] == "a" and old["verification"]["ok"]
    listed = city.get(f"/campaigns/{world.campaign.id}/draws").get_json()
    assert [d["status"] for d in listed] == ["superseded", "announced"]


# -- inspectors ---------------------------------------------------------------------------


def test_auto_assign_and_a_manual_assignment_refused_for_conflict(world, as_user):  # noqa: F811
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a2)  # district A
    city = as_user("city")

    options = {c["name"]: c for c in city.get(f"/spot-checks/{check.id}/candidates").get_json()}
    assert not options["甲区抽查员"]["eligible"]
    assert "同属甲区总工会" in options["甲区抽查员"]["reason"]
    assert options["inspector"]["eligible"] and options["inspector"]["reason"] is None

    refused = assert_json_error(
        city.post(
            f"/spot-checks/{check.id}/assignments",
            json={"inspector_id": world.users["inspector_a"].id},
        ),
        422,
    )
    assert "同属甲区总工会" in refused["errors"]["inspector_id"][0]
    assert_json_error(city.post(f"/spot-checks/{check.id}/assignments", json={}), 422)

    added = city.post(
        f"/spot-checks/{check.id}/assignments", json={"inspector_id": world.users["inspector_b"].id}
    )
    assert added.status_code == 201, added.text
    team = added.get_json()["inspectors"]
    assert [(m["name"], m["automatic"]) for m in team] == [("乙区抽查员", False)]
    assert_json_error(
        city.post(
            f"/spot-checks/{check.id}/assignments",
            json={"inspector_id": world.users["inspector_b"].id},
        ),
        409,
    )

    reviewer = as_user("reviewer_a")  # not the drawing organisation
    assert_json_error(reviewer.get(f"/spot-checks/{check.id}/candidates"), 404)
    assert_json_error(
        reviewer.post(
            f"/spot-checks/{check.id}/assignments",
            json={"inspector_id": world.users["inspector"].id},
        ),
        404,
    )
    assert_json_error(reviewer.post(f"/draws/{check.draw_id}/auto-assign"), 403)

    auto = city.post(f"/draws/{check.draw_id}/auto-assign")
    assert auto.status_code == 200, auto.text
    assert auto.get_json() == {"assigned": 1, "short": []}
    detail = city.get(f"/spot-checks/{check.id}").get_json()
    names = {m["name"] for m in detail["inspectors"]}
    assert len(names) == 2 and not names & {"甲区抽查员", "机械厂抽查员"}
    assert detail["allowed"]["manage_team"] and not detail["allowed"]["keep_log"]

    gone = city.delete(f"/spot-checks/{check.id}/assignments/{world.users['inspector_b'].id}")
    assert gone.status_code == 204
    assert_json_error(
        city.delete(f"/spot-checks/{check.id}/assignments/{world.users['inspector_b'].id}"), 404
    )


def test_auto_assign_lists_checks_it_cannot_fill(world, as_user):  # noqa: F811
    nomination, check = spot_check(world, org=world.union_b)  # only the city's inspector exists
    result = as_user("city").post(f"/draws/{check.draw_id}/auto-assign").get_json()
    assert result == {
        "assigned": 1,
        "short": ["乙区街道总工会：需要 2 名抽查员，符合回避规则的只有 1 名。"],
    }


def test_an_inspector_sees_only_their_own_checks(world, as_user, client):  # noqa: F811
    add_inspectors(world)
    mine, my_check = spot_check(world, org=world.union_b, inspectors=("inspector",))
    other, other_check = spot_check(world, org=world.union_a, inspectors=("inspector_b",))
    inspector = as_user("inspector")

    listed = inspector.get("/spot-checks").get_json()
    assert [c["id"] for c in listed] == [my_check.id]
    assert listed[0]["unit"] == "乙区街道总工会" and listed[0]["status"] == "spot_check"
    assert inspector.get(f"/spot-checks/{my_check.id}").status_code == 200
    assert_json_error(inspector.get(f"/spot-checks/{other_check.id}"), 404)
    assert_json_error(_put(inspector, f"/spot-checks/{other_check.id}/visit", {"place": "x"}), 404)
    assert_json_error(inspector.get(f"/spot-checks/{other_check.id}/candidates"), 404)
    # the union sees nothing of the log before the conclusion
    assert_json_error(as_user("union_b").get(f"/spot-checks/{my_check.id}"), 404)
    assert as_user("union_b").get("/spot-checks").get_json() == []
    # the city ran both draws
    assert {c["id"] for c in as_user("city").get("/spot-checks").get_json()} == {
        my_check.id,
        other_check.id,
    }
    assert_json_error(client.get("/api/v1/spot-checks"), 401)


# -- the check log and the conclusion -----------------------------------------------------


def test_check_log_with_photos_to_an_agreed_conclusion(world, as_user):  # noqa: F811
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    first, second = as_user("inspector"), as_user("inspector_b")
    path = f"/spot-checks/{check.id}"

    detail = first.get(path).get_json()
    assert detail["unit"] == "甲区机械厂工会" and detail["allowed"]["keep_log"]
    assert detail["proposal"] is None and detail["required_inspectors"] == 2

    wrong = assert_json_error(
        _put(
            first,
            f"{path}/visit",
            {
                "visited_on": "2099-01-01",
                "place": "x",
                "interviewed": 10,
                "interviewed_satisfied": 12,
            },
        ),
        422,
    )
    assert set(wrong["errors"]) == {"visited_on", "interviewed_satisfied"}
    bad_date = assert_json_error(_put(first, f"{path}/visit", {"visited_on": "not a date"}), 422)
    assert bad_date["errors"] == {"visited_on": ["请填写有效的日期（如 2026-05-01）。"]}

    items = _fill(second, check.id, asked=20, satisfied=19)
    detail = first.get(path).get_json()
    assert detail["visit"]["rate"] == 0.95 and detail["visit"]["rate_threshold"] is None
    assert detail["counts"]["meets"] == len(items) and detail["counts"]["none"] == 0
    assert detail["findings"][0]["finding_label"] == "符合"
    bad_finding = assert_json_error(
        _put(first, f"{path}/findings", {"findings": [{"item_id": items[0], "finding": "great"}]}),
        422,
    )
    assert list(bad_finding["errors"]) == ["findings.0.finding"]
    # The service's refusal names the field by its place in the body too, as the schema does.
    not_an_item = assert_json_error(
        _put(
            first,
            f"{path}/findings",
            {"findings": [{"item_id": items[0]}, {"item_id": 999999, "finding": "meets"}]},
        ),
        422,
    )
    assert list(not_an_item["errors"]) == ["findings.1.item_id"]
    too_long = assert_json_error(
        _put(
            first, f"{path}/findings", {"findings": [{"item_id": items[1], "notes": "长" * 5001}]}
        ),
        422,
    )
    assert list(too_long["errors"]) == ["findings.0.notes"]

    photo = _upload(first, f"{path}/findings/{items[0]}/photos", _jpeg(), "现场.jpg")
    assert photo.status_code == 201, photo.text
    body = photo.get_json()
    assert body["kind"] == "image" and body["item_id"] == items[0]
    download = first.client.get(body["download_url"], headers=first.headers)
    assert download.status_code == 200 and download.mimetype == "image/jpeg"
    pdf = assert_json_error(
        _upload(first, f"{path}/findings/{items[0]}/photos", PDF, "报告.pdf"), 422
    )
    assert pdf["errors"] == {"file": ["请上传照片。"]}
    assert_json_error(
        first.client.post(
            f"/api/v1{path}/findings/{items[0]}/photos",
            headers=first.headers,
            data={},
            content_type="multipart/form-data",
        ),
        422,
    )
    extra = _upload(first, f"{path}/findings/{items[1]}/photos", _jpeg((0, 90, 0)), "二.jpg")
    assert first.delete(f"{path}/photos/{extra.get_json()['id']}").status_code == 204
    assert_json_error(first.delete(f"{path}/photos/{extra.get_json()['id']}"), 404)
    photos = {f["item_id"]: f["photos"] for f in first.get(path).get_json()["findings"]}
    assert [p["id"] for p in photos[items[0]]] == [body["id"]] and photos[items[1]] == []

    union = as_user("union_a")  # keeps no log, and sees none yet
    assert_json_error(_put(union, f"{path}/findings", {"findings": []}), 404)

    proposed = _put(first, f"{path}/conclusion", {"conclusion": "pass"})
    assert proposed.status_code == 200, proposed.text
    body = proposed.get_json()
    assert body["status"] == "spot_check" and body["proposal"]["label"] == "合格"
    assert [m["agreed_at"] is not None for m in body["inspectors"]] == [True, False]
    assert second.get(path).get_json()["allowed"]["agree"]
    stale = assert_json_error(second.post(f"{path}/agree", json={"fingerprint": "0" * 16}), 409)
    assert "已被修改" in stale["message"]
    assert_json_error(second.post(f"{path}/agree", json={}), 422)

    agreed = second.post(f"{path}/agree", json={"fingerprint": body["proposal"]["fingerprint"]})
    assert agreed.status_code == 200, agreed.text
    body = agreed.get_json()
    assert body["status"] == "candidate" and body["proposal"]["concluded_at"].endswith("+08:00")
    assert not body["allowed"]["keep_log"]
    assert_json_error(_put(first, f"{path}/findings", {"findings": []}), 409)  # closed
    assert union.get(path).get_json()["conclusion"] == "pass"  # the union sees it now


def test_regional_union_needs_85_percent_satisfied(world, as_user):  # noqa: F811
    add_inspectors(world)
    nomination, check = spot_check(
        world, org=world.union_b, inspectors=("inspector", "inspector_a")
    )
    inspector = as_user("inspector")
    path = f"/spot-checks/{check.id}"
    _fill(inspector, check.id, asked=20, satisfied=16)  # 80%
    refused = assert_json_error(_put(inspector, f"{path}/conclusion", {"conclusion": "pass"}), 409)
    assert any("访谈抽样满意率 80.0%，低于标准要求的 85%" in p for p in refused["problems"])
    detail = inspector.get(path).get_json()
    assert detail["proposal"] is None and detail["visit"]["rate_threshold"] == 0.85

    _put(
        inspector,
        f"{path}/visit",
        {
            "visited_on": beijing_today().isoformat(),
            "place": "街道办",
            "interviewed": 20,
            "interviewed_satisfied": 17,
        },
    )  # exactly 85%
    passed = _put(inspector, f"{path}/conclusion", {"conclusion": "pass"})
    assert passed.status_code == 200 and passed.get_json()["proposal"]["conclusion"] == "pass"


# -- rectification ------------------------------------------------------------------------


def test_rectification_through_to_acceptance(world, as_user):  # noqa: F811
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    first, second, union = as_user("inspector"), as_user("inspector_b"), as_user("union_a")
    path = f"/spot-checks/{check.id}"
    items = _fill(first, check.id)
    _put(
        first,
        f"{path}/findings",
        {"findings": [{"item_id": items[0], "finding": "fails", "notes": "无会员档案。"}]},
    )
    incomplete = assert_json_error(
        _put(first, f"{path}/conclusion", {"conclusion": "rectify", "notes": "会员档案缺失。"}), 422
    )
    assert set(incomplete["errors"]) == {"items", "deadline"}

    wanted = items[:2]
    deadline = (beijing_today() + timedelta(days=30)).isoformat()
    proposed = _put(
        first,
        f"{path}/conclusion",
        {"conclusion": "rectify", "notes": "会员档案缺失。", "items": wanted, "deadline": deadline},
    ).get_json()
    agreed = second.post(
        f"{path}/agree", json={"fingerprint": proposed["proposal"]["fingerprint"]}
    ).get_json()
    assert agreed["status"] == "rectification"

    detail = union.get(path).get_json()
    assert detail["allowed"]["respond"] and not detail["allowed"]["decide"]
    block = detail["rectification"]
    assert [i["item_id"] for i in block["items"]] == wanted and block["deadline"] == deadline
    assert len(block["problems"]) == 4
    early = assert_json_error(union.post(f"{path}/rectification/submit"), 409)
    assert len(early["problems"]) == 4
    assert_json_error(first.post(f"{path}/rectification/decision", json={"accept": True}), 409)

    saved = _put(
        union,
        f"{path}/rectification",
        {"responses": [{"item_id": i, "statement": "已补建会员档案。"} for i in wanted]},
    )
    assert saved.status_code == 200, saved.text
    not_an_item = assert_json_error(
        _put(
            union,
            f"{path}/rectification",
            {"responses": [{"item_id": items[5], "statement": "不是整改项"}]},
        ),
        422,
    )
    assert "item_id" in not_an_item["errors"]
    for n, item in enumerate(wanted):
        sent = _upload(
            union, f"{path}/rectification/{item}/files", _jpeg((n, 0, 0)), f"整改{n}.jpg"
        )
        assert sent.status_code == 201, sent.text
    pdf = _upload(union, f"{path}/rectification/{wanted[0]}/files", PDF, "整改报告.pdf")
    assert pdf.status_code == 201 and pdf.get_json()["kind"] == "pdf"
    removed = union.delete(
        f"{path}/rectification/{wanted[0]}/files/{pdf.get_json()['evidence_id']}"
    )
    assert removed.status_code == 204
    assert_json_error(first.post(f"{path}/rectification/submit"), 403)  # the union's to do

    submitted = union.post(f"{path}/rectification/submit")
    assert submitted.status_code == 200, submitted.text
    block = submitted.get_json()["rectification"]
    assert block["submitted_at"] and [len(i["files"]) for i in block["items"]] == [1, 1]
    assert block["items"][0]["statement"] == "已补建会员档案。"
    assert_json_error(_put(union, f"{path}/rectification", {"responses": []}), 409)

    assert_json_error(
        as_user("reviewer_a").post(f"{path}/rectification/decision", json={"accept": True}), 403
    )
    no_reason = assert_json_error(
        first.post(f"{path}/rectification/decision", json={"accept": False}), 422
    )
    assert "comment" in no_reason["errors"]
    assert first.get(path).get_json()["allowed"]["decide"]
    accepted = first.post(
        f"{path}/rectification/decision", json={"accept": True, "comment": "整改到位。"}
    )
    assert accepted.status_code == 200, accepted.text
    body = accepted.get_json()
    assert body["status"] == "candidate" and body["rectification"]["decision"] == "accept"
    history = first.get(f"/nominations/{nomination.id}").get_json()["history"]
    assert history[-1]["action"] == "accept_rectification"


# -- the OpenAPI document -----------------------------------------------------------------


def test_openapi_describes_the_spot_check_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    expected = {
        "/api/v1/campaigns/{campaign_id}/draws": {"get", "post"},
        "/api/v1/draws/{draw_id}": {"get"},
        "/api/v1/draws/{draw_id}/draw": {"post"},
        "/api/v1/draws/{draw_id}/apply": {"post"},
        "/api/v1/draws/{draw_id}/redraw": {"post"},
        "/api/v1/draws/{draw_id}/auto-assign": {"post"},
        "/api/v1/spot-checks": {"get"},
        "/api/v1/spot-checks/{check_id}": {"get"},
        "/api/v1/spot-checks/{check_id}/candidates": {"get"},
        "/api/v1/spot-checks/{check_id}/assignments": {"post"},
        "/api/v1/spot-checks/{check_id}/assignments/{inspector_id}": {"delete"},
        "/api/v1/spot-checks/{check_id}/visit": {"put"},
        "/api/v1/spot-checks/{check_id}/findings": {"put"},
        "/api/v1/spot-checks/{check_id}/findings/{item_id}/photos": {"post"},
        "/api/v1/spot-checks/{check_id}/photos/{photo_id}": {"delete"},
        "/api/v1/spot-checks/{check_id}/conclusion": {"put"},
        "/api/v1/spot-checks/{check_id}/agree": {"post"},
        "/api/v1/spot-checks/{check_id}/rectification": {"put"},
        "/api/v1/spot-checks/{check_id}/rectification/{item_id}/files": {"post"},
        "/api/v1/spot-checks/{check_id}/rectification/{item_id}/files/{evidence_id}": {"delete"},
        "/api/v1/spot-checks/{check_id}/rectification/submit": {"post"},
        "/api/v1/spot-checks/{check_id}/rectification/decision": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
        for method in methods:
            operation = paths[path][method]
            assert operation["summary"], (path, method)
            if path != "/api/v1/draws/{draw_id}":
                assert operation["security"] == [{"bearerAuth": []}]
                assert "401" in operation["responses"]
    assert "security" not in paths["/api/v1/draws/{draw_id}"]["get"]
    photo = paths["/api/v1/spot-checks/{check_id}/findings/{item_id}/photos"]["post"]
    assert "multipart/form-data" in photo["requestBody"]["content"]
    assert "422" in photo["responses"]
    conclusion = paths["/api/v1/spot-checks/{check_id}/conclusion"]["put"]["responses"]
    assert conclusion["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ApiError")
    schemas = spec["components"]["schemas"]
    assert {"verification", "seed", "units"} <= set(schemas["PublicDraw"]["properties"])
    assert {"findings", "proposal", "rectification", "inspectors", "problems"} <= set(
        schemas["Check"]["properties"]
    )


# -- query budget -------------------------------------------------------------------------


def test_lists_and_details_take_a_fixed_number_of_queries(world, as_user):  # noqa: F811
    from tests.test_query_budget import count_queries

    add_inspectors(world)
    city, inspector = as_user("city"), as_user("inspector")

    def queries(api: Api, path: str) -> int:
        with count_queries() as counter:
            response = api.get(path)
        assert response.status_code == 200, response.text
        return counter["n"]

    _, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    items = _fill(inspector, check.id)
    _upload(inspector, f"/spot-checks/{check.id}/findings/{items[0]}/photos", _jpeg(), "1.jpg")
    one = (
        queries(city, "/spot-checks"),
        queries(inspector, "/spot-checks"),
        queries(inspector, f"/spot-checks/{check.id}"),
    )
    for n in range(3):
        spot_check(world, org=world.union_b, inspectors=("inspector", "inspector_a"))
        _upload(
            inspector,
            f"/spot-checks/{check.id}/findings/{items[n + 1]}/photos",
            _jpeg((n, n, 0)),
            f"{n + 2}.jpg",
        )
    many = (
        queries(city, "/spot-checks"),
        queries(inspector, "/spot-checks"),
        queries(inspector, f"/spot-checks/{check.id}"),
    )
    assert many == one and max(many) < 30, (one, many)
