"""Read a standard file (YAML), check it, and hand back the document and its checksum.

Two layers of checks, both reported together and in Chinese, each problem with its path in
the document (e.g. ``categories.enterprise.dimensions[1].items[2].code``):

1. the JSON Schema in ``schema.json`` (Draft 2020-12): shape, types, rates in (0, 1];
2. rules a schema cannot say well: the six dimensions of every category in order and with
   their proper names, item numbers 1…n consecutive within a dimension, item codes unique
   in the file, key-figure names the system knows.

Anything wrong raises ``app.errors.Invalid``; its ``problems`` list holds one
``"路径：说明"`` line per problem and its ``errors`` maps each path to its messages.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml
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

# The key figures a union may be asked to enter, with their labels; rates are computed from
# them (`app.assessment.rates`).
FIGURES: dict[str, str] = {
    "staff_count": "职工数",
    "member_count": "会员数",
    "contract_staff_count": "编外聘用人员数",
    "contract_member_count": "编外聘用人员中的会员数",
    "migrant_worker_count": "农民工数",
    "migrant_member_count": "农民工会员数",
    "subunit_count": "下属单位数",
    "unionised_subunit_count": "已建会单位数",
    "collective_contract_count": "已建立集体合同制度的单位数",
}

_TYPE_NAMES = {
    "object": "键值映射",
    "array": "列表",
    "string": "文本",
    "integer": "整数",
    "number": "数值",
    "boolean": "布尔值（true 或 false）",
    "null": "空值",
}

_NUMBER_PREFIX = re.compile(r"^\s*[（(]\s*\d+\s*[)）]")


class LoadedStandard(NamedTuple):
    """A checked standard document and the sha256 (hex) of the file's bytes."""

    content: dict[str, Any]
    checksum: str


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(schema())
    return Draft202012Validator(schema())


