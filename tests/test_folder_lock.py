"""One writer per data folder (issue 14): two processes on one folder, stale locks, read-only windows.

The holder is a real second process (``python -c`` opening the folder the way a writing command
does, then waiting on its stdin); the commands under test run as real ``fanpin`` processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fanpin_desktop.context import WINDOW_PROGRAM, open_app
from fanpin_desktop.folder_lock import (
    READER_PREFIX,
    FolderBusy,
    FolderLock,
    ReaderMark,
    holder,
    holder_file,
    lock_file,
    readers,
)
from fanpin_desktop.paths import DataPaths
from fanpin_desktop.services import backup as backups
from fanpin_desktop.services import settings as settings_service

READ_ONLY = "本窗口以只读方式打开（数据目录正被另一个窗口或命令使用），不能保存修改。" + (
    "请关闭另一个窗口（或等命令结束）后重新打开本程序再修改。"
)

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}

HOLDER = textwrap.dedent(
    """
    import sys
    from fanpin_desktop.context import WINDOW_PROGRAM, open_app
    ctx = open_app(sys.argv[1], auto_backup=False, lock="命令 fanpin import")
    print("ready", flush=True)
    sys.stdin.read()  # hold the folder until the test closes our stdin (or kills us)
    ctx.close()
    """
)


def fanpin(data: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from fanpin_desktop.cli import main; raise SystemExit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "--data-dir", str(data), *argv],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.fixture
def folder(tmp_path) -> Path:
    """A data folder with a migrated database and one manual backup."""
    data = tmp_path / "data"
    ctx = open_app(data, auto_backup=False)
    with ctx.db.unit() as s:
        settings_service.update(s, township="城关镇")
    backups.backup(ctx.paths, backups.MANUAL)
    ctx.close()
    return data


@pytest.fixture
def held(folder):
    """A second process holding ``folder`` like a running import; yields the process."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder)],
        cwd=ROOT,
        env=ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc
    if proc.poll() is None:
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(timeout=60)


def test_second_writing_command_is_refused_with_who_holds_the_folder(folder, held):
    info = holder(DataPaths(folder))
    assert info is not None and info["pid"] == held.pid and info["program"] == "命令 fanpin import"

    result = fanpin(folder, "migrate")
    assert result.returncode == 1, result.stderr
    assert "数据目录正被" in result.stderr
    assert "命令 fanpin import" in result.stderr and f"进程 {held.pid}" in result.stderr
    assert "Traceback" not in result.stderr

    roster = folder.parent / "roster.csv"
    roster.write_text("户主姓名,姓名,证件号码\n", encoding="utf-8")
    result = fanpin(folder, "import", str(roster))
    assert result.returncode == 1 and "数据目录正被" in result.stderr


def test_restore_is_refused_while_the_folder_is_held_and_leaves_nothing(folder, held):
    paths = DataPaths(folder)
    before = sorted(p.name for p in paths.backups.iterdir())
    stamp = paths.database.stat().st_mtime_ns
    backup = next(b.path for b in backups.list_backups(paths))

    result = fanpin(folder, "restore", str(backup))

    assert result.returncode == 1
    assert "数据目录正被" in result.stderr and f"进程 {held.pid}" in result.stderr
    assert sorted(p.name for p in paths.backups.iterdir()) == before  # no replaced-* copy
    assert paths.database.stat().st_mtime_ns == stamp


def test_reads_run_alongside_the_writer(folder, held):
    result = fanpin(folder, "info")
    assert result.returncode == 0, result.stderr
    assert "城关镇" in result.stdout
    assert fanpin(folder, "cases", "list").returncode == 0
    assert fanpin(folder, "backups").returncode == 0
    assert held.poll() is None  # the holder still runs and still holds the folder
    assert holder(DataPaths(folder))["pid"] == held.pid  # type: ignore[index]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="kill -9 is POSIX")
