"""Synthetic data at city scale, for benchmarks and query-budget tests (`flask generate`).

One city federation, its districts, grassroots unions with their officers, three campaigns
(last year's, closed; a provincial round at its publicity stage; this year's, under way), and
nominations spread over every state of the workflow with the history that led there: the
audit trail, self-assessment rounds with answers and evidence metadata, reviewers' comments,
member evaluations with their tokens and anonymous ballots, verifiable spot-check draws with
checks and findings, publicity lists, objections, commendations and certificates.

Everything is built in memory as plain tuples and written with one bulk statement per table:
`COPY … FROM STDIN` on PostgreSQL, chunked `executemany` of Core inserts elsewhere. Ids are
assigned here (after any rows already in the tables), and the sequences are moved past them
at the end. A fixed seed gives the same data set every time.

Every path is checked against the workflow definition as it is built, so the data set holds
only histories the engine could have produced.
"""

from __future__ import annotations

import itertools
import json
import random
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from math import log

from sqlalchemy import JSON, Integer, Table, func, select, text

from app.extensions import db
from app.timeutil import BEIJING, beijing_today, utcnow
from workflows.nomination import ACTIONS

GENERATED_PASSWORD = "city-scale-2026"
CITY_CODE = "GC"


@dataclass(frozen=True)
class Scale:
    name: str
    districts: int
    unions: int
    users: int
    nominations: tuple[int, int, int]  # last year's, the provincial round, this year's
    ballots: int


SCALES = {
    "tiny": Scale("tiny", districts=2, unions=16, users=60, nominations=(3, 3, 4), ballots=300),
    "small": Scale(
        "small", districts=4, unions=1_200, users=4_000, nominations=(300, 300, 400), ballots=30_000
    ),
    "medium": Scale(
        "medium",
        districts=12,
        unions=5_000,
        users=25_000,
        nominations=(2_200, 2_200, 3_600),
        ballots=250_000,
    ),
    "city": Scale(
        "city",
        districts=12,
        unions=20_000,
        users=100_000,
        nominations=(9_000, 9_000, 12_000),
        ballots=1_000_000,
    ),
}

DISTRICT_NAMES = [
    "东湖区",
    "西山区",
    "高新区",
    "南湾区",
    "北岭区",
    "滨海区",
    "青松区",
    "临江区",
    "云台县",
    "石门县",
    "桃源县",
    "金沙市",
]
PLACES = [
    "东方",
    "长江",
    "华夏",
    "明珠",
    "金桥",
    "恒通",
    "瑞丰",
    "新元",
    "远航",
    "天成",
    "宏达",
    "鸿运",
    "正泰",
    "海川",
    "宁远",
    "青禾",
    "嘉和",
    "盛世",
    "永安",
    "兴业",
]
TRADES = [
    "机械",
    "电子",
    "纺织",
    "食品",
    "物流",
    "建材",
    "化工",
    "医药",
    "软件",
    "能源",
    "汽车零部件",
    "精密制造",
    "商贸",
    "环保",
    "船舶",
]
FORMS = ["有限公司", "股份有限公司", "集团有限公司", "科技有限公司"]
AGENCIES = [
    "人民医院",
    "中心小学",
    "第一中学",
    "税务局",
    "市场监督管理局",
    "疾病预防控制中心",
    "自然资源局",
    "图书馆",
    "职业技术学校",
    "社区卫生服务中心",
    "档案馆",
    "城管局",
]
REGIONALS = [
    "街道总工会",
    "工业园区联合工会",
    "商贸城联合工会",
    "建筑行业工会联合会",
    "快递行业工会",
    "家政服务业工会联合会",
    "镇总工会",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂兰华红玉萍建国海燕志文斌宁慧"
EVIDENCE_FILES = [
    ("职代会会议记录.pdf", "pdf", "application/pdf"),
    ("工会经费收支审查报告.pdf", "pdf", "application/pdf"),
    (
        "集体合同文本.docx",
        "office",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "会员名册.xlsx",
        "office",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("职工书屋.jpg", "image", "image/jpeg"),
    ("职工之家活动室.jpg", "image", "image/jpeg"),
    ("厂务公开栏.png", "image", "image/png"),
    ("工会工作制度汇编.pdf", "pdf", "application/pdf"),
]
STATEMENTS = [
    "本单位已落实该项要求，相关制度和记录详见佐证材料。",
    "已按要求执行，年度内召开会议并形成书面记录。",
    "已建立相应制度并公开，职工知晓率高。",
    "该项工作纳入年度重点，逐月检查落实情况。",
    "已完成，台账齐全，附会议纪要与照片。",
]
RETURN_COMMENTS = [
    "请补充职代会会议记录。",
    "请上传集体合同文本。",
    "会员名册与填报的会员数不一致，请核对。",
    "请补充工会经费审查报告。",
    "自查说明过于简略，请逐项说明落实情况。",
]
REJECT_COMMENTS = [
    "入会率未达到标准要求。",
    "近三年内发生重大安全生产事故，不予推荐。",
    "经费管理存在问题，暂不推荐。",
]
BALLOT_COMMENTS = [
    "工会活动丰富，满意。",
    "希望多组织健康讲座。",
    "职工书屋图书更新及时。",
    "希望延长职工之家开放时间。",
    "食堂改善明显，点赞。",
    "希望增加技能培训。",
]
CHOICES = ("satisfied", "basic", "dissatisfied")


# -- writing --------------------------------------------------------------------------------


class Writer:
    """One bulk statement per table: COPY on PostgreSQL, chunked executemany elsewhere."""

    CHUNK = 5_000

    def __init__(self, progress: Callable[[str], None]) -> None:
        self.postgres = db.engine.dialect.name == "postgresql"
        self.progress = progress
        self.counts: dict[str, int] = {}

    @property
    def conn(self):  # type: ignore[no-untyped-def]
        """The session's connection: all the writing is one transaction."""
        return db.session.connection()

    def next_id(self, table: str) -> int:
        return int(db.session.scalar(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}"))) + 1

    def write(self, name: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        table: Table = db.metadata.tables[name]
        json_at = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
        started = time.monotonic()
        count = 0
        report_every = 250_000
        if self.postgres:
            raw = self.conn.connection.driver_connection
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    if json_at:
                        row = list(row)
                        for i in json_at:
                            row[i] = (
                                None if row[i] is None else json.dumps(row[i], ensure_ascii=False)
                            )
                    copy.write_row(row)
                    count += 1
                    if count % report_every == 0:
                        self.progress(f"  {name}: {count:,} …")
        else:
            chunk: list[dict] = []
            statement = table.insert()
            for row in rows:
                chunk.append(dict(zip(columns, row, strict=True)))
                count += 1
                if len(chunk) >= self.CHUNK:
                    self.conn.execute(statement, chunk)
                    chunk = []
                    if count % report_every == 0:
                        self.progress(f"  {name}: {count:,} …")
            if chunk:
                self.conn.execute(statement, chunk)
        self.counts[name] = self.counts.get(name, 0) + count
        self.progress(f"· {name}: {count:,} 行（{time.monotonic() - started:.1f} 秒）")
        return count

    def finish(self) -> None:
        """Move each id sequence past the ids written here (PostgreSQL)."""
        if not self.postgres:
            return
        for name in self.counts:
            table = db.metadata.tables[name]
            if "id" in table.c and isinstance(table.c.id.type, Integer):
                self.conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT MAX(id) FROM {name}))"
                    )
                )


