"""表彰决定 pages: the city's decision board (quotas with a chart, candidates ranked and
ticked, a selection over a quota refused with the reason), publishing the list, answering
objections, issuing the commendation, the working-day calendar and the Excel lists; nobody
else may open any of it."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.calendar.models import WorkCalendarDay
from app.calendar.services import period_of_working_days
from app.campaigns.models import Campaign, CampaignLevel, CampaignQuota, CampaignStatus
from app.commendation import certificates, selection
from app.commendation.models import ObjectionStatus, Publicity, Selection
from app.commendation.objections import lodge_objection
from app.commendation.publicity import publish_list
from app.extensions import db
from app.spot_checks.models import Conclusion
from app.timeutil import beijing_today
from tests.conftest import csrf_from, field_error, post_form
from tests.factories import spot_check
from tests.test_commendation import _end_period
from tests.test_query_budget import count_queries

OBJECTION = "该单位职代会近两年未召开，与申报材料不符。"
HEADER = [
    "序号",
    "区（县）",
    "单位名称",
    "申报类型",
    "自查达标项",
    "入会率",
    "会员满意率",
    "抽查结果",
]

# -- helpers ------------------------------------------------------------------------------


def _url(world, tail: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/campaigns/{world.campaign.id}/commendation{tail}"


def _text(html: str) -> str:
    """The page's text without tags, to assert what a user reads."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def candidates(world):  # type: ignore[no-untyped-def]
    """Three candidates in district A (quota 2), two in district B (quota 1)."""
    orgs = [world.union_a, world.union_a2, world.union_a, world.union_b, world.union_b]
    return [world.nomination(org=o, status="candidate") for o in orgs]


def _selection(candidates, picks: dict[int, str]) -> dict:  # type: ignore[no-untyped-def]
    """The table as posted: every row's id, the ranks typed, the rows ticked (by index)."""
    data: dict = {"nomination": [str(n.id) for n in candidates]}
    for i, n in enumerate(candidates):
        data[f"rank_{n.id}"] = picks.get(i, "")
        if i in picks:
            data[f"selected_{n.id}"] = "1"
    return data


def _publish(world, candidates) -> Publicity:  # type: ignore[no-untyped-def]
    city = world.user("city")
    selection.save_selection(
        city,
        world.campaign.id,
        {
            candidates[0].id: {"selected": True, "rank": 1},
            candidates[3].id: {"selected": True, "rank": 2},
        },
    )
    return publish_list(city, world.campaign.id)


