"""The screening appendices as .xlsx in the official layout (seed 000, 附件1–4).

The sheet is built from the year's layout (``domain.appendix_layouts``): the 附件 label, the title
and the 填表时间 row merged across the table, the multi-level header merged as on paper, then one
row per record. Print setup as the paper: landscape, A3 or A4, fit to one page wide, header rows
repeated on every page, the first columns and the header frozen on screen. ID numbers are text.

openpyxl (write-only mode) writes everything but the data rows: title, header, merges, styles, print
setup. Its per-cell writer costs ~40 µs a cell, so the data rows — 20,000 × 44 cells for a
township's appendix 1 — are emitted as SpreadsheetML text with the style ids openpyxl registered
and spliced into the sheet before the file is moved into place. Saving is atomic (a temporary file
in the same folder, then ``os.replace``, via ``xlsx_util.atomic_path``) so an interrupted export
never leaves half a workbook. Appendix 1 and 2 sheets carry a hidden key column after the official
columns (outside the print area) so a workbook filled in by a village team imports back exactly.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from fanpin_desktop.documents.xlsx_util import PERSONAL_DATA_WARNING, atomic_path
from fanpin_desktop.domain.appendix_layouts import Layout
from fanpin_desktop.errors import UserError, explain_os_error

FONT = "宋体"
TITLE_FONT = "黑体"
PAPER = {"A4": 9, "A3": 8}
KEY_WIDTH = 10

_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEADER_FONT = Font(name=FONT, size=10, bold=True)
NOTE_FONT = Font(name=FONT, size=9)
BODY_FONT = Font(name=FONT, size=10)
TITLE = Font(name=TITLE_FONT, size=16)
LABEL_FONT = Font(name=TITLE_FONT, size=12)
WARNING_FONT = Font(name=TITLE_FONT, size=9, color="C00000")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
FILLS = {
    "overdue": PatternFill("solid", fgColor="FFC7CE"),  # 超期 items in the ledger
    "muted": PatternFill("solid", fgColor="F2F2F2"),  # households not yet screened
    "total": PatternFill("solid", fgColor="FFF2CC"),  # the township total
}
MONEY_FORMAT = "0.00"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'

# kind -> (alignment, number format)
_KIND_STYLE: dict[str, tuple[Alignment, str | None]] = {
    "seq": (CENTER, None),
    "int": (CENTER, "0"),
    "bool": (CENTER, None),
    "choice": (CENTER, None),
    "pair": (CENTER, "@"),
    "money": (RIGHT, MONEY_FORMAT),
    "date": (CENTER, DATE_FORMAT),
    "id": (CENTER, "@"),
    "text": (LEFT, None),
}


@dataclass(frozen=True)
class SheetRow:
    """One data row: values in layout column order, the hidden key, a highlight."""

    values: Sequence[Any]
    key: Any = None
    style: str | None = None  # a key of FILLS


def cell_value(kind: str, value: Any) -> Any:
    """What goes into the cell for a layout kind: 是/否, 12/35, text IDs, plain numbers."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if kind == "pair":
        return f"{value[0]}/{value[1]}" if isinstance(value, (tuple, list)) else str(value)
    if kind == "id":
        return str(value)
    if isinstance(value, Decimal):
        return float(value) if kind == "money" else format(value, "f")
    if isinstance(value, dt.datetime):
        return value.date()
    return value


# --------------------------------------------------------------------------- atomic save


def save_atomically(workbook: Workbook, path: Path, rows_xml: str = "", dimension: str | None = None) -> Path:
    """Save through ``xlsx_util.atomic_path`` (a temporary file beside ``path``, then
    ``os.replace``); a clear message when the file is open in Excel/WPS, the folder cannot be
    made or the disk is full. ``rows_xml`` is added at the end of the first sheet's data."""
    path = Path(path)
    try:
        with atomic_path(path) as tmp:
            workbook.save(tmp)
            if rows_xml or dimension:
                staged = tmp.with_name(tmp.name + ".part")
                try:
                    _inject(tmp, staged, rows_xml, dimension)
                    os.replace(staged, tmp)
                finally:
                    staged.unlink(missing_ok=True)
    except OSError as exc:
        user = explain_os_error(exc, "导出表格", path)
        if user is None:
            raise
        raise user from exc
    return path