# -- the data set, in memory ----------------------------------------------------------------


@dataclass
class Union:
    id: int
    code: str
    name: str
    district: int  # index into the districts
    category: str
    state_owned: bool
    staff: int
    members: int
    users: list[int] = field(default_factory=list)


@dataclass
class Evaluation:
    id: int
    nomination: Story
    opens_at: datetime
    closes_at: datetime
    turnout: float  # the share of members who vote
    dissatisfied_share: float
    closed: bool
    passed: bool | None = None
    threshold: Fraction | None = None
    ballots: int = 0
    counts: tuple[int, int, int] = (0, 0, 0)


@dataclass
class Story:
    """One nomination and the path that brought it to its state."""

    id: int
    campaign: int  # index
    union: Union
    award: str
    nominee: str | None
    created_at: datetime
    steps: list[tuple[str, int | None, str | None, datetime]] = field(default_factory=list)
    evaluation: Evaluation | None = None
    check: dict | None = None
    state: str = "draft"

    def act(self, action: str, actor: int | None, comment: str | None, at: datetime) -> None:
        definition = ACTIONS[action]
        if self.state not in definition.source:
            raise AssertionError(f"{action} from {self.state}")
        self.steps.append((action, actor, comment, at))
        self.state = definition.dest

    @property
    def last_at(self) -> datetime:
        return self.steps[-1][3] if self.steps else self.created_at


@dataclass
class CampaignPlan:
    index: int
    id: int
    name: str
    year: int
    level: str
    status: str
    starts: datetime
    deadlines: dict[str, date]
    draw_level: str
    draw_at: datetime | None  # when the city's draw was applied (None: per district)
    publish_at: datetime | None
    commend_at: datetime | None


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


