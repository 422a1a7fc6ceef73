"""The draw as the city runs it: announce, draw, apply, redraw with a reason, verify."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import Conflict, Forbidden, Invalid
from app.extensions import db
from app.spot_checks.draw import commitment
from app.spot_checks.models import DrawStatus, SpotCheck, SpotCheckDraw
from app.spot_checks.services import (
    announce_draw,
    apply_draw,
    make_draw,
    public_record,
    redraw,
    verify_draw,
)


@pytest.fixture
def awaiting(world):  # type: ignore[no-untyped-def]
    """Five nominations awaiting the draw: three in district A, two in district B."""
    orgs = [world.union_a, world.union_a2, world.union_a, world.union_b, world.union_b]
    return [world.nomination(org=org, status="awaiting_draw") for org in orgs]


def test_announce_draw_apply_and_verify(world, ctx, awaiting):
    city = world.user("city")
    draw = announce_draw(city, world.campaign.id, method="ratio", value="0.3", seed="公开种子")
    assert draw.seed_commitment == commitment("公开种子")
    assert public_record(draw)["seed"] is None  # secret until the draw
    make_draw(city, draw.id)
    assert draw.status == DrawStatus.DRAWN
    assert draw.strata == {"A": {"population": 3, "drawn": 1}, "B": {"population": 2, "drawn": 1}}
    assert public_record(draw)["seed"] == "公开种子"
    assert verify_draw(draw.id).ok

    apply_draw(city, draw.id)
    statuses = {n.id: n.status for n in awaiting}
    drawn = {nid for nid, s in statuses.items() if s == "spot_check"}
    assert drawn == set(draw.sample) and len(drawn) == 2
    assert {s for nid, s in statuses.items() if nid not in drawn} == {"candidate"}
    checks = set(db.session.scalars(select(SpotCheck.nomination_id)))
    assert checks == drawn
    assert awaiting[0].events[-1].action in ("draw", "pass_without_check")
    assert awaiting[0].events[-1].actor_id == city.id


def test_verification_catches_a_tampered_record(world, ctx, awaiting):
    city = world.user("city")
    draw = announce_draw(city, world.campaign.id, method="count", value="1", seed="s1")
    make_draw(city, draw.id)
    draw.sample = sorted({e["nomination_id"] for e in draw.population} - set(draw.sample))[:2]
    db.session.commit()
    result = verify_draw(draw.id)
    assert not result.ok and not result.sample_ok and result.commitment_ok
    draw.seed = "another"
    db.session.commit()
    assert not verify_draw(draw.id).commitment_ok


def test_a_draw_is_never_silently_redone(world, ctx, awaiting):
    city = world.user("city")
    first = announce_draw(city, world.campaign.id, method="ratio", value="0.5", seed="a")
    make_draw(city, first.id)
    with pytest.raises(Conflict):
        announce_draw(city, world.campaign.id, method="ratio", value="0.5")
    with pytest.raises(Conflict):
        make_draw(city, first.id)
    with pytest.raises(Invalid) as info:
        redraw(city, first.id, reason="  ")
    assert "reason" in info.value.errors
    second = redraw(city, first.id, reason="名单漏报一个申报，重新抽签。", seed="b")
    make_draw(city, second.id)
    db.session.refresh(first)
    assert first.status == DrawStatus.SUPERSEDED and first.sample  # the record is kept
    assert (second.redraw_of_id, second.redraw_reason) == (first.id, "名单漏报一个申报，重新抽签。")
    assert db.session.scalar(select(db.func.count()).select_from(SpotCheckDraw)) == 2
    apply_draw(city, second.id)
    with pytest.raises(Conflict):
        redraw(city, second.id, reason="想换一批")


def test_only_the_city_draws_and_rules_are_checked(world, ctx, awaiting):
    with pytest.raises(Forbidden):
        announce_draw(world.user("reviewer_a"), world.campaign.id, method="ratio", value="0.2")
    with pytest.raises(Invalid):
        announce_draw(world.user("city"), world.campaign.id, method="ratio", value="1.5")
    with pytest.raises(Invalid):
        announce_draw(world.user("city"), world.campaign.id, method="count", value="0")


def test_rules_are_recorded_as_the_draw_reads_them(world, ctx, awaiting):
    city = world.user("city")
    # A whole number written "2.0" is recorded as "2": the draw and its public re-run read it.
    draw = announce_draw(city, world.campaign.id, method="count", value=" 2.0 ", seed="s")
    assert draw.value == "2"
    make_draw(city, draw.id)
    assert draw.strata == {"A": {"population": 3, "drawn": 2}, "B": {"population": 2, "drawn": 2}}
    assert verify_draw(draw.id).ok
    # Only plain decimals: an exponent could make every re-run of the record take minutes.
    for method, value in [
        ("ratio", "1e-99999999"),
        ("ratio", "1/5"),
        ("count", "1e3"),
        ("count", "10001"),
        ("ratio", "0.2.1"),
    ]:
        with pytest.raises(Invalid) as info:
            redraw(city, draw.id, reason="规则有误", method=method, value=value)
        assert "value" in info.value.errors, (method, value)
        db.session.rollback()
    assert redraw(city, draw.id, reason="改为比例", method="ratio", value=".5").value == ".5"


def test_changed_population_blocks_applying(world, ctx, awaiting):
    city = world.user("city")
    draw = announce_draw(city, world.campaign.id, method="count", value="1")
    make_draw(city, draw.id)
    awaiting[0].status = "not_commended"
    db.session.commit()
    with pytest.raises(Conflict) as info:
        apply_draw(city, draw.id)
    assert f"申报编号 {awaiting[0].id}" in info.value.problems


def test_verify_draw_command(world, app, awaiting):
    city = world.user("city")
    draw = announce_draw(city, world.campaign.id, method="ratio", value="0.4", seed="cli")
    runner = app.test_cli_runner()
    early = runner.invoke(args=["verify-draw", str(draw.id)])
    assert early.exit_code != 0 and "尚未进行" in early.output
    make_draw(city, draw.id)
    result = runner.invoke(args=["verify-draw", str(draw.id)])
    assert result.exit_code == 0, result.output
    assert "验证通过" in result.output and str(draw.sample) in result.output


def test_public_page_reverifies_without_login(world, client, awaiting):
    city = world.user("city")
    draw = announce_draw(city, world.campaign.id, method="ratio", value="0.3", seed="秘密种子42")
    page = client.get(f"/draws/{draw.id}")
    assert page.status_code == 200 and "种子在抽签时公布" in page.text
    assert "秘密种子42" not in page.text and draw.seed_commitment in page.text
    make_draw(city, draw.id)
    page = client.get(f"/draws/{draw.id}").text
    assert "核验通过" in page and "秘密种子42" in page and "甲区机械厂工会" in page
    draw.sample = []
    db.session.commit()
    assert "核验未通过" in client.get(f"/draws/{draw.id}").text
    assert client.get("/draws/999999").status_code == 404


def test_a_seed_superseded_before_the_draw_stays_secret(world, ctx, awaiting):
    city = world.user("city")
    first = announce_draw(city, world.campaign.id, method="ratio", value="0.5", seed="同一种子")
    redraw(
        city, first.id, reason="规则填错，改为按数量。", method="count", value="1", seed="同一种子"
    )
    db.session.refresh(first)
    assert first.status == DrawStatus.SUPERSEDED
    assert public_record(first)["seed"] is None
