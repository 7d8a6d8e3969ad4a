"""The latest 人均纯收入 (services/households/income.py): the local income record against the
national system's figure, used by the case editor, the elimination refusals and the 待办; and the
roster import of the national export's 人均纯收入 column, and the export → import round trip."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from fanpin_desktop.models import (
    AuditEntry,
    Household,
    IncomeRecord,
    Member,
    MonitoringCase,
    Threshold,
    Village,
)
from fanpin_desktop.services import households
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services.cases import detail, editing, todo
from fanpin_desktop.services.cases.types import DUE_ELIMINATION
from fanpin_desktop.services.households.income import (
    SOURCE_LOCAL,
    SOURCE_NATIONAL,
    LatestIncome,
    ThresholdCache,
    latest_income,
    latest_incomes,
    national_update,
)
from fanpin_desktop.services.importer import import_file
from fanpin_desktop.services.roster_export import export_roster
from tests.importer.helpers import add_villages
from tests.test_case_editing import (
    TODAY,
    _elimination_until_decision,
    _identified,
    _measure,
)
from tests.test_case_editing import town as town  # noqa: F401  (the fixture)
from tests.test_import_cases import HEADER, national
from tests.test_import_cases import write as write_plain

D = dt.date.fromisoformat


# --------------------------------------------------------------------------- the rule


def _household(s, village_id: int, *, members: int = 2, national=None, incomes=()) -> int:
    """A household with ``members`` people, a national figure (amount, year) and income records
    (year, wage) for the calendar year."""
    h = Household(village_id=village_id, household_type="一般农户")
    if national is not None:
        h.national_per_capita_income, h.national_income_year = Decimal(national[0]), national[1]
    s.add(h)
    s.flush()
    for i in range(members):
        s.add(
            Member(
                household_id=h.id,
                name=f"成员{h.id}-{i}",
                relation="户主" if i == 0 else "之子",
                labour_skill="普通劳动力",
                sort_order=i,
            )
        )
    for year, wage in incomes:
        s.add(
            IncomeRecord(
                household_id=h.id,
                year=year,
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                wage=Decimal(wage),
            )
        )
    s.flush()
    return h.id


def test_latest_incomes_local_newer_national_newer_same_year_and_none(db):
    with db.unit() as s:
        v = Village(name="王楼村")
        s.add(v)
        s.flush()
        local_newer = _household(s, v.id, national=(6000, 2024), incomes=[(2024, 9000), (2025, 30000)])
        national_newer = _household(s, v.id, national=(6000, 2026), incomes=[(2025, 30000)])
        same_year = _household(s, v.id, national=(6000, 2025), incomes=[(2025, 30000)])
        national_only = _household(s, v.id, national=(7123.45, 2025))
        local_only = _household(s, v.id, incomes=[(2025, 20000)])
        nobody_counted = _household(s, v.id, members=0, national=(6000, 2024), incomes=[(2025, 30000)])
        none = _household(s, v.id)
    ids = [local_newer, national_newer, same_year, national_only, local_only, nobody_counted, none]
    with db.reading() as s:
        found = latest_incomes(s, ids)
        assert found == {
            local_newer: LatestIncome(2025, Decimal("15000.00"), SOURCE_LOCAL),
            national_newer: LatestIncome(2026, Decimal("6000.00"), SOURCE_NATIONAL),
            same_year: LatestIncome(2025, Decimal("15000.00"), SOURCE_LOCAL),
            national_only: LatestIncome(2025, Decimal("7123.45"), SOURCE_NATIONAL),
            local_only: LatestIncome(2025, Decimal("10000.00"), SOURCE_LOCAL),
            # a record that counts nobody gives no per-capita income: the national figure is used
            nobody_counted: LatestIncome(2024, Decimal("6000.00"), SOURCE_NATIONAL),
        }
        assert latest_income(s, none) is None
        assert latest_income(s, national_newer) == found[national_newer]
        # the package exports it
        assert households.latest_incomes is latest_incomes


def test_threshold_cache_prefers_the_township_region(db):
    with db.unit() as s:
        s.add_all(
            [
                Threshold(year=2026, region="全国", amount=Decimal("7000")),
                Threshold(year=2026, region="六安市", amount=Decimal("7500")),
                Threshold(year=2025, region="全国", amount=Decimal("6800")),
            ]
        )
        settings_service.update(s, threshold_region="六安市")
    with db.reading() as s:
        cache = ThresholdCache(s)
        assert cache(2026) == Decimal("7500")
        assert cache(2025) == Decimal("6800")  # no 六安市 row that year: 全国
        assert cache(2024) is None


@pytest.mark.parametrize(
    ("stored", "stored_year", "local", "amount", "year", "expected"),
    [
        (None, None, None, Decimal("8000.00"), 2026, (Decimal("8000.00"), 2026)),  # first figure
        (Decimal("8000"), 2025, None, Decimal("8000.00"), 2026, None),  # same amount: year kept
        (Decimal("8000"), 2025, None, Decimal("8100.00"), 2026, (Decimal("8100.00"), 2026)),
        (Decimal("8000"), 2025, None, None, 2026, None),  # blank cell: nothing erased
        # the local figure shown now (an exported roster imported again): nothing
        (None, None, LatestIncome(2025, Decimal("9000.00"), SOURCE_LOCAL), Decimal("9000.00"), 2026, None),
        # the local figure, but the newer national one is shown: the national one changes
        (
            Decimal("6000"),
            2026,
            LatestIncome(2025, Decimal("9000.00"), SOURCE_LOCAL),
            Decimal("9000.00"),
            2026,
            (Decimal("9000.00"), 2026),
        ),
    ],
)
def test_national_update_rule(stored, stored_year, local, amount, year, expected):
    assert national_update(stored, stored_year, local, amount, year) == expected


# --------------------------------------------------------------------------- the users of the rule


def _national_only(db, town, amount: str, year: int = 2025) -> None:
    """The 脱贫户 of the editing tests loses its income record and gets a national figure."""
    with db.unit() as s:
        for r in s.scalars(select(IncomeRecord).where(IncomeRecord.household_id == town.tuopin)):
            s.delete(r)
        h = s.get(Household, town.tuopin)
        h.national_per_capita_income, h.national_income_year = Decimal(amount), year


def _refusals(db, case_id: int) -> list[str]:
    with db.reading() as s:
        return editing.elimination_refusals_for(s, case_id, "自然消除", D("2026-05-06"))


def test_elimination_refusal_uses_the_national_figure_when_it_is_the_only_one(db, town):
    case_id = _identified(db, town.tuopin)
    _measure(db, case_id)
    _elimination_until_decision(db, case_id)
    assert not [r for r in _refusals(db, case_id) if "人均纯收入" in r]  # 15000 from the record
    _national_only(db, town, "5000")
    [income] = [r for r in _refusals(db, case_id) if "人均纯收入" in r]
    assert "家庭人均纯收入5000.00元低于本年度监测范围8000.00元" in income
    _national_only(db, town, "9000")
    assert not [r for r in _refusals(db, case_id) if "人均纯收入" in r]
    with db.reading() as s:
        case = detail.load_case(s, case_id, today=TODAY)
    assert (case.per_capita_income, case.income_year, case.income_source, case.threshold) == (
        Decimal("9000.00"),
        2025,
        SOURCE_NATIONAL,
        Decimal("8000.00"),
    )


def test_case_detail_and_the_editor_header_name_the_source(db, town):
    from types import SimpleNamespace

    from fanpin_desktop.ui.dialogs.case_editor import CaseEditor

    case_id = _identified(db, town.tuopin)
    with db.reading() as s:
        case = detail.load_case(s, case_id, today=TODAY)
    assert (case.per_capita_income, case.income_year, case.income_source) == (
        Decimal("15000.00"),
        2025,
        SOURCE_LOCAL,
    )
    assert "人均纯收入（2025年度，收入记录）：<b>15,000.00</b> 元" in CaseEditor._summary_html(
        SimpleNamespace(case=case)
    )
    _national_only(db, town, "9000", 2026)
    with db.reading() as s:
        case = detail.load_case(s, case_id, today=TODAY)
    html = CaseEditor._summary_html(SimpleNamespace(case=case))
    assert "人均纯收入（2026年度，全国系统）：<b>9,000.00</b> 元" in html
    assert "本年度监测范围未设置" in html  # no 2026 threshold in this town


def _monitored_town(db) -> int:
    """One monitored case identified long ago, its household without any income record."""
    with db.unit() as s:
        v = Village(name="王楼村")
        s.add(v)
        s.flush()
        s.add(Threshold(year=2026, region="全国", amount=Decimal("7000")))
        hid = _household(s, v.id)
        s.add(
            MonitoringCase(
                household_id=hid,
                source="干部走访",
                status="已纳入",
                clue_date=D("2025-09-01"),
                identified_on=D("2025-10-10"),
                category="边缘易致贫户",
            )
        )
        return hid


def _eligible(db) -> list[str]:
    with db.reading() as s:
        return [i.detail for i in todo.due_items(s, today=D("2026-12-02")) if i.kind == DUE_ELIMINATION]


def test_todo_lists_elimination_from_a_national_figure_above_the_threshold(db):
    hid = _monitored_town(db)
    assert _eligible(db) == []  # no income known
    with db.unit() as s:
        h = s.get(Household, hid)
        h.national_per_capita_income, h.national_income_year = Decimal("6500"), 2026
    assert _eligible(db) == []  # below 7000
    with db.unit() as s:
        s.get(Household, hid).national_per_capita_income = Decimal("7200")
    assert len(_eligible(db)) == 1
    with db.reading() as s:
        assert todo.due_counts(s, today=D("2026-12-02"))[DUE_ELIMINATION] == 1
    # a newer local record below the threshold wins over it
    with db.unit() as s:
        s.add(
            IncomeRecord(
                household_id=hid,
                year=2026,
                period_start=D("2026-01-01"),
                period_end=D("2026-12-31"),
                wage=Decimal("10000"),
            )
        )
    assert _eligible(db) == []


# --------------------------------------------------------------------------- the roster import

INCOME_HEADER = [*HEADER, "数据日期", "人均纯收入"]


def _write(path: Path, rows: list[list[Any]], extra: dict[str, tuple[Any, Any]]) -> Path:
    """national()'s rows with 数据日期 and 人均纯收入 (per household code: (date, income))."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["全国防返贫监测信息系统 家庭成员信息"])
    ws.append(INCOME_HEADER)
    for r in rows:
        date, income = extra.get(r[3], ("", ""))
        ws.append([*r, date, income])
    wb.save(path)
    return path


