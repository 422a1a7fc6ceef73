"""Group robots: an administrator adds a district's 企业微信 or 钉钉 group; the notices its
reviewers get are posted there once per step (after the quiet hours); bad details are
refused next to the form; only administrators reach them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.admin.models import AdminAudit
from app.admin.robots import add_robot, masked
from app.errors import Invalid
from app.extensions import db
from app.nominations.services import take_action
from app.notifications.models import Notification, OrgRobot, OutboxMessage
from tests.conftest import csrf_from

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def test_a_district_group_gets_one_message_per_step_for_its_reviewers(world, ctx):
    robot = add_robot(
        world.user("admin"),
        world.district_a,
        kind="wecom",
        role="reviewer",
        name="甲区审核群",
        webhook_url=WECOM,
        secret=None,
    )
    add_robot(  # a union officers' group of district B: not told of district A's steps
        world.user("admin"),
        world.district_b,
        kind="dingtalk",
        role="reviewer",
        name="乙区审核群",
        webhook_url="https://oapi.dingtalk.com/robot/send?access_token=abc",
        secret="SECxyz",
    )
    nomination = world.nomination(status="draft")
    take_action(world.user("union_a"), nomination.id, "submit")
    (message,) = db.session.scalars(select(OutboxMessage)).all()
    assert (message.channel, message.target) == ("wecom", str(robot.id))
    assert message.text.startswith("【提交申报】") and "待您审核" in message.text
    notice = db.session.get(Notification, message.notification_id)
    assert notice.nomination_id == nomination.id
    assert db.session.scalar(select(AdminAudit.action).where(AdminAudit.action == "org.robot_add"))


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"kind": "qq"}, "kind"),
        ({"role": "admin"}, "role"),
        ({"role": "union"}, "role"),  # no union officers at a district: the group would be idle
        ({"name": ""}, "name"),
        ({"webhook_url": "javascript:alert(1)"}, "webhook_url"),
        ({"kind": "dingtalk", "secret": ""}, "secret"),
    ],
)
def test_bad_details_are_refused_by_field(world, ctx, details, field):
    values = {
        "kind": "wecom",
        "role": "reviewer",
        "name": "群",
        "webhook_url": WECOM,
        "secret": None,
        **details,
    }
    with pytest.raises(Invalid) as refused:
        add_robot(world.user("admin"), world.district_a, **values)
    assert field in refused.value.errors
    assert db.session.scalar(select(OrgRobot)) is None


def test_the_org_page_lists_them_masked_and_removes_one(world, client, auth):
    auth.login("admin")
    page = client.get(f"/admin/orgs/{world.district_a.id}/edit")
    assert 'data-testid="org-robots"' in page.text
    added = client.post(
        f"/admin/orgs/{world.district_a.id}/robots",
        data={
            "csrf_token": csrf_from(page.text),
            "kind": "wecom",
            "role": "reviewer",
            "name": "甲区审核群",
            "webhook_url": WECOM,
        },
        follow_redirects=True,
    )
    assert "甲区审核群" in added.text and masked(WECOM) in added.text
    assert "0ec2sifa5aaa" not in added.text  # the key is never shown whole
    robot = db.session.scalar(select(OrgRobot))
    removed = client.post(
        f"/admin/orgs/{world.district_a.id}/robots/{robot.id}/delete",
        data={"csrf_token": csrf_from(added.text)},
        follow_redirects=True,
    )
    assert removed.status_code == 200 and db.session.scalar(select(OrgRobot)) is None


@pytest.mark.parametrize("username", ["reviewer_a", "union_a", "city"])
def test_only_administrators_manage_robots(world, client, auth, username):
    auth.login(username)
    token = csrf_from(client.get("/").text)
    response = client.post(
        f"/admin/orgs/{world.district_a.id}/robots",
        data={
            "csrf_token": token,
            "kind": "wecom",
            "role": "reviewer",
            "name": "x",
            "webhook_url": WECOM,
        },
    )
    assert response.status_code == 403 and db.session.scalar(select(OrgRobot)) is None
