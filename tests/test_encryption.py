"""The encrypted data folder (issue 14): the first administrator encrypts the database and its
backups, passwords unlock it, the recovery code opens it when every password is forgotten."""

from __future__ import annotations

import re
import sqlite3

import pytest

from fanpin_desktop import cli
from fanpin_desktop.context import NeedsLogin, open_app
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import AuditEntry, Village
from fanpin_desktop.paths import DataPaths
from fanpin_desktop.security import cipher_db, keys, protection
from fanpin_desktop.security.protection import Credentials
from fanpin_desktop.services import accounts
from fanpin_desktop.services import backup as backups

HEADER = b"SQLite format 3\x00"
CODE = re.compile(r"^\s+([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})\s*$", re.M)


@pytest.fixture(autouse=True)
def fast_argon2(monkeypatch):
    """Key derivation at a test cost (the format and code paths are the same)."""
    monkeypatch.setattr(keys, "DEFAULT_PARAMS", {"time_cost": 1, "memory_cost": 8 * 1024, "parallelism": 1})


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    for name in ("FANPIN_USER", "FANPIN_PASSWORD", "FANPIN_RECOVERY_CODE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "data"


def run(capsys, *argv):
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _plain_readable(path) -> bool:
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def _village(data_dir, name="东坡村", key=None):
    ctx = open_app(data_dir, auto_backup=False, data_key=key)
    try:
        with ctx.db.unit() as s:
            s.add(Village(name=name, sort_order=1))
    finally:
        ctx.close()


def _first_admin(capsys, data_dir, monkeypatch, password="admin-pass-1") -> str:
    monkeypatch.setenv("FANPIN_PASSWORD", password)
    code, out, err = run(capsys, "--data-dir", str(data_dir), "users", "add", "站长", "--role", "管理员")
    assert code == 0, err
    monkeypatch.delenv("FANPIN_PASSWORD")
    found = CODE.findall(out)
    assert len(found) == 1, out  # printed once
    return found[0]


def _villages(capsys, data_dir, monkeypatch, *login) -> tuple[int, str, str]:
    return run(capsys, "--data-dir", str(data_dir), *login, "info")


def test_first_admin_encrypts_the_database_and_the_old_backups(capsys, data_dir, monkeypatch):
    _village(data_dir)
    paths = DataPaths(data_dir)
    old_backup = backups.backup(paths, backups.MANUAL)
    assert old_backup.read_bytes()[:16] == HEADER
    code = _first_admin(capsys, data_dir, monkeypatch)

    for path in (paths.database, old_backup):
        assert path.read_bytes()[:16] != HEADER
        assert not _plain_readable(path)
    # nothing plain left beside it: no copy in backups/ or the folder
    leftovers = [p for p in data_dir.rglob("*") if p.is_file() and p.read_bytes()[:16] == HEADER]
    assert leftovers == []
    assert keys.slot_names(protection.keyring(paths)) == sorted([keys.RECOVERY, "站长"])

    # a new backup is encrypted too, and the data is all there behind the password
    monkeypatch.setenv("FANPIN_PASSWORD", "admin-pass-1")
    rc, out, err = run(capsys, "--data-dir", str(data_dir), "--user", "站长", "backup")
    assert rc == 0, err
    made = backups.list_backups(paths)[0].path
    assert made.read_bytes()[:16] != HEADER and not _plain_readable(made)
    rc, out, err = run(capsys, "--data-dir", str(data_dir), "--user", "站长", "info")
    assert rc == 0 and "1 行政村" in out and "已加密" in out
    assert code


def test_opening_needs_a_password(capsys, data_dir, monkeypatch):
    _village(data_dir)
    _first_admin(capsys, data_dir, monkeypatch)
    with pytest.raises(NeedsLogin):
        open_app(data_dir, auto_backup=False)
    rc, _out, err = run(capsys, "--data-dir", str(data_dir), "info")
    assert rc == 1 and "--user" in err
    monkeypatch.setenv("FANPIN_PASSWORD", "wrong-password")
    rc, _out, err = run(capsys, "--data-dir", str(data_dir), "--user", "站长", "info")
    assert rc == 1 and "用户名或密码不正确" in err
    rc, _out, err = run(capsys, "--data-dir", str(data_dir), "--user", "无此人", "info")
    assert rc == 1 and "用户名或密码不正确" in err


def test_password_change_keeps_the_data_readable(capsys, data_dir, monkeypatch):
    _village(data_dir)
    _first_admin(capsys, data_dir, monkeypatch)
    before = protection.keyring(DataPaths(data_dir)).read_text()
    db_bytes = DataPaths(data_dir).database.read_bytes()
    monkeypatch.setenv("FANPIN_PASSWORD", "admin-pass-1")
    # the login and the new password both come from FANPIN_PASSWORD: change it between the two
    credentials = Credentials("站长", "admin-pass-1")
    key = protection.unlock(DataPaths(data_dir), credentials)
    ctx = open_app(data_dir, auto_backup=False, data_key=key)
    try:
        ctx.db.user, ctx.role = "站长", accounts.ADMIN
        protection.set_password(ctx, "站长", "new-pass-22")
    finally:
        ctx.close()
    assert protection.keyring(DataPaths(data_dir)).read_text() != before
    # the same data key: the database was not re-encrypted, only the slot re-wrapped
    assert protection.unlock(DataPaths(data_dir), Credentials("站长", "new-pass-22")) == key
    assert len(DataPaths(data_dir).database.read_bytes()) == len(db_bytes)
    rc, _out, err = run(capsys, "--data-dir", str(data_dir), "--user", "站长", "info")
    assert rc == 1 and "用户名或密码不正确" in err
    monkeypatch.setenv("FANPIN_PASSWORD", "new-pass-22")
    rc, out, err = run(capsys, "--data-dir", str(data_dir), "--user", "站长", "info")
    assert rc == 0 and "1 行政村" in out, err


def test_recovery_code_opens_after_every_password_is_forgotten(capsys, data_dir, monkeypatch):
    _village(data_dir)
    code = _first_admin(capsys, data_dir, monkeypatch)
    monkeypatch.setenv("FANPIN_PASSWORD", "admin-pass-1")
    rc, _out, err = run(
        capsys, "--data-dir", str(data_dir), "--user", "站长", "users", "add", "小王", "--role", "录入员"
    )
    assert rc == 0, err
    monkeypatch.delenv("FANPIN_PASSWORD")
    # both passwords forgotten: a wrong recovery code is refused, the right one opens
    monkeypatch.setenv("FANPIN_RECOVERY_CODE", "0000-0000-0000-0000-0000-0000")
    rc, _out, err = run(capsys, "--data-dir", str(data_dir), "info")
    assert rc == 1 and "恢复码不正确" in err
    monkeypatch.setenv("FANPIN_RECOVERY_CODE", code.lower().replace("-", " "))  # as typed
    monkeypatch.setenv("FANPIN_PASSWORD", "brand-new-pass")
    rc, out, err = run(capsys, "--data-dir", str(data_dir), "users", "passwd", "站长")
    assert rc == 0, err
    monkeypatch.delenv("FANPIN_RECOVERY_CODE")
    rc, out, err = run(capsys, "--data-dir", str(data_dir), "--user", "站长", "info")
    assert rc == 0 and "1 行政村" in out, err
    ctx = open_app(
        data_dir,
        auto_backup=False,
        data_key=protection.unlock(DataPaths(data_dir), Credentials("站长", "brand-new-pass")),
    )
    try:
        with ctx.db.reading() as s:
            users = {e.user for e in s.query(AuditEntry).filter_by(table_name="accounts", field="password")}
    finally:
        ctx.close()
    assert users == {protection.RECOVERY_USER}


def test_disabled_account_no_longer_opens_the_file(capsys, data_dir, monkeypatch):
    _first_admin(capsys, data_dir, monkeypatch)
    monkeypatch.setenv("FANPIN_PASSWORD", "admin-pass-1")
    login = ("--data-dir", str(data_dir), "--user", "站长")
    assert run(capsys, *login, "users", "add", "小李", "--role", "查看")[0] == 0
    assert "小李" in keys.slot_names(protection.keyring(DataPaths(data_dir)))
    assert run(capsys, *login, "users", "disable", "小李")[0] == 0
    assert "小李" not in keys.slot_names(protection.keyring(DataPaths(data_dir)))
    with pytest.raises(UserError, match="用户名或密码不正确"):
        protection.unlock(DataPaths(data_dir), Credentials("小李", "admin-pass-1"))


def test_restore_in_an_encrypted_folder(capsys, data_dir, monkeypatch, tmp_path):
    _village(data_dir)
    paths = DataPaths(data_dir)
    plain_copy = tmp_path / "plain-before.sqlite3"
    plain_backup = backups.backup(paths, backups.MANUAL)
    plain_copy.write_bytes(plain_backup.read_bytes())  # a plain backup kept elsewhere (a USB stick)
    _first_admin(capsys, data_dir, monkeypatch)
    monkeypatch.setenv("FANPIN_PASSWORD", "admin-pass-1")
    login = ("--data-dir", str(data_dir), "--user", "站长")
    assert run(capsys, *login, "backup")[0] == 0
    encrypted_backup = backups.list_backups(paths)[0].path
    key = protection.unlock(paths, Credentials("站长", "admin-pass-1"))
    _village(data_dir, "西岭村", key=key)

    rc, out, err = run(capsys, *login, "restore", str(encrypted_backup))
    assert rc == 0, err
    assert paths.database.read_bytes()[:16] != HEADER
    rc, out, err = run(capsys, *login, "info")
    assert "1 行政村" in out, err
    replaced = [b.path for b in backups.list_backups(paths) if b.reason == "replaced"]
    assert replaced and all(not _plain_readable(p) for p in replaced)

    # a plain backup goes live encrypted
    rc, out, err = run(capsys, *login, "restore", str(plain_copy))
    assert rc == 0, err
    assert paths.database.read_bytes()[:16] != HEADER and not _plain_readable(paths.database)
    assert run(capsys, *login, "info")[1].count("1 行政村") == 1


def test_encrypted_backup_refused_in_a_plain_folder(data_dir, tmp_path, capsys, monkeypatch):
    _village(data_dir)
    _first_admin(capsys, data_dir, monkeypatch)
    monkeypatch.setenv("FANPIN_PASSWORD", "admin-pass-1")
    assert run(capsys, "--data-dir", str(data_dir), "--user", "站长", "backup")[0] == 0
    encrypted_backup = backups.list_backups(DataPaths(data_dir))[0].path
    other = tmp_path / "other"
    _village(other)
    before = DataPaths(other).database.read_bytes()
    rc, _out, err = run(capsys, "--data-dir", str(other), "restore", str(encrypted_backup))
    assert rc == 1 and "加密的备份" in err
    assert DataPaths(other).database.read_bytes() == before


def test_accounts_made_before_encryption_are_upgraded(capsys, data_dir, monkeypatch):
    """A plain database with accounts (made before encryption existed): the administrator's
    first writing command converts it and prints the recovery code."""
    _village(data_dir)
    ctx = open_app(data_dir, auto_backup=False)
    try:
        with ctx.db.unit() as s:
            accounts.add_account(s, "老管理", accounts.ADMIN, "old-admin-pass")
    finally:
        ctx.close()
    assert DataPaths(data_dir).database.read_bytes()[:16] == HEADER
    monkeypatch.setenv("FANPIN_PASSWORD", "old-admin-pass")
    rc, out, err = run(capsys, "--data-dir", str(data_dir), "--user", "老管理", "migrate")
    assert rc == 0, err
    assert len(CODE.findall(out)) == 1
    assert not _plain_readable(DataPaths(data_dir).database)
    rc, out, err = run(capsys, "--data-dir", str(data_dir), "--user", "老管理", "info")
    assert rc == 0 and "已加密" in out


def test_demo_stays_plain(tmp_path):
    ctx = open_app(tmp_path / "demo", demo=True, demo_households=12, auto_backup=False)
    try:
        with pytest.raises(UserError, match="演示乡镇"):
            protection.enable(ctx, "管理员", "admin-pass-1")
        assert protection.status_note(ctx) == protection.DEMO_NOTE
    finally:
        ctx.close()
    assert not protection.is_protected(DataPaths(tmp_path / "demo"))
    assert (tmp_path / "demo" / "fanpin.sqlite3").read_bytes()[:16] == HEADER


def test_enable_refuses_a_bad_password_and_changes_nothing(data_dir):
    _village(data_dir)
    before = DataPaths(data_dir).database.read_bytes()
    ctx = open_app(data_dir, auto_backup=False)
    try:
        with pytest.raises(UserError, match="至少需要"):
            protection.enable(ctx, "管理员", "short")
    finally:
        ctx.close()
    assert not protection.is_protected(DataPaths(data_dir))
    assert DataPaths(data_dir).database.read_bytes()[:16] == HEADER
    assert cipher_db.is_encrypted(DataPaths(data_dir).database) is False
    assert len(before) > 0


def test_set_up_killed_half_way_is_finished_at_the_next_login(capsys, data_dir, monkeypatch):
    """Killed after the keyring was written but before the conversion and the administrator's row:
    the next login with that password converts the file and writes the row; nothing plain stays."""
    _village(data_dir)
    paths = DataPaths(data_dir)
    ring = protection.keyring(paths)
    key = keys.create_keyring(ring, keys.new_recovery_code())
    keys.add_slot(ring, "站长", "admin-pass-1", key)
    aside = paths.database.with_name(paths.database.name + ".plain-wipe")
    aside.write_bytes(paths.database.read_bytes())  # as if killed between the two renames
    monkeypatch.setenv("FANPIN_PASSWORD", "admin-pass-1")
    rc, out, err = run(capsys, "--data-dir", str(data_dir), "--user", "站长", "migrate")
    assert rc == 0, err
    assert not aside.exists() and not _plain_readable(paths.database)
    rc, out, err = run(capsys, "--data-dir", str(data_dir), "--user", "站长", "users", "list")
    assert rc == 0 and "站长  管理员" in out, err
