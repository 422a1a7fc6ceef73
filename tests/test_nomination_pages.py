"""Nomination pages: new, the list with filters and export, the detail page's actions, and
the worklist — each showing only what the user may see."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from app.campaigns.models import AwardType, Campaign, CampaignLevel, CampaignStatus
from app.extensions import db
from app.nominations.models import Nomination, NominationEvent
from app.orgs.models import OrgLevel
from app.orgs.services import create_org
from tests.conftest import csrf_from, field_error, post_form


def listed_ids(html: str) -> set[int]:
    if 'data-testid="nomination-table"' not in html:
        return set()
    table = html[html.index('data-testid="nomination-table"') :]
    table = table[: table.index("</table>")]
    return {int(i) for i in re.findall(r'href="/nominations/(\d+)"', table)}


def status_of(nomination_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Nomination, nomination_id).status


@pytest.fixture
def noms(world):  # type: ignore[no-untyped-def]
    """One nomination per union: union_a's submitted, union_a2's draft, union_b's submitted."""
    return {
        "a": world.nomination(world.union_a, "submitted").id,
        "a2": world.nomination(world.union_a2, "draft").id,
        "b": world.nomination(world.union_b, "submitted").id,
    }


# -- new ----------------------------------------------------------------------------------


def test_union_creates_a_nomination(world, client, auth):
    auth.login("union_a")
    page = client.get("/nominations/new")
    assert page.status_code == 200
    assert re.findall(r'<option[^>]*value="(A-1(?:-1)?)"', page.text) == ["A-1", "A-1-1"]
    response = post_form(
        client,
        "/nominations/new",
        {
            "campaign_id": world.campaign.id,
            "award_type": "model_home",
            "org_code": "A-1",
            "nominee_name": "",
        },
    )
    assert response.status_code == 302, response.text
    nomination = db.session.scalar(select(Nomination).where(Nomination.org_id == world.union_a.id))
    assert response.headers["Location"].endswith(f"/nominations/{nomination.id}")
    assert nomination.status == "draft" and nomination.award_type == AwardType.MODEL_HOME
    assert nomination.created_by_id == world.users["union_a"].id
    detail = client.get(f"/nominations/{nomination.id}").text
    assert 'data-testid="state"' in detail and 'data-action="submit"' in detail


@pytest.mark.parametrize(
    "data, field",
    [
        ({"award_type": "outstanding_worker", "nominee_name": ""}, "nominee_name"),
        ({"award_type": "model_small_home", "org_code": "A-1"}, "org_code"),
        ({"award_type": "model_home", "org_code": "A-1-1"}, "org_code"),
    ],
)
def test_new_nomination_errors_next_to_the_field(world, client, auth, data, field):
    auth.login("union_a")
    form = {
        "campaign_id": world.campaign.id,
        "award_type": "model_home",
        "org_code": "A-1",
        "nominee_name": "",
        **data,
    }
    response = post_form(client, "/nominations/new", form)
    assert response.status_code == 422
    assert field_error(response.text, field)
    assert db.session.scalar(select(func.count()).select_from(Nomination)) == 0


def test_only_unions_may_open_the_new_page(world, client, auth):
    auth.login("reviewer_a")
    assert client.get("/nominations/new").status_code == 403


# -- list, filters and export -------------------------------------------------------------


def test_list_shows_only_what_the_user_may_see(noms, world, client, auth):
    auth.login("reviewer_a")
    assert listed_ids(client.get("/nominations/").text) == {noms["a"], noms["a2"]}
    auth.logout()
    auth.login("union_a")
    assert listed_ids(client.get("/nominations/").text) == {noms["a"]}
    auth.logout()
    auth.login("city")
    assert listed_ids(client.get("/nominations/").text) == set(noms.values())


