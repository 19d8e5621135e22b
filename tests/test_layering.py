"""The package's layering rules (docs/architecture.md), checked on the source itself.

- ``core/`` and ``protocols/`` import nothing from Home Assistant, not even through another
  module of the integration: their imports stay inside ``core/`` and ``protocols/``.
- Entity platforms never parse a protocol: from ``protocols/`` they use the read model only.
- The integration's modules import each other without a cycle (type-checking imports too): data
  flows one way, and each layer can be read without the ones above it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "custom_components" / "anpr"
PURE = ("core", "protocols")
PLATFORMS = ("binary_sensor", "button", "event", "image", "sensor")


def _imports(path: Path) -> list[tuple[int, str]]:
    """Return (line, module) for every import of ``path``, relative ones made absolute."""
    package = ["custom_components", "anpr", *path.relative_to(PACKAGE).parent.parts]
    return _imports_of(path.read_text(), package)


def _imports_of(source: str, package: list[str]) -> list[tuple[int, str]]:
    """Return (line, module) for every import of ``source``, a module of ``package``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
                if node.module is None:  # from . import x, y: each name is a module
                    found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
                    continue
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return found


def _pure_modules() -> list[Path]:
    return sorted(path for folder in PURE for path in (PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _pure_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_and_protocols_stay_free_of_home_assistant(path: Path) -> None:
    allowed = tuple(f"custom_components.anpr.{folder}" for folder in PURE)
    bad = [
        f"line {line}: {module}"
        for line, module in _imports(path)
        if module.split(".")[0] == "homeassistant"
        or (module.startswith("custom_components.") and not module.startswith(allowed))
    ]
    assert bad == []


@pytest.mark.parametrize("name", PLATFORMS)
def test_platforms_use_only_the_read_model_of_protocols(name: str) -> None:
    path = PACKAGE / f"{name}.py"
    used = {
        module
        for _line, module in _imports(path)
        if module.startswith("custom_components.anpr.protocols")
    }
    assert used <= {"custom_components.anpr.protocols.models"}


def _module_name(path: Path) -> str:
    parts = ["custom_components", "anpr", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Module → the integration's modules it imports (a package import is its ``__init__``)."""
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for _line, module in _imports(path):
            target = module
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    assert _cycles(_import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_the_checker_resolves_relative_imports() -> None:
    """``from ..const import X`` in core/ is the integration's const module: caught."""
    source = "from ..const import DOMAIN\nfrom . import plates\nimport homeassistant.core\n"
    modules = [m for _line, m in _imports_of(source, ["custom_components", "anpr", "core"])]
    assert modules == [
        "custom_components.anpr.const",
        "custom_components.anpr.core.plates",
        "homeassistant.core",
    ]
