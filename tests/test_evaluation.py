"""会员评家: anonymity, one vote per token, refusals, thresholds, paper tallies, closing."""

from __future__ import annotations

import io
import threading
import uuid
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import inspect, select
from werkzeug.datastructures import FileStorage

from app.errors import Conflict, Invalid
from app.evaluation.ballots import BallotRefused, cast_ballot
from app.evaluation.closing import close_early, close_evaluation, close_expired_evaluations
from app.evaluation.models import Ballot, BallotAnswer, BallotToken, MemberEvaluation
from app.evaluation.opening import open_evaluation
from app.evaluation.results import results, stored_reasons, turnout
from app.evaluation.tallies import enter_paper_tally
from app.evaluation.tokens import issue_tokens, revealed_tokens, void_tokens
from app.extensions import db
from app.timeutil import utcnow


def _open(world, org=None, members=10, **kw):  # type: ignore[no-untyped-def]
    nomination = world.nomination(org=org or world.union_a, status="member_evaluation")
    union = {
        world.union_a.id: "union_a",
        world.union_a2.id: "union_a2",
        world.union_b.id: "union_b",
    }[nomination.org_id]
    now = utcnow()
    evaluation = open_evaluation(
        world.user(union),
        nomination.id,
        opens_at=kw.get("opens_at", now - timedelta(minutes=1)),
        closes_at=kw.get("closes_at", now + timedelta(days=3)),
        member_count=members,
    )
    return nomination, evaluation


def _tokens(evaluation):  # type: ignore[no-untyped-def]
    """Every token of the evaluation in serial order, as the union's slips carry them."""
    return [t.token for t in revealed_tokens(evaluation, unused_only=False)]


def _vote(evaluation, token, choice="satisfied", comment=None):  # type: ignore[no-untyped-def]
    cast_ballot(
        token,
        overall=choice,
        answers={d["code"]: choice for d in evaluation.dimensions},
        comment=comment,
    )


def test_opening_issues_one_unguessable_token_per_member(world, ctx):
    _nomination, evaluation = _open(world, members=25)
    tokens = _tokens(evaluation)
    assert len(tokens) == len(set(tokens)) == 25
    assert all(len(t) >= 32 for t in tokens)  # 24 random bytes, url-safe
    assert [d["label"] for d in evaluation.dimensions][:2] == ["政治建设", "组织建设"]


def test_a_ballot_cannot_be_joined_back_to_its_token(world, ctx):
    """Inspect what is stored: nothing in a ballot row points at a token, a person or a time."""
    _nomination, evaluation = _open(world, members=5)
    tokens = _tokens(evaluation)
    for token, choice in zip(tokens[:3], ["satisfied", "basic", "dissatisfied"], strict=True):
        _vote(evaluation, token, choice, comment=f"意见{choice}")

    schema = inspect(db.session.connection())  # the test's own connection: it holds the lock
    ballot_columns = {c["name"] for c in schema.get_columns("ballots")}
    assert ballot_columns == {"id", "evaluation_id", "voted_on", "overall", "comment"}
    answer_columns = {c["name"] for c in schema.get_columns("ballot_answers")}
    assert answer_columns == {"ballot_id", "dimension", "choice"}
    token_columns = {c["name"] for c in schema.get_columns("ballot_tokens")}
    assert not token_columns & {"ballot_id", "used_at", "voted_at", "ip", "ip_address"}
    for table in ("ballots", "ballot_answers", "ballot_tokens"):
        fks = schema.get_foreign_keys(table)
        assert all(fk["referred_table"] != "ballot_tokens" for fk in fks)
        assert all(fk["referred_table"] != "users" for fk in fks)

    ballots = db.session.scalars(select(Ballot)).all()
    assert len(ballots) == 3
    for ballot in ballots:
        assert len(ballot.id) == 32 and ballot.id not in tokens  # random, not a token
        assert type(ballot.voted_on).__name__ == "date"  # a day, never a time of day
    # Ids are random UUIDs (version 4), so their order says nothing about the order of voting.
    assert all(uuid.UUID(b.id).version == 4 for b in ballots)
    spent = db.session.scalars(select(BallotToken).where(BallotToken.status == "used")).all()
    assert len(spent) == 3
    assert {"issued_at"} == {c for c in token_columns if c.endswith("_at")}


def test_a_token_votes_once(world, ctx):
    _nomination, evaluation = _open(world, members=3)
    token = _tokens(evaluation)[0]
    _vote(evaluation, token)
    with pytest.raises(BallotRefused) as info:
        _vote(evaluation, token, "dissatisfied")
    assert "已经使用过" in info.value.message
    assert results(evaluation).online.total == 1
    assert results(evaluation).online.satisfied == 1


