"""The importer's bulk ways give exactly what the plain ways give: the insert entries of imported
records, identity numbers and columns converted in bulk, the Core inserts, the reused preview, the
comparison of a re-import, the bulk unit."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    select,
    text,
)
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session

from fanpin_desktop.domain import enums
from fanpin_desktop.domain import ids as ids_mod
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import AuditEntry, Household, Member
from fanpin_desktop.services import households as households_service
from fanpin_desktop.services.importer import ImportOptions, execute, import_file
from fanpin_desktop.services.importer import plan as plan_mod
from fanpin_desktop.services.importer.normalise import IdValue, converter_for, id_column, to_id
from fanpin_desktop.services.importer.write import bulk_insert
from tests.importer.helpers import HEADER, add_villages, family, person, pid, write_csv, write_xlsx
from tests.importer.helpers import preview as preview_file


@pytest.fixture
def villages(db):
    add_villages(db)
    return db


def test_insert_entries_of_imported_records_name_the_file(villages, tmp_path):
    header = HEADER + ["备注", "务工时间（月）", "务工状况", "出生日期"]
    odd = 'a"b\\c\n\t 😀 \u2028 end'  # control characters other than tab and line breaks are refused (test_bad_files)
    rows = [r + ["", "", "", ""] for r in family()]
    rows[0][-4:] = [odd, 6, "省外务工", "1980-01-01"]
    import_file(
        villages, write_csv(tmp_path / "村民 名册.csv", rows, header=header)
    )  # CSV: quotes, line breaks, tabs, emoji kept
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


def test_bulk_insert_stores_what_the_orm_would_constant_columns_included():
    engine = create_engine("sqlite://")
    meta = MetaData()
    table = Table(
        "t",
        meta,
        Column("id", Integer, primary_key=True),
        Column("a", String),
        Column("b", Integer, default=7),
        Column("c", Date),
        Column("f", Boolean, default=False),  # left out: its default
        Column("g", Boolean),
        Column("h", String, default="x"),
        Column("k", Integer),
    )
    meta.create_all(engine)
    statements: list[tuple[str, object]] = []
    sqlalchemy_event.listen(engine, "before_cursor_execute", lambda *a: statements.append((a[2], a[3])))
    with Session(engine) as s:
        bulk_insert(
            s,
            table,
            {
                "id": [1, 2, 3],
                "a": ["O'Brien; --", None, "y"],
                "c": [dt.date(1980, 1, 2), None, dt.date(2001, 12, 31)],
                "g": [True, True, True],  # the same flag in every row: written as a constant
                "h": [None, None, None],  # empty in every row: NULL, not the default
                "k": [True, 1, True],  # equal, but not the same: bound row by row
            },
        )
        bulk_insert(s, table, {"id": [4], "g": [False], "h": [None]})
        bulk_insert(s, table, {"id": []})
        rows = s.execute(select(table).order_by(table.c.id)).all()
        stored = s.execute(text("SELECT c, f, g FROM t WHERE id = 1")).one()
    assert [tuple(r) for r in rows] == [
        (1, "O'Brien; --", 7, dt.date(1980, 1, 2), False, True, None, 1),
        (2, None, 7, None, False, True, None, 1),
        (3, "y", 7, dt.date(2001, 12, 31), False, True, None, 1),
        (4, None, 7, None, False, False, None, None),
    ]
    assert tuple(stored) == ("1980-01-02", 0, 1)  # as the ORM stores dates and flags
    inserts = [(sql, params) for sql, params in statements if sql.startswith("INSERT")]
    assert len(inserts) == 2
    sql, params = inserts[0]
    assert sql.count("?") == 5 and len(params) == 3  # id, a, b (its default), c, k bound; f, g, h not


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


def test_preview_of_a_reimport_lists_what_changed_with_the_stored_values(villages, tmp_path):
    import_file(villages, write_xlsx(tmp_path / "r.xlsx", family()))
    rows = family()
    rows[1][10] = "是"  # 李秀英: 享受低保 now
    preview = preview_file(villages, write_xlsx(tmp_path / "r2.xlsx", rows))
    assert preview.counts["m_unchanged"] == 4 and preview.counts["m_changed"] == 1
    assert [(c["person"][:3], c["field"], c["old"], c["new"]) for c in preview.member_changes()] == [
        ("李秀英", "是否享受低保", "否", "是")
    ]
    changed = next(m for hh in preview.households for m in hh.members if m.action == "changed")
    assert changed.changes == [("dibao", False, True)]  # Python values, as the ORM loads and stores them
