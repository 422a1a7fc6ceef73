"""随机抽查 pages: the inspector's log on a phone (visit, findings, photos, the conclusion and
its agreement), who sees what, the 85% interview rule, rectification to both ends, the
inspector's list and its CSV, and the pages' query budgets."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.nominations.models import Nomination
from app.spot_checks import checks, conclusion, log
from app.spot_checks.models import CheckFinding, CheckPhoto, SpotCheck
from app.timeutil import beijing_today
from tests.conftest import csrf_from, field_error
from tests.factories import add_inspectors, spot_check
from tests.test_query_budget import count_queries

TEAM = ("inspector", "inspector_b")  # the city's inspector and district B's


# -- helpers ------------------------------------------------------------------------------


def _page(check) -> str:  # type: ignore[no-untyped-def]
    return f"/spot-checks/{check.id}"


def _jpeg(name: str = "现场照片.jpg", colour: tuple[int, int, int] = (200, 30, 30)):  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), colour).save(buffer, "JPEG")
    buffer.seek(0)
    return buffer, name


def _items(nomination) -> list[int]:  # type: ignore[no-untyped-def]
    view = checks.check_view(checks.check_of(nomination.id), nomination)
    return [row.item.id for row in view.items]


def _log(
    nomination,
    finding: str = "meets",
    asked: str = "20",  # type: ignore[no-untyped-def]
    satisfied: str = "20",
    place: str = "机械厂工会会议室",
) -> dict[str, str]:
    data = {
        "visited_on": beijing_today().isoformat(),
        "place": place,
        "interviewed": asked,
        "interviewed_satisfied": satisfied,
    }
    for item in _items(nomination):
        data[f"finding_{item}"] = finding
        data[f"notes_{item}"] = "现场查看台账。"
    return data


def _post(client, check, path: str, data: dict, **kw):  # type: ignore[no-untyped-def]
    """Post one of the check page's forms with the page's CSRF token."""
    page = client.get(_page(check))
    assert page.status_code == 200, page.text
    return client.post(
        f"{_page(check)}{path}", data={**data, "csrf_token": csrf_from(page.text)}, **kw
    )


def _fill(
    world,
    check,
    nomination,
    who: str = "inspector",
    finding: str = "meets",  # type: ignore[no-untyped-def]
    asked: int = 20,
    satisfied: int = 20,
) -> None:
    """The log kept through the services (for tests about what follows)."""
    user = world.user(who)
    log.save_visit(
        user,
        check.id,
        visited_on=beijing_today(),
        place="单位会议室",
        interviewed=asked,
        interviewed_satisfied=satisfied,
    )
    log.save_findings(
        user, check.id, {i: {"finding": finding, "notes": "现场查看。"} for i in _items(nomination)}
    )


class _FormReader(HTMLParser):
    """What a browser would send from one form of a page, untouched (no file, no button)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.values = form_id, False, {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif self.inside and tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            if kind not in ("file", "submit"):
                self.values[a["name"]] = a.get("value", "")
        elif self.inside and tag == "textarea":
            self._textarea = a["name"]
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._textarea:
            self.values[self._textarea] += data


def _form_values(html: str, form_id: str = "log-form") -> dict[str, str]:
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.values


def _status(nomination) -> str:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(Nomination.status).where(Nomination.id == nomination.id))


# -- the log, the conclusion and the agreement --------------------------------------------


