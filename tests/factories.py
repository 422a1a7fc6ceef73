"""Test data: a small organisation tree with users, a campaign and nominations.

Users get a password hash computed once (argon2 is deliberately slow).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from uuid import uuid4

from sqlalchemy import insert, select

from app.assessment.models import (
    AssessmentRound,
    EvidenceLink,
    ItemResponse,
    RoundStatus,
)
from app.auth.models import Role, RoleAssignment, User
from app.auth.services import hash_password
from app.campaigns.models import (
    AwardType,
    Campaign,
    CampaignDeadline,
    CampaignLevel,
    CampaignQuota,
    CampaignStatus,
    Stage,
)
from app.evidence.models import Evidence
from app.extensions import db
from app.nominations.models import Nomination, NominationEvent
from app.orgs.models import Organization, OrgCategory, OrgLevel
from app.orgs.services import create_org
from app.spot_checks.models import DrawStatus, SpotCheck, SpotCheckAssignment, SpotCheckDraw
from app.standards.models import StandardItem
from app.standards.services import ensure_default_standard

PASSWORD = "password-123"


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def make_user(username: str, role: Role, org: Organization, name: str | None = None) -> User:
    user = User(username=username, display_name=name or username, password_hash=password_hash())
    user.roles.append(RoleAssignment(role=role, org_id=org.id))
    db.session.add(user)
    db.session.flush()
    return user


@dataclass
class World:
    city: Organization
    district_a: Organization
    district_b: Organization
    union_a: Organization  # enterprise, district A
    union_a2: Organization  # public institution, district A
    union_b: Organization  # regional, district B
    branch_a: Organization
    campaign: Campaign
    users: dict[str, User] = field(default_factory=dict)

    def user(self, key: str) -> User:
        return db.session.get(User, self.users[key].id)  # type: ignore[return-value]

    def nomination(
        self,
        org: Organization | None = None,
        status: str = "draft",
        award: AwardType = AwardType.MODEL_HOME,
        complete: bool = True,
    ) -> Nomination:
        """A nomination placed directly in `status` (for tests of what follows).

        It gets a self-assessment round in the status that goes with the nomination's state;
        `complete` fills it so that `submit` would pass (all items met with a statement and
        evidence, figures at the thresholds).
        """
        nomination = Nomination(
            campaign=self.campaign,
            org=org or self.union_a,
            award_type=award,
            status=status,
            nominee_name="张三" if award == AwardType.OUTSTANDING_WORKER else None,
        )
        db.session.add(nomination)
        db.session.flush()
        db.session.add(
            NominationEvent(
                nomination=nomination,
                actor_id=None,
                action="create",
                from_state=None,
                to_state=status,
            )
        )
        round_status = {
            "draft": RoundStatus.EDITING,
            "returned": RoundStatus.EDITING,
            "submitted": RoundStatus.SUBMITTED,
        }.get(status, RoundStatus.CLOSED)
        rnd = AssessmentRound(
            nomination_id=nomination.id,
            number=1,
            status=round_status,
            standard_version_id=self.campaign.standard_version_id,
        )
        db.session.add(rnd)
        db.session.flush()
        if complete:
            fill_round(rnd, nomination.org)
        db.session.commit()
        return nomination


# Figures that meet every threshold, per category.
GOOD_FIGURES = {
    "enterprise": {"staff_count": 100, "member_count": 100},
    "public_institution": {
        "staff_count": 50,
        "member_count": 50,
        "contract_staff_count": 5,
        "contract_member_count": 5,
    },
    "regional": {
        "staff_count": 1000,
        "member_count": 950,
        "migrant_worker_count": 100,
        "migrant_member_count": 90,
        "subunit_count": 20,
        "unionised_subunit_count": 19,
        "collective_contract_count": 18,
    },
}


def fill_round(rnd: AssessmentRound, org: Organization) -> None:
    """Answer every item as met, with a statement and one evidence file for all."""
    category = org.category.value if hasattr(org.category, "value") else str(org.category)
    for name, value in GOOD_FIGURES[category].items():
        setattr(rnd, name, value)
    evidence = Evidence(
        nomination_id=rnd.nomination_id,
        storage_key=f"test/{uuid4().hex}",
        original_name="自查材料汇编.pdf",
        content_type="application/pdf",
        kind="pdf",
        size=1024,
        sha256="0" * 64,
    )
    db.session.add(evidence)
    db.session.flush()
    items = db.session.scalars(
        select(StandardItem.id).where(
            StandardItem.version_id == rnd.standard_version_id, StandardItem.category == category
        )
    )
    rows = [(item_id) for item_id in items]
    db.session.execute(
        insert(ItemResponse),
        [
            {"round_id": rnd.id, "item_id": i, "rating": "met", "statement": "已按标准落实。"}
            for i in rows
        ],
    )
    db.session.execute(
        insert(EvidenceLink),
        [{"round_id": rnd.id, "evidence_id": evidence.id, "item_id": i} for i in rows],
    )


def build_world() -> World:
    city = create_org(code="C", name="测试市总工会", level=OrgLevel.CITY)
    district_a = create_org(code="A", name="甲区总工会", level=OrgLevel.DISTRICT, parent=city)
    district_b = create_org(code="B", name="乙区总工会", level=OrgLevel.DISTRICT, parent=city)
    union_a = create_org(
        code="A-1",
        name="甲区机械厂工会",
        level=OrgLevel.GRASSROOTS,
        parent=district_a,
        category=OrgCategory.ENTERPRISE,
        is_state_owned=True,
        staff_count=100,
        member_count=100,
    )
    union_a2 = create_org(
        code="A-2",
        name="甲区医院工会",
        level=OrgLevel.GRASSROOTS,
        parent=district_a,
        category=OrgCategory.PUBLIC_INSTITUTION,
        staff_count=50,
        member_count=50,
    )
    union_b = create_org(
        code="B-1",
        name="乙区街道总工会",
        level=OrgLevel.GRASSROOTS,
        parent=district_b,
        category=OrgCategory.REGIONAL,
        staff_count=900,
        member_count=850,
    )
    branch_a = create_org(
        code="A-1-1",
        name="甲区机械厂总装车间分工会",
        level=OrgLevel.BRANCH,
        parent=union_a,
        category=OrgCategory.ENTERPRISE,
    )
    standard = ensure_default_standard()
    campaign = Campaign(
        name="2026年度市级模范职工之家评选",
        year=2026,
        level=CampaignLevel.CITY,
        status=CampaignStatus.OPEN,
        organizer_id=city.id,
        award_types=[a.value for a in AwardType],
        standard_version_id=standard.id,
    )
    campaign.deadlines.append(
        CampaignDeadline(stage=Stage.APPLICATION, due_date=date(2026, 12, 31))
    )
    campaign.quotas.append(CampaignQuota(district_id=district_a.id, quota=2))
    campaign.quotas.append(CampaignQuota(district_id=district_b.id, quota=1))
    db.session.add(campaign)
    db.session.flush()
    world = World(city, district_a, district_b, union_a, union_a2, union_b, branch_a, campaign)
    world.users = {
        "union_a": make_user("union_a", Role.UNION, union_a, "甲区机械厂工会干事"),
        "union_a2": make_user("union_a2", Role.UNION, union_a2),
        "union_b": make_user("union_b", Role.UNION, union_b),
        "reviewer_a": make_user("reviewer_a", Role.REVIEWER, district_a, "甲区审核人"),
        "reviewer_b": make_user("reviewer_b", Role.REVIEWER, district_b, "乙区审核人"),
        "inspector": make_user("inspector", Role.INSPECTOR, city),
        "city": make_user("city", Role.CITY, city, "市总工会"),
        "admin": make_user("admin", Role.ADMIN, city),
    }
    db.session.commit()
    return world


def add_inspectors(world: World) -> dict[str, User]:
    """Inspectors besides the city's: one per district and one at union A-1."""
    extra = {
        "inspector_a": make_user("inspector_a", Role.INSPECTOR, world.district_a, "甲区抽查员"),
        "inspector_b": make_user("inspector_b", Role.INSPECTOR, world.district_b, "乙区抽查员"),
        "inspector_a1": make_user("inspector_a1", Role.INSPECTOR, world.union_a, "机械厂抽查员"),
        "inspector_c2": make_user("inspector_c2", Role.INSPECTOR, world.city, "市总抽查员二"),
    }
    world.users.update(extra)
    db.session.commit()
    return extra


