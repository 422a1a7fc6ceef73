"""What tests/test_fuzz_inputs.py needs besides the world: the forms of a rendered page, the
hostile values, a URL for a route, and bodies from the OpenAPI document's schemas."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from werkzeug.routing import Rule

ROOT = Path(__file__).resolve().parent.parent

# -- hostile values -----------------------------------------------------------------------

NUL = "甲\x00乙"
OVERLONG = "长" * 5000  # beyond every String(n) column, and far beyond every form's Length
# What a form field or a query parameter may get: a control character must be refused,
# anything else may be accepted or refused, never a server error.
TEXT_PAYLOADS = {
    "nul": NUL,
    "control": "a\x01\x08\x1b\x7fb",
    "overlong": OVERLONG,
    "int4": "2147483648",  # beyond PostgreSQL's integer
    "huge": "9223372036854775808",  # beyond bigint, and beyond what SQLite binds
    "negative": "-9223372036854775809",
    "word": "abc",
    "exponent": "1e999",  # a float that is infinite
}
QUERY_PAYLOADS = {k: TEXT_PAYLOADS[k] for k in ("nul", "huge", "negative", "word")}
# A query string is short (a proxy or gunicorn refuses a request line over 4 KiB or 8 KiB);
# beyond every search field's Length and every LIKE pattern's use.
QUERY_PAYLOADS["overlong"] = "长" * 1000
# Numbers for a field that holds one, sent one field at a time.
NUMBER_PAYLOADS = {
    "int4": "2147483648",
    "huge": "99999999999999999999",
    "negative": "-9223372036854775809",
}
# An `<int:…>` in a path: beyond int4 and beyond int8 (a sign never matches the converter).
PATH_NUMBERS = {"int4": "2147483648", "huge": "99999999999999999999"}
# JSON: one request per kind with every leaf of the kind's type replaced at once, then the
# numbers one integer at a time (a field that refuses one must not hide another that fails).
JSON_PAYLOADS: dict[str, Any] = {
    "nul": NUL,
    "surrogate": "a\ud800b",
    "overlong": OVERLONG,
    "int4": 2**31,
    "int8": 2**63,
    "negative": -(2**63) - 1,
    "tebibyte": 1099511627776,
    "float": 1e308,
    "word": "abc",
    "list": [1, "a"],
    "object": {"a": 1},
    "null": None,
    "bool": True,
}
INTEGER_PAYLOADS = ("int4", "int8", "negative")
# The first and last days a date can hold: a deadline a day later, a period of working days
# after it, a Beijing time of its midnight, all overflow unless the field refuses them.
DATE_PAYLOADS = {"last_date": "9999-12-31", "first_date": "0001-01-01"}
DATETIME_PAYLOADS = {
    "last_time": "9999-12-31T23:59:59+08:00",
    "last_time_west": "9999-12-31T23:59:59-12:00",
    "first_time": "0001-01-01T00:00:00+14:00",
}


def leaf_payloads(value: Any) -> dict[str, Any]:
    """What to try, one at a time, in place of a body's scalar `value`, by its type."""
    if isinstance(value, bool):
        return {}
    if isinstance(value, int):
        return {kind: JSON_PAYLOADS[kind] for kind in INTEGER_PAYLOADS}
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return DATE_PAYLOADS
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT.*", value):
        return DATETIME_PAYLOADS
    if isinstance(value, str):
        return {"overlong": OVERLONG}
    return {}


def is_control_refusal(payload: Any) -> bool:
    return isinstance(payload, str) and any(
        ord(c) < 32 and c not in "\t\n\r" or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF
        for c in payload
    )


# -- forms on a page ----------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    multipart: bool
    # name → (kind, the value a user would send as the page stands)
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)

    def numeric(self) -> list[str]:
        """Fields that carry a number (number inputs, fields whose value is one), one of
        each family."""
        return _one_per_family(
            name
            for name, (kind, value) in self.fields.items()
            if name != "csrf_token" and (kind == "number" or re.fullmatch(r"-?\d+", value))
        )

    def texts(self) -> list[str]:
        """Fields that take text, one of each family."""
        return _one_per_family(
            name
            for name, (kind, _value) in self.fields.items()
            if name != "csrf_token" and kind in ("text", "textarea", "hidden", "search", "tel")
        )

    def fuzzable(self) -> list[str]:
        return [name for name in self.fields if name != "csrf_token"]


def _one_per_family(names: Iterable[str]) -> list[str]:
    """One name of each family: `statement_12` and `statement_13` (a field per item of the
    standard, read by the same code) are one family."""
    families: dict[str, str] = {}
    for name in names:
        families.setdefault(re.sub(r"\d+", "#", name), name)
    return list(families.values())


