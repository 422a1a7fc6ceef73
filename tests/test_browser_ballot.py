"""A member votes on a phone: opens the one-time link, answers every question by tapping the
labels, adds a comment, sends, sees the thank-you page; the same link again is refused. Then
the union follows the turnout and, once closed, reads the result beside its chart.

Headless Debian chromium (Playwright) against the app on a live local server; the data
really commits and is truncated afterwards.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from tests.browser_support import (
    HOME,
    PHONE,
    chromium,
    horizontal_overflow,
    phone_page,
    screenshot,
)
from tests.factories import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.committing]

COMMENT = "希望工会多组织读书活动和健步走，职工书屋延长开放时间。"


@pytest.fixture
def browser(live_server: str):  # type: ignore[no-untyped-def]
    with chromium() as browser:
        yield browser


def _open_evaluation(app: Flask) -> tuple[int, int, list[str], list[dict], int]:
    from app.evaluation.ballots import cast_ballot
    from app.evaluation.opening import open_evaluation
    from app.evaluation.tokens import revealed_tokens
    from app.timeutil import utcnow

    with app.app_context():
        world = build_world()
        nomination = world.nomination(status="member_evaluation", complete=True)
        now = utcnow()
        evaluation = open_evaluation(
            world.user("union_a"),
            nomination.id,
            opens_at=now - timedelta(minutes=5),
            closes_at=now + timedelta(days=7),
            member_count=8,
        )
        tokens = [t.token for t in revealed_tokens(evaluation)]
        dimensions = list(evaluation.dimensions)
        # Others have voted already, so the result has some spread.
        for token, choice in zip(
            tokens[1:5], ["satisfied", "satisfied", "basic", "satisfied"], strict=True
        ):
            cast_ballot(
                token,
                overall=choice,
                answers={
                    d["code"]: (
                        "dissatisfied" if d is dimensions[-1] and choice == "basic" else choice
                    )
                    for d in dimensions
                },
                comment=None,
            )
        # Another nomination of the union, approved, whose evaluation is still to be opened.
        to_open = world.nomination(status="member_evaluation", complete=True)
        return nomination.id, evaluation.id, tokens, dimensions, to_open.id


def _assert_fits(page, width: int = PHONE["width"]) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert horizontal_overflow(page) <= 0


def test_member_votes_on_a_phone_then_the_link_is_used(app, browser, live_server):
    from playwright.sync_api import expect

    nomination_id, evaluation_id, tokens, dimensions, to_open = _open_evaluation(app)
    link = f"/e/{tokens[0]}"

    with phone_page(browser, live_server) as page:
        response = page.goto(link)
        assert response.status == 200
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "no-store" in response.headers["cache-control"]
        expect(page.locator("h1")).to_have_text("甲区机械厂工会")
        expect(page.locator(".note")).to_contain_text("无记名")
        questions = page.locator("fieldset.q")
        expect(questions).to_have_count(1 + len(dimensions))
        expect(questions.first.locator("legend")).to_contain_text("总体评价")
        for i, dimension in enumerate(dimensions, start=1):
            expect(questions.nth(i).locator("legend")).to_contain_text(dimension["label"])
        _assert_fits(page)
        # Every option is a big touch target.
        box = page.locator('label[for="overall-satisfied"]').bounding_box()
        assert box["height"] >= 44 and box["width"] >= 80
        screenshot(page, "ballot-phone-empty")

        # Sent without answers: told which questions, beside them, nothing stored.
        page.get_by_test_id("ballot-submit").click()
        page.wait_for_load_state()
        expect(page.get_by_test_id("ballot-errors")).to_be_visible()
        expect(page.locator("#overall-err")).to_contain_text("请选择总体评价")
        expect(page.locator("fieldset.q.invalid")).to_have_count(1 + len(dimensions))
        _assert_fits(page)
        screenshot(page, "ballot-phone-errors")

        # Answer every question by tapping the labels, then a comment.
        page.locator('label[for="overall-satisfied"]').click()
        for dimension in dimensions:
            choice = "basic" if dimension is dimensions[-1] else "satisfied"
            page.locator(f'label[for="answers.{dimension["code"]}-{choice}"]').click()
        expect(page.locator("#overall-satisfied")).to_be_checked()
        expect(page.locator(f'[id="answers.{dimensions[-1]["code"]}-basic"]')).to_be_checked()
        page.fill("#comment", COMMENT)
        _assert_fits(page)
        screenshot(page, "ballot-phone-answered")

        page.get_by_test_id("ballot-submit").click()
        page.wait_for_url("**/e/thanks")
        expect(page.get_by_test_id("ballot-thanks")).to_contain_text("评价已提交")
        expect(page.locator("body")).not_to_contain_text(COMMENT)
        _assert_fits(page)
        screenshot(page, "ballot-phone-thanks")

        # The same link again: a clear refusal, 409.
        response = page.goto(link)
        assert response.status == 409
        expect(page.get_by_test_id("ballot-refused")).to_contain_text("已经使用过")
        _assert_fits(page)
        screenshot(page, "ballot-phone-used")

        # The narrowest phones (320 px) still fit.
        page.set_viewport_size({"width": 320, "height": 640})
        page.goto(f"/e/{tokens[5]}")
        _assert_fits(page, 320)
        screenshot(page, "ballot-phone-320")
        assert page.js_errors == [], page.js_errors

    # -- the union: the turnout while open, the result once closed ------------------------
    with phone_page(browser, live_server) as page:
        page.goto("/login")
        page.fill("#username", "union_a")
        page.fill("#password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(HOME)

        # Opening: from the nomination page, with the defaults.
        page.goto(f"/nominations/{to_open}")
        expect(page.get_by_test_id("evaluation-open")).to_have_text("开启会员评家")
        page.get_by_test_id("evaluation-open").click()
        page.wait_for_url(f"**/nominations/{to_open}/evaluation")
        expect(page.locator("#member_count")).to_have_value("100")
        _assert_fits(page)
        screenshot(page, "evaluation-open-form-phone")
        page.get_by_test_id("open-submit").click()
        page.wait_for_url(f"**/nominations/{to_open}/evaluation")
        expect(page.locator('[data-turnout-field="issued"]')).to_have_text("100")
        expect(page.get_by_test_id("batches").locator("tbody tr")).to_have_count(1)

        page.goto(f"/nominations/{nomination_id}/evaluation")
        turnout = page.get_by_test_id("turnout")
        expect(turnout.locator('[data-turnout-field="voted_online"]')).to_have_text("5")
        expect(turnout.locator('[data-turnout-field="turnout_percent"]')).to_have_text("62.5%")
        expect(page.locator("body")).not_to_contain_text(COMMENT)
        _assert_fits(page)
        screenshot(page, "evaluation-union-open-phone")

        with app.app_context():
            from app.evaluation.closing import close_evaluation

            close_evaluation(evaluation_id)
        page.reload()
        expect(page.get_by_test_id("verdict")).to_be_visible()
        expect(page.get_by_test_id("comments")).to_contain_text(COMMENT)
        expect(page.get_by_test_id("result-chart").locator("svg")).to_have_count(
            1 + len(dimensions)
        )
        _assert_fits(page)
        screenshot(page, "evaluation-union-closed-phone")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.reload()
        screenshot(page, "evaluation-union-closed-desktop")
        page.goto(f"/nominations/{nomination_id}")
        expect(page.get_by_test_id("evaluation-card")).to_contain_text("满意率")
        screenshot(page, "evaluation-nomination-card-desktop")
        assert page.js_errors == [], page.js_errors
