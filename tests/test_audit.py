"""The central audit trail (db.py mapper events): who changed which field from what to what."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from fanpin_desktop.models import AuditEntry, Household, Member, Village

ID_A = "341522198506151238"


def _household(db) -> tuple[int, int]:
    with db.unit() as s:
        v = Village(name="王楼村")
        s.add(v)
        s.flush()
        h = Household(village_id=v.id, household_type="一般农户", phone="13912345678")
        s.add(h)
        s.flush()
        m = Member(
            household_id=h.id,
            name="张三",
            relation="户主",
            sex="男",
            id_number=ID_A,
            birth_date=dt.date(1985, 6, 15),
            ins_resident_medical=True,
        )
        s.add(m)
        s.flush()
        return h.id, m.id


def _entries(db, table: str, record_id: int) -> list[SimpleNamespace]:
    """Plain copies: a reading unit rolls back at the end, which expires ORM objects."""
    with db.reading() as s:
        rows = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.table_name == table, AuditEntry.record_id == record_id)
            .order_by(AuditEntry.id)
        )
        return [
            SimpleNamespace(**{c.key: getattr(e, c.key) for c in AuditEntry.__table__.columns}) for e in rows
        ]


def test_insert_of_member_is_audited_with_household_and_user(db):
    hid, mid = _household(db)
    entries = _entries(db, "members", mid)
    assert len(entries) == 1
    e = entries[0]
    assert e.action == "insert"
    assert e.household_id == hid
    assert e.user == "测试"
    assert e.field is None
    values = json.loads(e.new_value)
    assert values["name"] == "张三"
    assert values["id_number"] == ID_A
    assert values["ins_resident_medical"] == "是"
    assert "name_initials" not in values  # bookkeeping column excluded


def test_update_records_field_old_and_new_value(db):
    hid, mid = _household(db)
    with db.unit() as s:
        m = s.get(Member, mid)
        m.name = "张叁"
        m.phone = "13800001111"
    entries = [e for e in _entries(db, "members", mid) if e.action == "update"]
    by_field = {e.field: e for e in entries}
    assert set(by_field) == {"name", "phone"}  # name_initials changed too but is excluded
    assert by_field["name"].old_value == "张三"
    assert by_field["name"].new_value == "张叁"
    assert by_field["phone"].old_value is None
    assert by_field["phone"].new_value == "13800001111"
    assert all(e.household_id == hid and e.user == "测试" for e in entries)
    with db.reading() as s:
        assert s.get(Member, mid).name_initials == "zs"


def test_unchanged_assignment_writes_nothing(db):
    _hid, mid = _household(db)
    with db.unit() as s:
        s.get(Member, mid).sex = "男"
    assert [e.action for e in _entries(db, "members", mid)] == ["insert"]


def test_delete_records_old_values(db):
    hid, mid = _household(db)
    with db.unit() as s:
        s.delete(s.get(Member, mid))
    entries = _entries(db, "members", mid)
    assert [e.action for e in entries] == ["insert", "delete"]
    deleted = entries[-1]
    assert deleted.household_id == hid
    assert json.loads(deleted.old_value)["name"] == "张三"


def test_household_history_includes_member_changes(db):
    hid, mid = _household(db)
    with db.unit() as s:
        s.get(Household, hid).phone = "13700000000"
        s.get(Member, mid).relation = "户主"  # unchanged
        s.get(Member, mid).health = "长期慢性病"
    with db.reading() as s:
        rows = s.execute(
            select(AuditEntry.table_name, AuditEntry.field).where(
                AuditEntry.household_id == hid, AuditEntry.action == "update"
            )
        ).all()
    assert sorted(rows) == [("households", "phone"), ("members", "health")]


def test_rolled_back_unit_leaves_no_audit_rows_and_no_data(db):
    hid, _mid = _household(db)
    with db.reading() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(RuntimeError), db.unit() as s:
        s.add(Member(household_id=hid, name="李四", relation="配偶", sex="女"))
        s.get(Household, hid).phone = "13000000000"
        s.flush()  # audit rows are written in the flush's own transaction
        raise RuntimeError("clerk cancelled")
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before
        assert s.scalar(select(func.count()).select_from(Member).where(Member.name == "李四")) == 0
        assert s.get(Household, hid).phone == "13912345678"


def test_unit_without_commit_writes_nothing(db):
    with db.unit(commit=False) as s:
        s.add(Village(name="双河村"))
        s.flush()
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Village)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_none_and_bool_parameters_are_stored_as_null_and_integers(tmp_path):
    """db registers sqlite3 adapters for None and bool (a speed-up); what is stored must not change."""
    assert (type(None), sqlite3.PrepareProtocol) in sqlite3.adapters and (
        bool,
        sqlite3.PrepareProtocol,
    ) in sqlite3.adapters
    conn = sqlite3.connect(tmp_path / "t.sqlite3")
    conn.execute("CREATE TABLE t (a, b BOOLEAN, c INTEGER)")
    conn.executemany(
        "INSERT INTO t VALUES (?, ?, ?)", [(None, True, False), (1, False, None), (True, None, 2)]
    )
    rows = conn.execute("SELECT a, typeof(a), b, typeof(b), c, typeof(c) FROM t ORDER BY rowid").fetchall()
    assert rows == [
        (None, "null", 1, "integer", 0, "integer"),
        (1, "integer", 0, "integer", None, "null"),
        (1, "integer", None, "null", 2, "integer"),
    ]
    conn.close()
