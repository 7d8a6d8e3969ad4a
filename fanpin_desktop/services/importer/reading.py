"""Opening roster files: .xlsx/.xlsm/.xls (python-calamine) and .csv (UTF-8, UTF-8 BOM, GBK/GB18030).

Rows come out as lists of cell values with 0-based sheet row numbers, so every message can name
the row the clerk sees in Excel. A whole sheet is loaded by calamine once, in memory (nothing is
written outside the data folder); rows are converted to Python objects in chunks, which keeps
memory low for 60,000-row exports.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from python_calamine import CalamineError, CalamineWorkbook

from fanpin_desktop.errors import UserError

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
SUPPORTED = "Excel 工作簿（.xlsx、.xlsm、.xls）或 CSV 文件（.csv）"


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    s = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes; returns (text, encoding name shown to the clerk)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8"), "UTF-8（带BOM）"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GBK/GB18030"
    except UnicodeDecodeError as exc:
        raise UserError(
            "无法识别CSV文件的文字编码（应为UTF-8或GBK），请在Excel中另存为“CSV UTF-8”后重试"
        ) from exc


@dataclass
class Source:
    """One sheet of one file, ready to be read row by row."""

    path: Path
    kind: str  # "excel" | "csv"
    sheet_names: list[str]
    sheet: str
    encoding: str | None = None
    _book: Any = None
    _sheet: Any = None
    _rows: list[list[Any]] | None = None  # CSV rows (all str)
    _row_offset: int = 0
    _col_offset: int = 0

    # ------------------------------------------------------------------ access

    def head(self, n: int = 30) -> list[list[Any]]:
        """The first ``n`` rows of the sheet (row 0 is the sheet's first row), padded to the same width."""
        rows = [row for _i, row in islice(self.iter_rows(), n)]
        width = max((len(r) for r in rows), default=0)
        return [r + [""] * (width - len(r)) for r in rows]

    def iter_rows(self, start: int = 0) -> Iterator[tuple[int, list[Any]]]:
        """(0-based sheet row, cells from column A) for every row from ``start``."""
        if self.kind == "csv":
            assert self._rows is not None
            for i in range(start, len(self._rows)):
                yield i, self._rows[i]
            return
        pad = [""] * self._col_offset
        i = self._row_offset
        for row in self._sheet.iter_rows():
            if i >= start:
                yield i, (pad + row if pad else row)
            i += 1

    def iter_chunks(self, start: int, size: int = 4096) -> Iterator[tuple[list[int], list[list[Any]]]]:
        """Rows from ``start`` in chunks: (row numbers, rows)."""
        if self.kind == "excel" and not self._col_offset:
            rows_it = iter(self._sheet.iter_rows())
            n = self._row_offset
            if start > n:
                for _ in islice(rows_it, start - n):
                    pass
                n = start
            while True:
                rows = list(islice(rows_it, size))
                if not rows:
                    return
                yield list(range(n, n + len(rows))), rows
                n += len(rows)
        it = self.iter_rows(start)
        while True:
            chunk = list(islice(it, size))
            if not chunk:
                return
            yield [c[0] for c in chunk], [c[1] for c in chunk]

    @property
    def total_rows(self) -> int:
        if self.kind == "csv":
            return len(self._rows or [])
        end = self._sheet.end
        return (end[0] + 1) if end else 0

    def uncached_formulas(self, cells: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Text of ``="…"`` formulas without a stored result (files written by scripts, not Excel).

        Excel stores each formula's last result, which calamine returns; a file produced by a
        program may store only the formula, which calamine reads as an empty cell. Only the asked-for
        cells are looked up, so ordinary files pay nothing.
        """
        if self.kind != "excel" or self.path.suffix.lower() not in {".xlsx", ".xlsm"} or not cells:
            return {}
        try:
            return _xlsx_formula_texts(self.path, self.sheet, cells)
        except (KeyError, ET.ParseError, zipfile.BadZipFile, OSError):
            return {}

    def close(self) -> None:
        self._sheet = None
        if self._book is not None:
            try:
                self._book.close()
            except CalamineError:
                pass
            self._book = None
        self._rows = None


def open_source(path: str | Path, sheet: str | int | None = None) -> Source:
    """Open ``path``; ``sheet`` by name or index (default: the first visible sheet with data)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise UserError(f"找不到文件“{path}”")
    if suffix in CSV_SUFFIXES:
        return _open_csv(path)
    if suffix not in EXCEL_SUFFIXES:
        raise UserError(f"不支持“{path.suffix or '无扩展名'}”格式的文件，请选择{SUPPORTED}")
    try:
        book = CalamineWorkbook.from_path(str(path))
    except PermissionError as exc:
        raise UserError(
            f"无法打开“{path.name}”：文件正被其他程序（如 Excel 或 WPS）使用，请关闭后重试"
        ) from exc
    except (CalamineError, OSError, ValueError) as exc:
        raise UserError(f"无法读取“{path.name}”：文件已损坏或不是{SUPPORTED}（{exc}）") from exc
    names = list(book.sheet_names)
    if not names:
        raise UserError(f"“{path.name}”中没有工作表")
    loaded = None
    if sheet is None:
        chosen, loaded = _default_sheet(book)
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise UserError(f"“{path.name}”只有{len(names)}个工作表")
        chosen = names[sheet]
    else:
        if sheet not in names:
            raise UserError(f"“{path.name}”中没有名为“{sheet}”的工作表（有：{'、'.join(names)}）")
        chosen = sheet
    src = Source(path, "excel", names, chosen, _book=book)
    _load_sheet(src, loaded)
    return src


def _default_sheet(book: Any) -> tuple[str, Any]:
    """The first visible sheet that has data (loaded once), else the first visible sheet."""
    visible = [m.name for m in book.sheets_metadata if str(m.visible).endswith(".Visible")]
    for name in visible or list(book.sheet_names):
        try:
            sheet = book.get_sheet_by_name(name)
        except CalamineError:
            continue
        if sheet.end is not None:
            return name, sheet
    return (visible or list(book.sheet_names))[0], None


def _load_sheet(src: Source, sheet: Any = None) -> None:
    if sheet is None:
        try:
            sheet = src._book.get_sheet_by_name(src.sheet)
        except CalamineError as exc:
            raise UserError(f"无法读取工作表“{src.sheet}”：{exc}") from exc
    src._sheet = sheet
    start, end = sheet.start, sheet.end
    if start is None or end is None:
        src._row_offset = src._col_offset = 0
        return
    # python-calamine's iter_rows has begun at row 0 or at the first used row depending on the
    # version, and at the first used column; work out which from the first row it yields.
    first = next(iter(sheet.iter_rows()), [])
    full_width = end[1] + 1
    src._col_offset = 0 if len(first) == full_width else start[1]
    if start[0] == 0:
        src._row_offset = 0
    else:
        src._row_offset = 0 if all(v == "" or v is None for v in first) else start[0]


def sheet_names(path: str | Path) -> list[str]:
    """The sheets of a workbook (without loading any of them); a CSV file has one."""
    path = Path(path)
    if path.suffix.lower() in CSV_SUFFIXES:
        return [path.stem]
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        raise UserError(f"不支持“{path.suffix or '无扩展名'}”格式的文件，请选择{SUPPORTED}")
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise UserError(f"无法读取“{path.name}”：文件已损坏、正被其他程序使用或不是{SUPPORTED}") from exc
    try:
        return list(book.sheet_names)
    finally:
        book.close()


def _open_csv(path: Path) -> Source:
    try:
        data = path.read_bytes()
    except PermissionError as exc:
        raise UserError(f"无法打开“{path.name}”：文件正被其他程序使用，请关闭后重试") from exc
    text, encoding = decode_text(data)
    sample = text[:8192]
    delimiter = ","
    if sample.count("\t") > sample.count(",") and sample.count("\t") > sample.count(";"):
        delimiter = "\t"
    elif sample.count(";") > sample.count(","):
        delimiter = ";"
    rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    return Source(path, "csv", [path.stem], path.stem, encoding=encoding, _rows=rows)


# ---------------------------------------------------------------------- xlsx formulas without values

_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def sheet_part(zf: zipfile.ZipFile, sheet: str) -> str:
    """The path inside the .xlsx of the worksheet named ``sheet``."""
    book = ET.fromstring(zf.read("xl/workbook.xml"))
    rid = None
    for el in book.iter(f"{_NS}sheet"):
        if el.get("name") == sheet:
            rid = el.get(f"{_REL_NS}id")
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    for el in rels:
        if el.get("Id") == rid:
            target = el.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise KeyError(sheet)


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _xlsx_formula_texts(path: Path, sheet: str, cells: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    out: dict[tuple[int, int], str] = {}
    with zipfile.ZipFile(path) as zf, zf.open(sheet_part(zf, sheet)) as fh:
        for _event, el in ET.iterparse(fh):
            if el.tag != f"{_NS}c":
                if el.tag == f"{_NS}row":
                    el.clear()
                continue
            m = _CELL_REF.fullmatch(el.get("r", ""))
            if m:
                key = (int(m.group(2)) - 1, _col_index(m.group(1)))
                if key in cells:
                    f = el.find(f"{_NS}f")
                    if f is not None and f.text:
                        out[key] = "=" + f.text
    return out
