"""会员评家 pages: the union opens, hands out links, follows the turnout, enters paper ballots,
closes; the reviewers read; members vote at /e/<token> without an account."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.campaigns.models import CampaignDeadline, Stage
from app.evaluation.ballots import cast_ballot
from app.evaluation.credentials import token_digest
from app.evaluation.models import Ballot, BallotAnswer, BallotToken, MemberEvaluation
from app.evaluation.opening import open_evaluation
from app.evaluation.tokens import revealed_tokens
from app.extensions import db
from app.nominations.models import Nomination
from app.timeutil import BEIJING, utcnow
from tests.conftest import csrf_from, field_error, post_form
from tests.test_query_budget import count_queries

COMMENT = "希望工会多组织读书活动，食堂菜品再丰富些"


# -- helpers ------------------------------------------------------------------------------


def _nomination(world, org=None):  # type: ignore[no-untyped-def]
    return world.nomination(org=org or world.union_a, status="member_evaluation", complete=True)


def _open(world, members: int = 10, org=None, **kw):  # type: ignore[no-untyped-def]
    nomination = _nomination(world, org)
    now = utcnow()
    evaluation = open_evaluation(
        world.user("union_a"),
        nomination.id,
        opens_at=kw.get("opens_at", now - timedelta(minutes=1)),
        closes_at=kw.get("closes_at", now + timedelta(days=3)),
        member_count=members,
    )
    return nomination, evaluation


def _tokens(evaluation) -> list[str]:  # type: ignore[no-untyped-def]
    """Every token of the evaluation in serial order, as the union's slips carry them."""
    return [t.token for t in revealed_tokens(evaluation, unused_only=False)]


def _vote(
    evaluation,
    token: str,
    choice: str = "satisfied",  # type: ignore[no-untyped-def]
    comment: str | None = None,
) -> None:
    cast_ballot(
        token,
        overall=choice,
        answers={d["code"]: choice for d in evaluation.dimensions},
        comment=comment,
    )


def _answers(evaluation, choice: str = "satisfied") -> dict[str, str]:  # type: ignore[no-untyped-def]
    data = {"overall": choice}
    data.update({f"answers.{d['code']}": choice for d in evaluation.dimensions})
    return data


def _page(nomination) -> str:  # type: ignore[no-untyped-def]
    return f"/nominations/{nomination.id}/evaluation"


def _png(name: str = "计票表.png") -> tuple[io.BytesIO, str]:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (240, 240, 240)).save(buffer, "PNG")
    buffer.seek(0)
    return buffer, name


def _csrf(client) -> str:  # type: ignore[no-untyped-def]
    return csrf_from(client.get("/").text)


def _ballots() -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot)) or 0


# -- opening ------------------------------------------------------------------------------


