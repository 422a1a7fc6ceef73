"""随机抽查 after the draw: inspector assignment without conflicts, what inspectors see, the
check log and its agreed conclusion, the 85% interview rule, and rectification to both ends."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.errors import Conflict, Forbidden, Invalid, NotFound, StaleVersion
from app.extensions import db
from app.nominations.models import NominationEvent
from app.nominations.services import get_nomination, worklist
from app.spot_checks import assign, checks, conclusion, log, rectification
from app.spot_checks.models import CheckPhoto, SpotCheckAssignment
from app.spot_checks.services import announce_draw, apply_draw, make_draw
from app.timeutil import beijing_today
from tests.factories import add_inspectors, spot_check

TEAM = ("inspector", "inspector_b")  # the city's inspector and district B's


def _photo(name: str = "现场.jpg") -> FileStorage:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(buffer, "JPEG")
    buffer.seek(0)
    return FileStorage(stream=buffer, filename=name, content_type="image/jpeg")


def _ids(nomination) -> list[int]:  # type: ignore[no-untyped-def]
    view = checks.check_view(checks.check_of(nomination.id), nomination)
    return [row.item.id for row in view.items]


def _fill(
    world,
    check,
    nomination,
    who="inspector",
    finding="meets",  # type: ignore[no-untyped-def]
    asked=20,
    satisfied=20,
):
    user = world.user(who)
    log.save_visit(
        user,
        check.id,
        visited_on=beijing_today(),
        place="单位会议室",
        interviewed=asked,
        interviewed_satisfied=satisfied,
    )
    log.save_findings(
        user, check.id, {i: {"finding": finding, "notes": "现场查看。"} for i in _ids(nomination)}
    )


# -- assignment ---------------------------------------------------------------------------


def test_automatic_assignment_respects_the_conflict_rule_and_balances(world, ctx):
    add_inspectors(world)
    city = world.user("city")
    orgs = [world.union_a, world.union_a2, world.union_b, world.union_b]
    nominations = [world.nomination(org=o, status="awaiting_draw") for o in orgs]
    draw = announce_draw(city, world.campaign.id, method="ratio", value="1")
    make_draw(city, draw.id)
    apply_draw(city, draw.id)
    result = assign.auto_assign(city, draw.id)
    assert result.assigned == 8 and result.short == []
    by_nomination: dict[int, set[str]] = {}
    for a in db.session.scalars(select(SpotCheckAssignment)):
        by_nomination.setdefault(a.spot_check.nomination_id, set()).add(a.inspector.username)
    for nomination in nominations:
        team = by_nomination[nomination.id]
        assert len(team) == 2
        if nomination.org_id in (world.union_a.id, world.union_a2.id):
            # district A's inspectors (district office and union A-1) never check district A
            assert not team & {"inspector_a", "inspector_a1"}
        else:
            assert "inspector_b" not in team
    loads: dict[str, int] = {}
    for team in by_nomination.values():
        for name in team:
            loads[name] = loads.get(name, 0) + 1
    # 8 places over 5 inspectors: nobody gets more than 2
    assert max(loads.values()) <= 2
    # running it again adds nobody
    assert assign.auto_assign(city, draw.id).assigned == 0


def test_automatic_assignment_reads_the_teams_in_a_fixed_number_of_queries(world, ctx):
    from sqlalchemy import event

    add_inspectors(world)
    city = world.user("city")

    def selects_of_a_rerun(orgs) -> int:  # type: ignore[no-untyped-def]
        for org in orgs:
            world.nomination(org=org, status="awaiting_draw")
        draw = announce_draw(city, world.campaign.id, method="ratio", value="1")
        make_draw(city, draw.id)
        apply_draw(city, draw.id)
        assign.auto_assign(city, draw.id)
        db.session.expire_all()
        counter = {"n": 0}

        def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
            counter["n"] += statement.lstrip().upper().startswith("SELECT")

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert assign.auto_assign(city, draw.id).assigned == 0  # every team is full
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return counter["n"]

    few = selects_of_a_rerun([world.union_a, world.union_b])
    many = selects_of_a_rerun(
        [world.union_a, world.union_a2, world.union_b, world.union_b, world.union_a, world.union_b]
    )
    assert many == few, f"{few} SELECTs for 2 checks, {many} for 6"


def test_automatic_assignment_says_which_checks_it_could_not_fill(world, ctx):
    nomination, check = spot_check(world, org=world.union_b)
    # only the city's single inspector exists: one place of two is filled
    result = assign.auto_assign(world.user("city"), check.draw_id)
    assert result.assigned == 1
    assert result.short == ["乙区街道总工会：需要 2 名抽查员，符合回避规则的只有 1 名。"]


def test_manual_assignment_is_refused_with_the_reason(world, ctx):
    add_inspectors(world)
    city = world.user("city")
    nomination, check = spot_check(world, org=world.union_a2)
    with pytest.raises(Invalid) as same_district:
        assign.assign_inspector(city, check.id, world.users["inspector_a"].id)
    assert "同属甲区总工会" in same_district.value.errors["inspector_id"][0]
    _, own = spot_check(world, org=world.branch_a)  # a 小家 of union A-1
    with pytest.raises(Invalid) as same_union:
        assign.assign_inspector(city, own.id, world.users["inspector_a1"].id)
    assert "属于被检查单位甲区机械厂工会" in same_union.value.errors["inspector_id"][0]
    assign.assign_inspector(city, check.id, world.users["inspector_b"].id)
    with pytest.raises(Conflict):
        assign.assign_inspector(city, check.id, world.users["inspector_b"].id)
    options = assign.candidates(city, check.id)
    reasons = {i.name: i.reason for i in options}
    assert reasons["甲区抽查员"] and reasons["inspector"] is None and "乙区抽查员" not in reasons
    # only the drawing organisation manages the team
    with pytest.raises(NotFound):
        assign.assign_inspector(world.user("reviewer_a"), check.id, world.users["inspector"].id)
    assign.unassign_inspector(city, check.id, world.users["inspector_b"].id)
    assert check.assignments == []


# -- what inspectors see ------------------------------------------------------------------


def test_inspectors_see_only_their_assignments(world, ctx, client, auth):
    add_inspectors(world)
    mine, my_check = spot_check(world, org=world.union_b, inspectors=("inspector",))
    other, other_check = spot_check(world, org=world.union_a, inspectors=("inspector_b",))
    inspector = world.user("inspector")
    assert get_nomination(inspector, mine.id).id == mine.id
    with pytest.raises(NotFound):
        get_nomination(inspector, other.id)
    with pytest.raises(NotFound):
        checks.get_check(inspector, other_check.id)
    assert [n.id for n in worklist(inspector)] == [mine.id]

    auth.login("inspector")
    assert client.get(f"/nominations/{mine.id}").status_code == 200
    assert client.get(f"/nominations/{other.id}").status_code == 404
    # a union sees nothing of the log before the conclusion
    with pytest.raises(NotFound):
        checks.get_check(world.user("union_b"), my_check.id)


# -- the log and the conclusion -----------------------------------------------------------


def test_log_with_photo_and_an_agreed_pass(world, ctx):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    _fill(world, check, nomination)
    item = _ids(nomination)[0]
    photo = log.add_photo(world.user("inspector"), check.id, item, _photo())
    assert photo.evidence.kind == "image" and photo.evidence.nomination_id == nomination.id
    with pytest.raises(Invalid):  # a PDF is not a photo
        log.add_photo(
            world.user("inspector"),
            check.id,
            item,
            FileStorage(io.BytesIO(b"%PDF-1.4\n%%EOF"), filename="a.pdf"),
        )
    with pytest.raises(NotFound):  # the union keeps no log (and sees none yet)
        log.save_findings(world.user("union_a"), check.id, {})

    conclusion.propose_conclusion(world.user("inspector"), check.id, conclusion="pass", notes=None)
    assert nomination.status == "spot_check"  # the second inspector has not agreed yet
    with pytest.raises(StaleVersion):
        conclusion.agree(world.user("inspector_b"), check.id, "0" * 16)
    conclusion.agree(world.user("inspector_b"), check.id, checks.fingerprint(check))
    db.session.refresh(nomination)
    assert nomination.status == "candidate"
    event = nomination.events[-1]
    assert (event.action, event.actor_id) == ("pass_check", world.users["inspector_b"].id)
    assert "抽查结论：合格" in event.comment
    with pytest.raises(Conflict):  # the log is closed now
        log.save_findings(world.user("inspector"), check.id, {})
    assert db.session.scalar(select(db.func.count()).select_from(CheckPhoto)) == 1


def test_changing_the_log_clears_agreement(world, ctx):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    _fill(world, check, nomination)
    conclusion.propose_conclusion(world.user("inspector"), check.id, conclusion="pass", notes=None)
    first = checks.fingerprint(check)
    log.save_findings(
        world.user("inspector_b"),
        check.id,
        {_ids(nomination)[0]: {"finding": "partly", "notes": "台账不全。"}},
    )
    assert all(a.agreed_at is None for a in check.assignments)
    conclusion.agree(world.user("inspector_b"), check.id, first)  # same text, agreed again
    assert nomination.status == "spot_check"  # the proposer must agree to the changed log
    conclusion.agree(world.user("inspector"), check.id, first)
    assert nomination.status == "candidate"


def test_only_assigned_inspectors_keep_the_log(world, ctx):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=("inspector",))
    with pytest.raises(Forbidden):
        log.save_visit(world.user("city"), check.id, visited_on=None, place="x")
    with pytest.raises(NotFound):
        log.save_visit(world.user("inspector_b"), check.id, visited_on=None, place="x")


def test_pass_needs_a_complete_log_and_enough_inspectors(world, ctx):
    nomination, check = spot_check(world, org=world.union_a, inspectors=("inspector",))
    with pytest.raises(Conflict) as info:
        conclusion.propose_conclusion(
            world.user("inspector"), check.id, conclusion="pass", notes=""
        )
    text = " ".join(info.value.problems)
    assert "检查日期和地点" in text and "未填写检查结果" in text and "会员访谈" in text
    assert "须有 2 名抽查员" in text
    assert check.conclusion is None  # nothing of the refused proposal stays


def test_regional_union_needs_85_percent_in_the_interview_sample(world, ctx):
    add_inspectors(world)
    nomination, check = spot_check(
        world, org=world.union_b, inspectors=("inspector", "inspector_a")
    )
    _fill(world, check, nomination, asked=20, satisfied=16)  # 80%
    with pytest.raises(Conflict) as info:
        conclusion.propose_conclusion(
            world.user("inspector"), check.id, conclusion="pass", notes=""
        )
    assert any("访谈抽样满意率 80.0%，低于标准要求的 85%" in p for p in info.value.problems)
    log.save_visit(
        world.user("inspector"),
        check.id,
        visited_on=beijing_today(),
        place="街道办",
        interviewed=20,
        interviewed_satisfied=17,
    )  # exactly 85%
    conclusion.propose_conclusion(world.user("inspector"), check.id, conclusion="pass", notes="")
    assert check.conclusion == "pass"


def test_enterprise_sample_has_no_85_percent_rule(world, ctx):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    _fill(world, check, nomination, asked=10, satisfied=5)
    conclusion.propose_conclusion(world.user("inspector"), check.id, conclusion="pass", notes="")
    assert checks.check_view(check, nomination).rate_threshold is None


def test_visit_figures_are_checked(world, ctx):
    nomination, check = spot_check(world, org=world.union_a, inspectors=("inspector",))
    with pytest.raises(Invalid) as info:
        log.save_visit(
            world.user("inspector"),
            check.id,
            visited_on=date(2099, 1, 1),
            place="x",
            interviewed="10",
            interviewed_satisfied="12",
        )
    assert set(info.value.errors) == {"visited_on", "interviewed_satisfied"}


# -- rectification ------------------------------------------------------------------------


def _order_rectification(world, nomination, check, deadline=None):  # type: ignore[no-untyped-def]
    _fill(world, check, nomination, finding="meets")
    items = _ids(nomination)[:2]
    log.save_findings(
        world.user("inspector"), check.id, {items[0]: {"finding": "fails", "notes": "无会员档案。"}}
    )
    deadline = deadline or beijing_today() + timedelta(days=30)
    conclusion.propose_conclusion(
        world.user("inspector"),
        check.id,
        conclusion="rectify",
        notes="会员档案缺失。",
        items=items,
        deadline=deadline,
    )
    conclusion.agree(world.user("inspector_b"), check.id, checks.fingerprint(check))
    assert nomination.status == "rectification"
    return items


def test_rectification_accepted(world, ctx):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    with pytest.raises(Conflict):  # 不符合 items rule out 合格
        _fill(world, check, nomination, finding="fails")
        conclusion.propose_conclusion(
            world.user("inspector"), check.id, conclusion="pass", notes=""
        )
    items = _order_rectification(world, nomination, check)
    union = world.user("union_a")
    view = checks.check_view(check, nomination)
    assert [r.item.id for r in view.rectify_items] == items
    with pytest.raises(Conflict) as incomplete:
        rectification.submit_rectification(union, check.id)
    assert len(incomplete.value.problems) == 4
    with pytest.raises(Conflict):  # nothing handed in yet
        rectification.decide_rectification(
            world.user("inspector"), check.id, accept=True, comment=""
        )
    rectification.save_responses(union, check.id, {i: "已补建会员档案。" for i in items})
    for i in items:
        rectification.add_response_file(union, check.id, i, _photo("整改.jpg"))
    with pytest.raises(Invalid):
        rectification.save_responses(union, check.id, {_ids(nomination)[5]: "不是整改项"})
    rectification.submit_rectification(union, check.id)
    with pytest.raises(Conflict):
        rectification.save_responses(union, check.id, {items[0]: "再改"})
    assert nomination.id in [n.id for n in worklist(world.user("inspector"))]
    with pytest.raises(Forbidden):
        rectification.decide_rectification(
            world.user("reviewer_a"), check.id, accept=True, comment=""
        )
    rectification.decide_rectification(
        world.user("inspector"), check.id, accept=True, comment="整改到位。"
    )
    assert nomination.status == "candidate"
    assert nomination.events[-1].action == "accept_rectification"


def test_rectification_rejected_by_the_reviewer_when_the_campaign_says_so(world, ctx):
    add_inspectors(world)
    world.campaign.rectification_reviewer = "reviewer"
    db.session.commit()
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    _order_rectification(world, nomination, check)
    with pytest.raises(Forbidden):
        rectification.decide_rectification(
            world.user("inspector"), check.id, accept=False, comment="x"
        )
    with pytest.raises(Conflict):  # not yet due and nothing handed in
        rectification.decide_rectification(
            world.user("reviewer_a"), check.id, accept=False, comment="未整改"
        )
    check.rectification_deadline = beijing_today() - timedelta(days=1)
    db.session.commit()
    assert checks.check_view(check, nomination).overdue
    with pytest.raises(Invalid):
        rectification.decide_rectification(
            world.user("reviewer_a"), check.id, accept=False, comment=""
        )
    rectification.decide_rectification(
        world.user("reviewer_a"), check.id, accept=False, comment="逾期未整改。"
    )
    assert nomination.status == "spot_check_failed"
    event = db.session.scalar(
        select(NominationEvent)
        .where(NominationEvent.nomination_id == nomination.id)
        .order_by(NominationEvent.id.desc())
    )
    assert (event.action, event.comment) == ("reject_rectification", "逾期未整改。")


def test_fail_needs_a_reason_and_ends_the_check(world, ctx):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    _fill(world, check, nomination, finding="fails")
    with pytest.raises(Invalid) as info:
        conclusion.propose_conclusion(
            world.user("inspector"), check.id, conclusion="fail", notes=""
        )
    assert "notes" in info.value.errors
    conclusion.propose_conclusion(
        world.user("inspector"), check.id, conclusion="fail", notes="多项不符合。"
    )
    conclusion.agree(world.user("inspector_b"), check.id, checks.fingerprint(check))
    assert nomination.status == "spot_check_failed"
    # the union now sees the log, read-only
    assert checks.get_check(world.user("union_a"), check.id)[0].id == check.id


def test_rectification_moves_between_worklists(world, ctx):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    items = _order_rectification(world, nomination, check)
    union = world.user("union_a")
    assert [n.id for n in worklist(union)] == [nomination.id]
    assert worklist(world.user("inspector")) == []
    rectification.save_responses(union, check.id, {i: "已整改。" for i in items})
    for i in items:
        rectification.add_response_file(union, check.id, i, _photo())
    rectification.submit_rectification(union, check.id)
    assert worklist(union) == []
    assert [n.id for n in worklist(world.user("inspector_b"))] == [nomination.id]


def test_the_team_is_asked_to_agree_and_told_of_a_rectification_handed_in(world, ctx):
    from app.notifications.models import Kind, Notification

    def told(action: str) -> list[str]:
        names = {u.id: key for key, u in world.users.items()}
        rows = db.session.scalars(
            select(Notification.user_id).where(
                Notification.kind == Kind.EVENT, Notification.action == action
            )
        )
        return sorted(names[i] for i in rows)

    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    items = _order_rectification(world, nomination, check)
    assert told("conclusion_proposed") == ["inspector_b"]  # the proposer agreed already
    assert told("order_rectification") == ["union_a"]  # the state change, with its comment
    union = world.user("union_a")
    rectification.save_responses(union, check.id, {i: "已补建会员档案。" for i in items})
    for i in items:
        rectification.add_response_file(union, check.id, i, _photo("整改.jpg"))
    rectification.submit_rectification(union, check.id)
    assert told("rectification_submitted") == sorted(TEAM)
