"""The generator's sizes, its fixed names and texts, and the pools it draws names from."""

from __future__ import annotations

from dataclasses import dataclass

GENERATED_PASSWORD = "city-scale-2026"  # every generated login's
CITY_CODE = "GC"  # the generated city federation's code: its presence means "already loaded"


@dataclass(frozen=True)
class Scale:
    """How big a generated city is."""

    name: str
    districts: int
    unions: int
    users: int
    nominations: tuple[int, int, int]  # last year's, the provincial round, this year's
    ballots: int


SCALES: dict[str, Scale] = {
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
