"""附件1 到户排查表 of one village: every household in paper order with its screening state.

The list is what the clerk starts entry from: 开始录入 opens the entry form on the first household
not yet screened, Enter or a double click opens the selected one.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.services import screening
from fanpin_desktop.ui.common import list_keys, record_table
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.table_models.screening import SORT_ROLE, HouseholdScreeningModel
from fanpin_desktop.ui.widgets import icon

log = logging.getLogger(__name__)


class _Filter(QSortFilterProxyModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.unscreened_only = False

    def filterAcceptsRow(self, source_row: int, _parent: Any) -> bool:  # noqa: N802 - Qt API
        row = self.sourceModel().row_data(source_row)  # type: ignore[attr-defined]
        if row is None:
            return False
        if self.unscreened_only and row["screened"]:
            return False
        if self.text:
            hay = f"{row['village_group']} {row['head_name']} {row.get('household_type') or ''}"
            return self.text in hay
        return True


class HouseholdsTab(QWidget):
    """The appendix 1 list of a village (or of every village)."""

    open_requested = Signal(object, bool)  # household id (None: first unscreened), unscreened only

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self._campaign_id: int | None = None
        self._village_id: int | None = None

        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("在列表中筛选：户主姓名或村组")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(220)
        self.unscreened = QCheckBox("只看未排查户")
        self.start_button = QPushButton(icon("fa5s.keyboard", "#ffffff"), "开始录入（从第一户未排查户）")
        self.start_button.setStyleSheet(
            "QPushButton { background:#1a62c6; color:white; font-weight:bold;"
            " padding:5px 12px; border-radius:4px; }"
        )
        self.open_button = QPushButton(icon("fa5s.edit"), "录入/修改所选户")
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.filter_edit)
        top.addWidget(self.unscreened)
        top.addWidget(self.open_button)
        top.addWidget(self.start_button)

        self.model = HouseholdScreeningModel(parent=self)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = record_table(self.proxy, (110, 80, 46, 70, 70, 70, 70, 80), sortable=True)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)

        self.filter_edit.textChanged.connect(self._apply_filter)
        self.unscreened.toggled.connect(lambda _c: self._apply_filter())
        self.start_button.clicked.connect(lambda: self.open_requested.emit(None, True))
        self.open_button.clicked.connect(self.open_selected)
        self.view.doubleClicked.connect(lambda _i: self.open_selected())
        list_keys(self.view, opens=self.open_selected)

    def set_scope(self, campaign_id: int | None, village_id: int | None) -> None:
        self._campaign_id, self._village_id = campaign_id, village_id
        self.refresh()

    def refresh(self) -> None:
        if self._campaign_id is None:
            self.model.set_rows([])
            return
        keep = self.current_household_id()
        rows = self.ops.read(screening.appendix1_list, self._campaign_id, self._village_id)
        self.model.set_rows(rows)
        done = sum(1 for r in rows if r["screened"])
        overrides = sum(1 for r in rows if r["overrides"])
        monitor = sum(1 for r in rows if r.get("should_monitor"))
        self.summary.setText(
            f"<b>已排查 {done} / {len(rows)} 户</b>　改动系统建议的 {overrides} 户　"
            f"认为应纳入监测的 <span style='color:#a50e0e'>{monitor}</span> 户"
        )
        if keep is not None:
            self.select_household(keep)

    def _apply_filter(self) -> None:
        self.proxy.text = self.filter_edit.text().strip()
        self.proxy.unscreened_only = self.unscreened.isChecked()
        self.proxy.invalidate()

    def current_household_id(self) -> int | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        row = self.model.row_data(self.proxy.mapToSource(index).row())
        return row["household_id"] if row else None

    def select_household(self, household_id: int) -> bool:
        r = self.model.row_of(household_id)
        if r is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(r, 0))
        if not index.isValid():
            return False
        self.view.setCurrentIndex(index)
        self.view.selectRow(index.row())
        return True

    def open_selected(self) -> None:
        hid = self.current_household_id()
        if hid is not None:
            self.open_requested.emit(hid, False)
