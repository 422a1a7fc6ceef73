"""A demo city: one federation, three districts, ~20 grassroots unions, users, a campaign."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select
from werkzeug.datastructures import FileStorage

from app.assessment.editing import Answer, save_self_assessment
from app.assessment.evidence import add_evidence
from app.assessment.models import EvidenceLink
from app.assessment.rounds import category_of, latest_round
from app.auth.models import Role, User
from app.auth.services import ensure_user
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
from app.nominations.models import Nomination
from app.nominations.services import create_nomination, take_action
from app.orgs.models import Organization, OrgCategory, OrgLevel
from app.orgs.services import create_org
from app.standards.services import ensure_default_standard, items_for
from app.timeutil import beijing_today

DEMO_PASSWORD = "zgzj-demo-2026"  # (passes the password policy: "demo-2026" is too common)
CITY = ("C", "示范市总工会")
DISTRICTS = [("D1", "东湖区总工会"), ("D2", "西山区总工会"), ("D3", "高新区总工会")]
E, P, R = OrgCategory.ENTERPRISE, OrgCategory.PUBLIC_INSTITUTION, OrgCategory.REGIONAL
# (code suffix, name, category, state-owned, staff, members)
UNIONS = {
    "D1": [
        ("U01", "东湖机械制造有限公司工会", E, True, 820, 820),
        ("U02", "东湖电力供应公司工会", E, True, 460, 460),
        ("U03", "东湖区人民医院工会", P, False, 1200, 1200),
        ("U04", "东湖区第一中学工会", P, False, 210, 210),
        ("U05", "东湖街道总工会", R, False, 3400, 3150),
        ("U06", "东湖物流园区联合工会", R, False, 1800, 1700),
        ("U07", "东湖新材料科技公司工会", E, False, 300, 300),
    ],
    "D2": [
        ("U01", "西山纺织集团工会", E, True, 1500, 1500),
        ("U02", "西山食品有限公司工会", E, False, 260, 260),
        ("U03", "西山区税务局工会", P, False, 140, 140),
        ("U04", "西山区疾病预防控制中心工会", P, False, 95, 95),
        ("U05", "西山镇总工会", R, False, 5200, 4800),
        ("U06", "西山建筑行业工会联合会", R, False, 2600, 2400),
        ("U07", "西山商贸城联合工会", R, False, 900, 850),
    ],
    "D3": [
        ("U01", "高新软件股份有限公司工会", E, False, 640, 640),
        ("U02", "高新半导体有限公司工会", E, False, 1100, 1100),
        ("U03", "高新投资控股集团工会", E, True, 380, 380),
        ("U04", "高新区管委会机关工会", P, False, 180, 180),
        ("U05", "高新区科技园区工会联合会", R, False, 7600, 7000),
        ("U06", "高新区外卖骑手行业工会", R, False, 2100, 1900),
    ],
}
BRANCHES = [
    ("D1-U01", "B1", "东湖机械制造有限公司总装车间分工会"),
    ("D2-U01", "B1", "西山纺织集团印染分厂分工会"),
]
CAMPAIGN_NAME = "2026年度市级模范职工之家评选"


def _org(
    code: str, name: str, level: OrgLevel, parent: Organization | None, **kw: Any
) -> Organization:
    org = db.session.scalar(select(Organization).where(Organization.code == code))
    return org or create_org(code=code, name=name, level=level, parent=parent, **kw)


def seed_demo(progress: Callable[[str], None] = print) -> list[tuple[str, str, str]]:
    """Load the demo data; running it again changes nothing. Returns the demo logins."""
    city = _org(CITY[0], CITY[1], OrgLevel.CITY, None)
    logins: list[tuple[str, str, str]] = []

    def user(username: str, display: str, role: Role, org_code: str) -> User:
        u, _ = ensure_user(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            org_code=org_code,
            display_name=display,
        )
        logins.append((username, role.value, display))
        return u

    user("admin", "系统管理员", Role.ADMIN, city.code)
    user("city", "市总工会基层工作部", Role.CITY, city.code)
    user("inspector", "市总抽查员", Role.INSPECTOR, city.code)
    for dcode, dname in DISTRICTS:
        district = _org(dcode, dname, OrgLevel.DISTRICT, city)
        user(f"reviewer-{dcode.lower()}", f"{dname}审核人", Role.REVIEWER, district.code)
        user(f"inspector-{dcode.lower()}", f"{dname}抽查员", Role.INSPECTOR, district.code)
        for suffix, name, category, soe, staff, members in UNIONS[dcode]:
            code = f"{dcode}-{suffix}"
            _org(
                code,
                name,
                OrgLevel.GRASSROOTS,
                district,
                category=category,
                is_state_owned=soe,
                staff_count=staff,
                member_count=members,
            )
            user(f"union-{code.lower()}", name, Role.UNION, code)
    for parent_code, suffix, name in BRANCHES:
        parent = db.session.scalar(select(Organization).where(Organization.code == parent_code))
        _org(
            f"{parent_code}-{suffix}",
            name,
            OrgLevel.BRANCH,
            parent,
            category=parent.category if parent else None,
        )
    db.session.commit()
    progress("组织与用户已就绪")

    standard = ensure_default_standard()
    progress(f"评价标准：{standard.label}")
    campaign = db.session.scalar(select(Campaign).where(Campaign.name == CAMPAIGN_NAME))
    if campaign is None:
        today = beijing_today()
        campaign = Campaign(
            name=CAMPAIGN_NAME,
            year=2026,
            level=CampaignLevel.CITY,
            status=CampaignStatus.OPEN,
            organizer_id=city.id,
            award_types=[a.value for a in AwardType],
            standard_version_id=standard.id,
        )
        for stage, days in [
            (Stage.APPLICATION, 30),
            (Stage.REVIEW, 45),
            (Stage.EVALUATION, 75),
            (Stage.SPOT_CHECK, 105),
            (Stage.PUBLICITY, 130),
        ]:
            campaign.deadlines.append(
                CampaignDeadline(stage=stage, due_date=today + timedelta(days=days))
            )
        for dcode, _name in DISTRICTS:
            district_id = db.session.scalar(
                select(Organization.id).where(Organization.code == dcode)
            )
            campaign.quotas.append(CampaignQuota(district_id=district_id, quota=3))
        db.session.add(campaign)
        db.session.commit()
    progress(f"评选活动：{campaign.name}")

    if not db.session.scalar(
        select(func.count()).select_from(Nomination).where(Nomination.campaign_id == campaign.id)
    ):
        _demo_nominations(campaign)
        progress("示例申报已生成")
    return logins


# Each demo nomination: union code and the first-stage path it has taken.
DEMO_PATHS: list[tuple[str, list[tuple[str, str, str | None]]]] = [
    ("D1-U01", [("union", "submit", None)]),
    ("D1-U02", [("union", "submit", None), ("reviewer", "return", "请补充职代会会议记录。")]),
    ("D1-U03", [("union", "submit", None), ("reviewer", "approve", "材料齐全，同意推荐。")]),
    ("D1-U05", []),
    ("D1-U06", [("union", "submit", None)]),
    ("D2-U01", [("union", "submit", None)]),
    ("D2-U03", [("union", "submit", None), ("reviewer", "reject", "入会率未达到100%。")]),
    (
        "D2-U05",
        [
            ("union", "submit", None),
            ("reviewer", "return", "请上传集体合同文本。"),
            ("union", "submit", "已补充集体合同。"),
        ],
    ),
    ("D2-U06", [("union", "withdraw", "本年度暂不申报。")]),
    ("D3-U01", [("union", "submit", None)]),
    ("D3-U02", []),
    ("D3-U04", [("union", "submit", None), ("reviewer", "approve", None)]),
    ("D3-U05", [("union", "submit", None)]),
]


# Figures for the demo unions' self-assessments, beyond the register's staff and members.
DEMO_FIGURES: dict[str, dict[str, int | None]] = {
    "enterprise": {},
    "public_institution": {"contract_staff_count": 12, "contract_member_count": 12},
    "regional": {
        "migrant_worker_count": 600,
        "migrant_member_count": 510,
        "subunit_count": 40,
        "unionised_subunit_count": 38,
        "collective_contract_count": 36,
    },
}


def _demo_evidence_pdf(name: str) -> FileStorage:
    """A one-page PDF standing in for a union's bound evidence (a scan, in real life)."""
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (620, 877), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((40, 40, 580, 837), outline=(183, 28, 28), width=4)
    for y in range(120, 800, 36):
        draw.line((80, y, 540, y), fill=(200, 200, 200), width=2)
    buffer = io.BytesIO()
    page.save(buffer, format="PDF")
    buffer.seek(0)
    return FileStorage(stream=buffer, filename=name, content_type="application/pdf")


