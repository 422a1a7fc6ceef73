"""Check a standard document: its shape against the JSON Schema, then the rules beyond it.

Two layers of checks, both reported together in the reader's language, each problem with its
path in the document (e.g. ``categories.enterprise.dimensions[1].items[2].code``):

1. the JSON Schema in ``schema.json`` (Draft 2020-12): shape, types, rates in (0, 1];
2. rules a schema cannot say well: the six dimensions of every category in order and with
   their proper names, item numbers 1…n consecutive within a dimension, item codes unique
   in the file, key-figure names the system knows.

Anything wrong raises ``app.errors.Invalid``; its ``problems`` list holds one
``"路径：说明"`` line per problem and its ``errors`` maps each path to its messages. The
dimensions' names are the standard's own words and stay as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from app.errors import Invalid

SCHEMA_FILE = Path(__file__).with_name("schema.json")

# The six dimensions of every category's standard, in the seed's order (002 二(二)).
DIMENSIONS: dict[str, str] = {
    "political": "政治建设",
    "organisation": "组织建设",
    "institution": "制度建设",
    "service": "服务建设",
    "foundation": "基础建设",
    "satisfaction": "满意度测评",
}

# The key figures a union may be asked to enter, with their labels (lazy: read in the UI
# language); rates are computed from them (`app.assessment.rates`).
FIGURES: dict[str, str] = {
    "staff_count": _l("Staff"),
    "member_count": _l("Members"),
    "contract_staff_count": _l("Contract staff"),
    "contract_member_count": _l("Members among the contract staff"),
    "migrant_worker_count": _l("Migrant workers"),
    "migrant_member_count": _l("Migrant workers who are members"),
    "subunit_count": _l("Subordinate units"),
    "unionised_subunit_count": _l("Units with a union"),
    "collective_contract_count": _l("Units with a collective contract system"),
}

_TYPE_NAMES = {
    "object": _l("a mapping of keys to values"),
    "array": _l("a list"),
    "string": _l("a text string"),
    "integer": _l("an integer"),
    "number": _l("a number"),
    "boolean": _l("a boolean (true or false)"),
    "null": _l("an empty value (null)"),
}

_NUMBER_PREFIX = re.compile(r"^\s*[（(]\s*\d+\s*[)）]")


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(schema())
    return Draft202012Validator(schema())


def check_document(document: Any, name: str | None = None) -> None:
    """Raise Invalid if the document breaks the schema or the semantic rules."""
    name = name or _("The standard file")
    problems = schema_problems(document) + semantic_problems(document)
    if not problems:
        return
    # Keep order, drop repeats (e.g. one `required` error per missing key of one object).
    unique = list(dict.fromkeys(problems))
    errors: dict[str, list[str]] = {}
    for where, message in unique:
        errors.setdefault(where, []).append(message)
    lines = [problem_line(where, message) for where, message in unique]
    heading = _("%(name)s failed the checks, %(n)s problems:", name=name, n=len(lines))
    raise Invalid(
        heading + "\n" + "\n".join(f"- {li}" for li in lines),
        problems=lines,
        errors=errors,
    )


def problem_line(where: str, problem: str) -> str:
    """One problem as the list shows it: where it is, what is wrong."""
    return _("%(where)s: %(problem)s", where=where, problem=problem)


def _listed(values: Iterable[Any]) -> str:
    return _(", ").join(str(v) for v in values)


def format_path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or _("(the top of the file)")


def _join(parts: Iterable[Any], *more: Any) -> str:
    return format_path([*parts, *more])


def schema_problems(document: Any) -> list[tuple[str, str]]:
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(map(str, e.path)))
    problems: list[tuple[str, str]] = []
    for error in errors:
        problems.extend(_explain(error))
    return problems


def _explain(error: ValidationError) -> list[tuple[str, str]]:
    path = list(error.absolute_path)
    where = format_path(path)
    kind = error.validator
    # jsonschema types these as "Any or unset"; an error always carries them.
    value: Any = error.validator_value
    schema: Any = error.schema
    instance = error.instance
    if kind == "required":
        have = instance if isinstance(instance, dict) else {}
        return [
            (_join(path, key), _("This required field is missing"))
            for key in value
            if key not in have
        ]
    if kind == "additionalProperties":
        known = set(schema.get("properties", {}))
        extra = [k for k in instance if k not in known] if isinstance(instance, dict) else []
        allowed = _listed(schema.get("properties", {}))
        problem = (
            _("Unknown field (allowed here: %(allowed)s)", allowed=allowed)
            if allowed
            else _("Unknown field (no field is allowed here)")
        )
        return [(_join(path, key), problem) for key in extra]
    if kind == "type":
        expected = value if isinstance(value, list) else [value]
        names = _(" or ").join(str(_TYPE_NAMES.get(t, t)) for t in expected)
        return [
            (
                where,
                _("Should be %(expected)s, is %(value)s", expected=names, value=_show(instance)),
            )
        ]
    if kind == "enum":
        return [
            (
                where,
                _(
                    "The value %(value)s is not allowed (choose from: %(options)s)",
                    value=_show(instance),
                    options=_listed(value),
                ),
            )
        ]
    if kind in {"exclusiveMinimum", "minimum", "maximum", "exclusiveMaximum"}:
        if path and path[0] == "thresholds":
            return [
                (
                    where,
                    _(
                        "The rate %(value)s is out of range: it must be greater than 0 and at "
                        "most 1 (as a decimal: 90%% is written 0.90)",
                        value=_show(instance),
                    ),
                )
            ]
        return [(where, _bound(kind, value, _show(instance)))]
    if kind == "pattern":
        if path and path[-1] == "code":
            problem = _(
                "%(value)s is badly formed (a code looks like E-ORG-3): it must match %(pattern)s",
                value=_show(instance),
                pattern=value,
            )
        else:
            problem = _(
                "%(value)s is badly formed: it must match %(pattern)s",
                value=_show(instance),
                pattern=value,
            )
        return [(where, problem)]
    if kind == "minItems":
        return [(where, _("Should have at least %(n)s entries", n=value))]
    if kind == "uniqueItems":
        return [(where, _("The list has a value more than once"))]
    if kind == "minLength":
        return [(where, _("This value cannot be empty"))]
    if kind == "maxLength":
        return [(where, _("Too long (at most %(n)s characters)", n=value))]
    if kind == "propertyNames":
        return [(where, _("The key %(key)s is badly formed", key=_show(instance)))]
    return [(where, _("Does not fit the format (%(detail)s)", detail=error.message))]


def _bound(kind: str, limit: Any, shown: str) -> str:
    if kind == "exclusiveMinimum":
        return _("Should be greater than %(limit)s, is %(value)s", limit=limit, value=shown)
    if kind == "minimum":
        return _("Should be at least %(limit)s, is %(value)s", limit=limit, value=shown)
    if kind == "maximum":
        return _("Should be at most %(limit)s, is %(value)s", limit=limit, value=shown)
    return _("Should be less than %(limit)s, is %(value)s", limit=limit, value=shown)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value, dict):
        return str(_TYPE_NAMES["object"])
    if isinstance(value, list):
        return str(_TYPE_NAMES["array"])
    if value is None:
        return str(_TYPE_NAMES["null"])
    return json.dumps(value, ensure_ascii=False)


def semantic_problems(document: Any) -> list[tuple[str, str]]:
    """Rules beyond the schema, written to survive a document that also breaks the schema."""
    if not isinstance(document, dict):
        return []
    problems: list[tuple[str, str]] = []
    seen_codes: dict[str, str] = {}

    def claim(code: Any, where: str) -> None:
        if not isinstance(code, str):
            return
        if code in seen_codes:
            problems.append(
                (
                    where,
                    _(
                        "The code %(code)s is used twice (first at %(where)s)",
                        code=code,
                        where=seen_codes[code],
                    ),
                )
            )
        else:
            seen_codes[code] = where

    checklists = document.get("checklists")
    if isinstance(checklists, dict):
        for key, checklist in checklists.items():
            items = checklist.get("items") if isinstance(checklist, dict) else None
            for i, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict):
                    claim(item.get("code"), _join(["checklists", key, "items", i], "code"))

    categories = document.get("categories")
    if isinstance(categories, dict):
        for cat, category in categories.items():
            dims = category.get("dimensions") if isinstance(category, dict) else None
            if isinstance(dims, list):
                problems.extend(_dimension_problems(["categories", cat, "dimensions"], dims, claim))

    figures = document.get("figures")
    if isinstance(figures, dict):
        for cat, names in figures.items():
            for i, figure in enumerate(names if isinstance(names, list) else []):
                if isinstance(figure, str) and figure not in FIGURES:
                    problems.append(
                        (
                            _join(["figures", cat, i]),
                            _(
                                "Unknown key figure “%(figure)s” (known: %(known)s)",
                                figure=figure,
                                known=_listed(FIGURES),
                            ),
                        )
                    )
    return problems


def _dimension_problems(
    base: list[Any], dims: list[Any], claim: Callable[[Any, str], None]
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    codes: list[str] = []
    for d, dim in enumerate(dims):
        if not isinstance(dim, dict):
            continue
        code = dim.get("code")
        here = [*base, d]
        if isinstance(code, str) and code in DIMENSIONS:
            if code in codes:
                problems.append(
                    (
                        _join(here, "code"),
                        _(
                            "The dimension %(code)s (%(label)s) appears twice",
                            code=code,
                            label=DIMENSIONS[code],
                        ),
                    )
                )
            codes.append(code)
            label = dim.get("label")
            if isinstance(label, str) and label != DIMENSIONS[code]:
                problems.append(
                    (
                        _join(here, "label"),
                        _(
                            "The dimension %(code)s should be named “%(expected)s”, "
                            "not “%(label)s”",
                            code=code,
                            expected=DIMENSIONS[code],
                            label=label,
                        ),
                    )
                )
        items = dim.get("items")
        if not isinstance(items, list):
            continue
        numbers = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            claim(item.get("code"), _join(here, "items", i, "code"))
            numbers.append(item.get("number"))
            text = item.get("text")
            if isinstance(text, str) and _NUMBER_PREFIX.match(text):
                problems.append(
                    (
                        _join(here, "items", i, "text"),
                        _(
                            "An item's text should not begin with its number “(n)”: "
                            "the number goes in `number`"
                        ),
                    )
                )
        expected = list(range(1, len(numbers) + 1))
        if numbers != expected and all(type(n) is int for n in numbers):
            problems.append(
                (
                    _join(here, "items"),
                    _(
                        "The numbers should run from 1 without gaps (1…%(n)s), not %(numbers)s",
                        n=len(numbers),
                        numbers=_listed(numbers),
                    ),
                )
            )
    missing = [c for c in DIMENSIONS if c not in codes]
    for code in missing:
        problems.append(
            (
                format_path(base),
                _(
                    "The dimension %(code)s (%(label)s) is missing",
                    code=code,
                    label=DIMENSIONS[code],
                ),
            )
        )
    if not missing and len(codes) == len(DIMENSIONS) and codes != list(DIMENSIONS):
        order = _listed(
            _("%(code)s (%(label)s)", code=c, label=label) for c, label in DIMENSIONS.items()
        )
        problems.append(
            (format_path(base), _("The dimensions should come in the order %(order)s", order=order))
        )
    return problems
