"""The draw's services: announce (publish the seed's commitment), draw, apply, redraw, verify.

A draw is never silently redone: a redraw needs a reason, supersedes the earlier record and
keeps it. Applying a draw moves the sample to `spot_check` and the rest to `candidate`
through the workflow engine, in one transaction.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select

from app.auth.models import User
from app.campaigns.models import Campaign
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import fire_stage_action
from app.orgs.models import DISTRICT_LEVELS, Organization, OrgClosure
from app.spot_checks.draw import (
    METHODS,
    canonical_population,
    commitment,
    population_digest,
    run_draw,
)
from app.spot_checks.models import DrawStatus, SpotCheck, SpotCheckDraw
from app.spot_checks.policy import drawing_org
from app.timeutil import utcnow

OPEN_STATUSES = (DrawStatus.ANNOUNCED, DrawStatus.DRAWN)
MAX_COUNT = 10_000  # per district
_DECIMAL = re.compile(r"[0-9]{1,8}(\.[0-9]{0,8})?|\.[0-9]{1,8}")  # fits the 16-character column


def _get_campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("评选活动不存在。")
    return campaign


def _validate_rule(method: str, value: str) -> str:
    if method not in METHODS:
        raise Invalid("抽签规则有误。", errors={"method": ["请选择按比例或按数量抽取。"]})
    text = str(value).strip()
    # Plain decimals only: Fraction would also take "1e-99999999", and spend minutes on it
    # here and again each time anyone opens the public verification page.
    number = Fraction(text) if _DECIMAL.fullmatch(text) else Fraction(-1)
    if method == "ratio" and not (0 < number <= 1):
        raise Invalid("抽签规则有误。", errors={"value": ["比例须大于 0 且不超过 1，如 0.2。"]})
    if method == "count":
        if number.denominator != 1 or not 1 <= number <= MAX_COUNT:
            raise Invalid(
                "抽签规则有误。",
                errors={"value": [f"每区抽取数量须为正整数（不超过 {MAX_COUNT}）。"]},
            )
        return str(number.numerator)  # "3.0" is recorded as "3": the draw reads int()
    return text


def announce_draw(
    user: User,
    campaign_id: int,
    *,
    method: str,
    value: str,
    seed: str | None = None,
    redraw_of: SpotCheckDraw | None = None,
    reason: str | None = None,
) -> SpotCheckDraw:
    """Publish the rule and the seed's commitment; the seed stays secret until the draw."""
    campaign = _get_campaign(campaign_id)
    org = drawing_org(user, campaign)
    value = _validate_rule(method, value)
    pending = db.session.scalar(
        select(SpotCheckDraw).where(
            SpotCheckDraw.campaign_id == campaign.id,
            SpotCheckDraw.scope_org_id == org.id,
            SpotCheckDraw.status.in_(OPEN_STATUSES),
        )
    )
    if pending is not None and pending is not redraw_of:
        raise Conflict(f"已有进行中的抽签（编号 {pending.id}），如需重抽请填写理由。")
    seed = (seed or "").strip() or secrets.token_hex(16)
    if len(seed) > 128:
        raise Invalid("种子过长。", errors={"seed": ["种子不超过 128 个字符。"]})
    draw = SpotCheckDraw(
        campaign_id=campaign.id,
        scope_org_id=org.id,
        method=method,
        value=value,
        seed_commitment=commitment(seed),
        seed=seed,
        status=DrawStatus.ANNOUNCED,
        announced_at=utcnow(),
        announced_by_id=user.id,
        redraw_of_id=redraw_of.id if redraw_of else None,
        redraw_reason=reason,
    )
    db.session.add(draw)
    db.session.commit()
    return draw


def get_draw(draw_id: int) -> SpotCheckDraw:
    draw = db.session.get(SpotCheckDraw, draw_id)
    if draw is None:
        raise NotFound("抽签记录不存在。")
    return draw


def _require_drawer(user: User, draw: SpotCheckDraw) -> Campaign:
    campaign = _get_campaign(draw.campaign_id)
    if drawing_org(user, campaign).id != draw.scope_org_id:
        raise Forbidden("您无权操作这次抽签。")
    return campaign


def population_entries(draw: SpotCheckDraw) -> list[dict]:
    """Nominations of the campaign under the drawing organisation awaiting the draw, with
    their district's code as the stratum (a union directly under the drawing organisation
    forms the stratum named by that organisation's code). Two queries."""
    district = db.aliased(Organization)
    link = db.aliased(OrgClosure)
    under = select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id == draw.scope_org_id)
    awaiting = select(Nomination.id).where(
        Nomination.campaign_id == draw.campaign_id,
        Nomination.status == "awaiting_draw",
        Nomination.org_id.in_(under),
    )
    strata = dict(
        db.session.execute(
            select(Nomination.id, district.code)
            .join(link, link.descendant_id == Nomination.org_id)
            .join(district, district.id == link.ancestor_id)
            .where(Nomination.id.in_(awaiting), district.level.in_(DISTRICT_LEVELS))
        ).all()
    )
    ids = db.session.scalars(awaiting).all()
    return canonical_population(
        [{"nomination_id": nid, "stratum": strata.get(nid, draw.scope_org.code)} for nid in ids]
    )


