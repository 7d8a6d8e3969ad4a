"""Backups, restore, rotation, the daily start-up backup and the pre-migration copy."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import func, select, text

from fanpin_desktop.context import open_app
from fanpin_desktop.db import Database, head_revision, schema_revision
from fanpin_desktop.errors import UserError, explain_os_error
from fanpin_desktop.models import Household, Village
from fanpin_desktop.paths import DataPaths
from fanpin_desktop.services import backup as backups
from fanpin_desktop.services import settings as settings_service


def add_village(db: Database, name: str, households: int = 0) -> None:
    with db.unit() as s:
        v = Village(name=name)
        s.add(v)
        s.flush()
        for i in range(households):
            s.add(Household(village_id=v.id, address=f"{name}{i}号"))


def village_names(db: Database) -> list[str]:
    with db.reading() as s:
        return sorted(s.scalars(select(Village.name)))


def household_count(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(Household))


def test_backup_file_name_and_content(db, data_paths):
    add_village(db, "桃园村", households=3)
    made = backups.backup(data_paths, "manual", now=dt.datetime(2024, 5, 6, 7, 8, 9))
    assert made.parent == data_paths.backups
    assert made.name == "fanpin-20240506-070809-manual.sqlite3"
    conn = sqlite3.connect(made)
    try:
        assert conn.execute("SELECT count(*) FROM households").fetchone()[0] == 3
        # a self-contained file: not left in WAL mode
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()
    listed = backups.list_backups(data_paths)
    assert [b.path for b in listed] == [made]
    assert listed[0].reason == "manual" and listed[0].label == "手动备份"


def test_two_backups_in_the_same_second_do_not_overwrite(db, data_paths):
    now = dt.datetime(2024, 1, 1, 12, 0, 0)
    a = backups.backup(data_paths, "manual", now=now)
    b = backups.backup(data_paths, "manual", now=now)
    assert a != b and a.exists() and b.exists()


def test_backup_restore_round_trip(db, data_paths):
    add_village(db, "桃园村", households=2)
    made = backups.backup(data_paths, "manual")
    add_village(db, "杏花村", households=5)
    assert household_count(db) == 7

    result = backups.restore(data_paths, made, db=db)

    # the same Database object works on the restored file
    assert village_names(db) == ["桃园村"]
    assert household_count(db) == 2
    assert result.restored_from == made.resolve()
    assert result.replaced_copy is not None and result.replaced_copy.name.startswith("replaced-")
    replaced = Database(result.replaced_copy)
    try:
        assert village_names(replaced) == ["杏花村", "桃园村"]
    finally:
        replaced.dispose()
    assert made.exists(), "the backup itself is left in place"
    assert not list(data_paths.root.glob(".restore-*")), "no staging files left behind"
    kinds = {b.label for b in backups.list_backups(data_paths)}
    assert "恢复前的数据库" in kinds


def _assert_untouched(db: Database, data_paths: DataPaths) -> None:
    assert village_names(db) == ["桃园村"]
    assert not [b for b in backups.list_backups(data_paths) if b.reason == "replaced"]
    assert not list(data_paths.root.glob(".restore-*"))


def _run_sql(path, *statements: str) -> None:
    """Change a database file behind the program's back."""
    conn = sqlite3.connect(path)
    try:
        for sql in statements:
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def _assert_restore_refused(db: Database, data_paths: DataPaths, file, match: str) -> None:
    with pytest.raises(UserError, match=match):
        backups.restore(data_paths, file, db=db)
    _assert_untouched(db, data_paths)


def test_restore_refuses_garbage(db, data_paths, tmp_path):
    add_village(db, "桃园村")
    bad = tmp_path / "garbage.sqlite3"
    bad.write_bytes(b"this is not a database at all \x00\x01\x02" * 200)
    _assert_restore_refused(db, data_paths, bad, "不是数据库文件|已损坏")


