"""公示 in a real browser: on a phone, a member of the public opens the published list,
lodges an objection against a named candidate (first forgetting the contact), and sees the
confirmation with its number; the city logs in and answers it (异议不成立) on its
commendation page; the public page still lists the candidate, the objection answered, and
never shows the objector's contact.

Headless Debian chromium (Playwright) against the app on a live local server, 375×812; the
data really commits and is truncated afterwards.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.browser_support import assert_fits_the_phone, log_in, log_out, screenshot
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.committing]

OBJECTION = "该街道工会会员档案缺失严重，2025年会员大会未按期召开，与申报材料不符。"
CONTACT = "13987654321"
ANSWER = "经实地核查，该街道工会会员档案齐全，2025年会员大会于6月召开，有会议纪要为证，异议不成立。"


def _published(app: Flask) -> tuple[int, int, int, int]:
    """Two candidates on a list published today: (campaign, publicity, A's, B's nomination)."""
    from app.commendation import selection
    from app.commendation.publicity import publish_list

    with app.app_context(), app.test_request_context():
        world = build_world()
        city = world.user("city")
        a = world.nomination(org=world.union_a, status="candidate")
        b = world.nomination(org=world.union_b, status="candidate")
        selection.save_selection(
            city,
            world.campaign.id,
            {a.id: {"selected": True, "rank": 1}, b.id: {"selected": True, "rank": 2}},
        )
        publicity = publish_list(city, world.campaign.id)
        return world.campaign.id, publicity.id, a.id, b.id


def test_an_objection_lodged_on_a_phone_is_answered_by_the_city(app, phone):
    from playwright.sync_api import expect

    campaign_id, publicity_id, _a, b = _published(app)
    page = phone
    list_url = f"/publicity/{publicity_id}"

    # -- the public, not logged in: from the menu to the list ------------------------------
    page.goto("/login")
    page.locator(".navbar-toggler").click()
    expect(page.locator("#nav.collapse.show")).to_be_visible()
    page.get_by_test_id("nav-publicity").click()
    page.wait_for_url("**/publicity")
    expect(page.get_by_test_id("open-lists")).to_contain_text("2026年度市级模范职工之家评选")
    assert_fits_the_phone(page)
    page.locator(f'[data-publicity="{publicity_id}"]').click()
    page.wait_for_url(f"**{list_url}")
    expect(page.get_by_test_id("period")).to_contain_text("公示期：")
    expect(page.get_by_test_id("period")).to_contain_text("（5个工作日）")
    row = page.locator(f'tr[data-nomination="{b}"]')
    expect(row).to_contain_text("乙区街道总工会")
    expect(row.get_by_test_id("objection-count")).to_have_text("无")
    assert_fits_the_phone(page)
    screenshot(page, "publicity-list-phone")

    # -- an objection against 乙区街道总工会, first without a contact -------------------------
    row.get_by_test_id("object-link").click()
    page.wait_for_url(re.compile(rf".*/publicity/{publicity_id}\?candidate={b}#objection$"))
    form = page.get_by_test_id("objection-form")
    expect(form.locator("#nomination_id")).to_have_value(str(b))
    expect(form).to_contain_text("仅用于答复，不公开")
    form.locator("#body").fill(OBJECTION)
    form.locator("#name").fill("王五")
    form.get_by_test_id("objection-submit").click()
    page.wait_for_url(f"**/publicity/{publicity_id}/objections#objection")
    expect(page.locator("#contact-err")).to_contain_text("联系")
    expect(page.locator("#body")).to_have_value(OBJECTION)  # nothing typed is lost
    expect(page.locator("#name")).to_have_value("王五")
    expect(page.locator("#nomination_id")).to_have_value(str(b))
    assert_fits_the_phone(page)
    screenshot(page, "publicity-objection-error-phone")
    page.locator("#contact").fill(CONTACT)
    page.get_by_test_id("objection-submit").click()
    page.wait_for_url(f"**/publicity/{publicity_id}/thanks#thanks")
    thanks = page.get_by_test_id("objection-thanks")
    expect(thanks).to_contain_text("您的异议已收到")
    expect(thanks).to_contain_text("乙区街道总工会")
    number = page.get_by_test_id("objection-number").inner_text()
    assert number.isdigit()
    assert CONTACT not in page.content()
    assert_fits_the_phone(page)
    screenshot(page, "publicity-objection-thanks-phone")
    page.goto(list_url)
    expect(
        page.locator(f'tr[data-nomination="{b}"]').get_by_test_id("objection-count")
    ).to_have_text("1 件，1 件核查中")
    assert page.js_errors == [], page.js_errors

    # -- the city answers it on its commendation page ---------------------------------------
    log_in(page, "city")
    page.goto(f"/campaigns/{campaign_id}/commendation#objection-{number}")
    objection = page.locator(f'[data-objection="{number}"]')
    expect(objection.get_by_test_id("objection-body")).to_have_text(OBJECTION)
    expect(objection.get_by_test_id("objection-contact")).to_have_text(CONTACT)  # city only
    answer_form = objection.get_by_test_id("answer-form")
    answer_form.locator(f'input[name="o{number}-decision"][value="dismiss"]').check()
    answer_form.locator(f'textarea[name="o{number}-answer"]').fill(ANSWER)
    answer_form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/campaigns/{campaign_id}/commendation#objection-{number}$"))
    objection = page.locator(f'[data-objection="{number}"]')
    expect(objection).to_have_attribute("data-status", "dismiss")
    expect(objection.get_by_test_id("objection-answer")).to_have_text(ANSWER)
    screenshot(page, "publicity-objection-answered-city-phone")
    log_out(page)

    # -- the public page: the candidate still listed, the objection answered ---------------
    page.goto(list_url)
    row = page.locator(f'tr[data-nomination="{b}"]')
    expect(row).to_contain_text("乙区街道总工会")
    expect(row.get_by_test_id("objection-count")).to_have_text("1 件，均已答复")
    expect(row.get_by_test_id("object-link")).to_be_visible()  # still under publicity
    content = page.content()
    assert CONTACT not in content and "王五" not in content and ANSWER not in content
    assert_fits_the_phone(page)
    screenshot(page, "publicity-list-answered-phone")
    assert page.js_errors == [], page.js_errors


def test_the_roll_and_the_certificate_check_on_a_phone(app, phone):
    """A title revoked: struck through on the roll, in red on the check; the QR's address."""
    from playwright.sync_api import expect

    from app.commendation import certificates, honours
    from tests.test_commendation_public import DOCUMENT, end_period

    _campaign, publicity_id, a, b = _published(app)
    with app.app_context(), app.test_request_context():
        from app.auth.models import User
        from app.commendation.models import Publicity
        from app.extensions import db
        from app.timeutil import beijing_today

        city = db.session.scalar(db.select(User).where(User.username == "city"))
        end_period(db.session.get(Publicity, publicity_id))
        commendation = certificates.commend(
            city, publicity_id, document_number=DOCUMENT, decided_on=beijing_today()
        )
        codes = {c.nomination_id: (c.serial, c.code) for c in commendation.certificates}
        honours.revoke(city, a, reason="复查发现申报材料弄虚作假。")
    page = phone

    page.goto("/honours")
    roll = page.get_by_test_id("roll")
    revoked = roll.locator(f'tr[data-certificate="{codes[a][0]}"]')
    expect(revoked.locator("del").first).to_have_text("甲区机械厂工会")
    expect(revoked.get_by_test_id("revoked")).to_contain_text("已撤销")
    expect(roll.locator(f'tr[data-certificate="{codes[b][0]}"]')).to_contain_text("乙区街道总工会")
    assert_fits_the_phone(page)
    screenshot(page, "honour-roll-phone")

    page.goto("/certificates")
    page.fill("#code", codes[a][1].lower().replace("-", " "))
    page.locator("[data-testid=certificate-lookup] button[type=submit]").click()
    page.wait_for_url(f"**/certificates/{codes[a][1]}")
    status = page.get_by_test_id("certificate-status")
    expect(status).to_have_attribute("data-status", "revoked")
    expect(status).to_contain_text("复查发现申报材料弄虚作假。")
    assert_fits_the_phone(page)
    screenshot(page, "certificate-check-revoked-phone")
    page.goto(f"/certificates/{codes[b][1]}")
    expect(page.get_by_test_id("certificate-status")).to_have_attribute("data-status", "valid")
    expect(page.get_by_test_id("certificate-details")).to_contain_text(DOCUMENT)
    assert_fits_the_phone(page)
    screenshot(page, "certificate-check-valid-phone")
    page.goto("/certificates/ABCD-EFGH-JKLM")
    expect(page.get_by_test_id("certificate-status")).to_contain_text("查无此证书")
    assert_fits_the_phone(page)
    assert page.js_errors == [], page.js_errors
