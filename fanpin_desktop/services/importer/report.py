"""The error report workbook handed back to the village: every problem with row, column, value and
reason, followed by the original row exactly as it was in the file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from fanpin_desktop.documents.xlsx_util import PERSONAL_DATA_WARNING, save_workbook, set_text
from fanpin_desktop.services.importer.normalise import cell_text
from fanpin_desktop.services.importer.validate import ERROR

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(value: Any) -> Any:
    """Text an .xlsx file can hold: control characters (which openpyxl refuses) shown as "�"."""
    return _CONTROL.sub("\ufffd", value) if isinstance(value, str) else value


if TYPE_CHECKING:
    from fanpin_desktop.services.importer.plan import ImportPlan
    from fanpin_desktop.services.importer.reading import Source

FIXED = ["行号", "列", "列号", "值", "问题", "类别"]
_ERROR_FILL = PatternFill("solid", fgColor="FFF2CC")


def _original_rows(src: Source | None, rows: set[int]) -> dict[int, list[Any]]:
    """1-based row number → the row's cells as read from the file (only the rows asked for)."""
    if (
        src is None
        or not rows
        or (src.kind == "excel" and src._sheet is None)
        or (src.kind == "csv" and src._rows is None)
    ):
        return {}
    out: dict[int, list[Any]] = {}
    last = max(rows)
    for n, row in src.iter_rows(0):
        if n + 1 in rows:
            out[n + 1] = row
        if n + 1 >= last:
            break
    return out


def write_error_report(target: str | Path, plan: ImportPlan, src: Source | None = None) -> Path:
    """Save the problems of ``plan`` (errors first, then warnings, by row) with the original rows."""
    parsed = plan.parsed
    labels = parsed.header.labels
    issues = sorted(plan.issues, key=lambda x: (x.severity != ERROR, x.row or 0))
    originals = _original_rows(src, {x.row for x in issues if x.row is not None})
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    ws.append(
        [
            f"{_clean(parsed.path.name)}（工作表“{_clean(parsed.sheet)}”）导入检查结果：错误 {sum(1 for x in issues if x.is_error)} 条，"
            f"警告 {sum(1 for x in issues if not x.is_error)} 条。有错误的行没有导入，请改正后重新提交。"
            f"{PERSONAL_DATA_WARNING}。"
        ]
    )
    ws["A1"].font = Font(bold=True, size=12)
    header = FIXED + [_clean(f"原表：{x}") if x else f"原表：第{i + 1}列" for i, x in enumerate(labels)]
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    r = 2
    for issue in issues:
        r += 1
        ws.cell(r, 1, issue.row)
        ws.cell(r, 2, _clean(issue.column))
        ws.cell(r, 3, issue.letter)
        set_text(ws.cell(r, 4), _clean(issue.value))
        ws.cell(r, 5, _clean(issue.message))
        ws.cell(r, 6, issue.severity)
        if issue.is_error:
            for c in range(1, 7):
                ws.cell(r, c).fill = _ERROR_FILL
        original = originals.get(issue.row or -1)
        if original:
            for j, value in enumerate(original[: max(len(labels), 1) + 5]):
                if value is None or value == "":
                    continue
                set_text(ws.cell(r, len(FIXED) + 1 + j), _clean(cell_text(value)))
    for col, width in zip("ABCDEF", (8, 16, 6, 22, 60, 6), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    kept = plan.case_differences(kept_only=True) if plan.has_case_columns else []
    if kept:
        diff = wb.create_sheet("监测对象未覆盖")
        diff.append(["以下监测对象本地正在办理（线索、识别中或消除中），导入没有覆盖，请核对后在本地处理："])
        diff["A1"].font = Font(bold=True)
        diff.append(["行号", "户", "项目", "本地", "国家系统"])
        for cell in diff[2]:
            cell.font = Font(bold=True)
        for d in kept:
            diff.append([d["row"], _clean(d["household"]), _clean(d["field"])])
            r = diff.max_row
            set_text(diff.cell(r, 4), _clean(d["old"]))
            set_text(diff.cell(r, 5), _clean(d["new"]))
        for col, width in zip("ABCDE", (8, 30, 14, 24, 24), strict=True):
            diff.column_dimensions[col].width = width
    info = wb.create_sheet("导入摘要")
    for line in plan.summary_lines():
        info.append([_clean(line)])
    info.column_dimensions["A"].width = 100
    return save_workbook(wb, target)
