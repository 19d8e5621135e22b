"""The package's layering rules (docs/architecture.md), checked on the source itself.

- ``core/`` and ``protocols/`` import nothing from Home Assistant, not even through another
  module of the integration: their imports stay inside ``core/`` and ``protocols/``.
- Entity platforms never parse a protocol: from ``protocols/`` they use the read model only.
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


def test_the_checker_resolves_relative_imports() -> None:
    """``from ..const import X`` in core/ is the integration's const module: caught."""
    source = "from ..const import DOMAIN\nfrom . import plates\nimport homeassistant.core\n"
    modules = [m for _line, m in _imports_of(source, ["custom_components", "anpr", "core"])]
    assert modules == [
        "custom_components.anpr.const",
        "custom_components.anpr.core.plates",
        "homeassistant.core",
    ]
