"""Standards as data: the bundled file against seed 002, its checks, versioned import, CLI."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from app.campaigns.models import Campaign, CampaignLevel
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.standards.loader import load_standard
from app.standards.models import StandardItem, StandardVersion
from app.standards.services import (
    DEFAULT_STANDARD_CODE,
    DEFAULT_STANDARD_FILE,
    ensure_default_standard,
    import_standard,
    items_for,
    latest_version,
    pin_version,
)

SEED_NAME = "002_46df22002c00157a.txt"
BUNDLED_SEED = DEFAULT_STANDARD_FILE.parent / "sources" / SEED_NAME
SHARED_SEED = Path(os.environ.get("ZGZJ_SEEDS_DIR", "/work/shared/seeds")) / SEED_NAME

# Written out here on purpose, not imported from the loader: the test reads the seed on its own.
SEED_DIMENSIONS = {
    "政治建设": "political",
    "组织建设": "organisation",
    "制度建设": "institution",
    "服务建设": "service",
    "基础建设": "foundation",
    "满意度测评": "satisfaction",
}
SEED_CATEGORIES = {"第一类": "enterprise", "第二类": "public_institution", "第三类": "regional"}
REFERENCE = "按照企业“新时代职工信赖的职工之家”政治建设标准规定执行"
EXPECTED_COUNTS = {
    "enterprise": {
        "political": 5,
        "organisation": 7,
        "institution": 9,
        "service": 4,
        "foundation": 5,
        "satisfaction": 1,
    },
    "public_institution": {
        "political": 5,
        "organisation": 4,
        "institution": 5,
        "service": 6,
        "foundation": 5,
        "satisfaction": 1,
    },
    "regional": {
        "political": 5,
        "organisation": 3,
        "institution": 6,
        "service": 5,
        "foundation": 4,
        "satisfaction": 2,
    },
}


# --- the seed, read independently ------------------------------------------------------


def seed_text() -> str:
    bundled = BUNDLED_SEED.read_text(encoding="utf-8")
    if SHARED_SEED.exists():  # the copy beside the data must be the seed itself
        assert SHARED_SEED.read_text(encoding="utf-8") == bundled
    return bundled


def parse_seed_standards(text: str) -> tuple[dict[str, dict[str, list | str]], list[str]]:
    """Section 二(二) as {category: {dimension: [(number, text), …] or REFERENCE}}.

    Also returns the categories that began without a 第n类 heading: in the seed, category 3
    has none; it begins where a dimension already seen comes round again ("政治建设：按照…").
    """
    lines = [line.strip() for line in text.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("（二）建设规范与标准"))
    end = next(
        i for i in range(start + 1, len(lines)) if re.match(r"^[一二三四五六七八九十]+、", lines[i])
    )
    order = list(SEED_CATEGORIES.values())
    result: dict[str, dict[str, list | str]] = {}
    implicit: list[str] = []
    category: str | None = None
    dimension: str | None = None
    for line in lines[start + 1 : end]:
        if not line:
            continue
        heading = re.match(r"^(第[一二三]类)：", line)
        if heading:
            category = SEED_CATEGORIES[heading.group(1)]
            result[category] = {}
            dimension = None
            continue
        assert category is not None, f"text before the first category: {line}"
        label, rest = None, ""
        for name in SEED_DIMENSIONS:
            if line == name or line.startswith(name + "："):
                label, rest = name, line[len(name) :].lstrip("：")
        if label is None and REFERENCE in line:  # category 2: the reference with no heading
            label, rest = "政治建设", line
        if label is not None:
            code = SEED_DIMENSIONS[label]
            if code in result[category]:  # a dimension comes round again: next category
                category = order[order.index(category) + 1]
                implicit.append(category)
                result[category] = {}
            dimension = code
            result[category][dimension] = REFERENCE if REFERENCE in rest else []
            continue
        assert dimension is not None, f"item outside a dimension: {line}"
        items = result[category][dimension]
        assert isinstance(items, list)
        numbered = re.match(r"^（(\d+)）(.+)$", line)
        if numbered:
            items.append((int(numbered.group(1)), numbered.group(2)))
        else:  # an unnumbered paragraph (满意度测评 of categories 1 and 2) is item 1
            assert not items, f"second unnumbered paragraph in {category}/{dimension}: {line}"
            items.append((1, line))
    return result, implicit


def bundled() -> dict:
    return yaml.safe_load(DEFAULT_STANDARD_FILE.read_text(encoding="utf-8"))


def test_every_numbered_item_of_seed_002_is_in_the_data_file():
    seed, implicit = parse_seed_standards(seed_text())
    assert implicit == ["regional"]  # the seed's category 3 has no 第三类 heading in 二(二)
    data = bundled()
    assert list(seed) == list(data["categories"]) == list(SEED_CATEGORIES.values())
    enterprise_political = seed["enterprise"]["political"]
    assert isinstance(enterprise_political, list)
    for category, dimensions in seed.items():
        assert list(dimensions) == list(SEED_DIMENSIONS.values()), category
        in_file = {d["code"]: d for d in data["categories"][category]["dimensions"]}
        assert list(in_file) == list(dimensions), category
        for code, expected in dimensions.items():
            dimension = in_file[code]
            if expected == REFERENCE:  # categories 2 and 3 reuse category 1's 政治建设
                assert category != "enterprise"
                assert dimension["note"].startswith(REFERENCE)
                expected = enterprise_political
            got = [(item["number"], item["text"]) for item in dimension["items"]]
            assert got == expected, f"{category}/{code}"
            numbers = [n for n, _ in expected]
            assert numbers == list(range(1, len(numbers) + 1)), f"{category}/{code}"
            assert dimension["label"] == next(k for k, v in SEED_DIMENSIONS.items() if v == code)
        counts = {
            code: len(items)
            for code, items in (
                (d["code"], d["items"]) for d in data["categories"][category]["dimensions"]
            )
        }
        assert counts == EXPECTED_COUNTS[category]


def test_item_codes_follow_category_and_dimension():
    prefixes = {"enterprise": "E", "public_institution": "P", "regional": "R"}
    abbreviations = {
        "political": "POL",
        "organisation": "ORG",
        "institution": "INS",
        "service": "SER",
        "foundation": "FND",
        "satisfaction": "SAT",
    }
    for category, body in bundled()["categories"].items():
        for dimension in body["dimensions"]:
            for item in dimension["items"]:
                expected = f"{prefixes[category]}-{abbreviations[dimension['code']]}-"
                assert item["code"] == expected + str(item["number"])
                assert item["evidence"].strip()


def test_checklists_match_the_text_of_section_two():
    text = seed_text()
    paragraph = next(line for line in text.splitlines() if "“六有”标准" in line)
    liu_you = re.search(r"实现(.+?)的要求", paragraph).group(1).split("、")
    ba_you = re.search(r"按照“(.+?)”的“八有”标准", paragraph).group(1).split("、")
    checklists = bundled()["checklists"]
    assert checklists["liu_you"]["label"] == "六有"
    assert [(i["code"], i["text"]) for i in checklists["liu_you"]["items"]] == [
        (f"LY-{n}", t) for n, t in enumerate(liu_you, 1)
    ]
    assert len(liu_you) == 6 and liu_you[0] == "有依法选举的工会主席"
    assert checklists["ba_you"]["label"] == "八有"
    assert [(i["code"], i["text"]) for i in checklists["ba_you"]["items"]] == [
        (f"BY-{n}", t) for n, t in enumerate(ba_you, 1)
    ]
    assert len(ba_you) == 8 and ba_you[0] == "有活动场所"


def test_thresholds_and_figures_match_the_seed():
    data = bundled()
    assert data["thresholds"] == {
        "enterprise": {
            "membership_rate": 1.0,
            "satisfaction_rate": 0.90,
            "satisfaction_rate_state_owned": 0.95,
        },
        "public_institution": {"membership_rate": 1.0, "satisfaction_rate": 0.95},
        "regional": {
            "union_coverage_rate": 0.90,
            "membership_rate": 0.90,
            "migrant_membership_rate": 0.80,
            "collective_contract_rate": 0.90,
            "satisfaction_rate": 0.90,
            "spot_check_satisfaction_rate": 0.85,
        },
    }
    text = seed_text()
    for phrase in (
        "职工入会率应达100%",
        "评家满意率应在90％（含）以上",
        "国有企业满意率应在95％（含）以上",
        "职工（含编外聘用人员）入会率达100％",
        "评家满意率应在95％（含）以上",
        "工会建会率、职工入会率分别达到90％（含）以上",
        "农民工入会率达到80％（含）以上",
        "集体合同建制率达90％以上",
        "抽查满意率应在85％（含）以上",
        "职工满意率应在90％（含）以上",
    ):
        assert phrase in text, phrase
    assert data["figures"]["public_institution"] == [
        "staff_count",
        "member_count",
        "contract_staff_count",
        "contract_member_count",
    ]


def test_not_applicable_only_where_the_file_explains_why():
    allowed = {
        item["code"]
        for body in bundled()["categories"].values()
        for dimension in body["dimensions"]
        for item in dimension["items"]
        if item["na_allowed"]
    }
    assert allowed == {"E-ORG-2", "E-INS-5", "E-INS-6", "E-INS-9", "P-ORG-2", "P-SER-6"}
    lines = DEFAULT_STANDARD_FILE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"^\s*- code: (\S+)$", line)
        if match and match.group(1) in allowed:
            assert lines[i - 1].strip().startswith("# 不适用："), match.group(1)


def test_bundled_file_loads_with_its_checksum():
    import hashlib

    content, checksum = load_standard(DEFAULT_STANDARD_FILE)
    assert content["code"] == DEFAULT_STANDARD_CODE
    assert checksum == hashlib.sha256(DEFAULT_STANDARD_FILE.read_bytes()).hexdigest()


# --- the checks refuse broken files -----------------------------------------------------


def _write(tmp_path: Path, data: dict, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _dimension(data: dict, category: str, code: str) -> dict:
    return next(d for d in data["categories"][category]["dimensions"] if d["code"] == code)


def _drop_service(data: dict) -> None:
    dims = data["categories"]["regional"]["dimensions"]
    dims.remove(_dimension(data, "regional", "service"))


def _duplicate_code(data: dict) -> None:
    _dimension(data, "public_institution", "organisation")["items"][1]["code"] = "P-ORG-1"


def _threshold(data: dict) -> None:
    data["thresholds"]["enterprise"]["membership_rate"] = 1.5


def _unknown_figure(data: dict) -> None:
    data["figures"]["regional"].append("bogus_count")


def _gap_in_numbers(data: dict) -> None:
    _dimension(data, "enterprise", "service")["items"][2]["number"] = 5


def _missing_evidence(data: dict) -> None:
    del _dimension(data, "regional", "satisfaction")["items"][0]["evidence"]


BROKEN = {
    "missing dimension": (
        _drop_service,
        "categories.regional.dimensions",
        "缺少维度 service（服务建设）",
    ),
    "duplicate code": (
        _duplicate_code,
        "categories.public_institution.dimensions[1].items[1].code",
        "代码 P-ORG-1 重复（已用于 categories.public_institution.dimensions[1].items[0].code）",
    ),
    "threshold 1.5": (
        _threshold,
        "thresholds.enterprise.membership_rate",
        "比率 1.5 超出范围：应大于 0 且不超过 1",
    ),
    "unknown figure": (_unknown_figure, "figures.regional[7]", "未知的关键数字 “bogus_count”"),
    "numbers not consecutive": (
        _gap_in_numbers,
        "categories.enterprise.dimensions[3].items",
        "编号应从 1 起连续（1…4），现为 1、2、5、4",
    ),
    "missing field": (
        _missing_evidence,
        "categories.regional.dimensions[5].items[0].evidence",
        "缺少此必填字段",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_checks_refuse_a_broken_file_naming_the_path(tmp_path, case):
    breaker, path, message = BROKEN[case]
    data = bundled()
    breaker(data)
    with pytest.raises(Invalid) as caught:
        load_standard(_write(tmp_path, data))
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}：") and message in problems[0], problems
    assert caught.value.errors == {path: [problems[0].split("：", 1)[1]]}
    assert "校验未通过，共 1 处问题" in caught.value.message
    assert problems[0] in caught.value.message


def test_all_problems_of_a_file_are_reported_together(tmp_path):
    data = bundled()
    for breaker in (_drop_service, _duplicate_code, _threshold, _unknown_figure):
        breaker(data)
    with pytest.raises(Invalid) as caught:
        load_standard(_write(tmp_path, data))
    paths = {p.split("：", 1)[0] for p in caught.value.problems}
    assert paths == {
        "categories.regional.dimensions",
        "categories.public_institution.dimensions[1].items[1].code",
        "thresholds.enterprise.membership_rate",
        "figures.regional[7]",
    }
    assert "共 4 处问题" in caught.value.message


def test_yaml_errors_and_duplicate_keys_are_refused(tmp_path):
    broken = tmp_path / "syntax.yaml"
    broken.write_text("code: [unclosed\n", encoding="utf-8")
    with pytest.raises(Invalid, match="不是有效的 YAML：第 2 行"):
        load_standard(broken)
    twice = tmp_path / "twice.yaml"
    twice.write_text("code: a\ntitle: b\ncode: c\n", encoding="utf-8")
    with pytest.raises(Invalid, match="第 3 行第 1 列：键 “code” 在同一层中出现了两次"):
        load_standard(twice)
    with pytest.raises(Invalid, match="无法读取标准文件"):
        load_standard(tmp_path / "missing.yaml")


# --- importing: versions are immutable --------------------------------------------------


def _edited_copy(tmp_path: Path, old: str, new: str, name: str = "edited.yaml") -> Path:
    text = DEFAULT_STANDARD_FILE.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _item_count(version_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(StandardItem).where(StandardItem.version_id == version_id)
    )


def test_import_twice_gives_the_same_version(app, tmp_path):
    path = _edited_copy(tmp_path, "code: qingdao-2020\n", "code: test-standard\n")
    version, created = import_standard(path)
    assert created and version.version == 1 and version.code == "test-standard"
    assert version.title == "青岛市新时代职工信赖的职工之家建设标准"
    assert version.content["thresholds"]["regional"]["spot_check_satisfaction_rate"] == 0.85
    assert _item_count(version.id) == 82
    again, created_again = import_standard(path)
    assert (again.id, created_again) == (version.id, False)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(StandardVersion)
            .where(StandardVersion.code == "test-standard")
        )
        == 1
    )
    assert _item_count(version.id) == 82

    items = items_for(version.id, "enterprise")
    assert [i.code for i in items[:3]] == ["E-POL-1", "E-POL-2", "E-POL-3"]
    assert len(items) == 31 and items[-1].code == "E-SAT-1"
    assert [i.position for i in items] == sorted(i.position for i in items)
    regional = items_for(version.id, "regional")
    assert len(regional) == 25 and len(items_for(version.id, "public_institution")) == 26
    org2 = next(i for i in regional if i.code == "R-ORG-2")
    assert (org2.dimension, org2.dimension_label, org2.number, org2.na_allowed) == (
        "organisation",
        "组织建设",
        2,
        False,
    )
    assert "农民工入会率达到80％（含）以上" in org2.text and org2.evidence_hint
    collective = next(i for i in items if i.code == "E-INS-9")
    assert collective.na_allowed is True
    # The political items of categories 2 and 3 repeat category 1's.
    assert [i.text for i in regional if i.dimension == "political"] == [
        i.text for i in items if i.dimension == "political"
    ]


def test_the_bundled_file_imports_once(app):
    version = ensure_default_standard()
    assert version.code == DEFAULT_STANDARD_CODE
    assert ensure_default_standard().id == version.id
    again, created = import_standard(DEFAULT_STANDARD_FILE)
    assert (again.id, created) == (latest_version(DEFAULT_STANDARD_CODE).id, False)


def test_an_edited_file_makes_a_new_version_and_the_old_one_stays(app, world, tmp_path):
    v1, _ = import_standard(DEFAULT_STANDARD_FILE)
    world.campaign.standard_version_id = v1.id
    db.session.commit()
    old = "组织职工加入工会，职工入会率应达100%。"
    new = "组织职工加入工会，职工入会率应达100%（修订）。"
    v2, created = import_standard(_edited_copy(tmp_path, old, new))
    assert created and v2.code == v1.code and v2.version == v1.version + 1
    assert v2.checksum != v1.checksum
    assert latest_version(DEFAULT_STANDARD_CODE).id == v2.id
    assert _item_count(v1.id) == _item_count(v2.id) == 82

    db.session.expire_all()
    campaign = db.session.get(Campaign, world.campaign.id)
    pinned = {i.code: i.text for i in items_for(campaign.standard_version_id, "enterprise")}
    assert pinned["E-ORG-6"] == old
    assert {i.code: i.text for i in items_for(v2.id, "enterprise")}["E-ORG-6"] == new
    assert campaign.standard_version.version == v1.version
    # Importing the original file again changes nothing: it is still version 1.
    assert import_standard(DEFAULT_STANDARD_FILE) == (v1, False)


def test_a_concurrent_import_of_the_same_file_is_taken_as_unchanged(app, monkeypatch):
    from app.standards import services

    v1 = ensure_default_standard()
    real_find = services._find
    calls = []

    def stale_find(code, checksum):  # the first look misses: another import not yet seen
        calls.append(code)
        return None if len(calls) == 1 else real_find(code, checksum)

    monkeypatch.setattr(services, "_find", stale_find)
    assert import_standard(DEFAULT_STANDARD_FILE) == (v1, False)
    assert len(calls) == 2 and _item_count(v1.id) == 82


def test_a_concurrent_import_of_another_file_asks_to_retry(app, tmp_path, monkeypatch):
    from app.standards import services

    v1 = ensure_default_standard()
    before = db.session.scalar(select(func.count()).select_from(StandardVersion))
    monkeypatch.setattr(services, "_next_version_number", lambda code: v1.version)
    with pytest.raises(Conflict, match="正在被另一次导入写入，请稍后重试"):
        import_standard(_edited_copy(tmp_path, "title: 青岛市", "title: 修订 青岛市"))
    assert db.session.scalar(select(func.count()).select_from(StandardVersion)) == before
    assert latest_version(DEFAULT_STANDARD_CODE).id == v1.id


def test_a_broken_file_imports_nothing(app, tmp_path):
    before = db.session.scalar(select(func.count()).select_from(StandardVersion))
    data = bundled()
    _threshold(data)
    with pytest.raises(Invalid):
        import_standard(_write(tmp_path, data))
    assert db.session.scalar(select(func.count()).select_from(StandardVersion)) == before


# --- pinning and the CLI ----------------------------------------------------------------


def _campaign(world, name: str = "另一次评选") -> Campaign:
    campaign = Campaign(
        name=name,
        year=2026,
        level=CampaignLevel.CITY,
        organizer_id=world.city.id,
        award_types=["model_home"],
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


def test_pin_version_rules(app, world, tmp_path):
    v1 = ensure_default_standard()
    v2, _ = import_standard(_edited_copy(tmp_path, "title: 青岛市", "title: 修订 青岛市"))
    quiet = _campaign(world)
    assert pin_version(quiet.id, v1) is True
    assert pin_version(quiet.id, v1) is False  # already pinned: nothing to do
    assert pin_version(quiet.id, v2) is True  # no nominations yet: may change
    busy = world.campaign
    world.nomination()
    busy.standard_version_id = None  # a campaign that took nominations before pinning
    db.session.commit()
    assert pin_version(busy.id, v1) is True  # nominations, but nothing pinned yet
    with pytest.raises(Conflict, match="已固定的标准版本在申报进行中从不改变"):
        pin_version(busy.id, v2)
    db.session.expire_all()
    assert db.session.get(Campaign, busy.id).standard_version_id == v1.id
    with pytest.raises(NotFound, match="没有编号为 999999 的评选活动"):
        pin_version(999999, v1)


def test_cli_import_standard_reports_counts_and_state(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["import-standard"])
    assert first.exit_code == 0, first.output
    version = latest_version(DEFAULT_STANDARD_CODE)
    assert (
        f"标准 qingdao-2020《青岛市新时代职工信赖的职工之家建设标准》第 {version.version} 版"
        in first.output
    )
    for line in ("企业：31 项", "机关事业单位：26 项", "区域性、行业性工会：25 项", "合计：82 项"):
        assert line in first.output
    second = runner.invoke(args=["import-standard", str(DEFAULT_STANDARD_FILE)])
    assert second.exit_code == 0, second.output
    assert f"第 {version.version} 版（内容未变，沿用已有版本）" in second.output


def test_cli_refuses_a_broken_file(app, tmp_path):
    data = bundled()
    _unknown_figure(data)
    result = app.test_cli_runner().invoke(args=["import-standard", str(_write(tmp_path, data))])
    assert result.exit_code != 0
    assert "figures.regional[7]：未知的关键数字 “bogus_count”" in result.output


def test_cli_pin_campaign(app, world, tmp_path):
    runner = app.test_cli_runner()
    world.nomination()
    world.campaign.standard_version_id = None  # nominations, no version pinned: may pin
    db.session.commit()
    pinned = runner.invoke(args=["import-standard", "--pin-campaign", str(world.campaign.id)])
    assert pinned.exit_code == 0, pinned.output
    v1 = latest_version(DEFAULT_STANDARD_CODE)
    assert f"评选活动 {world.campaign.id} 已固定此版本（第 {v1.version} 版）" in pinned.output

    edited = _edited_copy(tmp_path, "title: 青岛市", "title: 修订 青岛市")
    refused = runner.invoke(
        args=["import-standard", str(edited), "--pin-campaign", str(world.campaign.id)]
    )
    assert refused.exit_code != 0
    assert f"第 {v1.version + 1} 版（新导入）" in refused.output
    assert "已有申报，不能更换：已固定的标准版本在申报进行中从不改变" in refused.output
    db.session.expire_all()
    assert db.session.get(Campaign, world.campaign.id).standard_version_id == v1.id

    again = runner.invoke(args=["import-standard", "--pin-campaign", str(world.campaign.id)])
    assert again.exit_code == 0, again.output
    assert f"评选活动 {world.campaign.id} 早已固定此版本（第 {v1.version} 版）" in again.output

    missing = runner.invoke(args=["import-standard", "--pin-campaign", "999999"])
    assert missing.exit_code != 0 and "没有编号为 999999 的评选活动" in missing.output
