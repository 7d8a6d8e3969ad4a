"""The registry package's modules import one another without cycles, and no use case imports the
demo builder (a fixture generator that sits beside ``services``, not among them)."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import fanpin_desktop

PACKAGE = Path(fanpin_desktop.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_households_submodules_import_without_cycles():
    folder = PACKAGE / "services" / "households"
    prefix = "fanpin_desktop.services.households."
    graph = {
        path.stem: {m[len(prefix) :] for m in _imported_modules(path) if m.startswith(prefix)}
        for path in folder.glob("*.py")
        if path.stem != "__init__"
    }
    assert graph  # the package exists and was read
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError on a cycle


def test_services_never_import_the_demo_builder():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in (PACKAGE / "services").rglob("*.py")
        if any(
            m == "fanpin_desktop.demo" or m.startswith("fanpin_desktop.demo.")
            for m in _imported_modules(path)
        )
    ]
    assert offenders == []