def test_inspector_logs_on_site_proposes_pass_and_the_second_agrees(world, client, auth):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    items = _items(nomination)
    auth.login("inspector")

    page = client.get(_page(check))
    assert page.status_code == 200
    html = page.text
    assert "抽查记录" in html and nomination.org.name in html
    for word in ("符合", "基本符合", "不符合", "保存", "检查日期", "访谈会员人数"):
        assert word in html, word
    assert html.count('accept="image/*" capture="environment"') == len(items)
    assert 'enctype="multipart/form-data"' in html
    assert re.search(rf'id="visited_on"[^>]*value="{beijing_today().isoformat()}"', html)
    assert f'name="finding_{items[0]}"' in html and f'name="notes_{items[0]}"' in html

    # Visit, every finding and a photo of the first item, in one post.
    data = _log(nomination)
    data[f"notes_{items[0]}"] = "会员档案齐全，照片为档案柜。"
    data[f"photo_{items[0]}"] = _jpeg()
    response = _post(client, check, "/log", data, content_type="multipart/form-data")
    assert response.status_code == 303, response.text
    db.session.refresh(check)
    assert check.place == "机械厂工会会议室" and check.interviewed == 20
    assert db.session.scalar(
        select(func.count())
        .select_from(CheckFinding)
        .where(CheckFinding.spot_check_id == check.id, CheckFinding.finding == "meets")
    ) == len(items)
    photo = db.session.scalar(select(CheckPhoto))
    assert photo is not None and photo.finding.item_id == items[0]

    page = client.get(_page(check)).text
    assert "已添加 1 张照片。" in page
    thumb = f"/evidence/{photo.evidence_id}/thumbnail"
    assert thumb in page and "现场照片.jpg" in page
    assert "会员档案齐全，照片为档案柜。" in page
    assert f'data-testid="count-meets">{len(items)}<' in page
    assert 'data-testid="count-none">0<' in page
    assert "访谈满意率" in page and "100.0%" in page
    image = client.get(thumb)
    assert image.status_code == 200 and image.mimetype == "image/jpeg"

    # Saving the same log again changes nothing.
    response = _post(
        client,
        check,
        "/log",
        _log(nomination) | {f"notes_{items[0]}": "会员档案齐全，照片为档案柜。"},
    )
    assert response.status_code == 303
    assert "没有需要保存的修改。" in client.get(_page(check)).text

    response = _post(client, check, "/conclusion", {"conclusion": "pass", "notes": ""})
    assert response.status_code == 303, response.text
    assert _status(nomination) == "spot_check"  # the second inspector has not agreed yet
    page = client.get(_page(check)).text
    assert "已提出抽查结论，请其他抽查员确认。" in page
    assert "您已同意该结论" in page and "同意该结论</button>" not in page

    auth.logout()
    auth.login("inspector_b")
    page = client.get(_page(check)).text
    assert "同意该结论</button>" in page and "合格" in page
    assert "1 / 2 名抽查员已同意" in page
    response = client.post(
        f"{_page(check)}/agree",
        data={
            "csrf_token": csrf_from(page),
            "fingerprint": re.search(r'name="fingerprint" type="hidden" value="(\w+)"', page)[1],
        },
    )
    assert response.status_code == 303
    assert _status(nomination) == "candidate"
    page = client.get(_page(check)).text
    assert "抽查结论已生效，该申报现为“表彰候选”。" in page
    assert 'data-testid="log-form"' not in page  # the log is closed now
    assert "现场照片.jpg" in page  # and read by everyone who may see it

    detail = client.get(f"/nominations/{nomination.id}").text
    assert 'data-testid="state">表彰候选<' in detail
    assert 'data-testid="spot-check-card"' in detail and "合格" in detail
    assert f'href="{_page(check)}"' in detail


def test_a_changed_conclusion_is_not_agreed_to_blindly(world, client, auth):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    _fill(world, check, nomination)
    conclusion.propose_conclusion(world.user("inspector"), check.id, conclusion="pass", notes=None)
    auth.login("inspector_b")
    page = client.get(_page(check)).text
    stale = re.search(r'name="fingerprint" type="hidden" value="(\w+)"', page)[1]
    # Meanwhile the first inspector changes the proposal.
    conclusion.propose_conclusion(
        world.user("inspector"), check.id, conclusion="fail", notes="多处台账缺失。"
    )
    response = client.post(
        f"{_page(check)}/agree", data={"csrf_token": csrf_from(page), "fingerprint": stale}
    )
    assert response.status_code == 303
    page = client.get(_page(check)).text
    assert "抽查结论已被修改，请重新查看后再确认。" in page
    assert "不合格" in page and "多处台账缺失。" in page
    assert _status(nomination) == "spot_check"


