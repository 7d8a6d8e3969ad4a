"""The one read-only table-model base, its item roles and the column description.

Every list the UI shows is a flat, read-only, selectable table. ``ReadOnlyTableModel`` gives the
Qt plumbing (counts, flags, headers, numbered rows); a subclass says how many rows there are
(``_count``) and what a cell shows (``data``). ``RowsModel`` is the common case: a list of plain
service rows described by a table of ``Column``s, with ``SORT_ROLE`` giving native values to a
``QSortFilterProxyModel`` and ``ID_ROLE`` the record's id. A model for tens of thousands of rows
(the registry, the 监测对象 list) subclasses ``lazy.LazyIdTableModel``, which fetches rows in blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex

SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # native values (int, str, date) for sorting
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # the record's id (household, member, village, problem)
VALUE_ROLE = Qt.ItemDataRole.UserRole + 3  # the raw cell value (stats: a (户, 人) tuple or an int)
DELTA_ROLE = Qt.ItemDataRole.UserRole + 4  # stats: the change since last week (None: unchanged)
KEY_ROLE = Qt.ItemDataRole.UserRole + 5  # a row's key when it has no id yet (a member being added)

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class ReadOnlyTableModel(QAbstractTableModel):
    """A flat, read-only, selectable table with the column titles ``HEADERS``; subclasses give
    ``_count()`` (the number of rows) and ``data``. The vertical header numbers the rows unless
    ``NUMBERED_ROWS`` is False."""

    HEADERS: Sequence[str] = ()
    NUMBERED_ROWS = True

    def _count(self) -> int:
        raise NotImplementedError

    def _headers(self) -> Sequence[str]:
        return self.HEADERS

    def _header_tooltip(self, section: int) -> str | None:
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else self._count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._headers())

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            headers = self._headers()
            if not 0 <= section < len(headers):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return headers[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._header_tooltip(section)
            return None
        if role != Qt.ItemDataRole.DisplayRole or not self.NUMBERED_ROWS:
            return None
        return str(section + 1) if 0 <= section < self._count() else None


@dataclass(frozen=True)
class Column:
    """One column of a ``RowsModel``: its title, the text of a row's cell, its sort value."""

    header: str
    text: Callable[[Any], str]
    sort: Callable[[Any], Any] | None = None
    align: Qt.AlignmentFlag = LEFT
    tooltip: str | None = None


def key_column(header: str, key: str) -> Column:
    """A column showing ``row[key]`` of dict rows (blank for None)."""
    return Column(header, lambda row: "" if row.get(key) is None else str(row.get(key)))


class RowsModel(ReadOnlyTableModel):
    """A read-only table of plain rows described by ``COLUMNS``; subclasses add colours
    (``style_data``) and may pass their columns to the constructor instead."""

    COLUMNS: Sequence[Column] = ()

    def __init__(
        self, rows: Sequence[Any] = (), parent: Any = None, columns: Sequence[Column] | None = None
    ) -> None:
        super().__init__(parent)
        self._rows: list[Any] = list(rows)
        if columns is not None:
            self.COLUMNS = tuple(columns)

    # ------------------------------------------------------------------ rows

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_data(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_id(self, row: Any) -> int | None:
        return getattr(row, "id", None)

    def row_of(self, record_id: int) -> int | None:
        for r, row in enumerate(self._rows):
            if self.row_id(row) == record_id:
                return r
        return None

    # ------------------------------------------------------------------ Qt API

    def _count(self) -> int:
        return len(self._rows)

    def _headers(self) -> Sequence[str]:
        return [col.header for col in self.COLUMNS]

    def _header_tooltip(self, section: int) -> str | None:
        return self.COLUMNS[section].tooltip

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(row)
        if role == SORT_ROLE:
            return col.sort(row) if col.sort else col.text(row)
        if role == ID_ROLE:
            return self.row_id(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(col.align)
        return self.style_data(row, index.column(), role)

    def style_data(self, row: Any, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self.COLUMNS[column].text(row)
            return text if len(text) > 12 else None
        return None
