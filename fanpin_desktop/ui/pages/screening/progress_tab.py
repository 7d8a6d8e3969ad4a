"""Progress of the screening: 已排查/应排查 per village, and the households still missing."""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.services import stats
from fanpin_desktop.ui.common import list_keys, record_table
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.table_models.screening import SORT_ROLE, MissingHouseholdsModel, ProgressModel
from fanpin_desktop.ui.widgets import icon

log = logging.getLogger(__name__)


class ProgressBarDelegate(QStyledItemDelegate):
    """已排查/应排查 drawn as a bar behind the text (green when complete)."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        percent = index.data(SORT_ROLE)
        if not isinstance(percent, (int, float)):
            super().paint(painter, option, index)
            return
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        track = option.rect.adjusted(6, 5, -6, -5)
        painter.fillRect(track, QColor("#e8eaed"))
        done = QRect(
            track.left(), track.top(), int(track.width() * min(percent, 100.0) / 100.0), track.height()
        )
        painter.fillRect(done, QColor("#81c995") if percent >= 100 else QColor("#8ab4f8"))
        painter.setPen(QColor("#202124"))
        painter.drawText(track, Qt.AlignmentFlag.AlignCenter, str(index.data()))
        painter.restore()


class ProgressTab(QWidget):
    open_requested = Signal(object, bool)  # household id, unscreened only

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self._campaign_id: int | None = None
        self.model = ProgressModel(parent=self)
        self.view = record_table(self.model, (90, 110, 110, 90))
        self.view.setItemDelegateForColumn(ProgressModel.COL_PERCENT, ProgressBarDelegate(self.view))
        self.missing_model = MissingHouseholdsModel(parent=self)
        self.missing_proxy = QSortFilterProxyModel(self)
        self.missing_proxy.setSourceModel(self.missing_model)
        self.missing_proxy.setSortRole(SORT_ROLE)
        self.missing_view = record_table(self.missing_proxy, (80, 70, 140, 80, 46, 70), sortable=True)
        self.missing_label = QLabel()
        self.open_button = QPushButton(icon("fa5s.edit"), "录入所选户")
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(QLabel("各村排查进度（已排查/应排查）"))
        tl.addWidget(self.view)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.missing_label)
        bl.addWidget(self.missing_view, 1)
        bl.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignRight)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([300, 400])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.view.selectionModel().currentRowChanged.connect(self._village_changed)
        self.missing_view.doubleClicked.connect(lambda _i: self.open_selected())
        self.open_button.clicked.connect(self.open_selected)
        list_keys(self.missing_view, opens=self.open_selected)

    def set_campaign(self, campaign_id: int | None) -> None:
        self._campaign_id = campaign_id
        self.refresh()

    def refresh(self) -> None:
        if self._campaign_id is None:
            self.model.set_rows([])
            self.missing_model.set_rows([])
            return
        keep = self.selected_village()
        rows = self.ops.read(stats.progress, self._campaign_id)
        self.model.set_rows(rows)
        r = self.model.row_of(keep) if keep is not None else None
        self.view.selectRow(r if r is not None else 0)
        self._village_changed(self.view.currentIndex(), QModelIndex())

    def selected_village(self) -> int | None:
        index = self.view.currentIndex()
        row = self.model.row_data(index.row()) if index.isValid() else None
        return row.village_id if row else None

    def select_village(self, village_id: int | None) -> None:
        r = self.model.row_of(village_id) if village_id is not None else None
        if r is not None:
            self.view.selectRow(r)

    def _village_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_data(current.row()) if current.isValid() else None
        if row is None or self._campaign_id is None:
            self.missing_model.set_rows([])
            self.missing_label.setText("")
            return
        missing = self.ops.read(stats.missing_households, self._campaign_id, row.village_id)
        self.missing_model.set_rows(missing)
        where = row.village if row.village_id is not None else "全乡镇"
        self.missing_label.setText(
            f"{where}尚未排查的农户：{len(missing)} 户" if missing else f"{where}的农户已全部排查。"
        )

    def current_missing_id(self) -> int | None:
        index = self.missing_view.currentIndex()
        if not index.isValid():
            return None
        row = self.missing_model.row_data(self.missing_proxy.mapToSource(index).row())
        return row.household_id if row else None

    def open_selected(self) -> None:
        hid = self.current_missing_id()
        if hid is not None:
            self.open_requested.emit(hid, True)