def test_two_inspectors_saving_at_once_keep_each_others_findings(world, client, auth, new_client):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    _fill(world, check, nomination)
    items = _items(nomination)
    auth.login("inspector")
    other = new_client()
    other.post(
        "/login",
        data={
            "username": "inspector_b",
            "password": "password-123",
            "csrf_token": csrf_from(other.get("/login").text),
        },
    )
    mine = client.get(_page(check)).text
    theirs = other.get(_page(check)).text
    # Both opened the page; each changes one item and the visit's place or not at all.
    data = _form_values(mine) | {f"finding_{items[0]}": "partly", f"notes_{items[0]}": "台账不全。"}
    assert client.post(f"{_page(check)}/log", data=data).status_code == 303
    data = _form_values(theirs) | {
        f"finding_{items[1]}": "fails",
        f"notes_{items[1]}": "无活动阵地。",
        "place": "活动室",
    }
    assert other.post(f"{_page(check)}/log", data=data).status_code == 303
    findings = {
        f.item_id: (f.finding, f.notes)
        for f in db.session.scalars(
            select(CheckFinding).where(CheckFinding.spot_check_id == check.id)
        )
    }
    assert findings[items[0]] == ("partly", "台账不全。")  # not undone by the second save
    assert findings[items[1]] == ("fails", "无活动阵地。")
    assert findings[items[2]] == ("meets", "现场查看。")
    db.session.refresh(check)
    assert check.place == "活动室" and check.interviewed == 20


def test_the_conclusion_form_says_what_stops_it(world, client, auth):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    auth.login("inspector")
    response = _post(client, check, "/conclusion", {"conclusion": "pass"})
    assert response.status_code == 409
    assert "暂不能提出该结论" in response.text
    assert "请填写检查日期和地点。" in response.text and "未填写检查结果" in response.text
    response = _post(client, check, "/conclusion", {})
    assert response.status_code == 422
    assert field_error(response.text, "conclusion") == "请选择抽查结论。"
    response = _post(client, check, "/conclusion", {"conclusion": "rectify", "notes": ""})
    assert response.status_code == 422
    assert field_error(response.text, "items") == "请选择需要整改的项目。"
    assert field_error(response.text, "deadline") == "请填写整改期限。"
    assert field_error(response.text, "notes") == "“限期整改”须写明意见。"
    assert check.conclusion is None


# -- who sees what ------------------------------------------------------------------------


def test_other_inspectors_get_404(world, client, auth):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    auth.login("inspector_c2")
    assert client.get(_page(check)).status_code == 404
    assert client.get(f"/nominations/{nomination.id}").status_code == 404
    token = csrf_from(client.get("/").text)
    for path in ("/log", "/conclusion", "/agree", "/rectification", "/rectification/decision"):
        response = client.post(f"{_page(check)}{path}", data={"csrf_token": token})
        assert response.status_code == 404, path
    assert client.get("/spot-checks/999999").status_code == 404


def test_forms_need_their_csrf_token(world, client, auth):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    auth.login("inspector")
    response = client.post(f"{_page(check)}/log", data=_log(nomination))
    assert response.status_code == 400 and "表单已过期" in response.text
    assert db.session.scalar(select(func.count()).select_from(CheckFinding)) == 0


def test_the_union_sees_the_log_only_once_concluded_and_read_only(world, client, auth):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    _fill(world, check, nomination)
    conclusion.propose_conclusion(world.user("inspector"), check.id, conclusion="pass", notes=None)
    auth.login("union_a")
    assert client.get(_page(check)).status_code == 404
    detail = client.get(f"/nominations/{nomination.id}").text
    assert 'data-testid="spot-check-card"' not in detail and _page(check) not in detail
    response = client.post(
        f"{_page(check)}/log", data={"csrf_token": csrf_from(detail), "place": "x"}
    )
    assert response.status_code == 404

    conclusion.agree(world.user("inspector_b"), check.id, checks.fingerprint(check))
    page = client.get(_page(check))
    assert page.status_code == 200
    html = page.text
    assert "合格" in html and "单位会议室" in html and "现场查看。" in html
    for form in ("log-form", "conclusion-form", "agree-form", "decision-form", "rect-form"):
        assert f'data-testid="{form}"' not in html, form
    assert 'name="finding_' not in html
    response = client.post(
        f"{_page(check)}/log", data={"csrf_token": csrf_from(html), "place": "改"}
    )
    assert response.status_code == 403
    detail = client.get(f"/nominations/{nomination.id}").text
    assert 'data-testid="spot-check-card"' in detail


