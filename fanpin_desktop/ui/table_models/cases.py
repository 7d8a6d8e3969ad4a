"""Item models of the 监测对象 page: the lazy case list, the 待办 lines and the statistics tables.

``CaseTableModel`` holds only the case ids of the current filters and fetches the rows the view
asks for in blocks (like the registry's ``HouseholdTableModel``): one block query per screenful.
Sorting by a column header fetches every row of the current result once (a township has a few
thousand cases at most) and orders them by ``SORT_ROLE``; no sort column is the service's order
(village, group, 户编号, clue date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from fanpin_desktop.services.cases.types import STATUS_LABELS, CaseRow
from fanpin_desktop.ui.table_models.base import (
    CENTER,
    ID_ROLE,
    SORT_ROLE,
    Column,
    Index,
)
from fanpin_desktop.ui.table_models.lazy import LazyIdTableModel, RowFetcher

OVERDUE = QColor("#c5221f")
_STATUS_COLOURS = {
    "线索": QColor("#a15c00"),
    "识别中": QColor("#a15c00"),
    "已纳入": QColor("#b3261e"),
    "消除中": QColor("#1a73e8"),
    "已回退": QColor("#b3261e"),
    "已消除": QColor("#2e7d32"),
    "不纳入": QColor("#5f6368"),
}
_STATUS_ORDER = {status: i for i, status in enumerate(STATUS_LABELS)}


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def place(row: CaseRow) -> str:
    return f"{row.village} {row.group}".strip()


def risks_text(row: CaseRow) -> str:
    return "、".join(row.risks)


def due_text(row: CaseRow) -> str:
    """The 到期日 cell: the date, and the note when the date cannot be computed (a holiday year
    not entered yet)."""
    return f"{_date(row.next_due)}{row.note}" if row.note else _date(row.next_due)


class CaseTableModel(LazyIdTableModel):
    """The 监测对象 list: case ids of the current filters, rows fetched in blocks as they show."""

    COL_HEAD = 0
    COL_PLACE = 1
    COL_STATUS = 2
    COL_CATEGORY = 3
    COL_RISKS = 4
    COL_IDENTIFIED = 5
    COL_CONTACT = 6
    COL_VISIT = 7
    COL_NEXT = 8
    COL_DUE = 9
    COLUMNS: tuple[Column, ...] = (
        Column("户主", lambda r: r.head_name, lambda r: r.head_name),
        Column("村/组", place, lambda r: (r.village, r.group, r.code)),
        Column(
            "状态", lambda r: STATUS_LABELS.get(r.status, r.status), lambda r: _STATUS_ORDER.get(r.status, 99)
        ),
        Column("类别", lambda r: r.category),
        Column("主要风险", risks_text, tooltip="按主次顺序排列，第一项为主要风险"),
        Column("识别监测时间", lambda r: _date(r.identified_on), lambda r: r.identified_on, CENTER),
        Column("帮扶联系人", lambda r: r.contact),
        Column("最近走访", lambda r: _date(r.last_visit_on), lambda r: r.last_visit_on, CENTER),
        Column("下一件事", lambda r: r.next_thing),
        Column(
            "到期日",
            due_text,
            lambda r: r.next_due,
            tooltip="下一件事应完成的日期；红色为已超期",
        ),
    )
    HEADERS = tuple(c.header for c in COLUMNS)
    ROW_TYPE = CaseRow

    def __init__(self, fetch: RowFetcher, parent: Any = None) -> None:
        super().__init__(fetch, parent)
        self._service_order: list[int] = []
        self._sort: tuple[int, bool] = (-1, False)

    def set_ids(self, ids: Iterable[int]) -> None:
        """Show these cases (a new filter result, in the service's order; the header's sort, if
        any, is applied again). Cached rows are kept: ``invalidate`` forgets them."""
        new = list(ids)
        self._service_order = new
        column, descending = self._sort
        self._show_ids(self._sorted(new, column, descending) if column >= 0 else new)

    def case_id(self, row: int) -> int | None:
        return self.record_id(row)

    # ------------------------------------------------------------------ Qt model API

    def _header_tooltip(self, section: int) -> str | None:
        return self.COLUMNS[section].tooltip if 0 <= section < len(self.COLUMNS) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == ID_ROLE:
            return self._ids[index.row()]
        col = index.column()
        column = self.COLUMNS[col]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align)
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            SORT_ROLE,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.ForegroundRole,
        ):
            return None
        row = self.row_data(index.row())
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return "（已删除）" if col == self.COL_HEAD else ""
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == SORT_ROLE:
            return column.sort(row) if column.sort else column.text(row)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col in (self.COL_NEXT, self.COL_DUE) and row.overdue:
                return OVERDUE
            if col == self.COL_STATUS:
                return _STATUS_COLOURS.get(row.status)
            return None
        return self._tooltip(row, col)

    def _tooltip(self, row: CaseRow, col: int) -> str | None:
        if col == self.COL_DUE:
            parts = []
            if row.next_thing:
                parts.append(f"{row.next_thing}：应于{_date(row.next_due) or '（日期未定）'}前完成")
            if row.overdue:
                parts.append("已超期")
            if row.note:
                parts.append(row.note.strip("（）") + "，请在“系统设置—节假日”中录入该年的节假日和调休上班日")
            return "；".join(parts) or None
        if col == self.COL_RISKS and row.risks:
            return "\n".join(f"{i}. {risk}" for i, risk in enumerate(row.risks, 1))
        if col == self.COL_PLACE and row.code:
            return f"户编号：{row.code}"
        if col == self.COL_NEXT and row.overdue:
            return "已超期"
        return None

    # ------------------------------------------------------------------ sorting

    def _sorted(self, ids: list[int], column: int, descending: bool) -> list[int]:
        for start in range(0, len(ids), self.BLOCK):
            self._fetch_ids(ids[start : start + self.BLOCK])  # ids may differ from the shown ones
        sort = self.COLUMNS[column].sort or self.COLUMNS[column].text

        def value(cid: int) -> tuple[bool, Any]:
            row = self._rows.get(cid)
            if not isinstance(row, CaseRow):
                return (True, "")
            v = sort(row)
            return (v is None or v == "", v if v is not None else "")

        present = [cid for cid in ids if not value(cid)[0]]
        blank = [cid for cid in ids if value(cid)[0]]
        present.sort(key=lambda cid: value(cid)[1], reverse=descending)
        return present + blank  # blanks last either way

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Reorder the rows by a column (-1: the service's order)."""
        descending = order == Qt.SortOrder.DescendingOrder
        self._sort = (column, descending) if 0 <= column < len(self.COLUMNS) else (-1, False)
        if not self._ids:
            return
        new_ids = (
            self._sorted(list(self._service_order), column, descending)
            if self._sort[0] >= 0
            else list(self._service_order)
        )
        self.reorder(new_ids)
