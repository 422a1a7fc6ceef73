"""表彰: selection within quotas, the publicity period in working days, objections that
block commendation until answered, certificates and their public check, dynamic management."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.calendar.workdays import workdays_between
from app.commendation import certificates, honours, objections, policy, selection
from app.commendation.models import Certificate, ObjectionStatus
from app.commendation.publicity import public_entries, publish_list
from app.commendation.roll import honour_roll
from app.errors import Conflict, Forbidden, Invalid, TooManyAttempts
from app.extensions import db
from app.timeutil import beijing_today

# -- selection and quotas -----------------------------------------------------------------


@pytest.fixture
def candidates(world):  # type: ignore[no-untyped-def]
    """Three candidates in district A (quota 2), two in district B (quota 1)."""
    orgs = [world.union_a, world.union_a2, world.union_a, world.union_b, world.union_b]
    return [world.nomination(org=o, status="candidate") for o in orgs]


def test_a_selection_over_a_district_quota_is_refused(world, ctx, candidates):
    city = world.user("city")
    board = selection.board(city, world.campaign.id)
    assert {(d.name, d.quota, d.candidates) for d in board.districts} == {
        ("甲区总工会", 2, 3),
        ("乙区总工会", 1, 2),
    }
    row = board.rows[0]
    assert row.items_met == row.items_total > 0 and row.check == "未抽中"
    with pytest.raises(Invalid) as info:
        selection.save_selection(
            city,
            world.campaign.id,
            {n.id: {"selected": True, "rank": i} for i, n in enumerate(candidates[:3], 1)},
        )
    assert info.value.errors == {
        f"district_{world.district_a.id}": ["甲区总工会名额 2 个，已选 3 个，超出名额。"]
    }
    assert selection.board(city, world.campaign.id).selected == []  # nothing saved
    selection.save_selection(
        city,
        world.campaign.id,
        {
            candidates[0].id: {"selected": True, "rank": 1},
            candidates[1].id: {"selected": True, "rank": 2},
            candidates[3].id: {"selected": True, "rank": 3},
        },
    )
    assert [r.nomination.id for r in selection.board(city, world.campaign.id).selected] == [
        candidates[0].id,
        candidates[1].id,
        candidates[3].id,
    ]
    with pytest.raises(Forbidden):
        selection.board(world.user("reviewer_a"), world.campaign.id)


def _publish(world, candidates):  # type: ignore[no-untyped-def]
    city = world.user("city")
    selection.save_selection(
        city,
        world.campaign.id,
        {
            candidates[0].id: {"selected": True, "rank": 1},
            candidates[3].id: {"selected": True, "rank": 2},
        },
    )
    return publish_list(city, world.campaign.id)


def _end_period(publicity) -> None:  # type: ignore[no-untyped-def]
    """The publicity period is over (as if its last day were yesterday)."""
    publicity.starts_on = beijing_today() - timedelta(days=10)
    publicity.ends_on = beijing_today() - timedelta(days=1)
    db.session.commit()


def test_publishing_moves_selected_to_publicity_and_the_rest_out(world, ctx, candidates):
    publicity = _publish(world, candidates)
    assert [n.status for n in candidates] == [
        "publicity",
        "not_commended",
        "not_commended",
        "publicity",
        "not_commended",
    ]
    assert policy.may_object(publicity) and publicity.working_days == 5
    assert candidates[0].due_on == publicity.ends_on  # the city's next step: after the period
    assert workdays_between(publicity.starts_on, publicity.ends_on, {}) == 5
    entries = public_entries(publicity)
    assert [(e.unit, e.district) for e in entries] == [
        ("甲区机械厂工会", "甲区总工会"),
        ("乙区街道总工会", "乙区总工会"),
    ]


# -- objections ---------------------------------------------------------------------------


def test_an_open_objection_blocks_commendation_until_answered(world, ctx, candidates):
    publicity = _publish(world, candidates)
    objection = objections.lodge_objection(
        publicity.id,
        candidates[0].id,
        body="该单位职代会近两年未召开，与申报材料不符。",
        name=None,
        contact="13800000000",
        address="10.0.0.1",
    )
    with pytest.raises(Invalid):
        objections.lodge_objection(
            publicity.id, candidates[0].id, body="不好", name=None, contact="", address="10.0.0.1"
        )
    _end_period(publicity)
    city = world.user("city")
    with pytest.raises(Conflict) as blocked:
        certificates.commend(
            city, publicity.id, document_number="示工发〔2026〕1号", decided_on=beijing_today()
        )
    assert blocked.value.problems == [f"异议 {objection.id}：甲区机械厂工会"]
    with pytest.raises(Invalid):  # an answer needs its reasons
        objections.answer_objection(city, objection.id, decision="dismiss", answer=" ")
    objections.answer_objection(
        city,
        objection.id,
        decision="dismiss",
        answer="经核查，该单位2025年5月召开职代会，有会议纪要为证，异议不成立。",
    )
    assert objection.status == ObjectionStatus.DISMISSED
    commendation = certificates.commend(
        city, publicity.id, document_number="示工发〔2026〕1号", decided_on=beijing_today()
    )
    assert {n.status for n in (candidates[0], candidates[3])} == {"commended"}
    serials = [c.serial for c in commendation.certificates]
    assert serials == ["2026-0001", "2026-0002"]
    with pytest.raises(Conflict):
        certificates.commend(
            city, publicity.id, document_number="示工发〔2026〕2号", decided_on=beijing_today()
        )


def test_commendation_waits_for_the_end_of_the_period(world, ctx, candidates):
    publicity = _publish(world, candidates)
    with pytest.raises(Conflict) as info:
        certificates.commend(
            world.user("city"), publicity.id, document_number="x号", decided_on=beijing_today()
        )
    assert "期满后方可发文表彰" in info.value.message


def test_an_upheld_objection_takes_the_candidate_off(world, ctx, candidates):
    publicity = _publish(world, candidates)
    city = world.user("city")
    first = objections.lodge_objection(
        publicity.id,
        candidates[3].id,
        body="该街道工会会员档案缺失严重。",
        name="王",
        contact="w@example.cn",
        address="10.0.0.2",
    )
    objections.answer_objection(
        city, first.id, decision="not_commended", answer="经实地核查，会员档案确有缺失，异议成立。"
    )
    assert candidates[3].status == "not_commended"
    assert candidates[3].events[-1].comment.startswith("异议成立")
    second = objections.lodge_objection(
        publicity.id,
        candidates[0].id,
        body="该厂工会经费使用不规范。",
        name=None,
        contact="139",
        address="10.0.0.3",
    )
    objections.answer_objection(
        city,
        second.id,
        decision="rectification",
        answer="经审计，经费台账不全，限期整改。",
        deadline=beijing_today() + timedelta(days=20),
    )
    assert candidates[0].status == "honour_rectification"
    # the union answers; the city accepts → a candidate again
    from tests.test_spot_checks import _photo

    union = world.user("union_a")
    honours.save_rectification_statement(union, candidates[0].id, "已建立经费台账并经审计。")
    honours.add_rectification_file(union, candidates[0].id, _photo("台账.jpg"))
    honours.submit_rectification(union, candidates[0].id)
    honours.decide_rectification(city, candidates[0].id, accept=True, comment="整改到位。")
    assert candidates[0].status == "candidate"


def test_objections_are_rate_limited_per_address(world, ctx, candidates, app):
    publicity = _publish(world, candidates)
    app.config["OBJECTIONS_PER_ADDRESS_PER_DAY"] = 2
    try:
        for _ in range(2):
            objections.lodge_objection(
                publicity.id,
                candidates[0].id,
                body="同一地址反复提交的异议内容。",
                name=None,
                contact="1",
                address="10.9.9.9",
            )
        with pytest.raises(TooManyAttempts):
            objections.lodge_objection(
                publicity.id,
                candidates[0].id,
                body="同一地址反复提交的异议内容。",
                name=None,
                contact="1",
                address="10.9.9.9",
            )
        objections.lodge_objection(
            publicity.id,
            candidates[0].id,
            body="另一个地址提交的异议内容。",
            name=None,
            contact="1",
            address="10.9.9.8",
        )
    finally:
        app.config["OBJECTIONS_PER_ADDRESS_PER_DAY"] = 5


# -- certificates, revocation, the roll ---------------------------------------------------


def _commended(world, candidates):  # type: ignore[no-untyped-def]
    publicity = _publish(world, candidates)
    _end_period(publicity)
    return certificates.commend(
        world.user("city"),
        publicity.id,
        document_number="示工发〔2026〕9号",
        decided_on=beijing_today(),
    )


def test_certificate_check_real_forged_and_revoked(world, ctx, candidates):
    commendation = _commended(world, candidates)
    certificate = commendation.certificates[0]
    real = certificates.check_certificate(certificate.code.lower().replace("-", " "))
    assert real.status == "valid" and real.certificate.id == certificate.id
    assert certificates.check_certificate("ABCD-EFGH-JKLM").status == "unknown"
    assert certificates.check_certificate("").status == "unknown"
    city = world.user("city")
    with pytest.raises(Invalid):
        honours.revoke(city, certificate.nomination_id, reason="")
    honours.revoke(city, certificate.nomination_id, reason="2027年复查发现弄虚作假。")
    revoked = certificates.check_certificate(certificate.code)
    assert revoked.status == "revoked" and revoked.certificate.revoked_reason
    roll = honour_roll(year=2026)
    assert [(e.unit, e.revoked) for e in roll] == [
        ("甲区机械厂工会", True),
        ("乙区街道总工会", False),
    ]
    assert honour_roll(district_id=world.district_b.id)[0].unit == "乙区街道总工会"
    assert honour_roll(year=2025) == []


def test_a_commended_home_ordered_to_rectify_keeps_or_loses_its_title(world, ctx, candidates):
    _commended(world, candidates)
    city = world.user("city")
    home = candidates[3]
    honours.order_honour_rectification(
        city,
        home.id,
        reason="复查发现集体合同到期未续签。",
        deadline=beijing_today() + timedelta(days=30),
    )
    assert home.status == "honour_rectification"
    with pytest.raises(Conflict):  # not yet due, nothing handed in
        honours.decide_rectification(city, home.id, accept=False, comment="未整改")
    union = world.user("union_b")
    honours.save_rectification_statement(union, home.id, "已续签集体合同。")
    from tests.test_spot_checks import _photo

    honours.add_rectification_file(union, home.id, _photo("合同.jpg"))
    honours.submit_rectification(union, home.id)
    honours.decide_rectification(city, home.id, accept=True, comment=None)
    assert home.status == "commended"
    # again, and this time not rectified: the title is revoked
    honours.order_honour_rectification(
        city, home.id, reason="再次复查仍不达标。", deadline=beijing_today() + timedelta(days=30)
    )
    honours.open_rectification(home.id).deadline = beijing_today() - timedelta(days=1)
    db.session.commit()
    honours.decide_rectification(city, home.id, accept=False, comment="逾期未整改。")
    assert home.status == "revoked"
    certificate = db.session.scalar(select(Certificate).where(Certificate.nomination_id == home.id))
    assert certificate.revoked_on == beijing_today()


def test_an_objection_tells_the_city_once_and_nothing_of_the_objector(world, ctx, candidates):
    from app.notifications.models import Kind, Notification

    publicity = _publish(world, candidates)
    objection = objections.lodge_objection(
        publicity.id,
        candidates[0].id,
        body="该单位职代会近两年未召开。",
        name="王某",
        contact="13800000000",
        address="10.0.0.9",
    )
    told = db.session.scalars(
        select(Notification).where(
            Notification.kind == Kind.EVENT, Notification.action == "objection"
        )
    ).all()
    assert [n.user_id for n in told] == [world.user("city").id]
    assert told[0].event_id == objection.id and told[0].nomination_id == candidates[0].id
    text = f"{told[0].title} {told[0].body or ''}"
    assert "王某" not in text and "13800000000" not in text and "职代会" not in text

    objections.answer_objection(
        world.user("city"), objection.id, decision="dismiss", answer="经核实，职代会已按期召开。"
    )
    dismissed = db.session.scalars(
        select(Notification).where(Notification.action == "objection_dismissed")
    ).all()
    assert [n.user_id for n in dismissed] == [world.user("union_a").id]
    assert "王某" not in dismissed[0].title and dismissed[0].body is None
