"""Encryption at rest (security/keys.py, security/cipher_db.py): the SQLCipher database and the
password- and recovery-code-wrapped key slots that open it."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from sqlalchemy import func, select

from fanpin_desktop.db import Database, migrate
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import AuditEntry, Household, Member, Village
from fanpin_desktop.security import keys
from fanpin_desktop.security.cipher_db import (
    SQLITE_HEADER,
    backup_encrypted,
    encrypt_plain_database,
    encrypted_engine,
    is_encrypted,
)

# Cheap argon2 parameters keep the tests fast; the format and code paths are the real ones.
FAST = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
ID_A = "341522198506151238"
ID_B = "341522198506151254"


def _add_household(db: Database, name: str = "张三", village: str = "王楼村", id_number: str = ID_A) -> int:
    with db.unit() as s:
        v = Village(name=village)
        s.add(v)
        s.flush()
        h = Household(village_id=v.id, household_type="一般农户", phone="13912345678")
        s.add(h)
        s.flush()
        s.add(
            Member(
                household_id=h.id,
                name=name,
                relation="户主",
                sex="男",
                id_number=id_number,
                birth_date=dt.date(1985, 6, 15),
            )
        )
        return h.id


def _counts(db: Database) -> tuple[int, int, int]:
    with db.reading() as s:
        return (
            s.scalar(select(func.count(Household.id))),
            s.scalar(select(func.count(Member.id))),
            s.scalar(select(func.count(AuditEntry.id))),
        )


def _open_encrypted(path, key) -> Database:
    return Database(path, user="测试", engine=encrypted_engine(path, key))


def _plain_sqlite_refuses(path) -> None:
    conn = sqlite3.connect(str(path))
    try:
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()


@pytest.fixture
def key() -> bytes:
    return bytes(range(32))


# --------------------------------------------------------------------------- the database


def test_migrations_and_a_unit_of_work_on_an_encrypted_database(tmp_path, key):
    path = tmp_path / "fanpin.sqlite3"
    db = _open_encrypted(path, key)
    try:
        assert migrate(db) is True
        hid = _add_household(db)
        assert _counts(db) == (1, 1, 3)  # the audit trail is written in the same unit
        with db.bulk_unit() as s:  # the roster import's connection (and its background checkpoint)
            s.get(Household, hid).phone = "13800000000"
        db.wait_for_checkpoint()
    finally:
        db.dispose()

    assert is_encrypted(path)
    with open(path, "rb") as f:
        assert not f.read(64).startswith(SQLITE_HEADER)
    assert "张三".encode() not in path.read_bytes()
    _plain_sqlite_refuses(path)

    again = _open_encrypted(path, key)
    try:
        assert migrate(again) is False  # already at the newest revision
        with again.reading() as s:
            assert s.get(Household, hid).phone == "13800000000"
    finally:
        again.dispose()


def test_a_wrong_key_does_not_open_the_database(tmp_path, key):
    path = tmp_path / "fanpin.sqlite3"
    db = _open_encrypted(path, key)
    migrate(db)
    db.dispose()
    from fanpin_desktop.security.cipher_db import connect

    with pytest.raises(UserError, match="无法用此密钥打开"):
        connect(path, bytes(32))
    connect(path, key).close()


def test_converting_a_plain_database_keeps_its_rows_and_leaves_no_plain_file(data_paths, key):
    plain = Database(data_paths.database, user="测试")
    migrate(plain)
    _add_household(plain, "李四")
    _add_household(plain, "王五", "双河村", ID_B)
    before = _counts(plain)
    plain.dispose()
    assert not is_encrypted(data_paths.database)

    result = encrypt_plain_database(data_paths.database, key)

    assert result == data_paths.database
    assert is_encrypted(data_paths.database)
    _plain_sqlite_refuses(data_paths.database)
    files = sorted(
        p.relative_to(data_paths.root).as_posix() for p in data_paths.root.rglob("*") if p.is_file()
    )
    assert files == [data_paths.database.name]  # no plain copy, no log, nothing in backups/
    assert "李四".encode() not in data_paths.database.read_bytes()

    db = _open_encrypted(data_paths.database, key)
    try:
        assert _counts(db) == before
        assert migrate(db) is False  # the alembic revision came across
        with db.reading() as s:
            names = sorted(s.scalars(select(Member.name)))
        assert names == ["李四", "王五"]
    finally:
        db.dispose()

    with pytest.raises(UserError, match="已经加密"):
        encrypt_plain_database(data_paths.database, key)


def test_an_encrypted_backup_opens_with_the_same_key_only(tmp_path, key):
    path = tmp_path / "fanpin.sqlite3"
    db = _open_encrypted(path, key)
    try:
        migrate(db)
        _add_household(db)
        target = backup_encrypted(db.engine, key, tmp_path / "copy.sqlite3")  # while open
    finally:
        db.dispose()
    assert is_encrypted(target)
    _plain_sqlite_refuses(target)
    assert not (tmp_path / "copy.sqlite3.partial").exists()
    copy = _open_encrypted(target, key)
    try:
        assert _counts(copy) == (1, 1, 3)
    finally:
        copy.dispose()
    # and from a path
    second = backup_encrypted(path, key, tmp_path / "copy2.sqlite3")
    copy = _open_encrypted(second, key)
    try:
        assert _counts(copy) == (1, 1, 3)
    finally:
        copy.dispose()


# --------------------------------------------------------------------------- the key slots


def test_recovery_codes_are_grouped_and_forgiving():
    code = keys.new_recovery_code()
    groups = code.split("-")
    assert [len(g) for g in groups] == [4] * 6
    assert not set(code.replace("-", "")) & set("ILOU")
    assert keys.new_recovery_code() != code
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert keys.normalize_recovery_code(typed) == code.replace("-", "")
    with pytest.raises(UserError, match="恢复码应为"):
        keys.normalize_recovery_code(code[:-1])


def test_the_keyring_holds_no_secret_in_clear(tmp_path):
    path = tmp_path / keys.KEYRING_NAME
    code = keys.new_recovery_code()
    data_key = keys.create_keyring(path, code, params=FAST)
    keys.add_slot(path, "张会计", "春眠不觉晓123", data_key)
    text = path.read_text(encoding="utf-8")
    for secret in (data_key.hex(), code, code.replace("-", ""), "春眠不觉晓123"):
        assert secret not in text
    import base64

    assert base64.b64encode(data_key).decode() not in text
    data = json.loads(text)
    assert sorted(data["slots"]) == ["recovery", "张会计"]
    assert {"salt", "nonce", "wrapped", "time_cost", "memory_cost", "parallelism"} <= set(
        data["slots"]["张会计"]
    )
    with pytest.raises(UserError, match="已存在"):
        keys.create_keyring(path, keys.new_recovery_code(), params=FAST)


def test_password_change_keeps_the_data_readable(tmp_path):
    ring = tmp_path / keys.KEYRING_NAME
    data_key = keys.create_keyring(ring, keys.new_recovery_code(), params=FAST)
    keys.add_slot(ring, "clerk", "old-password", data_key)
    db_path = tmp_path / "fanpin.sqlite3"
    db = _open_encrypted(db_path, keys.unlock(ring, "clerk", "old-password"))
    migrate(db)
    _add_household(db)
    db.dispose()
    db_bytes = db_path.read_bytes()

    keys.change_secret(ring, "clerk", "old-password", "new-password")

    assert db_path.read_bytes() == db_bytes  # only the slot was re-wrapped
    new_key = keys.unlock(ring, "clerk", "new-password")
    assert new_key == data_key
    with pytest.raises(UserError, match="^用户名或密码不正确。$"):
        keys.unlock(ring, "clerk", "old-password")
    with pytest.raises(UserError, match="^用户名或密码不正确。$"):
        keys.change_secret(ring, "clerk", "old-password", "x")
    db = _open_encrypted(db_path, new_key)
    try:
        assert _counts(db) == (1, 1, 3)
    finally:
        db.dispose()


def test_the_recovery_code_unlocks_after_the_password_slot_is_gone(tmp_path):
    ring = tmp_path / keys.KEYRING_NAME
    code = keys.new_recovery_code()
    data_key = keys.create_keyring(ring, code, params=FAST)
    keys.add_slot(ring, "clerk", "forgotten", data_key)
    db_path = tmp_path / "fanpin.sqlite3"
    db = _open_encrypted(db_path, data_key)
    migrate(db)
    _add_household(db)
    db.dispose()

    keys.remove_slot(ring, "clerk")
    with pytest.raises(UserError, match="没有设置密码"):
        keys.unlock(ring, "clerk", "forgotten")
    with pytest.raises(UserError, match="恢复码不正确"):
        keys.unlock(ring, keys.RECOVERY, keys.new_recovery_code())
    with pytest.raises(UserError, match="不能删除"):
        keys.remove_slot(ring, keys.RECOVERY)

    recovered = keys.unlock(ring, keys.RECOVERY, code.lower())
    assert recovered == data_key
    keys.reset_secret(ring, "clerk", "a-new-one", recovered)  # the clerk sets a new password
    assert keys.unlock(ring, "clerk", "a-new-one") == data_key
    db = _open_encrypted(db_path, recovered)
    try:
        assert _counts(db) == (1, 1, 3)
    finally:
        db.dispose()


def test_slots_cannot_be_swapped_or_added_with_another_key(tmp_path):
    ring = tmp_path / keys.KEYRING_NAME
    data_key = keys.create_keyring(ring, keys.new_recovery_code(), params=FAST)
    keys.add_slot(ring, "a", "pw-a", data_key)
    keys.add_slot(ring, "b", "pw-b", data_key)
    with pytest.raises(UserError, match="已设置密码"):
        keys.add_slot(ring, "a", "other", data_key)
    with pytest.raises(ValueError):
        keys.add_slot(ring, "c", "pw-c", bytes(32))
    with pytest.raises(UserError, match="密码不能为空"):
        keys.add_slot(ring, "c", "", data_key)
    # Slot b's content under the name a: the associated data (the slot name) no longer matches.
    data = json.loads(ring.read_text(encoding="utf-8"))
    data["slots"]["a"] = data["slots"]["b"]
    ring.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UserError, match="^用户名或密码不正确。$"):
        keys.unlock(ring, "a", "pw-b")
    assert keys.unlock(ring, "b", "pw-b") == data_key


def test_a_missing_keyring_is_a_clear_message(tmp_path):
    with pytest.raises(UserError, match="找不到密钥文件"):
        keys.unlock(tmp_path / keys.KEYRING_NAME, "clerk", "x")


def test_default_argon2_parameters_are_the_strong_ones():
    assert keys.DEFAULT_PARAMS["memory_cost"] >= 64 * 1024
    assert keys.DEFAULT_PARAMS["time_cost"] >= 3
