"""会员评家 through /api/v1, including the public ballot endpoints."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from app.timeutil import utcnow
from tests.test_api import as_user, assert_json_error  # noqa: F401  (fixture re-export)


def _iso(delta: timedelta) -> str:
    return (utcnow() + delta).isoformat()


def _open(world, union):  # type: ignore[no-untyped-def]
    nomination = world.nomination(status="member_evaluation")
    response = union.post(
        f"/nominations/{nomination.id}/evaluation",
        json={
            "opens_at": _iso(-timedelta(minutes=1)),
            "closes_at": _iso(timedelta(days=2)),
            "member_count": 4,
        },
    )
    assert response.status_code == 201, response.text
    return nomination, response.get_json()


def test_open_vote_and_close_through_the_api(world, as_user, client, app, tmp_path):  # noqa: F811
    app.config["EVIDENCE_STORAGE_DIR"] = str(tmp_path)
    union, reviewer = as_user("union_a"), as_user("reviewer_a")
    nomination, body = _open(world, union)
    assert body["turnout"] == {"issued": 4, "voted_online": 0, "paper": 0, "voted": 0, "rate": 0.0}
    tokens = union.get(f"/nominations/{nomination.id}/evaluation/tokens").get_json()
    assert len(tokens) == 4 and tokens[0]["url"].startswith("http://localhost/e/")
    assert_json_error(reviewer.get(f"/nominations/{nomination.id}/evaluation/tokens"), 404)

    token = tokens[0]["token"]  # beside its link, for a mini-program
    assert tokens[0]["url"] == f"http://localhost/e/{token}"
    questions = client.get(f"/api/v1/ballots/{token}").get_json()  # public: no bearer
    assert questions["union"] == "甲区机械厂工会" and questions["choices"][0] == "satisfied"
    ballot = {
        "overall": "satisfied",
        "answers": {d["code"]: "basic" for d in questions["dimensions"]},
        "comment": "希望多组织文体活动",
    }
    assert client.post(f"/api/v1/ballots/{token}", json=ballot).status_code == 201
    again = client.post(f"/api/v1/ballots/{token}", json=ballot)
    assert again.status_code == 409 and "已经使用过" in again.get_json()["message"]
    assert_json_error(client.get("/api/v1/ballots/no-such-token"), 404)
    assert_json_error(
        client.post(
            f"/api/v1/ballots/{tokens[1]['token']}",
            json={"overall": "great", "answers": {}},
        ),
        422,
    )

    live = reviewer.get(f"/nominations/{nomination.id}/evaluation").get_json()
    assert live["turnout"]["voted_online"] == 1 and live["results"] is None

    voided = union.post(
        f"/nominations/{nomination.id}/evaluation/tokens/void", json={"serials": [1, 4]}
    ).get_json()
    assert voided == {"voided": 1}  # serial 1 was used: it stays counted
    more = union.post(f"/nominations/{nomination.id}/evaluation/tokens", json={"count": 2})
    assert more.status_code == 201 and {t["batch"] for t in more.get_json()} == {2}

    png = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(png, format="PNG")
    png.seek(0)
    tally = union.client.post(
        f"/api/v1/nominations/{nomination.id}/evaluation/paper-tally",
        headers=union.headers,
        data={
            "satisfied": "2",
            "basic": "0",
            "dissatisfied": "0",
            "tally_sheet": (png, "计票表.png"),
        },
        content_type="multipart/form-data",
    )
    assert tally.status_code == 200, tally.text
    assert tally.get_json()["turnout"]["paper"] == 2

    union.client.put(
        f"/api/v1/nominations/{nomination.id}/evaluation/report",
        headers=union.headers,
        json={"rectification_measures": "增加活动场地"},
    )
    closed = union.post(f"/nominations/{nomination.id}/evaluation/close")
    assert closed.status_code == 200, closed.text
    result = closed.get_json()["results"]
    assert result["online"]["total"] == 1 and result["paper"]["total"] == 2
    assert result["passed"] is True and result["comments"] == ["希望多组织文体活动"]
    state = union.get(f"/nominations/{nomination.id}").get_json()["state"]
    assert state == "awaiting_draw"


def test_evaluation_scope_and_refusals(world, as_user):  # noqa: F811
    union = as_user("union_a")
    nomination, _body = _open(world, union)
    assert_json_error(as_user("reviewer_b").get(f"/nominations/{nomination.id}/evaluation"), 404)
    assert_json_error(
        as_user("reviewer_a").post(f"/nominations/{nomination.id}/evaluation/close"), 403
    )
    again = union.post(
        f"/nominations/{nomination.id}/evaluation",
        json={"opens_at": _iso(timedelta(0)), "closes_at": _iso(timedelta(days=1))},
    )
    assert_json_error(again, 409)
    early = union.post(f"/nominations/{nomination.id}/evaluation/close")
    assert_json_error(early, 409)
    other = world.nomination(status="member_evaluation")
    bad = union.post(
        f"/nominations/{other.id}/evaluation",
        json={"opens_at": _iso(timedelta(days=1)), "closes_at": _iso(timedelta(hours=1))},
    )
    assert "closes_at" in assert_json_error(bad, 422)["errors"]
