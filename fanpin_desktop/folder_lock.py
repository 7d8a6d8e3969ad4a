"""One writer per data folder: the window and every writing command hold ``<data folder>/fanpin.lock``.

The lock is an operating-system file lock (``filelock``: ``fcntl.flock`` on POSIX, ``msvcrt`` on
Windows), so it is released by the operating system when its process dies, even by ``kill -9`` or a
power cut of the program. Beside it, ``fanpin.lock.json`` says who holds it (program, user, host,
process id, since when) so a refused second window or command can tell the clerk who to ask. A
sidecar left behind by a crashed holder is stale: the lock itself is then free, and the next holder
overwrites it (``holder`` reports ``None`` for it).

Reads do not take the lock; they may run alongside the writer (SQLite keeps them consistent).
"""

from __future__ import annotations

import datetime as dt
import getpass
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


def lock_file(paths: DataPaths) -> Path:
    return paths.root / LOCK_FILENAME


def holder_file(paths: DataPaths) -> Path:
    return paths.root / HOLDER_FILENAME


class FolderBusy(UserError):
    """Another window or command holds the data folder; ``holder`` says who (or is None)."""

    def __init__(self, paths: DataPaths, holder: dict[str, Any] | None) -> None:
        self.paths = paths
        self.holder = holder
        super().__init__(busy_message(paths, holder))


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
        self.info = {
            "program": program,
            "user": _user(),
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": dt.datetime.now().replace(microsecond=0).isoformat(),
        }
        try:
            _write_holder(self.paths, self.info)
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


def _read_holder(paths: DataPaths) -> dict[str, Any] | None:
    try:
        data = json.loads(holder_file(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_holder(paths: DataPaths, info: dict[str, Any]) -> None:
    target = holder_file(paths)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, target)