def test_restore_refuses_truncated_backup(db, data_paths, tmp_path):
    add_village(db, "桃园村", households=200)
    made = backups.backup(data_paths, "manual")
    data = made.read_bytes()
    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(data[: len(data) // 3])
    with pytest.raises(UserError, match="已损坏"):
        backups.restore(data_paths, truncated, db=db)
    assert household_count(db) == 200
    assert village_names(db) == ["桃园村"]


def test_restore_refuses_foreign_sqlite_file(db, data_paths, tmp_path):
    add_village(db, "桃园村")
    foreign = tmp_path / "other.sqlite3"
    _run_sql(
        foreign,
        "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)",
        "INSERT INTO contacts (name) VALUES ('张三')",
    )
    _assert_restore_refused(db, data_paths, foreign, "不是本程序")


def test_restore_refuses_backup_from_a_newer_program(db, data_paths, tmp_path):
    add_village(db, "桃园村")
    made = backups.backup(data_paths, "manual")
    _run_sql(made, "UPDATE alembic_version SET version_num = 'ffffffffffff'")
    _assert_restore_refused(db, data_paths, made, "更新版本")


def test_restore_refuses_file_without_schema_version(db, data_paths):
    add_village(db, "桃园村")
    made = backups.backup(data_paths, "manual")
    _run_sql(made, "DELETE FROM alembic_version")
    _assert_restore_refused(db, data_paths, made, "不是本程序")


def test_restore_migrates_the_file_before_it_goes_live(db, data_paths, monkeypatch):
    add_village(db, "桃园村")
    made = backups.backup(data_paths, "manual")
    add_village(db, "杏花村")
    migrated_paths = []
    real = backups.migrate

    def recording_migrate(staged, backup_before=None):
        migrated_paths.append(staged.path)
        assert staged.path != data_paths.database, "never migrate the live file in place"
        real(staged)
        return True

    monkeypatch.setattr(backups, "migrate", recording_migrate)
    result = backups.restore(data_paths, made, db=db)
    assert result.migrated and len(migrated_paths) == 1
    assert village_names(db) == ["桃园村"]


def test_rotation_keeps_newest_automatic_backups_only(db, data_paths):
    start = dt.datetime(2024, 3, 1, 8, 0, 0)
    for day in range(6):
        backups.backup(data_paths, backups.AUTO, now=start + dt.timedelta(days=day))
    manual = backups.backup(data_paths, "manual", now=start)
    removed = backups.rotate(data_paths, keep=3)
    assert len(removed) == 3
    left = backups.list_backups(data_paths)
    autos = [b.created.day for b in left if b.automatic]
    assert autos == [6, 5, 4]
    assert manual in [b.path for b in left]


def test_startup_backup_once_per_day_with_rotation(tmp_path):
    data_dir = tmp_path / "data"
    first = open_app(data_dir)  # creates the database: nothing worth backing up yet
    assert first.startup_backup is None
    with first.db.unit() as s:
        s.add(Village(name="桃园村"))
        settings_service.update(s, backup_keep=2)
    first.close()

    day1 = dt.datetime(2024, 6, 1, 9, 0, 0)
    ctx = open_app(data_dir, now=day1)
    assert ctx.startup_backup is not None and ctx.startup_backup.exists()
    assert ctx.settings().last_backup_at == "2024-06-01T09:00:00"
    ctx.close()

    ctx = open_app(data_dir, now=day1 + dt.timedelta(hours=5))  # same day: no second backup
    assert ctx.startup_backup is None
    ctx.close()

    for days in (1, 2, 3):
        ctx = open_app(data_dir, now=day1 + dt.timedelta(days=days, minutes=1))
        assert ctx.startup_backup is not None
        ctx.close()

    paths = DataPaths(data_dir.resolve())
    autos = [b for b in backups.list_backups(paths) if b.automatic]
    assert [b.created.date() for b in autos] == [dt.date(2024, 6, 4), dt.date(2024, 6, 3)]


def test_database_copied_aside_before_migration(tmp_path):
    data_dir = tmp_path / "data"
    ctx = open_app(data_dir)
    with ctx.db.unit() as s:
        s.add(Village(name="桃园村"))
    paths = ctx.paths
    head = head_revision(ctx.db.engine)
    # pretend the database was written by the previous program version
    with ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'oldrev'"))
    ctx.close()

    class Recorder:
        calls: list[str] = []

    import fanpin_desktop.context as context_module

    real_migrate = context_module.migrate

    def fake_migrate(db, backup_before=None):
        # the copy must exist before Alembic touches the schema
        copy = backup_before("迁移前-oldrev")
        Recorder.calls.append(copy.name)
        assert copy.exists()
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :h"), {"h": head})
        return True

    context_module.migrate = fake_migrate
    try:
        ctx = open_app(data_dir, auto_backup=False)
    finally:
        context_module.migrate = real_migrate
    assert ctx.migrated
    ctx.close()
    copies = [b for b in backups.list_backups(paths) if b.reason.startswith("迁移前")]
    assert len(copies) == 1 and copies[0].label == "升级前自动备份"
    conn = sqlite3.connect(copies[0].path)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "oldrev"
        assert conn.execute("SELECT name FROM villages").fetchall() == [("桃园村",)]
    finally:
        conn.close()


def test_real_migration_backs_up_existing_database(tmp_path):
    """With the real Alembic: a database one revision behind is copied aside, then upgraded."""
    data_dir = tmp_path / "data"
    ctx = open_app(data_dir)
    with ctx.db.unit() as s:
        s.add(Village(name="桃园村"))
    with ctx.db.engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    ctx.close()
    # Without alembic_version the schema looks "unmigrated" while user tables exist; migrating
    # would fail on existing tables, but the copy must already be there when it does.
    with pytest.raises(Exception):  # noqa: B017 - the failure itself is not what is tested
        open_app(data_dir, auto_backup=False)
    copies = [b for b in backups.list_backups(DataPaths(data_dir.resolve())) if b.reason.startswith("迁移前")]
    assert len(copies) == 1


def test_database_info_counts(db):
    add_village(db, "桃园村", households=4)
    info = backups.database_info(db)
    assert info.up_to_date and info.revision == schema_revision(db.engine)
    assert info.counts["villages"] == 1 and info.counts["households"] == 4


def test_environment_errors_become_user_errors():
    full = OSError(28, "No space left on device")
    assert "磁盘空间不足" in str(explain_os_error(full, "备份数据库"))
    locked = sqlite3.OperationalError("database is locked")
    assert "正被" in str(explain_os_error(locked, "恢复数据库"))
    assert explain_os_error(ValueError("x"), "备份数据库") is None


def test_backup_disk_full_is_a_user_error(db, data_paths, monkeypatch):
    def full(*_args, **_kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backups, "_copy_online", full)
    with pytest.raises(UserError, match="磁盘空间不足"):
        backups.backup(data_paths, "manual")


def test_demo_uses_its_own_data_dir_and_is_built_once(tmp_path, monkeypatch):
    monkeypatch.setenv("FANPIN_DATA_DIR", str(tmp_path / "real"))
    ctx = open_app(demo=True, demo_households=8)
    try:
        assert ctx.paths.root == (tmp_path / "real" / "demo").resolve()
        assert ctx.demo_summary is not None
        assert household_count(ctx.db) == 8
    finally:
        ctx.close()
    assert not (tmp_path / "real" / "fanpin.sqlite3").exists(), "real data dir untouched"
    again = open_app(demo=True, demo_households=50)
    try:
        assert again.demo_summary is None and household_count(again.db) == 8
    finally:
        again.close()


def test_demo_with_data_dir_override_uses_that_dir(tmp_path):
    ctx = open_app(tmp_path / "elsewhere", demo=True, demo_households=3)
    try:
        assert ctx.paths.root == (tmp_path / "elsewhere").resolve()
        assert household_count(ctx.db) == 3
    finally:
        ctx.close()


def test_failed_startup_backup_does_not_stop_the_program(tmp_path, monkeypatch):
    first = open_app(tmp_path / "data")
    first.close()

    def full(*_a, **_k):
        raise UserError("备份数据库失败：磁盘空间不足。")

    monkeypatch.setattr(backups, "backup", full)
    ctx = open_app(tmp_path / "data")
    try:
        assert ctx.startup_backup is None
        assert ctx.warnings and "磁盘空间不足" in ctx.warnings[0]
    finally:
        ctx.close()
