"""Group robots of an organisation (企业微信 群机器人, 钉钉 自定义机器人): an administrator
adds one with the group's webhook address (and 钉钉's 加签 secret) and says whose notices
it posts (the organisation's union officers, reviewers or city users); each change is an
audit row. The messages themselves are `app.notifications.events`'."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.admin.services import record_change
from app.auth.models import Role, User
from app.auth.policy import ROLE_ORG_LEVELS
from app.errors import Invalid, NotFound
from app.extensions import db
from app.notifications.models import OrgRobot, RobotKind
from app.orgs.models import Organization

KIND_LABELS = {RobotKind.WECOM: _l("WeCom group robot"), RobotKind.DINGTALK: _l("DingTalk robot")}
ROLE_LABELS = {
    Role.UNION.value: _l("the union officers' notices"),
    Role.REVIEWER.value: _l("the reviewers' notices"),
    Role.CITY.value: _l("the city's notices"),
}


def robots_of(org: Organization) -> list[OrgRobot]:
    return list(
        db.session.scalars(select(OrgRobot).where(OrgRobot.org_id == org.id).order_by(OrgRobot.id))
    )


def masked(url: str) -> str:
    """The webhook without its key: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ab…"""
    head, sep, tail = url.partition("?")
    return f"{head}{sep}{tail[:8]}…" if sep else url[:40] + ("…" if len(url) > 40 else "")


def add_robot(
    actor: User,
    org: Organization,
    *,
    kind: str,
    role: str,
    name: str,
    webhook_url: str,
    secret: str | None,
) -> OrgRobot:
    """Add a group robot to the organisation. Commits."""
    errors: dict[str, list[str]] = {}
    try:
        parsed = RobotKind(kind)
    except ValueError:
        parsed = None
        errors["kind"] = [_("Please choose 企业微信 or 钉钉.")]
    if role not in ROLE_LABELS:
        errors["role"] = [_("Please choose whose notices the group gets.")]
    elif org.level not in ROLE_ORG_LEVELS[Role(role)]:
        errors["role"] = [
            _("Nobody at this organisation holds that role: its group would get nothing.")
        ]
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("Please name the group (up to 100 characters).")]
    url = (webhook_url or "").strip()
    if not url.startswith(("https://", "http://")) or len(url) > 500 or " " in url:
        errors["webhook_url"] = [_("Please paste the robot's webhook address (https://…).")]
    secret = (secret or "").strip() or None
    if parsed == RobotKind.DINGTALK and not secret:
        errors["secret"] = [
            _("A 钉钉 robot needs its 加签 secret (SEC…), from the robot's security settings.")
        ]
    if secret and len(secret) > 200:
        errors["secret"] = [_("The secret is too long.")]
    if errors:
        raise Invalid(_("The robot's details are not right."), errors=errors)
    assert parsed is not None
    robot = OrgRobot(
        org_id=org.id, kind=parsed, role=role, name=name, webhook_url=url, secret=secret
    )
    db.session.add(robot)
    record_change(
        actor, "org.robot_add", org, {"robot": [None, f"{parsed.value}: {name} ({role})"]}
    )
    db.session.commit()
    return robot


def remove_robot(actor: User, org: Organization, robot_id: int) -> None:
    robot = db.session.get(OrgRobot, robot_id)
    if robot is None or robot.org_id != org.id:
        raise NotFound(_("There is no such robot."))
    record_change(
        actor, "org.robot_remove", org, {"robot": [f"{robot.kind.value}: {robot.name}", None]}
    )
    db.session.delete(robot)
    db.session.commit()


def roles_for(org: Organization) -> dict[str, object]:
    """The roles whose notices a group of this organisation can get (held at its level)."""
    return {k: v for k, v in ROLE_LABELS.items() if org.level in ROLE_ORG_LEVELS[Role(k)]}
