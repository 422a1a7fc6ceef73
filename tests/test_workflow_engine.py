"""The transition × role matrix, parametrized from the workflow definition itself."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.nominations.models import Nomination, NominationEvent
from app.nominations.services import fire_stage_action, take_action, workflow_for
from tests.factories import satisfy_commendation_guards
from workflows.diagram import mermaid
from workflows.engine import (
    ActionForbidden,
    CommentRequired,
    GuardFailed,
    NotAllowedInState,
    UnknownAction,
)
from workflows.nomination import ACTIONS, ROLES, STATE_NAMES, SYSTEM, TRANSITIONS

# A user of each role whose scope covers the nomination of union A (district A).
ACTOR_FOR_ROLE = {
    "union": "union_a",
    "reviewer": "reviewer_a",
    "inspector": "inspector",
    "city": "city",
    "admin": "admin",
}
MATRIX = [
    (action.name, source, role)
    for action in ACTIONS.values()
    for source in action.source
    for role in ROLES
]


@pytest.mark.parametrize(
    ("action_name", "source", "role"), MATRIX, ids=[f"{a}-{s}-{r}" for a, s, r in MATRIX]
)
def test_transition_role_matrix(world, ctx, action_name, source, role):
    """Every (action, source state, role): the declared role moves it, every other is refused."""
    action = ACTIONS[action_name]
    nomination = world.nomination(status=source)
    satisfy_commendation_guards(world, nomination, action_name)
    user = world.user(ACTOR_FOR_ROLE[role])
    workflow = workflow_for(user, nomination)
    # Inspectors act only through assignments (spot-check stage): no role acts for SYSTEM.
    expected_allowed = action.role == role and role != "inspector"
    if expected_allowed:
        assert action_name in [o.action.name for o in workflow.options(manual_only=False)]
        workflow.fire(action_name, comment="意见")
        db.session.commit()
        assert nomination.status == action.dest
        event = db.session.scalars(
            select(NominationEvent)
            .where(NominationEvent.nomination_id == nomination.id)
            .order_by(NominationEvent.id.desc())
        ).first()
        assert (event.action, event.from_state, event.to_state, event.actor_id) == (
            action_name,
            source,
            action.dest,
            user.id,
        )
    else:
        with pytest.raises(ActionForbidden):
            workflow.fire(action_name, comment="意见")
        db.session.rollback()
        assert db.session.get(Nomination, nomination.id).status == source


WRONG_STATE = [
    (action.name, state)
    for action in ACTIONS.values()
    for state in STATE_NAMES
    if state not in action.source and action.role in ACTOR_FOR_ROLE and action.role != "inspector"
]


@pytest.mark.parametrize(
    ("action_name", "state"), WRONG_STATE, ids=[f"{a}-from-{s}" for a, s in WRONG_STATE]
)
def test_action_refused_from_other_states(world, ctx, action_name, state):
    nomination = world.nomination(status=state)
    user = world.user(ACTOR_FOR_ROLE[ACTIONS[action_name].role])
    with pytest.raises(NotAllowedInState):
        workflow_for(user, nomination).fire(action_name, comment="意见")
    assert nomination.status == state


def test_system_actions_cannot_be_fired_by_a_person(world, ctx):
    system_actions = [a for a in ACTIONS.values() if a.role == SYSTEM]
    assert {a.name for a in system_actions} == {"pass_evaluation", "fail_evaluation"}
    nomination = world.nomination(status="member_evaluation")
    for user_key in ACTOR_FOR_ROLE.values():
        with pytest.raises(ActionForbidden):
            workflow_for(world.user(user_key), nomination).fire("pass_evaluation")
    fire_stage_action(nomination, "pass_evaluation")
    db.session.commit()
    assert nomination.status == "awaiting_draw"
    assert nomination.events[-1].actor_id is None


# Inspectors' actions go through their assignments (spot-check stage), tested there.
@pytest.mark.parametrize(
    "action_name",
    [
        a.name
        for a in ACTIONS.values()
        if a.comment_required and a.role in ("union", "reviewer", "city")
    ],
)
def test_comment_required(world, ctx, action_name):
    action = ACTIONS[action_name]
    nomination = world.nomination(status=action.source[0])
    workflow = workflow_for(world.user(ACTOR_FOR_ROLE[action.role]), nomination)
    for blank in (None, "", "   "):
        with pytest.raises(CommentRequired) as info:
            workflow.fire(action_name, comment=blank)
        assert info.value.errors["comment"]
    assert nomination.status == action.source[0]


def test_first_stage_names_and_roles_are_as_specified():
    expected = {
        "submit": ("union", {"draft", "returned"}, "submitted"),
        "withdraw": ("union", {"draft", "submitted", "returned"}, "withdrawn"),
        "return": ("reviewer", {"submitted"}, "returned"),
        "approve": ("reviewer", {"submitted"}, "member_evaluation"),
        "reject": ("reviewer", {"submitted"}, "rejected"),
    }
    for name, (role, sources, dest) in expected.items():
        action = ACTIONS[name]
        assert (action.role, set(action.source), action.dest) == (role, sources, dest)
        assert action.manual
    assert ACTIONS["return"].comment_required and ACTIONS["reject"].comment_required
    required_states = {
        "draft",
        "submitted",
        "returned",
        "rejected",
        "withdrawn",
        "member_evaluation",
        "evaluation_failed",
        "awaiting_draw",
        "spot_check",
        "rectification",
        "spot_check_failed",
        "candidate",
        "publicity",
        "commended",
        "not_commended",
        "revoked",
    }
    assert required_states <= set(STATE_NAMES)


def test_guard_blocks_submit_when_campaign_not_open(world, ctx):
    world.campaign.status = "closed"
    db.session.commit()
    nomination = world.nomination(status="draft")
    workflow = workflow_for(world.user("union_a"), nomination)
    [option] = [o for o in workflow.options() if o.action.name == "submit"]
    assert not option.allowed and "未在进行中" in " ".join(option.problems)
    with pytest.raises(GuardFailed):
        workflow.fire("submit")
    assert nomination.status == "draft"


def test_unknown_action(world, ctx):
    nomination = world.nomination(status="draft")
    with pytest.raises(UnknownAction):
        workflow_for(world.user("union_a"), nomination).fire("approve_everything")


def test_options_match_what_the_engine_accepts(world, ctx):
    """The page's offer and the engine's answer come from one definition."""
    for state in STATE_NAMES:
        for user_key in ACTOR_FOR_ROLE.values():
            nomination = world.nomination(status=state)
            user = world.user(user_key)
            offered = workflow_for(user, nomination).available()
            for name in offered:
                take_action(user, nomination.id, name, comment="意见")
                nomination = world.nomination(status=state)


def test_mermaid_diagram_is_generated_from_the_definition(app):
    text = mermaid()
    assert text.startswith("stateDiagram-v2")
    for row in TRANSITIONS:
        for source in row["source"]:
            assert f"{source} --> {row['dest']}" in text
    result = app.test_cli_runner().invoke(args=["workflow-diagram"])
    assert result.exit_code == 0 and result.output == text