def unit_names(nomination_ids: list[int]) -> dict[int, str]:
    """Nomination → the name of its union, as the draw's record and pages show it (one
    query)."""
    if not nomination_ids:
        return {}
    return dict(
        db.session.execute(
            select(Nomination.id, Organization.name)
            .join(Organization, Organization.id == Nomination.org_id)
            .where(Nomination.id.in_(nomination_ids))
        ).all()
    )


def make_draw(user: User, draw_id: int) -> SpotCheckDraw:
    """Freeze the population, reveal the seed, compute and record the sample."""
    draw = get_draw(draw_id)
    _require_drawer(user, draw)
    if draw.status != DrawStatus.ANNOUNCED:
        raise Conflict("这次抽签已经进行过。")
    entries = population_entries(draw)
    if not entries:
        raise Conflict("目前没有待抽签的申报。")
    assert draw.seed is not None
    result = run_draw(draw.seed, entries, draw.method, draw.value)
    draw.population = entries
    draw.population_hash = population_digest(entries)
    draw.strata = result.strata
    draw.sample = result.sample
    draw.status = DrawStatus.DRAWN
    draw.drawn_at, draw.drawn_by_id = utcnow(), user.id
    db.session.commit()
    return draw


def apply_draw(user: User, draw_id: int) -> SpotCheckDraw:
    """Move the sample to spot check and the rest to candidates, through the engine."""
    draw = get_draw(draw_id)
    _require_drawer(user, draw)
    if draw.status != DrawStatus.DRAWN:
        raise Conflict("只有已抽签且未生效的记录可以确认生效。")
    ids = [e["nomination_id"] for e in draw.population or []]
    nominations = {
        n.id: n
        for n in db.session.scalars(
            select(Nomination).where(Nomination.id.in_(ids)).with_for_update()
        )
    }
    moved = [nid for nid in ids if nominations[nid].status != "awaiting_draw"]
    if moved:
        raise Conflict(
            "抽签后有申报状态发生变化，请填写理由重新抽签。",
            problems=[f"申报编号 {nid}" for nid in moved],
        )
    sample = set(draw.sample or [])
    note = f"随机抽查抽签（编号 {draw.id}）"
    for nid in ids:
        drawn = nid in sample
        fire_stage_action(
            nominations[nid],
            "draw" if drawn else "pass_without_check",
            actor=user,
            comment=note + ("：抽中。" if drawn else "：未抽中。"),
        )
        if drawn:
            db.session.add(SpotCheck(nomination_id=nid, draw_id=draw.id))
    draw.status = DrawStatus.APPLIED
    draw.applied_at = utcnow()
    db.session.commit()
    return draw


def redraw(
    user: User,
    draw_id: int,
    *,
    reason: str,
    method: str | None = None,
    value: str | None = None,
    seed: str | None = None,
) -> SpotCheckDraw:
    """Supersede a draw not yet applied; the reason is required and both records stay."""
    draw = get_draw(draw_id)
    _require_drawer(user, draw)
    if draw.status not in OPEN_STATUSES:
        raise Conflict("已生效或已作废的抽签不能重抽。")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("重新抽签必须填写理由。", errors={"reason": ["请填写重新抽签的理由。"]})
    draw.status = DrawStatus.SUPERSEDED
    db.session.flush()
    return announce_draw(
        user,
        draw.campaign_id,
        method=method or draw.method,
        value=value or draw.value,
        seed=seed,
        redraw_of=draw,
        reason=reason,
    )


@dataclass
class Verification:
    draw: SpotCheckDraw
    commitment_ok: bool
    population_ok: bool
    sample_ok: bool
    recomputed: list[int]
    strata: dict[str, dict[str, int]]

    @property
    def ok(self) -> bool:
        return self.commitment_ok and self.population_ok and self.sample_ok


def verify_draw(draw_id: int) -> Verification:
    """Re-run a draw from its public record alone."""
    draw = get_draw(draw_id)
    if draw.seed is None or draw.population is None or draw.status == DrawStatus.ANNOUNCED:
        raise Conflict("这次抽签尚未进行，种子未公开，暂不能验证。")
    result = run_draw(draw.seed, draw.population, draw.method, draw.value)
    return Verification(
        draw=draw,
        commitment_ok=commitment(draw.seed) == draw.seed_commitment,
        population_ok=population_digest(draw.population) == draw.population_hash,
        sample_ok=result.sample == sorted(draw.sample or []),
        recomputed=result.sample,
        strata=result.strata,
    )


def public_record(draw: SpotCheckDraw) -> dict:
    """What anyone may see: the seed only once a draw was made with it (a draw superseded
    before it was made keeps its seed secret: it may be used again)."""
    revealed = draw.drawn_at is not None
    return {
        "id": draw.id,
        "campaign_id": draw.campaign_id,
        "scope": draw.scope_org.name,
        "method": draw.method,
        "value": draw.value,
        "status": draw.status,
        "seed_commitment": draw.seed_commitment,
        "seed": draw.seed if revealed else None,
        "population": draw.population,
        "population_hash": draw.population_hash,
        "strata": draw.strata,
        "sample": draw.sample,
        "announced_at": draw.announced_at,
        "drawn_at": draw.drawn_at,
        "applied_at": draw.applied_at,
        "redraw_of": draw.redraw_of_id,
        "redraw_reason": draw.redraw_reason,
    }