class FormParser(HTMLParser):
    """Every <form> of a page: its action, method and fields with the values they hold."""

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(
                action=a.get("action") or self.url.split("#")[0],
                method=(a.get("method") or "get").lower(),
                multipart="multipart" in a.get("enctype", ""),
            )
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                if name not in form.fields:
                    form.fields[name] = ("button", a.get("value", ""))
                return
            if kind in ("checkbox", "radio"):
                if name not in form.fields or "checked" in a:
                    form.fields[name] = (kind, a.get("value", "on"))
                return
            form.fields.setdefault(name, (kind, a.get("value", "")))
        elif tag == "button":
            form.fields.setdefault(name, ("button", a.get("value", "")))
        elif tag == "textarea":
            self._textarea = name
            form.fields[name] = ("textarea", "")
        elif tag == "select":
            self._select = name
            form.fields[name] = ("select", "")
        elif tag == "option" and self._select:
            current = form.fields[self._select][1]
            if "selected" in a or not current:
                form.fields[self._select] = ("select", a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form:
            kind, value = self._form.fields[self._textarea]
            self._form.fields[self._textarea] = (kind, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(url: str, page: str) -> list[Form]:
    parser = FormParser(url)
    parser.feed(page)
    parser.close()
    return parser.forms


def names_field(page: str, name: str) -> bool:
    """Whether an error page names the field: the line of the list of refused fields that
    is marked with it (and says, in words, which field by its label)."""
    return f'data-field="{html.escape(name)}"' in page


# -- routes -------------------------------------------------------------------------------


def url_for_rule(rule: Rule, values: dict[str, str]) -> str | None:
    """The rule's path with each parameter's value, or None when a value is missing."""
    if not set(rule.arguments) <= set(values):
        return None
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule.rule)


def query_names_in_code() -> set[str]:
    """The query parameters the views read (`request.args.get("x"…)`, `request.args["x"]`,
    `query_int("x"…)`)."""
    names: set[str] = {"page", "per_page"}  # flask-sqlalchemy's paginate reads these
    pattern = re.compile(r"(?:request\.args(?:\.get|\.getlist)?[\(\[]|query_int\()\s*\"(\w+)\"")
    for path in (ROOT / "app").rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def form_field_names(*, searches_only: bool = False) -> set[str]:
    """The names of every WTForms field of every form class the app defines (only the GET
    forms', which have no CSRF token, with `searches_only`)."""
    from flask_wtf import FlaskForm
    from wtforms.fields.core import UnboundField

    names: set[str] = set()
    classes: list[type] = [FlaskForm]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        if searches_only and getattr(getattr(cls, "Meta", None), "csrf", True):
            continue
        names.update(n for n, v in vars(cls).items() if isinstance(v, UnboundField))
    return names


def form_names_in_code() -> set[str]:
    """The form fields views read by hand (`request.form.get("x"…)`, `form_int("x"…)`),
    f-strings left out."""
    pattern = re.compile(r"(?:request\.form(?:\.get|\.getlist)?[\(\[]|form_int\()\s*\"(\w+)\"")
    names: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


# -- OpenAPI bodies -----------------------------------------------------------------------


def resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    if "allOf" in schema:
        merged: dict = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            part = resolve(spec, part)
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += part.get("required", [])
        return merged
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return resolve(spec, schema[key][0])
    return schema


def example(spec: dict, schema: dict, depth: int = 0) -> Any:
    """A plausible value for a schema: what a careful client would send."""
    schema = resolve(spec, schema)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        return {
            name: example(spec, prop, depth + 1)
            for name, prop in schema.get("properties", {}).items()
            if not prop.get("readOnly")
        }
    if kind == "array":
        return [example(spec, schema.get("items", {}), depth + 1)]
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return 0.5 if schema.get("maximum", 2) <= 1 else 1
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "date":
        return date.today().isoformat()
    if fmt == "date-time":
        return datetime.now().astimezone().isoformat()
    if fmt == "binary":
        return "binary"
    return "测试内容，足够长的说明文字。"


def leaves(value: Any, path: tuple = ()) -> list[tuple]:
    """Paths to every scalar of a JSON value (lists and objects walked)."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in leaves(item, (*path, key))] or [path]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in leaves(item, (*path, i))] or [path]
    return [path]


def replaced(value: Any, path: tuple, new: Any) -> Any:
    """A copy of `value` with the scalar at `path` replaced by `new`."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (replaced(v, rest, new) if k == head else v) for k, v in value.items()}
    return [replaced(v, rest, new) if i == head else v for i, v in enumerate(value)]


def at(value: Any, path: tuple) -> Any:
    """The scalar at `path` of a JSON value."""
    for part in path:
        value = value[part]
    return value


def dotted(path: tuple) -> str:
    return ".".join(str(p) for p in path)
