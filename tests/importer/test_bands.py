"""Loading a large sheet in bands on two cores (services/importer/bands.py) gives exactly the rows of
a plain python-calamine load, or falls back to the plain load."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from fanpin_desktop.db import Database, migrate
from fanpin_desktop.documents.xlsx_util import TableSheet, write_table
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import Household, Member
from fanpin_desktop.services.importer import ImportOptions, bands, import_file
from fanpin_desktop.services.importer.bands import BandedSheet, load_banded
from fanpin_desktop.services.importer.reading import open_source
from tests.importer.helpers import add_villages, family, person, write_xlsx


def _cells(rows) -> list[tuple[int, list[object]]]:
    """(sheet row, cells from column A without the empty ones at the end) of each row."""
    out = []
    for n, row in rows:
        row = list(row)
        while row and row[-1] == "":
            row.pop()
        out.append((n, row))
    return out


def _plain(path: Path, sheet: str | int | None = None) -> list[tuple[int, list[object]]]:
    """The rows as the reader gives them after a plain load (no bands)."""
    saved = bands.MIN_BYTES
    bands.MIN_BYTES = 1 << 62
    try:
        src = open_source(path, sheet)
    finally:
        bands.MIN_BYTES = saved
    try:
        assert not isinstance(src._sheet, BandedSheet)
        return _cells(src.iter_rows())
    finally:
        src.close()


def _banded(sheet: BandedSheet) -> list[tuple[int, list[object]]]:
    return _cells(enumerate(sheet.iter_rows(), start=sheet.first_row))


def _ragged_workbook(path: Path) -> Path:
    """Titles in merged cells, then 3,000 rows of text, numbers, dates and booleans, with blank rows
    and blocks of them, column A empty in the second half (bands that start in column B) and the
    last column filled only in the first third (bands that end earlier)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws["A1"] = "全国防返贫监测信息系统 家庭成员信息"
    ws.merge_cells("A1:L1")
    ws["A2"] = "导出时间：2024-05-01"
    ws.append([f"列{c}" for c in range(12)])
    for i in range(3000):
        r = 4 + i + i // 50 + (40 if i > 1700 else 0)  # a blank row every 50, a block of 40 blank rows
        values = [
            i if i < 1500 else None,
            f"姓名{i}",
            f"3415231980{i:08d}",
            dt.date(1950 + i % 60, 1 + i % 12, 1),
            i * 1.5,
            i % 3 == 0,
            "是" if i % 2 else "否",
            '="x"',
            None,
            f"备注{i % 7}",
            i % 9 or None,
            "末列" if i < 1000 else None,
        ]
        for c, v in enumerate(values):
            if v is not None:
                cell = ws.cell(row=r, column=c + 1, value=v)
                if isinstance(v, str) and v.startswith("="):
                    cell.data_type = "s"
    wb.save(path)
    return path


@pytest.mark.parametrize("count", [2, 3, 5, 8])
def test_bands_give_the_rows_of_a_plain_load(tmp_path, count):
    path = _ragged_workbook(tmp_path / "ragged.xlsx")
    banded = load_banded(str(path), "花名册", bands=count, min_bytes=0)
    assert isinstance(banded, BandedSheet)
    try:
        assert len(banded._bands) == count  # really cut: each band loaded on its own
        rows = _plain(path, "花名册")
        assert _banded(banded) == rows
        assert all(band.sheet.start is not None for band in banded._bands)
        assert _banded(banded) == rows  # and again (the wizard reads the head first)
        assert banded.rows_hint == banded.rows == rows[-1][0] + 1
    finally:
        banded.close()


def test_bands_of_a_written_export_with_inline_text_and_shared_strings(tmp_path):
    path = tmp_path / "export.xlsx"
    rows = [
        [
            n,
            f"34152300{n:06d}",
            f"张{n}",
            "户主" if n % 3 == 0 else "之子",
            dt.date(2000, 1, 1 + n % 28),
            n % 5,
        ]
        for n in range(2500)
    ]
    write_table(
        path,
        [
            TableSheet(
                "Sheet1",
                ["序号", "户编号", "姓名", "与户主关系", "出生日期", "人数"],
                rows,
                titles=["标题"],
                text_columns={1},
            )
        ],
    )
    banded = load_banded(str(path), "Sheet1", min_bytes=0)
    assert banded is not None
    assert _banded(banded) == _plain(path, "Sheet1")
    banded.close()


