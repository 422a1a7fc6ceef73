"""Spot checks: verifiable draws, the drawn nominations' checks, findings and rectifications."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select

from app.cli.generate.plan import CampaignPlan, CheckPlan, City, Generation, Story, weighted
from app.cli.generate.writer import Row
from app.extensions import db
from app.timeutil import BEIJING

CONCLUSION_NOTES = {
    "pass": "各项符合标准。",
    "fail": "多项不符合标准。",
    "rectify": "部分项目需整改。",
}


def plan_draws(
    gen: Generation, city: City, plans: list[CampaignPlan], stories: list[Story]
) -> list[Row]:
    """Each campaign's draws (the city's one, or half the districts' own), and the drawn
    nominations' checks; returns the draws' rows."""
    rng = gen.rng
    ids = gen.ids("spot_check_draws")
    draws: list[Row] = []
    for plan in plans:
        awaiting = [s for s in stories if s.campaign == plan.index and s.state == "awaiting_draw"]
        groups: list[tuple[int, list[Story], datetime | None, str, str, int]]
        if plan.draw_level == "city":
            groups = [(city.id, awaiting, plan.draw_at, "ratio", "0.15", city.city_users[0])]
        else:  # this year's: half the districts have drawn their own
            # (the district's own reviewer draws, as the application requires)
            groups = [
                (
                    city.districts[d][0],
                    [s for s in awaiting if s.union.district == d],
                    gen.now - timedelta(days=rng.uniform(8, 20)),
                    "ratio",
                    "0.2",
                    city.reviewers[d][0],
                )
                for d in range(0, len(city.districts), 2)
            ]
        for scope, waiting, when, method, value, drawer in groups:
            # Only what was waiting on the day of the draw; later ones wait for the next.
            population = [s for s in waiting if when and s.last_at < when]
            if not population or when is None:
                continue
            draws.append(
                _draw(gen, city, plan, next(ids), scope, population, when, method, value, drawer)
            )
    return draws


def _draw(
    gen: Generation,
    city: City,
    plan: CampaignPlan,
    draw_id: int,
    scope: int,
    population: list[Story],
    when: datetime,
    method: str,
    value: str,
    drawer: int,
) -> Row:
    """One draw with the real draw function, its nominations moved on; returns its row."""
    from app.spot_checks.draw import canonical_population, commitment, population_digest, run_draw

    seed = f"{plan.year}-{scope}-{gen.hex(64)}"
    entries = [
        {"nomination_id": s.id, "stratum": city.districts[s.union.district][1]} for s in population
    ]
    result = run_draw(seed, entries, method, value)
    sample = set(result.sample)
    canon = canonical_population(entries)
    for story in population:
        drawn = story.id in sample
        note = f"随机抽查抽签（编号 {draw_id}）：" + ("抽中。" if drawn else "未抽中。")
        story.act(
            "draw" if drawn else "pass_without_check",
            drawer,
            note,
            max(when, story.last_at + timedelta(minutes=5)),
        )
        if drawn:
            _check(gen, city, story, draw_id, plan)
    return (
        draw_id,
        plan.id,
        scope,
        method,
        value,
        commitment(seed),
        seed,
        canon,
        population_digest(canon),
        result.strata,
        result.sample,
        "applied",
        when - timedelta(days=7),
        drawer,
        when,
        drawer,
        when,
    )


def _check(gen: Generation, city: City, story: Story, draw_id: int, plan: CampaignPlan) -> None:
    """A drawn nomination's check by two inspectors from outside its district, as far as
    it has come: open, concluded, or in rectification."""
    rng = gen.rng
    district = story.union.district
    team = rng.sample([uid for uid, d in city.inspectors if d is None or (d != district)], 2)
    visited = gen.between(story.last_at, 3, 15)
    check = CheckPlan(draw_id, team, visited, story.last_at)
    story.check = check
    outcome = weighted(
        rng,
        {
            "open": 30 if plan.index == 2 else 0,
            "pass": 45,
            "rectify_open": 15 if plan.index == 2 else 0,
            "rectify_ok": 12,
            "rectify_no": 3,
            "fail": 5,
        },
    )
    if outcome == "open":
        check.visited = None if rng.random() < 0.5 else visited
        return
    concluded = gen.between(visited, 0, 2)
    check.concluded = concluded
    if outcome == "pass":
        check.conclusion = "pass"
        story.act("pass_check", team[0], "现场检查合格。", concluded)
    elif outcome == "fail":
        check.conclusion = "fail"
        story.act("fail_check", team[0], "现场检查多项不符合标准。", concluded)
    else:
        check.conclusion = "rectify"
        check.deadline = (concluded + timedelta(days=30)).astimezone(BEIJING).date()
        story.act("order_rectification", team[0], "部分项目基本符合，限期30日整改。", concluded)
        if outcome != "rectify_open":
            decided = gen.between(concluded, 10, 28)
            check.submitted = decided - timedelta(days=2)
            check.decision = "accept" if outcome == "rectify_ok" else "reject"
            check.decided = decided
            if outcome == "rectify_ok":
                story.act("accept_rectification", team[1], "整改到位。", decided)
            else:
                story.act("reject_rectification", team[1], "整改未到位，验收不通过。", decided)


def write_checks(gen: Generation, draws: list[Row], stories: list[Story]) -> None:
    """The draws, then each check with its team, findings per item and rectification."""
    from app.standards.models import StandardItem

    rng, w = gen.rng, gen.writer
    w.write(
        "spot_check_draws",
        (
            "id",
            "campaign_id",
            "scope_org_id",
            "method",
            "value",
            "seed_commitment",
            "seed",
            "population",
            "population_hash",
            "strata",
            "sample",
            "status",
            "announced_at",
            "announced_by_id",
            "drawn_at",
            "drawn_by_id",
            "applied_at",
        ),
        draws,
    )
    items: dict[str, list[int]] = defaultdict(list)
    for item_id, category in db.session.execute(
        select(StandardItem.id, StandardItem.category)
        .where(StandardItem.version_id == gen.standard.id)
        .order_by(StandardItem.position)
    ):
        items[str(category)].append(item_id)
    check_ids, assign_ids = gen.ids("spot_checks"), gen.ids("spot_check_assignments")
    finding_ids, response_ids = gen.ids("check_findings"), gen.ids("rectification_responses")
    checks: list[Row] = []
    assignments: list[Row] = []
    findings: list[Row] = []
    responses: list[Row] = []
    for s in stories:
        c = s.check
        if c is None:
            continue
        cid = next(check_ids)
        conclusion = c.conclusion
        category_items = items[s.union.category]
        rectify = rng.sample(category_items, 2) if conclusion == "rectify" else None
        interviewed = rng.randint(10, 30) if c.visited else None
        checks.append(
            (
                cid,
                s.id,
                c.draw,
                c.visited.astimezone(BEIJING).date() if c.visited else None,
                f"{s.union.name}职工之家活动室" if c.visited else None,
                interviewed,
                (interviewed - rng.randint(0, 2)) if interviewed else None,
                conclusion,
                CONCLUSION_NOTES.get(conclusion or ""),
                rectify,
                c.deadline,
                c.concluded,
                c.submitted,
                c.decision,
                c.decided,
                c.team[1] if c.decision else None,
                c.concluded or c.assigned,
            )
        )
        for inspector in c.team:
            assignments.append((next(assign_ids), cid, inspector, None, c.assigned, c.concluded))
        if c.visited:
            for item_id in category_items:
                finding = "meets"
                if rectify and item_id in rectify:
                    finding = "partly"
                elif conclusion == "fail" and rng.random() < 0.3:
                    finding = "fails"
                findings.append(
                    (
                        next(finding_ids),
                        cid,
                        item_id,
                        finding,
                        None if finding == "meets" else "现场查看记录不完整。",
                        c.team[0],
                    )
                )
        if rectify and c.submitted:
            for item_id in rectify:
                responses.append(
                    (
                        next(response_ids),
                        cid,
                        item_id,
                        "已完成整改，补充了制度和记录。",
                        [],
                        c.submitted,
                    )
                )
    w.write(
        "spot_checks",
        (
            "id",
            "nomination_id",
            "draw_id",
            "visited_on",
            "place",
            "interviewed",
            "interviewed_satisfied",
            "conclusion",
            "conclusion_notes",
            "rectification_items",
            "rectification_deadline",
            "concluded_at",
            "rectification_submitted_at",
            "rectification_decision",
            "rectification_decided_at",
            "rectification_decided_by_id",
            "updated_at",
        ),
        checks,
    )
    w.write(
        "spot_check_assignments",
        ("id", "spot_check_id", "inspector_id", "assigned_by_id", "assigned_at", "agreed_at"),
        assignments,
    )
    w.write(
        "check_findings",
        ("id", "spot_check_id", "item_id", "finding", "notes", "updated_by_id"),
        findings,
    )
    w.write(
        "rectification_responses",
        ("id", "spot_check_id", "item_id", "statement", "evidence_ids", "updated_at"),
        responses,
    )
