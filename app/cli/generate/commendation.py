"""Commendation: selections, publicity lists, objections, certificates, honour rectifications.

Last year's list was published and commended; the provincial round's list is up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.cli.generate.plan import CampaignPlan, City, Generation, Story
from app.cli.generate.writer import Row
from app.timeutil import BEIJING

REVOKED = "发生重大安全生产事故，撤销称号。"


class Honours:
    """The stage's rows, planned campaign by campaign; the city's first user acts throughout."""

    def __init__(self, gen: Generation, city: City) -> None:
        self.gen = gen
        self.city_user = city.city_users[0]
        self.publicities: list[Row] = []
        self.entries: list[Row] = []
        self.objections: list[Row] = []
        self.commendations: list[Row] = []
        self.certificates: list[Row] = []
        self.selections: list[Row] = []
        self.honour_orders: list[Row] = []
        self.pub_ids = gen.ids("publicities")
        self.entry_ids = gen.ids("publicity_entries")
        self.obj_ids = gen.ids("objections")
        self.com_ids = gen.ids("commendations")
        self.cert_ids = gen.ids("certificates")
        self.sel_ids = gen.ids("commendation_selections")
        self.order_ids = gen.ids("honour_rectifications")

    def campaign(self, plan: CampaignPlan, publish_at: datetime, candidates: list[Story]) -> None:
        """Select about half the candidates, publish the list, then object or commend."""
        rng, city = self.gen.rng, self.city_user
        chosen = [s for s in candidates if rng.random() < 0.45]
        chosen_ids = {s.id for s in chosen}
        pub_id = next(self.pub_ids)
        starts = publish_at.astimezone(BEIJING).date()
        commend_at = plan.commend_at
        ends = plan.deadlines["publicity"] if commend_at is None else starts + timedelta(days=6)
        com_id = next(self.com_ids) if commend_at else None
        self.publicities.append(
            (
                pub_id,
                plan.id,
                f"{plan.name}拟表彰名单公示",
                5,
                starts,
                ends,
                publish_at,
                city,
                com_id,
            )
        )
        for position, story in enumerate(chosen, start=1):
            self.entries.append((next(self.entry_ids), pub_id, story.id, position))
            self.selections.append((next(self.sel_ids), story.id, position, True, city, publish_at))
        for story in candidates:
            when = max(publish_at, story.last_at + timedelta(minutes=5))
            story.act("publish" if story.id in chosen_ids else "not_select", city, None, when)
        if commend_at is None:  # the list is up: some objections, a few upheld
            for story in chosen:
                if rng.random() < 0.03:
                    self._objection(pub_id, publish_at, story)
            return
        for story in chosen:
            self._commend(plan, commend_at, com_id, story, rng.random())
        self.commendations.append(
            (
                com_id,
                plan.id,
                f"示市工发〔{plan.year}〕{com_id}号",
                commend_at.astimezone(BEIJING).date(),
                commend_at,
                city,
            )
        )

    def _objection(self, pub_id: int, publish_at: datetime, story: Story) -> None:
        """An objection to a listed unit, upheld half the time (the unit then rectifies)."""
        rng, gen, city = self.gen.rng, self.gen, self.city_user
        obj = next(self.obj_ids)
        lodged = gen.between(publish_at, 0, 2)
        upheld = rng.random() < 0.5
        answered = lodged + timedelta(hours=20)
        self.objections.append(
            (
                obj,
                pub_id,
                story.id,
                "反映该单位会员代表大会未按期召开。",
                None,
                f"139{rng.randint(10_000_000, 99_999_999)}",
                gen.hex(256),
                lodged,
                "upheld" if upheld else "open",
                "rectification" if upheld else None,
                "经核实情况属实，责令限期整改。" if upheld else None,
                city if upheld else None,
                answered if upheld else None,
            )
        )
        if upheld:
            story.act("objection_rectification", city, "异议成立，限期整改。", answered)
            self._order(story, "objection", obj, "会员代表大会未按期召开", answered, days=20)

    def _commend(
        self,
        plan: CampaignPlan,
        commend_at: datetime,
        com_id: int | None,
        story: Story,
        roll: float,
    ) -> None:
        """Commend a listed unit (unless an objection was upheld); now and then the honour is
        revoked or, found below standard later, put under rectification."""
        gen, city = self.gen, self.city_user
        if roll < 0.08:  # 异议成立 before the commendation
            story.act(
                "uphold_objection", city, "异议成立，不予表彰。", commend_at - timedelta(days=1)
            )
            return
        story.act("commend", city, None, commend_at)
        serial_no = len(self.certificates) + 1
        revoked = gen.rng.random() < 0.01
        self.certificates.append(
            (
                next(self.cert_ids),
                com_id,
                story.id,
                f"{plan.year}-{serial_no:04d}",
                # each group of the code from a draw of its own (two draws)
                "-".join(gen.hex(20).upper()[i : i + 4] for i in (0, 4)) + f"-{story.id:X}",
                commend_at,
                commend_at.astimezone(BEIJING).date() + timedelta(days=200) if revoked else None,
                REVOKED if revoked else None,
                city if revoked else None,
            )
        )
        if revoked:
            story.act("revoke", city, REVOKED, commend_at + timedelta(days=200))
        elif roll > 0.985:  # dynamic management: a commended home found below standard
            t = gen.between(commend_at, 150, 300)
            story.act("order_honour_rectification", city, "复查发现职工书屋长期关闭。", t)
            self._order(story, "commended", None, "复查发现职工书屋长期关闭", t, days=30)

    def _order(
        self,
        story: Story,
        origin: str,
        objection: int | None,
        reason: str,
        at: datetime,
        days: int,
    ) -> None:
        deadline = (at + timedelta(days=days)).astimezone(BEIJING).date()
        self.honour_orders.append(
            (
                next(self.order_ids),
                story.id,
                origin,
                objection,
                reason,
                deadline,
                self.city_user,
                at,
            )
        )


def plan_commendation(
    gen: Generation, city: City, plans: list[CampaignPlan], stories: list[Story]
) -> Honours:
    """The lists of the campaigns that have reached publicity."""
    honours = Honours(gen, city)
    for plan in plans:
        if plan.publish_at is None:
            continue
        candidates = [s for s in stories if s.campaign == plan.index and s.state == "candidate"]
        honours.campaign(plan, plan.publish_at, candidates)
    return honours


def write_commendation(gen: Generation, honours: Honours) -> None:
    """The stage's tables, in the order their foreign keys need."""
    w = gen.writer
    w.write(
        "commendations",
        ("id", "campaign_id", "document_number", "decided_on", "issued_at", "issued_by_id"),
        honours.commendations,
    )
    w.write(
        "publicities",
        (
            "id",
            "campaign_id",
            "title",
            "working_days",
            "starts_on",
            "ends_on",
            "published_at",
            "published_by_id",
            "commendation_id",
        ),
        honours.publicities,
    )
    w.write(
        "publicity_entries", ("id", "publicity_id", "nomination_id", "position"), honours.entries
    )
    w.write(
        "commendation_selections",
        ("id", "nomination_id", "rank", "selected", "updated_by_id", "updated_at"),
        honours.selections,
    )
    w.write(
        "objections",
        (
            "id",
            "publicity_id",
            "nomination_id",
            "body",
            "name",
            "contact",
            "address_hash",
            "created_at",
            "status",
            "outcome",
            "answer",
            "answered_by_id",
            "answered_at",
        ),
        honours.objections,
    )
    w.write(
        "certificates",
        (
            "id",
            "commendation_id",
            "nomination_id",
            "serial",
            "code",
            "issued_at",
            "revoked_on",
            "revoked_reason",
            "revoked_by_id",
        ),
        honours.certificates,
    )
    w.write(
        "honour_rectifications",
        (
            "id",
            "nomination_id",
            "origin",
            "objection_id",
            "reason",
            "deadline",
            "ordered_by_id",
            "ordered_at",
        ),
        honours.honour_orders,
    )