def test_union_opens_the_evaluation_with_defaults(world, client, auth):
    nomination = _nomination(world)
    auth.login("union_a")
    detail = client.get(f"/nominations/{nomination.id}")
    assert 'data-testid="evaluation-open"' in detail.text and "开启会员评家" in detail.text

    page = client.get(_page(nomination))
    assert page.status_code == 200
    html = page.text
    # Member count from the self-assessment figures; start now; end in 14 days at 23:59.
    assert re.search(r'id="member_count"[^>]*value="100"', html)
    today = datetime.now(BEIJING).date()
    assert f'value="{today + timedelta(days=14):%Y-%m-%d}T23:59"' in html
    assert re.search(rf'id="opens_at"[^>]*value="{today:%Y-%m-%d}T\d\d:\d\d"', html)
    assert 'type="datetime-local"' in html

    start = datetime.now(BEIJING).replace(second=0, microsecond=0)
    response = client.post(
        _page(nomination),
        data={
            "csrf_token": csrf_from(html),
            "opens_at": start.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (start + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "member_count": "12",
        },
    )
    assert response.status_code == 303
    evaluation = db.session.scalar(
        select(MemberEvaluation).where(MemberEvaluation.nomination_id == nomination.id)
    )
    assert evaluation is not None and evaluation.member_count == 12
    assert len(_tokens(evaluation)) == 12
    # Beijing input, stored in UTC.
    assert evaluation.opens_at.replace(tzinfo=None) == (start - timedelta(hours=8)).replace(
        tzinfo=None
    )
    page = client.get(_page(nomination))
    assert 'data-testid="turnout"' in page.text and 'data-testid="open-form"' not in page.text
    assert page.text.count('data-testid="slips-link"') == 1


def test_the_end_defaults_to_the_deadline_and_may_not_pass_it(world, client, auth):
    due = datetime.now(BEIJING).date() + timedelta(days=5)
    world.campaign.deadlines.append(CampaignDeadline(stage=Stage.EVALUATION, due_date=due))
    db.session.commit()
    nomination = _nomination(world)
    auth.login("union_a")
    page = client.get(_page(nomination))
    assert f'value="{due:%Y-%m-%d}T23:59"' in page.text
    assert f"{due:%Y-%m-%d} 23:59" in page.text  # the hint beside the field

    response = client.post(
        _page(nomination),
        data={
            "csrf_token": csrf_from(page.text),
            "opens_at": datetime.now(BEIJING).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": f"{due + timedelta(days=1):%Y-%m-%d}T09:00",
            "member_count": "100",
        },
    )
    assert response.status_code == 422
    assert "评家截止日" in field_error(response.text, "closes_at")
    assert 'value="100"' in response.text  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(MemberEvaluation)) == 0

    # Missing and malformed inputs: errors next to the fields, nothing opened.
    response = client.post(
        _page(nomination),
        data={
            "csrf_token": csrf_from(page.text),
            "opens_at": "",
            "closes_at": "tomorrow",
            "member_count": "0",
        },
    )
    assert response.status_code == 422
    assert field_error(response.text, "opens_at")
    assert field_error(response.text, "closes_at")
    assert field_error(response.text, "member_count")
    assert db.session.scalar(select(func.count()).select_from(MemberEvaluation)) == 0


def test_only_the_union_opens(world, client, auth):
    nomination = _nomination(world)
    auth.login("reviewer_a")
    assert client.get(_page(nomination)).status_code == 404
    detail = client.get(f"/nominations/{nomination.id}")
    assert 'data-testid="evaluation-not-open"' in detail.text
    assert 'data-testid="evaluation-open"' not in detail.text
    # A nomination still under review has no evaluation to open.
    submitted = world.nomination(status="submitted")
    auth.logout()
    auth.login("union_a")
    assert client.get(_page(submitted)).status_code == 404


# -- who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["reviewer_b", "union_b"])
def test_other_districts_get_404_everywhere(world, client, auth, username):
    nomination, _evaluation = _open(world)
    auth.login(username)
    base = _page(nomination)
    for url in (
        base,
        f"{base}/turnout.json",
        f"{base}/slips.pdf",
        f"{base}/slips.pdf?batch=1",
        f"{base}/tokens.csv",
        f"{base}/tokens.csv?batch=1",
        f"{base}/report.pdf",
    ):
        assert client.get(url).status_code == 404, url
    token = _csrf(client)
    for path, data in (
        ("", {}),
        ("/tokens", {"count": "2"}),
        ("/void", {"serials": "1"}),
        ("/paper", {"satisfied": "1", "basic": "0", "dissatisfied": "0"}),
        ("/report", {"process_notes": "x"}),
        ("/close", {}),
    ):
        response = client.post(base + path, data={**data, "csrf_token": token})
        assert response.status_code == 404, path
    assert client.get(f"/nominations/{nomination.id}").status_code == 404


def test_reviewer_follows_the_turnout_but_never_sees_the_links(world, client, auth):
    nomination, evaluation = _open(world, members=10)
    tokens = _tokens(evaluation)
    _vote(evaluation, tokens[0], comment=COMMENT)
    auth.login("reviewer_a")
    page = client.get(_page(nomination))
    assert page.status_code == 200
    html = page.text
    assert 'data-turnout-field="voted_online">1<' in html
    assert "10.0%" in html
    assert not any(t in html for t in tokens)
    assert "slips.pdf" not in html and "tokens.csv" not in html
    assert 'data-testid="issue-form"' not in html and 'data-testid="paper-form"' not in html
    assert 'data-testid="report-form"' not in html and 'data-testid="close"' not in html
    assert COMMENT not in html
    base = _page(nomination)
    assert client.get(f"{base}/slips.pdf").status_code == 404
    assert client.get(f"{base}/tokens.csv?batch=1").status_code == 404
    assert client.get(f"{base}/turnout.json").status_code == 200
    # Read-only: the union's actions are refused.
    token = _csrf(client)
    assert (
        client.post(f"{base}/tokens", data={"count": "1", "csrf_token": token}).status_code == 403
    )
    assert client.post(f"{base}/close", data={"csrf_token": token}).status_code == 403
    # The city sees it too.
    auth.logout()
    auth.login("city")
    assert client.get(base).status_code == 200
    assert client.get(f"{base}/slips.pdf").status_code == 404


