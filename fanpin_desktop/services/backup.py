"""Backups and restore of the SQLite file.

Backups use SQLite's online backup API, so a consistent copy is taken even while the program has
the database open (WAL mode). In a protected (encrypted) data folder every function takes the data
key (``key``): backups are then made with ``sqlcipher_export`` into files encrypted with the same
key, a restore accepts encrypted backups made here and plain ones (which it encrypts before they go
live), and the copy of the replaced database is encrypted too. Files are named ``fanpin-YYYYMMDD-HHMMSS[-reason].sqlite3`` in the
``backups`` folder; only automatic backups (reason ``auto``) are rotated. A restore checks the
chosen file before touching anything, keeps the database it replaces as
``backups/replaced-YYYYMMDD-HHMMSS.sqlite3`` and swaps the files with an atomic rename.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlcipher3
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fanpin_desktop.db import Database, alembic_config, head_revision, migrate, schema_revision
from fanpin_desktop.errors import UserError, explain_os_error
from fanpin_desktop.models import Household, Member, MonitoringCase, Village, VillageGroup
from fanpin_desktop.paths import DataPaths
from fanpin_desktop.security import cipher_db

log = logging.getLogger(__name__)

PREFIX = "fanpin-"
REPLACED_PREFIX = "replaced-"
SUFFIX = ".sqlite3"
AUTO = "auto"
MANUAL = "manual"
_STAMP = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"^(fanpin|replaced)-(\d{8}-\d{6})(?:-(.+))?\.sqlite3$")
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')

# Tables every Fanpin database has; a file without them is not ours.
REQUIRED_TABLES = frozenset({"alembic_version", "settings", "villages", "households", "members"})

REASON_LABELS = {AUTO: "自动备份", MANUAL: "手动备份", "replaced": "恢复前的数据库"}


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: dt.datetime
    reason: str  # "auto", "manual", "迁移前-…", or "replaced" for a database replaced by a restore
    size: int

    @property
    def automatic(self) -> bool:
        return self.reason == AUTO or self.reason.startswith(AUTO + "-")

    @property
    def label(self) -> str:
        """The kind of backup in words, for lists shown to the clerk."""
        base = self.reason.split("-")[0] if self.automatic else self.reason
        if base in REASON_LABELS:
            return REASON_LABELS[base]
        if self.reason.startswith("迁移前"):
            return "升级前自动备份"
        return self.reason


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    replaced_copy: Path | None  # where the database that was replaced now lives
    migrated: bool
    revision: str | None


@dataclass(frozen=True)
class DatabaseInfo:
    path: Path
    revision: str | None
    head: str | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head


# --------------------------------------------------------------------------- helpers


def _reason_part(reason: str) -> str:
    cleaned = _UNSAFE.sub("_", reason.strip()).strip("._-")
    return f"-{cleaned[:60]}" if cleaned else ""


def _free_name(folder: Path, stem: str) -> Path:
    candidate = folder / f"{stem}{SUFFIX}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{n}{SUFFIX}"
        n += 1
    return candidate


@contextlib.contextmanager
def _environment(action: str, target: object = "") -> Iterator[None]:
    """Re-raise disk-full, locked-file and permission failures as a Chinese ``UserError``."""
    try:
        yield
    except UserError:
        raise
    except (OSError, sqlite3.Error, sqlcipher3.Error) as exc:
        user = explain_os_error(exc, action, target)
        if user is None:
            raise
        raise user from exc


def _sidecars(path: Path) -> list[Path]:
    return [
        path.with_name(path.name + "-wal"),
        path.with_name(path.name + "-shm"),
        path.with_name(path.name + "-journal"),
    ]


PARTIAL_SUFFIX = ".partial"


def _in_use(path: Path) -> bool:
    """Whether another process is writing ``path`` now (a backup in progress holds its write lock)."""
    try:
        conn = sqlite3.connect(f"file:{path.as_posix()}?mode=rw", uri=True, timeout=0)
    except sqlite3.Error:
        return False
    try:
        conn.execute("BEGIN EXCLUSIVE")
        conn.rollback()
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def remove_leftovers(paths: DataPaths) -> list[Path]:
    """Remove what killed backups left behind: ``*.sqlite3.partial`` copies in ``backups/`` with
    their ``-journal``, ``-wal`` and ``-shm``. They hold the same personal data as the database. Called when a
    backup starts and when the program or a command opens the data folder; a copy another process
    is writing right now is left alone."""
    removed: list[Path] = []
    candidates: list[Path] = []
    with contextlib.suppress(OSError):
        if paths.backups.is_dir():
            candidates += [p for p in paths.backups.iterdir() if PARTIAL_SUFFIX in p.name]
    mains = {p for p in candidates if p.name.endswith(PARTIAL_SUFFIX)}
    for main in sorted(mains):
        if main.exists() and _in_use(main):
            continue
        for p in (main, *_sidecars(main)):
            if p.exists():
                with contextlib.suppress(OSError):
                    p.unlink()
                    removed.append(p)
    for p in candidates:  # sidecars whose main file is already gone
        if p not in mains and p.exists() and not any(p.name.startswith(m.name) for m in mains if m.exists()):
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    if removed:
        log.info("removed %d leftover file(s) of interrupted backups or restores", len(removed))
    return removed


def _remove_quietly(path: Path) -> None:
    for p in (path, *_sidecars(path)):
        with contextlib.suppress(OSError):
            p.unlink()


def _copy_online(source: Path, target: Path, key: bytes | None = None) -> None:
    """Consistent copy via the backup API; the copy is a single self-contained file.
    With ``key``: an encrypted copy of the encrypted ``source`` (``sqlcipher_export``)."""
    if key is not None:
        cipher_db.backup_encrypted(source, key, target)
        return
    partial = target.with_name(target.name + ".partial")
    _remove_quietly(partial)
    src = sqlite3.connect(str(source))
    try:
        dst = sqlite3.connect(str(partial))
        try:
            src.backup(dst)
            # The copy inherits WAL mode from the source header; make it one file on its own.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    except BaseException:
        _remove_quietly(partial)
        raise
    finally:
        src.close()
    os.replace(partial, target)


# --------------------------------------------------------------------------- backups


def backup(
    paths: DataPaths, reason: str = MANUAL, now: dt.datetime | None = None, key: bytes | None = None
) -> Path:
    """Copy the database into ``backups/`` and return the new file (encrypted with ``key``, if any)."""
    if not paths.database.exists():
        raise UserError(f"没有可备份的数据库：{paths.database} 不存在。")
    now = now or dt.datetime.now()
    with _environment("备份数据库", paths.backups):
        paths.backups.mkdir(parents=True, exist_ok=True)
        remove_leftovers(paths)
        target = _free_name(paths.backups, f"{PREFIX}{now:{_STAMP}}{_reason_part(reason)}")
        _copy_online(paths.database, target, key)
    log.info("database backed up to %s", target.name)
    return target


def parse_name(path: Path) -> tuple[str, dt.datetime, str] | None:
    """(kind, created, reason) from a backup file name, or None for other files."""
    m = _NAME.match(path.name)
    if not m:
        return None
    try:
        created = dt.datetime.strptime(m.group(2), _STAMP)
    except ValueError:
        return None
    kind, reason = m.group(1), m.group(3) or ""
    if kind == "replaced":
        reason = "replaced"
    return kind, created, reason


def list_backups(paths: DataPaths) -> list[BackupInfo]:
    """Every backup (and every database replaced by a restore), newest first."""
    if not paths.backups.is_dir():
        return []
    found = []
    for p in paths.backups.iterdir():
        parsed = parse_name(p)
        if parsed is None or not p.is_file():
            continue
        _kind, created, reason = parsed
        found.append(BackupInfo(p, created, reason, p.stat().st_size))
    found.sort(key=lambda b: (b.created, b.path.name), reverse=True)
    return found


def rotate(paths: DataPaths, keep: int) -> list[Path]:
    """Delete automatic backups beyond the newest ``keep``; other backups are never deleted."""
    keep = max(int(keep), 1)
    automatic = [b for b in list_backups(paths) if b.automatic]
    removed = []
    for old in automatic[keep:]:
        try:
            old.path.unlink()
            removed.append(old.path)
        except OSError as exc:  # a locked old backup must not stop the program from starting
            log.warning("could not delete old backup %s: %s", old.path.name, exc)
    return removed


def last_automatic(paths: DataPaths) -> dt.datetime | None:
    times = [b.created for b in list_backups(paths) if b.automatic]
    return max(times) if times else None


def auto_backup_if_due(
    paths: DataPaths,
    keep: int,
    now: dt.datetime | None = None,
    max_age: dt.timedelta = dt.timedelta(days=1),
    key: bytes | None = None,
) -> Path | None:
    """The start-up backup: made when the newest automatic backup is older than ``max_age``."""
    now = now or dt.datetime.now()
    last = last_automatic(paths)
    if last is not None and now - last < max_age:
        return None
    made = backup(paths, AUTO, now=now, key=key)
    rotate(paths, keep)
    return made


# --------------------------------------------------------------------------- checking a file


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    engine = create_engine("sqlite://")
    try:
        script = ScriptDirectory.from_config(alembic_config(engine))
        return {rev.revision for rev in script.walk_revisions()}
    finally:
        engine.dispose()


def _open_copy(path: Path, name: str, key: bytes | None) -> sqlite3.Connection | sqlcipher3.Connection:
    """A connection to a backup file: plain, or encrypted with this folder's ``key``."""
    with path.open("rb") as fh:
        header = fh.read(16)
    if header == cipher_db.SQLITE_HEADER:
        return sqlite3.connect(str(path))
    if key is None or len(header) < 16:
        if len(header) == 16 and cipher_db.is_encrypted(path) and key is None:
            raise UserError(
                f"“{name}”是加密的备份（或不是数据库文件）。加密的备份只能恢复到设置了账户的数据目录中，"
                "并且需要原数据目录的密钥文件 fanpin.keys.json；不能用于恢复。"
            )
        raise UserError(f"“{name}”不是数据库文件（可能已损坏或不是本程序的备份），不能用于恢复。")
    try:
        return cipher_db.connect(path, key)
    except UserError:
        raise UserError(
            f"“{name}”无法用本数据目录的密钥打开：它可能来自另一台电脑或另一套账户，也可能不是本程序的备份。"
        ) from None


