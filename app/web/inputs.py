"""One guard for every request's text: no control character reaches a view, a service or the
database.

PostgreSQL cannot store NUL in text (it raises, which was a 500), and no field of ours means
to hold the other C0 control characters, DEL or a lone surrogate (which no database encoding
can write). So before any view runs, `refuse_control_characters` reads what a client can put
text into — the path's parameters, the query string, form fields, the names of uploaded
files, and a JSON body (keys and values, at any depth) — and refuses the request with 422
when any of them holds one: in the API the usual error body naming the fields
(`errors: {"comment": [...]}`, a nested JSON field as a dotted path, `items.0.statement`),
on the pages an error page naming each field by its label. Tab, line feed and carriage
return are text; the contents of uploaded files are not text and are not read here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from app.errors import Invalid

# C0 controls but tab, line feed and carriage return; DEL; UTF-16 surrogates, which reach
# Python only unpaired (from a JSON `\ud800` escape) and cannot be encoded for any database.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def has_control_characters(text: str) -> bool:
    return CONTROL.search(text) is not None


def visible(name: str) -> str:
    """A field name fit to show and to send back: each control character as `\\uXXXX`."""
    return CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", name)


def _json_texts(data: Any) -> Iterator[tuple[str, str]]:
    """(dotted path, text) for every key and string value of a JSON document, walked
    without recursion (a deeply nested body cannot exhaust the stack)."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            for key, item in value.items():
                key = str(key)
                if has_control_characters(key):
                    yield (f"{path}.{visible(key)}" if path else visible(key)), key
                stack.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}" if path else str(i), item) for i, item in enumerate(value))


def _pairs(multidict: Any) -> Iterator[tuple[str, str]]:
    for key, value in multidict.items(multi=True):
        # A multipart part whose name Werkzeug cannot read (a line break in it) has None.
        key = key or ""
        yield key, key
        yield key, value


def _request_texts() -> Iterator[tuple[str, str, str]]:
    """(where, field, text) for all the text a client sent with this request."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            yield "path", name, value
    for name, value in _pairs(request.args):
        yield "query", name, value
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for name, value in _pairs(request.form):
            yield "form", name, value
        for name, upload in request.files.items(multi=True):
            name = name or ""
            yield "form", name, name
            yield "file", name, upload.filename or ""
    if request.is_json:
        try:
            data = request.get_json(silent=True)
        except RecursionError as exc:  # nesting deeper than the parser goes
            raise BadRequest() from exc
        for name, value in _json_texts(data):
            yield "json", name, value


def _bad_fields() -> dict[str, str]:
    """field → where, for each field whose name or text holds a control character."""
    bad: dict[str, str] = {}
    for where, name, text in _request_texts():
        if has_control_characters(text):
            bad.setdefault(visible(name), where)
    return bad


def _form_labels(names: Iterable[str]) -> dict[str, str]:
    """The label the web forms give each field name, to name it as the page did.

    The forms of the view's own package are asked first (a `name` field is the campaign's
    name on a campaign page, a person's on a user page), then every form; a name labelled
    differently by two forms of the same reach keeps its name."""
    from flask_wtf import FlaskForm
    from wtforms.fields.core import UnboundField

    view = current_app.view_functions.get(request.endpoint or "")
    package = (view.__module__.rsplit(".", 1)[0] + ".") if view is not None else "\0"
    wanted = set(names)
    own: dict[str, set[str]] = {}
    every: dict[str, set[str]] = {}
    classes: list[type] = [FlaskForm]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        for name in wanted.intersection(vars(cls)):
            field = vars(cls)[name]
            if isinstance(field, UnboundField):
                text = field.kwargs.get("label") or (field.args[0] if field.args else None)
                if text is not None:
                    every.setdefault(name, set()).add(str(text))
                    if cls.__module__.startswith(package):
                        own.setdefault(name, set()).add(str(text))
    labels = {}
    for name in wanted:
        for found in (own.get(name), every.get(name)):
            if found and len(found) == 1:
                labels[name] = next(iter(found))
                break
    return labels


def _message(where: str) -> str:
    if where == "file":
        return _(
            "The file name contains control characters (such as NUL): rename the file and "
            "upload it again."
        )
    return _("Remove the control characters (such as NUL) from this field: text cannot hold them.")


def refuse_control_characters() -> ResponseReturnValue | None:
    """Refuse (422) a request whose text holds a control character, naming the fields: the
    API's error body, or an error page listing each field by its label (and marking it
    `data-field`)."""
    bad = _bad_fields()
    if not bad:
        return None
    message = _("Some fields contain control characters (such as NUL) that text cannot hold.")
    errors = {name: [_message(where)] for name, where in bad.items()}
    if request.path.startswith("/api/"):
        raise Invalid(message, errors=errors)
    labels = _form_labels(bad)
    fields = [
        (name, _("%(field)s: %(problem)s", field=labels.get(name, name), problem=messages[0]))
        for name, messages in errors.items()
    ]
    page = render_template("error.html", status=422, message=message, fields=fields)
    return page, 422


def init_app(app: Flask) -> None:
    """Guard every request before any view runs (the factory installs it first, before the
    CSRF check and the session)."""
    app.before_request(refuse_control_characters)