@pytest.mark.parametrize("case", ["unknown", "void", "expired", "not_yet", "closed"])
def test_refusals(world, ctx, case):
    now = utcnow()
    kw = {}
    if case == "not_yet":
        kw["opens_at"] = now + timedelta(hours=2)
    _nomination, evaluation = _open(world, members=3, **kw)
    token = _tokens(evaluation)[0]
    if case == "unknown":
        token = "not-a-real-token-" + token[:10]
    elif case == "void":
        assert void_tokens(world.user("union_a"), evaluation.nomination_id, [1]) == 1
    elif case == "expired":
        evaluation.closes_at = now - timedelta(seconds=1)
        evaluation.opens_at = now - timedelta(days=1)
        db.session.commit()
    elif case == "closed":
        _vote(evaluation, _tokens(evaluation)[1])
        close_evaluation(evaluation.id)
    expected = {
        "unknown": "无效",
        "void": "作废",
        "expired": "已结束",
        "not_yet": "尚未开始",
        "closed": "已结束",
    }[case]
    with pytest.raises(BallotRefused) as info:
        _vote(evaluation, token)
    assert expected in info.value.message
    assert db.session.scalar(
        select(db.func.count()).select_from(Ballot).where(Ballot.evaluation_id == evaluation.id)
    ) == (1 if case == "closed" else 0)


def test_incomplete_ballot_is_refused_and_spends_nothing(world, ctx):
    _nomination, evaluation = _open(world, members=2)
    token = _tokens(evaluation)[0]
    with pytest.raises(Invalid) as info:
        cast_ballot(token, overall="satisfied", answers={})
    assert len(info.value.errors) == len(evaluation.dimensions)
    _vote(evaluation, token)  # the token is still good


@pytest.mark.parametrize(
    ("org_key", "state_owned", "satisfied", "basic", "dissatisfied", "passes"),
    [
        ("union_a", False, 8, 1, 1, True),  # 企业 90%: 9/10 meets
        ("union_a", False, 8, 0, 2, False),  # 80%
        ("union_a", True, 9, 0, 1, False),  # 国有企业 95%: 90% is not enough
        ("union_a", True, 18, 1, 1, True),  # 19/20 = 95%
        ("union_a2", False, 18, 0, 2, False),  # 机关事业单位 95%: 90% fails
        ("union_a2", False, 19, 0, 1, True),
        ("union_b", False, 9, 0, 1, True),  # 区域性 90%
        ("union_b", False, 17, 0, 3, False),
    ],
)
def test_threshold_decision_per_category(
    world, ctx, org_key, state_owned, satisfied, basic, dissatisfied, passes
):
    org = getattr(world, org_key)
    org.is_state_owned = state_owned
    db.session.commit()
    total = satisfied + basic + dissatisfied
    nomination, evaluation = _open(world, org=org, members=total)
    tokens = iter(_tokens(evaluation))
    for choice, n in (("satisfied", satisfied), ("basic", basic), ("dissatisfied", dissatisfied)):
        for _ in range(n):
            _vote(evaluation, next(tokens), choice)
    decision = close_evaluation(evaluation.id)
    assert decision.passed is passes
    db.session.refresh(nomination)
    assert nomination.status == ("awaiting_draw" if passes else "evaluation_failed")
    event = nomination.events[-1]
    assert event.action == ("pass_evaluation" if passes else "fail_evaluation")
    assert "满意率" in event.comment and event.actor_id is None


def test_satisfied_only_rule_and_minimum_turnout(world, ctx):
    world.campaign.evaluation_rule = "satisfied_only"
    world.campaign.evaluation_min_turnout = 0.8
    db.session.commit()
    nomination, evaluation = _open(world, members=10)
    tokens = _tokens(evaluation)
    for t in tokens[:6]:
        _vote(evaluation, t, "satisfied")
    _vote(evaluation, tokens[6], "basic")
    decision = close_evaluation(evaluation.id)
    # 6 of 7 counted as satisfied (85.7% < 90%) and 7/10 voted (< 80%): two reasons.
    assert not decision.passed and len(decision.reasons) == 2
    # Read back later (the API, the report PDF) from the figures stored at closing.
    db.session.expire_all()
    assert stored_reasons(db.session.get(MemberEvaluation, evaluation.id)) == decision.reasons
    assert (decision.totals.satisfied, decision.totals.basic, decision.valid) == (6, 1, 7)


def _png() -> FileStorage:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    buffer.seek(0)
    return FileStorage(stream=buffer, filename="计票表.png", content_type="image/png")


