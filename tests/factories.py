"""Test data: a small organisation tree with users, a campaign and nominations.

Users get a password hash computed once (argon2 is deliberately slow).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

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
from app.extensions import db
from app.nominations.models import Nomination, NominationEvent
from app.orgs.models import Organization, OrgCategory, OrgLevel
from app.orgs.services import create_org

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
    ) -> Nomination:
        """A nomination placed directly in `status` (for tests of what follows)."""
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
        db.session.commit()
        return nomination


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
    campaign = Campaign(
        name="2026年度市级模范职工之家评选",
        year=2026,
        level=CampaignLevel.CITY,
        status=CampaignStatus.OPEN,
        organizer_id=city.id,
        award_types=[a.value for a in AwardType],
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