def test_small_sheets_and_unsplittable_xml_are_loaded_in_one_piece(tmp_path):
    small = write_xlsx(tmp_path / "small.xlsx", family())
    assert load_banded(str(small), "Sheet1") is None  # below MIN_BYTES: not worth copying
    assert load_banded(str(small), "没有这个表", min_bytes=0) is None

    def rewrite(name: str, change) -> Path:
        target = tmp_path / name
        with zipfile.ZipFile(small) as src, zipfile.ZipFile(target, "w") as dst:
            for info in src.infolist():
                data = src.read(info)
                dst.writestr(info, change(data) if info.filename.endswith("sheet1.xml") else data)
        return target

    unnumbered = rewrite("unnumbered.xlsx", lambda d: d.replace(b'<row r="', b'<row x="'))
    assert load_banded(str(unnumbered), "Sheet1", min_bytes=0) is None
    no_rows = rewrite("empty.xlsx", lambda d: d[: d.index(b"<sheetData")] + b"<sheetData/></worksheet>")
    assert load_banded(str(no_rows), "Sheet1", min_bytes=0) is None
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(small.read_bytes()[:-200])
    assert load_banded(str(broken), "Sheet1", min_bytes=0) is None


def test_a_band_that_fails_to_load_falls_back_to_the_plain_load(tmp_path, monkeypatch):
    path = _ragged_workbook(tmp_path / "ragged.xlsx")

    class Failing:
        @staticmethod
        def from_path(_path):
            raise OSError("磁盘已满")

    monkeypatch.setattr(bands, "CalamineWorkbook", Failing)
    assert load_banded(str(path), "花名册", min_bytes=0) is None
    monkeypatch.setattr(bands, "MIN_BYTES", 0)
    src = open_source(path)  # the reader loads the sheet in one piece instead
    try:
        assert _cells(src.iter_rows()) == _plain(path, "花名册")
        assert not isinstance(src._sheet, BandedSheet)
    finally:
        src.close()


def test_the_reader_uses_bands_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    path = _ragged_workbook(tmp_path / "ragged.xlsx")
    scratch = tmp_path / "temp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(bands, "MIN_BYTES", 0)
    for sheet in (None, "花名册", 0):
        src = open_source(path, sheet)
        try:
            assert isinstance(src._sheet, BandedSheet)
            assert _cells(src.iter_rows()) == _plain(path, "花名册")
            numbers, chunk = next(src.iter_chunks(3, size=5))
            assert numbers == [3, 4, 5, 6, 7] and chunk[0][:2] == [0, "姓名0"]
            assert src.total_rows == _plain(path)[-1][0] + 1
        finally:
            src.close()
    assert list(scratch.iterdir()) == []  # the bands' workbook copies are deleted once loaded


class _FakeSheet:
    """A loaded sheet as python-calamine gives it, for either way its iter_rows may begin."""

    def __init__(self, cells, from_row0, from_col0):
        rows = [r for r, _c in cells]
        cols = [c for _r, c in cells]
        self.start, self.end = (min(rows), min(cols)), (max(rows), max(cols))
        top = 0 if from_row0 else self.start[0]
        left = 0 if from_col0 else self.start[1]
        self._rows = [
            [cells.get((r, c), "") for c in range(left, self.end[1] + 1)] for r in range(top, self.end[0] + 1)
        ]

    def iter_rows(self):
        return iter(self._rows)


class _FakeBand:
    def __init__(self, sheet):
        self.sheet, self.error = sheet, None

    def join(self):
        pass


