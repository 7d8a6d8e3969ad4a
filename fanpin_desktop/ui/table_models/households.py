"""Item models of the household registry.

``HouseholdTableModel`` holds only the list of household ids of the current search and fetches
the rows the view asks for in blocks, keeping them in a cache (the shape of Anki's browser
model): a 20,000-household registry costs one block query per screenful, not 20,000 rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from fanpin_desktop.domain.ids import age_on
from fanpin_desktop.services import households as svc
from fanpin_desktop.services.households import HistoryEntry, HouseholdRow, MemberDraft
from fanpin_desktop.ui.table_models.base import ID_ROLE, KEY_ROLE, SORT_ROLE, Index, ReadOnlyTableModel
from fanpin_desktop.ui.table_models.lazy import LazyIdTableModel

_STATUS_COLOURS = {
    svc.STATUS_ACTIVE: QColor("#b3261e"),
    svc.STATUS_PENDING: QColor("#a15c00"),
    svc.STATUS_ELIMINATED: QColor("#2e7d32"),
}

Sorter = Callable[[str | None, bool], Sequence[int]]


class HouseholdTableModel(LazyIdTableModel):
    COL_VILLAGE = 0
    COL_GROUP = 1
    COL_CODE = 2
    COL_HEAD = 3
    COL_HEAD_ID = 4
    COL_SIZE = 5
    COL_TYPE = 6
    COL_STATUS = 7
    COL_PHONE = 8
    COL_FLAGS = 9
    HEADERS = (
        "行政村",
        "村民小组",
        "户编号",
        "户主",
        "户主证件号码",
        "人口",
        "户类型",
        "监测状态",
        "联系电话",
        "标识",
    )
    #: the service's sort key for each column (None: the column cannot be sorted by the service)
    SORT_KEYS: dict[int, str | None] = {
        COL_VILLAGE: svc.SORT_VILLAGE,
        COL_GROUP: svc.SORT_GROUP,
        COL_CODE: svc.SORT_CODE,
        COL_HEAD: svc.SORT_HEAD,
        COL_HEAD_ID: svc.SORT_HEAD_ID,
        COL_SIZE: svc.SORT_SIZE,
        COL_TYPE: svc.SORT_TYPE,
        COL_STATUS: svc.SORT_STATUS,
        COL_PHONE: svc.SORT_PHONE,
        COL_FLAGS: None,
    }
    ROW_TYPE = HouseholdRow

    def __init__(
        self,
        fetch: Callable[[Sequence[int]], Mapping[int, HouseholdRow]],
        sorter: Sorter | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(fetch, parent)
        self._sorter = sorter

    def set_ids(self, ids: Iterable[int]) -> None:
        """Show these households in this order (a new search result). Cached rows are kept."""
        self._show_ids(list(ids))

    def household_id(self, row: int) -> int | None:
        return self.record_id(row)

    # ------------------------------------------------------------------ Qt model API

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            SORT_ROLE,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.TextAlignmentRole,
        ):
            return None
        col = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col == self.COL_SIZE:
                return Qt.AlignmentFlag.AlignCenter
            return None
        row = self.row_data(index.row())
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return "（已删除）" if col == self.COL_HEAD else ""
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return _STATUS_COLOURS.get(row.monitoring_status) if col == self.COL_STATUS else None
        if role == SORT_ROLE:
            return self._sort_value(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.COL_FLAGS and row.flags:
                return "、".join(row.flags)
            if col == self.COL_HEAD_ID:
                return "证件号码已脱敏显示；打开本户可查看完整号码"
            return None
        return self._display(row, col)

    def _display(self, row: HouseholdRow, col: int) -> str:
        if col == self.COL_VILLAGE:
            return row.village
        if col == self.COL_GROUP:
            return row.group
        if col == self.COL_CODE:
            return row.code
        if col == self.COL_HEAD:
            return row.head_name
        if col == self.COL_HEAD_ID:
            return row.head_id_masked
        if col == self.COL_SIZE:
            return str(row.size)
        if col == self.COL_TYPE:
            return row.household_type
        if col == self.COL_STATUS:
            return row.monitoring_status
        if col == self.COL_PHONE:
            return row.phone
        if col == self.COL_FLAGS:
            return "、".join(row.flags)
        return ""

    def _sort_value(self, row: HouseholdRow, col: int) -> Any:
        if col == self.COL_VILLAGE:
            return row.village_order
        if col == self.COL_GROUP:
            return row.group_order
        if col == self.COL_HEAD:
            return row.head_initials
        if col == self.COL_SIZE:
            return row.size
        if col == self.COL_STATUS:
            return svc.MONITORING_STATUSES.index(row.monitoring_status)
        if col == self.COL_FLAGS:
            return len(row.flags)
        return self._display(row, col)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Reorder the rows. With a sorter (the page's search) the order comes from the service;
        without one, rows are fetched and sorted here by SORT_ROLE (fine for small lists)."""
        if not self._ids:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if self._sorter is not None:
            key = self.SORT_KEYS.get(column) if column >= 0 else None
            new_ids = list(self._sorter(key, descending))
        elif column < 0:
            return
        else:
            self._fetch_all()
            rows = {hid: self._rows.get(hid) for hid in self._ids}

            def value(hid: int) -> tuple[bool, Any]:
                r = rows[hid]
                v = self._sort_value(r, column) if isinstance(r, HouseholdRow) else None
                return (v is None, v) if not descending else (v is not None, v)

            new_ids = sorted(self._ids, key=value, reverse=descending)
        if set(new_ids) != set(self._ids):
            self.set_ids(new_ids)  # the search result changed meanwhile
            return
        self.reorder(new_ids)


