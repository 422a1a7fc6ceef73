"""Self-assessment pages: the union's form (figures, live rates, items, drafts), the submit
guard's problem list, the read-only view, the district review with item comments, rounds
and their diff — each only for those allowed."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from sqlalchemy import delete, select

from app.assessment.models import (
    AssessmentRound,
    EvidenceLink,
    ItemResponse,
    ReviewComment,
    RoundStatus,
)
from app.extensions import db
from app.nominations.models import Nomination, NominationEvent
from app.standards.models import StandardItem
from tests.conftest import csrf_from, field_error, post_form
from tests.test_query_budget import count_queries


def items_of(world, category: str = "enterprise") -> list[StandardItem]:  # type: ignore[no-untyped-def]
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


def page_url(nomination_id: int, **args) -> str:  # type: ignore[no-untyped-def]
    query = "".join(f"?{k}={v}" for k, v in args.items())
    return f"/nominations/{nomination_id}/self-assessment{query}"


def block(html: str, item_id: int | str) -> str:
    """The HTML of one item's block (<article id="item-…"> … </article>)."""
    start = html.index(f'id="item-{item_id}"')
    return html[start : html.index("</article>", start)]


def rate_row(html: str, key: str) -> str:
    start = html.index(f'data-rate="{key}"')
    text = html[start : html.index("</li>", start)]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def latest(nomination_id: int) -> AssessmentRound:
    db.session.expire_all()
    return db.session.scalar(
        select(AssessmentRound)
        .where(AssessmentRound.nomination_id == nomination_id)
        .order_by(AssessmentRound.number.desc())
        .limit(1)
    )


def response_of(round_id: int, item_id: int) -> ItemResponse | None:
    return db.session.scalar(
        select(ItemResponse).where(
            ItemResponse.round_id == round_id, ItemResponse.item_id == item_id
        )
    )


def act(client, nomination_id: int, action: str, comment: str = ""):  # type: ignore[no-untyped-def]
    """Take an action through the nomination page's form, as a browser would."""
    db.session.expire_all()
    version = db.session.get(Nomination, nomination_id).version
    return post_form(
        client,
        f"/nominations/{nomination_id}",
        {"action": action, "version": version, "comment": comment},
        action=f"/nominations/{nomination_id}/actions",
    )


# -- the union fills in a draft -----------------------------------------------------------


def test_a_new_nomination_opens_the_self_assessment_form(world, client, auth):
    auth.login("union_a")
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
    nomination_id = int(response.headers["Location"].rsplit("/", 1)[1])
    detail = client.get(f"/nominations/{nomination_id}").text
    assert 'data-testid="self-assessment-card"' in detail
    assert f'href="{page_url(nomination_id)}"' in detail
    items = items_of(world)
    assert f"0 / {len(items)}" in detail
    page = client.get(page_url(nomination_id))
    assert page.status_code == 200
    assert 'id="sa-form"' in page.text
    # The category's figures only, prefilled from the organisation register.
    assert re.search(r'name="figures\.staff_count"[^>]*value="100"', page.text)
    assert 'name="figures.member_count"' in page.text
    assert 'name="figures.migrant_worker_count"' not in page.text
    # Every item, grouped by dimension, with its rating radios, statement and upload form.
    for item in items:
        assert f'data-item-code="{item.code}"' in page.text
        assert f'form="upload-{item.id}"' in page.text and f'id="upload-{item.id}"' in page.text
    assert page.text.count('<details class="sa-dim') == len({i.dimension for i in items})
    na_items = [i for i in items if i.na_allowed]
    assert na_items and page.text.count('value="na"') == len(na_items)
    assert 'accept="image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"' in page.text


def test_union_saves_a_partial_draft_and_sees_it_again(world, client, auth):
    nomination = world.nomination(status="draft", complete=False)
    first, second = items_of(world)[:2]
    auth.login("union_a")
    response = post_form(
        client,
        page_url(nomination.id),
        {
            "figures.staff_count": "120",
            "figures.member_count": "118",
            f"items.{first.id}.rating": "met",
            f"items.{first.id}.statement": "党组织每季度研究工会工作",
            f"items.{second.id}.statement": "正在整理学习记录",
        },
    )
    assert response.status_code == 302, response.text
    rnd = latest(nomination.id)
    assert (rnd.staff_count, rnd.member_count) == (120, 118)
    assert response_of(rnd.id, first.id).rating == "met"
    second_response = response_of(rnd.id, second.id)
    assert second_response.rating is None and second_response.statement == "正在整理学习记录"
    assert (
        db.session.scalar(
            select(db.func.count()).select_from(ItemResponse).where(ItemResponse.round_id == rnd.id)
        )
        == 2
    )

    page = client.get(page_url(nomination.id)).text
    assert "草稿已保存" in page or "Draft saved" in page
    assert re.search(r'name="figures\.staff_count"[^>]*value="120"', page)
    assert re.search(r'name="figures\.member_count"[^>]*value="118"', page)
    assert re.search(rf'id="r-{first.id}-met" value="met"[^>]*checked', page)
    assert "党组织每季度研究工会工作" in block(page, first.id)
    assert "正在整理学习记录" in block(page, second.id)
    assert not re.search(rf'id="r-{second.id}-met" value="met"[^>]*checked', page)
    # The rates follow the saved figures: 118 / 120 = 98.3%, below 100%.
    assert "98.3%" in rate_row(page, "membership_rate")
    # And the problem list says what is still missing.
    assert 'data-testid="problems"' in page and "尚未自评" in page