@pytest.mark.parametrize("from_row0", [True, False])
@pytest.mark.parametrize("from_col0", [True, False])
def test_banded_rows_line_up_whichever_way_iter_rows_begins(monkeypatch, tmp_path, from_row0, from_col0):
    monkeypatch.setattr(bands, "_iter_rows_origin", lambda: (from_row0, from_col0))
    # band 1: rows 2-4, columns B-D; band 2: rows 7-8 (5 and 6 have no cells), columns A-C
    cells1 = {(2, 1): "b2", (3, 3): "d3", (4, 2): "c4"}
    cells2 = {(7, 0): "a7", (8, 2): "c8"}
    banded = BandedSheet(
        str(tmp_path / "x.xlsx"),
        "S",
        [
            _FakeBand(_FakeSheet(cells1, from_row0, from_col0)),
            _FakeBand(_FakeSheet(cells2, from_row0, from_col0)),
        ],
        [0, 5],
        tempfile.TemporaryDirectory(),
        9,
    )
    assert banded.first_row == (0 if from_row0 else 2)
    got = _banded(banded)
    want = [(r, [""] * c + [v]) for (r, c), v in {**cells1, **cells2}.items()]
    assert [row for row in got if row[1]] == sorted(want)
    assert [n for n, _row in got] == list(range(banded.first_row, 9))  # every row once, in order
    assert banded.rows == 9


def test_a_band_that_fails_after_the_first_is_replaced_by_a_plain_load(tmp_path, monkeypatch):
    path = _ragged_workbook(tmp_path / "ragged.xlsx")
    real = bands._Band.run

    def second_fails(self):
        real(self)
        if self.file.name != "band0.xlsx":
            self.sheet, self.error = None, OSError("磁盘已满")

    monkeypatch.setattr(bands._Band, "run", second_fails)
    banded = load_banded(str(path), "花名册", bands=3, min_bytes=0)
    assert banded is not None  # the first band loaded: handed out at once
    assert _banded(banded) == _plain(path, "花名册")  # the rest from a plain load
    assert banded._plain is not None
    assert _banded(banded) == _plain(path, "花名册")  # and so on every later reading
    assert banded.rows == _plain(path, "花名册")[-1][0] + 1

    again = load_banded(str(path), "花名册", bands=3, min_bytes=0)
    path.unlink()  # gone before the plain load that replaces the failed band
    with pytest.raises(UserError, match="无法读取工作表“花名册”"):
        list(again.iter_rows())


def test_iter_rows_origin_is_read_off_this_python_calamine():
    bands._iter_rows_origin.cache_clear()
    from_row0, from_col0 = bands._iter_rows_origin()
    with tempfile.TemporaryDirectory() as tmp:
        wb = openpyxl.Workbook()
        wb.active["C4"] = "x"
        wb.save(Path(tmp) / "c4.xlsx")
        path_rows = list(
            CalamineWorkbook.from_path(str(Path(tmp) / "c4.xlsx")).get_sheet_by_name("Sheet").iter_rows()
        )
    assert len(path_rows) == (4 if from_row0 else 1)
    assert len(path_rows[-1]) == (3 if from_col0 else 1)


def test_sheet_names_and_the_default_sheet_are_those_of_a_plain_open(tmp_path, monkeypatch):
    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "隐藏的表"
    hidden.append(["说明"])
    hidden.sheet_state = "hidden"
    for name in ("名单 & 备注", "第二个"):
        ws = wb.create_sheet(name)
        ws.append(["序号", "姓名"])
        for i in range(300):
            ws.append([i, f"{name}{i}"])
    path = tmp_path / "sheets.xlsx"
    wb.save(path)
    monkeypatch.setattr(bands, "MIN_BYTES", 0)
    names = ["隐藏的表", "名单 & 备注", "第二个"]
    for sheet, chosen in ((None, "名单 & 备注"), (2, "第二个"), ("第二个", "第二个")):
        src = open_source(path, sheet)
        try:
            assert isinstance(src._sheet, BandedSheet)
            assert (src.sheet_names, src.sheet) == (names, chosen)
            assert _cells(src.iter_rows()) == _plain(path, chosen)
        finally:
            src.close()
    with pytest.raises(UserError, match="没有名为“第三个”的工作表"):
        open_source(path, "第三个")
    with pytest.raises(UserError, match="只有3个工作表"):
        open_source(path, 5)


