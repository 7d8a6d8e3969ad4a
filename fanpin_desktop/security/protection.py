"""The encrypted data folder, wired together: unlocking, turning protection on, and accounts' key slots.

A data folder is *protected* once its keyring (``fanpin.keys.json``) exists: the database (and every
backup) is then encrypted with the keyring's data key, and opening it needs an account's password
or the recovery code. Protection is turned on together with the first administrator account
(``enable``): the keyring is made with a fresh recovery code, the administrator's slot is added, the
plain database is converted in place (its plain bytes overwritten and removed) and so are the plain
backups in ``backups/``. The demo township is never protected.

Accounts keep two things in step: the argon2 password hash in the ``accounts`` table (login, role,
disabled) and the account's key slot in the keyring (opening the file). ``set_password`` and
``disable_account`` change both; the slot is written first, then the table, so a failure between the
two leaves the old password working for the file and the table alike or the new one for the file
only (the table's check then refuses, and the administrator sets it again).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fanpin_desktop.errors import UserError
from fanpin_desktop.paths import DataPaths
from fanpin_desktop.security import cipher_db, keys
from fanpin_desktop.services import accounts

log = logging.getLogger(__name__)

#: the name in the audit trail of whoever opened the database with the recovery code
RECOVERY_USER = "恢复码"
DEMO_REFUSED = "演示乡镇的数据是虚构的，不加密，也不设账户；真实数据请用单独的数据目录。"
NOT_ENCRYPTED_NOTE = "数据库未加密：请在 系统设置 → 账户 中创建管理员账户，数据库将随之加密。"
DEMO_NOTE = "演示乡镇：数据为虚构，数据库不加密。"


@dataclass(frozen=True)
class Credentials:
    """Who opens a protected folder: an account and its password, or the recovery code."""

    name: str  # an account's name, or keys.RECOVERY
    secret: str

    @property
    def recovery(self) -> bool:
        return self.name == keys.RECOVERY

    @classmethod
    def recovery_code(cls, code: str) -> Credentials:
        return cls(keys.RECOVERY, code)


def keyring(paths: DataPaths) -> Path:
    return keys.keyring_path(paths.root)


def is_protected(paths: DataPaths) -> bool:
    """Whether opening this folder's database needs a password: its keyring exists. (An encrypted
    file whose keyring was lost opens as a plain one and is refused as damaged, with a hint.)"""
    return keyring(paths).exists()


def unlock(paths: DataPaths, credentials: Credentials) -> bytes:
    """The data key, from the credentials' slot (argon2: a fraction of a second)."""
    ring = keyring(paths)
    if not ring.exists():
        raise UserError(f"数据目录中没有密钥文件 {keys.KEYRING_NAME}：数据库没有加密，不需要密码。")
    if not credentials.recovery and credentials.name.strip() not in keys.slot_names(ring):
        # Same words as a wrong password: the login does not tell which account names exist.
        _slow_refusal()
    return keys.unlock(ring, credentials.name.strip(), credentials.secret)


def _slow_refusal() -> None:
    """Refuse an unknown name at the same cost as a wrong password."""
    keys.derive_dummy()
    raise UserError(accounts.WRONG_CREDENTIALS)


def is_demo_database(session: Any) -> bool:
    """A database filled by the demo builder (its audit trail says so)."""
    from fanpin_desktop.demo.data import DEMO_MARK
    from fanpin_desktop.models import AuditEntry

    found = session.scalar(select(AuditEntry.id).where(AuditEntry.summary.like(f"{DEMO_MARK}%")).limit(1))
    return found is not None


# --------------------------------------------------------------------------- turning protection on


def enable(ctx: Any, name: str, password: str, progress: Any = None) -> str:
    """The first administrator, and the folder encrypted: returns the recovery code (shown once).

    ``ctx`` is the open ``AppContext`` (its ``Database`` keeps working afterwards, on the encrypted
    file). On a database that already has accounts (made before encryption existed), ``name`` must be
    an administrator there and ``password`` its password; other accounts get their key slots when an
    administrator sets their passwords. Refused (nothing changed): the demo, a read-only window, a
    folder already protected, a bad name or password.
    """
    paths = ctx.paths
    if ctx.demo:
        raise UserError(DEMO_REFUSED)
    if ctx.read_only:
        raise UserError("只读方式打开时不能设置账户。")
    if is_protected(paths):
        raise UserError("本数据目录已经加密并设置了管理员账户。")
    with ctx.db.reading() as s:
        if is_demo_database(s):
            raise UserError(DEMO_REFUSED)
        existing = accounts.has_accounts(s)
    if existing:
        with ctx.db.unit() as s:
            info = accounts.authenticate(s, name, password)
        if info.role != accounts.ADMIN:
            raise UserError("只有管理员账户才能为数据库加密。")
        name = info.name
    else:
        accounts.check_new_account(name, accounts.ADMIN, password)
        name = name.strip()

    code = keys.new_recovery_code()
    ring = keyring(paths)
    data_key = keys.create_keyring(ring, code)
    try:
        keys.add_slot(ring, name, password, data_key)
        _encrypt_in_place(ctx, data_key, progress)
    except BaseException:
        if not cipher_db.is_encrypted(paths.database):
            ring.unlink(missing_ok=True)  # the database is still plain: no keyring without it
        raise
    if not existing:
        with ctx.db.unit() as s:
            accounts.add_account(s, name, accounts.ADMIN, password)
    ctx.db.user, ctx.role = name, accounts.ADMIN
    log.info("data folder encrypted; first administrator created")
    return code


