"""The three campaigns: last year's (closed), the provincial round (in publicity), this year's."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.cli.generate.plan import CampaignPlan, City, Generation

STAGES = ("application", "review", "evaluation", "spot_check", "publicity")


def plan_campaigns(gen: Generation) -> list[CampaignPlan]:
    """The campaigns with their dates, as offsets in days from today."""
    year, ids = gen.today.year, gen.ids("campaigns")

    def at(d: int) -> datetime:
        return gen.now + timedelta(days=d)

    def deadlines(*offsets: int) -> dict[str, date]:
        return {
            stage: gen.today + timedelta(days=o) for stage, o in zip(STAGES, offsets, strict=True)
        }

    return [
        CampaignPlan(
            0,
            next(ids),
            f"{year - 1}年度市级模范职工之家评选",
            year - 1,
            "city",
            "closed",
            at(-420),
            deadlines(-380, -350, -320, -280, -250),
            "city",
            at(-300),
            at(-262),
            at(-248),
        ),
        CampaignPlan(
            1,
            next(ids),
            f"{year}年度省级模范职工之家推荐评选",
            year,
            "province",
            "open",
            at(-240),
            deadlines(-200, -170, -130, -60, 4),
            "city",
            at(-120),
            at(-3),
            None,
        ),
        CampaignPlan(
            2,
            next(ids),
            f"{year}年度市级模范职工之家评选",
            year,
            "city",
            "open",
            at(-80),
            deadlines(-45, -15, 12, 45, 75),
            "district",
            None,
            None,
            None,
        ),
    ]


def write_campaigns(gen: Generation, city: City, plans: list[CampaignPlan]) -> None:
    """Campaigns, their stage deadlines and the districts' quotas."""
    w = gen.writer
    w.write(
        "campaigns",
        (
            "id",
            "name",
            "year",
            "level",
            "status",
            "award_types",
            "organizer_id",
            "created_at",
            "standard_version_id",
            "evaluation_rule",
            "evaluation_min_turnout",
            "draw_level",
            "inspectors_per_check",
            "rectification_reviewer",
            "review_working_days",
            "publicity_working_days",
        ),
        [
            (
                p.id,
                p.name,
                p.year,
                p.level,
                p.status,
                ["model_home", "outstanding_worker"],
                city.id,
                p.starts,
                gen.standard.id,
                "satisfied_or_basic",
                0.6,
                p.draw_level,
                2,
                "inspectors",
                None,
                5,
            )
            for p in plans
        ],
    )
    deadline_ids = gen.ids("campaign_deadlines")
    w.write(
        "campaign_deadlines",
        ("id", "campaign_id", "stage", "due_date"),
        [
            (next(deadline_ids), p.id, stage, due)
            for p in plans
            for stage, due in p.deadlines.items()
        ],
    )
    quota_ids = gen.ids("campaign_quotas")
    per = max(1, sum(gen.scale.nominations) // (10 * len(city.districts)))
    w.write(
        "campaign_quotas",
        ("id", "campaign_id", "district_id", "quota"),
        [(next(quota_ids), p.id, did, per) for p in plans for did, _c, _n in city.districts],
    )
