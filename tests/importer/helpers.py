"""Small roster files written in code (openpyxl, xlwt, csv) for the importer tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

from fanpin_desktop.domain.ids import make_id
from fanpin_desktop.models import Village, VillageGroup

HEADER = [
    "序号",
    "行政村",
    "村民小组",
    "户编号",
    "姓名",
    "证件号码",
    "与户主关系",
    "文化程度",
    "在校生状况",
    "户类型",
    "是否享受低保",
]


def pid(n: int, year: int = 1980, female: bool = False) -> str:
    """A valid identity number (as domain.ids accepts it), different for each ``n``."""
    return make_id("341523", dt.date(year, 1 + n % 12, 1 + n % 28), n, female)


def person(
    n: int,
    code: str,
    rel: str,
    name: str,
    village: str = "红星村",
    group: str = "1组",
    *,
    edu: str = "初中",
    school: str = "",
    hh_type: str = "脱贫户",
    dibao: str = "否",
    id_number: Any = None,
    year: int = 1980,
) -> list[Any]:
    return [
        n,
        village,
        group,
        code,
        name,
        pid(n, year) if id_number is None else id_number,
        rel,
        edu,
        school,
        hh_type,
        dibao,
    ]


def family(start: int = 1) -> list[list[Any]]:
    """Two households, five people, in 红星村."""
    return [
        person(start, "H001", "户主", "张大山"),
        person(start + 1, "H001", "配偶", "李秀英"),
        person(start + 2, "H001", "之子", "张小明", edu="", school="七年级", year=2011),
        person(start + 3, "H002", "户主", "王建国", group="2组", hh_type="一般农户"),
        person(start + 4, "H002", "之女", "王芳", group="2组", hh_type="一般农户", year=2000),
    ]


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]],
    header: Sequence[str] = HEADER,
    titles: Sequence[str] = (),
    sheet: str = "Sheet1",
    extra_sheets: Sequence[str] = (),
    header_rows: Sequence[Sequence[Any]] | None = None,
    formulas: bool = False,
) -> Path:
    """Write an .xlsx; strings starting with ``=`` are text unless ``formulas`` (then openpyxl writes
    them as formulas without a stored result, like files made by scripts)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for t in titles:
        ws.append([t])
    for hr in header_rows if header_rows is not None else [header]:
        ws.append(list(hr))
    for row in rows:
        ws.append(list(row))
        # strings beginning with "=" stay text unless a test wants a formula
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("=") and not formulas:
                cell.data_type = "s"
    for name in extra_sheets:
        wb.create_sheet(name).append(["别的表"])
    wb.save(path)
    return path


def write_csv(
    path: Path,
    rows: Sequence[Sequence[Any]],
    header: Sequence[str] = HEADER,
    encoding: str = "utf-8",
    titles: Sequence[str] = (),
) -> Path:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for t in titles:
        w.writerow([t])
    w.writerow(header)
    for row in rows:
        w.writerow(row)
    data = buf.getvalue().encode(encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")
    path.write_bytes(data)
    return path


def write_xls(
    path: Path, rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER, titles: Sequence[str] = ()
) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    r = 0
    for t in titles:
        ws.write(r, 0, t)
        r += 1
    for c, h in enumerate(header):
        ws.write(r, c, h)
    for row in rows:
        r += 1
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.save(str(path))
    return path


def add_villages(db, names: dict[str, list[str]] | None = None) -> None:
    names = names or {"红星村": ["1组", "2组"], "东风村": ["1组"]}
    with db.unit() as s:
        for i, (vname, groups) in enumerate(names.items()):
            v = Village(name=vname, sort_order=i)
            s.add(v)
            for j, g in enumerate(groups):
                v.groups.append(VillageGroup(name=g, sort_order=j))


def preview(db, path: Path, options: Any = None) -> Any:
    """The import wizard's preview of ``path`` (open, find the header and mapping, analyse), with the
    file closed again."""
    from fanpin_desktop.services.importer import ImportOptions, analyse, open_file, prepare

    src = open_file(path)
    try:
        with db.reading() as s:
            header, mapping = prepare(s, src)
        return analyse(db, src, header, mapping, options or ImportOptions())
    finally:
        src.close()