def test_union_downloads_slips_and_csv_per_batch(world, client, auth):
    nomination, evaluation = _open(world, members=3)
    tokens = _tokens(evaluation)
    auth.login("union_a")
    base = _page(nomination)
    pdf = client.get(f"{base}/slips.pdf?batch=1")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert "no-store" in pdf.headers["Cache-Control"]
    csv = client.get(f"{base}/tokens.csv?batch=1")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.data.decode("utf-8-sig")
    assert all(f"/e/{t}" in text for t in tokens)
    assert "no-store" in csv.headers["Cache-Control"]
    assert client.get(f"{base}/slips.pdf?batch=9").status_code == 404


# -- the member's ballot ------------------------------------------------------------------


def test_member_votes_once_through_the_link(world, client):
    nomination, evaluation = _open(world, members=3)
    token = _tokens(evaluation)[0]
    url = f"/e/{token}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page.headers["Cache-Control"]
    html = page.text
    assert nomination.org.name in html and "无记名" in html
    # One fieldset with a legend per question, three labelled radios each.
    questions = 1 + len(evaluation.dimensions)
    assert html.count("<fieldset") == questions and html.count("<legend>") == questions
    assert html.count('type="radio"') == 3 * questions
    assert html.count('<label class="opt" for=') == 3 * questions
    for label in ("满意", "基本满意", "不满意"):
        assert f"<span>{label}</span>" in html
    assert 'maxlength="500"' in html
    assert "bootstrap" not in html and "<script" not in html

    # Missing answers: 422, errors beside the questions, the answers given kept.
    csrf = csrf_from(html)
    first = evaluation.dimensions[0]["code"]
    response = client.post(url, data={"csrf_token": csrf, "overall": "basic", "comment": COMMENT})
    assert response.status_code == 422
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "请评价" in field_error(response.text, f"answers.{first}")
    assert re.search(r'id="overall-basic"[^>]*value="basic" checked', response.text)
    assert COMMENT in response.text
    assert _ballots() == 0
    assert (
        db.session.scalar(
            select(BallotToken.status).where(BallotToken.token_hash == token_digest(token))
        )
        == "unused"
    )
    response = client.post(url, data={"csrf_token": csrf, **_answers(evaluation), "overall": ""})
    assert response.status_code == 422 and field_error(response.text, "overall")

    # Every answer: the thank-you page, which says nothing about the ballot.
    response = client.post(
        url, data={"csrf_token": csrf, **_answers(evaluation, "basic"), "comment": COMMENT}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/e/thanks")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    thanks = client.get(response.headers["Location"])
    assert thanks.status_code == 200 and "感谢" in thanks.text
    assert "基本满意" not in thanks.text and COMMENT not in thanks.text
    assert thanks.headers["Referrer-Policy"] == "no-referrer"
    assert _ballots() == 1
    answers = db.session.scalars(select(BallotAnswer.choice)).all()
    assert len(answers) == len(evaluation.dimensions) and set(answers) == {"basic"}

    # The same link again: refused clearly, nothing changes.
    again = client.get(url)
    assert again.status_code == 409 and "已经使用过" in again.text
    assert again.headers["Referrer-Policy"] == "no-referrer"
    response = client.post(url, data={"csrf_token": csrf, **_answers(evaluation, "dissatisfied")})
    assert response.status_code == 409 and "已经使用过" in response.text
    assert _ballots() == 1


def test_a_ballot_without_its_form_token_is_refused_gently(world, client):
    _nomination_, evaluation = _open(world, members=2)
    url = f"/e/{_tokens(evaluation)[0]}"
    response = client.post(url, data=_answers(evaluation))  # no csrf_token
    assert response.status_code == 400
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]
    assert 'data-testid="ballot-refused"' in response.text and f'href="{url}"' in response.text
    assert _ballots() == 0
    assert client.get(url).status_code == 200  # the link still works


