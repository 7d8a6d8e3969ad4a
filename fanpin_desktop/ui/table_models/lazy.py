"""``LazyIdTableModel``: a list of record ids whose rows are fetched in blocks as they show.

The registry (tens of thousands of households) and the 监测对象 list hold only the ids of the
current search and ask a fetch function for the rows the view paints, a block at a time, keeping
them in a bounded cache (the shape of Anki's browser model): one block query per screenful. A
subclass says what a cell shows (``data``) and may reorder rows with :meth:`reorder`, which keeps
the selection on the same records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex

from fanpin_desktop.ui.table_models.base import ReadOnlyTableModel

MISSING = object()  # cached marker: the record no longer exists

RowFetcher = Callable[[Sequence[int]], Mapping[int, Any]]


def runs(rows: Sequence[int]) -> Iterable[tuple[int, int]]:
    """[1, 2, 3, 7, 8] -> (1, 3), (7, 8)."""
    start = prev = None
    for r in rows:
        if start is None:
            start = prev = r
        elif r == prev + 1:
            prev = r
        else:
            yield start, prev
            start = prev = r
    if start is not None:
        yield start, prev


class LazyIdTableModel(ReadOnlyTableModel):
    #: the class of the rows ``fetch`` returns (anything else cached means "gone")
    ROW_TYPE: type = object
    BLOCK = 120  # rows fetched at once: a screenful and a half
    CACHE_LIMIT = 6000  # rows kept; the cache starts afresh beyond this

    def __init__(self, fetch: RowFetcher, parent: Any = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._ids: list[int] = []
        self._rows: dict[int, Any] = {}
        self._row_of: dict[int, int] | None = None
        self.fetch_count = 0  # block queries made (for tests and the benchmarks)

    # ------------------------------------------------------------------ ids and rows

    def ids(self) -> list[int]:
        return list(self._ids)

    def _show_ids(self, ids: list[int]) -> None:
        """Show exactly these ids in this order (a reset: the view's selection is cleared)."""
        if ids == self._ids:
            return
        self.beginResetModel()
        self._ids = ids
        self._row_of = None
        self.endResetModel()

    def record_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, record_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {rid: r for r, rid in enumerate(self._ids)}
        return self._row_of.get(record_id)

    def row_data(self, row: int) -> Any:
        """The fetched row shown at ``row``, or None when its record is gone."""
        rid = self.record_id(row)
        if rid is None:
            return None
        value = self._rows.get(rid)
        if value is None:
            self._fetch_block(row)
            value = self._rows.get(rid)
        return value if isinstance(value, self.ROW_TYPE) else None

    def invalidate(self, ids: Iterable[int] | None = None) -> None:
        """Forget cached rows (all when ``ids`` is None) and repaint the rows showing them."""
        last_col = self.columnCount() - 1
        if ids is None:
            self._rows.clear()
            if self._ids:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, last_col))
            return
        rows = []
        for rid in set(ids):
            self._rows.pop(rid, None)
            r = self.row_of(rid)
            if r is not None:
                rows.append(r)
        for first, last in runs(sorted(rows)):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_col))

    def _fetch_block(self, row: int) -> None:
        start = row - row % self.BLOCK
        self._fetch_ids(self._ids[start : start + self.BLOCK])

    def _fetch_ids(self, ids: Sequence[int]) -> None:
        wanted = [rid for rid in ids if rid not in self._rows]
        if not wanted:
            return
        if len(self._rows) + len(wanted) > self.CACHE_LIMIT:
            self._rows.clear()
        fetched = self._fetch(wanted)
        self.fetch_count += 1
        for rid in wanted:
            self._rows[rid] = fetched.get(rid, MISSING)

    def _fetch_all(self) -> None:
        """Every row of the current ids (sorting by a column the service cannot sort by)."""
        for start in range(0, len(self._ids), self.BLOCK):
            self._fetch_ids(self._ids[start : start + self.BLOCK])

    # ------------------------------------------------------------------ Qt model API

    def _count(self) -> int:
        return len(self._ids)

    def reorder(self, new_ids: list[int]) -> None:
        """The same records in a new order; selected and current rows follow their records."""
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        old_ids = [self._ids[i.row()] if i.isValid() else None for i in old_persistent]
        self._ids = new_ids
        self._row_of = None
        new_persistent = []
        for old, rid in zip(old_persistent, old_ids, strict=True):
            r = self.row_of(rid) if rid is not None else None
            new_persistent.append(self.index(r, old.column()) if r is not None else QModelIndex())
        self.changePersistentIndexList(old_persistent, new_persistent)
        self.layoutChanged.emit()