def check_database_file(path: Path, display_name: str | None = None, key: bytes | None = None) -> str:
    """Refuse a file that is not a healthy Fanpin database; returns its schema revision.

    Opens the file itself, so callers pass a private copy (opening may create -wal/-shm files)
    and the original's name as ``display_name`` for the messages. ``key``: the folder's data key,
    with which an encrypted backup must open.
    """
    name = display_name or path.name
    if not path.is_file():
        raise UserError(f"找不到文件：{path}")
    try:
        conn = _open_copy(path, name, key)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
            problems = [r[0] for r in rows if r[0] != "ok"]
            if problems:
                log.warning("integrity_check of %s: %s", name, problems[:5])
                raise UserError(f"“{name}”已损坏（完整性检查未通过），不能用于恢复。请选择其他备份。")
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
            }
            missing = REQUIRED_TABLES - tables
            if missing:
                raise UserError(f"“{name}”不是本程序（防返贫监测帮扶工作站）的数据库，不能用于恢复。")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except (sqlite3.DatabaseError, sqlcipher3.DatabaseError) as exc:
        if type(exc).__name__ == "OperationalError":
            user = explain_os_error(exc, "检查备份文件", name)
            if user is not None and "locked" in str(exc).lower():
                raise user from exc
        raise UserError(f"“{name}”已损坏或不是数据库文件，不能用于恢复。") from exc
    revision = row[0] if row else None
    if revision is None:
        raise UserError(f"“{name}”不是本程序（防返贫监测帮扶工作站）的数据库，不能用于恢复。")
    if revision not in _known_revisions():
        raise UserError(f"“{name}”来自更新版本的程序（数据结构版本 {revision}），请先升级本程序再恢复。")
    return revision


