"""The city-scale data generator (`flask generate`, app/cli/generate/).

The "tiny" tests are `committing`: generate commits, then (on PostgreSQL) runs VACUUM ANALYZE
on a connection of its own, which would wait on the locks of a test's open transaction. The
"small" city (1,000 nominations) is generated once for the tests at the end of this file and
the tables are emptied after the module; keep the "tiny" tests above those (they need a
database without a generated city, and empty the tables when they end).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.auth.models import RoleAssignment, User
from app.campaigns.models import Campaign
from app.cli.generate import GENERATED_PASSWORD, SCALES, GenerateError, generate
from app.evaluation.models import Ballot, BallotToken, MemberEvaluation
from app.evaluation.results import decide, stored_reasons
from app.evaluation.tokens import revealed_tokens
from app.extensions import db
from app.nominations.models import Nomination, NominationEvent
from app.orgs.models import Organization
from app.spot_checks.models import SpotCheck, SpotCheckAssignment, SpotCheckDraw
from app.spot_checks.services import verify_draw
from app.timeutil import utcnow
from tests.conftest import _truncate_all
from workflows.nomination import ACTIONS, STATE_NAMES, STATE_OWNER, SYSTEM


def _row_counts() -> dict[str, int]:
    return {
        t.name: db.session.scalar(select(func.count()).select_from(t))
        for t in db.metadata.sorted_tables
    }


def _quiet(_line: str) -> None:
    pass


# -- tiny, committed --------------------------------------------------------------------------


@pytest.mark.committing
def test_tiny_writes_the_scale(app):  # type: ignore[no-untyped-def]
    scale = SCALES["tiny"]
    with app.app_context():
        counts = generate("tiny", progress=_quiet)
        assert counts["nominations"] == sum(scale.nominations) == 10
        assert db.session.scalar(select(func.count()).select_from(Nomination)) == 10
        assert counts["users"] == db.session.scalar(select(func.count()).select_from(User))
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Organization)
                .where(Organization.level == "district")
            )
            == scale.districts
        )
        # every table generate says it wrote holds at least that many rows
        in_db = _row_counts()
        assert all(in_db[name] >= n for name, n in counts.items()), counts


@pytest.mark.committing
def test_a_second_run_is_refused_and_changes_nothing(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        generate("tiny", progress=_quiet)
        before = _row_counts()
        with pytest.raises(GenerateError, match="GC"):
            generate("tiny", progress=_quiet)
        assert _row_counts() == before
        with pytest.raises(GenerateError):
            generate("small", seed=7, progress=_quiet)
        assert _row_counts() == before


@pytest.mark.committing
def test_the_cli_generates_with_progress_and_peak_memory(app):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=["generate", "--scale", "tiny"])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        # a progress line per table written, then the totals with the peak memory
        for table in (
            "organizations",
            "users",
            "nominations",
            "nomination_events",
            "ballots",
            "spot_check_draws",
        ):
            assert any(re.match(rf"· {table}: [\d,]+ 行（[\d.]+ 秒）$", line) for line in lines), (
                table,
                result.output,
            )
        assert "· 申报路径：10 个" in lines
        assert re.search(r"共写入 [\d,]+ 行，用时 \d+ 秒，峰值内存 \d+ MB。", result.output)
        assert GENERATED_PASSWORD in result.output
        # the logins it names exist
        named = re.findall(r"\bg-[a-z0-9-]+\b", result.output.split(GENERATED_PASSWORD, 1)[1])
        assert len(named) == 5
        assert set(
            db.session.scalars(select(User.username).where(User.username.in_(named)))
        ) == set(named)
        assert db.session.scalar(select(func.count()).select_from(Nomination)) == 10
        again = runner.invoke(args=["generate", "--scale", "tiny"])
        assert again.exit_code != 0 and "已经有生成的数据" in again.output
        assert db.session.scalar(select(func.count()).select_from(Nomination)) == 10


@pytest.mark.committing
def test_a_generated_user_logs_in_and_sees_their_worklist(app, client, auth):  # type: ignore[no-untyped-def]
    with app.app_context():
        generate("tiny", progress=_quiet)
        # the first nomination waiting for its union, and the first user of that union
        union_states = [s for s, owner in STATE_OWNER.items() if owner == "union"]
        nomination = db.session.scalar(
            select(Nomination)
            .where(Nomination.status.in_(union_states))
            .order_by(Nomination.id)
            .limit(1)
        )
        assert nomination is not None
        username = db.session.scalar(
            select(User.username)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.org_id == nomination.org_id, RoleAssignment.role == "union")
            .order_by(User.id)
            .limit(1)
        )
        nomination_id, unit = nomination.id, nomination.org.name
    assert auth.login(username, "wrong-password").status_code == 401
    response = auth.login(username, GENERATED_PASSWORD)
    assert response.status_code == 302, response.text
    home = client.get("/")
    assert home.status_code == 200
    worklist = home.text.split('data-testid="worklist"', 1)[1]
    assert f'href="/nominations/{nomination_id}"' in worklist
    assert client.get(f"/nominations/{nomination_id}").text.count(unit) >= 1
    # the reviewer the CLI names logs in too
    auth.logout()
    assert auth.login("g-rev-gd01-1", GENERATED_PASSWORD).status_code == 302
    assert 'data-testid="todo-total"' in client.get("/").text


# -- the small city, generated once ---------------------------------------------------------


@pytest.fixture(scope="module")
def small_city(app: Flask) -> Iterator[dict[str, int]]:
    with app.app_context():
        _truncate_all()
        try:
            yield generate("small", progress=_quiet)
        finally:
            db.session.remove()
            _truncate_all()


def test_small_has_every_workflow_state(small_city):  # type: ignore[no-untyped-def]
    assert small_city["nominations"] == sum(SCALES["small"].nominations) == 1_000
    states = Counter(
        dict(
            db.session.execute(
                select(Nomination.status, func.count()).group_by(Nomination.status)
            ).all()
        )
    )
    assert set(states) == set(STATE_NAMES), f"missing: {set(STATE_NAMES) - set(states)}"
    assert sum(states.values()) == 1_000


def _ancestors() -> dict[int, set[int]]:
    parents = dict(db.session.execute(select(Organization.id, Organization.parent_id)).all())
    result = {}
    for org in parents:
        chain, at = {org}, parents[org]
        while at is not None:
            chain.add(at)
            at = parents[at]
        result[org] = chain
    return result


def test_every_audit_trail_replays_to_the_nominations_state(small_city):  # type: ignore[no-untyped-def]
    """From `create` into draft, each event a valid action from the state before it, in
    time order, ending in the nomination's status; people's actions by someone who holds
    the action's role over the unit (inspectors: one assigned to its check)."""
    nominations = {n.id: n for n in db.session.scalars(select(Nomination))}
    ancestors = _ancestors()
    roles: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for user_id, role, org_id in db.session.execute(
        select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.org_id)
    ):
        roles[user_id].add((str(role), org_id))
    assigned: dict[int, set[int]] = defaultdict(set)
    for nomination_id, inspector_id in db.session.execute(
        select(SpotCheck.nomination_id, SpotCheckAssignment.inspector_id).join(
            SpotCheckAssignment, SpotCheckAssignment.spot_check_id == SpotCheck.id
        )
    ):
        assigned[nomination_id].add(inspector_id)
    trails: dict[int, list[NominationEvent]] = defaultdict(list)
    for event in db.session.scalars(select(NominationEvent).order_by(NominationEvent.id)):
        trails[event.nomination_id].append(event)
    assert set(trails) == set(nominations)

    problems = []
    for nid, nomination in nominations.items():
        first, *rest = trails[nid]
        if (first.action, first.from_state, first.to_state) != ("create", None, "draft"):
            problems.append(
                f"{nid}: starts with {first.action} {first.from_state}→{first.to_state}"
            )
        state, at = "draft", first.created_at
        for event in rest:
            action = ACTIONS.get(event.action)
            where = f"{nid}: {event.action} {event.from_state}→{event.to_state}"
            if action is None:
                problems.append(f"{where}: no such action")
                break
            if event.from_state != state or state not in action.source:
                problems.append(f"{where}: taken in {state}")
            if event.to_state != action.dest:
                problems.append(f"{where}: the action leads to {action.dest}")
            if event.created_at < at:
                problems.append(f"{where}: before the event it follows")
            if action.role == SYSTEM:
                if event.actor_id is not None:
                    problems.append(f"{where}: a system action with an actor")
            elif (
                action.manual
                or action.role == "city"
                and action.name not in ("draw", "pass_without_check")
            ):  # see test_district_draws_are_…
                held = {org for role, org in roles[event.actor_id] if role == action.role}
                if not held & ancestors[nomination.org_id]:
                    problems.append(
                        f"{where}: by user {event.actor_id}, not a {action.role} over the unit"
                    )
            elif action.role == "inspector" and event.actor_id not in assigned[nid]:
                problems.append(f"{where}: by user {event.actor_id}, not on the check")
            state, at = event.to_state, event.created_at
        if state != nomination.status:
            problems.append(
                f"{nid}: the trail ends in {state}, the nomination is {nomination.status}"
            )
    assert not problems, f"{len(problems)} problems, e.g. {problems[:10]}"