def load_standard(path: str | Path) -> LoadedStandard:
    """Read, parse and check a standard file; raise Invalid listing every problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise Invalid(f"无法读取标准文件 {path}：{exc.strerror or exc}") from None
    checksum = hashlib.sha256(raw).hexdigest()
    document = _parse_and_check(raw, path.name, checksum)
    return LoadedStandard(copy.deepcopy(document), checksum)


@functools.lru_cache(maxsize=8)
def _parse_and_check(raw: bytes, name: str, checksum: str) -> dict:
    # Parsing and schema-checking the same bytes again gives the same answer; the cache
    # keeps repeated imports (demo, tests) from paying for YAML and JSON Schema each time.
    document = parse_yaml(raw, name)
    check_document(document, name)
    return document


# --- YAML -------------------------------------------------------------------------------


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key written twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise _DuplicateKey(
                    problem=f"键 “{key}” 在同一层中出现了两次", problem_mark=key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_yaml(raw: bytes, name: str = "标准文件") -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{name} 不是 UTF-8 编码的文本（第 {exc.start} 字节）") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else "位置不明"
        problem = exc.problem or exc.context or "无法解析"
        line = f"{where}：{problem}"
        raise Invalid(f"{name} 不是有效的 YAML：{line}", problems=[line]) from None
    except yaml.YAMLError as exc:
        raise Invalid(f"{name} 不是有效的 YAML：{exc}") from None


# --- checks -----------------------------------------------------------------------------


def check_document(document: Any, name: str = "标准文件") -> None:
    """Raise Invalid if the document breaks the schema or the semantic rules."""
    problems = schema_problems(document) + semantic_problems(document)
    if not problems:
        return
    # Keep order, drop repeats (e.g. one `required` error per missing key of one object).
    unique = list(dict.fromkeys(problems))
    errors: dict[str, list[str]] = {}
    for where, message in unique:
        errors.setdefault(where, []).append(message)
    lines = [f"{where}：{message}" for where, message in unique]
    raise Invalid(
        f"{name} 校验未通过，共 {len(lines)} 处问题：\n" + "\n".join(f"- {li}" for li in lines),
        problems=lines,
        errors=errors,
    )


def format_path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "（文件顶层）"


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
    value = error.validator_value
    instance = error.instance
    if kind == "required":
        have = instance if isinstance(instance, dict) else {}
        return [(_join(path, key), "缺少此必填字段") for key in value if key not in have]
    if kind == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extra = [k for k in instance if k not in known] if isinstance(instance, dict) else []
        allowed = "、".join(error.schema.get("properties", {})) or "无"
        return [(_join(path, key), f"不认识的字段（此处可用：{allowed}）") for key in extra]
    if kind == "type":
        expected = value if isinstance(value, list) else [value]
        names = "或".join(_TYPE_NAMES.get(t, t) for t in expected)
        return [(where, f"应为{names}，现为 {_show(instance)}")]
    if kind == "enum":
        options = "、".join(str(v) for v in value)
        return [(where, f"取值 {_show(instance)} 不在允许范围内（可选：{options}）")]
    if kind in {"exclusiveMinimum", "minimum", "maximum", "exclusiveMaximum"}:
        if path and path[0] == "thresholds":
            return [
                (
                    where,
                    f"比率 {_show(instance)} 超出范围：应大于 0 且不超过 1"
                    "（以小数表示，如 90% 写作 0.90）",
                )
            ]
        bounds = {
            "exclusiveMinimum": "应大于",
            "minimum": "应不小于",
            "maximum": "应不大于",
            "exclusiveMaximum": "应小于",
        }
        return [(where, f"{bounds[kind]} {value}，现为 {_show(instance)}")]
    if kind == "pattern":
        hint = "（代码应形如 E-ORG-3）" if path and path[-1] == "code" else ""
        return [(where, f"{_show(instance)} 格式不对{hint}，应符合 {value}")]
    if kind == "minItems":
        return [(where, f"至少应有 {value} 项")]
    if kind == "uniqueItems":
        return [(where, "列表中有重复的值")]
    if kind == "minLength":
        return [(where, "不能为空")]
    if kind == "maxLength":
        return [(where, f"过长（最多 {value} 个字符）")]
    if kind == "propertyNames":
        return [(where, f"键名 {_show(instance)} 格式不对")]
    return [(where, f"不符合格式要求（{error.message}）")]


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value, dict):
        return "键值映射"
    if isinstance(value, list):
        return "列表"
    if value is None:
        return "空值"
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
            problems.append((where, f"代码 {code} 重复（已用于 {seen_codes[code]}）"))
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
                            f"未知的关键数字 “{figure}”（可用：{'、'.join(FIGURES)}）",
                        )
                    )
    return problems


def _dimension_problems(base: list[Any], dims: list[Any], claim) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    problems: list[tuple[str, str]] = []
    codes: list[str] = []
    for d, dim in enumerate(dims):
        if not isinstance(dim, dict):
            continue
        code = dim.get("code")
        here = [*base, d]
        if isinstance(code, str) and code in DIMENSIONS:
            if code in codes:
                problems.append((_join(here, "code"), f"维度 {code}（{DIMENSIONS[code]}）重复"))
            codes.append(code)
            label = dim.get("label")
            if isinstance(label, str) and label != DIMENSIONS[code]:
                problems.append(
                    (
                        _join(here, "label"),
                        f"维度 {code} 的名称应为“{DIMENSIONS[code]}”，现为“{label}”",
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
                        "条目文字不应带“（n）”编号，编号写在 number 中",
                    )
                )
        expected = list(range(1, len(numbers) + 1))
        if numbers != expected and all(type(n) is int for n in numbers):
            shown = "、".join(str(n) for n in numbers)
            problems.append(
                (_join(here, "items"), f"编号应从 1 起连续（1…{len(numbers)}），现为 {shown}")
            )
    missing = [c for c in DIMENSIONS if c not in codes]
    for code in missing:
        problems.append((format_path(base), f"缺少维度 {code}（{DIMENSIONS[code]}）"))
    if not missing and len(codes) == len(DIMENSIONS) and codes != list(DIMENSIONS):
        order = "、".join(f"{c}（{label}）" for c, label in DIMENSIONS.items())
        problems.append((format_path(base), f"维度顺序应为 {order}"))
    return problems
