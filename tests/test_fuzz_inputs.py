"""No input gives a server error: every page's forms, every route's path and query, every
API operation, sent NUL bytes, control characters, huge and negative numbers, overlong text
and wrong types, as each kind of user.

Nothing is listed by hand: the routes come from `app.url_map`, the forms and their fields
from the pages as each user sees them (so every field a page offers, hand-read ones too),
the query parameters from the views' code and the GET forms, the API's operations,
parameters and bodies from /api/v1/openapi.json. A NUL (or another control character) must
be refused with 422 naming the field; anything else may be accepted or refused, never a
500. Each test gathers every failure and reports them all at once.

The world (tests/fuzz_world.py) has an object in every stage, so the forms are the ones a
user really meets: the self-assessment of a draft, the review, an open evaluation and its
ballot, a spot check's log, a published list's objection form, a commended home.
PostgreSQL is where NUL and overflows used to fail; run it there too
(TEST_DATABASE_URL=postgresql+psycopg://…).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from app.auth.models import SessionKind
from app.auth.services import start_session
from tests.conftest import AuthActions, csrf_from
from tests.fuzz_support import (
    JSON_PAYLOADS,
    NUMBER_PAYLOADS,
    OVERLONG,
    PATH_NUMBERS,
    QUERY_PAYLOADS,
    TEXT_PAYLOADS,
    Form,
    at,
    dotted,
    example,
    form_field_names,
    form_names_in_code,
    forms_of,
    is_control_refusal,
    leaf_payloads,
    leaves,
    names_field,
    query_names_in_code,
    replaced,
    url_for_rule,
)
from tests.fuzz_world import FuzzWorld, build_fuzz_world, png

# The city first: it sees the most, so a route is most often opened by the first user tried.
USERS: tuple[str | None, ...] = ("city", "union_a", "reviewer_a", "inspector", "admin", None)
# Files, not pages: their query and path are fuzzed, but they hold no forms to read.
NOT_PAGES = (".pdf", ".csv", ".xlsx", ".json")
PNG = png().read()
# Where a request was sent back to, that says it did not get in.
TURNED_AWAY = (401, 403, 404, 405)


class Findings:
    """Every server error (and every control character not refused as it should be),
    reported together."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.requests = 0

    def seen(self, what: str, response: Any) -> None:
        import time

        now = time.time()
        if now - getattr(self, "last", now) > 0.4:
            print("SLOW", round(now - self.last, 2), what[:150])
        self.last = now
        self.requests += 1
        if response.status_code >= 500:
            self.problems.append(f"{what} → {response.status_code}")

    def refused(self, what: str, response: Any, names: Iterable[str]) -> None:
        """A control character: 422, naming each field."""
        self.seen(what, response)
        if response.status_code != 422:
            self.problems.append(f"{what} → {response.status_code}, not 422")
            return
        if response.is_json:
            errors = response.get_json().get("errors") or {}
            missing = [n for n in names if n not in errors]
        else:
            text = response.get_data(as_text=True)
            missing = [n for n in names if not names_field(text, n)]
        if missing:
            self.problems.append(f"{what} → 422 without naming {missing}")

    def assert_none(self) -> None:
        print(f"{self.requests} requests")  # shown with -s: the fuzz's size
        assert not self.problems, f"{len(self.problems)} of {self.requests} requests:\n" + (
            "\n".join(self.problems[:300])
        )


@pytest.fixture
def fuzz(app: Flask, new_client: Any) -> Iterator[tuple[FuzzWorld, dict[str | None, FlaskClient]]]:
    """The world, and a browser logged in as each kind of user (None: nobody)."""
    with app.app_context():
        fw = build_fuzz_world()
        clients: dict[str | None, FlaskClient] = {}
        for key in USERS:
            clients[key] = new_client()
            if key:
                assert AuthActions(clients[key]).login(key).status_code == 302
        yield fw, clients