def test_a_killed_holder_leaves_a_stale_note_that_the_next_writer_overwrites(folder, held):
    paths = DataPaths(folder)
    held.send_signal(signal.SIGKILL)
    held.wait(timeout=60)
    assert holder_file(paths).exists()  # the crashed holder's note is still there
    assert holder(paths) is None  # but the lock is free: the note is stale

    lock = FolderLock(paths)
    lock.acquire("测试")
    try:
        assert holder(paths)["pid"] == os.getpid()  # type: ignore[index]
    finally:
        lock.release()
    assert not holder_file(paths).exists()

    result = fanpin(folder, "migrate")
    assert result.returncode == 0, result.stderr
    assert holder(paths) is None


def test_a_second_window_on_the_folder_is_refused_and_may_open_read_only(tmp_path):
    data = tmp_path / "data"
    first = open_app(data, auto_backup=False, lock=WINDOW_PROGRAM)
    try:
        with pytest.raises(FolderBusy) as busy:
            open_app(data, auto_backup=False, lock=WINDOW_PROGRAM)
        assert busy.value.holder is not None and busy.value.holder["pid"] == os.getpid()
        assert "数据目录正被" in str(busy.value) and "窗口" in str(busy.value)

        second = open_app(data, read_only=True)
        assert second.read_only and isinstance(second.lock, ReaderMark) and second.lock.held
        assert [r["pid"] for r in readers(second.paths)] == [os.getpid()]
        second.close()
        assert readers(second.paths) == []
        assert holder(first.paths)["program"] == "窗口"  # type: ignore[index]
    finally:
        first.close()
    assert holder(first.paths) is None
    again = open_app(data, auto_backup=False, lock=WINDOW_PROGRAM)  # free again after the first window closed
    assert again.lock is not None and again.lock.held
    again.close()


