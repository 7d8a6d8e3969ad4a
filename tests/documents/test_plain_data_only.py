"""``documents/`` renders plain data: it imports no service, no database layer, no ORM and no Qt.

Imports go one way (``services`` → ``documents``); this keeps the documents free of queries so a
form can be laid out and tested without a database. Every import is checked, including those inside
functions, which an import-time check would miss.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import fanpin_desktop.documents

DOCUMENTS = Path(fanpin_desktop.documents.__file__).parent
FORBIDDEN = (
    "sqlalchemy",
    "fanpin_desktop.services",
    "fanpin_desktop.db",
    "fanpin_desktop.models",
    "fanpin_desktop.ui",
    "PySide6",
)


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            # ``from fanpin_desktop import db`` names the module in the alias
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def test_documents_import_nothing_below_or_beside_them():
    files = sorted(DOCUMENTS.rglob("*.py"))
    assert len(files) >= 6
    bad = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        bad += [f"{path.name}:{line} imports {name}" for line, name in _imports(tree) if _forbidden(name)]
        bad += [f"{path.name}:{node.lineno} takes a session" for node in ast.walk(tree) if _session_arg(node)]
    assert not bad, "\n".join(bad)


def _session_arg(node: ast.AST) -> bool:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    a = node.args
    return any(arg.arg == "session" for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs])


def test_importing_the_documents_loads_no_database_code():
    modules = [f"fanpin_desktop.documents.{p.stem}" for p in sorted(DOCUMENTS.glob("*.py"))]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print('\\n'.join(sorted(m for m in sys.modules if m.startswith({FORBIDDEN!r}))))\n"
    )
    root = DOCUMENTS.parent.parent  # this checkout, not an installed copy
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == ""