def test_unknown_void_and_closed_links_are_refused(world, client, auth):
    nomination, evaluation = _open(world, members=4)
    tokens = _tokens(evaluation)
    unknown = client.get("/e/" + "x" * 32)
    assert unknown.status_code == 404 and "链接无效" in unknown.text
    assert unknown.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/e/" + "y" * 200).status_code == 404

    auth.login("union_a")
    response = post_form(
        client, _page(nomination), {"serials": "1, 3"}, action=_page(nomination) + "/void"
    )
    assert response.status_code == 303
    auth.logout()
    voided = client.get(f"/e/{tokens[0]}")
    assert voided.status_code == 409 and "作废" in voided.text
    assert client.get(f"/e/{tokens[1]}").status_code == 200

    evaluation.opens_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    not_yet = client.get(f"/e/{tokens[1]}")
    assert not_yet.status_code == 409 and "尚未开始" in not_yet.text
    evaluation.opens_at = utcnow() - timedelta(days=2)
    evaluation.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    ended = client.get(f"/e/{tokens[1]}")
    assert ended.status_code == 409 and "已结束" in ended.text


# -- the union's tools --------------------------------------------------------------------


def test_issue_and_void_links(world, client, auth):
    nomination, evaluation = _open(world, members=5)
    auth.login("union_a")
    base = _page(nomination)
    response = post_form(client, base, {"count": "3"}, action=f"{base}/tokens")
    assert response.status_code == 303
    page = client.get(base)
    assert 'data-batch="2"' in page.text and "6–8" in page.text
    assert client.get(f"{base}/slips.pdf?batch=2").status_code == 200

    response = post_form(client, base, {"count": "0"}, action=f"{base}/tokens")
    assert response.status_code == 422 and field_error(response.text, "count")

    response = post_form(client, base, {"serials": "2-4，7"}, action=f"{base}/void")
    assert response.status_code == 303
    statuses = dict(
        db.session.execute(
            select(BallotToken.serial, BallotToken.status).where(
                BallotToken.evaluation_id == evaluation.id
            )
        ).all()
    )
    assert [s for s, v in sorted(statuses.items()) if v == "void"] == [2, 3, 4, 7]
    page = client.get(base)
    assert 'data-turnout-field="issued">4<' in page.text

    response = post_form(client, base, {"serials": "12;abc"}, action=f"{base}/void")
    assert response.status_code == 422 and "abc" in field_error(response.text, "serials")


def test_turnout_json_counts_only(world, client, auth):
    nomination, evaluation = _open(world, members=10)
    tokens = _tokens(evaluation)
    _vote(evaluation, tokens[0], comment=COMMENT)
    _vote(evaluation, tokens[1], "dissatisfied")
    auth.login("union_a")
    base = _page(nomination)
    sheet, name = _png()
    response = post_form(
        client,
        base,
        {
            "satisfied": "3",
            "basic": "1",
            "dissatisfied": "0",
            "invalid": "1",
            "tally_sheet": (sheet, name),
        },
        action=f"{base}/paper",
    )
    assert response.status_code == 303
    data = client.get(f"{base}/turnout.json")
    assert data.status_code == 200 and "no-store" in data.headers["Cache-Control"]
    body = data.get_json()
    assert body == {
        "status": "open",
        "member_count": 10,
        "issued": 10,
        "voted_online": 2,
        "paper": 4,
        "voted": 6,
        "turnout": 0.6,
        "turnout_percent": "60.0%",
        "bar_percent": 60.0,
    }
    assert COMMENT not in data.text and "dissatisfied" not in data.text


