"""Import contracts, read from the code (every ``import`` statement, at module level or inside
a function), so the layers stay as the README draws them:

    cli, tui  ->  core.usecases (+ core.workspace)  ->  core.report, core.matching,
                                                        core.sessions, ...

- the core never imports the CLI or the TUI (not even for type hints);
- the renderer (``core.report``) imports no use case, no workspace and not the demo;
- the CLI and the TUI do not import each other: the CLI names the wizard's entry points
  (``ddwizard.tui.run:run_home``...) as strings in its ``HANDLERS`` table and imports them
  only when such a command runs, through ``importlib``;
- neither front end builds a memo, a memo context, an evaluation or a sessions store itself:
  at run time they reach ``core.report``, ``core.matching``, ``core.loading`` and
  ``core.sessions.store`` only through the use cases (type hints may name their types);
- no import cycles among run-time imports. Imports under ``if TYPE_CHECKING:`` are type hints,
  never executed, and are left out of the cycle check (the app and its screens name each
  other's types).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "ddwizard"


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    line: int
    type_only: bool

    def __str__(self) -> str:
        kind = " (type hint)" if self.type_only else ""
        return f"{self.importer}:{self.line} imports {self.imported}{kind}"


def _modules() -> dict[str, tuple[Path, bool]]:
    found: dict[str, tuple[Path, bool]] = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return "TYPE_CHECKING" in ast.unparse(test)


def _target(importer: str, is_package: bool, node: ast.ImportFrom, name: str) -> str:
    if node.level:
        base = importer.split(".") if is_package else importer.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        module = ".".join([*base, *([node.module] if node.module else [])])
    else:
        module = node.module or ""
    submodule = f"{module}.{name}"
    return submodule if submodule in MODULES else module


def _edges_of(importer: str, path: Path, is_package: bool) -> Iterator[Edge]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    def walk(node: ast.AST, type_only: bool) -> Iterator[Edge]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    yield from walk_stmt(stmt, True)
                for stmt in child.orelse:
                    yield from walk_stmt(stmt, type_only)
            else:
                yield from walk_stmt(child, type_only)

    def walk_stmt(node: ast.AST, type_only: bool) -> Iterator[Edge]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Edge(importer, alias.name, node.lineno, type_only)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                target = _target(importer, is_package, node, alias.name)
                yield Edge(importer, target, node.lineno, type_only)
        yield from walk(node, type_only)

    for edge in walk(tree, False):
        if edge.imported == PACKAGE or edge.imported.startswith(PACKAGE + "."):
            yield edge


EDGES = [edge for name, (path, pkg) in MODULES.items() for edge in _edges_of(name, path, pkg)]


def _in(module: str, *layers: str) -> bool:
    return any(module == layer or module.startswith(layer + ".") for layer in layers)


def _violations(
    importers: tuple[str, ...], forbidden: tuple[str, ...], *, runtime: bool
) -> list[str]:
    return [
        str(e)
        for e in EDGES
        if _in(e.importer, *importers)
        and _in(e.imported, *forbidden)
        and not (runtime and e.type_only)
    ]


def test_the_graph_is_read() -> None:
    # A broken reader would make every contract pass vacuously.
    assert "ddwizard.core.usecases.write_memo" in MODULES
    assert any(
        e.importer == "ddwizard.cli.report" and _in(e.imported, "ddwizard.core.usecases")
        for e in EDGES
    )
    assert any(e.type_only for e in EDGES)


def test_core_never_imports_the_cli_or_the_tui() -> None:
    assert _violations(("ddwizard.core",), ("ddwizard.cli", "ddwizard.tui"), runtime=False) == []


def test_the_renderer_imports_no_use_case() -> None:
    forbidden = ("ddwizard.core.usecases", "ddwizard.core.workspace", "ddwizard.core.demo")
    assert _violations(("ddwizard.core.report",), forbidden, runtime=False) == []


def test_the_cli_and_the_tui_do_not_import_each_other() -> None:
    assert _violations(("ddwizard.cli",), ("ddwizard.tui",), runtime=False) == []
    assert _violations(("ddwizard.tui",), ("ddwizard.cli",), runtime=False) == []


def test_the_cli_names_the_wizard_entry_points_that_exist() -> None:
    import importlib

    from ddwizard.cli import HANDLERS

    for command, target in HANDLERS.items():
        module_name, _, function = target.partition(":")
        assert _in(module_name, "ddwizard.cli", "ddwizard.tui.run"), command
        if module_name.startswith("ddwizard.tui"):
            continue  # importing the TUI needs textual; its presence is checked below
        assert callable(getattr(importlib.import_module(module_name), function)), command
    tui_targets = {t for t in HANDLERS.values() if t.startswith("ddwizard.tui")}
    source = (SRC / "ddwizard" / "tui" / "run.py").read_text(encoding="utf-8")
    for target in tui_targets:
        assert f"def {target.partition(':')[2]}(" in source


def test_front_ends_reach_memo_rules_and_store_only_through_use_cases() -> None:
    forbidden = (
        "ddwizard.core.report",
        "ddwizard.core.matching",
        "ddwizard.core.loading",
        "ddwizard.core.sessions.store",
    )
    assert _violations(("ddwizard.cli", "ddwizard.tui"), forbidden, runtime=True) == []


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for e in EDGES:
        if not e.type_only and e.imported in MODULES and e.imported != e.importer:
            graph[e.importer].add(e.imported)
    cycles = _strongly_connected(graph)
    assert cycles == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        ["a", "b", "c"]
    ]
