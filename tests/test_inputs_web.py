"""The pages' inputs: a control character is refused before any view runs, naming the field;
a whole number beyond what the database holds is a field error, an ignored filter or a 404,
never a server error (on PostgreSQL both used to be 500s).

tests/test_fuzz_inputs.py sends the same to every form and route; these are the cases as a
user meets them.
"""

from __future__ import annotations

import io
import re

from flask_wtf import FlaskForm
from PIL import Image
from wtforms import DateField as WTFormsDateField
from wtforms import DateTimeLocalField as WTFormsDateTimeLocalField
from wtforms import DecimalField as WTFormsDecimalField
from wtforms import IntegerField as WTFormsIntegerField
from wtforms.fields.core import UnboundField

from app.evaluation.tokens import revealed_tokens
from app.extensions import db
from app.orgs.models import Organization
from app.web.forms import DateField, DateTimeLocalField, DecimalField, IntegerField
from tests.conftest import csrf_from, field_error, post_form
from tests.factories import spot_check
from tests.test_evaluation_pages import _open

HUGE = "9223372036854775808"  # beyond PostgreSQL's bigint, let alone its integer


def _refused_fields(html: str) -> list[str]:
    return re.findall(r'data-field="([^"]+)"', html)


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def test_a_nul_in_the_login_form_is_refused_naming_the_field(world, client):
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": "union_a\x00", "password": "x", "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 422
    assert _refused_fields(response.text) == ["username"]
    assert "用户名" in response.text  # the field as the form labels it
    assert client.get("/nominations/").status_code == 302  # nobody logged in


