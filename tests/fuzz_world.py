"""A city with one object of every kind a route names, for tests/test_fuzz_inputs.py.

`build_fuzz_world()` returns the small world of tests/factories.py with, besides: a draft
with a real evidence file, a nomination under review with a review comment and two rounds,
an open member evaluation with its links, a spot check with an inspector, a published list
with an objection, a commended home with its certificate and an open honour rectification,
a notification with its e-mail, a calendar day, and a throwaway user and branch that the
administrator's forms may change. `values` maps each path parameter's name to the values to
try (a nomination per stage, one of everything else).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from PIL import Image
from werkzeug.datastructures import FileStorage

from app.assessment.evidence import add_evidence
from app.assessment.review import add_review_comment
from app.auth.activation import issue_activations
from app.auth.models import Role, User
from app.calendar.services import set_calendar_day
from app.commendation.models import Certificate, Commendation, HonourRectification
from app.commendation.objections import lodge_objection
from app.dashboard.exports import SECTIONS
from app.evaluation.tokens import revealed_tokens
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import take_action
from app.notifications.models import Kind, Notification, OutboxEmail
from app.orgs.models import OrgCategory, OrgLevel
from app.orgs.services import create_org
from app.spot_checks.checks import check_of, item_ids
from app.spot_checks.log import add_photo
from app.timeutil import beijing_today
from tests.factories import World, build_world, make_user, spot_check
from tests.test_commendation_public import publish
from tests.test_evaluation_pages import _open


def png(name: str = "照片.png") -> FileStorage:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buffer, "PNG")
    buffer.seek(0)
    return FileStorage(stream=buffer, filename=name, content_type="image/png")


@dataclass
class FuzzWorld:
    world: World
    # nominations by the page or stage they open (union A-1's, but `review`: A-2's)
    nominations: dict[str, Nomination]
    values: dict[str, list[str]] = field(default_factory=dict)


def _review_with_two_rounds(world: World) -> Nomination:
    """Union A-2's nomination, returned once and submitted again: rounds 1 and 2."""
    nomination = world.nomination(org=world.union_a2, status="draft")
    union = make_user("union_a2_fuzz", Role.UNION, world.union_a2)
    take_action(union, nomination.id, "submit")
    take_action(world.user("reviewer_a"), nomination.id, "return", comment="请补充。")
    take_action(union, nomination.id, "submit")
    return nomination


def _commended(world: World) -> tuple[Nomination, Certificate]:
    nomination = world.nomination(org=world.union_a, status="commended")
    commendation = Commendation(
        campaign_id=world.campaign.id,
        document_number="测试〔2026〕1号",
        decided_on=beijing_today(),
    )
    db.session.add(commendation)
    db.session.flush()
    certificate = Certificate(
        commendation_id=commendation.id,
        nomination_id=nomination.id,
        serial="T-1",
        code="FUZZ-CODE-0001",
    )
    db.session.add(certificate)
    db.session.add(
        HonourRectification(
            nomination_id=nomination.id,
            origin="commended",
            reason="请整改。",
            deadline=beijing_today() + timedelta(days=30),
        )
    )
    db.session.commit()
    return nomination, certificate


def build_fuzz_world() -> FuzzWorld:
    world = build_world()
    union, reviewer, city = world.user("union_a"), world.user("reviewer_a"), world.user("city")
    draft = world.nomination(status="draft")
    link = add_evidence(union, draft.id, png())
    review = _review_with_two_rounds(world)
    comment = add_review_comment(reviewer, review.id, "请补充会议记录。")
    evaluating, evaluation = _open(world)
    token = revealed_tokens(evaluation)[0].token
    checked, check = spot_check(world, inspectors=("inspector",))
    item_id = min(item_ids(checked))
    photo = add_photo(world.user("inspector"), check.id, item_id, png("现场.png"))
    publicity, candidate, _other = publish(world)
    objection = lodge_objection(
        publicity.id,
        candidate.id,
        body="该单位职代会近两年未召开，与申报材料不符，请核查。",
        name="李四",
        contact="13800000000",
        address="10.9.9.9",
    )
    commended, certificate = _commended(world)
    notification = Notification(
        user_id=union.id,
        nomination_id=draft.id,
        state="draft",
        kind=Kind.DUE_SOON,
        day=beijing_today(),
        due_on=beijing_today(),
        title="申报即将到期",
    )
    db.session.add(notification)
    db.session.flush()
    email = OutboxEmail(
        notification_id=notification.id, to_address="a@example.org", subject="提醒", body="提醒"
    )
    db.session.add(email)
    target = make_user("fuzz_target", Role.UNION, world.branch_a)
    branch = create_org(
        code="A-1-9",
        name="甲区机械厂试验分工会",
        level=OrgLevel.BRANCH,
        parent=world.union_a,
        category=OrgCategory.ENTERPRISE,
    )
    newcomer = make_user("fuzz_newcomer", Role.UNION, world.branch_a)
    db.session.commit()
    secret = issue_activations(world.user("admin"), [newcomer.id], "link")[newcomer.id]
    db.session.commit()
    set_calendar_day(city, date(2026, 10, 8), True, "调休上班")
    nominations = {
        "draft": draft,
        "review": review,
        "evaluation": evaluating,
        "check": checked,
        "publicity": candidate,
        "commended": commended,
    }
    from app.admin.imports import start_import

    roster = "组织代码,组织名称,上级组织代码,层级,类别\nFZ-1,某工会,A,基层工会,企业\n"
    run = start_import(world.user("admin"), "orgs", "roster.csv", roster.encode())
    from app.admin.robots import add_robot
    from app.notifications.models import MailStatus, OutboxMessage

    robot = add_robot(
        world.user("admin"),
        world.district_a,
        kind="wecom",
        role="reviewer",
        name="甲区审核群",
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=fuzz",
        secret=None,
    )
    message = OutboxMessage(
        notification_id=notification.id,
        channel="sms",
        target="13800138000",
        text="【退回修改】",
        status=MailStatus.FAILED,
    )
    db.session.add(message)
    db.session.commit()
    ids = {
        "run_id": run.id,
        "robot_id": robot.id,
        "message_id": message.id,
        "campaign_id": world.campaign.id,
        "draw_id": check.draw_id,
        "check_id": check.id,
        "publicity_id": publicity.id,
        "objection_id": objection.id,
        "evidence_id": link.evidence_id,
        "link_id": link.id,
        "comment_id": comment.id,
        "old": 1,
        "new": 2,
        "commendation_id": certificate.commendation_id,
        "email_id": email.id,
        "notification_id": notification.id,
        "user_id": target.id,
        "assignment_id": target.roles[0].id,
        "org_id": branch.id,
        "item_id": item_id,
        "photo_id": photo.id,
        "inspector_id": world.users["inspector"].id,
    }
    values = {name: [str(value)] for name, value in ids.items()}
    values["nomination_id"] = [str(n.id) for n in nominations.values()]
    values["token"] = [token]
    values["secret"] = [secret]  # an activation link
    values["kind"] = ["link"]
    values["code"] = [certificate.code]
    values["day"] = ["2026-10-08"]
    values["section"] = [next(iter(SECTIONS))]
    values["lang"] = ["zh_Hans_CN"]
    values["action"] = ["submit"]
    values["filename"] = ["js/base.js"]
    assert check_of(checked.id) is not None
    return FuzzWorld(world, nominations, values)


def user_of(fw: FuzzWorld, key: str) -> User:
    return fw.world.user(key)
