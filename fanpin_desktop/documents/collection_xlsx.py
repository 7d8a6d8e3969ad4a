"""防止返贫监测对象信息采集表 as xlsx: one worksheet per household, in one workbook.

One workbook for a village (rather than a file per household) because the clerk types a village's
forms into the national system in one sitting and passes one file around; each sheet is one
household's form, named 户主姓名 + the tail of the 户编号 (unique, at most 31 characters).

A sheet reads top to bottom in the layout's order: row 1 says the file holds personal sensitive
information, row 2 the title, row 3 the header line (县 … 户编号), then per section a title row,
one row per field (label in A:D, value in E:…) and the section's grids (header row and one row per
member / risk). ID numbers are text cells; amounts are numbers with two decimals. Printing is set
to A4 portrait, fitted to the page width.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from fanpin_desktop.documents.collection_pdf import CollectionForm, field_text, grid_rows
from fanpin_desktop.documents.xlsx_util import TEXT_FORMAT, save_workbook, set_text
from fanpin_desktop.errors import UserError

LABEL_COLUMNS = 4  # a field's label spans A:D, its value the rest
MIN_COLUMNS = 8
FONT = "宋体"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
GREY = PatternFill("solid", fgColor="E8E8E8")
WRAP_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
NUMBER = Alignment(horizontal="left", vertical="center")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31


def sheet_names(forms: Sequence[CollectionForm]) -> list[str]:
    """户主姓名 + 户编号 tail per form, unique (…(2), …(3)) and at most 31 characters."""
    used: set[str] = set()
    out = []
    for i, form in enumerate(forms, start=1):
        if form.blank:
            base = "信息采集表（空白）"
        else:
            tail = (form.household_code or "")[-6:]
            base = _BAD_SHEET_CHARS.sub("", f"{form.head_name}{tail}").strip("'") or f"第{i}户"
        base = base[:MAX_SHEET_NAME]
        name, n = base, 2
        while name.lower() in used:
            suffix = f"({n})"
            name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
            n += 1
        used.add(name.lower())
        out.append(name)
    return out


def _columns(form: CollectionForm) -> int:
    widest = max((len(g.columns) for s in form.layout.sections for g in s.grids), default=0)
    return max(widest, MIN_COLUMNS)


def _widths(form: CollectionForm, ncols: int) -> list[float]:
    """Column widths (characters) wide enough for the widest grid column at each position."""
    widths = [6.0] * ncols
    for s in form.layout.sections:
        for g in s.grids:
            for i, c in enumerate(g.columns):
                want = 21.0 if c.source == "id_number" else (5.0 if c.source == "seq" else 9.0)
                if c.kind == "text" and c.source not in ("seq", "label", "name", "id_number"):
                    want = 14.0
                widths[i] = max(widths[i], want)
    return widths


def _merged(ws: Any, row: int, first: int, last: int, value: Any, **style: Any) -> Any:
    cell = ws.cell(row=row, column=first)
    as_text = style.pop("as_text", False)
    if isinstance(value, str) and as_text:
        set_text(cell, value)
    else:
        cell.value = value
    for key, v in style.items():
        setattr(cell, key, v)
    for c in range(first, last + 1):
        ws.cell(row=row, column=c).border = BORDER
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    return cell


def _field_value(form: CollectionForm, f: Any) -> Any:
    value = form.values.get(f.source)
    if f.kind == "money" and isinstance(value, (Decimal, float, int)) and not isinstance(value, bool):
        return float(Decimal(str(value)).quantize(Decimal("0.01")))
    if f.kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    return form.text(f)


def _fill_sheet(ws: Any, form: CollectionForm) -> None:
    layout = form.layout
    ncols = _columns(form)
    for i, w in enumerate(_widths(form, ncols), start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    body = Font(name=FONT, size=10)
    bold = Font(name=FONT, size=10, bold=True)
    row = 1
    _merged(ws, row, 1, ncols, layout.warning, font=Font(name=FONT, size=10, bold=True, color="C00000"))
    ws.cell(row=row, column=1).alignment = WRAP_LEFT
    for c in range(1, ncols + 1):
        ws.cell(row=row, column=c).border = Border()
    row += 1
    _merged(ws, row, 1, ncols, layout.title, font=Font(name="黑体", size=16), alignment=WRAP_CENTER)
    for c in range(1, ncols + 1):
        ws.cell(row=row, column=c).border = Border()
    ws.row_dimensions[row].height = 30
    row += 1
    header = "　".join(
        f"{f.label}：{'' if form.blank else field_text(form.values.get(f.source), f.kind)}"
        for f in layout.header
    )
    _merged(ws, row, 1, ncols, header, font=body, alignment=WRAP_LEFT)
    for c in range(1, ncols + 1):
        ws.cell(row=row, column=c).border = Border()
    ws.row_dimensions[row].height = 20
    row += 1
    for section in layout.sections:
        if section.title:
            _merged(ws, row, 1, ncols, section.title, font=Font(name="黑体", size=11), alignment=WRAP_LEFT)
            for c in range(1, ncols + 1):
                ws.cell(row=row, column=c).fill = GREY
            ws.row_dimensions[row].height = 20
            row += 1
        for f in section.fields:
            _merged(ws, row, 1, LABEL_COLUMNS, f.label, font=bold, alignment=WRAP_LEFT, fill=GREY)
            value = _field_value(form, f)
            cell = _merged(ws, row, LABEL_COLUMNS + 1, ncols, value, font=body, as_text=True)
            if isinstance(value, float):
                cell.number_format = "0.00"
                cell.alignment = NUMBER
            else:
                cell.alignment = WRAP_LEFT
            text = value if isinstance(value, str) else ""
            lines = max(1, -(-len(text) // 60))
            ws.row_dimensions[row].height = 40 if f.kind == "sign" else max(18, 15 * lines)
            row += 1
        for grid in section.grids:
            for i, c in enumerate(grid.columns, start=1):
                cell = ws.cell(row=row, column=i, value=c.label)
                cell.font, cell.alignment, cell.border, cell.fill = bold, WRAP_CENTER, BORDER, GREY
            ws.row_dimensions[row].height = 30
            row += 1
            for values in grid_rows(form, grid):
                for i, (c, text) in enumerate(zip(grid.columns, values, strict=True), start=1):
                    cell = ws.cell(row=row, column=i)
                    if c.source == "id_number" or c.kind in ("text", "enum"):
                        set_text(cell, text or None)
                    elif c.kind == "int" and text.isdigit():
                        cell.value = int(text)
                    else:
                        cell.value = text or None
                    cell.font, cell.border = body, BORDER
                    cell.alignment = WRAP_LEFT if c.kind == "text" and c.source != "seq" else WRAP_CENTER
                    if c.source == "id_number":
                        cell.number_format = TEXT_FORMAT
                ws.row_dimensions[row].height = 22 if form.blank else 18
                row += 1
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.print_area = f"A1:{get_column_letter(ncols)}{row - 1}"


def render_collection_xlsx(path: str | os.PathLike[str], data: Sequence[CollectionForm]) -> Path:
    """The forms of ``data`` into one workbook, one sheet per household."""
    if not data:
        raise UserError("没有可导出的信息采集表：所选范围内没有监测对象。")
    wb = Workbook()
    wb.remove(wb.active)
    for name, form in zip(sheet_names(data), data, strict=True):
        _fill_sheet(wb.create_sheet(name), form)
    wb.properties.title = data[0].layout.title
    wb.properties.subject = data[0].layout.warning
    return save_workbook(wb, path)