def _figures(db) -> dict[str, tuple[Decimal | None, int | None]]:
    with db.reading() as s:
        return {
            code: (amount, year)
            for code, amount, year in s.execute(
                select(Household.code, Household.national_per_capita_income, Household.national_income_year)
            )
        }


def _audit(db) -> tuple[int, int | None]:
    with db.reading() as s:
        return s.scalar(select(func.count(AuditEntry.id))), s.scalar(select(func.max(AuditEntry.id)))


@pytest.fixture
def village_db(db):
    add_villages(db)
    return db


FIRST = {"H001": ("202611", "5321.5"), "H002": ("2026-11-30", 9800), "H004": ("", "7,000.00")}


def test_import_sets_reimport_changes_nothing_and_a_change_updates(village_db, tmp_path):
    db = village_db
    result = import_file(db, _write(tmp_path / "a.xlsx", national(), FIRST))
    assert not [str(i) for i in result.plan.issues if i.is_error]
    ignored = next(line for line in result.summary_lines() if line.startswith("以下列能识别但不导入"))
    assert "人均纯收入" not in ignored and "数据日期" not in ignored
    this_year = dt.date.today().year
    assert _figures(db) == {
        "H001": (Decimal("5321.50"), 2026),
        "H002": (Decimal("9800.00"), 2026),
        "H003": (None, None),  # blank: nothing
        "H004": (Decimal("7000.00"), this_year),  # no 数据日期: this year
    }
    # the same file again: nothing written, not even an audit entry
    before = _audit(db)
    again = import_file(db, _write(tmp_path / "b.xlsx", national(), FIRST))
    assert again.plan.counts["hh_changed"] == 0 and not again.plan.has_changes
    assert _audit(db) == before
    # the same amount in a later year changes nothing either (the year it was first seen stays)
    later = {**FIRST, "H001": ("202711", "5321.50")}
    assert not import_file(db, _write(tmp_path / "c.xlsx", national(), later)).plan.has_changes
    # a changed amount updates the household, audited, and counts as a household change
    changed = {**FIRST, "H002": ("202712", "10500")}
    result = import_file(db, _write(tmp_path / "d.xlsx", national(), changed))
    assert result.plan.counts["hh_changed"] == 1
    rows = [
        (r["household"], r["field"], r["old"], r["new"])
        for r in result.plan.member_changes()
        if r["person"] == "（户）"
    ]
    assert [(f, o, n) for _h, f, o, n in rows] == [
        ("人均纯收入（全国系统）", "9800.00", "10500.00"),
        ("人均纯收入年度", "2026", "2027"),
    ]
    assert _figures(db)["H002"] == (Decimal("10500.00"), 2027)
    with db.reading() as s:
        hid = s.scalar(select(Household.id).where(Household.code == "H002"))
        entries = s.execute(
            select(AuditEntry.field, AuditEntry.old_value, AuditEntry.new_value).where(
                AuditEntry.table_name == "households",
                AuditEntry.record_id == hid,
                AuditEntry.action == "update",
            )
        ).all()
        audited = {field: (Decimal(old), Decimal(new)) for field, old, new in entries}
        assert audited["national_per_capita_income"] == (Decimal("9800"), Decimal("10500"))
        assert audited["national_income_year"] == (Decimal("2026"), Decimal("2027"))
        # the case editor's figure follows
        assert latest_income(s, hid) == LatestIncome(2027, Decimal("10500.00"), SOURCE_NATIONAL)


