"""Read a standard file (YAML), check it, and hand back the document and its checksum.

The YAML is read strictly (UTF-8, no key twice in one mapping); the document is then checked
by `app.standards.validation`. Anything wrong raises ``app.errors.Invalid`` listing every
problem, each with where it is.
"""

from __future__ import annotations

import copy
import functools
import hashlib
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from flask_babel import gettext as _

from app.errors import Invalid
from app.standards.validation import check_document, problem_line


class LoadedStandard(NamedTuple):
    """A checked standard document and the sha256 (hex) of the file's bytes."""

    content: dict[str, Any]
    checksum: str


def load_standard(path: str | Path) -> LoadedStandard:
    """Read, parse and check a standard file; raise Invalid listing every problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise Invalid(
            _(
                "Cannot read the standard file %(path)s: %(error)s",
                path=path,
                error=exc.strerror or exc,
            )
        ) from None
    checksum = hashlib.sha256(raw).hexdigest()
    document = _parse_and_check(raw, path.name, checksum)
    return LoadedStandard(copy.deepcopy(document), checksum)


@functools.lru_cache(maxsize=8)
def _parse_and_check(raw: bytes, name: str, checksum: str) -> dict[str, Any]:
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

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise _DuplicateKey(
                    problem=_("The key “%(key)s” appears twice in one mapping", key=key),
                    problem_mark=key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_yaml(raw: bytes, name: str | None = None) -> Any:
    name = name or _("The standard file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(
            _("%(name)s is not UTF-8 text (byte %(n)s)", name=name, n=exc.start)
        ) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (
            _("line %(line)s, column %(column)s", line=mark.line + 1, column=mark.column + 1)
            if mark
            else _("position unknown")
        )
        line = problem_line(where, exc.problem or exc.context or _("cannot be parsed"))
        raise Invalid(
            _("%(name)s is not valid YAML: %(problem)s", name=name, problem=line), problems=[line]
        ) from None
    except yaml.YAMLError as exc:
        raise Invalid(
            _("%(name)s is not valid YAML: %(problem)s", name=name, problem=exc)
        ) from None
