"""Databases built once and copied per test (for fixtures whose town is slow to build)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from fanpin_desktop.db import Database, migrate

T = TypeVar("T")


def build_template(folder: Path, build: Callable[[Database], T]) -> tuple[Path, T]:
    """A migrated database file in ``folder`` filled by ``build``; its path and what ``build`` returned."""
    path = folder / "template.sqlite3"
    database = Database(path, user="测试")
    migrate(database)
    result = build(database)
    database.dispose()  # the last connection checkpoints the WAL into the file
    return path, result


def open_copy(template: Path, target: Path) -> Database:
    """A copy of ``template`` at ``target``, opened (the caller disposes of it)."""
    shutil.copyfile(template, target)
    return Database(target, user="测试")
