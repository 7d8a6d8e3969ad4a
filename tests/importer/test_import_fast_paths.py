"""The importer's fast paths give exactly what the plain ways give: audit texts built by SQLite,
comparison texts, identity numbers in bulk, constant columns, the reused preview, the bulk unit."""

from __future__ import annotations

import datetime as dt
import gc
import json
import random
import sqlite3

import pytest
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, create_engine, func, select
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fanpin_desktop.domain import enums
from fanpin_desktop.domain import ids as ids_mod
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import AuditEntry, Household, Member
from fanpin_desktop.services import households as households_service
from fanpin_desktop.services.importer import ImportOptions, execute, import_file
from fanpin_desktop.services.importer import plan as plan_mod
from fanpin_desktop.services.importer import write as write_mod
from fanpin_desktop.services.importer.jsontext import iso_dates
from fanpin_desktop.services.importer.normalise import IdValue, converter_for, id_column, to_id
from fanpin_desktop.services.importer.parse import gc_paused
from fanpin_desktop.services.importer.plan import json_arrays
from fanpin_desktop.services.importer.write import bulk_insert
from tests.importer.helpers import HEADER, add_villages, family, person, pid, write_csv, write_xlsx
from tests.importer.helpers import preview as preview_file


@pytest.fixture
def villages(db):
    add_villages(db)
    return db


def test_insert_entries_of_imported_records_name_the_file(villages, tmp_path):
    header = HEADER + ["备注", "务工时间（月）", "务工状况", "出生日期"]
    odd = 'a"b\\c\n\t\x01 😀 \u2028 end'
    rows = [r + ["", "", "", ""] for r in family()]
    rows[0][-4:] = [odd, 6, "省外务工", "1980-01-01"]
    import_file(
        villages, write_csv(tmp_path / "村民 名册.csv", rows, header=header)
    )  # CSV: control characters allowed
    with villages.reading() as s:
        members = s.scalars(select(Member)).all()
        households = s.scalars(select(Household)).all()
        assert len(members) == 5 and len(households) == 2
        for obj in [*members, *households]:
            entries = s.scalars(
                select(AuditEntry).where(
                    AuditEntry.table_name == obj.__tablename__, AuditEntry.record_id == obj.id
                )
            ).all()
            assert [e.action for e in entries] == ["insert"]
            entry = entries[0]
            assert json.loads(entry.new_value) == {
                "source": "import",
                "file": "村民 名册.csv",
                "sheet": "村民 名册",
            }
            assert entry.household_id == (obj.id if isinstance(obj, Household) else obj.household_id)
            assert entry.summary == (obj.name[:120] if isinstance(obj, Member) else None)
            assert entry.user == "测试"
            assert entry.old_value is None and entry.field is None
        head = next(m for m in members if m.name == "张大山")
        assert head.note == odd and head.work_months == 6


def test_history_of_an_imported_household_lists_the_inserts(villages, tmp_path):
    import_file(villages, write_xlsx(tmp_path / "r.xlsx", family()))
    with villages.reading() as s:
        hid = s.scalar(select(Household.id).where(Household.code == "H001"))
        history = households_service.household_history(s, hid)
    assert [h.text for h in history] == [
        f"新增{who}（从“r.xlsx”导入）"
        for who in ("家庭成员“张小明”", "家庭成员“李秀英”", "家庭成员“张大山”", "户信息")
    ]  # newest first: members after their household
    assert all(h.user == "测试" for h in history)


def test_json_arrays_are_the_text_of_sqlite_json_array():
    rnd = random.Random(3)
    pool = [
        "汉族",
        'q"uote',
        "back\\slash",
        "line\nbreak",
        "\x1f",
        "😀",
        "",
        None,
        0,
        1,
        12,
        -7,
        10**12,
        "1988-06-19",
    ]
    columns = [[rnd.choice(pool) for _ in range(300)] for _ in range(6)]
    columns.append(list(range(300)))  # a mostly unique column
    conn = sqlite3.connect(":memory:")
    expected = [
        conn.execute("SELECT json_array(?, ?, ?, ?, ?, ?, ?)", row).fetchone()[0]
        for row in zip(*columns, strict=True)
    ]
    assert json_arrays(columns) == expected


