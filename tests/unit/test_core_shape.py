"""The core's shape is checked, not hoped for: no import circle among its modules, and the engine
façade imports no service, no web module and no built-in plugin.

Imports inside functions and under ``TYPE_CHECKING`` count: a circle hidden in a function body is
still a circle a reader has to untangle.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import clarion

CORE = Path(clarion.__file__).parent
SKIPPED = {"migrations", "testing"}


def _modules() -> dict[str, Path]:
    modules = {}
    for path in CORE.rglob("*.py"):
        relative = path.relative_to(CORE)
        if relative.parts[0] in SKIPPED:
            continue
        name = ".".join(("clarion", *relative.with_suffix("").parts)).removesuffix(".__init__")
        modules[name] = path
    return modules


def _import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def test_no_import_circle_in_the_core():
    assert _circles(_import_graph()) == []


def test_the_engine_imports_no_service_web_module_or_plugin():
    imported = _import_graph()["clarion.engine"]
    forbidden = sorted(
        module for module in imported if module.startswith(("clarion.services", "clarion.web", "clarion.cli"))
    )
    assert forbidden == []


def test_the_core_imports_no_built_in_plugin():
    """Built-ins may be blocked, so the core names them only as strings (``DEFAULT_PLUGINS``)."""
    importers = sorted(
        name
        for name, path in _modules().items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        and any(
            target.startswith("clarion_plugins")
            for target in ([node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names])
        )
    )
    assert importers == []


def test_the_circle_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]
