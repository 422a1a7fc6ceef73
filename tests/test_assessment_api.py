"""Self-assessment through /api/v1: read, fill in, submit, comment, return, compare rounds."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.standards.models import StandardItem
from tests.test_api import as_user, assert_json_error  # noqa: F401  (fixture re-export)


def _items(world, category="enterprise"):  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(StandardItem)
            .where(
                StandardItem.version_id == world.campaign.standard_version_id,
                StandardItem.category == category,
            )
            .order_by(StandardItem.position)
        )
    )


def test_read_and_fill_the_self_assessment(world, as_user):  # noqa: F811
    nomination = world.nomination(status="draft", complete=False)
    union = as_user("union_a")
    body = union.get(f"/nominations/{nomination.id}/self-assessment").get_json()
    assert body["number"] == 1 and body["editable"] and body["category"] == "enterprise"
    assert body["figures_required"] == ["staff_count", "member_count"]
    assert len(body["items"]) == len(_items(world))
    assert any("尚未自评" in p for p in body["problems"])

    first = body["items"][0]
    response = union.client.patch(
        f"/api/v1/nominations/{nomination.id}/self-assessment",
        headers=union.headers,
        json={
            "figures": {"staff_count": 100, "member_count": 95},
            "items": [{"item_id": first["item_id"], "rating": "met", "statement": "已落实"}],
        },
    )
    assert response.status_code == 200, response.text
    body = response.get_json()
    [rate] = body["rates"]
    assert (rate["key"], rate["value"], rate["meets"]) == ("membership_rate", 0.95, False)
    assert body["items"][0]["rating"] == "met"


def test_invalid_fill_is_422_with_field_errors_and_saves_nothing(world, as_user):  # noqa: F811
    nomination = world.nomination(status="draft", complete=False)
    union = as_user("union_a")
    response = union.client.patch(
        f"/api/v1/nominations/{nomination.id}/self-assessment",
        headers=union.headers,
        json={"figures": {"staff_count": 10, "member_count": 11}},
    )
    body = assert_json_error(response, 422)
    assert "figures.member_count" in body["errors"]
    saved = union.get(f"/nominations/{nomination.id}/self-assessment").get_json()
    assert saved["figures"]["staff_count"] is None
    response = union.client.patch(
        f"/api/v1/nominations/{nomination.id}/self-assessment",
        headers=union.headers,
        json={"items": [{"item_id": 1, "rating": "excellent"}]},
    )
    assert_json_error(response, 422)


def test_patch_changes_only_what_was_sent(world, as_user):  # noqa: F811
    nomination = world.nomination(status="draft", complete=False)
    union = as_user("union_a")
    first, second = _items(world)[:2]
    url = f"/api/v1/nominations/{nomination.id}/self-assessment"

    def patch(body):  # type: ignore[no-untyped-def]
        response = union.client.patch(url, headers=union.headers, json=body)
        assert response.status_code == 200, response.text
        return {i["item_id"]: (i["rating"], i["statement"]) for i in response.get_json()["items"]}

    patch({"items": [{"item_id": first.id, "rating": "met", "statement": "已建立"}]})
    assert patch({"items": [{"item_id": first.id, "statement": "已建立并公开"}]})[first.id] == (
        "met",
        "已建立并公开",
    )
    assert patch({"items": [{"item_id": first.id, "rating": "not_met"}]})[first.id] == (
        "not_met",
        "已建立并公开",
    )
    saved = patch({"items": [{"item_id": first.id, "statement": None}]})
    assert saved[first.id] == ("not_met", None)  # null clears
    assert saved[second.id] == (None, None)  # an item not sent is not touched
    patch({"figures": {"staff_count": 100}})
    body = patch({"figures": {"member_count": 90}})
    figures = union.get(f"/nominations/{nomination.id}/self-assessment").get_json()["figures"]
    assert (figures["staff_count"], figures["member_count"]) == (100, 90)
    assert body[first.id] == ("not_met", None)


def test_nested_field_errors_are_dotted_paths_of_the_body(world, as_user):  # noqa: F811
    nomination = world.nomination(status="draft", complete=False)
    union = as_user("union_a")
    first, second = _items(world)[:2]
    url = f"/api/v1/nominations/{nomination.id}/self-assessment"
    schema_error = union.client.patch(
        url,
        headers=union.headers,
        json={"items": [{"item_id": first.id}, {"item_id": second.id, "rating": "excellent"}]},
    )
    body = assert_json_error(schema_error, 422)
    assert list(body["errors"]) == ["items.1.rating"]
    assert all(isinstance(m, str) for m in body["errors"]["items.1.rating"])
    # The service's refusal of the same item names the same place in the body.
    strict = next(i for i in _items(world) if not i.na_allowed)
    service_error = union.client.patch(
        url,
        headers=union.headers,
        json={"items": [{"item_id": first.id}, {"item_id": strict.id, "rating": "na"}]},
    )
    body = assert_json_error(service_error, 422)
    assert body["errors"] == {"items.1.rating": ["该项不允许选择“不适用”。"]}


def test_review_round_trip_through_the_api(world, as_user):  # noqa: F811
    nomination = world.nomination(status="draft", complete=True)
    union, reviewer = as_user("union_a"), as_user("reviewer_a")
    version = union.get(f"/nominations/{nomination.id}").get_json()["version"]
    assert union.act(nomination.id, "submit", version=version).status_code == 200

    item = _items(world)[2]
    assert_json_error(
        union.post(
            f"/nominations/{nomination.id}/review-comments", json={"item_id": item.id, "body": "x"}
        ),
        403,
    )
    response = reviewer.post(
        f"/nominations/{nomination.id}/review-comments",
        json={"item_id": item.id, "body": "请补充会议纪要。"},
    )
    assert response.status_code == 201, response.text
    version = reviewer.get(f"/nominations/{nomination.id}").get_json()["version"]
    response = reviewer.act(nomination.id, "return", version=version)
    assert response.status_code == 200 and response.get_json()["state"] == "returned"

    body = union.get(f"/nominations/{nomination.id}/self-assessment").get_json()
    assert body["number"] == 2 and body["editable"]
    [commented] = [i for i in body["items"] if i["item_id"] == item.id]
    assert [c["body"] for c in commented["previous_comments"]] == ["请补充会议纪要。"]

    union.client.patch(
        f"/api/v1/nominations/{nomination.id}/self-assessment",
        headers=union.headers,
        json={"items": [{"item_id": item.id, "rating": "met", "statement": "已补充会议纪要。"}]},
    )
    rounds = reviewer.get(f"/nominations/{nomination.id}/rounds").get_json()
    assert [(r["number"], r["status"]) for r in rounds] == [(1, "returned"), (2, "editing")]
    diff = reviewer.get(f"/nominations/{nomination.id}/rounds/1/diff/2").get_json()
    [change] = diff["items"]
    assert change["item_id"] == item.id and change["new"]["statement"] == "已补充会议纪要。"
    first = reviewer.get(f"/nominations/{nomination.id}/self-assessment?round=1").get_json()
    assert not first["editable"]


def test_a_return_with_item_comments_needs_no_comment_as_documented(world, as_user, client):  # noqa: F811
    nomination = world.nomination(status="submitted", complete=True)
    reviewer = as_user("reviewer_a")
    version = reviewer.get(f"/nominations/{nomination.id}").get_json()["version"]
    refused = assert_json_error(reviewer.act(nomination.id, "return", version=version), 422)
    assert "comment" in refused["errors"]  # no comment and no item comment
    item = _items(world)[0]
    commented = reviewer.post(
        f"/nominations/{nomination.id}/review-comments",
        json={"item_id": item.id, "body": "请补充会议纪要。"},
    )
    assert commented.status_code == 201
    returned = reviewer.act(nomination.id, "return", version=version)
    assert returned.status_code == 200, returned.text
    assert returned.get_json()["history"][-1]["comment"] == "请按 1 条审核意见修改后重新提交。"

    spec = client.get("/api/v1/openapi.json").get_json()
    described = spec["components"]["schemas"]["ActionRequest"]["properties"]["comment"]
    assert "`return` unless the reviewer has commented" in described["description"]


def test_other_district_gets_404(world, as_user):  # noqa: F811
    nomination = world.nomination(status="submitted", complete=True)
    other = as_user("reviewer_b")
    for path in (
        f"/nominations/{nomination.id}/self-assessment",
        f"/nominations/{nomination.id}/rounds",
        f"/nominations/{nomination.id}/rounds/1/diff/1",
    ):
        assert_json_error(other.get(path), 404)
    assert_json_error(
        other.post(f"/nominations/{nomination.id}/review-comments", json={"body": "越权"}), 404
    )


def test_openapi_describes_the_self_assessment(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/nominations/{nomination_id}/self-assessment",
        "/api/v1/nominations/{nomination_id}/review-comments",
        "/api/v1/nominations/{nomination_id}/rounds/{old}/diff/{new}",
        "/api/v1/nominations/{nomination_id}/evidence",
    ):
        assert path in spec["paths"], sorted(spec["paths"])


def test_the_union_does_not_read_comments_before_the_decision(world, as_user):  # noqa: F811
    """As on the page: comments on a round under review are the reviewer's working notes."""
    from app.assessment.review import add_review_comment

    nomination = world.nomination(status="submitted", complete=True)
    item = _items(world)[0]
    add_review_comment(world.user("reviewer_a"), nomination.id, "尚在审核的意见", item.id)
    add_review_comment(world.user("reviewer_a"), nomination.id, "总体意见")
    path = f"/nominations/{nomination.id}/self-assessment"
    mine = as_user("union_a").get(path).get_json()
    assert "尚在审核的意见" not in str(mine) and mine["general_comments"] == []
    review = as_user("reviewer_a").get(path).get_json()
    [commented] = [i for i in review["items"] if i["item_id"] == item.id]
    assert [c["body"] for c in commented["comments"]] == ["尚在审核的意见"]
    assert [c["body"] for c in review["general_comments"]] == ["总体意见"]
    city = as_user("city").get(path).get_json()
    assert [c["body"] for c in city["general_comments"]] == ["总体意见"]


def test_evidence_links_download_through_the_api(world, as_user):  # noqa: F811
    """An API client follows `download_url` with its bearer token and gets the file (the web
    page's download would send it to the login page)."""
    from app.assessment.evidence import add_evidence
    from tests.test_evidence import PDF, upload_file

    nomination = world.nomination(status="draft", complete=False)
    item = _items(world)[0]
    add_evidence(
        world.user("union_a"), nomination.id, upload_file(PDF, "职代会记录.pdf"), item_id=item.id
    )
    union = as_user("union_a")
    body = union.get(f"/nominations/{nomination.id}/self-assessment").get_json()
    [evidence] = next(i for i in body["items"] if i["item_id"] == item.id)["evidence"]
    assert evidence["download_url"].startswith("/api/v1/")
    download = union.client.get(evidence["download_url"], headers=union.headers)
    assert download.status_code == 200 and download.data == PDF