@pytest.mark.parametrize(
    ("value", "message"),
    [("很多", "人均纯收入“很多”不是数字"), ("-120", "人均纯收入“-120”不能为负数")],
)
def test_a_bad_income_is_a_problem_of_its_row_and_column(village_db, tmp_path, value, message):
    rows = national()
    extra = {**FIRST, "H003": ("202611", value)}
    result = import_file(village_db, _write(tmp_path / "bad.xlsx", rows, extra))
    [issue] = [i for i in result.plan.issues if i.is_error]
    assert (issue.row, issue.column, issue.letter) == (7, "人均纯收入", "T")  # H003's head, 5th data row
    assert message in issue.message
    figures = _figures(village_db)
    assert "H003" not in figures  # the head's row is left out, so is its household (one person)
    assert figures["H001"] == (Decimal("5321.50"), 2026)  # the others are imported


def test_differing_income_within_a_household_warns_and_takes_the_head_row(village_db, tmp_path):
    path = tmp_path / "w.xlsx"
    _write(path, national(), FIRST)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.cell(4, len(INCOME_HEADER)).value = "6000"  # 李秀英, H001's second row
    wb.save(path)
    result = import_file(village_db, path)
    warnings = [i for i in result.plan.issues if i.column == "人均纯收入"]
    assert len(warnings) == 1 and warnings[0].row == 4 and "以户主行为准" in warnings[0].message
    assert _figures(village_db)["H001"] == (Decimal("5321.50"), 2026)


