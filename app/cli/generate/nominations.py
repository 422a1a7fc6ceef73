"""The nominations and their paths through the first stage: submission, review, evaluation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from app.cli.generate.plan import CampaignPlan, City, Evaluation, Generation, Story, weighted
from app.cli.generate.scales import REJECT_COMMENTS, RETURN_COMMENTS
from app.cli.generate.writer import Row
from workflows.nomination import ACTIONS

# Where each campaign's nominations end the first stage, with their odds: the older two are
# past it; this year's is under way.
FATES: list[dict[str, float]] = [
    {"withdrawn": 3, "rejected": 9, "evaluated": 88},
    {"withdrawn": 3, "rejected": 9, "evaluated": 88},
    {
        "draft": 8,
        "returned": 5,
        "submitted": 15,
        "withdrawn": 2,
        "rejected": 5,
        "member_evaluation": 25,
        "evaluated": 40,
    },
]


def plan_nominations(gen: Generation, city: City, plans: list[CampaignPlan]) -> list[Story]:
    """Each campaign's nominations from a sample of the unions, each taken to its fate."""
    rng = gen.rng
    ids = gen.ids("nominations")
    stories: list[Story] = []
    for plan, count in zip(plans, gen.scale.nominations, strict=True):
        for union in rng.sample(city.unions, min(count, len(city.unions))):
            worker = rng.random() < 0.1
            story = Story(
                next(ids),
                plan.index,
                union,
                "outstanding_worker" if worker else "model_home",
                gen.person() if worker else None,
                gen.between(plan.starts, 0, 25),
            )
            _first_stage(gen, city, story, weighted(rng, FATES[plan.index]))
            stories.append(story)
    gen.progress(f"· 申报路径：{len(stories):,} 个")
    return stories


def _first_stage(gen: Generation, city: City, story: Story, fate: str) -> None:
    rng = gen.rng
    union = story.union.users[0]

    def reviewer() -> int:
        return rng.choice(city.reviewers[story.union.district])

    if fate == "draft":
        return
    if fate == "withdrawn" and rng.random() < 0.4:
        story.act("withdraw", union, "本年度暂不申报。", gen.between(story.created_at, 1, 10))
        return
    t = gen.between(story.created_at, 2, 20)
    story.act("submit", union, None, t)
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
        t = gen.between(t, 1, 8)
        story.act("return", reviewer(), rng.choice(RETURN_COMMENTS), t)
        if fate == "returned" and rng.random() < 0.6:
            return
        t = gen.between(t, 1, 8)
        story.act("submit", union, "已按意见补充材料。", t)
    if fate == "returned":
        t = gen.between(t, 1, 6)
        story.act("return", reviewer(), rng.choice(RETURN_COMMENTS), t)
        return
    if fate == "submitted":
        return
    if fate == "withdrawn":
        story.act("withdraw", union, "材料准备不足，主动撤回。", gen.between(t, 1, 5))
        return
    t = gen.between(t, 1, 12)
    if fate == "rejected":
        story.act("reject", reviewer(), rng.choice(REJECT_COMMENTS), t)
        return
    story.act("approve", reviewer(), rng.choice([None, "材料齐全，同意推荐。"]), t)
    opens = gen.between(t, 0.5, 3)
    if fate == "evaluated" and opens > gen.now - timedelta(days=2):
        fate = "member_evaluation"  # approved too recently to have finished
    if fate == "member_evaluation":
        story.evaluation = Evaluation(
            0,
            story,
            opens,
            gen.now + timedelta(days=rng.uniform(1, 14)),
            rng.uniform(0.1, 0.75),
            rng.uniform(0, 0.08),
            False,
        )
        return
    closes = opens + timedelta(days=14)
    fails = rng.random() < 0.08
    story.evaluation = Evaluation(
        0,
        story,
        opens,
        min(closes, gen.now - timedelta(hours=2)),
        rng.uniform(0.75, 1.0) if not fails or rng.random() < 0.7 else rng.uniform(0.3, 0.55),
        rng.uniform(0.12, 0.3) if fails else rng.uniform(0, 0.04),
        True,
    )


def write_nominations(gen: Generation, plans: list[CampaignPlan], stories: list[Story]) -> None:
    """The nominations in their final state, and the audit trail of every step."""
    w = gen.writer
    w.write(
        "nominations",
        (
            "id",
            "campaign_id",
            "org_id",
            "award_type",
            "nominee_name",
            "status",
            "version",
            "created_by_id",
            "created_at",
            "updated_at",
            "submitted_at",
        ),
        (
            (
                s.id,
                plans[s.campaign].id,
                s.union.id,
                s.award,
                s.nominee,
                s.state,
                len(s.steps) + 1,
                s.union.users[0],
                s.created_at,
                s.last_at,
                max((t for a, _u, _c, t in s.steps if a == "submit"), default=None),
            )
            for s in stories
        ),
    )
    event_ids = gen.ids("nomination_events")

    def events() -> Iterator[Row]:
        for s in stories:
            yield (
                next(event_ids),
                s.id,
                s.union.users[0],
                "create",
                None,
                "draft",
                None,
                s.created_at,
            )
            state = "draft"
            for action, actor, comment, at in s.steps:
                dest = ACTIONS[action].dest
                yield (next(event_ids), s.id, actor, action, state, dest, comment, at)
                state = dest

    w.write(
        "nomination_events",
        (
            "id",
            "nomination_id",
            "actor_id",
            "action",
            "from_state",
            "to_state",
            "comment",
            "created_at",
        ),
        events(),
    )