def test_closed_evaluations_agree_with_their_ballots(small_city):  # type: ignore[no-untyped-def]
    counted: dict[int, Counter] = defaultdict(Counter)
    for evaluation_id, overall, n in db.session.execute(
        select(Ballot.evaluation_id, Ballot.overall, func.count()).group_by(
            Ballot.evaluation_id, Ballot.overall
        )
    ):
        counted[evaluation_id][str(overall)] = n
    used = dict(
        db.session.execute(
            select(BallotToken.evaluation_id, func.count())
            .where(BallotToken.status == "used")
            .group_by(BallotToken.evaluation_id)
        ).all()
    )
    outcome = dict(
        db.session.execute(
            select(NominationEvent.nomination_id, NominationEvent.action).where(
                NominationEvent.action.in_(("pass_evaluation", "fail_evaluation"))
            )
        ).all()
    )
    evaluations = list(db.session.scalars(select(MemberEvaluation)))
    nominations = {n.id: n for n in db.session.scalars(select(Nomination))}
    closed = [e for e in evaluations if e.status == "closed"]
    assert len(closed) > 100 and any(not e.passed for e in closed)
    problems = []
    for e in closed:
        ballots = counted[e.id]
        stored = (e.valid_ballots, e.satisfied, e.basic, e.dissatisfied)
        actual = (
            sum(ballots.values()),
            ballots["satisfied"],
            ballots["basic"],
            ballots["dissatisfied"],
        )
        if stored != actual:
            problems.append(f"{e.id}: stored {stored}, ballots {actual}")
        if used.get(e.id, 0) != e.valid_ballots:
            problems.append(f"{e.id}: {used.get(e.id, 0)} tokens used, {e.valid_ballots} ballots")
        # passed as the stored figures read (the page and API's reasons) …
        if e.passed != (not stored_reasons(e)):
            problems.append(f"{e.id}: passed={e.passed}, stored reasons {stored_reasons(e)}")
        # … and as closing would decide it now from the ballots
        decision = decide(e, nominations[e.nomination_id])
        recomputed = (
            decision.passed,
            decision.valid,
            round(float(decision.threshold), 6),
            round(float(decision.turnout), 6),
            round(float(decision.rate), 6),
        )
        kept = (
            e.passed,
            e.valid_ballots,
            round(float(e.threshold), 6),
            round(float(e.turnout), 6),
            round(float(e.satisfaction_rate), 6),
        )
        if recomputed != kept:
            problems.append(f"{e.id}: stored {kept}, closing would decide {recomputed}")
        if outcome.get(e.nomination_id) != ("pass_evaluation" if e.passed else "fail_evaluation"):
            problems.append(
                f"{e.id}: passed={e.passed}, nomination's event {outcome.get(e.nomination_id)}"
            )
    for e in evaluations:
        if e.status == "open" and (
            e.valid_ballots is not None
            or e.passed is not None
            or nominations[e.nomination_id].status != "member_evaluation"
        ):
            problems.append(f"{e.id}: open, with results or not under way")
    assert not problems, f"{len(problems)} problems, e.g. {problems[:10]}"