def test_more_members_than_staff_is_refused_next_to_the_field(world, client, auth):
    nomination = world.nomination(status="draft", complete=False)
    first = items_of(world)[0]
    auth.login("union_a")
    response = post_form(
        client,
        page_url(nomination.id),
        {
            "figures.staff_count": "100",
            "figures.member_count": "130",
            f"items.{first.id}.rating": "met",
            f"items.{first.id}.statement": "我的说明",
        },
    )
    assert response.status_code == 422
    assert "不能大于" in field_error(response.text, "figures-member_count")
    # Nothing saved, nothing typed lost.
    rnd = latest(nomination.id)
    assert rnd.member_count is None and response_of(rnd.id, first.id) is None
    assert re.search(r'name="figures\.member_count"[^>]*value="130"', response.text)
    assert "我的说明" in block(response.text, first.id)
    assert re.search(rf'id="r-{first.id}-met" value="met"[^>]*checked', response.text)


def test_a_figure_that_is_not_a_number_is_refused_next_to_the_field(world, client, auth):
    nomination = world.nomination(status="draft", complete=False)
    auth.login("union_a")
    response = post_form(
        client,
        page_url(nomination.id),
        {"figures.staff_count": "一百", "figures.member_count": "90"},
    )
    assert response.status_code == 422
    assert field_error(response.text, "figures-staff_count")
    assert latest(nomination.id).member_count is None
    assert re.search(r'name="figures\.staff_count"[^>]*value="一百"', response.text)


def test_not_applicable_only_where_the_item_allows_it(world, client, auth):
    nomination = world.nomination(status="draft", complete=False)
    items = items_of(world)
    strict = next(i for i in items if not i.na_allowed)
    lenient = next(i for i in items if i.na_allowed)
    auth.login("union_a")
    page = client.get(page_url(nomination.id)).text
    assert f'id="r-{strict.id}-na"' not in page and f'id="r-{lenient.id}-na"' in page
    response = post_form(
        client,
        page_url(nomination.id),
        {f"items.{strict.id}.rating": "na", f"items.{strict.id}.statement": "无"},
    )
    assert response.status_code == 422
    assert "不适用" in field_error(response.text, f"items-{strict.id}-rating")
    assert response_of(latest(nomination.id).id, strict.id) is None
    response = post_form(
        client,
        page_url(nomination.id),
        {f"items.{lenient.id}.rating": "na", f"items.{lenient.id}.statement": "规模小，未设小组"},
    )
    assert response.status_code == 302
    assert response_of(latest(nomination.id).id, lenient.id).rating == "na"


# -- rates ------------------------------------------------------------------------------


def test_rates_panel_for_an_enterprise_below_the_threshold(world, client, auth):
    nomination = world.nomination(status="draft", complete=False)
    auth.login("union_a")
    assert (
        post_form(
            client,
            page_url(nomination.id),
            {"figures.staff_count": "100", "figures.member_count": "95"},
        ).status_code
        == 302
    )
    page = client.get(page_url(nomination.id)).text
    row = rate_row(page, "membership_rate")
    assert "入会率" in row and "95.0%" in row and "100%" in row and "✗" in row
    assert "入会率 95.0%，低于标准要求的 100%。" in page  # and in the problem list
    # The thresholds and the rules travel with the form for the live recomputation.
    config = htmllib.unescape(re.search(r'data-rates="([^"]+)"', page).group(1))
    assert '"membership_rate"' in config and '"t": [1, 1]' in config


