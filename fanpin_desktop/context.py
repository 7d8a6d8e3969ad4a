"""Start-up: find the data directory, open and migrate the database, make the daily backup.

The window and the command line both start through ``open_app``; nothing here imports Qt.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlcipher3

from fanpin_desktop.db import Database, migrate
from fanpin_desktop.errors import UserError, explain_os_error
from fanpin_desktop.folder_lock import FolderLock, ReaderMark
from fanpin_desktop.paths import DataPaths, resolve_data_paths
from fanpin_desktop.security import cipher_db, protection
from fanpin_desktop.services import backup as backups
from fanpin_desktop.services import settings as settings_service

log = logging.getLogger(__name__)

DEMO_FOLDER = "demo"
DEFAULT_DEMO_HOUSEHOLDS = 2500
DEFAULT_DEMO_SEED = 2022
WINDOW_PROGRAM = "窗口"  # who holds the data folder's lock, as the clerk reads it (folder_lock)


@dataclass
class AppContext:
    """What a running program holds: where its files are and the open database."""

    paths: DataPaths
    db: Database
    demo: bool = False
    migrated: bool = False
    startup_backup: Path | None = None
    demo_summary: Any = None
    log_file: Path | None = None
    warnings: list[str] = field(default_factory=list)  # Chinese notes for the clerk (e.g. backup failed)
    lock: FolderLock | ReaderMark | None = None  # the folder's lock (a writer) or a read-only mark
    read_only: bool = False  # opened while another window or command holds the folder: no writes
    role: str | None = None  # the logged-in account's role (issue 14); None: no accounts, no login

    def settings(self) -> settings_service.TownshipSettings:
        with self.db.reading() as s:
            return settings_service.load(s)

    def close(self) -> None:
        self.db.dispose()
        if self.lock is not None:
            self.lock.release()


def demo_data_paths(data_dir_override: str | os.PathLike[str] | None = None) -> DataPaths:
    """The demo township never shares a database with real data: ``<data root>/demo``."""
    if data_dir_override:
        return resolve_data_paths(data_dir_override)
    return DataPaths(resolve_data_paths(None).root / DEMO_FOLDER)


def explain_database_error(exc: BaseException, database: Path) -> UserError | None:
    """A Chinese explanation for a database that cannot be opened (locked, disk full, corrupt)."""
    orig = getattr(exc, "orig", None) or exc
    user = explain_os_error(orig, "打开数据库", database)
    if user is None and isinstance(orig, (sqlite3.DatabaseError, sqlcipher3.DatabaseError)):
        text = str(orig).lower()
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            user = UserError(
                f"数据库文件 {database} 已损坏或不是本程序的数据库，无法打开。"
                "请从备份恢复（菜单“数据—从备份恢复”或命令“fanpin restore 备份文件”），或联系技术人员。"
                + (
                    f"如果这是加密的数据库，请把它的密钥文件 {protection.keys.KEYRING_NAME} 复制回数据目录。"
                    if cipher_db.is_encrypted(database)
                    and not protection.is_protected(DataPaths(database.parent))
                    else ""
                )
            )
    return user


def _ensure(paths: DataPaths) -> None:
    try:
        paths.ensure()
    except OSError as exc:
        user = explain_os_error(exc, "创建数据目录", paths.root)
        if user is None:
            raise
        raise user from exc


def build_demo(
    db: Database,
    households: int = DEFAULT_DEMO_HOUSEHOLDS,
    seed: int = DEFAULT_DEMO_SEED,
    progress: Callable[..., Any] | None = None,
) -> Any:
    """Fill an empty database with the demo township (refuses a database that holds data)."""
    with db.reading() as s:
        if not backups.is_empty(s):
            raise UserError(f"数据库 {db.path} 中已有数据，不能生成演示数据。请换一个空的数据目录。")
    if households < 1:
        raise UserError("演示户数必须大于 0。")
    from fanpin_desktop import demo  # imported when needed: only demo starts use it

    return demo.build_demo(db, households=households, seed=seed, progress=progress)


def open_app(
    data_dir_override: str | os.PathLike[str] | None = None,
    demo: bool = False,
    *,
    demo_households: int = DEFAULT_DEMO_HOUSEHOLDS,
    demo_seed: int = DEFAULT_DEMO_SEED,
    run_migrations: bool = True,
    auto_backup: bool = True,
    configure_logging: bool = False,
    now: dt.datetime | None = None,
    progress: Callable[..., Any] | None = None,
    lock: str | None = None,
    read_only: bool = False,
    data_key: bytes | None = None,
) -> AppContext:
    """Open (creating if needed) the data directory and its database, ready for use.

    Order matters: the database is copied aside before any migration; the daily automatic backup
    is made only of a database that existed before this start; a failed automatic backup does not
    stop the program (it is reported in ``warnings``).

    ``lock`` names this program in the data folder's lock (``folder_lock``), taken before the
    database is opened; a folder held by another window or command raises ``FolderBusy``. The
    window passes ``WINDOW_PROGRAM``, a writing command its name; ``None`` (a command that only
    reads, a test) takes no lock. ``read_only``: a reader mark instead of the lock (``restore``
    and ``migrate`` refuse while it is held), no migration, no backup, no demo building; the
    window's operations then refuse every write. ``data_key``: the key that opens a protected
    (encrypted) folder's database (``security.protection.unlock``); such a folder refuses to open
    without it (``NeedsLogin``).
    """
    paths = demo_data_paths(data_dir_override) if demo else resolve_data_paths(data_dir_override)
    _ensure(paths)
    backups.remove_leftovers(paths)  # copies left by killed backups and restores (personal data)
    log_file = None
    if configure_logging:
        from fanpin_desktop.logging_setup import setup_logging

        log_file = setup_logging(paths)
    folder_lock: FolderLock | ReaderMark | None = None
    if read_only:
        run_migrations = auto_backup = False
        folder_lock = ReaderMark(paths)  # restore and migrate refuse while a reader is open
        folder_lock.acquire(lock or WINDOW_PROGRAM)
    elif lock is not None:
        folder_lock = FolderLock(paths)
        folder_lock.acquire(lock)
    existed = paths.database.exists()
    log.info(
        "opening %s (demo=%s, existed=%s, encrypted=%s)", paths.database, demo, existed, data_key is not None
    )
    try:
        db = _database(paths, data_key, may_convert=not read_only)
    except BaseException:
        if folder_lock is not None:
            folder_lock.release()
        raise
    ctx = AppContext(paths=paths, db=db, demo=demo, log_file=log_file, lock=folder_lock, read_only=read_only)
    try:
        if run_migrations:
            migrate_app(ctx)
        if demo and not read_only:
            with db.reading() as s:
                empty = backups.is_empty(s)
            if empty:
                ctx.demo_summary = build_demo(db, demo_households, demo_seed, progress)
        if auto_backup and existed and run_migrations and not read_only:
            _daily_backup(ctx, now)
    except BaseException:
        ctx.close()
        raise
    return ctx


def migrate_app(ctx: AppContext) -> bool:
    """Bring the open database to the newest schema (a copy aside first); damage explained."""
    try:
        ctx.migrated = migrate(ctx.db, backup_before=backups.backup_before_migration(ctx.paths, ctx.db.key))
    except UserError:
        raise
    except Exception as exc:
        user = explain_database_error(exc, ctx.paths.database)
        if user is None:
            raise
        raise user from exc
    return ctx.migrated


class NeedsLogin(UserError):
    """The folder is protected and no data key was given: log in (or use the recovery code) first."""


def _database(paths: DataPaths, data_key: bytes | None, may_convert: bool) -> Database:
    if data_key is None:
        if protection.is_protected(paths):
            raise NeedsLogin("数据库已加密：请用账户和密码登录（忘记密码时用恢复码）后再打开。")
        return Database(paths.database)
    if may_convert:
        cipher_db.finish_interrupted(paths.database)
    if paths.database.exists() and not cipher_db.is_encrypted(paths.database):
        # A keyring beside a plain database: the set-up was interrupted before the conversion.
        if not may_convert:
            raise UserError("数据库的加密设置尚未完成，请先以正常方式（非只读）打开一次。")
        log.warning("finishing an interrupted encryption of the database")
        cipher_db.encrypt_plain_database(paths.database, data_key)
    return Database(paths.database, engine=cipher_db.encrypted_engine(paths.database, data_key), key=data_key)


def _daily_backup(ctx: AppContext, now: dt.datetime | None) -> None:
    now = now or dt.datetime.now()
    settings = ctx.settings()
    try:
        made = backups.auto_backup_if_due(ctx.paths, settings.backup_keep, now=now, key=ctx.db.key)
    except UserError as exc:
        log.warning("automatic backup failed: %s", exc)
        ctx.warnings.append(f"自动备份未能完成：{exc}")
        return
    if made is not None:
        ctx.startup_backup = made
        with ctx.db.unit() as s:
            settings_service.update(s, last_backup_at=now.replace(microsecond=0).isoformat())