class Generator:
    def __init__(self, scale: Scale, seed: int, progress: Callable[[str], None]) -> None:
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.progress = progress
        self.now = utcnow().replace(microsecond=0)
        self.today = beijing_today()
        self.writer = Writer(progress)

    # ids ----------------------------------------------------------------------------------

    def _ids(self, table: str) -> Iterator[int]:
        """Fresh ids for `table`, read now (never while a COPY holds the connection)."""
        return itertools.count(self.writer.next_id(table))

    def _hex(self, bits: int = 128) -> str:
        return f"{self.rng.getrandbits(bits):0{bits // 4}x}"

    def _person(self) -> str:
        given = self.rng.choices(GIVEN, k=self.rng.randint(1, 2))
        return self.rng.choice(SURNAMES) + "".join(given)

    # organisations and users --------------------------------------------------------------

    def organisations(self) -> None:
        from app.auth.services import hash_password

        rng, s = self.rng, self.scale
        org_ids = self._ids("organizations")
        self.city_id = next(org_ids)
        self.districts: list[tuple[int, str, str]] = []
        for d in range(s.districts):
            name = DISTRICT_NAMES[d % len(DISTRICT_NAMES)] + ("" if d < 12 else str(d // 12))
            self.districts.append((next(org_ids), f"GD{d + 1:02d}", f"{name}总工会"))
        self.unions: list[Union] = []
        for u in range(s.unions):
            d = u % s.districts
            district_name = self.districts[d][2].removesuffix("总工会")
            category = _weighted(rng, {"enterprise": 60, "public_institution": 25, "regional": 15})
            members = max(8, min(6_000, int(rng.lognormvariate(log(45), 0.9))))
            if category == "enterprise":
                name = f"{rng.choice(PLACES)}{rng.choice(TRADES)}{rng.choice(FORMS)}工会"
                staff = members
            elif category == "public_institution":
                name = f"{district_name}{rng.choice(AGENCIES)}工会"
                staff = members
            else:
                name = f"{district_name}{rng.choice(PLACES)}{rng.choice(REGIONALS)}"
                staff = int(members / rng.uniform(0.9, 0.98)) + 1
            self.unions.append(
                Union(
                    next(org_ids),
                    f"GD{d + 1:02d}-U{u + 1:05d}",
                    name,
                    d,
                    category,
                    category == "enterprise" and rng.random() < 0.2,
                    staff,
                    members,
                )
            )
        password = hash_password(GENERATED_PASSWORD)
        user_ids = self._ids("users")
        self.users: list[tuple] = []
        self.roles: list[tuple[int, str, int]] = []

        def user(username: str, name: str, role: str, org: int, email: bool) -> int:
            uid = next(user_ids)
            self.users.append(
                (
                    uid,
                    username,
                    name,
                    f"{username}@example.org" if email else None,
                    password,
                    True,
                    self.now,
                )
            )
            self.roles.append((uid, role, org))
            return uid

        self.admin = user("g-admin", "系统管理员", "admin", self.city_id, True)
        self.city_users = [
            user(f"g-city-{i}", f"市总工会基层工作部{i}", "city", self.city_id, True)
            for i in range(1, 4)
        ]
        self.inspectors: list[tuple[int, int | None]] = [
            (
                user(
                    f"g-insp-c{i:02d}",
                    f"市总抽查员{self._person()}",
                    "inspector",
                    self.city_id,
                    True,
                ),
                None,
            )
            for i in range(1, 11)
        ]
        self.reviewers: list[list[int]] = []
        for d, (did, code, name) in enumerate(self.districts):
            self.reviewers.append(
                [
                    user(f"g-rev-{code.lower()}-{i}", f"{name}审核人{i}", "reviewer", did, True)
                    for i in range(1, 4)
                ]
            )
            self.inspectors += [
                (
                    user(
                        f"g-insp-{code.lower()}-{i}",
                        f"{name}抽查员{i}",
                        "inspector",
                        did,
                        rng.random() < 0.5,
                    ),
                    d,
                )
                for i in range(1, 5)
            ]
        left = max(s.unions, s.users - len(self.users))
        for u, union in enumerate(self.unions):
            n = left // s.unions + (1 if u < left % s.unions else 0)
            for k in range(1, n + 1):
                uid = user(
                    f"g-{union.code.lower()}-{k}",
                    f"{union.name}{self._person()}",
                    "union",
                    union.id,
                    rng.random() < 0.6,
                )
                union.users.append(uid)

    # campaigns ------------------------------------------------------------------------------

    def campaigns(self) -> None:
        year, today = self.today.year, self.today
        ids = self._ids("campaigns")

        def days(n: int) -> date:
            return today + timedelta(days=n)

        def at(d: int) -> datetime:
            return self.now + timedelta(days=d)

        def deadlines(*offsets: int) -> dict[str, date]:
            stages = ("application", "review", "evaluation", "spot_check", "publicity")
            return {stage: days(o) for stage, o in zip(stages, offsets, strict=True)}

        self.plans = [
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

    # nominations and their paths ------------------------------------------------------------

    def _between(self, start: datetime, days_min: float, days_max: float) -> datetime:
        moment = start + timedelta(days=self.rng.uniform(days_min, days_max))
        return min(moment, self.now - timedelta(minutes=self.rng.randint(30, 600)))

    def nominations(self) -> None:
        rng = self.rng
        ids = self._ids("nominations")
        self.stories: list[Story] = []
        fates = [
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
        for plan, count in zip(self.plans, self.scale.nominations, strict=True):
            for union in rng.sample(self.unions, min(count, len(self.unions))):
                worker = rng.random() < 0.1
                story = Story(
                    next(ids),
                    plan.index,
                    union,
                    "outstanding_worker" if worker else "model_home",
                    self._person() if worker else None,
                    self._between(plan.starts, 0, 25),
                )
                self._first_stage(story, plan, _weighted(rng, fates[plan.index]))
                self.stories.append(story)
        self.progress(f"· 申报路径：{len(self.stories):,} 个")

    def _reviewer(self, story: Story) -> int:
        return self.rng.choice(self.reviewers[story.union.district])

    def _first_stage(self, story: Story, plan: CampaignPlan, fate: str) -> None:
        rng = self.rng
        union = story.union.users[0]
        if fate == "draft":
            return
        if fate == "withdrawn" and rng.random() < 0.4:
            story.act("withdraw", union, "本年度暂不申报。", self._between(story.created_at, 1, 10))
            return
        t = self._between(story.created_at, 2, 20)
        story.act("submit", union, None, t)
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
            t = self._between(t, 1, 8)
            story.act("return", self._reviewer(story), rng.choice(RETURN_COMMENTS), t)
            if fate == "returned" and rng.random() < 0.6:
                return
            t = self._between(t, 1, 8)
            story.act("submit", union, "已按意见补充材料。", t)
        if fate == "returned":
            t = self._between(t, 1, 6)
            story.act("return", self._reviewer(story), rng.choice(RETURN_COMMENTS), t)
            return
        if fate == "submitted":
            return
        if fate == "withdrawn":
            story.act("withdraw", union, "材料准备不足，主动撤回。", self._between(t, 1, 5))
            return
        t = self._between(t, 1, 12)
        if fate == "rejected":
            story.act("reject", self._reviewer(story), rng.choice(REJECT_COMMENTS), t)
            return
        story.act("approve", self._reviewer(story), rng.choice([None, "材料齐全，同意推荐。"]), t)
        opens = self._between(t, 0.5, 3)
        if fate == "evaluated" and opens > self.now - timedelta(days=2):
            fate = "member_evaluation"  # approved too recently to have finished
        if fate == "member_evaluation":
            story.evaluation = Evaluation(
                0,
                story,
                opens,
                self.now + timedelta(days=rng.uniform(1, 14)),
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
            min(closes, self.now - timedelta(hours=2)),
            rng.uniform(0.75, 1.0) if not fails or rng.random() < 0.7 else rng.uniform(0.3, 0.55),
            rng.uniform(0.12, 0.3) if fails else rng.uniform(0, 0.04),
            True,
        )

    def evaluations(self) -> None:
        """Ballot counts scaled so the whole set holds the target number of ballots, then each
        closed evaluation decided as closing would decide it."""
        from app.assessment.rates import satisfaction_threshold

        evaluations = [s.evaluation for s in self.stories if s.evaluation]
        expected = sum(e.turnout * e.nomination.union.members for e in evaluations)
        factor = self.scale.ballots / expected if expected else 1.0
        for union in self.unions:  # one register, so evaluations and figures agree
            union.members = max(3, round(union.members * factor))
            union.staff = max(union.members, round(union.staff * factor))
        ids = self._ids("member_evaluations")
        thresholds = self.standard.content["thresholds"]
        for e in evaluations:
            e.id = next(ids)
            union = e.nomination.union
            e.ballots = max(1, min(union.members, round(union.members * e.turnout)))
            bad = min(e.ballots, round(e.ballots * e.dissatisfied_share))
            basic = round((e.ballots - bad) * self.rng.uniform(0.05, 0.25))
            e.counts = (e.ballots - bad - basic, basic, bad)
            if e.closed:
                threshold = satisfaction_threshold(
                    union.category, union.state_owned, thresholds[union.category]
                )
                rate = Fraction(e.ballots - bad, e.ballots)
                e.threshold = threshold
                e.passed = rate >= threshold and Fraction(e.ballots, union.members) >= Fraction(
                    "0.6"
                )
                story = e.nomination
                story.act(
                    "pass_evaluation" if e.passed else "fail_evaluation",
                    None,
                    f"会员评家结束：有效票 {e.ballots} 张，满意率 {float(rate) * 100:.1f}%，"
                    f"参评率 {e.ballots / union.members * 100:.1f}%。",
                    e.closes_at,
                )
        self.evaluation_list = evaluations

    def draws_and_checks(self) -> None:
        from app.spot_checks.draw import (
            canonical_population,
            commitment,
            population_digest,
            run_draw,
        )

        rng = self.rng
        ids = self._ids("spot_check_draws")
        self.draws: list[tuple] = []
        for plan in self.plans:
            awaiting = [
                s for s in self.stories if s.campaign == plan.index and s.state == "awaiting_draw"
            ]
            if plan.draw_level == "city":
                groups = [
                    (self.city_id, awaiting, plan.draw_at, "ratio", "0.15", self.city_users[0])
                ]
            else:  # this year's: half the districts have drawn their own
                # (the district's own reviewer draws, as the application requires)
                groups = [
                    (
                        self.districts[d][0],
                        [s for s in awaiting if s.union.district == d],
                        self.now - timedelta(days=rng.uniform(8, 20)),
                        "ratio",
                        "0.2",
                        self.reviewers[d][0],
                    )
                    for d in range(0, len(self.districts), 2)
                ]
            for scope, waiting, when, method, value, drawer in groups:
                # Only what was waiting on the day of the draw; later ones wait for the next.
                population = [s for s in waiting if when and s.last_at < when]
                if not population or when is None:
                    continue
                draw_id = next(ids)
                seed = f"{plan.year}-{scope}-{self._hex(64)}"
                entries = [
                    {"nomination_id": s.id, "stratum": self.districts[s.union.district][1]}
                    for s in population
                ]
                result = run_draw(seed, entries, method, value)
                sample = set(result.sample)
                canon = canonical_population(entries)
                self.draws.append(
                    (
                        draw_id,
                        self.plans[plan.index].id,
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
                )
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
                        self._check(story, draw_id, plan)

    def _check(self, story: Story, draw_id: int, plan: CampaignPlan) -> None:
        rng = self.rng
        district = story.union.district
        team = rng.sample([uid for uid, d in self.inspectors if d is None or (d != district)], 2)
        visited = self._between(story.last_at, 3, 15)
        check = {
            "draw": draw_id,
            "team": team,
            "visited": visited,
            "assigned": story.last_at,
            "conclusion": None,
            "deadline": None,
            "decision": None,
        }
        story.check = check
        outcome = _weighted(
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
            check["visited"] = None if rng.random() < 0.5 else visited
            return
        concluded = self._between(visited, 0, 2)
        check["concluded"] = concluded
        if outcome == "pass":
            check["conclusion"] = "pass"
            story.act("pass_check", team[0], "现场检查合格。", concluded)
        elif outcome == "fail":
            check["conclusion"] = "fail"
            story.act("fail_check", team[0], "现场检查多项不符合标准。", concluded)
        else:
            check["conclusion"] = "rectify"
            check["deadline"] = (concluded + timedelta(days=30)).astimezone(BEIJING).date()
            story.act("order_rectification", team[0], "部分项目基本符合，限期30日整改。", concluded)
            if outcome != "rectify_open":
                decided = self._between(concluded, 10, 28)
                check["submitted"] = decided - timedelta(days=2)
                check["decision"] = "accept" if outcome == "rectify_ok" else "reject"
                check["decided"] = decided
                if outcome == "rectify_ok":
                    story.act("accept_rectification", team[1], "整改到位。", decided)
                else:
                    story.act("reject_rectification", team[1], "整改未到位，验收不通过。", decided)

    def commendation(self) -> None:
        """Last year's list was published and commended; the provincial round's list is up."""
        rng = self.rng
        self.publicities: list[tuple] = []
        self.entries: list[tuple] = []
        self.objections: list[tuple] = []
        self.commendations: list[tuple] = []
        self.certificates: list[tuple] = []
        self.selections: list[tuple] = []
        self.honour_orders: list[tuple] = []
        pub_ids, entry_ids, obj_ids = (
            self._ids("publicities"),
            self._ids("publicity_entries"),
            self._ids("objections"),
        )
        com_ids, cert_ids, sel_ids = (
            self._ids("commendations"),
            self._ids("certificates"),
            self._ids("commendation_selections"),
        )
        order_ids = self._ids("honour_rectifications")
        city = self.city_users[0]
        for plan in self.plans:
            if plan.publish_at is None:
                continue
            candidates = [
                s for s in self.stories if s.campaign == plan.index and s.state == "candidate"
            ]
            chosen = [s for s in candidates if rng.random() < 0.45]
            chosen_ids = {s.id for s in chosen}
            pub_id = next(pub_ids)
            starts = plan.publish_at.astimezone(BEIJING).date()
            ends = (
                plan.deadlines["publicity"]
                if plan.commend_at is None
                else starts + timedelta(days=6)
            )
            com_id = next(com_ids) if plan.commend_at else None
            self.publicities.append(
                (
                    pub_id,
                    plan.id,
                    f"{plan.name}拟表彰名单公示",
                    5,
                    starts,
                    ends,
                    plan.publish_at,
                    city,
                    com_id,
                )
            )
            for position, story in enumerate(chosen, start=1):
                self.entries.append((next(entry_ids), pub_id, story.id, position))
                self.selections.append(
                    (next(sel_ids), story.id, position, True, city, plan.publish_at)
                )
            for story in candidates:
                when = max(plan.publish_at, story.last_at + timedelta(minutes=5))
                story.act("publish" if story.id in chosen_ids else "not_select", city, None, when)
            for story in chosen:
                roll = rng.random()
                if plan.commend_at is None:  # the list is up: some objections, a few upheld
                    if roll < 0.03:
                        obj = next(obj_ids)
                        lodged = self._between(plan.publish_at, 0, 2)
                        upheld = rng.random() < 0.5
                        self.objections.append(
                            (
                                obj,
                                pub_id,
                                story.id,
                                "反映该单位会员代表大会未按期召开。",
                                None,
                                f"139{rng.randint(10_000_000, 99_999_999)}",
                                self._hex(256),
                                lodged,
                                "upheld" if upheld else "open",
                                "rectification" if upheld else None,
                                "经核实情况属实，责令限期整改。" if upheld else None,
                                city if upheld else None,
                                lodged + timedelta(hours=20) if upheld else None,
                            )
                        )
                        if upheld:
                            t = lodged + timedelta(hours=20)
                            story.act("objection_rectification", city, "异议成立，限期整改。", t)
                            self.honour_orders.append(
                                (
                                    next(order_ids),
                                    story.id,
                                    "objection",
                                    obj,
                                    "会员代表大会未按期召开",
                                    (t + timedelta(days=20)).astimezone(BEIJING).date(),
                                    city,
                                    t,
                                )
                            )
                    continue
                if roll < 0.08:  # 异议成立 before the commendation
                    story.act(
                        "uphold_objection",
                        city,
                        "异议成立，不予表彰。",
                        plan.commend_at - timedelta(days=1),
                    )
                    continue
                story.act("commend", city, None, plan.commend_at)
                serial_no = len(self.certificates) + 1
                revoked = rng.random() < 0.01
                self.certificates.append(
                    (
                        next(cert_ids),
                        com_id,
                        story.id,
                        f"{plan.year}-{serial_no:04d}",
                        "-".join(self._hex(20).upper()[i : i + 4] for i in (0, 4))
                        + f"-{story.id:X}",
                        plan.commend_at,
                        plan.commend_at.astimezone(BEIJING).date() + timedelta(days=200)
                        if revoked
                        else None,
                        "发生重大安全生产事故，撤销称号。" if revoked else None,
                        city if revoked else None,
                    )
                )
                if revoked:
                    story.act(
                        "revoke",
                        city,
                        "发生重大安全生产事故，撤销称号。",
                        plan.commend_at + timedelta(days=200),
                    )
                elif roll > 0.985:  # dynamic management: a commended home found below standard
                    t = self._between(plan.commend_at, 150, 300)
                    story.act("order_honour_rectification", city, "复查发现职工书屋长期关闭。", t)
                    self.honour_orders.append(
                        (
                            next(order_ids),
                            story.id,
                            "commended",
                            None,
                            "复查发现职工书屋长期关闭",
                            (t + timedelta(days=30)).astimezone(BEIJING).date(),
                            city,
                            t,
                        )
                    )
            if com_id is not None:
                self.commendations.append(
                    (
                        com_id,
                        plan.id,
                        f"示市工发〔{plan.year}〕{com_id}号",
                        plan.commend_at.astimezone(BEIJING).date(),
                        plan.commend_at,
                        city,
                    )
                )

    # writing it all -------------------------------------------------------------------------

    def write(self) -> None:
        w = self.writer
        w.write(
            "organizations",
            (
                "id",
                "code",
                "name",
                "level",
                "parent_id",
                "category",
                "is_state_owned",
                "staff_count",
                "member_count",
            ),
            [
                (
                    self.city_id,
                    CITY_CODE,
                    "示范市总工会（生成数据）",
                    "city",
                    None,
                    None,
                    False,
                    None,
                    None,
                )
            ]
            + [
                (did, code, name, "district", self.city_id, None, False, None, None)
                for did, code, name in self.districts
            ]
            + [
                (
                    u.id,
                    u.code,
                    u.name,
                    "grassroots",
                    self.districts[u.district][0],
                    u.category,
                    u.state_owned,
                    u.staff,
                    u.members,
                )
                for u in self.unions
            ],
        )
        closure = [(self.city_id, self.city_id, 0)]
        for did, _c, _n in self.districts:
            closure += [(did, did, 0), (self.city_id, did, 1)]
        for u in self.unions:
            closure += [
                (u.id, u.id, 0),
                (self.districts[u.district][0], u.id, 1),
                (self.city_id, u.id, 2),
            ]
        w.write("org_closure", ("ancestor_id", "descendant_id", "depth"), closure)
        w.write(
            "users",
            ("id", "username", "display_name", "email", "password_hash", "is_active", "created_at"),
            self.users,
        )
        role_ids = self._ids("role_assignments")
        w.write(
            "role_assignments",
            ("id", "user_id", "role", "org_id"),
            ((next(role_ids), *r) for r in self.roles),
        )
        self._write_campaigns()
        self._write_nominations()
        self._write_assessments()
        self._write_evaluations()
        self._write_checks()
        self._write_commendation()

    def _write_campaigns(self) -> None:
        w = self.writer
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
                    self.city_id,
                    p.starts,
                    self.standard.id,
                    "satisfied_or_basic",
                    0.6,
                    p.draw_level,
                    2,
                    "inspectors",
                    None,
                    5,
                )
                for p in self.plans
            ],
        )
        deadline_ids = self._ids("campaign_deadlines")
        w.write(
            "campaign_deadlines",
            ("id", "campaign_id", "stage", "due_date"),
            [
                (next(deadline_ids), p.id, stage, due)
                for p in self.plans
                for stage, due in p.deadlines.items()
            ],
        )
        quota_ids = self._ids("campaign_quotas")
        per = max(1, sum(self.scale.nominations) // (10 * len(self.districts)))
        w.write(
            "campaign_quotas",
            ("id", "campaign_id", "district_id", "quota"),
            [
                (next(quota_ids), p.id, did, per)
                for p in self.plans
                for did, _c, _n in self.districts
            ],
        )

    def _write_nominations(self) -> None:
        w = self.writer
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
                    self.plans[s.campaign].id,
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
                for s in self.stories
            ),
        )
        event_ids = self._ids("nomination_events")

        def events() -> Iterator[tuple]:
            for s in self.stories:
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

    def _write_assessments(self) -> None:
        """Rounds (one per submission, the last still open while drafting), answers for every
        item of the union's category, evidence files and the links citing them."""
        from app.standards.models import StandardItem

        rng, w = self.rng, self.writer
        items: dict[str, list[tuple[int, bool]]] = defaultdict(list)
        for item_id, category, na in db.session.execute(
            select(StandardItem.id, StandardItem.category, StandardItem.na_allowed)
            .where(StandardItem.version_id == self.standard.id)
            .order_by(StandardItem.position)
        ):
            items[str(category)].append((item_id, na))
        round_ids, evidence_ids = self._ids("assessment_rounds"), self._ids("evidence")
        rounds: list[tuple] = []
        evidence: list[tuple] = []
        # (round id, story, answered share, evidence ids)
        answered: list[tuple[int, Story, float, list[int]]] = []
        comments: list[tuple] = []
        for s in self.stories:
            submits = [t for a, _u, _c, t in s.steps if a == "submit"]
            returns = [(u, c, t) for a, u, c, t in s.steps if a == "return"]
            n_rounds = max(
                1,
                len(returns)
                + (1 if s.state in ("draft", "returned") or len(submits) > len(returns) else 0),
            )
            if s.state == "draft" or (s.state == "withdrawn" and not submits):
                n_rounds = 1
            files = []
            for k in range(rng.randint(1, 3) if not submits else rng.randint(3, 6)):
                name, kind, ctype = EVIDENCE_FILES[(s.id + k) % len(EVIDENCE_FILES)]
                eid = next(evidence_ids)
                files.append(eid)
                evidence.append(
                    (
                        eid,
                        s.id,
                        f"gen/{self._hex()}",
                        name,
                        ctype,
                        kind,
                        rng.randint(40_000, 8_000_000),
                        self._hex(256),
                        s.union.users[0],
                        s.created_at + timedelta(hours=k + 1),
                    )
                )
            for number in range(1, n_rounds + 1):
                rid = next(round_ids)
                last = number == n_rounds
                if number <= len(returns):
                    status = "returned"
                elif s.state in ("draft", "returned"):
                    status = "editing"
                elif s.state == "submitted":
                    status = "submitted"
                else:
                    status = "closed"
                submitted = submits[number - 1] if number <= len(submits) else None
                created = s.created_at if number == 1 else returns[number - 2][2]
                union = s.union
                extra = {}
                if union.category == "public_institution":
                    extra = {
                        "contract_staff_count": union.staff // 20,
                        "contract_member_count": union.staff // 20,
                    }
                elif union.category == "regional":
                    extra = {
                        "migrant_worker_count": union.staff // 3,
                        "migrant_member_count": union.members // 3,
                        "subunit_count": 40,
                        "unionised_subunit_count": 38,
                        "collective_contract_count": 37,
                    }
                rounds.append(
                    (
                        rid,
                        s.id,
                        number,
                        status,
                        self.standard.id,
                        created,
                        submitted or created,
                        submitted,
                        union.staff,
                        union.members,
                        extra.get("contract_staff_count"),
                        extra.get("contract_member_count"),
                        extra.get("migrant_worker_count"),
                        extra.get("migrant_member_count"),
                        extra.get("subunit_count"),
                        extra.get("unionised_subunit_count"),
                        extra.get("collective_contract_count"),
                    )
                )
                share = rng.uniform(0.2, 0.9) if (last and s.state == "draft") else 1.0
                answered.append((rid, s, share, files))
                if number <= len(returns):
                    reviewer, body, at = returns[number - 1]
                    comments.append((rid, None, reviewer, body, at))
                    item_id, _na = rng.choice(items[union.category])
                    comments.append((rid, item_id, reviewer, "此项佐证材料不完整，请补充。", at))
            if s.state == "rejected":
                reviewer, body, at = next((u, c, t) for a, u, c, t in s.steps if a == "reject")
                comments.append((rid, None, reviewer, body, at))
        w.write(
            "assessment_rounds",
            (
                "id",
                "nomination_id",
                "number",
                "status",
                "standard_version_id",
                "created_at",
                "updated_at",
                "submitted_at",
                "staff_count",
                "member_count",
                "contract_staff_count",
                "contract_member_count",
                "migrant_worker_count",
                "migrant_member_count",
                "subunit_count",
                "unionised_subunit_count",
                "collective_contract_count",
            ),
            rounds,
        )
        w.write(
            "evidence",
            (
                "id",
                "nomination_id",
                "storage_key",
                "original_name",
                "content_type",
                "kind",
                "size",
                "sha256",
                "uploaded_by_id",
                "uploaded_at",
            ),
            evidence,
        )
        response_ids, link_ids = self._ids("item_responses"), self._ids("evidence_links")

        def answers(rid: int, s: Story, share: float) -> Iterator[tuple[int, int, str]]:
            """(position, item, rating) from the round's own seeded stream: the same in both
            passes (answers, then the evidence they cite)."""
            r = random.Random(self.seed * 1_000_003 + rid)
            category_items = items[s.union.category]
            for k, (item_id, na) in enumerate(category_items[: round(len(category_items) * share)]):
                yield k, item_id, "na" if na and r.random() < 0.3 else "met"

        w.write(
            "item_responses",
            ("id", "round_id", "item_id", "rating", "statement"),
            (
                (next(response_ids), rid, item_id, rating, STATEMENTS[(s.id + k) % len(STATEMENTS)])
                for rid, s, share, _files in answered
                for k, item_id, rating in answers(rid, s, share)
            ),
        )

        def links() -> Iterator[tuple]:
            for rid, s, share, files in answered:
                yield next(link_ids), rid, files[0], None  # the key figures' evidence
                for k, item_id, rating in answers(rid, s, share):
                    if rating == "met":
                        yield next(link_ids), rid, files[k % len(files)], item_id

        w.write("evidence_links", ("id", "round_id", "evidence_id", "item_id"), links())
        comment_ids = self._ids("review_comments")
        w.write(
            "review_comments",
            ("id", "round_id", "item_id", "author_id", "body", "created_at"),
            ((next(comment_ids), *c) for c in comments),
        )

    def _write_evaluations(self) -> None:
        w = self.writer
        dims = self._dimensions()
        rows = []
        for e in self.evaluation_list:
            union = e.nomination.union
            closed = e.closed
            s, b, d = e.counts
            rows.append(
                (
                    e.id,
                    e.nomination.id,
                    "closed" if closed else "open",
                    e.opens_at,
                    e.closes_at,
                    union.members,
                    dims[union.category],
                    union.users[0],
                    e.opens_at,
                    e.closes_at if closed else None,
                    e.ballots if closed else None,
                    s if closed else None,
                    b if closed else None,
                    d if closed else None,
                    round(e.ballots / union.members, 6) if closed else None,
                    round((s + b) / e.ballots, 6) if closed else None,
                    float(e.threshold) if closed and e.threshold is not None else None,
                    0.6 if closed else None,
                    "satisfied_or_basic" if closed else None,
                    e.passed if closed else None,
                )
            )
        w.write(
            "member_evaluations",
            (
                "id",
                "nomination_id",
                "status",
                "opens_at",
                "closes_at",
                "member_count",
                "dimensions",
                "opened_by_id",
                "opened_at",
                "closed_at",
                "valid_ballots",
                "satisfied",
                "basic",
                "dissatisfied",
                "turnout",
                "satisfaction_rate",
                "threshold",
                "min_turnout",
                "rule",
                "passed",
            ),
            rows,
        )
        token_ids = self._ids("ballot_tokens")

        def tokens() -> Iterator[tuple]:
            for e in self.evaluation_list:
                members = e.nomination.union.members
                for serial in range(1, members + 1):
                    yield (
                        next(token_ids),
                        e.id,
                        self._hex(160),
                        serial,
                        1,
                        "used" if serial <= e.ballots else "unused",
                        e.opens_at,
                    )

        w.write(
            "ballot_tokens",
            ("id", "evaluation_id", "token", "serial", "batch", "status", "issued_at"),
            tokens(),
        )

        def cast(e: Evaluation) -> Iterator[tuple[str, date, str, str | None, list[str]]]:
            """An evaluation's ballots from its own seeded stream, so the answers can be
            written in a second pass without holding a million ballots in memory."""
            r = random.Random(self.seed * 1_000_003 + e.id)
            first = e.opens_at.astimezone(BEIJING).date()
            last = min(e.closes_at, self.now).astimezone(BEIJING).date()
            span = max(0, (last - first).days)
            n_dims = len(dims[e.nomination.union.category])
            s, b, d = e.counts
            for overall in ("satisfied",) * s + ("basic",) * b + ("dissatisfied",) * d:
                yield (
                    f"{r.getrandbits(128):032x}",
                    first + timedelta(days=r.randint(0, span)),
                    overall,
                    r.choice(BALLOT_COMMENTS) if r.random() < 0.08 else None,
                    [overall if r.random() < 0.8 else r.choice(CHOICES) for _ in range(n_dims)],
                )

        w.write(
            "ballots",
            ("id", "evaluation_id", "voted_on", "overall", "comment"),
            (
                (bid, e.id, day, overall, comment)
                for e in self.evaluation_list
                for bid, day, overall, comment, _a in cast(e)
            ),
        )
        w.write(
            "ballot_answers",
            ("ballot_id", "dimension", "choice"),
            (
                (bid, d["code"], choice)
                for e in self.evaluation_list
                for bid, _d, _o, _c, chosen in cast(e)
                for d, choice in zip(dims[e.nomination.union.category], chosen, strict=True)
            ),
        )

    def _dimensions(self) -> dict[str, list[dict[str, str]]]:
        from app.evaluation.services import SATISFACTION_DIMENSION
        from app.standards.models import StandardItem

        dims: dict[str, list[dict[str, str]]] = defaultdict(list)
        for category, code, label, _pos in db.session.execute(
            select(
                StandardItem.category,
                StandardItem.dimension,
                StandardItem.dimension_label,
                func.min(StandardItem.position),
            )
            .where(StandardItem.version_id == self.standard.id)
            .group_by(StandardItem.category, StandardItem.dimension, StandardItem.dimension_label)
            .order_by(func.min(StandardItem.position))
        ):
            if code != SATISFACTION_DIMENSION:
                dims[str(category)].append({"code": code, "label": label})
        return dims

    def _write_checks(self) -> None:
        from app.standards.models import StandardItem

        rng, w = self.rng, self.writer
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
            self.draws,
        )
        items: dict[str, list[int]] = defaultdict(list)
        for item_id, category in db.session.execute(
            select(StandardItem.id, StandardItem.category)
            .where(StandardItem.version_id == self.standard.id)
            .order_by(StandardItem.position)
        ):
            items[str(category)].append(item_id)
        check_ids, assign_ids = self._ids("spot_checks"), self._ids("spot_check_assignments")
        finding_ids, response_ids = (
            self._ids("check_findings"),
            self._ids("rectification_responses"),
        )
        checks, assignments, findings, responses = [], [], [], []
        for s in self.stories:
            c = s.check
            if c is None:
                continue
            cid = next(check_ids)
            conclusion = c["conclusion"]
            category_items = items[s.union.category]
            rectify = rng.sample(category_items, 2) if conclusion == "rectify" else None
            interviewed = rng.randint(10, 30) if c["visited"] else None
            checks.append(
                (
                    cid,
                    s.id,
                    c["draw"],
                    c["visited"].astimezone(BEIJING).date() if c["visited"] else None,
                    f"{s.union.name}职工之家活动室" if c["visited"] else None,
                    interviewed,
                    (interviewed - rng.randint(0, 2)) if interviewed else None,
                    conclusion,
                    {
                        "pass": "各项符合标准。",
                        "fail": "多项不符合标准。",
                        "rectify": "部分项目需整改。",
                    }.get(conclusion or ""),
                    rectify,
                    c["deadline"],
                    c.get("concluded"),
                    c.get("submitted"),
                    c["decision"],
                    c.get("decided"),
                    c["team"][1] if c["decision"] else None,
                    c.get("concluded") or c["assigned"],
                )
            )
            for inspector in c["team"]:
                assignments.append(
                    (next(assign_ids), cid, inspector, None, c["assigned"], c.get("concluded"))
                )
            if c["visited"]:
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
                            c["team"][0],
                        )
                    )
            if rectify and c.get("submitted"):
                for item_id in rectify:
                    responses.append(
                        (
                            next(response_ids),
                            cid,
                            item_id,
                            "已完成整改，补充了制度和记录。",
                            [],
                            c["submitted"],
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

    def _write_commendation(self) -> None:
        w = self.writer
        w.write(
            "commendations",
            ("id", "campaign_id", "document_number", "decided_on", "issued_at", "issued_by_id"),
            self.commendations,
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
            self.publicities,
        )
        w.write(
            "publicity_entries", ("id", "publicity_id", "nomination_id", "position"), self.entries
        )
        w.write(
            "commendation_selections",
            ("id", "nomination_id", "rank", "selected", "updated_by_id", "updated_at"),
            self.selections,
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
            self.objections,
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
            self.certificates,
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
            self.honour_orders,
        )

    # the run ----------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        from app.nominations.deadlines import refresh_campaign
        from app.orgs.models import Organization
        from app.standards.services import ensure_default_standard

        if db.session.scalar(select(Organization.id).where(Organization.code == CITY_CODE)):
            raise GenerateError("这个数据库里已经有生成的数据（组织编码 GC）；请换一个空数据库。")
        self.standard = ensure_default_standard()
        self.organisations()
        self.campaigns()
        self.nominations()
        self.evaluations()
        self.draws_and_checks()
        self.commendation()
        self.progress(f"· 数据已在内存中生成，开始写入（{db.engine.dialect.name}）")
        self.write()
        self.writer.finish()
        for plan in self.plans:  # each step's due date, as the application computes it
            refresh_campaign(plan.id)
        db.session.commit()
        if self.writer.postgres:
            # Statistics for the planner, and the visibility map set, so index-only scans
            # (the closure table's subtree lookups) need no heap visits from the start.
            self.progress("· VACUUM ANALYZE")
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                # TRUNCATE false: never wait on another transaction's lock to give back
                # empty pages at a table's end.
                conn.execute(text("VACUUM (ANALYZE, TRUNCATE false)"))
        return self.writer.counts


class GenerateError(Exception):
    pass


def peak_memory_mb() -> float:
    """This process's peak resident memory (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def generate(
    scale: str | Scale = "city", seed: int = 2026, progress: Callable[[str], None] = print
) -> dict[str, int]:
    """Load the data set of `scale` into the current database; returns the rows per table."""
    chosen = SCALES[scale] if isinstance(scale, str) else scale
    return Generator(chosen, seed, progress).run()
