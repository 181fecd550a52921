"""The package's shape: no import cycles between modules, and no module past 400 lines.

Imports are read with `ast`, without importing anything. An import inside a function counts (a lazy
import that dodges a cycle is still a cycle); one under `if TYPE_CHECKING:` does not (it never runs,
and it is how `strawberry.lazy` types name each other across modules)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "server"
MAX_LINES = 400


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the import nodes inside `if TYPE_CHECKING:` blocks."""
    guarded = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            guarded |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    return guarded


def import_graph(package: Path) -> dict[str, set[str]]:
    """module → the package's modules it imports (`from a import b` is the module a.b when it exists)."""
    root = package.parent
    files = {module_name(path, root): path for path in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        skip = _type_checking_only(tree)
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        edges = set()
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                edges |= {alias.name for alias in node.names if alias.name in files}
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(here[:len(here) - node.level + 1] + [node.module or ""]).strip(".") if node.level else node.module
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    edges.add(target if target in files else base)
        graph[name] = {e for e in edges if e in files and e != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


GENERATED = {"engram/client/generated.py"}  # written by `python -m engram.client.codegen`, not by hand


def long_modules(root: Path, limit: int = MAX_LINES) -> dict[str, int]:
    lengths = {path.relative_to(root).as_posix(): len(path.read_text().splitlines()) for path in root.rglob("*.py")
               if path.relative_to(root).as_posix() not in GENERATED}
    return {path: n for path, n in sorted(lengths.items()) if n > limit}


def test_the_import_graph_is_read_from_the_package() -> None:
    graph = import_graph(SERVER / "engram")
    assert "engram.storage.catalog" in graph["engram.storage.base"]
    assert "engram.cli.output" in graph["engram.cli.learning"]
    assert len(graph) > 80


def test_no_module_imports_itself_through_others() -> None:
    assert cycles(import_graph(SERVER / "engram")) == []


def test_no_module_is_over_400_lines() -> None:
    assert long_modules(SERVER) == {}


def test_the_checks_catch_a_cycle_and_a_long_module(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("def f():\n    from .. import c\n")  # lazy, relative
    (package / "c.py").write_text("import pkg.a\n")
    (package / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n"
                                  + "x = 1\n" * MAX_LINES)
    (package / "e.py").write_text("from pkg import d\n")
    graph = import_graph(package)
    assert cycles(graph) == [["pkg.a", "pkg.c", "pkg.sub.b"]]
    assert graph["pkg.d"] == set()  # TYPE_CHECKING only
    assert long_modules(tmp_path) == {"pkg/d.py": MAX_LINES + 3}