def test_a_generated_members_link_opens_and_casts_their_ballot(small_city, client):  # type: ignore[no-untyped-def]
    """The generator issues tokens as the app does: the table holds no token, the app's key
    recomputes each unused one, and the link votes (rolled back with the test)."""
    now = utcnow()
    evaluation = db.session.scalars(
        select(MemberEvaluation)
        .where(
            MemberEvaluation.status == "open",
            MemberEvaluation.opens_at <= now,
            MemberEvaluation.closes_at > now,
        )
        .order_by(MemberEvaluation.id)
    ).first()
    assert evaluation is not None
    issued = revealed_tokens(evaluation)  # refuses if any did not recompute to its digest
    unused = db.session.scalar(
        select(func.count())
        .select_from(BallotToken)
        .where(BallotToken.evaluation_id == evaluation.id, BallotToken.status == "unused")
    )
    assert issued and len(issued) == unused
    assert client.get(f"/e/{issued[0].token}").status_code == 200
    ballot = {
        "overall": "satisfied",
        "answers": {d["code"]: "basic" for d in evaluation.dimensions},
    }
    assert client.post(f"/api/v1/ballots/{issued[-1].token}", json=ballot).status_code == 201
    assert client.post(f"/api/v1/ballots/{issued[-1].token}", json=ballot).status_code == 409