@pytest.mark.parametrize(
    "username, query, expected",
    [
        ("reviewer_a", {"state": "submitted"}, {"a"}),
        ("reviewer_a", {"state": "draft"}, {"a2"}),
        ("reviewer_a", {"q": "医院"}, {"a2"}),
        ("reviewer_a", {"q": "街道"}, set()),  # union_b's, out of scope
        ("reviewer_a", {"district_key": "district_b"}, set()),
        ("reviewer_a", {"district_key": "district_a", "state": "submitted"}, {"a"}),
        ("city", {"district_key": "district_b"}, {"b"}),
        ("city", {"state": "submitted"}, {"a", "b"}),
        ("city", {"state": "submitted", "q": "乙区"}, {"b"}),
        ("city", {"q": "100%_"}, set()),  # LIKE wildcards are matched literally
    ],
)
def test_list_filters(noms, world, client, auth, username, query, expected):
    auth.login(username)
    params = {k: v for k, v in query.items() if k != "district_key"}
    if "district_key" in query:
        params["district_id"] = getattr(world, query["district_key"]).id
    page = client.get("/nominations/", query_string=params)
    assert page.status_code == 200
    assert listed_ids(page.text) == {noms[k] for k in expected}
    assert f'data-testid="result-count">{len(expected)}<' in page.text


def test_filter_choices_are_scoped(noms, world, client, auth):
    # Another city's campaign still being prepared: its name must not leak into the filter.
    other_city = create_org(code="Z", name="外市总工会", level=OrgLevel.CITY)
    db.session.add(
        Campaign(
            name="外市内部筹备活动",
            year=2026,
            level=CampaignLevel.CITY,
            status=CampaignStatus.DRAFT,
            organizer_id=other_city.id,
            award_types=["model_home"],
        )
    )
    db.session.commit()
    auth.login("reviewer_a")
    page = client.get("/nominations/").text
    assert world.campaign.name in page
    assert "外市内部筹备活动" not in page
    districts = re.search(r'<select[^>]*name="district_id".*?</select>', page, re.S).group(0)
    assert world.district_a.name in districts and world.district_b.name not in districts


def _csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_csv_export_respects_scope_and_filters(noms, world, client, auth):
    auth.login("reviewer_a")
    rows = _csv_rows(client.get("/nominations/export.csv"))
    assert rows[0][0] == "编号"
    assert {int(r[0]) for r in rows[1:]} == {noms["a"], noms["a2"]}
    assert all("乙区" not in cell for r in rows for cell in r)
    rows = _csv_rows(client.get("/nominations/export.csv?state=submitted"))
    assert [int(r[0]) for r in rows[1:]] == [noms["a"]]
    auth.logout()
    auth.login("city")
    rows = _csv_rows(client.get("/nominations/export.csv"))
    assert {int(r[0]) for r in rows[1:]} == set(noms.values())


def test_csv_export_escapes_formulas(world, client, auth):
    nomination = world.nomination(world.union_a, "draft", award=AwardType.OUTSTANDING_WORKER)
    nomination.nominee_name = "=cmd|' /C calc'!A0"
    db.session.commit()
    auth.login("union_a")
    rows = _csv_rows(client.get("/nominations/export.csv"))
    assert rows[1][5] == "'=cmd|' /C calc'!A0"


# -- out of scope: "not found", never "forbidden" -----------------------------------------


def test_out_of_scope_nomination_is_not_found(noms, world, client, auth):
    auth.login("reviewer_a")
    assert client.get(f"/nominations/{noms['b']}").status_code == 404
    token = csrf_from(client.get("/").text)
    response = client.post(
        f"/nominations/{noms['b']}/actions",
        data={"action": "approve", "version": "1", "csrf_token": token},
    )
    assert response.status_code == 404
    assert status_of(noms["b"]) == "submitted"
    events = db.session.scalar(
        select(func.count())
        .select_from(NominationEvent)
        .where(NominationEvent.nomination_id == noms["b"])
    )
    assert events == 1


# -- the detail page's actions ------------------------------------------------------------


def offered_actions(html: str) -> list[str]:
    return re.findall(r'<form [^>]*data-action="([^"]+)"', html)


def test_reviewer_is_offered_exactly_return_approve_reject(noms, client, auth):
    auth.login("reviewer_a")
    html = client.get(f"/nominations/{noms['a']}").text
    assert sorted(offered_actions(html)) == ["approve", "reject", "return"]
    for action, text in [("return", "退回修改"), ("approve", "推荐上报"), ("reject", "不予推荐")]:
        form = re.search(rf'data-action="{action}">.*?</form>', html, re.S).group(0)
        assert text in form and "disabled" not in form