def _nominations_for(fw: FuzzWorld, path: str) -> list[str]:
    """The nominations worth trying on a path: the one whose stage it names, or each."""
    words = {
        "evaluation": "evaluation",
        "honour": "commended",
        "certificate": "commended",
        "review-comments": "review",
        "rounds": "review",
        "self-assessment": "draft",
        "evidence": "draft",
    }
    for word, stage in words.items():
        if word in path:
            return [str(fw.nominations[stage].id)]
    return [str(n.id) for n in fw.nominations.values()]


def _urls(fw: FuzzWorld, rule: Rule) -> list[str]:
    values = {name: options[0] for name, options in fw.values.items()}
    nominations = _nominations_for(fw, rule.rule) if "nomination_id" in rule.arguments else [""]
    urls = [url_for_rule(rule, {**values, "nomination_id": n}) for n in nominations]
    return [url for url in urls if url]


def _web_rules(app: Flask, method: str) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if method in (rule.methods or ())
        and not rule.rule.startswith(("/api/", "/static/", "/bootstrap/"))
        and rule.endpoint not in ("auth.logout", "main.set_language")
    ]


def _crawl(
    app: Flask, fw: FuzzWorld, clients: dict[str | None, FlaskClient], findings: Findings
) -> list[tuple[str | None, Form]]:
    """Every form on every page, as the first user (of USERS) who is shown it."""
    found: dict[tuple, tuple[str | None, Form]] = {}
    for rule in _web_rules(app, "GET"):
        if rule.rule.endswith(NOT_PAGES):
            continue
        for url in _urls(fw, rule):
            for key, client in clients.items():
                response = client.get(url)
                findings.seen(f"{key}: GET {url}", response)
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                for form in forms_of(url, response.get_data(as_text=True)):
                    path = urlsplit(form.action).path or url
                    identity = (form.method, path, tuple(sorted(form.fields)))
                    if path != "/logout" and form.fuzzable():
                        found.setdefault(identity, (key, form))
    return list(found.values())


def _send(client: FlaskClient, form: Form, data: dict[str, Any], files: dict[str, str]) -> Any:
    """Send a form as a browser would; `files`: field → the name of a small image to upload."""
    path = urlsplit(form.action).path or form.action
    if form.method == "get":
        return client.get(path, query_string=data)
    body: dict[str, Any] = dict(data)
    for name, filename in files.items():
        body[name] = (io.BytesIO(PNG), filename)
    return client.post(path, data=body, content_type="multipart/form-data")


def _baseline(form: Form) -> tuple[dict[str, str], list[str]]:
    """What the page would send as it stands (no file chosen), and its file fields."""
    data, files = {}, []
    for name, (kind, value) in form.fields.items():
        if kind == "file":
            files.append(name)
        elif kind != "button" or value:
            data[name] = value
    return data, files


def _fuzz_form(client: FlaskClient, key: str | None, form: Form, findings: Findings) -> None:
    data, files = _baseline(form)
    fields = [n for n in form.fuzzable() if n not in files]
    where = f"{key}: {form.method.upper()} {form.action}"
    for kind, payload in TEXT_PAYLOADS.items():
        hostile = {**data, **dict.fromkeys(fields, payload)}
        if is_control_refusal(payload):
            # the file names too (a file's contents are not text, its name is)
            response = _send(client, form, hostile, dict.fromkeys(files, f"照{payload}片.png"))
            findings.refused(f"{where} [{kind} in every field]", response, [*fields, *files])
        else:
            findings.seen(f"{where} [{kind} in every field]", _send(client, form, hostile, {}))
    # One field at a time, the others as the page has them: a field that refuses its value
    # must not hide another that would fail.
    for name in form.numeric():
        for kind, payload in NUMBER_PAYLOADS.items():
            response = _send(client, form, {**data, name: payload}, {})
            findings.seen(f"{where} [{name}={kind}]", response)
    for name in form.texts():
        response = _send(client, form, {**data, name: OVERLONG}, {})
        findings.seen(f"{where} [{name}=overlong]", response)


