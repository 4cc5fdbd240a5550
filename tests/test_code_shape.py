"""The code stays easy to change (#12): no module in plugins/postmortem_kb over 400 lines,
no function over 80, and no import cycle among the package's modules at load time (an
import inside a function or under `if TYPE_CHECKING:` runs later or never, so it does
not count)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "plugins" / "postmortem_kb"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def _name(path: Path) -> str:
    """The dotted module name of a file of the package."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
FILES = [p.relative_to(PACKAGE).as_posix() for p in MODULES.values()]


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _load_time_imports(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """The import statements that run when the module is imported."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue  # runs when called, not when imported
        elif isinstance(node, ast.If) and _type_checking(node.test):
            found.extend(_load_time_imports(node.orelse))
        else:  # class bodies, if/try/with blocks run at import
            for field in ("body", "handlers", "cases", "orelse", "finalbody"):
                found.extend(_load_time_imports(getattr(node, field, [])))
    return found


def _known(name: str) -> str | None:
    """The package module that importing `name` runs (`a.b.func` is module `a.b`)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, source: str, is_package: bool) -> set[str]:
    """The package's modules `module` imports at load time, with the packages they are in."""
    targets: list[str] = []
    for node in _load_time_imports(ast.parse(source).body):
        if isinstance(node, ast.Import):
            targets.extend(a.name for a in node.names)
            continue
        base = node.module or ""
        if node.level:
            here = module.split(".") if is_package else module.split(".")[:-1]
            base = ".".join(here[: len(here) - node.level + 1] + ([node.module] if node.module else []))
        # `from pkg import sub` imports the submodule; `from pkg import name`, the package.
        targets.extend(f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names)
    out: set[str] = set()
    for target in filter(None, map(_known, targets)):
        parts = target.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a and a.b first
            dep = ".".join(parts[:i])
            if dep in MODULES and dep != module and not module.startswith(dep + "."):
                out.add(dep)
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = stack[stack.index(v) :]
            del stack[stack.index(v) :]
            if len(group) > 1 or v in graph.get(v, ()):
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_package_has_no_import_cycle_at_load_time() -> None:
    graph = {m: imports_of(m, p.read_text(encoding="utf-8"), p.name == "__init__.py") for m, p in MODULES.items()}
    assert cycles(graph) == []


def test_the_cycle_finder_sees_a_cycle_through_a_third_module() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_imports_in_functions_and_under_type_checking_do_not_count() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from .model import Finding\n"
        "from . import config\n"
        "if TYPE_CHECKING:\n"
        "    from .checker import Checker\n"
        "def later():\n"
        "    from .incremental import IncrementalCorpus\n"
        "class Held:\n"
        "    from .rules.rule import Rule\n"
    )
    deps = imports_of("postmortem_kb.cache", source, is_package=False)
    assert deps == {"postmortem_kb.model", "postmortem_kb.config", "postmortem_kb.rules", "postmortem_kb.rules.rule"}


@pytest.mark.parametrize("rel", FILES)
def test_no_module_is_over_400_lines(rel: str) -> None:
    lines = len((PACKAGE / rel).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{rel} has {lines} lines"


@pytest.mark.parametrize("rel", FILES)
def test_no_function_is_over_80_lines(rel: str) -> None:
    tree = ast.parse((PACKAGE / rel).read_text(encoding="utf-8"))
    long = [
        f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == [], f"{rel}: {long}"
