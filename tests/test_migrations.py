"""Alembic migrations: an empty file gets the whole schema; old databases are copied aside first."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from fanpin_desktop.db import (
    Database,
    alembic_config,
    has_user_tables,
    head_revision,
    migrate,
    schema_revision,
)
from fanpin_desktop.models import Base


class BackupSpy:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.reasons: list[str] = []

    def __call__(self, reason: str) -> Path:
        self.reasons.append(reason)
        return self.folder / f"backup-{len(self.reasons)}.sqlite3"


def test_migrate_creates_all_tables_and_stamps_head(tmp_path):
    db = Database(tmp_path / "new.sqlite3", user="测试")
    spy = BackupSpy(tmp_path)
    try:
        assert not has_user_tables(db.engine)
        assert migrate(db, backup_before=spy) is True
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert "alembic_version" in tables
        assert schema_revision(db.engine) == head_revision(db.engine)
        assert head_revision(db.engine) is not None
        assert spy.reasons == []  # nothing to protect in an empty file
    finally:
        db.dispose()


def test_migrating_again_is_a_no_op(tmp_path):
    db = Database(tmp_path / "again.sqlite3", user="测试")
    spy = BackupSpy(tmp_path)
    try:
        migrate(db)
        assert migrate(db, backup_before=spy) is False
        assert spy.reasons == []
        assert schema_revision(db.engine) == head_revision(db.engine)
    finally:
        db.dispose()


def test_columns_match_the_models(tmp_path):
    """The migration and the mapped classes describe the same columns."""
    db = Database(tmp_path / "cols.sqlite3", user="测试")
    try:
        migrate(db)
        insp = inspect(db.engine)
        for name, table in Base.metadata.tables.items():
            in_db = {c["name"] for c in insp.get_columns(name)}
            assert {c.name for c in table.columns} == in_db, name
    finally:
        db.dispose()


def test_backup_is_taken_before_migrating_an_older_database(tmp_path):
    db = Database(tmp_path / "old.sqlite3", user="测试")
    spy = BackupSpy(tmp_path)
    try:
        migrate(db)
        command.downgrade(alembic_config(db.engine), "base")  # simulate a file from an older version
        assert schema_revision(db.engine) is None
        assert has_user_tables(db.engine)  # alembic_version is still there
        assert migrate(db, backup_before=spy) is True
        assert spy.reasons == ["迁移前-none"]
        assert schema_revision(db.engine) == head_revision(db.engine)
        assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())
    finally:
        db.dispose()


def test_upgrading_a_filled_database_keeps_rows_and_references(tmp_path):
    """0001 → head rebuilds the members table (0002); rows that refer to members keep their
    references (foreign keys are off while batch mode copies the table, then checked)."""
    import datetime as dt

    import pytest
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from fanpin_desktop.domain.ids import make_id
    from fanpin_desktop.models import Household, Measure, Member, Village

    db = Database(tmp_path / "filled.sqlite3", user="测试")
    try:
        command.upgrade(alembic_config(db.engine), "0001")
        number = make_id("341523", dt.date(1970, 5, 6), 11, False)
        with db.unit() as s:
            village = Village(name="红星村", sort_order=1)
            s.add(village)
            s.flush()
            # Core inserts: the ORM classes have columns later revisions add
            hh_id = s.execute(
                Household.__table__.insert().values(
                    village_id=village.id, code="H001", household_type="一般农户"
                )
            ).inserted_primary_key[0]
            head = Member(household_id=hh_id, name="张大山", relation="户主", id_number=number)
            s.add(head)
            s.flush()
            s.execute(
                Measure.__table__.insert().values(
                    household_id=hh_id,
                    member_id=head.id,
                    category="产业帮扶",
                    content="养殖",
                    is_development=False,
                )
            )
        assert migrate(db) is True
        assert schema_revision(db.engine) == head_revision(db.engine)
        with db.reading() as s:
            member = s.scalars(select(Member)).one()
            assert (member.name, member.id_number) == ("张大山", number)
            assert s.scalars(select(Measure)).one().member_id == member.id
            hid = member.household_id
        assert "uq_members_id_number" in {i["name"] for i in inspect(db.engine).get_indexes("members")}
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with pytest.raises(IntegrityError), db.unit() as s:
            s.add(Member(household_id=hid, name="重复", relation="之子", id_number=number))
    finally:
        db.dispose()
