"""Shared fixtures: every test gets a fresh, migrated database in its own temporary directory."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from fanpin_desktop.db import Database, migrate  # noqa: E402
from fanpin_desktop.paths import DataPaths  # noqa: E402


@pytest.fixture
def data_paths(tmp_path) -> DataPaths:
    """An empty data directory (database, backups, logs, exports) under tmp_path."""
    return DataPaths(tmp_path / "data").ensure()


@pytest.fixture
def db(data_paths) -> Database:
    """A fresh database migrated to the newest schema, in ``data_paths``."""
    database = Database(data_paths.database, user="测试")
    migrate(database)
    yield database
    database.dispose()


@pytest.fixture
def ops(db, qapp):
    """The window's operations on the test database, with a synchronous task runner: every
    write has finished, and its change notice has been sent, when the call returns."""
    from fanpin_desktop.ui.operations import Operations
    from fanpin_desktop.ui.tasks import TaskRunner

    operations = Operations(db, TaskRunner(synchronous=True))
    yield operations
    operations.runner.shutdown()
    operations.deleteLater()


@pytest.fixture(autouse=True, scope="session")
def user_settings_in_tmp(tmp_path_factory):
    """Dialogs without a window remember their size in the application's QSettings: keep those
    in a temporary folder, not the user's."""
    from PySide6.QtCore import QSettings

    folder = str(tmp_path_factory.mktemp("user_settings"))
    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, folder)
