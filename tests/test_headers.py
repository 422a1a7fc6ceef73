"""Security headers (app/web/headers.py) on what a browser or a client receives: pages,
public pages, the JSON API, the members' ballot pages, evidence downloads and static files;
HSTS only with secure cookies; and no inline script left in any template."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.assessment.evidence import upload_evidence
from tests.conftest import AuthActions
from tests.factories import add_inspectors, spot_check
from tests.test_evaluation_pages import _open, _tokens
from tests.test_evidence import PDF, image_bytes, upload_file

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def policy(header: str) -> dict[str, str]:
    """A policy header as {directive: sources}."""
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def features(header: str) -> dict[str, str]:
    """A Permissions-Policy header as {feature: allowlist}."""
    return dict(part.strip().split("=", 1) for part in header.split(","))


def assert_strict(response, referrer: str = "strict-origin-when-cross-origin") -> None:  # type: ignore[no-untyped-def]
    """The headers every answer carries."""
    headers = response.headers
    csp = policy(headers["Content-Security-Policy"])
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no nonce, no other site
    assert csp["style-src-elem"] == "'self'"  # no <style> elements
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == referrer
    allowed = features(headers["Permissions-Policy"])
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert allowed[feature] == "()", feature
    assert "Strict-Transport-Security" not in headers  # cookies are not secure in the suite


def test_app_pages_and_error_pages(world, client, auth):  # type: ignore[no-untyped-def]
    assert_strict(client.get("/login"))
    auth.login("union_a")
    page = client.get("/")
    assert page.status_code == 200
    assert_strict(page)
    assert_strict(client.get("/no-such-page"))
    assert_strict(client.get("/nominations/999999"))


def test_public_pages(world, client):  # type: ignore[no-untyped-def]
    for url in ("/publicity", "/honours", "/certificates"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response)


def test_the_json_api(world, client):  # type: ignore[no-untyped-def]
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200 and document.is_json
    assert_strict(document)
    refused = client.post("/api/v1/auth/token", json={"username": "nobody", "password": "x"})
    assert refused.status_code == 401 and refused.is_json
    assert_strict(refused)
    missing = client.get("/api/v1/nominations")
    assert missing.status_code == 401
    assert_strict(missing)


def test_static_files(client):  # type: ignore[no-untyped-def]
    for url in (
        "/static/js/base.js",
        "/static/css/app.css",
        "/bootstrap/static/js/bootstrap.min.js",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()


def test_ballot_pages_keep_no_referrer(world, client):  # type: ignore[no-untyped-def]
    _nomination, evaluation = _open(world, members=2)
    page = client.get(f"/e/{_tokens(evaluation)[0]}")
    assert page.status_code == 200
    assert_strict(page, referrer="no-referrer")
    assert "no-store" in page.headers["Cache-Control"]
    unknown = client.get("/e/" + "x" * 40)
    assert_strict(unknown, referrer="no-referrer")
    # The API's ballot too carries the policy.
    api = client.get(f"/api/v1/ballots/{_tokens(evaluation)[1]}")
    assert api.status_code == 200 and api.is_json
    assert policy(api.headers["Content-Security-Policy"])["frame-ancestors"] == "'none'"
    assert api.headers["X-Content-Type-Options"] == "nosniff"


def test_evidence_downloads_keep_their_own_policy(world, new_client):  # type: ignore[no-untyped-def]
    union = world.user("union_a")
    nomination = world.nomination(org=world.union_a, status="draft", complete=False)
    pdf = upload_evidence(union, nomination.id, upload_file(PDF, "会议纪要.pdf"))
    photo = upload_evidence(union, nomination.id, upload_file(image_bytes(), "照片.png"))
    client = new_client()
    AuthActions(client).login("union_a")
    for url in (
        f"/evidence/{pdf.id}/download",
        f"/evidence/{photo.id}/download",
        f"/evidence/{photo.id}/thumbnail",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        headers = response.headers
        # As app/evidence/download.py sets it: nothing in the file may run or load.
        assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox", url
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    download = client.get(f"/evidence/{pdf.id}/download")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "private, no-store"


def test_only_the_inspectors_log_may_use_the_camera(world, client, auth):  # type: ignore[no-untyped-def]
    add_inspectors(world)
    _nomination, check = spot_check(world, org=world.union_a, inspectors=("inspector",))
    auth.login("inspector")
    page = client.get(f"/spot-checks/{check.id}")
    assert 'capture="environment"' in page.text
    allowed = features(page.headers["Permissions-Policy"])
    assert allowed["camera"] == "(self)"
    assert allowed["microphone"] == "()" and allowed["geolocation"] == "()"
    # The next page of the same inspector allows no camera again.
    assert features(client.get("/").headers["Permissions-Policy"])["camera"] == "()"
    # Someone who only reads the log gets no photo field and no camera.
    auth.logout()
    auth.login("city")
    page = client.get(f"/spot-checks/{check.id}")
    assert page.status_code == 200 and 'capture="environment"' not in page.text
    assert features(page.headers["Permissions-Policy"])["camera"] == "()"


# -- HSTS and the settings ----------------------------------------------------------------


def _app(**config: object) -> Flask:
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", **config})


def test_hsts_only_with_secure_cookies_and_over_https(app, client):  # type: ignore[no-untyped-def]
    secure = _app(SESSION_COOKIE_SECURE=True).test_client()
    response = secure.get("/login", base_url="https://zgzj.example.cn")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    # Behind the deployment's proxy, which says the client came over HTTPS.
    behind = secure.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert behind.headers["Strict-Transport-Security"] == "max-age=31536000"
    # Over plain HTTP: no HSTS (a browser would ignore it) and no redirect to HTTPS either.
    plain = secure.get("/login")
    assert plain.status_code == 200
    assert "Strict-Transport-Security" not in plain.headers

    # Without secure cookies: never, not even over HTTPS.
    insecure = _app(SESSION_COOKIE_SECURE=False).test_client()
    response = insecure.get("/login", base_url="https://zgzj.example.cn")
    assert "Strict-Transport-Security" not in response.headers
    # Each app keeps its own settings: the suite's app did not take the secure one's.
    response = client.get("/login", base_url="https://zgzj.example.cn")
    assert "Strict-Transport-Security" not in response.headers
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_hsts_settings(app):  # type: ignore[no-untyped-def]
    secure = _app(SESSION_COOKIE_SECURE=True, HSTS_MAX_AGE=600, HSTS_INCLUDE_SUBDOMAINS=True)
    response = secure.test_client().get("/login", base_url="https://zgzj.example.cn")
    assert response.headers["Strict-Transport-Security"] == "max-age=600; includeSubDomains"
    # The login cookie stays what the settings say (Talisman would force it secure).
    assert "Secure" in response.headers["Set-Cookie"]
    plain = _app().test_client().get("/login")
    assert "Secure" not in plain.headers["Set-Cookie"]
    assert (
        "HttpOnly" in plain.headers["Set-Cookie"] and "SameSite=Lax" in plain.headers["Set-Cookie"]
    )


def test_csp_report_only(app):  # type: ignore[no-untyped-def]
    reported = _app(CSP_REPORT_ONLY=True, CSP_REPORT_URI="https://csp.example.cn/report")
    response = reported.test_client().get("/login")
    assert "Content-Security-Policy" not in response.headers
    csp = policy(response.headers["Content-Security-Policy-Report-Only"])
    assert csp["script-src"] == "'self'"
    assert csp["report-uri"] == "https://csp.example.cn/report"
    # Reports can also be collected while the policy is enforced.
    enforced = _app(CSP_REPORT_URI="https://csp.example.cn/report").test_client().get("/login")
    assert policy(enforced.headers["Content-Security-Policy"])["report-uri"] == (
        "https://csp.example.cn/report"
    )
    with pytest.raises(RuntimeError, match="CSP_REPORT_URI"):
        _app(CSP_REPORT_ONLY=True)


# -- no inline script in any template -----------------------------------------------------

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
EVENT_ATTRIBUTE = re.compile(r"<[a-z][^>]*?\son[a-z]+\s*=", re.I | re.S)
JAVASCRIPT_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)


def inline_code(source: str) -> list[str]:
    """What in a template the CSP would refuse: inline scripts, on*= handlers, javascript:
    addresses, <style> elements. Jinja comments are not output, so they do not count."""
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
    found = []
    for match in SCRIPT_TAG.finditer(source):
        attributes = match.group(1)
        if not re.search(r"\ssrc\s*=", attributes) and not re.search(
            r"""\stype\s*=\s*["']application/json["']""", attributes
        ):
            found.append(match.group(0))
    found += [m.group(0) for m in EVENT_ATTRIBUTE.finditer(source)]
    found += [m.group(0) for m in JAVASCRIPT_URL.finditer(source)]
    found += [m.group(0) for m in STYLE_ELEMENT.finditer(source)]
    return found