def test_rates_panel_for_a_regional_union(world, client, auth):
    nomination = world.nomination(org=world.union_b, status="draft", complete=True)
    auth.login("union_b")
    page = client.get(page_url(nomination.id)).text
    expected = {
        "union_coverage_rate": ("建会率", "95.0%", "90%"),
        "membership_rate": ("入会率", "95.0%", "90%"),
        "migrant_membership_rate": ("农民工入会率", "90.0%", "80%"),
        "collective_contract_rate": ("集体合同建制率", "94.7%", "90%"),
    }
    for key, parts in expected.items():
        row = rate_row(page, key)
        assert all(p in row for p in parts) and "✓" in row, row
    for name in ("migrant_worker_count", "subunit_count", "collective_contract_count"):
        assert f'name="figures.{name}"' in page


# -- submitting -------------------------------------------------------------------------


def test_submit_is_refused_with_the_problem_list_until_complete(world, client, auth):
    nomination = world.nomination(status="draft", complete=False)
    auth.login("union_a")
    page = client.get(page_url(nomination.id)).text
    assert 'data-testid="problems"' in page and 'data-action="submit"' not in page
    assert f'href="/nominations/{nomination.id}"' in page  # 去提交
    refused = act(client, nomination.id, "submit")
    assert refused.status_code == 409  # the engine's guard
    assert "尚未自评" in refused.text
    assert db.session.get(Nomination, nomination.id).status == "draft"


def test_a_complete_one_submits_and_the_round_freezes(world, client, auth):
    nomination = world.nomination(status="draft", complete=True)
    auth.login("union_a")
    page = client.get(page_url(nomination.id)).text
    assert 'data-testid="problems-none"' in page and 'data-action="submit"' in page
    response = act(client, nomination.id, "submit")
    assert response.status_code == 302, response.text
    assert db.session.get(Nomination, nomination.id).status == "submitted"
    rnd = latest(nomination.id)
    assert rnd.status == RoundStatus.SUBMITTED
    page = client.get(page_url(nomination.id))
    assert page.status_code == 200
    assert 'id="sa-form"' not in page.text and 'name="figures.staff_count"' not in page.text
    assert "自查材料汇编.pdf" in page.text  # evidence beside each item
    refused = client.post(
        page_url(nomination.id),
        data={"figures.staff_count": "1", "csrf_token": csrf_from(page.text)},
    )
    assert refused.status_code == 409
    assert latest(nomination.id).staff_count == 100


# -- review, return, round 2, diff -----------------------------------------------------