def finish_first_admin(ctx: Any, credentials: Credentials) -> None:
    """A set-up killed after the conversion but before the administrator's row was written: the
    slot that just unlocked the file is the administrator's, so the row is made now."""
    if credentials.recovery or ctx.read_only:
        return
    with ctx.db.reading() as s:
        if accounts.has_accounts(s):
            return
    with ctx.db.unit() as s:
        accounts.add_account(s, credentials.name, accounts.ADMIN, credentials.secret)
    log.warning("finished an interrupted set-up: the first administrator's account row was written")


def _encrypt_in_place(ctx: Any, data_key: bytes, progress: Any) -> None:
    """Convert the live database and every plain backup; the open ``Database`` is re-pointed."""
    paths = ctx.paths
    ctx.db.dispose()
    try:
        cipher_db.encrypt_plain_database(paths.database, data_key)
    finally:
        # Plain (conversion failed) or encrypted: the same object goes on working either way.
        if cipher_db.is_encrypted(paths.database):
            ctx.db.use_engine(cipher_db.encrypted_engine(paths.database, data_key), key=data_key)
        else:
            ctx.db.use_engine(None)
    encrypt_plain_backups(paths, data_key, progress)


def encrypt_plain_backups(paths: DataPaths, data_key: bytes, progress: Any = None) -> list[Path]:
    """Every plain backup in ``backups/`` encrypted in place (plain copies overwritten and removed).
    A damaged plain backup cannot be converted; it is overwritten and removed all the same, since
    a plain copy of the people's data must not stay beside an encrypted database."""
    from fanpin_desktop.services import backup as backups

    done: list[Path] = []
    plain = [b.path for b in backups.list_backups(paths) if not cipher_db.is_encrypted(b.path)]
    for n, path in enumerate(plain, 1):
        if progress is not None:
            progress(n, len(plain), f"正在加密备份 {path.name}")
        try:
            cipher_db.encrypt_plain_database(path, data_key)
            done.append(path)
        except Exception:  # noqa: BLE001 - a broken copy is removed rather than left in plain
            log.warning("plain backup %s could not be encrypted; removed", path.name, exc_info=True)
            cipher_db.wipe(path)
    return done


# --------------------------------------------------------------------------- accounts and slots


def add_account(ctx: Any, name: str, role: str, password: str) -> accounts.AccountInfo:
    """A new account; in a protected folder also its key slot (the data key is in hand)."""
    accounts.check_new_account(name, role, password)
    key = ctx.db.key
    if key is not None:
        ring = keyring(ctx.paths)
        with contextlib.suppress(UserError):
            keys.remove_slot(ring, name.strip())  # a slot left by a disabled or removed account
        keys.add_slot(ring, name.strip(), password, key)
    with ctx.db.unit() as s:
        return accounts.add_account(s, name, role, password)


def set_password(ctx: Any, name: str, password: str) -> None:
    """A new password for ``name`` (its own, or set by an administrator or with the recovery code):
    the table's hash and, in a protected folder, the key slot — the database is not rewritten."""
    accounts.check_password(password)
    with ctx.db.reading() as s:
        target = accounts.get_info(s, name)
    key = ctx.db.key
    if key is not None:
        keys.reset_secret(keyring(ctx.paths), target.name, password, key)
    with ctx.db.unit() as s:
        accounts.change_password(s, target.name, password)


def disable_account(ctx: Any, name: str) -> None:
    """Disabled in the table and its key slot removed: its password no longer opens the file."""
    with ctx.db.unit() as s:
        accounts.disable(s, name)
    if ctx.db.key is not None:
        with contextlib.suppress(UserError):
            keys.remove_slot(keyring(ctx.paths), name.strip())


def new_recovery_code(ctx: Any) -> str:
    """Replace the recovery code (the old one stops working); returns the new one, shown once."""
    key = ctx.db.key
    if key is None:
        raise UserError("数据库未加密，没有恢复码。")
    code = keys.new_recovery_code()
    keys.reset_secret(keyring(ctx.paths), keys.RECOVERY, code, key)
    return code


def status_note(ctx: Any) -> str | None:
    """One line for the status bar about protection, or None when all is well."""
    if ctx.demo:
        return DEMO_NOTE
    if ctx.db.key is None:
        return NOT_ENCRYPTED_NOTE
    return None


def self_test(folder: Path) -> str:
    """The installed program carries SQLCipher, argon2 and AES-GCM (the frozen build's smoke test):
    a keyring, a plain database encrypted in place, read back through the SQLAlchemy dialect."""
    import sqlite3

    from sqlalchemy import text

    folder.mkdir(parents=True)
    code = keys.new_recovery_code()
    ring = keys.keyring_path(folder)
    key = keys.create_keyring(ring, code, {"time_cost": 1, "memory_cost": 8 * 1024, "parallelism": 1})
    database = folder / "cipher.sqlite3"
    conn = sqlite3.connect(database)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES ('加密')")
    conn.commit()
    conn.close()
    cipher_db.encrypt_plain_database(database, keys.unlock(ring, keys.RECOVERY, code))
    engine = cipher_db.encrypted_engine(database, key)
    try:
        with engine.connect() as c:
            value = c.execute(text("SELECT x FROM t")).scalar_one()
    finally:
        engine.dispose()
    if value != "加密" or not cipher_db.is_encrypted(database):
        raise RuntimeError("the encrypted database did not round-trip")
    return "encryption ok"
