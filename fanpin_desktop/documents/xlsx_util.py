"""xlsx helpers: atomic saving, identity numbers as text cells, and a fast writer for big tables.

A crash or a full disk never leaves half a workbook: everything is written to a temporary file in
the destination folder and moved over the target with ``os.replace``. Identity numbers are written
as text cells with the text number format (``@``) so Excel neither rounds them nor shows them in
scientific notation.

openpyxl needs ~50 s for a 60,000 × 47 roster; :func:`write_table` streams the sheet XML itself
(shared strings, one fixed style sheet) in a few seconds. Use openpyxl for small, formatted
workbooks (reports, forms) and :func:`write_table` for large flat tables.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fanpin_desktop.errors import UserError, explain_os_error

TEXT_FORMAT = "@"
#: the first row of every xlsx that holds people's personal data (issue 12: privacy in every output)
PERSONAL_DATA_WARNING = "内含个人敏感信息，请妥善保管，不得外传"


@contextmanager
def atomic_path(target: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` atomically."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=suffix or target.suffix, dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        try:
            os.replace(tmp, target)
        except OSError as exc:
            err = explain_os_error(exc, "保存文件", target.name)
            raise (err or exc) from exc
    finally:
        if tmp.exists():
            tmp.unlink(missing_ok=True)


def save_workbook(workbook: Any, target: str | Path) -> Path:
    """Save an openpyxl workbook atomically."""
    target = Path(target)
    with atomic_path(target) as tmp:
        try:
            workbook.save(tmp)
        except OSError as exc:
            err = explain_os_error(exc, "保存文件", target.name)
            raise (err or exc) from exc
    return target


def set_text(cell: Any, value: Any) -> None:
    """Put ``value`` in an openpyxl cell as text (never a number or a formula)."""
    cell.value = None if value is None else str(value)
    if value is not None:
        cell.data_type = "s"
    cell.number_format = TEXT_FORMAT


# ---------------------------------------------------------------------- fast writer

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return _ILLEGAL.sub("", text)


def col_letter(index: int) -> str:
    s = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


# style indexes in _STYLES
S_DEFAULT, S_TEXT, S_HEADER, S_TITLE = 0, 1, 2, 3

_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="3"><font><sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/></font>
<font><b/><sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/></font>
<font><b/><sz val="14"/><name val="宋体"/><family val="3"/><charset val="134"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>
<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="49" fontId="1" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1">\
<alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


@dataclass
class TableSheet:
    """One sheet for :func:`write_table`: optional title rows, one header row, then data rows."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    titles: Sequence[str] = ()
    text_columns: set[int] = field(default_factory=set)  # 0-based columns written as text cells
    widths: dict[int, float] = field(default_factory=dict)
    freeze_header: bool = True


def _sheet_xml(sheet: TableSheet, sst: dict[str, int]) -> Iterator[str]:
    ncols = len(sheet.header)
    letters = [col_letter(i) for i in range(max(ncols, 1))]
    yield (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    )
    header_row = len(sheet.titles) + 1
    if sheet.freeze_header:
        yield (
            f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{header_row}" topLeftCell="A{header_row + 1}" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        )
    if sheet.widths:
        yield (
            "<cols>"
            + "".join(
                f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                for i, w in sorted(sheet.widths.items())
            )
            + "</cols>"
        )
    yield "<sheetData>"
    r = 0
    for title in sheet.titles:
        r += 1
        yield (
            f'<row r="{r}"><c r="A{r}" t="inlineStr" s="{S_TITLE}"><is><t xml:space="preserve">{_esc(title)}'
            f"</t></is></c></row>"
        )
    r += 1
    yield (
        f'<row r="{r}">'
        + "".join(
            f'<c r="{letters[i]}{r}" t="inlineStr" s="{S_HEADER}"><is><t>{_esc(str(h))}</t></is></c>'
            for i, h in enumerate(sheet.header)
        )
        + "</row>"
    )
    text_cols = sheet.text_columns
    styles = [f' s="{S_TEXT}"' if i in text_cols else "" for i in range(max(ncols, 1))]
    for values in sheet.rows:
        r += 1
        cells = []
        for i, v in enumerate(values):
            if v is None or v == "":
                continue
            if v.__class__ is not str:
                if v.__class__ is bool:
                    v = "是" if v else "否"
                elif isinstance(v, (int, float)) and i not in text_cols:
                    cells.append(f'<c r="{letters[i]}{r}"><v>{v!r}</v></c>')
                    continue
                else:
                    v = v.isoformat() if hasattr(v, "isoformat") else str(v)
            idx = sst.get(v)
            if idx is None:
                idx = sst[v] = len(sst)
            cells.append(f'<c r="{letters[i]}{r}" t="s"{styles[i]}><v>{idx}</v></c>')
        yield f'<row r="{r}">' + "".join(cells) + "</row>"
    yield "</sheetData>"
    if sheet.titles and ncols > 1:
        yield (
            f'<mergeCells count="{len(sheet.titles)}">'
            + "".join(
                f'<mergeCell ref="A{k + 1}:{letters[ncols - 1]}{k + 1}"/>' for k in range(len(sheet.titles))
            )
            + "</mergeCells>"
        )
    yield "</worksheet>"


def write_table(target: str | Path, sheets: Sequence[TableSheet]) -> Path:
    """Write a workbook of plain tables atomically; fast enough for 60,000 × 47 cells."""
    target = Path(target)
    if not sheets:
        raise ValueError("no sheets")
    names = [_esc(s.name[:31]) for s in sheets]
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(len(sheets))
        )
        + "</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        + "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
        + "</sheets></workbook>"
    )
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i + 1}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(sheets))
        )
        + f'<Relationship Id="rId{len(sheets) + 1}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/>'
        f'<Relationship Id="rId{len(sheets) + 2}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    )
    sst: dict[str, int] = {}
    with atomic_path(target) as tmp:
        try:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=3) as zf:
                zf.writestr("[Content_Types].xml", content_types)
                zf.writestr("_rels/.rels", root_rels)
                zf.writestr("xl/workbook.xml", workbook)
                zf.writestr("xl/_rels/workbook.xml.rels", wb_rels)
                zf.writestr("xl/styles.xml", _STYLES)
                for i, sheet in enumerate(sheets):
                    with zf.open(f"xl/worksheets/sheet{i + 1}.xml", "w", force_zip64=True) as fh:
                        buf: list[str] = []
                        size = 0
                        for part in _sheet_xml(sheet, sst):
                            buf.append(part)
                            size += len(part)
                            if size > 1 << 20:
                                fh.write("".join(buf).encode("utf-8"))
                                buf, size = [], 0
                        fh.write("".join(buf).encode("utf-8"))
                with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
                    fh.write(
                        (
                            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                            f'count="{len(sst)}" uniqueCount="{len(sst)}">'
                        ).encode()
                    )
                    buf = []
                    for text in sst:
                        buf.append(f'<si><t xml:space="preserve">{_esc(text)}</t></si>')
                        if len(buf) >= 10000:
                            fh.write("".join(buf).encode("utf-8"))
                            buf = []
                    fh.write(("".join(buf) + "</sst>").encode("utf-8"))
        except OSError as exc:
            err = explain_os_error(exc, "保存文件", target.name)
            raise (err or exc) from exc
    return target


__all__ = [
    "TEXT_FORMAT",
    "TableSheet",
    "UserError",
    "atomic_path",
    "col_letter",
    "save_workbook",
    "set_text",
    "write_table",
]