def test_paper_tally_with_a_scanned_sheet_shows_online_and_paper_apart(world, client, auth):
    nomination, evaluation = _open(world, members=20)
    for token in _tokens(evaluation)[:3]:
        _vote(evaluation, token)
    auth.login("union_a")
    base = _page(nomination)

    # No sheet: refused, the error beside the file input, the counts kept.
    response = post_form(
        client, base, {"satisfied": "7", "basic": "2", "dissatisfied": "1"}, action=f"{base}/paper"
    )
    assert response.status_code == 422
    assert "计票表" in field_error(response.text, "tally_sheet")
    assert re.search(r'id="satisfied"[^>]*value="7"', response.text)
    # Counts beyond the members: refused.
    sheet, name = _png()
    response = post_form(
        client,
        base,
        {"satisfied": "30", "basic": "0", "dissatisfied": "0", "tally_sheet": (sheet, name)},
        action=f"{base}/paper",
    )
    assert response.status_code == 422 and "超过会员人数" in field_error(response.text, "satisfied")

    first = evaluation.dimensions[0]["code"]
    sheet, name = _png()
    response = post_form(
        client,
        base,
        {
            "satisfied": "7",
            "basic": "2",
            "dissatisfied": "1",
            "invalid": "1",
            f"dim.{first}.satisfied": "8",
            f"dim.{first}.basic": "2",
            "tally_sheet": (sheet, name),
        },
        action=f"{base}/paper",
    )
    assert response.status_code == 303
    page = client.get(base)
    assert 'data-testid="paper-current"' in page.text and name in page.text
    assert 'data-turnout-field="paper">10<' in page.text
    assert 'data-turnout-field="voted_online">3<' in page.text
    link = re.search(r'href="(/evidence/\d+/download)" data-testid="tally-sheet"', page.text)
    download = client.get(link.group(1))
    assert download.status_code == 200 and download.data.startswith(b"\x89PNG")

    # Closed: the result shows the two parts apart and together.
    _close(evaluation)
    page = client.get(base)
    parts = page.text[page.text.index('data-testid="result-parts"') :]
    online = re.search(r'data-part="online">.*?</tr>', parts, re.S).group(0)
    paper = re.search(r'data-part="paper">.*?</tr>', parts, re.S).group(0)
    total = re.search(r'data-part="total".*?</tr>', parts, re.S).group(0)
    assert _cells(online) == ["3", "0", "0", "3"]
    assert _cells(paper) == ["7", "2", "1", "10"]
    assert _cells(total) == ["10", "2", "1", "13"]
    assert "1" in page.text and "不计入" in page.text  # the invalid paper ballot
    dims = page.text[page.text.index('data-testid="result-dimensions"') :]
    row = re.search(
        rf'data-dimension="{evaluation.dimensions[0]["label"]}".*?</tr>', dims, re.S
    ).group(0)
    assert "网上 3 · 纸质 8" in row
    assert 'data-testid="result-chart"' in page.text and "<svg" in page.text


