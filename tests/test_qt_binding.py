"""Guards against Qt-binding bugs that crash the program rather than failing a feature."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication


def test_qt_calls_returning_none_do_not_eat_none_references(qapp):
    # PySide6 6.12.0 releases one reference to None each time a wrapped call returns None
    # (QApplication.processEvents() among them); on Python 3.11 the interpreter aborts with
    # "none_dealloc" once None's count reaches zero. pyproject.toml keeps that release out;
    # this test fails if it comes back.
    before = sys.getrefcount(None)
    for _ in range(500):
        QApplication.processEvents()
    after = sys.getrefcount(None)
    assert after >= before - 50, f"None lost {before - after} references in 500 processEvents() calls"