def test_union_is_offered_only_withdraw(noms, client, auth):
    auth.login("union_a")
    assert offered_actions(client.get(f"/nominations/{noms['a']}").text) == ["withdraw"]


def test_other_roles_are_offered_nothing(noms, client, auth):
    auth.login("city")
    html = client.get(f"/nominations/{noms['a']}").text
    assert offered_actions(html) == [] and 'data-testid="no-actions"' in html


def _version(nomination_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Nomination, nomination_id).version


def test_return_without_comment_is_refused_next_to_the_comment(noms, client, auth):
    auth.login("reviewer_a")
    url = f"/nominations/{noms['a']}"
    response = post_form(
        client,
        url,
        {"action": "return", "version": _version(noms["a"]), "comment": "  "},
        action=f"{url}/actions",
    )
    assert response.status_code == 422
    form = re.search(r'data-action="return">.*?</form>', response.text, re.S).group(0)
    assert re.search(r'<textarea class="[^"]*is-invalid[^"]*" id="comment-return"', form)
    assert re.search(
        r'</textarea>\s*<div class="invalid-feedback d-block">请填写意见。</div>', form
    )
    assert status_of(noms["a"]) == "submitted"


def test_return_with_comment_goes_through(noms, client, auth):
    auth.login("reviewer_a")
    url = f"/nominations/{noms['a']}"
    response = post_form(
        client,
        url,
        {"action": "return", "version": _version(noms["a"]), "comment": "请补充会员代表大会记录。"},
        action=f"{url}/actions",
    )
    assert response.status_code == 302
    assert status_of(noms["a"]) == "returned"
    assert "请补充会员代表大会记录。" in client.get(url).text


def test_stale_version_is_refused_with_a_message(noms, client, auth):
    auth.login("reviewer_a")
    url = f"/nominations/{noms['a']}"
    page = client.get(url)
    version = _version(noms["a"])
    # Someone else changes the nomination after the page was read.
    db.session.execute(
        Nomination.__table__.update().where(Nomination.id == noms["a"]).values(version=version + 1)
    )
    db.session.commit()
    response = client.post(
        f"{url}/actions",
        data={"action": "approve", "version": version, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 409
    assert "该申报已被他人处理" in response.text
    assert status_of(noms["a"]) == "submitted"


# -- the worklist -------------------------------------------------------------------------


def _todo(html: str) -> int:
    return int(re.search(r'data-testid="todo-total">(\d+)<', html).group(1))


def test_worklist_counts_what_awaits_the_user(noms, world, client, auth):
    world.nomination(world.union_a, "returned", award=AwardType.OUTSTANDING_WORKER)
    auth.login("reviewer_a")
    html = client.get("/").text
    assert _todo(html) == 1  # union_a's submitted one; union_b's is in another district
    assert f'href="/nominations/{noms["a"]}"' in html
    assert f'href="/nominations/{noms["b"]}"' not in html
    auth.logout()

    auth.login("union_a")
    html = client.get("/").text
    assert _todo(html) == 1  # the returned one; the submitted one awaits the reviewer
    assert re.search(r'href="/nominations/\?state=returned"', html)
    auth.logout()

    auth.login("union_a2")
    html = client.get("/").text
    assert _todo(html) == 1 and f'href="/nominations/{noms["a2"]}"' in html
    assert re.search(r'href="/nominations/\?state=draft"', html)
    auth.logout()

    auth.login("inspector")
    assert 'data-testid="worklist-empty"' in client.get("/").text


def test_returned_nomination_shows_the_reviewers_reason_on_top(world, client, auth):
    from app.nominations.services import take_action

    nomination = world.nomination(status="submitted")
    take_action(world.user("reviewer_a"), nomination.id, "return", comment="请补充集体合同文本")
    auth.login("union_a")
    page = client.get(f"/nominations/{nomination.id}").text
    banner = page.split('data-testid="latest-decision"', 1)[1].split("</div>", 1)[0]
    assert "退回修改" in banner and "请补充集体合同文本" in banner and "甲区审核人" in banner
    # Once resubmitted the old reason is history, not a banner.
    take_action(world.user("union_a"), nomination.id, "submit")
    assert 'data-testid="latest-decision"' not in client.get(f"/nominations/{nomination.id}").text