def test_a_failed_start_releases_the_lock(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setattr("fanpin_desktop.context.migrate", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        open_app(data, auto_backup=False, lock=WINDOW_PROGRAM)
    assert holder(DataPaths(data)) is None


def test_busy_message_without_a_note_still_says_the_folder_is_in_use(tmp_path):
    paths = DataPaths(tmp_path / "data").ensure()
    lock = FolderLock(paths)
    lock.acquire("测试")
    holder_file(paths).unlink()
    try:
        with pytest.raises(FolderBusy, match="数据目录正被另一个窗口或命令使用"):
            FolderLock(paths).acquire("第二个")
    finally:
        lock.release()


def test_read_only_operations_refuse_writes_and_write_nothing(tmp_path, qapp):
    from fanpin_desktop.ui.operations import HOUSEHOLDS, NOTHING, READ_ONLY_MESSAGE
    from fanpin_desktop.ui.operations.data import window_operations
    from fanpin_desktop.ui.tasks import TaskRunner

    data = tmp_path / "data"
    writer = open_app(data, auto_backup=False, lock=WINDOW_PROGRAM)
    ctx = open_app(data, read_only=True)
    ops = window_operations(ctx, TaskRunner(synchronous=True))
    try:
        assert ops.read_only
        called, refused = [], []
        ops.write(
            lambda s: called.append(settings_service.update(s, township="改过的")),
            HOUSEHOLDS,
            user_error=refused.append,
        )
        ops.with_database(lambda db, c: called.append(db), HOUSEHOLDS, user_error=refused.append)
        assert called == []
        assert [str(e) for e in refused] == [READ_ONLY_MESSAGE, READ_ONLY_MESSAGE]
        assert "只读" in READ_ONLY_MESSAGE
        assert ops.read(settings_service.load).township != "改过的"
        # what announces nothing (a backup, an import preview) still runs
        ops.with_database(lambda db, c: called.append("backup"), NOTHING, user_error=refused.append)
        assert called == ["backup"]
    finally:
        ops.runner.shutdown()
        ctx.close()
        writer.close()


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes; Windows keeps the folder's ACLs")
def test_the_data_folder_is_for_this_user_only(tmp_path):
    fresh = DataPaths(tmp_path / "fresh").ensure()
    for folder in (fresh.root, fresh.backups, fresh.logs, fresh.exports):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    old = tmp_path / "old"
    old.mkdir(mode=0o755)
    old.chmod(0o755)
    ctx = open_app(old, auto_backup=False, lock=WINDOW_PROGRAM)
    ctx.close()
    assert old.stat().st_mode & 0o777 == 0o700
    assert lock_file(ctx.paths).stat().st_mode & 0o077 == 0


def test_a_read_only_window_says_so_and_its_saves_are_refused(tmp_path, qtbot):
    from PySide6.QtCore import QSettings

    from fanpin_desktop.ui import errors as ui_errors
    from fanpin_desktop.ui.main_window import MainWindow
    from fanpin_desktop.ui.operations import SETTINGS
    from fanpin_desktop.ui.tasks import TaskRunner

    data = tmp_path / "data"
    writer = open_app(data, auto_backup=False, lock=WINDOW_PROGRAM)
    ctx = open_app(data, read_only=True)
    try:
        qsettings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
        window = MainWindow(ctx, TaskRunner(synchronous=True), qsettings=qsettings)
        qtbot.addWidget(window)
        window.refresh_status()
        assert "（只读）" in window.windowTitle()
        with ui_errors.collecting() as seen:
            window.ops.write(lambda s: settings_service.update(s, township="改过的"), SETTINGS)
        assert [str(e) for e in seen] == [READ_ONLY]
        assert ctx.settings().township != "改过的"
        window.close()
    finally:
        ctx.close()
        writer.close()


READER = textwrap.dedent(
    """
    import sys
    from fanpin_desktop.context import open_app
    ctx = open_app(sys.argv[1], read_only=True)
    print("ready", flush=True)
    sys.stdin.read()
    ctx.close()
    """
)


def test_restore_and_migrate_refuse_while_a_read_only_window_is_open(folder):
    paths = DataPaths(folder)
    backup = next(b.path for b in backups.list_backups(paths))
    before = sorted(p.name for p in paths.backups.iterdir())
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(folder)],
        cwd=ROOT,
        env=ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
        assert holder(paths) is None  # a reader does not hold the folder: writers may start
        for argv in (("restore", str(backup)), ("migrate",)):
            result = fanpin(folder, *argv)
            assert result.returncode == 1, result
            assert "以只读方式打开" in result.stderr and f"进程 {reader.pid}" in result.stderr
        assert sorted(p.name for p in paths.backups.iterdir()) == before
        assert fanpin(folder, "info").returncode == 0
        if hasattr(signal, "SIGKILL"):  # a reader that died leaves a mark that no longer counts
            reader.send_signal(signal.SIGKILL)
            reader.wait(timeout=60)
            assert list(folder.glob(f"{READER_PREFIX}*.lock"))
            assert readers(paths) == []
            assert not list(folder.glob(f"{READER_PREFIX}*"))
            assert fanpin(folder, "migrate").returncode == 0
    finally:
        if reader.poll() is None:
            reader.stdin.close()  # type: ignore[union-attr]
            reader.wait(timeout=60)


def test_the_windows_restore_is_refused_while_a_read_only_window_is_open(folder, qapp):
    from fanpin_desktop.ui.operations import data as data_ops
    from fanpin_desktop.ui.tasks import TaskRunner

    writer = open_app(folder, auto_backup=False, lock=WINDOW_PROGRAM)
    reader = open_app(folder, read_only=True)
    ops = data_ops.window_operations(writer, TaskRunner(synchronous=True))
    before = sorted(p.name for p in writer.paths.backups.iterdir())
    refused, done = [], []
    try:
        backup = next(b.path for b in backups.list_backups(writer.paths))
        data_ops.restore(ops, writer.paths, backup, user_error=refused.append, success=done.append)
        assert done == [] and len(refused) == 1 and "以只读方式打开" in str(refused[0])
        assert sorted(p.name for p in writer.paths.backups.iterdir()) == before
        reader.close()
        data_ops.restore(ops, writer.paths, backup, user_error=refused.append, success=done.append)
        assert len(done) == 1 and len(refused) == 1
    finally:
        ops.runner.shutdown()
        reader.close()
        writer.close()
