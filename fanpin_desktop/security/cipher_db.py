"""The database file encrypted with SQLCipher (AES-256 per page, with an HMAC per page).

The data key is handed to SQLCipher in its raw form (``PRAGMA key = "x'<64 hex>'"``), so opening
a connection costs no key derivation; the slow, salted derivation happens once, when a password
unlocks the key (``security.keys``). Without the key the file is random bytes: it does not start
with ``SQLite format 3`` and plain SQLite reports "file is not a database".
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.pool import QueuePool

from fanpin_desktop.db import _set_pragmas
from fanpin_desktop.errors import UserError

SQLITE_HEADER = b"SQLite format 3\x00"

#: Each connection's page cache holds pages decrypted. SQLite's default (2 MB) makes a search that
#: scans the members table decrypt most of its pages again on every keystroke, where a plain
#: database only copies them from the system's file cache; 64 MB (allocated as used) keeps a
#: township's database decrypted in memory once read.
CACHE_KB = 64 * 1024

# The same adapters db.py registers for the standard sqlite3 module (None and bool bound directly).
sqlcipher3.register_adapter(type(None), lambda _v: None)
sqlcipher3.register_adapter(bool, int)


def _key_literal(data_key: bytes) -> str:
    if len(data_key) != 32:
        raise ValueError("the data key must be 32 bytes")
    return f"x'{data_key.hex()}'"


def _key_pragma(data_key: bytes) -> str:
    return f'PRAGMA key = "{_key_literal(data_key)}"'


def is_encrypted(path: Path) -> bool:
    """Whether ``path`` is a non-empty file that is not a plain SQLite database."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return False
    return len(head) > 0 and head != SQLITE_HEADER


def connect(path: Path, data_key: bytes) -> sqlcipher3.Connection:
    """A raw SQLCipher connection, keyed and checked (a wrong key fails here, not at first use)."""
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(_key_pragma(data_key))
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        conn.close()
        raise UserError(f"数据库 {Path(path).name} 无法用此密钥打开（密钥不匹配或文件已损坏）") from None
    return conn


def encrypted_engine(path: Path, data_key: bytes) -> Engine:
    """An engine like ``db.make_engine`` (WAL, foreign keys, …) on an encrypted file."""
    url = URL.create("sqlite+pysqlcipher", password=_key_literal(data_key), database=str(path))
    # The pysqlcipher dialect sends ``pragma key`` first on every new connection, before the
    # listener's pragmas; the pool is the one SQLAlchemy uses for plain database files.
    engine = create_engine(url, poolclass=QueuePool)
    event.listen(engine, "connect", _set_pragmas)
    event.listen(engine, "connect", _set_cache)
    return engine


def _set_cache(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute(f"PRAGMA cache_size = -{CACHE_KB}")


@contextlib.contextmanager
def _closing(conn: Any) -> Iterator[Any]:
    try:
        yield conn
    finally:
        conn.close()


def _export(conn: sqlcipher3.Connection, target: Path, data_key: bytes) -> dict[str, int]:
    """``sqlcipher_export`` everything ``conn``'s main database holds into a new encrypted ``target``.

    In one read transaction (a consistent snapshot even while others write); returns the row
    count of every table as exported.
    """
    conn.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(target), _key_literal(data_key)))
    try:
        conn.execute("BEGIN")
        try:
            expected = _table_counts(conn)
            user_version = conn.execute("PRAGMA main.user_version").fetchone()[0]
            conn.execute("SELECT sqlcipher_export('encrypted')").fetchone()
            conn.execute(f"PRAGMA encrypted.user_version = {int(user_version)}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("DETACH DATABASE encrypted")
    return expected


def _table_counts(conn: Any) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _verify(path: Path, data_key: bytes, expected: dict[str, int]) -> None:
    with _closing(connect(path, data_key)) as conn:
        result = conn.execute("PRAGMA integrity_check").fetchall()
        if result != [("ok",)]:
            raise UserError(f"加密后的数据库完整性检查未通过：{result[:3]}")
        counts = _table_counts(conn)
    if counts != expected:
        raise UserError("加密后的数据库与原数据库的记录数不一致，已放弃加密，原数据库未改动")


def _overwrite_and_remove(path: Path) -> None:
    """Overwrite a file's bytes with zeros, flush, then delete it (best effort on SSDs/journaling)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    with open(path, "r+b") as f:
        chunk = b"\x00" * (1 << 20)
        left = size
        while left > 0:
            n = min(left, len(chunk))
            f.write(chunk[:n])
            left -= n
        f.flush()
        os.fsync(f.fileno())
    path.unlink()


def wipe(path: Path) -> None:
    """Overwrite and remove a database file with its write-ahead log and journal."""
    for suffix in ("-wal", "-shm", "-journal", ""):
        _overwrite_and_remove(Path(str(path) + suffix))


def _remove_partial(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def finish_interrupted(path: Path) -> None:
    """After a conversion was killed half-way: put a plain file moved aside back if the database
    is missing (it is converted again), else overwrite and remove it; drop a half-written export."""
    path = Path(path)
    aside = path.with_name(path.name + ".plain-wipe")
    if aside.exists():
        if not path.exists():
            os.replace(aside, path)
        else:
            wipe(aside)
    _remove_partial(path.with_name(path.name + ".encrypting"))


def encrypt_plain_database(plain_path: Path, data_key: bytes) -> Path:
    """Turn the plain database at ``plain_path`` into an encrypted one at the same path.

    The plain database (closed by every other user) is exported into ``<name>.encrypting``, which
    must pass an integrity check and hold the same number of rows in every table; then the plain
    file is renamed aside, the encrypted one renamed into its place, and the plain copy (with its
    write-ahead log) overwritten with zeros and deleted. Nothing is written to ``backups/``.
    """
    plain_path = Path(plain_path)
    if not plain_path.exists():
        raise UserError(f"找不到数据库 {plain_path.name}")
    if is_encrypted(plain_path):
        raise UserError(f"数据库 {plain_path.name} 已经加密")
    staging = plain_path.with_name(plain_path.name + ".encrypting")
    aside = plain_path.with_name(plain_path.name + ".plain-wipe")
    _remove_partial(staging)
    try:
        with _closing(sqlcipher3.connect(str(plain_path))) as conn:
            # Everything in the write-ahead log goes into the file first (and the log is emptied).
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            expected = _export(conn, staging, data_key)
        _verify(staging, data_key, expected)
    except BaseException:
        _remove_partial(staging)
        raise
    os.replace(plain_path, aside)
    os.replace(staging, plain_path)
    for suffix in ("-wal", "-shm"):
        _overwrite_and_remove(Path(str(plain_path) + suffix))
    _overwrite_and_remove(aside)
    return plain_path


def backup_encrypted(source: Engine | Path, data_key: bytes, target: Path) -> Path:
    """Copy the encrypted database (an engine on it, or its path) into a new encrypted ``target``.

    Made with ``sqlcipher_export`` in a read transaction of its own (a consistent snapshot while
    the program keeps the database open), written to ``<target>.partial`` and checked, then renamed.
    """
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    _remove_partial(partial)
    if isinstance(source, Engine):
        raw = source.raw_connection()
        conn = raw.driver_connection
        close = raw.close
    else:
        conn = connect(Path(source), data_key)
        close = conn.close
    try:
        expected = _export(conn, partial, data_key)
        _verify(partial, data_key, expected)
        os.replace(partial, target)
    except BaseException:
        _remove_partial(partial)
        raise
    finally:
        close()
    return target