def test_paper_and_online_counted_apart_and_together(world, ctx, app, tmp_path):
    app.config["EVIDENCE_STORAGE_DIR"] = str(tmp_path)
    nomination, evaluation = _open(world, members=20)
    for t in _tokens(evaluation)[:4]:
        _vote(evaluation, t, "satisfied")
    union = world.user("union_a")
    with pytest.raises(Invalid) as info:
        enter_paper_tally(union, nomination.id, satisfied=10, basic=2, dissatisfied=1)
    assert "tally_sheet" in info.value.errors
    with pytest.raises(Invalid):
        enter_paper_tally(
            union, nomination.id, satisfied=20, basic=0, dissatisfied=0, tally_sheet=_png()
        )  # 20 paper + 4 online > 20 members
    tally = enter_paper_tally(
        union, nomination.id, satisfied=10, basic=2, dissatisfied=1, invalid=1, tally_sheet=_png()
    )
    assert tally.evidence.original_name == "计票表.png"
    res = results(evaluation)
    assert (res.online.satisfied, res.online.total) == (4, 4)
    assert (res.paper.satisfied, res.paper.basic, res.paper.dissatisfied) == (10, 2, 1)
    assert res.total.total == 17 and res.paper_invalid == 1
    current = turnout(evaluation)
    assert (current.voted_online, current.paper, current.voted) == (4, 13, 17)
    decision = close_evaluation(evaluation.id, actor=union)
    assert decision.valid == 17 and decision.rate == pytest.approx(16 / 17)


def test_more_tokens_and_voiding(world, ctx):
    nomination, evaluation = _open(world, members=3)
    union = world.user("union_a")
    assert issue_tokens(union, nomination.id, 2) == 2
    assert len(_tokens(evaluation)) == 5 and evaluation.member_count == 5
    _vote(evaluation, _tokens(evaluation)[0])
    assert void_tokens(union, nomination.id, [1, 2, 3]) == 2  # a used token stays counted
    assert turnout(evaluation).issued == 3
    with pytest.raises(Invalid):
        issue_tokens(union, nomination.id, 0)


def test_close_early_needs_turnout(world, ctx):
    nomination, evaluation = _open(world, members=4)
    union = world.user("union_a")
    _vote(evaluation, _tokens(evaluation)[0])
    with pytest.raises(Conflict) as info:
        close_early(union, nomination.id)
    assert "参评率 25.0%" in info.value.message
    _vote(evaluation, _tokens(evaluation)[1])
    assert close_early(union, nomination.id).passed
    with pytest.raises(Conflict):
        close_evaluation(evaluation.id)


def test_the_job_closes_expired_windows_once(world, ctx):
    nomination, evaluation = _open(world, members=2)
    _vote(evaluation, _tokens(evaluation)[0])
    assert close_expired_evaluations() == []
    assert close_expired_evaluations(utcnow() + timedelta(days=4)) == [evaluation.id]
    assert close_expired_evaluations(utcnow() + timedelta(days=4)) == []
    db.session.refresh(nomination)
    assert nomination.status == "awaiting_draw"


def test_open_refusals(world, ctx):
    nomination = world.nomination(status="submitted")
    now = utcnow()
    with pytest.raises(Conflict):
        open_evaluation(
            world.user("union_a"),
            nomination.id,
            opens_at=now,
            closes_at=now + timedelta(days=1),
            member_count=5,
        )
    nomination = world.nomination(status="member_evaluation")
    from app.errors import Forbidden

    with pytest.raises(Forbidden):
        open_evaluation(
            world.user("reviewer_a"),
            nomination.id,
            opens_at=now,
            closes_at=now + timedelta(days=1),
            member_count=5,
        )
    with pytest.raises(Invalid) as info:
        open_evaluation(
            world.user("union_a"),
            nomination.id,
            opens_at=now,
            closes_at=now - timedelta(days=1),
            member_count=0,
        )
    assert {"closes_at", "member_count"} <= set(info.value.errors)


@pytest.mark.committing
def test_double_vote_race(app):
    """Two requests with the same token at the same moment, three times over, each with its
    own connection (the file database on SQLite): exactly one ballot is stored, the five
    others are refused as a used link, none fails."""
    from tests.factories import build_world

    with app.app_context():
        world = build_world()
        nomination, evaluation = _open(world, members=2)
        token = _tokens(evaluation)[0]
        evaluation_id = evaluation.id
        dimensions = evaluation.dimensions
        db.session.remove()

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def vote() -> None:
        with app.app_context():
            barrier.wait()
            try:
                cast_ballot(
                    token, overall="satisfied", answers={d["code"]: "satisfied" for d in dimensions}
                )
                outcomes.append("ok")
            except BallotRefused:
                outcomes.append("refused")
            finally:
                db.session.remove()

    for _round in range(3):
        threads = [threading.Thread(target=vote) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == 5
    with app.app_context():
        assert (
            db.session.scalar(
                select(db.func.count())
                .select_from(Ballot)
                .where(Ballot.evaluation_id == evaluation_id)
            )
            == 1
        )
        answers = db.session.scalar(select(db.func.count()).select_from(BallotAnswer))
        assert answers == len(dimensions)
        assert db.session.get(MemberEvaluation, evaluation_id).status == "open"