def _first_in(
    clients: dict[str | None, FlaskClient],
    url: str,
    data: dict | None = None,
    tokens: dict[str | None, str] | None = None,
) -> str | None:
    """The first user (of USERS) the route does not turn away, else the city: a GET, or with
    `data` a POST with each user's CSRF token (`tokens`)."""
    for key, client in clients.items():
        if data is None or tokens is None:
            response = client.get(url)
        else:
            response = client.post(url, data={**data, "csrf_token": tokens[key]})
        redirected_to_login = response.status_code == 302 and "/login" in response.location
        if response.status_code not in TURNED_AWAY and not redirected_to_login:
            return key
    return "city"


@pytest.mark.slow
def test_every_form_of_every_page_survives_hostile_input(app, fuzz):  # type: ignore[no-untyped-def]
    fw, clients = fuzz
    findings = Findings()
    forms = _crawl(app, fw, clients, findings)
    assert len(forms) > 30, "the crawl found too few forms to mean anything"
    adapter = app.url_map.bind("localhost")
    offered = set()
    for key, form in forms:
        _fuzz_form(clients[key], key, form, findings)
        path = urlsplit(form.action).path
        offered.add(adapter.match(path, method=form.method.upper(), return_rule=True)[0].rule)
    # A POST route that no page offered in this world's states: every field name there is.
    names = form_field_names() | form_names_in_code() | {n for _k, f in forms for n in f.fields}
    names.discard("csrf_token")
    tokens = {key: csrf_from(c.get("/", follow_redirects=True).text) for key, c in clients.items()}
    for rule in _web_rules(app, "POST"):
        if rule.rule in offered:
            continue
        url = _urls(fw, rule)[0]
        key = _first_in(clients, url, dict.fromkeys(names, "abc"), tokens)
        form = Form(action=url, method="post", multipart=True)
        form.fields = {name: ("text", "") for name in names}
        for kind, payload in TEXT_PAYLOADS.items():
            data = {**dict.fromkeys(names, payload), "csrf_token": tokens[key]}
            response = _send(clients[key], form, data, {})
            what = f"{key}: POST {url} [{kind} in every field, no page offers it]"
            if is_control_refusal(payload):
                findings.refused(what, response, names)
            else:
                findings.seen(what, response)
    findings.assert_none()


@pytest.mark.slow
def test_every_route_survives_hostile_path_and_query_values(app, fuzz):  # type: ignore[no-untyped-def]
    fw, clients = fuzz
    findings = Findings()
    names = query_names_in_code() | form_field_names(searches_only=True)
    for rule in _web_rules(app, "GET"):
        url = _urls(fw, rule)[0]
        key = _first_in(clients, url)
        for kind, payload in QUERY_PAYLOADS.items():
            query = dict.fromkeys(names, payload)
            response = clients[key].get(url, query_string=query)
            what = f"{key}: GET {url} [{kind} in every query parameter]"
            if kind == "nul":
                findings.refused(what, response, names)
            else:
                findings.seen(what, response)
    values = {name: options[0] for name, options in fw.values.items()}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            continue  # the API test sends its paths
        method = "GET" if "GET" in (rule.methods or ()) else "POST"
        for name in rule.arguments:
            numeric = rule._converters[name].regex == r"\d+"
            kinds = PATH_NUMBERS if numeric else QUERY_PAYLOADS
            for kind, payload in kinds.items():
                url = url_for_rule(rule, {**values, name: quote(payload, safe="")})
                assert url, rule.rule
                response = clients["city"].open(url, method=method)
                what = f"city: {method} {url[:100]} [{name}={kind}]"
                if numeric:
                    findings.seen(what, response)
                    if response.status_code != 404:
                        findings.problems.append(f"{what} → {response.status_code}, not 404")
                elif kind == "nul":
                    findings.refused(what, response, [name])
                else:
                    findings.seen(what, response)
    findings.assert_none()


# -- the API ------------------------------------------------------------------------------


def _operations(client: FlaskClient) -> Iterator[tuple[dict, str, str, dict]]:
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                params = [*item.get("parameters", []), *operation.get("parameters", [])]
                yield spec, method, path, {**operation, "parameters": params}


def _body(spec: dict, operation: dict) -> tuple[str | None, Any]:
    content = operation.get("requestBody", {}).get("content", {})
    for mimetype in ("application/json", "multipart/form-data"):
        if mimetype in content:
            return mimetype, example(spec, content[mimetype].get("schema", {}))
    return None, None