def _cells(row: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def _close(evaluation) -> None:  # type: ignore[no-untyped-def]
    from app.evaluation.closing import close_evaluation

    close_evaluation(evaluation.id)


def test_report_is_saved_and_shown_to_the_reviewer(world, client, auth):
    nomination, _evaluation = _open(world)
    auth.login("union_a")
    base = _page(nomination)
    response = post_form(
        client,
        base,
        {
            "process_notes": "5月召开会员大会，发放评价码。",
            "rectification_measures": "增加文体活动。",
        },
        action=f"{base}/report",
    )
    assert response.status_code == 303
    response = post_form(
        client,
        base,
        {"process_notes": "长" * 5001, "rectification_measures": ""},
        action=f"{base}/report",
    )
    assert response.status_code == 422 and field_error(response.text, "process_notes")
    auth.logout()
    auth.login("reviewer_a")
    page = client.get(base)
    assert "5月召开会员大会，发放评价码。" in page.text and "增加文体活动。" in page.text


# -- closing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "state", "verdict"),
    [("satisfied", "awaiting_draw", "达到标准"), ("dissatisfied", "evaluation_failed", "未达标准")],
)
def test_close_early_refused_below_the_turnout_then_decides(
    world, client, auth, choice, state, verdict
):
    nomination, evaluation = _open(world, members=10)
    tokens = _tokens(evaluation)
    for token in tokens[:2]:
        _vote(evaluation, token, choice, comment=COMMENT if token == tokens[0] else None)
    auth.login("union_a")
    base = _page(nomination)
    response = post_form(client, base, {}, action=f"{base}/close")
    assert response.status_code == 409
    assert "达到 50% 后才能提前结束" in response.text
    assert 'data-testid="close-error"' in response.text
    assert db.session.get(Nomination, nomination.id).status == "member_evaluation"
    assert COMMENT not in response.text  # never before closing

    for token in tokens[2:6]:
        _vote(evaluation, token, choice)
    response = post_form(client, base, {}, action=f"{base}/close")
    assert response.status_code == 303
    assert db.session.get(Nomination, nomination.id).status == state

    page = client.get(base)
    assert page.status_code == 200
    assert f'data-testid="verdict">{verdict}<' in page.text
    assert COMMENT in page.text  # comments after closing, anonymous
    assert 'data-testid="close"' not in page.text and 'data-testid="issue-form"' not in page.text
    detail = client.get(f"/nominations/{nomination.id}")
    assert f'data-testid="evaluation-verdict">{verdict}<' in detail.text
    assert 'data-testid="evaluation-result"' in detail.text
    assert ("满意率 100.0%" if choice == "satisfied" else "满意率 0.0%") in detail.text

    pdf = client.get(f"{base}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    auth.logout()
    auth.login("reviewer_a")
    assert client.get(f"{base}/report.pdf").status_code == 200
    page = client.get(base)
    assert COMMENT in page.text and 'data-testid="result"' in page.text


def test_report_pdf_waits_for_the_closing(world, client, auth):
    nomination, _evaluation = _open(world)
    auth.login("union_a")
    assert client.get(f"{_page(nomination)}/report.pdf").status_code == 409


def test_comments_never_show_before_closing(world, client, auth):
    nomination, evaluation = _open(world, members=5)
    _vote(evaluation, _tokens(evaluation)[0], "dissatisfied", comment=COMMENT)
    base = _page(nomination)
    for user in ("union_a", "reviewer_a", "city"):
        auth.login(user)
        for url in (base, f"{base}/turnout.json", f"/nominations/{nomination.id}"):
            response = client.get(url)
            assert response.status_code == 200
            assert COMMENT not in response.text, (user, url)
            assert 'data-testid="result"' not in response.text
        auth.logout()


# -- query budget -------------------------------------------------------------------------


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return counter["n"]


def test_page_queries_do_not_grow_with_ballots(world, client, auth):
    nomination, evaluation = _open(world, members=120)
    tokens = _tokens(evaluation)
    base = _page(nomination)
    urls = [base, f"{base}/turnout.json", f"/nominations/{nomination.id}"]
    for i, token in enumerate(tokens[:5]):
        _vote(evaluation, token, ("satisfied", "basic")[i % 2], comment=f"意见{i}")
    auth.login("union_a")
    few = {url: _queries(client, url) for url in urls}
    for i, token in enumerate(tokens[5:100]):
        _vote(
            evaluation, token, ("satisfied", "basic", "dissatisfied")[i % 3], comment=f"意见{i + 5}"
        )
    many = {url: _queries(client, url) for url in urls}
    assert many == few

    _close(evaluation)
    closed_few = {url: _queries(client, url) for url in urls}
    auth.logout()
    auth.login("reviewer_a")
    reviewer = {url: _queries(client, url) for url in urls}
    assert all(n <= 20 for n in [*closed_few.values(), *reviewer.values()]), (closed_few, reviewer)


def test_page_queries_after_closing_do_not_grow(world, client, auth):
    small, ev_small = _open(world, members=10)
    for token in _tokens(ev_small)[:5]:
        _vote(ev_small, token, comment="好")
    _close(ev_small)
    auth.login("union_a")
    few = _queries(client, _page(small))
    big, ev_big = _open(world, members=120, org=world.union_a)
    for token in _tokens(ev_big)[:100]:
        _vote(ev_big, token, comment="很好")
    _close(ev_big)
    many = _queries(client, _page(big))
    assert many == few


def test_the_ballot_page_runs_few_queries(world, client):
    _nomination_, evaluation = _open(world, members=3)
    token = _tokens(evaluation)[0]
    with count_queries() as counter:
        assert client.get(f"/e/{token}").status_code == 200
    assert counter["n"] <= 5