def test_the_city_reads_the_open_log(world, client, auth):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    _fill(world, check, nomination)
    auth.login("city")
    page = client.get(_page(check)).text
    assert "现场查看。" in page and 'data-testid="log-form"' not in page
    assert "尚未提出抽查结论。" in page
    detail = client.get(f"/nominations/{nomination.id}").text
    assert 'data-testid="spot-check-card"' in detail and "检查中" in detail
    assert "甲区抽查员" not in detail and "乙区抽查员" in detail


# -- the 85% rule and form errors ---------------------------------------------------------


def test_regional_union_sample_must_reach_85_percent(world, client, auth):
    add_inspectors(world)
    nomination, check = spot_check(
        world, org=world.union_b, inspectors=("inspector", "inspector_a")
    )
    auth.login("inspector")
    page = client.get(_page(check)).text
    assert "区域性、行业性工会的访谈样本满意率须达到 85%" in page
    response = _post(client, check, "/log", _log(nomination, asked="20", satisfied="16"))
    assert response.status_code == 303
    page = client.get(_page(check)).text
    assert "80.0%" in page
    below = re.search(r"<span[^>]*data-rate-below[^>]*>([^<]+)<", page)
    assert below and "hidden" not in below[0] and "低于 85% 的要求，不能判定合格" in below[1]
    response = _post(client, check, "/conclusion", {"conclusion": "pass"})
    assert response.status_code == 409
    assert "访谈抽样满意率 80.0%，低于标准要求的 85%，不能判定合格。" in response.text

    response = _post(client, check, "/log", _log(nomination, asked="20", satisfied="17"))
    assert response.status_code == 303
    page = client.get(_page(check)).text
    meets = re.search(r"<span[^>]*data-rate-meets[^>]*>([^<]+)<", page)
    assert "85.0%" in page and "hidden" not in meets[0] and "达到 85% 的要求" in meets[1]
    assert _post(client, check, "/conclusion", {"conclusion": "pass"}).status_code == 303


def test_enterprise_sample_has_no_minimum(world, client, auth):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    auth.login("inspector")
    page = client.get(_page(check)).text
    assert "本类单位的访谈样本不设满意率门槛。" in page and "85%" not in page


def test_log_errors_are_shown_next_to_the_field_and_nothing_typed_is_lost(world, client, auth):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    items = _items(nomination)
    auth.login("inspector")
    data = _log(nomination, asked="20", satisfied="25", place="二楼职工书屋")
    data[f"finding_{items[1]}"] = "partly"
    data[f"notes_{items[1]}"] = "书屋图书登记不全"
    data[f"notes_{items[2]}"] = "很长" * 1001  # over 2000 characters
    response = _post(client, check, "/log", data)
    assert response.status_code == 422
    html = response.text
    assert field_error(html, "interviewed_satisfied") == "满意人数（25）不能大于访谈人数（20）。"
    assert field_error(html, f"notes_{items[2]}") == "说明不超过 2000 个字。"
    assert "检查记录未全部保存，请更正标红的项目。" in html
    # what was typed is all there
    assert re.search(r'id="interviewed_satisfied"[^>]*value="25"', html)
    assert re.search(r'id="interviewed"[^>]*value="20"', html)
    assert re.search(r'id="place"[^>]*value="二楼职工书屋"', html)
    assert "书屋图书登记不全</textarea>" in html
    assert re.search(rf'id="finding_{items[1]}_partly"[^>]*checked', html)
    assert ("很长" * 1001) + "</textarea>" in html
    db.session.refresh(check)
    assert check.interviewed is None and check.place is None  # the visit was not saved

    # a date in the future, a malformed date, a count that is not a number
    data = _log(nomination, asked="二十")
    data["visited_on"] = (beijing_today() + timedelta(days=3)).isoformat()
    response = _post(client, check, "/log", data)
    assert response.status_code == 422
    assert field_error(response.text, "visited_on") == "检查日期不能晚于今天。"
    assert field_error(response.text, "interviewed") == "访谈人数须为整数。"
    data["visited_on"] = "明天"
    response = _post(client, check, "/log", data)
    assert response.status_code == 422
    assert field_error(response.text, "visited_on") == "请输入日期，例如 2026-05-01。"
    assert re.search(r'id="visited_on"[^>]*value="明天"', response.text)


