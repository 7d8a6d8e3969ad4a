"""A large national export is read and imported without writing anything to the temp folder."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from fanpin_desktop.documents.xlsx_util import TableSheet, write_table
from fanpin_desktop.models import AuditEntry, Member
from fanpin_desktop.services.importer import ImportOptions, import_file, open_file
from fanpin_desktop.services.importer.headers import layout
from tests.importer.helpers import add_villages, pid

PEOPLE = 14_000  # over 8 MB of sheet XML: a sheet the importer once cut into bands in temporary copies


def _export(path: Path, people: int) -> Path:
    """A national-system export (47 columns, two title rows) of ``people`` in households of 1 to 4."""
    headers = layout("national_roster_47").headers

    def rows():
        n = 0
        household = 0
        while n < people:
            household += 1
            code = f"3415230001{household:06d}"
            for k in range(min(1 + household % 4, people - n)):
                n += 1
                values = {
                    "序号": n,
                    "乡(镇)": "测试镇",
                    "行政村": "红星村",
                    "村民小组": f"{1 + household % 3}组",
                    "户编号": code,
                    "人编号": f"{code}{k + 1:02d}",
                    "姓名": f"村民{n}",
                    "证件类型": "居民身份证",
                    "证件号码": pid(n, 1950 + n % 50),
                    "与户主关系": "户主" if k == 0 else "之子",
                    "民族": "汉族",
                    "文化程度": "初中",
                    "健康状况": "健康",
                    "劳动技能": "普通劳动力",
                    "是否享受低保": "否",
                    "户类型": "一般农户",
                    "出生日期": dt.date(1950 + n % 50, 1 + n % 12, 1 + n % 28).strftime("%Y%m%d"),
                }
                yield [values.get(h, "") for h in headers]

    text = {headers.index(h) for h in ("户编号", "人编号", "证件号码", "出生日期")}
    sheet = TableSheet("Sheet1", headers, rows(), titles=["家庭成员信息", "导出时间"], text_columns=text)
    return write_table(path, [sheet])


def _listing(folder: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(folder)), p.stat().st_size) for p in folder.rglob("*"))


def test_a_large_sheet_is_imported_without_copies_in_the_temp_folder(db, tmp_path, monkeypatch):
    add_villages(db)
    path = _export(tmp_path / "large.xlsx", PEOPLE)
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size > 8 * 1024 * 1024
    temp = tmp_path / "temp"
    temp.mkdir()
    (temp / "someone-else.txt").write_text("kept")
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setenv("TEMP", str(temp))
    monkeypatch.setenv("TMP", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    assert tempfile.gettempdir() == str(temp)
    before = _listing(temp)

    src = open_file(path)
    try:
        assert _listing(temp) == before  # nothing put aside while the sheet is open
        assert src.total_rows == PEOPLE + 3
    finally:
        src.close()

    seen = []
    result = import_file(
        db,
        path,
        ImportOptions(create_places=True),
        progress=lambda done, total, _what: seen.append(_listing(temp) == before),
    )
    assert seen and all(seen)  # not while reading, checking or writing either
    assert _listing(temp) == before and os.listdir(temp) == ["someone-else.txt"]
    assert result.counts["m_new"] == PEOPLE
    with db.reading() as s:
        assert s.scalar(select(func.count(Member.id))) == PEOPLE
        imported = s.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.table_name == "members", AuditEntry.new_value.contains('"file":"large.xlsx"')
            )
        )
        assert imported == PEOPLE