def test_id_column_agrees_with_to_id():
    rnd = random.Random(11)
    raws: list[object] = []
    for k in range(400):
        number = ids_mod.make_id("341523", dt.date(1950 + k % 60, 1 + k % 12, 1 + k % 28), k, k % 2 == 0)
        choice = k % 9
        if choice == 0:
            number = number[:17] + ("X" if number[17] != "X" else "0")  # wrong check digit
        elif choice == 1:
            number = number.lower()
        elif choice == 2:
            number = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)  # full-width
        elif choice == 3:
            number = f" {number} "
        elif choice == 4:
            number = number[:6] + number[8:17]  # 15 digits
        elif choice == 5:
            number = number + "42"  # disability certificate
        raws.append(number)
    raws += ["", None, 3.41523198001011e17, "2099" + "0" * 14, rnd.choice(raws)]
    numbers, births, sexes, rest = id_column(raws)
    for k, raw in enumerate(raws):
        v = to_id(raw)
        if k in rest:
            assert (numbers[k], births[k], sexes[k]) == (None, None, None)
            continue
        assert v.__class__ is IdValue and v.cert is None and v.note is None, raw
        assert (numbers[k], births[k], sexes[k]) == (v.number, v.birth, v.sex)
    assert len(rest) < len(raws) and any(to_id(raws[k]).__class__ is IdValue for k in rest)


def test_id_column_of_plain_18_digit_numbers_is_checked_like_one_by_one():
    """The bulk path (every cell 18 ASCII characters) finds the same bad check digits, impossible
    or future birth dates as to_id, and leaves the valid numbers as they are."""
    raws = []
    for k in range(300):
        number = ids_mod.make_id("341523", dt.date(1930 + k % 90, 1 + k % 12, 1 + k % 28), k, k % 2 == 0)
        if k % 7 == 0:
            number = number[:17] + ("X" if number[17] != "X" else "0")
        elif k % 11 == 0:
            body = number[:6] + "19990231" + number[14:17]  # 31 February
            number = body + ids_mod.check_digit(body)
        elif k % 13 == 0:
            body = number[:6] + "20990101" + number[14:17]  # born in the future
            number = body + ids_mod.check_digit(body)
        raws.append(number)
    assert any(n.endswith("X") for n in raws)
    numbers, births, sexes, rest = id_column(raws)
    assert rest and len(rest) < len(raws)
    for k, raw in enumerate(raws):
        v = to_id(raw)
        if k in rest:
            assert v.__class__ is not IdValue and (numbers[k], births[k], sexes[k]) == (None, None, None), raw
        else:
            assert (numbers[k], births[k], sexes[k]) == (v.number, v.birth, v.sex), raw


def test_constant_chunks_convert_and_count_old_codes_like_any_other():
    enum = enums.current()
    conv = converter_for("health", enum)
    assert conv is not None
    same = conv.convert(("健康",) * 50)
    assert same == ["健康"] * 50
    relation = converter_for("relation", enum)
    assert relation is not None
    old = next(((k, v) for k, v in _old_relation_codes(enum)), None)
    if old is None:
        pytest.skip("no old relation label in the enumerations")
    raw, new = old
    assert relation.convert((raw,) * 40) == [new] * 40
    assert relation.convert((raw, "户主", raw)) == [new, "户主", new]
    assert relation.alias_counts[(raw, new)] == 42
    bad = converter_for("dibao", enum)
    assert bad is not None
    out = bad.convert(("可能",) * 3)
    assert bad.has_bad and all(v.__class__.__name__ == "Bad" for v in out)