def _roster(path: Path) -> Path:
    """400 people in 100 households with a few bad cells spread over the file (so over the bands)."""
    rows = []
    for h in range(100):
        code = f"H{h:03d}"
        for k, rel in enumerate(("户主", "配偶", "之子", "之女")):
            n = h * 4 + k + 1
            rows.append(
                person(
                    n,
                    code,
                    rel,
                    f"{'张王李赵'[k]}{h}",
                    group=f"{1 + h % 2}组",
                    edu="" if k > 1 else "初中",
                    school="七年级" if k > 1 else "",
                    year=2011 if k > 1 else 1980,
                )
            )
    rows[37][5] = "3.41523198001011E+17"  # digits lost by Excel: an error
    rows[250][6] = "户主"  # a second head in household H062
    rows[333][7] = "博士后"  # not a 文化程度
    return write_xlsx(path, rows, titles=["红星村家庭成员信息", "导出时间：2024-05-01"])


def test_an_import_of_a_banded_sheet_equals_the_plain_import(tmp_path, monkeypatch):
    path = _roster(tmp_path / "roster.xlsx")
    results = {}
    for banded in (False, True):
        monkeypatch.setattr(bands, "MIN_BYTES", 0 if banded else 1 << 62)
        db = Database(tmp_path / f"{banded}.sqlite3", user="测试")
        migrate(db)
        add_villages(db)
        result = import_file(db, path, ImportOptions(create_places=True))
        with db.reading() as s:
            members = [
                tuple(r)
                for r in s.execute(
                    select(Member.name, Member.id_number, Member.relation, Member.education, Household.code)
                    .join(Household)
                    .order_by(Member.id)
                )
            ]
        issues = [(x.row, x.column, x.value, x.message, x.severity) for x in result.plan.issues]
        results[banded] = (result.plan.counts, issues, members)
        db.dispose()
    assert results[True] == results[False]
    counts, issues, members = results[True]
    assert len(members) == 394 and counts["m_new"] == 394 and counts["hh_blocked"] == 1
    assert [(row, column) for row, column, _v, _m, _s in issues] == [
        (41, "证件号码"),
        (252, ""),
        (253, ""),
        (254, "与户主关系"),
        (255, ""),
        (337, "文化程度"),
    ]
    assert "已被Excel转成数字" in issues[0][3] and "不是可选的值" in issues[-1][3]


@pytest.mark.parametrize("piece", [5, 97, 4096])  # </row> and <row r="…"> split across pieces read
def test_the_cut_is_found_whichever_way_the_xml_arrives(tmp_path, monkeypatch, piece):
    path = write_xlsx(tmp_path / "r.xlsx", [row for k in range(40) for row in family(k * 5 + 1)])
    monkeypatch.setattr(bands._Chunks, "SIZE", piece)
    monkeypatch.setattr(bands._Chunks, "TAIL", 2048)  # kept to find the last row: more than one row
    banded = load_banded(str(path), "Sheet1", bands=4, min_bytes=0)
    assert banded is not None and len(banded._bands) == 4
    assert banded._first_rows == sorted(set(banded._first_rows)) and banded._first_rows[0] == 0
    assert _banded(banded) == _plain(path, "Sheet1")
    assert banded.rows_hint == banded.rows == 201  # the header and 200 people
    banded.close()


def test_copies_left_by_a_killed_program_are_removed_at_the_next_load(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale, fresh = tmp_path / "fanpin-import-old", tmp_path / "fanpin-import-new"
    for folder in (stale, fresh):
        folder.mkdir()
        (folder / "band1.xlsx").write_bytes(b"PK")
    other = tmp_path / "someone-else"
    other.mkdir()
    two_hours_ago = time.time() - 7200
    for path in (stale, other):
        os.utime(path, (two_hours_ago, two_hours_ago))
    path = _ragged_workbook(tmp_path / "ragged.xlsx")
    banded = load_banded(str(path), "花名册", min_bytes=0)
    assert banded is not None
    banded.close()
    assert not stale.exists()  # left by a program killed while loading: holds people's data
    assert fresh.exists() and other.exists()  # a load under way now; not ours
    assert bands.remove_stale_copies() == 0
