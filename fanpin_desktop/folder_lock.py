"""One writer per data folder: the window and every writing command hold ``<data folder>/fanpin.lock``.

The lock is an operating-system file lock (``filelock``: ``fcntl.flock`` on POSIX, ``msvcrt`` on
Windows), so it is released by the operating system when its process dies, even by ``kill -9`` or a
power cut of the program. Beside it, ``fanpin.lock.json`` says who holds it (program, user, host,
process id, since when) so a refused second window or command can tell the clerk who to ask. A
sidecar left behind by a crashed holder is stale: the lock itself is then free, and the next holder
overwrites it (``holder`` reports ``None`` for it).

Reads do not take the lock; they may run alongside the writer (SQLite keeps them consistent). A
window opened read-only leaves a reader mark (``fanpin.reader-<pid>-<n>.lock`` held the same way,
with its note), so that ``restore`` and ``migrate`` — which replace or rebuild the file under every
reader — refuse while one is open (``refuse_readers``); marks of readers that died are removed.
"""

from __future__ import annotations

import datetime as dt
import getpass
import itertools
import json
import logging
import os
import socket
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from fanpin_desktop.errors import UserError
from fanpin_desktop.paths import DataPaths

log = logging.getLogger(__name__)

LOCK_FILENAME = "fanpin.lock"
HOLDER_FILENAME = "fanpin.lock.json"
READER_PREFIX = "fanpin.reader-"


def lock_file(paths: DataPaths) -> Path:
    return paths.root / LOCK_FILENAME


def holder_file(paths: DataPaths) -> Path:
    return paths.root / HOLDER_FILENAME


class FolderBusy(UserError):
    """Another window or command holds the data folder; ``holder`` says who (or is None)."""

    def __init__(self, paths: DataPaths, holder: dict[str, Any] | None, message: str | None = None) -> None:
        self.paths = paths
        self.holder = holder
        super().__init__(message or busy_message(paths, holder))


def describe_holder(holder: dict[str, Any] | None) -> str:
    """``数据目录正被 <主机> 上的 <用户> 使用（<程序>，自 <时间> 起）`` (or without details)."""
    if not holder:
        return "数据目录正被另一个窗口或命令使用"
    since = str(holder.get("since") or "").replace("T", " ")
    program = holder.get("program") or "本程序"
    pid = holder.get("pid")
    detail = f"{program}，进程 {pid}" if pid else str(program)
    if since:
        detail += f"，自 {since} 起"
    return f"数据目录正被 {holder.get('host') or '未知计算机'} 上的 {holder.get('user') or '未知用户'} 使用（{detail}）"


def busy_message(paths: DataPaths, holder: dict[str, Any] | None) -> str:
    return (
        f"{describe_holder(holder)}：{paths.root}。同一时间只能有一个窗口或命令修改数据，"
        "请等它结束（或关闭那个窗口）后再试。"
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name (no USERNAME/LOGNAME, no passwd entry)
        return "未知用户"


class FolderLock:
    """The lock on one data folder. ``acquire(program)`` never waits: a busy folder raises
    :class:`FolderBusy` at once. Usable as a context manager; ``release`` is idempotent and may be
    called from another thread than ``acquire`` (the window opens on a worker thread)."""

    def __init__(self, paths: DataPaths) -> None:
        self.paths = paths
        self._lock = FileLock(str(lock_file(paths)), timeout=0, mode=0o600, thread_local=False)
        self.info: dict[str, Any] | None = None

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def acquire(self, program: str) -> None:
        if self.held:
            return
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise FolderBusy(self.paths, _read_holder(self.paths)) from None
        except OSError as exc:  # a read-only medium, no permission: say so in Chinese
            from fanpin_desktop.errors import explain_os_error

            user = explain_os_error(exc, "锁定数据目录", lock_file(self.paths))
            if user is None:
                raise
            raise user from exc
        stale = _read_holder(self.paths)
        if stale:
            log.warning("stale lock note from a process that ended, overwritten: %s", stale)
        self.info = _who(program)
        try:
            _write_json(holder_file(self.paths), self.info)
        except OSError:  # the lock itself holds; only the note for others is missing
            log.warning("could not write %s", holder_file(self.paths), exc_info=True)
        log.info("data folder locked by %s", self.info)

    def release(self) -> None:
        if not self.held:
            return
        try:
            holder_file(self.paths).unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove %s", holder_file(self.paths), exc_info=True)
        self._lock.release(force=True)
        self.info = None
        log.info("data folder lock released")

    def __enter__(self) -> FolderLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


_reader_numbers = itertools.count(1)


class ReaderMark:
    """Held by a window opened read-only: says a reader is open (``readers``) until released."""

    def __init__(self, paths: DataPaths) -> None:
        self.paths = paths
        self.path = paths.root / f"{READER_PREFIX}{os.getpid()}-{next(_reader_numbers)}.lock"
        self._lock = FileLock(str(self.path), timeout=0, mode=0o600, thread_local=False)

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def acquire(self, program: str) -> None:
        try:
            self._lock.acquire(timeout=0)
            info = {**_who(program), "read_only": True}
            _write_json(self.path.with_suffix(".json"), info)
        except (OSError, Timeout):  # a mark that cannot be made only weakens the restore check
            log.warning("could not leave a reader mark in %s", self.paths.root, exc_info=True)

    def release(self) -> None:
        if not self.held:
            return
        self._lock.release(force=True)
        for path in (self.path.with_suffix(".json"), self.path):
            path.unlink(missing_ok=True)


def readers(paths: DataPaths) -> list[dict[str, Any]]:
    """The read-only windows open on the folder now; marks left by readers that died are removed."""
    found = []
    for mark in sorted(paths.root.glob(f"{READER_PREFIX}*.lock")):
        probe = FileLock(str(mark), timeout=0, mode=0o600, thread_local=False)
        try:
            probe.acquire(timeout=0)
        except Timeout:
            found.append(_read_json(mark.with_suffix(".json")) or {})
            continue
        except OSError:
            continue
        try:
            for path in (mark.with_suffix(".json"), mark):
                path.unlink(missing_ok=True)
        except OSError:  # Windows cannot remove the file it holds open: the next probe will
            pass
        finally:
            probe.release(force=True)
    return found


def refuse_readers(paths: DataPaths, action: str) -> None:
    """``action`` (恢复备份, 升级数据库) replaces the file under every reader: not while one is open."""
    open_readers = readers(paths)
    if open_readers:
        who = describe_holder(open_readers[0]).replace("使用", "以只读方式打开", 1)
        raise FolderBusy(
            paths,
            open_readers[0],
            f"{who}：{paths.root}。{action}会替换它正在读的数据库，请先关闭那个窗口再{action}。",
        )


def holder(paths: DataPaths) -> dict[str, Any] | None:
    """Who holds the folder now, or None when it is free (a stale note after a crash is None)."""
    if not lock_file(paths).exists():
        return None
    probe = FileLock(str(lock_file(paths)), timeout=0, mode=0o600, thread_local=False)
    try:
        probe.acquire(timeout=0)
    except Timeout:
        return _read_holder(paths) or {}
    except OSError:
        return _read_holder(paths)
    probe.release(force=True)
    return None


def _who(program: str) -> dict[str, Any]:
    return {
        "program": program,
        "user": _user(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "since": dt.datetime.now().replace(microsecond=0).isoformat(),
    }


def _read_holder(paths: DataPaths) -> dict[str, Any] | None:
    return _read_json(holder_file(paths))


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_json(target: Path, info: dict[str, Any]) -> None:
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, target)