def _old_relation_codes(enum):
    for label in ("儿子", "女儿", "之子", "孙子", "孙女", "儿媳"):
        value = enum.canonical("relations", label)
        if value is not None and value != label:
            yield label, value


@pytest.mark.parametrize("key", ["name", "member_code", "hh_phone", "birth_date", "work_employer"])
def test_bulk_column_conversion_equals_cell_by_cell(key):
    """Names, codes, phone numbers, dates and free text are converted a chunk at a time when every
    cell is plain; mixed in with cells that need cleaning, too long or wrong, each chunk gives
    exactly what the cell-by-cell converter gives (values and messages)."""
    rnd = random.Random(key)
    plain = {
        "name": lambda: "".join(rnd.choice("王李张伟芳娜秀英") for _ in range(rnd.randint(2, 3))),
        "member_code": lambda: "3415230001" + str(rnd.randint(10**9, 10**10 - 1)),
        "hh_phone": lambda: "13" + str(rnd.randint(10**8, 10**9 - 1)),
        "birth_date": lambda: f"{rnd.randint(1930, 2020)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}",
        "work_employer": lambda: rnd.choice(["合肥某电子厂", "上海建筑公司", "本村合作社"]),
    }[key]
    odd = [
        "",
        None,
        " 张 三 ",
        '="3415230001"',
        "x" * 90,
        "12 3",
        "１３８０００００",
        3.41523e17,
        19800101,
        "19800231",
        "18000101",
        "1980-01-01",
        "１９８００１０１",
        dt.date(1980, 1, 1),
        "=SUM(A1)",
        42.0,
    ]
    enum = enums.current()
    for trial in range(40):
        chunk = [plain() for _ in range(rnd.randint(1, 30))]
        if trial % 2:
            chunk[rnd.randrange(len(chunk))] = rnd.choice(odd)
        bulk = converter_for(key, enum)
        one = converter_for(key, enum)
        assert bulk is not None and one is not None and bulk.bulk is not None
        got = bulk.convert(list(chunk))
        want = [one.fn(v) for v in chunk]
        assert [g.message if g.__class__.__name__ == "Bad" else g for g in got] == [
            w.message if w.__class__.__name__ == "Bad" else w for w in want
        ], chunk
    assert bulk.bulk([plain() for _ in range(20)]) is not None  # plain chunks do take the bulk way


def test_bulk_insert_writes_constant_columns_as_literals_exactly():
    engine = create_engine("sqlite://")
    meta = MetaData()
    table = Table(
        "t",
        meta,
        Column("id", Integer, primary_key=True),
        Column("a", String),
        Column("b", Integer),
        Column("c", String, nullable=True),
    )
    meta.create_all(engine)
    with Session(engine) as s:
        bulk_insert(
            s,
            table,
            {
                "id": [1, 2, 3],
                "a": ["O'Brien; --", "O'Brien; --", "O'Brien; --"],
                "b": [True, 1, True],
                "c": [None, None, None],
            },
        )
        bulk_insert(s, table, {"id": [4], "a": ["x"], "b": [5], "c": ["y"]})
        rows = s.execute(select(table).order_by(table.c.id)).all()
    assert [tuple(r) for r in rows] == [
        (1, "O'Brien; --", 1, None),
        (2, "O'Brien; --", 1, None),
        (3, "O'Brien; --", 1, None),
        (4, "x", 5, "y"),
    ]