def test_a_file_that_is_not_a_photo_is_refused_next_to_its_item(world, client, auth):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    items = _items(nomination)
    auth.login("inspector")
    data = _log(nomination)
    data[f"photo_{items[3]}"] = (io.BytesIO(b"%PDF-1.4\n%%EOF"), "记录.pdf")
    response = _post(client, check, "/log", data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_error(response.text, f"photo_{items[3]}") == "请上传照片。"
    assert db.session.scalar(select(func.count()).select_from(CheckPhoto)) == 0

    # A photo is deleted from the same form; the findings typed meanwhile are kept.
    log.add_photo(world.user("inspector"), check.id, items[0], _storage())
    photo = db.session.scalar(select(CheckPhoto))
    data = _log(nomination) | {f"notes_{items[0]}": "照片重拍。", "remove_photo": str(photo.id)}
    response = _post(client, check, "/log", data)
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(CheckPhoto)) == 0
    assert "照片重拍。" in client.get(_page(check)).text


def _storage():  # type: ignore[no-untyped-def]
    from werkzeug.datastructures import FileStorage

    buffer, name = _jpeg("档案柜.jpg", (10, 120, 10))
    return FileStorage(stream=buffer, filename=name, content_type="image/jpeg")


# -- rectification ------------------------------------------------------------------------


def _order_rectification(world, client, auth, nomination, check) -> list[int]:  # type: ignore[no-untyped-def]
    """Through the page: one item 不符合, one 基本符合, proposed as 限期整改; then agreed."""
    items = _items(nomination)
    _fill(world, check, nomination)
    log.save_findings(
        world.user("inspector"),
        check.id,
        {
            items[0]: {"finding": "fails", "notes": "无会员档案。"},
            items[1]: {"finding": "partly", "notes": "职工书屋未开放。"},
        },
    )
    auth.login("inspector")
    page = client.get(_page(check)).text
    # the items found 基本符合 / 不符合 come ticked
    assert re.search(rf'value="{items[0]}" id="rect-item-{items[0]}" checked', page)
    assert re.search(rf'value="{items[1]}" id="rect-item-{items[1]}" checked', page)
    assert not re.search(rf'value="{items[2]}" id="rect-item-{items[2]}" checked', page)
    deadline = beijing_today() + timedelta(days=30)
    response = client.post(
        f"{_page(check)}/conclusion",
        data={
            "csrf_token": csrf_from(page),
            "conclusion": "rectify",
            "notes": "会员档案缺失。",
            "items": [str(items[0]), str(items[1])],
            "deadline": deadline.isoformat(),
        },
    )
    assert response.status_code == 303, response.text
    conclusion.agree(world.user("inspector_b"), check.id, checks.fingerprint(check))
    assert _status(nomination) == "rectification"
    auth.logout()
    return items[:2]