# --------------------------------------------------------------------------- the editor's tables


class MemberTableModel(ReadOnlyTableModel):
    """The members of a household draft (the editor's 家庭成员 tab); edits go through dialogs."""

    HEADERS = (
        "姓名",
        "与户主关系",
        "待保存",
        "证件号码",
        "性别",
        "出生日期",
        "年龄",
        "健康状况",
        "劳动技能",
        "文化程度/在校生状况",
        "联系电话",
        "备注",
    )
    KEY_ROLE = KEY_ROLE

    def __init__(
        self, members: list[MemberDraft] | None = None, today: dt.date | None = None, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._members: list[MemberDraft] = members if members is not None else []
        self._today = today or dt.date.today()
        self._move_labels: dict[int, str] = {}  # household id -> label, for pending moves

    def set_members(self, members: list[MemberDraft]) -> None:
        self.beginResetModel()
        self._members = members
        self.endResetModel()

    def set_move_label(self, household_id: int, label: str) -> None:
        self._move_labels[household_id] = label

    def refresh(self) -> None:
        """The draft list was changed in place (added, removed, reordered)."""
        self.beginResetModel()
        self.endResetModel()

    def member_at(self, row: int) -> MemberDraft | None:
        return self._members[row] if 0 <= row < len(self._members) else None

    def row_of_key(self, key: int) -> int | None:
        return next((i for i, m in enumerate(self._members) if m.key == key), None)

    def _count(self) -> int:
        return len(self._members)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._members):
            return None
        m = self._members[index.row()]
        if role == self.KEY_ROLE:
            return m.key
        if role == Qt.ItemDataRole.ForegroundRole and m.move_to_household_id is not None:
            return QColor("#888888")
        if role == Qt.ItemDataRole.FontRole and m.relation == svc.HEAD and m.move_to_household_id is None:
            font = QFont()
            font.setBold(True)
            return font
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        col = index.column()
        if col == 2:
            if m.move_to_household_id is not None:
                target = self._move_labels.get(m.move_to_household_id, "其他户")
                return f"迁往{target}（{m.move_relation or ''}）"
            return "新增" if m.id is None else ""
        values = (
            m.name,
            m.relation,
            None,
            m.id_number,
            m.sex or "",
            m.birth_date.isoformat() if m.birth_date else "",
            str(age_on(m.birth_date, self._today)) if m.birth_date else "",
            m.health or "",
            m.labour_skill or "",
            m.schooling or m.education or "",
            m.phone or "",
            m.note or "",
        )
        return values[col] if 0 <= col < len(values) else None


class HistoryTableModel(ReadOnlyTableModel):
    """A household's change history (newest first), read-only."""

    HEADERS = ("时间", "操作人", "操作", "对象", "项目", "原值", "新值")
    NUMBERED_ROWS = False

    def __init__(self, entries: Sequence[HistoryEntry] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self._entries = list(entries)

    def set_entries(self, entries: Sequence[HistoryEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entry(self, row: int) -> HistoryEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def _count(self) -> int:
        return len(self._entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        e = self._entries[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (5, 6):
            return e.old_value if index.column() == 5 else e.new_value
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        values = (
            e.at.strftime("%Y-%m-%d %H:%M"),
            e.user,
            e.action,
            e.subject,
            e.field,
            e.old_value,
            e.new_value,
        )
        return values[index.column()] if 0 <= index.column() < len(values) else None