@pytest.mark.parametrize(
    "max_bound", [14, 3, 999]
)  # 3 rows a statement; 1 row (4 bound columns > 3); all in one
def test_bulk_insert_of_many_rows_per_statement_keeps_every_row(monkeypatch, max_bound):
    monkeypatch.setattr(write_mod, "MAX_BOUND", max_bound)
    engine = create_engine("sqlite://")
    meta = MetaData()
    table = Table(
        "t",
        meta,
        Column("id", Integer, primary_key=True),
        Column("a", String),
        Column("b", Integer),
        Column("c", Date),
        Column("d", String),
    )
    meta.create_all(engine)
    n = 250
    columns = {
        "id": list(range(1, n + 1)),
        "a": [f"名{i}" if i % 7 else None for i in range(n)],
        "b": [i * 3 for i in range(n)],
        "c": [dt.date(1980, 1, 1) + dt.timedelta(days=i) for i in range(n)],
        "d": ["同一值"] * n,
    }
    statements: list[str] = []
    sqlalchemy_event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with Session(engine) as s:
        bulk_insert(s, table, columns, chunk=100)  # chunks of 100, 100 and 50: each ends in a remainder
        rows = s.execute(select(table).order_by(table.c.id)).all()
    assert [tuple(r) for r in rows] == list(zip(*columns.values(), strict=True))
    most = max(statement.count("(") - 1 for statement in statements if statement.startswith("INSERT"))
    assert most == {14: 3, 3: 1, 999: 100}[max_bound]  # rows in the biggest statement


def test_execute_writes_the_previewed_plan_when_nothing_changed(villages, tmp_path, monkeypatch):
    preview = preview_file(villages, write_xlsx(tmp_path / "r.xlsx", family()))
    calls = []
    real = plan_mod.build_plan
    monkeypatch.setattr(
        "fanpin_desktop.services.importer.build_plan", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    result = execute(villages, preview.parsed, ImportOptions(), expect=preview.fingerprint, plan=preview)
    assert calls == [] and result.plan is preview
    assert result.counts["m_new"] == 5


def test_execute_plans_again_when_the_database_changed_after_the_preview(villages, tmp_path):
    preview = preview_file(villages, write_xlsx(tmp_path / "r.xlsx", family()))
    import_file(villages, write_xlsx(tmp_path / "other.xlsx", [person(1, "H001", "户主", "张大山")]))
    with pytest.raises(UserError, match="预览之后数据库已有改动"):
        execute(villages, preview.parsed, ImportOptions(), expect=preview.fingerprint, plan=preview)
    with villages.reading() as s:
        assert s.scalar(select(func.count(Member.id))) == 1


def test_bulk_unit_restores_the_connection_and_checkpoints_afterwards(villages, tmp_path):
    import_file(villages, write_xlsx(tmp_path / "r.xlsx", family() + [person(9, "H009", "户主", "赵九")]))
    villages.wait_for_checkpoint()
    with villages.engine.connect() as conn:
        busy, log_frames, done = conn.connection.driver_connection.execute(
            "PRAGMA wal_checkpoint(PASSIVE)"
        ).fetchone()
    assert busy == 0 and log_frames == done  # nothing left in the log that is not in the file
    with pytest.raises(RuntimeError):
        with villages.bulk_unit() as s:
            raw = s.connection().connection.driver_connection
            assert raw.in_transaction  # BEGIN IMMEDIATE: the write lock is held from the start
            assert raw.execute("PRAGMA cache_size").fetchone()[0] == -128 * 1024
            assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
            s.add(Member(household_id=1, name="不会保存", relation="之子", id_number=pid(500)))
            s.flush()
            raise RuntimeError("失败")
    assert raw.execute("PRAGMA cache_size").fetchone()[0] == -2000  # the pooled connection as it was
    assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    with villages.reading() as s:
        assert s.scalar(select(func.count(Member.id)).where(Member.name == "不会保存")) == 0


def test_gc_paused_restores_the_collector():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_member_texts_read_ahead_in_chunks_equal_a_plain_query(villages, tmp_path, monkeypatch):
    import_file(villages, write_xlsx(tmp_path / "r.xlsx", family()))
    attrs = plan_mod.compare_attrs(["name", "id_number", "relation", "education", "schooling", "dibao"])
    monkeypatch.setattr(plan_mod, "_TEXTS_CHUNK", 2)
    with villages.reading() as s:
        state = plan_mod.database_state(s)
    with villages.engine.connect() as conn:
        raw = conn.connection.driver_connection
        texts = plan_mod.read_member_texts(raw, attrs, state)
        assert not raw.in_transaction
        expected = dict(raw.execute(f"SELECT id, json_array({', '.join(attrs)}) FROM members"))
        assert texts == expected and len(texts) == 5
        assert plan_mod.read_member_texts(raw, attrs, (0,) + tuple(state[1:])) is None  # another state
        assert not raw.in_transaction


def _member_indexes(db) -> list[tuple[str, str]]:
    with db.engine.connect() as conn:
        return sorted(
            conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'members'"
            ).all()
        )