SHEET_PART = "xl/worksheets/sheet1.xml"


def _inject(src: Path, dst: Path, rows_xml: str, dimension: str | None) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == SHEET_PART:
                xml = data.decode("utf-8")
                if dimension:
                    xml = re.sub(
                        r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml, count=1
                    )
                if "</sheetData>" in xml:
                    xml = xml.replace("</sheetData>", rows_xml + "</sheetData>", 1)
                else:
                    xml = xml.replace("<sheetData/>", f"<sheetData>{rows_xml}</sheetData>", 1)
                data = xml.encode("utf-8")
            zout.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


# --------------------------------------------------------------------------- the writer


def _proto(ws: Any, kind: str, style: str | None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws)
    align, fmt = _KIND_STYLE.get(kind, (LEFT, None))
    cell.font, cell.border, cell.alignment = BODY_FONT, BORDER, align
    if fmt:
        cell.number_format = fmt
    if style in FILLS:
        cell.fill = FILLS[style]
    return cell


def write_table(
    path: Path,
    layout: Layout,
    rows: Iterable[SheetRow],
    *,
    title: str,
    date_text: str | None = None,
    with_keys: bool = False,
    personal_data: bool = False,
) -> int:
    """Write one appendix sheet; returns the number of data rows written. ``personal_data``: the
    sheet holds people's data, and its first row says so (above the 附件 label)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(layout.sheet[:31])
    width = layout.width
    last = get_column_letter(width)
    key_col = width + 1 if with_keys and layout.key_column else None

    # rows above the header: 附件 label, title, date
    top: list[tuple[str, Font, Alignment, float]] = []
    # the personal-data warning shares the 附件 label's row (right half), or has a row of its own
    warning_beside_label = personal_data and bool(layout.attachment_label) and width >= 4
    if personal_data and not warning_beside_label:
        top.append(
            (PERSONAL_DATA_WARNING, WARNING_FONT, Alignment(horizontal="right", vertical="center"), 16)
        )
    if layout.attachment_label:
        top.append((layout.attachment_label, LABEL_FONT, Alignment(horizontal="left", vertical="center"), 20))
    top.append((title, TITLE, Alignment(horizontal="center", vertical="center", wrap_text=True), 36))
    if date_text:
        align = "right" if layout.date_align == "right" else "left"
        top.append((date_text, BODY_FONT, Alignment(horizontal=align, vertical="center"), 20))
    header_top = len(top) + 1  # 1-based first header row
    header_bottom = header_top + layout.header_rows - 1
    first_data = header_bottom + 1

    # sheet-level settings must precede the first row in write-only mode
    for col in layout.columns:
        ws.column_dimensions[get_column_letter(col.index + 1)].width = col.width
    if key_col:
        letter = get_column_letter(key_col)
        ws.column_dimensions[letter].width = KEY_WIDTH
        ws.column_dimensions[letter].hidden = True
    ws.freeze_panes = f"{get_column_letter(layout.freeze_cols + 1)}{first_data}"
    ws.print_title_rows = f"{header_top}:{header_bottom}"
    ws.page_setup.orientation = "landscape" if layout.orientation == "landscape" else "portrait"
    ws.page_setup.paperSize = PAPER.get(layout.paper, 9)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.5, 0.6
    ws.page_margins.header, ws.page_margins.footer = 0.3, 0.3
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"

    for i, (text, font, align, height) in enumerate(top, 1):
        ws.row_dimensions[i].height = height
        cell = WriteOnlyCell(ws, value=text)
        cell.font, cell.alignment = font, align
        if warning_beside_label and text == layout.attachment_label and i == 1:
            half = width // 2
            warning = WriteOnlyCell(ws, value=PERSONAL_DATA_WARNING)
            warning.font, warning.alignment = WARNING_FONT, Alignment(horizontal="right", vertical="center")
            ws.append([cell] + [None] * (half - 1) + [warning])
            ws.merged_cells.add(f"A{i}:{get_column_letter(half)}{i}")
            ws.merged_cells.add(f"{get_column_letter(half + 1)}{i}:{last}{i}")
            continue
        ws.append([cell])
        ws.merged_cells.add(f"A{i}:{last}{i}")

    # header block: every cell bordered (merged areas too), text in the top-left of each area
    grid: list[list[WriteOnlyCell]] = []
    for _r in range(layout.header_rows):
        row = []
        for _c in range(width):
            cell = WriteOnlyCell(ws)
            cell.font, cell.border, cell.alignment = HEADER_FONT, BORDER, CENTER
            row.append(cell)
        grid.append(row)
    for h in layout.cells:
        cell = grid[h.row][h.col]
        cell.value = h.text
        if h.is_note:
            cell.font = NOTE_FONT
        if h.rowspan > 1 or h.colspan > 1:
            ws.merged_cells.add(
                f"{get_column_letter(h.col + 1)}{header_top + h.row}:"
                f"{get_column_letter(h.col + h.colspan)}{header_top + h.row + h.rowspan - 1}"
            )
    if key_col:
        key_head = WriteOnlyCell(ws, value=layout.key_column)
        key_head.font = NOTE_FONT
        grid[layout.header_rows - 1].append(key_head)
    for r, row in enumerate(grid):
        if r < len(layout.header_heights):
            ws.row_dimensions[header_top + r].height = layout.header_heights[r]
        ws.append(row)

    # data rows: streamed as SpreadsheetML text (openpyxl's per-cell writer is ~40 µs a cell, too
    # slow for 20,000 × 44 cells); styles are registered through openpyxl so their ids are valid
    kinds = [c.kind for c in layout.columns]
    style_ids: dict[str | None, list[int]] = {}
    letters = [get_column_letter(i + 1) for i in range(width + 1)]
    key_style = WriteOnlyCell(ws)
    key_style.number_format = "@"
    key_sid = key_style.style_id
    parts: list[str] = []
    n = 0
    height = f' ht="{layout.data_height}" customHeight="1"' if layout.data_height else ""
    for data in rows:
        sids = style_ids.get(data.style)
        if sids is None:
            sids = style_ids[data.style] = [_proto(ws, k, data.style).style_id for k in kinds]
        r = first_data + n
        parts.append(f'<row r="{r}"{height}>')
        for col, (kind, sid, value) in enumerate(zip(kinds, sids, data.values, strict=True)):
            parts.append(_cell_xml(f"{letters[col]}{r}", sid, cell_value(kind, value)))
        if key_col:
            parts.append(
                _cell_xml(f"{letters[width]}{r}", key_sid, None if data.key is None else str(data.key))
            )
        parts.append("</row>")
        n += 1

    last_row = first_data + n - 1
    if layout.footer:
        last_row += 1
        foot = WriteOnlyCell(ws)
        foot.font, foot.alignment = NOTE_FONT, LEFT
        parts.append(
            f'<row r="{last_row}" ht="48" customHeight="1">'
            f"{_cell_xml(f'A{last_row}', foot.style_id, layout.footer)}</row>"
        )
        ws.merged_cells.add(f"A{last_row}:{last}{last_row}")
    last_row = max(last_row, header_bottom)
    ws.print_area = f"A1:{last}{last_row}"
    dimension = f"A1:{letters[key_col - 1] if key_col else last}{last_row}"
    save_atomically(wb, path, rows_xml="".join(parts), dimension=dimension)
    return n


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = dt.date(1899, 12, 30)


def _cell_xml(ref: str, style_id: int, value: Any) -> str:
    if value is None or value == "":
        return f'<c r="{ref}" s="{style_id}"/>'
    if isinstance(value, bool):
        value = "是" if value else "否"
    if isinstance(value, (int, float)):
        return (
            f'<c r="{ref}" s="{style_id}"><v>{value!r}</v></c>'
            if isinstance(value, float)
            else f'<c r="{ref}" s="{style_id}"><v>{value}</v></c>'
        )
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{style_id}"><v>{(value - _EPOCH).days}</v></c>'
    text = _ILLEGAL.sub("", str(value))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" s="{style_id}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def check_writable(path: Path) -> None:
    """Fail early with a clear message when the target is open in Excel (Windows locks it)."""
    path = Path(path)
    if not path.exists():
        return
    try:
        with path.open("r+b"):
            pass
    except OSError as exc:
        raise (explain_os_error(exc, "导出表格", path) or UserError(f"无法写入文件 {path}。")) from exc