class Caller:
    """One API operation, sent as one user with a body (JSON or multipart) and a query."""

    def __init__(self, client: FlaskClient, method: str, mimetype: str | None) -> None:
        self.client, self.method, self.mimetype = client, method, mimetype

    def __call__(self, token: str | None, url: str, body: Any, query: Any = None) -> Any:
        kw: dict[str, Any] = {
            "method": self.method,
            "headers": {"Authorization": f"Bearer {token}"} if token else {},
            "query_string": query,
        }
        if self.mimetype == "multipart/form-data":
            kw["data"] = {
                k: (io.BytesIO(PNG), "照片.png") if v == "binary" else v
                for k, v in (body or {}).items()
            }
        elif self.mimetype == "application/json":
            kw["json"] = body
        return self.client.open(url, **kw)


def _api_urls(fw: FuzzWorld, path: str, names: list[str]) -> list[str]:
    values = {name: options[0] for name, options in fw.values.items()}
    nominations = _nominations_for(fw, path) if "nomination_id" in names else [""]
    urls = []
    for nomination_id in nominations:
        url = path
        for name in names:
            value = nomination_id if name == "nomination_id" else values[name]
            url = url.replace("{" + name + "}", quote(value, safe=""))
        urls.append(url)
    return urls


@pytest.mark.slow
def test_every_api_operation_survives_hostile_input(app, fuzz):  # type: ignore[no-untyped-def]
    fw, clients = fuzz
    findings = Findings()
    tokens = {
        key: start_session(fw.world.user(key), SessionKind.API)[0] if key else None for key in USERS
    }
    operations = list(_operations(clients[None]))
    assert len(operations) > 60
    for spec, method, path, operation in operations:
        call = Caller(clients[None], method, *_body(spec, operation)[:1])
        body = _body(spec, operation)[1]
        params = operation["parameters"]
        in_path = [p["name"] for p in params if p["in"] == "path"]
        # Who gets past the token, and who gets furthest: 2xx first, then other refusals.
        tried = []
        for url in _api_urls(fw, path, in_path):
            for key, token in tokens.items():
                response = call(token, url, body)
                findings.seen(f"{key}: {method.upper()} {url} [as documented]", response)
                if response.status_code != 401:
                    rank = (response.status_code >= 300) + (response.status_code in (403, 404))
                    tried.append((rank, url, key))
        tried.sort(key=lambda t: t[0])
        query = [p["name"] for p in params if p["in"] == "query"]
        for rank, url, key in tried[:2]:
            token, where = tokens[key], f"{key}: {method.upper()} {url}"
            for kind, payload in QUERY_PAYLOADS.items() if query else ():
                q = dict.fromkeys(query, payload)
                response = call(token, url, body, q)
                if kind == "nul":
                    findings.refused(f"{where} [nul in the query]", response, q)
                else:
                    findings.seen(f"{where} [{kind} in the query]", response)
            if body is None:
                continue
            paths = [p for p in leaves(body) if p]
            json = call.mimetype == "application/json"
            for kind, payload in JSON_PAYLOADS.items():
                if not json and not isinstance(payload, str):
                    continue  # a multipart field is text
                mutated = body
                for p in paths:
                    mutated = replaced(mutated, p, payload)
                response = call(token, url, mutated)
                what = f"{where} [{kind} in every field]"
                if is_control_refusal(payload):
                    findings.refused(what, response, [dotted(p) for p in paths])
                else:
                    findings.seen(what, response)
            if rank > 1 or not json:
                continue  # a refused caller goes no further than the schema
            for p in paths:
                for kind, payload in leaf_payloads(at(body, p)).items():
                    response = call(token, url, replaced(body, p, payload))
                    findings.seen(f"{where} [{dotted(p)}={kind}]", response)
    findings.assert_none()


def test_a_json_body_nested_too_deep_is_refused_not_a_server_error(client):  # type: ignore[no-untyped-def]
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert response.status_code == 400