def _fill_self_assessment(union: User, nomination: Nomination) -> None:
    """Answer every item as met, with a statement and the evidence file cited for each."""
    rnd = latest_round(nomination.id)
    assert rnd is not None
    category = category_of(nomination)
    items = items_for(rnd.standard_version_id, category)
    save_self_assessment(
        union,
        nomination.id,
        figures=DEMO_FIGURES[category],
        answers={
            i.id: Answer("met", f"本单位已落实：{i.text[:30]}……详见佐证材料。") for i in items
        },
    )
    link = add_evidence(
        union, nomination.id, _demo_evidence_pdf(f"{nomination.org.name}自查佐证材料汇编.pdf")
    )
    db.session.execute(
        insert(EvidenceLink),
        [{"round_id": rnd.id, "evidence_id": link.evidence_id, "item_id": i.id} for i in items],
    )
    db.session.commit()


def _demo_nominations(campaign: Campaign) -> None:
    def login(username: str) -> User:
        u = db.session.scalar(select(User).where(User.username == username))
        assert u is not None
        return u

    for code, path in DEMO_PATHS:
        union = login(f"union-{code.lower()}")
        reviewer = login(f"reviewer-{code.split('-')[0].lower()}")
        nomination = create_nomination(
            union, campaign_id=campaign.id, award_type=AwardType.MODEL_HOME.value
        )
        if path and path[0][1] == "submit":
            _fill_self_assessment(union, nomination)
        for who, action, comment in path:
            take_action(
                union if who == "union" else reviewer, nomination.id, action, comment=comment
            )
        if code == DEMO_EVALUATION_UNION:
            _demo_evaluation(union, nomination)
    for code in DEMO_SPOT_CHECK_UNIONS:
        union = login(f"union-{code.lower()}")
        nomination = create_nomination(
            union, campaign_id=campaign.id, award_type=AwardType.MODEL_HOME.value
        )
        _fill_self_assessment(union, nomination)
        take_action(union, nomination.id, "submit")
        take_action(
            login(f"reviewer-{code.split('-')[0].lower()}"),
            nomination.id,
            "approve",
            comment="同意推荐。",
        )
        _demo_passed_evaluation(union, nomination)
    _demo_draw(campaign, login("city"))
    _demo_publicity(campaign, login("city"))


