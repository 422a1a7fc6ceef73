"""The house's floors hold: no import circle, the engine a leaf, no module over 600 lines.

The layer contracts themselves are import-linter's (`lint-imports`, run by the test command
from `pyproject.toml`); these are the rules it cannot state. Imports are read from the code
by grimp, imports inside functions included.
"""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 600


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("app", "workflows", include_external_packages=False)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    imports = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(imports):
        if start in index:
            continue
        work = [(start, iter(imports[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(imports[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_itself_back_through_others(graph):
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_circle():
    """The check above can fail: a circle of three modules is found."""

    class Fake:
        modules = {"a", "b", "c", "d"}

        @staticmethod
        def find_modules_directly_imported_by(m: str) -> set[str]:
            return {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}[m]

    assert _cycles(Fake()) == [["a", "b", "c"]]  # type: ignore[arg-type]


def test_the_engine_imports_nothing_of_the_app(graph):
    engine = [m for m in graph.modules if m == "workflows" or m.startswith("workflows.")]
    reached = {
        imported
        for module in engine
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("app")
    }
    assert reached == set()


def test_no_module_is_over_600_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for folder in ("app", "workflows")
        for path in (ROOT / folder).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_view_module_is_under_the_views_contract():
    """The contract that keeps view modules from importing each other names them all: the
    ones the factory registers, web and API alike."""
    import tomllib

    from app import API_BLUEPRINTS, BLUEPRINTS

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "importlinter"
    ]["contracts"]
    (views,) = [c for c in contracts if c["type"] == "independence"]
    patterns = views["modules"]

    def covered(module: str) -> bool:
        return any(
            p == module or (p.startswith("app.*.") and module.endswith("." + p[6:]))
            for p in patterns
        )

    registered = [f"app.{pkg}.{view}" for pkg, mods in BLUEPRINTS.items() for view in mods]
    registered += [f"app.{name}" for name in API_BLUEPRINTS]
    assert [m for m in registered if not covered(m)] == []