def test_export_then_import_round_trips_unchanged(village_db, tmp_path):
    db = village_db
    import_file(db, write_plain(tmp_path / "n.xlsx", national()))
    with db.unit() as s:
        by_code = {h.code: h for h in s.scalars(select(Household))}
        # H001: a local record; H002: a national figure; H004: both, the national one newer
        s.add(
            IncomeRecord(
                household_id=by_code["H001"].id,
                year=2025,
                period_start=D("2025-01-01"),
                period_end=D("2025-12-31"),
                wage=Decimal("12345.67"),
            )
        )
        by_code["H002"].national_per_capita_income, by_code["H002"].national_income_year = (
            Decimal("8800"),
            2024,
        )
        by_code["H004"].national_per_capita_income, by_code["H004"].national_income_year = (
            Decimal("7300"),
            2026,
        )
        s.add(
            IncomeRecord(
                household_id=by_code["H004"].id,
                year=2025,
                period_start=D("2025-01-01"),
                period_end=D("2025-12-31"),
                wage=Decimal("5000"),
            )
        )

    def state():
        with db.reading() as s:
            return (
                [tuple(r) for r in s.execute(select(Household.__table__).order_by(Household.id))],
                _audit(db),
            )

    before = state()
    target = tmp_path / "export.xlsx"
    with db.reading() as s:
        export_roster(s, target)
    ws = openpyxl.load_workbook(target).active
    header = [c.value for c in ws[3]]  # below the personal-data warning and the title
    col = header.index("人均纯收入") + 1
    written = {
        ws.cell(r, header.index("户编号") + 1).value: ws.cell(r, col).value for r in range(4, ws.max_row + 1)
    }
    assert written == {"H001": 6172.84, "H002": 8800, "H003": None, "H004": 7300}  # H001: 12345.67 / 2
    result = import_file(db, target)
    assert not [str(i) for i in result.plan.issues if i.is_error]
    assert result.plan.counts["hh_changed"] == 0 and not result.plan.has_changes
    assert state() == before