# Approved nominations whose member evaluation is over and passed; the city has drawn the
# spot-check sample among them (one per district) and assigned the inspectors.
DEMO_SPOT_CHECK_UNIONS = ["D1-U07", "D1-U04", "D2-U02", "D2-U04", "D3-U03", "D3-U06"]
DEMO_DRAW_SEED = "示范市2026年度抽查种子"


def _demo_passed_evaluation(union: User, nomination: Nomination) -> None:
    """A small evaluation (30 members), every member satisfied, closed: → 待抽签."""
    from app.evaluation.ballots import cast_ballot
    from app.evaluation.closing import close_evaluation
    from app.evaluation.opening import open_evaluation
    from app.evaluation.tokens import revealed_tokens
    from app.timeutil import utcnow

    now = utcnow()
    evaluation = open_evaluation(
        union,
        nomination.id,
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=4),
        member_count=30,
    )
    for issued in revealed_tokens(evaluation):
        cast_ballot(
            issued.token,
            overall="satisfied",
            answers={d["code"]: "satisfied" for d in evaluation.dimensions},
            comment=None,
        )
    close_evaluation(evaluation.id, actor=union)


def _demo_draw(campaign: Campaign, city: User) -> None:
    from app.spot_checks.assign import auto_assign
    from app.spot_checks.services import announce_draw, apply_draw, make_draw

    draw = announce_draw(city, campaign.id, method="count", value="1", seed=DEMO_DRAW_SEED)
    make_draw(city, draw.id)
    apply_draw(city, draw.id)
    auto_assign(city, draw.id)


# The approved nomination whose member evaluation is under way in the demo.
DEMO_EVALUATION_UNION = "D3-U04"


def _demo_evaluation(union: User, nomination: Nomination) -> None:
    """Open the member evaluation and let about two thirds of the members vote."""
    import random
    from datetime import datetime

    from app.evaluation.ballots import cast_ballot
    from app.evaluation.opening import open_evaluation
    from app.evaluation.tokens import revealed_tokens
    from app.timeutil import utcnow

    now: datetime = utcnow()
    evaluation = open_evaluation(
        union, nomination.id, opens_at=now - timedelta(hours=2), closes_at=now + timedelta(days=14)
    )
    tokens = [issued.token for issued in revealed_tokens(evaluation)]
    rng = random.Random(2026)  # the same demo every time
    comments = [
        "职工书屋图书更新及时，希望延长开放时间。",
        "工会活动丰富，满意。",
        "希望多组织健康讲座。",
        None,
        None,
        None,
    ]
    for token in tokens[: len(tokens) * 2 // 3]:
        choice = rng.choices(["satisfied", "basic", "dissatisfied"], [80, 15, 5])[0]
        cast_ballot(
            token,
            overall=choice,
            answers={
                d["code"]: rng.choices(["satisfied", "basic", "dissatisfied"], [75, 20, 5])[0]
                for d in evaluation.dimensions
            },
            comment=rng.choice(comments),
        )


def _demo_publicity(campaign: Campaign, city: User) -> None:
    """The city selects the candidates (those not drawn for a check) and publishes the list;
    a member of the public has lodged an objection the city has still to answer."""
    from app.commendation.objections import lodge_objection
    from app.commendation.publicity import publish_list
    from app.commendation.selection import board, save_selection

    rows = board(city, campaign.id).rows
    save_selection(
        city,
        campaign.id,
        {r.nomination.id: {"selected": True, "rank": i} for i, r in enumerate(rows, start=1)},
    )
    publicity = publish_list(city, campaign.id)
    lodge_objection(
        publicity.id,
        rows[0].nomination.id,
        body="据了解，该单位去年未按期召开会员代表大会，与申报材料所述不符。",
        name="匿名职工",
        contact="13900000000",
        address="demo",
    )