def test_review_comment_return_and_the_union_sees_it_in_round_two(world, client, auth):
    nomination = world.nomination(status="submitted", complete=True)
    items = items_of(world)
    target, other = items[3], items[5]
    auth.login("reviewer_a")
    review = client.get(page_url(nomination.id)).text
    assert 'data-testid="review-actions"' in review
    assert review.count('class="sa-comment-form') == len(items) + 1  # every item + figures
    response = post_form(
        client,
        page_url(nomination.id),
        {"item_id": target.id, "body": "会议记录缺少签到表"},
        action=f"/nominations/{nomination.id}/review-comments",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#item-{target.id}")
    review = client.get(page_url(nomination.id)).text
    assert "会议记录缺少签到表" in block(review, target.id)
    assert "会议记录缺少签到表" not in block(review, other.id)
    # An empty comment is refused next to its form.
    empty = post_form(
        client,
        page_url(nomination.id),
        {"item_id": other.id, "body": "  "},
        action=f"/nominations/{nomination.id}/review-comments",
    )
    assert empty.status_code == 422 and field_error(empty.text, f"comment-item-{other.id}")

    # Return with no general comment: the item comment counts.
    response = act(client, nomination.id, "return", comment="")
    assert response.status_code == 302, response.text
    assert db.session.get(Nomination, nomination.id).status == "returned"
    event = db.session.scalar(
        select(NominationEvent)
        .where(NominationEvent.nomination_id == nomination.id)
        .order_by(NominationEvent.id.desc())
    )
    assert event.action == "return" and "1 条审核意见" in event.comment
    auth.logout()

    auth.login("union_a")
    page = client.get(page_url(nomination.id)).text
    assert 'id="sa-form"' in page and "第 2 轮" in page
    mine = block(page, target.id)
    assert "sa-prev-comment" in mine and "会议记录缺少签到表" in mine and "审核意见" in mine
    assert "会议记录缺少签到表" not in block(page, other.id)
    # Round 1 stays as submitted, read-only.
    old = client.get(page_url(nomination.id, round=1))
    assert old.status_code == 200 and 'id="sa-form"' not in old.text
    assert "会议记录缺少签到表" in block(old.text, target.id)

    # The union changes one statement and one figure; the diff shows both.
    assert (
        post_form(
            client,
            page_url(nomination.id),
            {
                "figures.staff_count": "110",
                "figures.member_count": "110",
                f"items.{target.id}.rating": "met",
                f"items.{target.id}.statement": "已补充签到表",
            },
        ).status_code
        == 302
    )
    assert 'data-testid="diff-link"' in client.get(page_url(nomination.id)).text
    diff = client.get(f"/nominations/{nomination.id}/rounds/1/diff/2")
    assert diff.status_code == 200
    assert "已补充签到表" in diff.text and "已按标准落实。" in diff.text
    assert re.search(r"职工数</td>\s*<td[^>]*>100</td>\s*<td[^>]*>→ 110</td>", diff.text)
    assert diff.text.count('data-testid="diff-item"') == 1
    assert f'data-item-code="{target.code}"' in diff.text
    assert client.get(f"/nominations/{nomination.id}/rounds/1/diff/3").status_code == 404
    assert client.get(f"/nominations/{nomination.id}/rounds/0/diff/2").status_code == 404
    assert client.get(page_url(nomination.id, round=7)).status_code == 404


def test_diff_lists_evidence_added_and_removed(world, client, auth, ctx):
    from app.assessment.rounds import latest_round
    from app.nominations.services import take_action

    nomination = world.nomination(status="submitted", complete=True)
    items = items_of(world)
    take_action(world.user("reviewer_a"), nomination.id, "return", comment="请修改")
    rnd = latest_round(nomination.id)
    link = db.session.scalar(
        select(EvidenceLink).where(
            EvidenceLink.round_id == rnd.id, EvidenceLink.item_id == items[0].id
        )
    )
    # The same file now cited for the key figures, and no longer for the first item.
    db.session.add(EvidenceLink(round_id=rnd.id, evidence_id=link.evidence_id, item_id=None))
    db.session.delete(link)
    db.session.commit()
    auth.login("reviewer_a")
    diff = client.get(f"/nominations/{nomination.id}/rounds/1/diff/2").text
    assert 'data-change="removed"' in block_by_code(diff, items[0].code)
    assert 'data-testid="diff-figures"' in diff and "+ 自查材料汇编.pdf" in diff


def block_by_code(html: str, code: str) -> str:
    start = html.index(f'data-item-code="{code}"')
    return html[start : html.index("</article>", start)]


def test_reviewer_deletes_own_comment(world, client, auth):
    nomination = world.nomination(status="submitted", complete=True)
    item = items_of(world)[0]
    auth.login("reviewer_a")
    post_form(
        client,
        page_url(nomination.id),
        {"item_id": item.id, "body": "待删除的意见"},
        action=f"/nominations/{nomination.id}/review-comments",
    )
    comment = db.session.scalar(select(ReviewComment))
    page = client.get(page_url(nomination.id)).text
    action = f"/nominations/{nomination.id}/review-comments/{comment.id}/delete"
    assert action in block(page, item.id)
    response = client.post(
        action,
        data={"csrf_token": csrf_from(page), "next": page_url(nomination.id) + f"#item-{item.id}"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#item-{item.id}")
    assert db.session.scalar(select(ReviewComment)) is None


def test_the_union_does_not_see_comments_before_the_decision(world, client, auth, ctx):
    from app.assessment.review import add_review_comment

    nomination = world.nomination(status="submitted", complete=True)
    item = items_of(world)[0]
    add_review_comment(world.user("reviewer_a"), nomination.id, "尚在审核的意见", item.id)
    auth.login("union_a")
    page = client.get(page_url(nomination.id)).text
    assert "尚在审核的意见" not in page and 'class="sa-comment-form' not in page


# -- who may do what ----------------------------------------------------------------------


@pytest.mark.parametrize("username", ["reviewer_b", "union_b", "union_a2"])
def test_outside_the_scope_everything_is_not_found(world, client, auth, username):
    nomination = world.nomination(status="submitted", complete=True)
    item = items_of(world)[0]
    auth.login("reviewer_a")
    post_form(
        client,
        page_url(nomination.id),
        {"item_id": item.id, "body": "意见"},
        action=f"/nominations/{nomination.id}/review-comments",
    )
    act(client, nomination.id, "return")
    comment = db.session.scalar(select(ReviewComment))
    auth.logout()
    auth.login(username)
    token = csrf_from(client.get("/").text)
    for url in (
        page_url(nomination.id),
        page_url(nomination.id, round=1),
        f"/nominations/{nomination.id}/rounds/1/diff/2",
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (page_url(nomination.id), {"figures.staff_count": "1"}),
        (f"/nominations/{nomination.id}/review-comments", {"item_id": item.id, "body": "x"}),
        (f"/nominations/{nomination.id}/review-comments/{comment.id}/delete", {}),
    ):
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 404, url


def test_reviewer_cannot_save_the_self_assessment(world, client, auth):
    nomination = world.nomination(status="draft", complete=False)
    auth.login("reviewer_a")
    page = client.get(page_url(nomination.id))
    assert page.status_code == 200 and 'id="sa-form"' not in page.text
    response = client.post(
        page_url(nomination.id),
        data={"figures.staff_count": "5", "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 403
    assert latest(nomination.id).staff_count is None


def test_union_cannot_add_review_comments(world, client, auth):
    nomination = world.nomination(status="submitted", complete=True)
    item = items_of(world)[0]
    auth.login("union_a")
    response = post_form(
        client,
        page_url(nomination.id),
        {"item_id": item.id, "body": "自评"},
        action=f"/nominations/{nomination.id}/review-comments",
    )
    assert response.status_code == 403
    assert db.session.scalar(select(ReviewComment)) is None


def test_city_reads_but_does_not_review(world, client, auth):
    nomination = world.nomination(status="submitted", complete=True)
    auth.login("city")
    page = client.get(page_url(nomination.id)).text
    assert 'id="sa-form"' not in page and 'class="sa-comment-form' not in page
    assert 'data-testid="review-actions"' not in page and "自查材料汇编.pdf" in page


def test_comments_outside_review_are_refused(world, client, auth):
    nomination = world.nomination(status="draft", complete=True)
    auth.login("reviewer_a")
    response = post_form(
        client,
        page_url(nomination.id),
        {"item_id": items_of(world)[0].id, "body": "意见"},
        action=f"/nominations/{nomination.id}/review-comments",
    )
    assert response.status_code == 409


# -- query budget -------------------------------------------------------------------------


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return counter["n"]


@pytest.mark.parametrize("username, status", [("union_a", "draft"), ("reviewer_a", "submitted")])
def test_page_queries_do_not_grow_with_items(world, client, auth, username, status):
    few = world.nomination(status=status, complete=False)
    rnd = latest(few.id)
    many = world.nomination(status=status, complete=True)
    items = items_of(world)
    for item in items[:5]:
        db.session.add(
            ItemResponse(round_id=rnd.id, item_id=item.id, rating="met", statement="已落实")
        )
    evidence_id = db.session.scalar(
        select(EvidenceLink.evidence_id)
        .join(AssessmentRound)
        .where(AssessmentRound.nomination_id == many.id)
        .limit(1)
    )
    for item in items[:5]:
        db.session.add(EvidenceLink(round_id=rnd.id, evidence_id=evidence_id, item_id=item.id))
    db.session.commit()
    auth.login(username)
    if username == "reviewer_a":
        for nomination in (few, many):
            for item in items[:3]:
                db.session.add(
                    ReviewComment(
                        round_id=latest(nomination.id).id,
                        item_id=item.id,
                        author_id=world.users["reviewer_a"].id,
                        body="意见",
                    )
                )
        for item in items[3:]:
            db.session.add(
                ReviewComment(
                    round_id=latest(many.id).id,
                    item_id=item.id,
                    author_id=world.users["reviewer_a"].id,
                    body="意见",
                )
            )
        db.session.commit()
    q_few = _queries(client, page_url(few.id))
    q_many = _queries(client, page_url(many.id))
    assert q_few == q_many, f"{q_few} statements for 5 items, {q_many} for {len(items)}"
    assert q_many <= 20, q_many


def test_diff_page_queries_do_not_grow_with_items(world, client, auth, ctx):
    from app.nominations.services import take_action

    nomination = world.nomination(status="submitted", complete=True)
    take_action(world.user("reviewer_a"), nomination.id, "return", comment="请修改")
    rnd = latest(nomination.id)
    auth.login("union_a")
    few = _queries(client, f"/nominations/{nomination.id}/rounds/1/diff/2")
    db.session.execute(delete(EvidenceLink).where(EvidenceLink.round_id == rnd.id))
    db.session.execute(delete(ItemResponse).where(ItemResponse.round_id == rnd.id))
    db.session.commit()
    many = _queries(client, f"/nominations/{nomination.id}/rounds/1/diff/2")
    assert few == many and many <= 12, many


def test_pages_in_english(world, client, auth):
    nomination = world.nomination(status="draft", complete=False)
    auth.login("union_a")
    client.set_cookie("lang", "en")
    page = client.get(page_url(nomination.id))
    assert page.status_code == 200
    assert "Save draft" in page.text and "Key figures" in page.text
    detail = client.get(f"/nominations/{nomination.id}").text
    assert "Fill in the self-assessment" in detail
