"""Event notices: each step tells exactly the people concerned once, keyed on the audit
event, written with the step and never by a step that rolled back; e-mailed to those with
an address; shown in the reader's language, opening the nomination."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from app.extensions import db
from app.nominations.models import NominationEvent
from app.nominations.services import take_action
from app.notifications.events import TOLD, notify_events
from app.notifications.models import Kind, Notification, OutboxEmail
from tests.conftest import csrf_from


def _notices(**where) -> list[Notification]:  # type: ignore[no-untyped-def]
    stmt = select(Notification).where(Notification.kind == Kind.EVENT)
    for key, value in where.items():
        stmt = stmt.where(getattr(Notification, key) == value)
    return list(db.session.scalars(stmt.order_by(Notification.id)))


def _told(world, **where) -> list[str]:  # type: ignore[no-untyped-def]
    names = {u.id: key for key, u in world.users.items()}
    return sorted(names[n.user_id] for n in _notices(**where))


def test_a_return_tells_the_union_once_with_the_comment_and_nobody_else(world, ctx):
    nomination = world.nomination(status="submitted")
    world.user("union_a").email = "union@example.cn"
    db.session.commit()
    take_action(world.user("reviewer_a"), nomination.id, "return", comment="请补充会员代表大会记录")
    (notice,) = _notices(nomination_id=nomination.id)
    assert _told(world, nomination_id=nomination.id) == ["union_a"]
    assert notice.action == "return" and notice.state == "returned"
    assert notice.body == "请补充会员代表大会记录"
    assert notice.title == f"【退回修改】{world.union_a.name}的申报"
    event_id = db.session.scalar(
        select(NominationEvent.id).where(NominationEvent.action == "return")
    )
    assert notice.event_id == event_id
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.notification_id == notice.id))
    assert email.to_address == "union@example.cn" and email.subject == notice.title

    # The same event again (a retried job, a second sender) adds nothing.
    assert notify_events([db.session.get(NominationEvent, event_id)]) == []
    assert len(_notices(nomination_id=nomination.id)) == 1


def test_a_submission_tells_the_district_s_reviewers_not_the_other_district(world, ctx):
    nomination = world.nomination(status="draft")
    take_action(world.user("union_a"), nomination.id, "submit")
    assert _told(world, nomination_id=nomination.id) == ["reviewer_a"]
    (notice,) = _notices(nomination_id=nomination.id)
    assert "待您审核" in notice.title


def test_a_step_that_loses_a_race_or_rolls_back_tells_nobody(world, ctx):
    from app.errors import DomainError

    nomination = world.nomination(status="submitted")
    version = nomination.version
    take_action(world.user("reviewer_a"), nomination.id, "approve", version=version)
    with pytest.raises(DomainError):  # the second reviewer read the same version
        take_action(world.user("reviewer_a"), nomination.id, "reject", version=version)
    assert [n.action for n in _notices(nomination_id=nomination.id)] == ["approve"]

    other = world.nomination(status="submitted")
    db.session.add(
        NominationEvent(
            nomination_id=other.id, action="reject", from_state="submitted", to_state="rejected"
        )
    )
    db.session.flush()
    db.session.rollback()
    assert _notices(nomination_id=other.id) == []


@pytest.mark.parametrize("action", sorted(TOLD))
def test_every_step_listed_tells_its_role_at_the_unit_only(world, ctx, action):
    nomination = world.nomination(status="draft")
    db.session.add(
        NominationEvent(
            nomination_id=nomination.id,
            actor_id=world.user("city").id,
            action=action,
            from_state="x",
            to_state="y",
            comment="说明",
        )
    )
    db.session.commit()
    expected = ["reviewer_a"] if action == "submit" else ["union_a"]
    assert _told(world, nomination_id=nomination.id) == expected


def test_a_branch_s_nomination_tells_its_grassroots_union(world, ctx):
    from app.nominations.models import AwardType

    nomination = world.nomination(
        org=world.branch_a, status="submitted", award=AwardType.MODEL_SMALL_HOME
    )
    take_action(world.user("reviewer_a"), nomination.id, "approve")
    assert _told(world, nomination_id=nomination.id) == ["union_a"]


def test_the_centre_shows_the_notice_in_the_reader_s_language_and_opens_the_nomination(
    world, client, auth
):
    nomination = world.nomination(status="submitted")
    with client.application.test_request_context():
        take_action(world.user("reviewer_a"), nomination.id, "return", comment="请补充材料")
    auth.login("union_a")
    page = client.get("/notifications")
    assert f"【退回修改】{world.union_a.name}的申报" in page.text and "请补充材料" in page.text
    assert 'data-testid="unread-count"' in client.get("/").text
    notice = _notices(nomination_id=nomination.id)[0]
    opened = client.post(
        f"/notifications/{notice.id}/read", data={"csrf_token": csrf_from(page.text), "open": "1"}
    )
    assert opened.headers["Location"].endswith(f"/nominations/{nomination.id}")
    client.get("/lang/en")
    english = html.unescape(client.get("/notifications").text)
    assert f"{world.union_a.name}'s nomination" in english and "请补充材料" in english


def test_each_inspector_put_on_a_team_is_told_the_unit_s_address_and_contact_once(world, ctx):
    from app.nominations.models import Nomination
    from app.spot_checks import assign
    from app.spot_checks.models import SpotCheckAssignment
    from app.spot_checks.services import announce_draw, apply_draw, make_draw
    from tests.factories import add_inspectors

    add_inspectors(world)
    world.union_b.address, world.union_b.contact_phone = "乙区某路 9 号", "0571-5550000"
    city = world.user("city")
    nomination = world.nomination(org=world.union_b, status="awaiting_draw")
    draw = announce_draw(city, world.campaign.id, method="ratio", value="1")
    make_draw(city, draw.id)
    apply_draw(city, draw.id)
    assign.auto_assign(city, draw.id)
    team = set(
        db.session.scalars(
            select(SpotCheckAssignment.inspector_id).where(
                SpotCheckAssignment.spot_check.has(nomination_id=nomination.id)
            )
        )
    )
    assigned = _notices(nomination_id=nomination.id, action="assigned")
    assert {n.user_id for n in assigned} == team and len(assigned) == len(team) == 2
    assert "乙区某路 9 号" in assigned[0].body and "0571-5550000" in assigned[0].body
    assert assigned[0].title.startswith("【抽查任务】")
    # the union was told it was drawn (the state change), the inspectors of their task
    assert [n.action for n in _notices(nomination_id=nomination.id, action="draw")] == ["draw"]
    assign.auto_assign(city, draw.id)  # again: nobody new, no new notice
    assert len(_notices(nomination_id=nomination.id, action="assigned")) == 2
    assert db.session.get(Nomination, nomination.id).status == "spot_check"
