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


_CSV_ENCODINGS = (("utf-8", "UTF-8"), ("gb18030", "GBK/GB18030"))


def decode_text(data: bytes, name: str = "CSV文件") -> tuple[str, str]:
    """Decode CSV bytes; returns (text, encoding name shown to the clerk).

    A byte-order mark is only a hint: files saved by one program and edited in another can carry a
    UTF-8 BOM before GBK text. The BOM's encoding is tried first, then UTF-8 and GBK/GB18030, and
    UTF-16 without a BOM is recognised by its zero bytes; anything else is refused in Chinese.
    """
    body, shown = data, None
    candidates: list[tuple[str, str]] = []
    if data.startswith(codecs.BOM_UTF8):
        body = data[3:]
        candidates.append(("utf-8", "UTF-8（带BOM）"))
    elif data.startswith(codecs.BOM_UTF16_LE):
        body, candidates = data[2:], [("utf-16-le", "UTF-16")]
    elif data.startswith(codecs.BOM_UTF16_BE):
        body, candidates = data[2:], [("utf-16-be", "UTF-16")]
    else:
        sample = data[:4096]
        odd_zeros = sample[1::2].count(0)
        even_zeros = sample[0::2].count(0)
        # UTF-16 text without a BOM: the zero high bytes of ASCII characters, all on one side
        if (
            len(sample) >= 4
            and (odd_zeros + even_zeros) * 8 >= len(sample)
            and 9 * min(odd_zeros, even_zeros) <= max(odd_zeros, even_zeros)
        ):
            candidates.append(("utf-16-le", "UTF-16") if odd_zeros >= even_zeros else ("utf-16-be", "UTF-16"))
    candidates.extend(_CSV_ENCODINGS)
    for codec, shown in candidates:
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        if codec.startswith("utf-16") and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            if "\x00" in text:  # not really UTF-16
                continue
        if data.startswith(codecs.BOM_UTF8) and codec == "gb18030":
            shown = "GBK/GB18030（文件开头带有UTF-8标记）"
        return text, shown
    raise UserError(
        f"无法识别“{name}”的文字编码（应为UTF-8或GBK），请在Excel中打开后另存为“CSV UTF-8（逗号分隔）”再导入"
    )


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
    _check_workbook_file(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except PermissionError as exc:
        raise UserError(
            f"无法打开“{path.name}”：文件正被其他程序（如 Excel 或 WPS）使用，请关闭后重试"
        ) from exc
    except (CalamineError, OSError, ValueError) as exc:
        raise _unreadable(path, exc) from exc
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


_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
PASSWORD_MESSAGE = (
    "该文件设置了打开密码（“{name}”），无法读取：请在Excel中打开（输入密码），"
    "在“文件→信息→保护工作簿”中取消密码后另存为，再导入"
)
_OTHER_OFFICE = (
    ("word/", "Word文档"),
    ("ppt/", "PowerPoint演示文稿"),
    ("visio/", "Visio绘图"),
)


def _check_workbook_file(path: Path) -> None:
    """Refuse, with a sentence saying what to do, files calamine would only call "damaged":
    empty files, password-protected workbooks, other Office documents renamed .xlsx, truncated files."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
            size = path.stat().st_size
    except PermissionError as exc:
        raise UserError(
            f"无法打开“{path.name}”：文件正被其他程序（如 Excel 或 WPS）使用，请关闭后重试"
        ) from exc
    except OSError:
        return  # calamine reports it
    if size == 0:
        raise UserError(
            f"“{path.name}”是空文件（0字节），可能没有保存完整或复制失败，请重新复制或重新导出后再导入"
        )
    suffix = path.suffix.lower()
    if head == _OLE_MAGIC:
        data = path.read_bytes() if size <= 64 * 1024 * 1024 else b""
        if any(stream in data for stream in _ENCRYPTED_STREAMS):
            raise UserError(PASSWORD_MESSAGE.format(name=path.name))
        if suffix in {".xlsx", ".xlsm", ".xlsb"}:
            if "WordDocument".encode("utf-16-le") in data:
                raise UserError(
                    f"“{path.name}”不是Excel工作簿（看起来是改了扩展名的Word文档），请选择Excel导出的花名册，"
                    "或在Excel中打开后另存为“Excel工作簿（.xlsx）”再导入"
                )
        return
    if suffix in {".xlsx", ".xlsm"}:
        if head[:4] != _ZIP_MAGIC:
            raise UserError(
                f"“{path.name}”不是Excel工作簿（文件内容与扩展名不符），请在Excel或WPS中打开后"
                "另存为“Excel工作簿（.xlsx）”再导入"
            )
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise UserError(
                f"“{path.name}”不完整或已损坏（可能没有复制完或下载中断），请重新复制或重新导出后再导入"
            ) from exc
        if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
            kind = next(
                (label for prefix, label in _OTHER_OFFICE if any(n.startswith(prefix) for n in names)), None
            )
            what = f"看起来是{kind}" if kind else "其中没有工作表"
            raise UserError(
                f"该文件不是Excel工作簿（{what}）：“{path.name}”。请选择Excel导出的花名册，"
                "或在Excel或WPS中打开后另存为“Excel工作簿（.xlsx）”再导入"
            )


def _unreadable(path: Path, exc: BaseException) -> UserError:
    text = str(exc)
    if "password" in text.lower() or "encrypt" in text.lower():
        return UserError(PASSWORD_MESSAGE.format(name=path.name))
    return UserError(
        f"无法读取“{path.name}”：文件已损坏或不是{SUPPORTED}。请在Excel或WPS中打开后另存为"
        f"“Excel工作簿（.xlsx）”再导入（{text}）"
    )


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
    _check_workbook_file(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise _unreadable(path, exc) from exc
    try:
        return list(book.sheet_names)
    finally:
        book.close()


def _open_csv(path: Path) -> Source:
    try:
        data = path.read_bytes()
    except PermissionError as exc:
        raise UserError(f"无法打开“{path.name}”：文件正被其他程序使用，请关闭后重试") from exc
    if not data.strip():
        raise UserError(f"“{path.name}”是空文件（没有任何内容），请确认选择了正确的文件")
    text, encoding = decode_text(data, path.name)
    sample = text[:8192]
    delimiter = ","
    if sample.count("\t") > sample.count(",") and sample.count("\t") > sample.count(";"):
        delimiter = "\t"
    elif sample.count(";") > sample.count(","):
        delimiter = ";"
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise UserError(
            f"无法读取“{path.name}”：文件格式不正确（{exc}），请在Excel中打开后另存为“CSV UTF-8（逗号分隔）”再导入"
        ) from exc
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