# --------------------------------------------------------------------------- restore


def _stage_copy(source: Path, staging: Path) -> None:
    _remove_quietly(staging)
    shutil.copyfile(source, staging)
    wal = source.with_name(source.name + "-wal")
    if wal.exists():  # a database copied out of a running program: keep its unsaved pages
        shutil.copyfile(wal, staging.with_name(staging.name + "-wal"))


def _settle(path: Path, key: bytes | None = None) -> None:
    """Fold the WAL into the main file and switch to rollback journal: one self-contained file."""
    conn = (
        cipher_db.connect(path, key) if cipher_db.is_encrypted(path) and key else sqlite3.connect(str(path))
    )
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()
    for side in _sidecars(path):
        with contextlib.suppress(FileNotFoundError):
            side.unlink()


def restore(
    paths: DataPaths,
    file: str | os.PathLike[str],
    db: Database | None = None,
    now: dt.datetime | None = None,
    key: bytes | None = None,
) -> RestoreResult:
    """Replace the database with a backup.

    The chosen file is checked first (integrity, Fanpin tables, known schema revision); nothing is
    touched when it is refused. ``db`` is the program's open database, whose connections are
    closed before the swap (the same object keeps working afterwards on the restored file).
    ``key`` (default: ``db.key``): the protected folder's data key; a plain backup restored into a
    protected folder is encrypted before it goes live.
    """
    if key is None and db is not None:
        key = db.key
    source = Path(file).expanduser().resolve()
    now = now or dt.datetime.now()
    if not source.is_file():
        raise UserError(f"找不到备份文件：{source}")
    if source == paths.database.resolve():
        raise UserError("所选文件就是当前正在使用的数据库，不能用它恢复。")
    staging = paths.root / f".restore-{now:{_STAMP}}{SUFFIX}"
    try:
        with _environment("读取备份文件", source.name):
            _stage_copy(source, staging)
        check_database_file(staging, source.name, key)
        staged_key = key if cipher_db.is_encrypted(staging) else None
        # Bring an older backup up to the current schema before it goes live.
        staged_db = Database(
            staging,
            user=db.user if db else None,
            engine=cipher_db.encrypted_engine(staging, staged_key) if staged_key else None,
            key=staged_key,
        )
        try:
            migrated = migrate(staged_db)
            revision = schema_revision(staged_db.engine)
        finally:
            staged_db.dispose()
        replaced = None
        swapped = False
        try:
            with _environment("恢复数据库", paths.root):
                _settle(staging, key)
                if key is not None and staged_key is None:
                    cipher_db.encrypt_plain_database(staging, key)  # a plain backup goes live encrypted
                if paths.database.exists():
                    paths.backups.mkdir(parents=True, exist_ok=True)
                    replaced = _free_name(paths.backups, f"{REPLACED_PREFIX}{now:{_STAMP}}")
                    _copy_online(paths.database, replaced, key)
                if db is not None:
                    db.dispose()
                if paths.database.exists():
                    _settle(paths.database, key)
                os.replace(staging, paths.database)
                swapped = True
        finally:
            if not swapped and replaced is not None:
                # refused or failed: the database was not replaced, so no "replaced" copy is kept
                _remove_quietly(replaced)
    finally:
        _remove_quietly(staging)
    log.info(
        "database restored from %s (replaced copy: %s, migrated: %s)",
        source.name,
        replaced.name if replaced else None,
        migrated,
    )
    return RestoreResult(source, replaced, migrated, revision)


# --------------------------------------------------------------------------- information


def counts(session: Session) -> dict[str, int]:
    """Headline counts shown in the status bar and by ``fanpin info``."""

    def n(model: type) -> int:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)

    return {
        "villages": n(Village),
        "groups": n(VillageGroup),
        "households": n(Household),
        "members": n(Member),
        "cases": n(MonitoringCase),
    }


COUNT_LABELS = {
    "villages": "行政村",
    "groups": "村民小组",
    "households": "户",
    "members": "人",
    "cases": "监测对象（次）",
}


def database_info(db: Database) -> DatabaseInfo:
    revision = schema_revision(db.engine)
    head = head_revision(db.engine)
    data: dict[str, int] = {}
    if revision is not None:
        with _environment("读取数据库", db.path), db.reading() as s:
            data = counts(s)
    return DatabaseInfo(db.path, revision, head, data)


def is_empty(session: Session) -> bool:
    c = counts(session)
    return c["villages"] == 0 and c["households"] == 0


BackupFn = Callable[[str], Path]


def backup_before_migration(paths: DataPaths, key: bytes | None = None) -> BackupFn:
    """The ``backup_before`` callable for ``db.migrate``: copies the database aside first."""
    return lambda reason: backup(paths, reason, key=key)
