"""The 部门预警 page's lists: the departments' warnings and the county's problem list.

Rows are the plain rows of ``services.warnings`` and ``services.county_problems``. A warning over
the settings' thresholds (医保 single self-paid / yearly) is shaded red with the reason in its
tooltip; a row not matched to a household is shaded amber, one waiting for the clerk's confirmation
(matched by name and village only) yellow; a closed one is grey-green.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from fanpin_desktop.domain.ids import mask
from fanpin_desktop.ui.table_models.base import RIGHT, Column, RowsModel

RED_BG = QBrush(QColor("#fce8e6"))
RED_FG = QBrush(QColor("#a50e0e"))
AMBER_BG = QBrush(QColor("#fff4e5"))
YELLOW_BG = QBrush(QColor("#fffbe6"))
DONE_FG = QBrush(QColor("#1e7e34"))
GREY_FG = QBrush(QColor("#6b7280"))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _money(value: Decimal | float | int | None) -> str:
    if value is None:
        return ""
    return f"{Decimal(str(value)):,.2f}"


def _money_sort(value: Any) -> float:
    return float(value) if value is not None else -1.0


def _date_sort(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _outcome(row: Any) -> str:
    if not row.outcome:
        return ""
    text = row.outcome
    if row.outcome_reason:
        text += f"：{row.outcome_reason}"
    return text


def _person(row: Any) -> str:
    return row.person_name or ""


REASON, AMOUNT, OUTCOME = 5, 6, 8  # WarningTableModel's columns


class WarningTableModel(RowsModel):
    """部门预警: one row per received warning (``services.warnings.WarningRow``)."""

    COLUMNS = (
        Column("部门", lambda r: r.department),
        Column("收到日期", lambda r: _text(r.received_on), lambda r: _date_sort(r.received_on)),
        Column("姓名", _person),
        Column("村", lambda r: r.village_name or r.household_village or ""),
        Column("户主", lambda r: r.head_name or "", tooltip="匹配到的农户的户主"),
        Column("预警事项", lambda r: r.reason or ""),
        Column("金额（元）", lambda r: _money(r.amount), lambda r: _money_sort(r.amount), RIGHT),
        Column("匹配状态", lambda r: r.match_status),
        Column("处理结果", _outcome),
    )

    def style_data(self, row: Any, column: int, role: int) -> Any:
        over = bool(row.over_threshold)
        if role == Qt.ItemDataRole.BackgroundRole:
            if over:
                return RED_BG
            if row.match_status == "未匹配":
                return AMBER_BG
            if row.match_status == "待确认":
                return YELLOW_BG
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if over and column == AMOUNT:
                return RED_FG
            if row.outcome and column == OUTCOME:
                return DONE_FG if row.outcome == "纳入监测" else GREY_FG
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = []
            if over and row.threshold_reason:
                parts.append(f"超标：{row.threshold_reason}")
            if row.match_note:
                parts.append(row.match_note)
            if column == REASON and row.reason:
                parts.insert(0, row.reason)
            if column == OUTCOME and row.outcome:
                parts.insert(0, _outcome(row))
            return "\n".join(parts) or None
        return None


class ProblemItemTableModel(RowsModel):
    """县级问题清单: one row per item of a county-sent list (``services.county_problems``)."""

    COLUMNS = (
        Column("村", lambda r: r.village_name or r.household_village or ""),
        Column("户主", lambda r: r.head_name or r.person_name or ""),
        Column("证件号码", lambda r: mask(r.id_number) if r.id_number else ""),
        Column("问题", lambda r: " ".join(x for x in (r.rule_code, r.problem) if x)),
        Column("匹配", lambda r: r.match_status),
        Column("状态", lambda r: r.status),
        Column("理由", lambda r: r.resolution or ""),
    )

    def style_data(self, row: Any, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.match_status == "未匹配":
                return AMBER_BG
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 5 and row.status == "已整改":
                return DONE_FG
            if column == 5 and row.status == "无需整改":
                return GREY_FG
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 3 and row.problem:
                return " ".join(x for x in (row.rule_code, row.problem) if x)
            if column == 6 and row.resolution:
                return row.resolution
            if row.match_note:
                return row.match_note
            return None
        return None