def test_the_scan_finds_what_the_csp_refuses() -> None:
    assert inline_code("<script>alert(1)</script>")
    assert inline_code('<script type="module">x()</script>')
    assert inline_code('<form class="x"\n      onsubmit="return confirm(1)">')
    assert inline_code('<button type="submit" onclick="go()">')
    assert inline_code('<a href="javascript:history.back()">')
    assert inline_code("<style>.x { color: red }</style>")
    assert not inline_code("<script src=\"{{ url_for('static', filename='js/a.js') }}\"></script>")
    assert not inline_code('<script type="application/json" id="t">{"a": 1}</script>')
    assert not inline_code('{# <script>old()</script> #}<p data-confirm="x" style="width: 1%">')


def test_no_template_has_inline_script_or_style_elements() -> None:
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 50
    found = {
        str(path.relative_to(TEMPLATES)): code
        for path in templates
        if (code := inline_code(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_words_for_the_self_assessment_script_are_a_json_block(world, client, auth):  # type: ignore[no-untyped-def]
    """The data block the script reads (not executed, so the CSP allows it) is valid JSON in
    the page's language."""
    nomination = world.nomination(org=world.union_a, status="draft", complete=False)
    auth.login("union_a")
    html = client.get(f"/nominations/{nomination.id}/self-assessment").text
    match = re.search(r'<script type="application/json" id="sa-texts">(.*?)</script>', html, re.S)
    assert match
    words = json.loads(match.group(1))
    assert words["over"] == "{rate}超过 100%，请核对人数"
    assert words["counter"].count("{a}") == 1 and words["counter"].count("{n}") == 1
    assert '<script src="/static/js/self_assessment.js"></script>' in html
