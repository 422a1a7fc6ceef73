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

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.errors import Conflict, Invalid, NotFound
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
from app.spot_checks.policy import drawing_org, require_drawer
from app.spot_checks.queries import find_campaign
from app.timeutil import utcnow

OPEN_STATUSES = (DrawStatus.ANNOUNCED, DrawStatus.DRAWN)
MAX_COUNT = 10_000  # per district
_DECIMAL = re.compile(r"[0-9]{1,8}(\.[0-9]{0,8})?|\.[0-9]{1,8}")  # fits the 16-character column


def _validate_rule(method: str, value: str) -> str:
    if method not in METHODS:
        raise Invalid(
            _("The draw's rule is not valid."),
            errors={"method": [_("Please choose by ratio or by count.")]},
        )
    text = str(value).strip()
    # Plain decimals only: Fraction would also take "1e-99999999", and spend minutes on it
    # here and again each time anyone opens the public verification page.
    number = Fraction(text) if _DECIMAL.fullmatch(text) else Fraction(-1)
    if method == "ratio" and not (0 < number <= 1):
        raise Invalid(
            _("The draw's rule is not valid."),
            errors={"value": [_("The ratio must be more than 0 and at most 1, such as 0.2.")]},
        )
    if method == "count":
        if number.denominator != 1 or not 1 <= number <= MAX_COUNT:
            message = _(
                "The number per district must be a positive whole number (at most %(max)s).",
                max=MAX_COUNT,
            )
            raise Invalid(_("The draw's rule is not valid."), errors={"value": [message]})
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
    campaign = find_campaign(campaign_id)
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
        raise Conflict(
            _(
                "Draw No. %(id)s is still open; to draw again, redraw it with a reason.",
                id=pending.id,
            )
        )
    seed = (seed or "").strip() or secrets.token_hex(16)
    if len(seed) > 128:
        raise Invalid(
            _("The seed is too long."), errors={"seed": [_("The seed has at most 128 characters.")]}
        )
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
        raise NotFound(_("The draw does not exist."))
    return draw


def campaign_draws(user: User, campaign_id: int) -> list[SpotCheckDraw]:
    """The draws the user's organisation has run for this campaign, superseded ones too,
    oldest first (refused for anyone who does not draw)."""
    org = drawing_org(user, find_campaign(campaign_id))
    return list(
        db.session.scalars(
            select(SpotCheckDraw)
            .where(SpotCheckDraw.campaign_id == campaign_id, SpotCheckDraw.scope_org_id == org.id)
            .order_by(SpotCheckDraw.id)
        )
    )


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
        )
        .tuples()
        .all()
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
        )
        .tuples()
        .all()
    )


def make_draw(user: User, draw_id: int) -> SpotCheckDraw:
    """Freeze the population, reveal the seed, compute and record the sample."""
    draw = get_draw(draw_id)
    require_drawer(user, draw)
    if draw.status != DrawStatus.ANNOUNCED:
        raise Conflict(_("This draw has already been made."))
    entries = population_entries(draw)
    if not entries:
        raise Conflict(_("No nomination is awaiting the draw at the moment."))
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
    require_drawer(user, draw)
    if draw.status != DrawStatus.DRAWN:
        raise Conflict(_("Only a draw that has been made and not applied yet can be applied."))
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
            _("Nominations have changed state since the draw; please redraw with a reason."),
            problems=[_("Nomination No. %(id)s", id=nid) for nid in moved],
        )
    sample = set(draw.sample or [])
    note = f"随机抽查抽签（编号 {draw.id}）"  # the audit comment: the record, in Chinese
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
    reason: str | None,
    method: str | None = None,
    value: str | None = None,
    seed: str | None = None,
) -> SpotCheckDraw:
    """Supersede a draw not yet applied; the reason is required and both records stay."""
    draw = get_draw(draw_id)
    require_drawer(user, draw)
    if draw.status not in OPEN_STATUSES:
        raise Conflict(_("A draw that is applied or superseded cannot be redone."))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(
            _("A redraw needs a reason."),
            errors={"reason": [_("Please give the reason for the redraw.")]},
        )
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
        raise Conflict(
            _(
                "This draw has not been made yet and its seed is still secret: it cannot be "
                "verified yet."
            )
        )
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