def test_rectification_answered_by_the_union_and_accepted(world, client, auth):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    fixed = _order_rectification(world, client, auth, nomination, check)

    auth.login("union_a")
    page = client.get(_page(check)).text
    assert "限期整改" in page and "无会员档案。" in page and "职工书屋未开放。" in page
    deadline = (beijing_today() + timedelta(days=30)).isoformat()
    assert deadline in page and 'data-testid="overdue"' not in page
    assert 'data-testid="rect-form"' in page and 'data-testid="log-form"' not in page

    # Handing in an incomplete answer says what is missing, keeping what was typed.
    response = _post(
        client,
        check,
        "/rectification",
        {f"statement_{fixed[0]}": "已补建会员档案。", "submit": "1"},
    )
    assert response.status_code == 409
    assert "整改情况尚不完整" in response.text and "请上传整改佐证材料。" in response.text
    assert "已补建会员档案。</textarea>" in response.text

    response = _post(
        client,
        check,
        "/rectification",
        {
            f"statement_{fixed[0]}": "已补建会员档案。",
            f"statement_{fixed[1]}": "职工书屋每日开放。",
            f"file_{fixed[0]}": (io.BytesIO(b"%PDF-1.4\n1 0 obj\n%%EOF"), "会员档案目录.pdf"),
            f"file_{fixed[1]}": _jpeg("书屋.jpg", (20, 20, 200)),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.text
    page = client.get(_page(check)).text
    assert "已添加 2 个文件。" in page and "会员档案目录.pdf" in page and "书屋.jpg" in page
    response = _post(client, check, "/rectification", {"submit": "1"})
    assert response.status_code == 303
    page = client.get(_page(check)).text
    assert "整改情况已提交验收。" in page and 'data-testid="rect-form"' not in page
    assert "已提交，等待验收" in page
    auth.logout()

    auth.login("inspector")
    page = client.get(_page(check)).text
    assert "已补建会员档案。" in page and "会员档案目录.pdf" in page
    assert 'data-testid="decision-form"' in page
    response = client.post(
        f"{_page(check)}/rectification/decision",
        data={"csrf_token": csrf_from(page), "decision": "accept", "comment": "整改到位。"},
    )
    assert response.status_code == 303
    assert _status(nomination) == "candidate"
    page = client.get(_page(check)).text
    assert "整改验收通过，该申报进入表彰候选。" in page and "验收通过" in page


def test_rejecting_a_rectification_needs_a_comment(world, client, auth):
    add_inspectors(world)
    world.campaign.rectification_reviewer = "reviewer"
    db.session.commit()
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    _order_rectification(world, client, auth, nomination, check)
    check.rectification_deadline = beijing_today() - timedelta(days=1)
    db.session.commit()

    auth.login("inspector")  # the campaign has the district reviewer decide
    assert 'data-testid="decision-form"' not in client.get(_page(check)).text
    auth.logout()
    auth.login("reviewer_a")
    page = client.get(_page(check)).text
    assert 'data-testid="overdue"' in page and "已逾期" in page
    assert re.search(r'class="text-danger">\d{4}-\d\d-\d\d</strong>', page)
    assert 'data-testid="decision-form"' in page
    detail = client.get(f"/nominations/{nomination.id}").text
    assert 'data-testid="spot-check-deadline"' in detail and "已逾期" in detail

    response = client.post(
        f"{_page(check)}/rectification/decision",
        data={"csrf_token": csrf_from(page), "decision": "reject", "comment": "  "},
    )
    assert response.status_code == 422
    assert field_error(response.text, "comment") == "请填写意见。"
    assert "验收不通过须写明理由。" in response.text
    assert _status(nomination) == "rectification"
    response = client.post(
        f"{_page(check)}/rectification/decision",
        data={"csrf_token": csrf_from(page), "decision": "reject", "comment": "逾期未整改。"},
    )
    assert response.status_code == 303
    assert _status(nomination) == "spot_check_failed"
    assert "整改验收不通过，抽查不合格。" in client.get(_page(check)).text


def test_rejecting_before_the_deadline_is_neither_offered_nor_accepted(world, client, auth):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    _order_rectification(world, client, auth, nomination, check)

    auth.login("inspector")
    page = client.get(_page(check)).text
    assert 'data-testid="decision-form"' in page
    assert ' disabled data-testid="accept"' in page and ' disabled data-testid="reject"' in page
    response = client.post(
        f"{_page(check)}/rectification/decision",
        data={"csrf_token": csrf_from(page), "decision": "reject", "comment": "未整改。"},
    )
    assert response.status_code == 303
    assert "未到，且单位尚未提交整改情况" in client.get(_page(check)).text
    assert _status(nomination) == "rectification"

    check.rectification_deadline = beijing_today() - timedelta(days=1)
    db.session.commit()
    page = client.get(_page(check)).text
    assert ' disabled data-testid="accept"' in page and ' disabled data-testid="reject"' not in page


# -- the inspector's list -----------------------------------------------------------------


def test_my_checks_lists_open_ones_first_with_csv(world, client, auth):
    add_inspectors(world)
    done, done_check = spot_check(world, org=world.union_a, inspectors=TEAM)
    _fill(world, done_check, done)
    conclusion.propose_conclusion(
        world.user("inspector"), done_check.id, conclusion="pass", notes=None
    )
    conclusion.agree(world.user("inspector_b"), done_check.id, checks.fingerprint(done_check))
    todo, todo_check = spot_check(world, org=world.union_b, inspectors=("inspector",))
    other, _other_check = spot_check(world, org=world.union_a2, inspectors=("inspector_b",))

    auth.login("inspector")
    home = client.get("/").text
    assert "我的抽查" in home and 'data-testid="nav-my-checks"' in home
    page = client.get("/spot-checks/mine")
    assert page.status_code == 200
    html = page.text
    order = re.findall(r'data-check="(\d+)" data-open="(\w+)"', html)
    assert order == [(str(todo_check.id), "true"), (str(done_check.id), "false")]
    assert "乙区街道总工会" in html and "乙区总工会" in html and "甲区总工会" in html
    assert "1 项进行中，共 2 项" in html and "合格" in html
    assert other.org.name not in html

    response = client.get("/spot-checks/mine.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:6] == ["抽查编号", "申报编号", "被检查单位", "所属区（县）", "评选活动", "状态"]
    assert [r[0] for r in rows[1:]] == [str(todo_check.id), str(done_check.id)]
    assert rows[2][2] == "甲区机械厂工会" and rows[2][3] == "甲区总工会"
    assert rows[2][5] == "表彰候选" and rows[2][8] == "合格"

    auth.logout()
    auth.login("union_a")
    home = client.get("/").text
    assert 'data-testid="nav-my-checks"' not in home
    page = client.get("/spot-checks/mine").text
    assert 'data-testid="my-checks"' not in page


# -- query budgets ------------------------------------------------------------------------


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return counter["n"]


def test_check_page_queries_do_not_grow_with_findings_and_photos(world, client, auth):
    add_inspectors(world)
    nomination, check = spot_check(world, org=world.union_a, inspectors=TEAM)
    items = _items(nomination)
    inspector = world.user("inspector")
    log.save_findings(inspector, check.id, {items[0]: {"finding": "meets", "notes": "a"}})
    log.add_photo(inspector, check.id, items[0], _storage())
    auth.login("inspector")
    few = _queries(client, _page(check))
    _fill(world, check, nomination, finding="partly")
    for n, item in enumerate(items[:6]):
        for k in range(2):
            from werkzeug.datastructures import FileStorage

            buffer, _name = _jpeg(colour=(n * 30, k * 100, 50))
            log.add_photo(
                inspector, check.id, item, FileStorage(buffer, filename=f"照片{n}-{k}.jpg")
            )
    conclusion.propose_conclusion(
        inspector,
        check.id,
        conclusion="rectify",
        notes="需整改",
        items=items[:3],
        deadline=beijing_today() + timedelta(days=9),
    )
    many = _queries(client, _page(check))
    assert many == few, f"{few} statements with few rows, {many} with many"
    assert few <= 14

    # The nomination page adds at most two statements for the card, whatever the team.
    detail_few = _queries(client, f"/nominations/{nomination.id}")
    from app.spot_checks.models import SpotCheckAssignment

    check_row = db.session.get(SpotCheck, check.id)
    check_row.assignments.append(SpotCheckAssignment(inspector_id=world.users["inspector_c2"].id))
    db.session.commit()
    assert _queries(client, f"/nominations/{nomination.id}") == detail_few
