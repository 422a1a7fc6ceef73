"""Self-assessment rounds: filling in, the submit guard, review comments, return rounds, diffs."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.assessment.completeness import submission_problems
from app.assessment.diff import diff_rounds
from app.assessment.editing import Answer, save_self_assessment
from app.assessment.models import AssessmentRound, ItemResponse, RoundStatus
from app.assessment.review import add_review_comment
from app.assessment.round_view import round_view
from app.assessment.rounds import latest_round, rounds_of
from app.errors import Conflict, Forbidden, Invalid
from app.extensions import db
from app.nominations.services import create_nomination, take_action
from app.standards.models import StandardItem
from workflows.engine import GuardFailed


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


def test_a_new_nomination_opens_round_one_from_the_register(world, ctx):
    nomination = create_nomination(
        world.user("union_a"), campaign_id=world.campaign.id, award_type="model_home"
    )
    [rnd] = rounds_of(nomination.id)
    assert (rnd.number, rnd.status) == (1, RoundStatus.EDITING)
    assert (rnd.staff_count, rnd.member_count) == (100, 100)  # from the organisation
    assert rnd.standard_version_id == world.campaign.standard_version_id


def test_campaign_without_a_standard_refuses_nominations(world, ctx):
    world.campaign.standard_version_id = None
    db.session.commit()
    with pytest.raises(Invalid) as info:
        create_nomination(
            world.user("union_a"), campaign_id=world.campaign.id, award_type="model_home"
        )
    assert "评价标准" in info.value.errors["campaign_id"][0]


def test_submit_is_refused_with_the_list_of_what_is_missing(world, ctx):
    nomination = world.nomination(status="draft", complete=False)
    problems = submission_problems(nomination)
    items = _items(world)
    assert len([p for p in problems if "尚未自评" in p]) == len(items)
    with pytest.raises(GuardFailed) as info:
        take_action(world.user("union_a"), nomination.id, "submit")
    assert "尚未自评" in " ".join(info.value.problems)
    assert nomination.status == "draft"


def test_below_threshold_figures_block_submission(world, ctx):
    nomination = world.nomination(status="draft", complete=True)
    assert submission_problems(nomination) == []
    save_self_assessment(
        world.user("union_a"), nomination.id, figures={"staff_count": 100, "member_count": 95}
    )
    assert any("入会率 95.0%，低于标准要求的 100%" in p for p in submission_problems(nomination))


def test_partial_draft_saves_and_invalid_input_saves_nothing(world, ctx):
    nomination = world.nomination(status="draft", complete=False)
    union = world.user("union_a")
    first, second = _items(world)[:2]
    save_self_assessment(
        union,
        nomination.id,
        figures={"staff_count": 120},
        answers={first.id: Answer("met", "已建立"), second.id: Answer(None, "草稿")},
    )
    rnd = latest_round(nomination.id)
    assert rnd.staff_count == 120
    saved = {r.item_id: (r.rating, r.statement) for r in rnd.responses}
    assert saved == {first.id: ("met", "已建立"), second.id: (None, "草稿")}

    with pytest.raises(Invalid) as info:
        save_self_assessment(
            union,
            nomination.id,
            figures={"member_count": 150},
            answers={first.id: Answer("not_met", "改了")},
        )
    assert "会员数（150）不能大于职工数（120）" in info.value.errors["figures.member_count"][0]
    db.session.expire_all()
    rnd = latest_round(nomination.id)
    assert rnd.member_count is None
    assert {r.item_id: r.rating for r in rnd.responses}[first.id] == "met"


def test_not_applicable_only_where_the_item_allows_it(world, ctx):
    nomination = world.nomination(status="draft", complete=False)
    items = _items(world)
    strict = next(i for i in items if not i.na_allowed)
    with pytest.raises(Invalid) as info:
        save_self_assessment(
            world.user("union_a"), nomination.id, answers={strict.id: Answer("na", "无")}
        )
    assert info.value.errors == {f"items.{strict.id}.rating": ["该项不允许选择“不适用”。"]}
    lenient = [i for i in items if i.na_allowed]
    if lenient:
        save_self_assessment(
            world.user("union_a"),
            nomination.id,
            answers={lenient[0].id: Answer("na", "本单位无此情况")},
        )


def test_only_the_union_fills_and_only_while_editing(world, ctx):
    nomination = world.nomination(status="submitted", complete=True)
    with pytest.raises(Forbidden):
        save_self_assessment(world.user("reviewer_a"), nomination.id, figures={"staff_count": 1})
    with pytest.raises(Conflict):
        save_self_assessment(world.user("union_a"), nomination.id, figures={"staff_count": 1})


def test_return_keeps_the_submitted_round_and_opens_a_copy(world, ctx):
    union, reviewer = world.user("union_a"), world.user("reviewer_a")
    nomination = world.nomination(status="draft", complete=True)
    take_action(union, nomination.id, "submit")
    assert latest_round(nomination.id).status == RoundStatus.SUBMITTED
    item = _items(world)[3]
    with pytest.raises(Forbidden):
        add_review_comment(union, nomination.id, "自己评自己", item_id=item.id)
    add_review_comment(reviewer, nomination.id, "会议记录缺少签名页。", item_id=item.id)
    take_action(reviewer, nomination.id, "return")  # item comments stand for the note
    assert nomination.status == "returned"
    assert nomination.events[-1].comment == "请按 1 条审核意见修改后重新提交。"

    first, second = rounds_of(nomination.id)
    assert (first.status, second.status) == (RoundStatus.RETURNED, RoundStatus.EDITING)
    count = lambda r: db.session.scalar(  # noqa: E731
        select(func.count()).select_from(ItemResponse).where(ItemResponse.round_id == r.id)
    )
    assert count(first) == count(second) == len(_items(world))
    view = round_view(nomination, second)
    [commented] = [v for _, vs in view.dimensions for v in vs if v.item.id == item.id]
    assert [c.body for c in commented.previous_comments] == ["会议记录缺少签名页。"]

    save_self_assessment(
        union,
        nomination.id,
        figures={"staff_count": 101, "member_count": 101},
        answers={item.id: Answer("met", "已补充签名页。")},
    )
    db.session.refresh(first)
    assert first.staff_count == 100  # the submitted round is untouched
    assert {r.item_id: r.statement for r in first.responses}[item.id] == "已按标准落实。"

    diff = diff_rounds(nomination, 1, 2)
    assert ("职工数", 100, 101) in diff.figures and ("会员数", 100, 101) in diff.figures
    [change] = diff.items
    assert change.item.id == item.id
    assert (change.old.statement, change.new.statement) == ("已按标准落实。", "已补充签名页。")

    take_action(union, nomination.id, "submit")
    take_action(reviewer, nomination.id, "approve")
    assert [r.status for r in rounds_of(nomination.id)] == [
        RoundStatus.RETURNED,
        RoundStatus.CLOSED,
    ]


def test_return_without_any_comment_is_refused(world, ctx):
    from workflows.engine import CommentRequired

    nomination = world.nomination(status="submitted", complete=True)
    with pytest.raises(CommentRequired):
        take_action(world.user("reviewer_a"), nomination.id, "return")
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AssessmentRound)
            .where(AssessmentRound.nomination_id == nomination.id)
        )
        == 1
    )


def test_review_comments_only_during_review(world, ctx):
    nomination = world.nomination(status="draft", complete=True)
    with pytest.raises(Conflict):
        add_review_comment(world.user("reviewer_a"), nomination.id, "太早了")
