"""The organisation tree and what each role's scope reaches."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.assessment.rounds import latest_round
from app.auth.scope import ancestor_ids, descendants_of
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.nominations.models import Nomination, NominationEvent
from app.nominations.services import (
    create_nomination,
    get_nomination,
    take_action,
    visible_nominations,
    worklist,
    worklist_counts,
)
from app.orgs.models import OrgLevel
from app.orgs.services import create_org, district_of
from tests.factories import fill_round
from workflows.engine import ActionForbidden


def test_closure_answers_subtree_in_one_query(world, ctx):
    under_a = set(db.session.scalars(descendants_of([world.district_a.id])))
    assert under_a == {world.district_a.id, world.union_a.id, world.union_a2.id, world.branch_a.id}
    assert ancestor_ids(world.branch_a.id) == {
        world.branch_a.id,
        world.union_a.id,
        world.district_a.id,
        world.city.id,
    }
    assert district_of(world.branch_a.id).id == world.district_a.id


def test_subtree_query_uses_an_index(world, ctx):
    """`everything under district X` is an index lookup, not a scan."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(
            r[0]
            for r in db.session.execute(
                db.text("EXPLAIN SELECT descendant_id FROM org_closure WHERE ancestor_id = :a"),
                {"a": world.district_a.id},
            )
        )
    else:
        plan = " ".join(
            str(r)
            for r in db.session.execute(
                db.text(
                    "EXPLAIN QUERY PLAN SELECT descendant_id FROM org_closure "
                    "WHERE ancestor_id = :a"
                ),
                {"a": world.district_a.id},
            )
        )
    assert "Index" in plan or "INDEX" in plan or "PRIMARY KEY" in plan, plan


def test_tree_shape_is_enforced(world, ctx):
    with pytest.raises(Invalid) as info:
        create_org(code="X", name="错层级", level=OrgLevel.GRASSROOTS, parent=world.city)
    assert "parent" in info.value.errors
    with pytest.raises(Invalid) as info:
        create_org(code="A-1", name="重复编码", level=OrgLevel.DISTRICT, parent=world.city)
    assert "code" in info.value.errors
    with pytest.raises(Invalid) as info:
        create_org(code="Y", name="无类别", level=OrgLevel.GRASSROOTS, parent=world.district_a)
    assert "category" in info.value.errors


@pytest.mark.parametrize(
    ("user_key", "expected"),
    [
        ("union_a", {"A-1", "A-1-1"}),
        ("union_b", {"B-1"}),
        ("reviewer_a", {"A-1", "A-2", "A-1-1"}),
        ("reviewer_b", {"B-1"}),
        ("city", {"A-1", "A-2", "A-1-1", "B-1"}),
        ("inspector", set()),
    ],
)
def test_visibility_by_role(world, ctx, user_key, expected):
    for org in (world.union_a, world.union_a2, world.union_b):
        world.nomination(org=org, status="submitted")
    world.nomination(org=world.branch_a, status="draft", award="model_small_home")
    seen = {n.org.code for n in db.session.scalars(visible_nominations(world.user(user_key)))}
    assert seen == expected


def test_reviewer_cannot_see_or_act_outside_district(world, ctx):
    nomination = world.nomination(org=world.union_b, status="submitted")
    reviewer_a = world.user("reviewer_a")
    with pytest.raises(NotFound):
        get_nomination(reviewer_a, nomination.id)
    with pytest.raises(NotFound):
        take_action(reviewer_a, nomination.id, "approve")
    assert db.session.get(Nomination, nomination.id).status == "submitted"
    # The district's own reviewer can.
    take_action(world.user("reviewer_b"), nomination.id, "approve")
    assert db.session.get(Nomination, nomination.id).status == "member_evaluation"


def test_union_cannot_review_its_own_nomination(world, ctx):
    nomination = world.nomination(status="submitted")
    with pytest.raises(ActionForbidden):
        take_action(world.user("union_a"), nomination.id, "approve")


def test_audit_trail_records_every_change(world, ctx):
    union, reviewer = world.user("union_a"), world.user("reviewer_a")
    nomination = create_nomination(union, campaign_id=world.campaign.id, award_type="model_home")
    fill_round(latest_round(nomination.id), nomination.org)
    take_action(union, nomination.id, "submit")
    take_action(reviewer, nomination.id, "return", comment="请补充会员代表大会记录")
    take_action(union, nomination.id, "submit", comment="已补充")
    take_action(reviewer, nomination.id, "approve")
    events = db.session.scalars(
        select(NominationEvent)
        .where(NominationEvent.nomination_id == nomination.id)
        .order_by(NominationEvent.id)
    ).all()
    assert [(e.action, e.from_state, e.to_state, e.actor_id, e.comment) for e in events] == [
        ("create", None, "draft", union.id, None),
        ("submit", "draft", "submitted", union.id, None),
        ("return", "submitted", "returned", reviewer.id, "请补充会员代表大会记录"),
        ("submit", "returned", "submitted", union.id, "已补充"),
        ("approve", "submitted", "member_evaluation", reviewer.id, None),
    ]
    assert all(e.created_at is not None for e in events)
    assert nomination.version == 5


def test_refused_action_writes_no_audit_row(world, ctx):
    nomination = world.nomination(status="submitted")
    before = len(nomination.events)
    with pytest.raises(ActionForbidden):
        take_action(world.user("union_a"), nomination.id, "reject", comment="x")
    db.session.rollback()
    assert len(db.session.get(Nomination, nomination.id).events) == before


def test_create_nomination_rules(world, ctx):
    union = world.user("union_a")
    with pytest.raises(Forbidden):
        create_nomination(
            world.user("reviewer_a"), campaign_id=world.campaign.id, award_type="model_home"
        )
    with pytest.raises(Forbidden):
        create_nomination(
            union, campaign_id=world.campaign.id, award_type="model_home", org_code="B-1"
        )
    with pytest.raises(Invalid) as info:
        create_nomination(union, campaign_id=world.campaign.id, award_type="model_small_home")
    assert "org_code" in info.value.errors
    with pytest.raises(Invalid) as info:
        create_nomination(union, campaign_id=world.campaign.id, award_type="outstanding_worker")
    assert "nominee_name" in info.value.errors
    small = create_nomination(
        union, campaign_id=world.campaign.id, award_type="model_small_home", org_code="A-1-1"
    )
    assert small.org_id == world.branch_a.id and small.status == "draft"
    create_nomination(union, campaign_id=world.campaign.id, award_type="model_home")
    with pytest.raises(Conflict):
        create_nomination(union, campaign_id=world.campaign.id, award_type="model_home")


def test_worklist_counts_what_awaits_each_role(world, ctx):
    world.nomination(org=world.union_a, status="submitted")
    world.nomination(org=world.union_a2, status="submitted")
    world.nomination(org=world.union_a, status="returned")
    world.nomination(org=world.union_b, status="submitted")
    assert worklist_counts(world.user("reviewer_a")) == {"submitted": 2}
    assert worklist_counts(world.user("reviewer_b")) == {"submitted": 1}
    assert worklist_counts(world.user("union_a")) == {"returned": 1}
    assert worklist_counts(world.user("city")) == {}
    assert len(worklist(world.user("reviewer_a"))) == 2
