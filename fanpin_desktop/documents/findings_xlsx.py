"""数据核查问题清单 as xlsx, one sheet per village, to hand back to the villages for correction.

Plain data in (``services.quality.export_findings_xlsx`` builds it): the first row of every sheet
is the personal-data warning, the second the title, then the header and one row per finding.
Streamed with ``xlsx_util.write_table`` (a township can have tens of thousands of findings).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fanpin_desktop.documents.xlsx_util import PERSONAL_DATA_WARNING, TableSheet, write_table

HEADER = (
    "村",
    "组",
    "户编号",
    "户主",
    "成员",
    "规则编号",
    "规则",
    "严重程度",
    "问题说明",
    "是否豁免",
    "豁免理由",
)
WIDTHS = {0: 12.0, 1: 10.0, 2: 22.0, 3: 10.0, 4: 10.0, 5: 12.0, 6: 28.0, 7: 8.0, 8: 60.0, 9: 8.0, 10: 30.0}


@dataclass(frozen=True)
class VillageFindings:
    """One village's sheet: its name and the rows (values in :data:`HEADER` order)."""

    village: str
    rows: Sequence[Sequence[str]]


def sheet_name(village: str, taken: set[str]) -> str:
    """A valid, unique sheet name (Excel: at most 31 characters, none of []:*?/\\)."""
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in village).strip() or "未分村"
    base = base[:31]
    name, n = base, 2
    while name in taken:
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def write_findings(target: Path, villages: Sequence[VillageFindings], today: dt.date) -> Path:
    """Write the workbook atomically; returns its path."""
    taken: set[str] = set()
    sheets = [
        TableSheet(
            name=sheet_name(v.village, taken),
            header=HEADER,
            rows=v.rows,
            titles=[
                PERSONAL_DATA_WARNING,
                f"{v.village}数据核查问题清单（{today:%Y年%m月%d日}，共 {len(v.rows)} 条，请逐条核对改正后反馈）",
            ],
            text_columns={2, 5},
            widths=WIDTHS,
        )
        for v in villages
    ]
    return write_table(target, sheets)
