"""The import contract: imports go one way, ``ui`` → ``services`` → ``documents`` / ``domain`` →
``models`` (ARCHITECTURE.md), checked on every file so the shape holds without anyone remembering it.

Every import statement counts, including those inside functions and under ``TYPE_CHECKING``,
which an import-time check would miss. ``test_a_planted_violation_is_caught`` plants one
violation of each rule in a copy of the package and checks that each is reported, so the contract
cannot pass by reading nothing.
"""

from __future__ import annotations

import ast
import graphlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

import fanpin_desktop

PACKAGE = Path(fanpin_desktop.__file__).parent
QT = ("PySide6", "shiboken6", "qtawesome")


@dataclass(frozen=True)
class Contract:
    layer: str  # a folder of the package
    forbidden: tuple[str, ...]  # module names (and their submodules) it must not import
    why: str


CONTRACTS = (
    Contract(
        "domain",
        (
            "sqlalchemy",
            *QT,
            "fanpin_desktop.db",
            "fanpin_desktop.services",
            "fanpin_desktop.documents",
            "fanpin_desktop.ui",
            "fanpin_desktop.demo",
        ),
        "domain/ holds pure rules over plain data: no database, no Qt, no layer above it",
    ),
    Contract(
        "models",
        (
            *QT,
            "fanpin_desktop.db",
            "fanpin_desktop.services",
            "fanpin_desktop.documents",
            "fanpin_desktop.ui",
            "fanpin_desktop.demo",
        ),
        "models/ holds the mapped classes only",
    ),
    Contract(
        "documents",
        (
            "sqlalchemy",
            *QT,
            "fanpin_desktop.db",
            "fanpin_desktop.models",
            "fanpin_desktop.services",
            "fanpin_desktop.ui",
            "fanpin_desktop.demo",
        ),
        "documents/ renders plain data handed to it; a service gathers what it shows",
    ),
    Contract(
        "services",
        (*QT, "fanpin_desktop.ui", "fanpin_desktop.demo"),
        "services/ are use cases without widgets (the demo builder is a fixture, not a use case)",
    ),
    Contract("ui", ("sqlalchemy",), "ui/ reaches the database through services and ui/operations only"),
)


def imported_modules(path: Path, package_root: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in ``path``; ``from a import b`` also gives ``a.b`` (b may
    be a module), relative imports are resolved against the file's package."""
    module_parts = list(path.relative_to(package_root.parent).with_suffix("").parts)
    if module_parts[-1] == "__init__":
        module_parts.pop()
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module_parts[: len(module_parts) - node.level + (path.stem == "__init__")]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def violations(package_root: Path) -> list[str]:
    """One line per import that breaks a contract: file, line, module and the rule's reason."""
    found = []
    for contract in CONTRACTS:
        for path in sorted((package_root / contract.layer).rglob("*.py")):
            reported: set[int] = set()  # one line per import statement
            for line, module in imported_modules(path, package_root):
                if line in reported:
                    continue
                if any(module == f or module.startswith(f + ".") for f in contract.forbidden):
                    reported.add(line)
                    where = path.relative_to(package_root.parent)
                    found.append(f"{where}:{line} imports {module} — {contract.why}")
    return found


#: what opens a unit of work; only ``ui/operations`` may reach for it (or for ``db`` at all)
SESSION_ATTRIBUTES = {"db", "unit", "reading", "bulk_unit", "session", "engine"}


def session_uses(package_root: Path) -> list[str]:
    """Places in ``ui/`` outside ``ui/operations`` that import ``fanpin_desktop.db`` or reach for a
    database, a session or a unit of work (``x.db``, ``x.unit(…)``, ``x.reading(…)``, …)."""
    found = []
    operations = package_root / "ui" / "operations"
    for path in sorted((package_root / "ui").rglob("*.py")):
        if operations in path.parents:
            continue
        where = path.relative_to(package_root.parent)
        for line, module in imported_modules(path, package_root):
            if module == "fanpin_desktop.db" or module.startswith("fanpin_desktop.db."):
                found.append(f"{where}:{line} imports {module}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in SESSION_ATTRIBUTES:
                found.append(f"{where}:{node.lineno} uses .{node.attr}")
    return found


def test_the_tree_keeps_the_contract():
    assert violations(PACKAGE) == []


def test_only_ui_operations_opens_a_session():
    assert session_uses(PACKAGE) == []


def test_every_layer_is_read():
    for contract in CONTRACTS:
        files = list((PACKAGE / contract.layer).rglob("*.py"))
        assert files, contract.layer
        assert any(imported_modules(f, PACKAGE) for f in files), contract.layer


PLANTED = {
    "domain/planted.py": "import sqlalchemy\nfrom PySide6.QtCore import Qt\n",
    "models/planted.py": "def f():\n    from fanpin_desktop.ui import operations\n",
    "documents/planted.py": "from fanpin_desktop.services import printing\nfrom fanpin_desktop import db\n",
    "services/planted.py": "from PySide6 import QtWidgets\nfrom ..ui import tasks\n",
    "ui/planted.py": "from sqlalchemy.orm import Session\n",
    "ui/pages/planted.py": "def f(page):\n    with page.ops.db.unit() as s:\n        return s\n",
}


def test_a_planted_violation_is_caught(tmp_path):
    copy = tmp_path / "fanpin_desktop"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name, source in PLANTED.items():
        (copy / name).write_text(source, encoding="utf-8")
    found = violations(copy)
    expected = {
        "domain/planted.py": ["imports sqlalchemy", "imports PySide6.QtCore"],
        "models/planted.py": ["imports fanpin_desktop.ui"],
        "documents/planted.py": ["imports fanpin_desktop.services", "imports fanpin_desktop.db"],
        "services/planted.py": ["imports PySide6", "imports fanpin_desktop.ui"],
        "ui/planted.py": ["imports sqlalchemy.orm"],
    }
    for name, phrases in expected.items():
        lines = [v for v in found if v.startswith(f"fanpin_desktop/{name}:")]
        for phrase in phrases:
            assert any(phrase in v for v in lines), (name, phrase, lines)
    new = set(found) - set(violations(PACKAGE))
    assert new and all("planted.py" in v for v in new)  # the planted lines, and only they, are new
    sessions = set(session_uses(copy)) - set(session_uses(PACKAGE))
    assert sessions == {
        "fanpin_desktop/ui/pages/planted.py:2 uses .db",
        "fanpin_desktop/ui/pages/planted.py:2 uses .unit",
    }


@pytest.mark.parametrize("package", ["services/households"])
def test_a_split_package_has_no_import_cycle(package):
    folder = PACKAGE / package
    prefix = "fanpin_desktop." + package.replace("/", ".") + "."
    graph = {
        path.stem: {
            m[len(prefix) :].split(".")[0]
            for _l, m in imported_modules(path, PACKAGE)
            if m.startswith(prefix)
        }
        for path in folder.glob("*.py")
        if path.stem != "__init__"
    }
    assert len(graph) > 3
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError on a cycle