def test_every_draw_verifies(small_city):  # type: ignore[no-untyped-def]
    draws = list(db.session.scalars(select(SpotCheckDraw)))
    assert len(draws) >= 3
    checked: dict[int, set[int]] = defaultdict(set)
    for draw_id, nomination_id in db.session.execute(
        select(SpotCheck.draw_id, SpotCheck.nomination_id)
    ):
        checked[draw_id].add(nomination_id)
    for draw in draws:
        result = verify_draw(draw.id)
        assert result.ok, (draw.id, result)
        assert result.commitment_ok and result.population_ok and result.sample_ok
        # the sample is exactly what was sent to a spot check
        assert set(draw.sample) == checked[draw.id] and draw.sample


def test_flask_verify_draw_passes_every_generated_draw(app, small_city):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    for draw_id in db.session.scalars(select(SpotCheckDraw.id)):
        result = runner.invoke(args=["verify-draw", str(draw_id)])
        assert result.exit_code == 0, result.output
        assert "验证通过" in result.output and "✗" not in result.output


def test_district_draws_are_made_by_the_districts_reviewer(small_city):  # type: ignore[no-untyped-def]
    """A campaign drawn per district: each draw is announced and made by a reviewer of its
    district (app.spot_checks.policy.drawing_org), and so are the draw's events."""
    problems = []
    reviewer_orgs: dict[int, set[int]] = defaultdict(set)
    for user_id, org_id in db.session.execute(
        select(RoleAssignment.user_id, RoleAssignment.org_id).where(
            RoleAssignment.role == "reviewer"
        )
    ):
        reviewer_orgs[user_id].add(org_id)
    levels = dict(db.session.execute(select(Campaign.id, Campaign.draw_level)).all())
    for draw in db.session.scalars(select(SpotCheckDraw)):
        if levels[draw.campaign_id] != "district":
            continue
        for who in (draw.announced_by_id, draw.drawn_by_id):
            if draw.scope_org_id not in reviewer_orgs[who]:
                problems.append(f"draw {draw.id} of {draw.scope_org_id} by user {who}")
    assert not problems, problems