def _lodge(publicity: Publicity, nomination_id: int, address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return lodge_objection(
        publicity.id,
        nomination_id,
        body=OBJECTION,
        name="李四",
        contact="13800000000",
        address=address,
    )


def _commend(client, world, publicity, number: str, day: str | None = None):  # type: ignore[no-untyped-def]
    """Post the commendation form of a publicity (the decision date defaults to today)."""
    prefix = f"c{publicity.id}"
    return post_form(
        client,
        _url(world),
        {
            f"{prefix}-document_number": number,
            f"{prefix}-decided_on": beijing_today().isoformat() if day is None else day,
        },
        action=_url(world, f"/publicities/{publicity.id}/commend"),
    )


def _workbook(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert ".xlsx" in response.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(response.data)).active


def _values(sheet) -> list[list]:  # type: ignore[no-untyped-def]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# -- the board ----------------------------------------------------------------------------


def test_the_board_shows_quotas_with_a_chart_and_the_candidates(world, client, auth, candidates):
    checked, check = spot_check(world, org=world.union_b)
    check.conclusion = Conclusion.PASS
    checked.status = "candidate"
    db.session.commit()
    auth.login("city")
    detail = client.get(f"/campaigns/{world.campaign.id}")
    assert f'href="{_url(world)}"' in detail.text
    assert 'data-testid="commendation-link"' in detail.text

    page = client.get(_url(world))
    assert page.status_code == 200
    text = _text(page.text)
    assert "表彰决定" in text and "各区县名额" in text
    # quota, selected, of which published, candidates
    assert "甲区总工会 2 0 0 3" in text and "乙区总工会 1 0 0 3" in text
    assert 'data-testid="quota-chart"' in page.text and "<svg" in page.text
    assert len(re.findall(r'<tr data-nomination="\d+"', page.text)) == 6
    assert "达标 31 / 31 项" in text and "入会率 100.0%" in text
    assert "未抽中" in text and "抽查合格" in text
    # the wide table scrolls inside its own box on a phone, the page does not
    assert re.search(
        r'class="table-responsive[^"]*">\s*<table[^>]*data-testid="candidate-table"', page.text
    )
    assert 'name="viewport" content="width=device-width' in page.text
    # the calendar is one click away
    assert "公示期按工作日计算，节假日和调休请在工作日历中维护" in text
    assert re.search(
        r'href="/calendar\?year=\d{4}&amp;campaign=' + str(world.campaign.id), page.text
    )
    # the default start date and the period it gives, in working days
    first, last = period_of_working_days(beijing_today(), 5)
    assert f"公示期：{beijing_today().isoformat()} 至 {last.isoformat()}，共 5 个工作日。" in text


def test_a_selection_within_the_quotas_is_saved(world, client, auth, candidates):
    auth.login("city")
    response = post_form(
        client,
        _url(world),
        _selection(candidates, {0: "1", 1: "2", 3: "3"}),
        action=_url(world, "/selection"),
    )
    assert response.status_code == 303
    saved = {s.nomination_id: (s.rank, s.selected) for s in db.session.scalars(select(Selection))}
    assert saved[candidates[0].id] == (1, True) and saved[candidates[3].id] == (3, True)
    assert saved[candidates[2].id] == (None, False)
    page = client.get(_url(world))
    assert "已保存：入选 3 个。" in _text(page.text)
    assert re.search(
        rf'id="selected_{candidates[1].id}" name="selected_{candidates[1].id}" '
        r'value="1" checked',
        page.text,
    )
    assert f'name="rank_{candidates[3].id}" value="3"' in page.text
    assert "甲区总工会 2 2 0 3" in _text(page.text)


def test_a_selection_over_the_quota_is_refused_with_the_reason_and_keeps_the_typing(
    world, client, auth, candidates
):
    auth.login("city")
    response = post_form(
        client,
        _url(world),
        _selection(candidates, {0: "7", 1: "8", 2: "9"}),
        action=_url(world, "/selection"),
    )
    assert response.status_code == 422
    reason = "甲区总工会名额 2 个，已选 3 个，超出名额。"
    top = re.search(r'data-testid="selection-errors">(.*?)</div>', response.text, re.S)
    assert top and reason in top.group(1) and "入选名单未保存" in top.group(1)
    assert field_error(response.text, f"district_{world.district_a.id}") == reason
    assert re.search(rf'<tr data-district="{world.district_a.id}" data-over="yes"', response.text)
    assert "超出名额" in response.text
    # what was typed is still there
    for i, rank in ((0, "7"), (1, "8"), (2, "9")):
        nid = candidates[i].id
        assert f'name="rank_{nid}" value="{rank}"' in response.text
        assert re.search(rf'name="selected_{nid}" value="1" checked', response.text)
    assert db.session.scalar(select(func.count()).select_from(Selection)) == 0  # nothing saved

    bad = post_form(
        client, _url(world), _selection(candidates, {0: "abc"}), action=_url(world, "/selection")
    )
    assert bad.status_code == 422
    assert field_error(bad.text, f"rank_{candidates[0].id}") == "排序须为正整数。"
    assert f'name="rank_{candidates[0].id}" value="abc"' in bad.text

    huge = post_form(
        client,
        _url(world),
        _selection(candidates, {0: "999999999999"}),
        action=_url(world, "/selection"),
    )  # beyond the integer column: no 500
    assert huge.status_code == 422
    assert field_error(huge.text, f"rank_{candidates[0].id}") == "排序不超过 9999。"
    assert db.session.scalar(select(func.count()).select_from(Selection)) == 0


def test_the_board_runs_a_constant_number_of_queries(world, client, auth, candidates):
    publicity = _publish(world, candidates)
    _lodge(publicity, candidates[0].id)
    auth.login("city")
    world.nomination(org=world.union_a, status="candidate")

    def queries() -> int:
        with count_queries() as counter:
            response = client.get(_url(world))
        assert response.status_code == 200, response.text
        return counter["n"]

    few = queries()
    for _ in range(8):
        world.nomination(org=world.union_a, status="candidate")
        world.nomination(org=world.union_b, status="candidate")
    _lodge(publicity, candidates[3].id, address="10.0.0.2")
    many = queries()
    assert many == few, f"{few} statements with few candidates, {many} with many"
    assert few <= 20


# -- publishing ---------------------------------------------------------------------------


def test_publish_the_list_moves_the_candidates_and_lists_the_publicity(
    world, client, auth, candidates
):
    auth.login("city")
    nothing = post_form(
        client,
        _url(world),
        {"starts_on": beijing_today().isoformat()},
        action=_url(world, "/publish"),
    )
    assert nothing.status_code == 303
    assert "还没有选定表彰对象，不能公示。" in _text(client.get(_url(world)).text)

    post_form(
        client,
        _url(world),
        _selection(candidates, {0: "1", 3: "2"}),
        action=_url(world, "/selection"),
    )
    past = post_form(
        client,
        _url(world),
        {"starts_on": "2020-01-06", "title": "我的标题"},
        action=_url(world, "/publish"),
    )
    assert past.status_code == 422
    assert field_error(past.text, "starts_on") == "请选择今天或以后的日期。"
    assert 'value="我的标题"' in past.text  # kept
    assert [n.status for n in candidates] == ["candidate"] * 5

    today = beijing_today()
    response = post_form(
        client,
        _url(world),
        {"starts_on": today.isoformat(), "title": "2026年度市级模范职工之家拟表彰名单公示"},
        action=_url(world, "/publish"),
    )
    assert response.status_code == 303
    publicity = db.session.scalar(select(Publicity))
    assert [n.status for n in candidates] == [
        "publicity",
        "not_commended",
        "not_commended",
        "publicity",
        "not_commended",
    ]
    page = client.get(_url(world))
    text = _text(page.text)
    assert (
        f"名单已公示，公示期 {publicity.starts_on.isoformat()} 至 "
        f"{publicity.ends_on.isoformat()}（5 个工作日）。"
    ) in text
    section = re.search(
        rf'<section[^>]*data-publicity="{publicity.id}".*?</section>', page.text, re.S
    ).group(0)
    assert "2026年度市级模范职工之家拟表彰名单公示" in section
    assert 'data-state="open"' in section and "公示中" in section
    assert re.search(r'data-testid="homes">2<', section)
    assert re.search(r'data-testid="open-objections">0<', section)
    assert f'href="/publicity/{publicity.id}"' in section
    assert "尚无异议" in _text(section)
    assert "暂无待决定的表彰候选" in text
    assert "甲区总工会 2 1 1 0" in text  # the published home counts against the quota


# -- objections and the commendation ------------------------------------------------------


def test_objections_are_answered_and_block_the_commendation_until_then(
    world, client, auth, candidates
):
    publicity = _publish(world, candidates)
    objection = _lodge(publicity, candidates[0].id)
    auth.login("city")
    page = client.get(_url(world))
    article = re.search(
        rf'<article[^>]*data-objection="{objection.id}".*?</article>', page.text, re.S
    ).group(0)
    assert OBJECTION in article and "甲区机械厂工会" in article
    assert "13800000000" in article and "李四" in article  # the city sees the contact
    assert "待答复" in article and "提出时间" in article
    assert re.search(r'data-testid="open-objections">1<', page.text)
    answer_url = _url(world, f"/objections/{objection.id}/answer")
    prefix = f"o{objection.id}"

    empty = post_form(
        client,
        _url(world),
        {f"{prefix}-decision": "dismiss", f"{prefix}-answer": "  "},
        action=answer_url,
    )
    assert empty.status_code == 422
    assert field_error(empty.text, f"{prefix}-answer") == "请填写答复意见（核查情况和理由）。"
    assert re.search(
        rf'id="{prefix}-decision-0"[^>]*value="dismiss" checked|'
        rf'checked[^>]*id="{prefix}-decision-0"',
        empty.text,
    )
    no_deadline = post_form(
        client,
        _url(world),
        {f"{prefix}-decision": "rectification", f"{prefix}-answer": "经审计，经费台账不全。"},
        action=answer_url,
    )
    assert no_deadline.status_code == 422
    assert field_error(no_deadline.text, f"{prefix}-deadline") == "请填写整改期限。"
    assert "经审计，经费台账不全。" in no_deadline.text  # kept

    # the period is not over: the commendation says when it is
    early = _commend(client, world, publicity, "示工发〔2026〕1号")
    assert early.status_code == 409
    assert f"公示期至 {publicity.ends_on.isoformat()} 结束，期满后方可发文表彰。" in _text(
        early.text
    )

    _end_period(publicity)
    blocked = _commend(client, world, publicity, "示工发〔2026〕1号")
    assert blocked.status_code == 409
    refusal = re.search(r'data-testid="commend-refusal">(.*?)</div>', blocked.text, re.S)
    assert refusal and "还有异议未答复" in refusal.group(1)
    assert f"异议 {objection.id}：甲区机械厂工会" in refusal.group(1)
    assert 'value="示工发〔2026〕1号"' in blocked.text  # kept
    assert candidates[0].status == "publicity"

    answered = post_form(
        client,
        _url(world),
        {
            f"{prefix}-decision": "dismiss",
            f"{prefix}-answer": "经核查，该单位2025年5月召开职代会，有会议纪要为证，异议不成立。",
        },
        action=answer_url,
    )
    assert answered.status_code == 303
    db.session.refresh(objection)
    assert objection.status == ObjectionStatus.DISMISSED
    page = client.get(_url(world))
    article = re.search(
        rf'<article[^>]*data-objection="{objection.id}".*?</article>', page.text, re.S
    ).group(0)
    assert "异议不成立" in article and "有会议纪要为证" in article
    assert "answer-form" not in article
    assert f"异议 {objection.id} 已答复。" in _text(page.text)

    missing = _commend(client, world, publicity, "", "")
    assert missing.status_code == 422
    prefix = f"c{publicity.id}"
    assert field_error(missing.text, f"{prefix}-document_number").startswith("请填写表彰决定文号")
    assert field_error(missing.text, f"{prefix}-decided_on") == "请输入日期，例如 2026-05-01。"

    done = _commend(client, world, publicity, "示工发〔2026〕1号")
    assert done.status_code == 303
    assert {candidates[0].status, candidates[3].status} == {"commended"}
    page = client.get(_url(world))
    text = _text(page.text)
    assert "已发文表彰（示工发〔2026〕1号），颁发证书 2 份。" in text
    decision = _text(re.search(r'data-testid="commendation">(.*?)</p>', page.text, re.S).group(1))
    assert "表彰文号：示工发〔2026〕1号" in decision.replace(" ", "")
    assert f"决定日期：{beijing_today().isoformat()}" in decision.replace(" ", "")
    table = re.search(r'data-testid="certificates">.*?</table>', page.text, re.S).group(0)
    for certificate in (
        certificates.certificate_of(candidates[0].id),
        certificates.certificate_of(candidates[3].id),
    ):
        assert certificate.serial in table and certificate.code in table
        assert f'href="/nominations/{certificate.nomination_id}/certificate.pdf"' in table
    assert "甲区机械厂工会" in table and "乙区街道总工会" in table
    assert 'data-state="commended"' in page.text and "commend-form" not in page.text
    again = _commend(client, world, publicity, "示工发〔2026〕2号")
    assert again.status_code == 303
    assert "该公示名单已经发文表彰。" in _text(client.get(_url(world)).text)


def test_an_upheld_objection_with_rectification_needs_a_deadline_in_the_future(
    world, client, auth, candidates
):
    publicity = _publish(world, candidates)
    objection = _lodge(publicity, candidates[3].id)
    auth.login("city")
    prefix = f"o{objection.id}"
    response = post_form(
        client,
        _url(world),
        {
            f"{prefix}-decision": "rectification",
            f"{prefix}-answer": "会员档案缺失，限期整改。",
            f"{prefix}-deadline": (beijing_today() + timedelta(days=20)).isoformat(),
        },
        action=_url(world, f"/objections/{objection.id}/answer"),
    )
    assert response.status_code == 303
    assert candidates[3].status == "honour_rectification"
    article = re.search(
        rf'<article[^>]*data-objection="{objection.id}".*?</article>',
        client.get(_url(world)).text,
        re.S,
    ).group(0)
    assert "异议成立·限期整改" in article


# -- the calendar ---------------------------------------------------------------------------


NATIONAL_DAY = (
    "2026-10-01 休 国庆节\n2026-10-02 休 国庆节\n2026-10-05 休\n2026-10-06 休\n"
    "2026-10-07 休 国庆节\n2026-10-10 班 国庆调休上班\n"
)


def _preview(client, world, starts_on: str) -> str:  # type: ignore[no-untyped-def]
    response = post_form(
        client,
        _url(world),
        {"starts_on": starts_on, "preview": "1"},
        action=_url(world, "/publish"),
    )
    assert response.status_code == 200
    return re.search(r'data-testid="publicity-period">(.*?)</p>', response.text, re.S).group(1)


def test_the_calendar_imports_days_and_changes_the_period_shown(world, client, auth, candidates):
    auth.login("city")
    assert "2026-09-29 至 2026-10-05，共 5 个工作日" in _preview(client, world, "2026-09-29")
    assert [n.status for n in candidates] == ["candidate"] * 5  # a preview publishes nothing

    page = client.get("/calendar?year=2026")
    assert page.status_code == 200
    assert "2026-10-01 休 国庆节" in page.text  # the format, by example
    bad = post_form(
        client,
        "/calendar?year=2026",
        {"text": "2026-10-01 休 国庆节\n2026-13-01 休 乱写\n"},
        action="/calendar/import?year=2026",
    )
    assert bad.status_code == 422
    errors = re.search(r'data-testid="import-errors">(.*?)</ul>', bad.text, re.S).group(1)
    assert "第 2 行格式有误" in errors and "2026-13-01" in errors
    assert "2026-13-01 休 乱写" in bad.text  # kept in the textarea
    assert db.session.scalar(select(func.count()).select_from(WorkCalendarDay)) == 0

    done = post_form(
        client, "/calendar?year=2026", {"text": NATIONAL_DAY}, action="/calendar/import?year=2026"
    )
    assert done.status_code == 303 and done.headers["Location"].endswith("/calendar?year=2026")
    page = client.get("/calendar?year=2026")
    text = _text(page.text)
    assert "已导入 6 天。" in text
    assert "2026-10-01 星期四 休（放假） 国庆节" in text
    assert "2026-10-10 星期六 班（上班） 国庆调休上班" in text
    assert "2026-10-10 至 2026-10-10" not in text
    assert "2026-09-29 至 2026-10-10，共 5 个工作日" in _preview(client, world, "2026-09-29")

    # one day by hand, and back to the rule
    one = post_form(
        client,
        "/calendar?year=2026",
        {"day": "2026-10-10", "kind": "off", "note": ""},
        action="/calendar/day?year=2026",
    )
    assert one.status_code == 303
    assert "2026-10-10 已恢复按周一至周五的规则计算。" in _text(client.get("/calendar").text)
    assert "2026-09-29 至 2026-10-12，共 5 个工作日" in _preview(client, world, "2026-09-29")
    post_form(
        client,
        "/calendar?year=2026",
        {"day": "2026-05-01", "kind": "off", "note": "劳动节"},
        action="/calendar/day?year=2026",
    )
    assert db.session.get(WorkCalendarDay, date(2026, 5, 1)).note == "劳动节"
    wrong = post_form(
        client,
        "/calendar?year=2026",
        {"day": "五月一日", "kind": "off"},
        action="/calendar/day?year=2026",
    )
    assert wrong.status_code == 422
    assert field_error(wrong.text, "day") == "请输入日期，例如 2026-05-01。"

    deleted = post_form(client, "/calendar?year=2026", {}, action="/calendar/2026-05-01/delete")
    assert deleted.status_code == 303
    assert db.session.get(WorkCalendarDay, date(2026, 5, 1)) is None


# -- Excel --------------------------------------------------------------------------------


def test_the_candidate_list_in_excel(world, client, auth, candidates):
    world.union_a2.name = '=HYPERLINK("http://evil.example","点我")'
    db.session.commit()
    selection.save_selection(
        world.user("city"),
        world.campaign.id,
        {
            candidates[0].id: {"selected": True, "rank": 1},
            candidates[1].id: {"selected": True, "rank": 2},
        },
    )
    auth.login("city")
    assert f'href="{_url(world, "/candidates.xlsx")}"' in client.get(_url(world)).text
    sheet = _workbook(client.get(_url(world, "/candidates.xlsx")))
    rows = _values(sheet)
    assert rows[0][0] == "2026年度市级模范职工之家评选 表彰候选名单"
    assert rows[1] == [*HEADER, "排序", "是否入选"]
    assert len(rows) == 2 + 5
    first = rows[2]
    assert first[:4] == [1, "甲区总工会", "甲区机械厂工会", "模范职工之家"]
    assert first[4] == "31/31" and first[5] == "100.0%" and first[7] == "未抽中"
    assert first[8:] == [1, "是"]
    assert rows[-1][8:] == [None, "否"] or rows[-1][8:] == ["", "否"]
    evil = next(r for r in sheet.iter_rows(min_row=3) if "HYPERLINK" in str(r[2].value))
    assert evil[2].data_type == "s" and evil[2].value.lstrip("'").startswith("=HYPERLINK")


def test_the_decision_list_in_excel_before_and_after_the_commendation(
    world, client, auth, candidates
):
    publicity = _publish(world, candidates)
    auth.login("city")
    url = _url(world, f"/publicities/{publicity.id}/list.xlsx")
    rows = _values(_workbook(client.get(url)))
    assert rows[0][0] == "2026年度市级模范职工之家评选 拟表彰名单（公示）"
    assert rows[1] == [*HEADER, "公示期", "状态"]
    period = f"{publicity.starts_on.isoformat()} — {publicity.ends_on.isoformat()}"
    assert [r[2] for r in rows[2:]] == ["甲区机械厂工会", "乙区街道总工会"]
    assert rows[2][8] == period

    _end_period(publicity)
    certificates.commend(
        world.user("city"),
        publicity.id,
        document_number="示工发〔2026〕9号",
        decided_on=beijing_today(),
    )
    rows = _values(_workbook(client.get(url)))
    assert rows[0][0] == "2026年度市级模范职工之家评选 表彰名单（示工发〔2026〕9号）"
    assert rows[1] == [*HEADER, "表彰文号", "决定日期", "证书编号"]
    assert [(r[1], r[2], r[8], r[10]) for r in rows[2:]] == [
        ("甲区总工会", "甲区机械厂工会", "示工发〔2026〕9号", "2026-0001"),
        ("乙区总工会", "乙区街道总工会", "示工发〔2026〕9号", "2026-0002"),
    ]


# -- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reviewer_a", "union_a", "inspector"])
def test_nobody_but_the_city_opens_a_page_or_posts(world, client, auth, candidates, who):
    publicity = _publish(world, candidates)
    objection = _lodge(publicity, candidates[0].id)
    auth.login(who)
    detail = client.get(f"/campaigns/{world.campaign.id}")
    assert detail.status_code == 200 and "commendation-link" not in detail.text
    for url in (
        _url(world),
        _url(world, "/candidates.xlsx"),
        _url(world, f"/publicities/{publicity.id}/list.xlsx"),
        "/calendar?year=2026",
    ):
        assert client.get(url).status_code in (403, 404), url
    token = csrf_from(client.get("/").text)
    posts = {
        _url(world, "/selection"): _selection(candidates, {1: "1"}),
        _url(world, "/publish"): {"starts_on": beijing_today().isoformat()},
        _url(world, f"/objections/{objection.id}/answer"): {
            f"o{objection.id}-decision": "dismiss",
            f"o{objection.id}-answer": "不成立。",
        },
        _url(world, f"/publicities/{publicity.id}/commend"): {
            f"c{publicity.id}-document_number": "x号",
            f"c{publicity.id}-decided_on": beijing_today().isoformat(),
        },
        "/calendar/day": {"day": "2026-05-01", "kind": "off"},
        "/calendar/import": {"text": "2026-05-01 休 劳动节"},
        "/calendar/2026-05-01/delete": {},
    }
    for url, data in posts.items():
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code in (403, 404), url
    db.session.refresh(objection)
    assert objection.status == ObjectionStatus.OPEN
    assert db.session.scalar(select(func.count()).select_from(WorkCalendarDay)) == 0
    assert candidates[1].status == "not_commended"  # untouched since the city published


def test_objects_of_another_campaign_are_not_found_through_this_one(
    world, client, auth, candidates
):
    other = Campaign(
        name="2026年度区级评选",
        year=2026,
        level=CampaignLevel.CITY,
        status=CampaignStatus.OPEN,
        organizer_id=world.city.id,
        award_types=world.campaign.award_types,
        standard_version_id=world.campaign.standard_version_id,
    )
    other.quotas.append(CampaignQuota(district_id=world.district_b.id, quota=1))
    db.session.add(other)
    db.session.commit()
    nomination = world.nomination(org=world.union_b, status="candidate")
    nomination.campaign_id = other.id
    db.session.commit()
    city = world.user("city")
    selection.save_selection(city, other.id, {nomination.id: {"selected": True, "rank": 1}})
    theirs = publish_list(city, other.id)
    objection = _lodge(theirs, nomination.id)
    auth.login("city")
    token = csrf_from(client.get(_url(world)).text)
    answer = client.post(
        _url(world, f"/objections/{objection.id}/answer"),
        data={
            "csrf_token": token,
            f"o{objection.id}-decision": "dismiss",
            f"o{objection.id}-answer": "不成立。",
        },
    )
    assert answer.status_code == 404
    commend = client.post(
        _url(world, f"/publicities/{theirs.id}/commend"),
        data={"csrf_token": token, f"c{theirs.id}-document_number": "x号"},
    )
    assert commend.status_code == 404
    assert client.get(_url(world, f"/publicities/{theirs.id}/list.xlsx")).status_code == 404
    assert client.get(_url(world, "/publicities/99999/list.xlsx")).status_code == 404
    assert client.get("/campaigns/99999/commendation").status_code == 404
    # and a form without its CSRF token is refused
    assert (
        client.post(_url(world, "/selection"), data=_selection(candidates, {0: "1"})).status_code
        == 400
    )


# -- on a phone -----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.committing
def test_the_board_and_the_calendar_fit_a_phone(app, phone):  # type: ignore[no-untyped-def]
    """375 px wide: the tables scroll inside their boxes, the page itself never sideways;
    an over-quota selection made by ticking shows its reason and keeps the ticks."""
    from playwright.sync_api import expect

    from tests.browser_support import assert_fits_the_phone, log_in, screenshot
    from tests.factories import build_world

    with app.test_request_context():
        world = build_world()
        first = [
            world.nomination(org=o, status="candidate") for o in (world.union_a, world.union_b)
        ]
        city = world.user("city")
        selection.save_selection(
            city, world.campaign.id, {n.id: {"selected": True, "rank": 1} for n in first}
        )
        publicity = publish_list(city, world.campaign.id)
        _lodge(publicity, first[0].id)
        more = [
            world.nomination(org=o, status="candidate")
            for o in (world.union_a, world.union_a2, world.union_b)
        ]
        campaign_id, ids = world.campaign.id, [n.id for n in more]

    log_in(phone, "city")
    phone.goto(f"/campaigns/{campaign_id}/commendation")
    expect(phone.get_by_test_id("candidate-table")).to_be_visible()
    expect(phone.get_by_test_id("quota-chart")).to_be_visible()
    expect(phone.get_by_text("13800000000")).to_be_visible()
    assert_fits_the_phone(phone)
    phone.locator(f"#rank_{ids[0]}").fill("1")
    phone.locator(f"#selected_{ids[0]}").check()
    phone.locator(f"#selected_{ids[1]}").check()
    phone.get_by_test_id("save-selection").click()
    expect(phone.get_by_test_id("selection-errors")).to_contain_text(
        "甲区总工会名额 2 个，已选 3 个，超出名额。"
    )
    expect(phone.locator(f"#selected_{ids[1]}")).to_be_checked()
    expect(phone.locator(f"#rank_{ids[0]}")).to_have_value("1")
    assert_fits_the_phone(phone)
    screenshot(phone, "commendation-board-phone")

    phone.get_by_test_id("calendar-link").get_by_role("link").click()
    phone.get_by_label("日期，每行一天").fill("2026-10-01 休 国庆节\n2026-10-10 班 国庆调休上班")
    phone.get_by_role("button", name="导入").click()
    expect(phone.get_by_test_id("calendar-days")).to_contain_text("国庆调休上班")
    assert_fits_the_phone(phone)
    screenshot(phone, "commendation-calendar-phone")
    assert not phone.js_errors