def test_control_characters_in_query_path_and_upload_names_are_refused(world, client, auth):
    auth.login("union_a")
    response = client.get("/nominations/?q=%E7%94%B2%00&state=a%1bb")
    assert response.status_code == 422
    assert sorted(_refused_fields(response.text)) == ["q", "state"]
    # DEL, and a lone surrogate from a percent-encoded form of it, are no text either.
    assert client.get("/nominations/?q=a%7Fb").status_code == 422

    nomination = world.nomination(status="draft")
    token = csrf_from(client.get(f"/nominations/{nomination.id}/self-assessment").text)
    response = client.post(
        f"/nominations/{nomination.id}/evidence",
        data={"csrf_token": token, "file": (_png(), "照片\x00.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and _refused_fields(response.text) == ["file"]
    auth.logout()

    auth.login("city")
    response = post_form(client, "/calendar", {}, action="/calendar/2026-10-08%00/delete")
    assert response.status_code == 422 and _refused_fields(response.text) == ["day"]


def test_tab_and_line_breaks_are_text_and_a_files_bytes_are_not_read(world, client, auth):
    auth.login("union_a")
    assert client.get("/nominations/?q=%E7%94%B2%09%0D%0A").status_code == 200
    nomination = world.nomination(status="draft")
    token = csrf_from(client.get(f"/nominations/{nomination.id}/self-assessment").text)
    content = _png().read()
    assert b"\x00" in content  # every PNG holds NUL bytes: its contents are no text
    response = client.post(
        f"/nominations/{nomination.id}/evidence",
        data={"csrf_token": token, "file": (io.BytesIO(content), "照片.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.text


def test_oversized_filters_and_pages_are_ignored(world, client, auth):
    world.nomination(status="draft")
    auth.login("city")
    for query in (
        f"campaign_id={HUGE}",
        f"district_id={HUGE}",
        "campaign_id=-1&district_id=%C2%B2",  # "²" passes str.isdigit but not int()
        f"page={HUGE}",
    ):
        response = client.get(f"/nominations/?{query}")
        assert response.status_code == 200, query
        assert "甲区机械厂工会" in response.text, query
        assert client.get(f"/nominations/export.csv?{query}").status_code == 200, query
    auth.logout()
    auth.login("admin")
    assert client.get(f"/admin/users?page={HUGE}").status_code == 200
    assert client.get(f"/admin/orgs/new?parent_id={HUGE}").status_code == 200


def test_headcounts_beyond_the_database_are_field_errors(world, client, auth):
    auth.login("admin")
    url = f"/admin/orgs/{world.union_a2.id}/edit"
    data = {"name": "甲区医院工会", "category": "public_institution", "member_count": "58"}
    response = post_form(client, url, {**data, "staff_count": "2147483648"})
    assert response.status_code == 422
    assert "0" in field_error(response.text, "staff_count")
    assert "2147483647" in field_error(response.text, "staff_count")
    response = post_form(client, url, {**data, "staff_count": HUGE})
    assert response.status_code == 422 and field_error(response.text, "staff_count")
    org = db.session.get(Organization, world.union_a2.id)
    assert org is not None and org.staff_count == 50


def test_an_id_beyond_the_database_in_a_path_is_not_found(world, client, auth):
    auth.login("union_a")
    # GET and POST on one path: Werkzeug's own range check would answer 405 to the POST.
    for method in ("get", "post"):
        response = client.open("/nominations/2147483648/honour-rectification", method=method)
        assert response.status_code == 404, method
    assert client.get(f"/nominations/{HUGE}").status_code == 404


def test_numbers_typed_into_text_fields_beyond_the_database(world, client, auth):
    nomination, evaluation = _open(world, members=4)
    auth.login("union_a")
    page = f"/nominations/{nomination.id}/evaluation"
    for serials in (HUGE, f"1-{HUGE}", "²"):
        response = post_form(client, page, {"serials": serials}, action=page + "/void")
        assert response.status_code in (303, 422), serials
    assert len(revealed_tokens(evaluation)) == 4  # nothing voided

    draft = world.nomination(status="draft")
    token = csrf_from(client.get(f"/nominations/{draft.id}/self-assessment").text)
    response = client.post(
        f"/nominations/{draft.id}/evidence",
        data={"csrf_token": token, "file": (_png(), "照片.png"), "item_id": HUGE},
        content_type="multipart/form-data",
    )
    assert response.status_code in (303, 422)
    auth.logout()

    checked, check = spot_check(world, inspectors=("inspector",))
    auth.login("inspector")
    url = f"/spot-checks/{check.id}"
    response = post_form(
        client, url, {"interviewed": "2147483648", "interviewed_satisfied": "1"}, url + "/log"
    )
    assert response.status_code == 422
    assert field_error(response.text, "interviewed")
    response = post_form(client, url, {"remove_photo": HUGE}, url + "/log")
    assert response.status_code in (303, 422)


def test_a_decimal_that_is_no_number_is_a_field_error(world, client, auth):
    auth.login("city")
    for typed in ("sNaN", "NaN", "Infinity", "1e999"):
        response = post_form(
            client,
            "/campaigns/new",
            {"name": "测试评选", "year": "2026", "evaluation_min_turnout": typed},
        )
        assert response.status_code == 422, typed
        assert field_error(response.text, "evaluation_min_turnout"), typed


def test_a_date_beyond_the_products_years_is_a_field_error(world, client, auth):
    auth.login("city")
    for day in ("9999-12-31", "0001-01-01"):
        response = post_form(
            client, "/calendar", {"day": day, "kind": "off", "note": "测试"}, "/calendar/day"
        )
        assert response.status_code == 422, day
        assert "2000" in field_error(response.text, "day"), day


def _form_classes() -> list[type]:
    found, stack = [], [FlaskForm]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        found.append(cls)
    return found


def test_every_forms_number_and_date_field_is_held_to_what_the_product_holds(app):
    """Every form class (the app has imported them all) uses app.web.forms' fields."""
    plain = []
    count = 0
    ours = {
        WTFormsIntegerField: IntegerField,
        WTFormsDecimalField: DecimalField,
        WTFormsDateField: DateField,
        WTFormsDateTimeLocalField: DateTimeLocalField,
    }
    for cls in _form_classes():
        for name, value in vars(cls).items():
            if not isinstance(value, UnboundField):
                continue
            for theirs, safe in ours.items():
                if issubclass(value.field_class, theirs):
                    count += 1
                    if not issubclass(value.field_class, safe):
                        plain.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert count >= 14, "too few fields found for the check to mean anything"
    assert not plain, f"number and date fields without the checks of app.web.forms: {plain}"