def test_indexes_dropped_for_a_big_first_import_come_back_the_same(villages, tmp_path, monkeypatch):
    before = _member_indexes(villages)
    assert any(name == "ix_members_name_initials" for name, _sql in before)
    monkeypatch.setattr(write_mod, "REBUILD_INDEXES_FROM", 3)
    dropped = []
    real = write_mod._drop_secondary_indexes
    monkeypatch.setattr(
        write_mod, "_drop_secondary_indexes", lambda *a: dropped.extend(real(*a)) or list(dropped)
    )
    import_file(villages, write_xlsx(tmp_path / "r.xlsx", family()))
    assert len(dropped) == 3 and _member_indexes(villages) == before  # the unique id_number index too
    assert any(sql.startswith("CREATE UNIQUE INDEX uq_members_id_number") for sql in dropped)
    with villages.reading() as s:
        assert s.scalar(select(func.count(Member.id)).where(Member.name_initials == "zds")) == 1
        hid, number = s.execute(select(Member.household_id, Member.id_number)).first()
    with pytest.raises(IntegrityError), villages.unit() as s:  # and it still refuses a second 张大山
        s.add(Member(household_id=hid, name="重复", relation="之子", id_number=number))

    # an error after the indexes were dropped: everything, indexes included, as it was
    dropped.clear()
    real_bulk = write_mod.bulk_insert

    def failing(session, table, columns, **kw):
        real_bulk(session, table, columns, **kw)
        if table.name == "members":
            raise RuntimeError("断电")

    monkeypatch.setattr(write_mod, "bulk_insert", failing)
    rows = [person(60 + k, f"H{60 + k}", "户主", f"新人{k}") for k in range(6)]
    with pytest.raises(RuntimeError, match="断电"):
        import_file(villages, write_xlsx(tmp_path / "more.xlsx", rows))
    assert len(dropped) == 3 and _member_indexes(villages) == before
    with villages.reading() as s:
        assert s.scalar(select(func.count(Member.id))) == 5


def test_preview_of_a_reimport_compares_through_the_texts_read_ahead(villages, tmp_path, monkeypatch):
    import_file(villages, write_xlsx(tmp_path / "r.xlsx", family()))
    calls = []
    real = plan_mod.read_member_texts
    monkeypatch.setattr(
        "fanpin_desktop.services.importer.read_member_texts", lambda *a: calls.append(1) or real(*a)
    )
    rows = family()
    rows[1][10] = "是"  # 李秀英: 享受低保 now
    preview = preview_file(villages, write_xlsx(tmp_path / "r2.xlsx", rows))
    assert calls == [1]
    assert preview.counts["m_unchanged"] == 4 and preview.counts["m_changed"] == 1
    assert [(c["person"][:3], c["field"], c["old"], c["new"]) for c in preview.member_changes()] == [
        ("李秀英", "是否享受低保", "否", "是")
    ]


def test_iso_dates_equal_isoformat():
    rnd = random.Random(3)
    values = [
        dt.date(1, 1, 1),
        dt.date(999, 12, 31),
        dt.date(9999, 12, 31),
        None,
        dt.datetime(2020, 2, 29, 13, 5),
    ]
    values += [dt.date(1890, 1, 1) + dt.timedelta(days=rnd.randrange(60000)) for _ in range(3000)] + [None]
    want = [None if v is None else v.isoformat() for v in values]
    assert iso_dates(values) == want and iso_dates(values, set(values)) == want