def spot_check(
    world: World, org: Organization | None = None, inspectors: tuple[str, ...] = ()
) -> tuple[Nomination, SpotCheck]:
    """A nomination drawn for a spot check (by an applied draw), with inspectors assigned."""
    nomination = world.nomination(org=org, status="spot_check")
    draw = SpotCheckDraw(
        campaign_id=world.campaign.id,
        scope_org_id=world.city.id,
        method="count",
        value="1",
        seed_commitment="0" * 64,
        seed="test",
        population=[],
        sample=[nomination.id],
        status=DrawStatus.APPLIED,
    )
    db.session.add(draw)
    db.session.flush()
    check = SpotCheck(nomination_id=nomination.id, draw_id=draw.id)
    for key in inspectors:
        check.assignments.append(SpotCheckAssignment(inspector_id=world.users[key].id))
    db.session.add(check)
    db.session.commit()
    return nomination, check


def satisfy_commendation_guards(world: World, nomination: Nomination, action: str) -> None:
    """What the commendation stage's guarded actions need to find: the open rectification
    order (from an objection, or of a commended home) and the certificate of a title."""
    from app.commendation.models import Certificate, Commendation, HonourRectification
    from workflows.nomination import ACTIONS

    guards = set(ACTIONS[action].guards)
    origin = (
        "objection"
        if "rectifying_before_commendation" in guards
        else "commended"
        if "rectifying_commended_home" in guards
        else None
    )
    if origin:
        db.session.add(
            HonourRectification(
                nomination_id=nomination.id, origin=origin, reason="整改", deadline=date(2099, 1, 1)
            )
        )
    if "holds_the_title" in guards or origin == "commended":
        commendation = Commendation(
            campaign_id=world.campaign.id,
            document_number=f"测试〔2026〕{nomination.id}号",
            decided_on=date(2026, 11, 1),
        )
        db.session.add(commendation)
        db.session.flush()
        db.session.add(
            Certificate(
                commendation_id=commendation.id,
                nomination_id=nomination.id,
                serial=f"T-{nomination.id}",
                code=f"TEST-{nomination.id}",
            )
        )
    db.session.commit()
