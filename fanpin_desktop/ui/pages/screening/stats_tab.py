"""附件3 排查情况统计表: the computed report per village and the township total, as on paper.

Every countable cell comes from ``stats.compute``; the few cells that are not records (grids,
grid workers, training head-counts, the scale-risk explanation, COVID-blocked workers, the remark)
are entered per village below the table. The report of each Friday is kept (``stats``' weekly
snapshots): any week can be shown and reprinted, and the change since the previous week's report
is shown in the cells.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.domain import appendix_layouts as layouts
from fanpin_desktop.errors import UserError
from fanpin_desktop.services import screening, stats
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.operations import screening as screening_ops
from fanpin_desktop.ui.table_models.screening import StatsTableModel
from fanpin_desktop.ui.tasks import Task
from fanpin_desktop.ui.widgets import OptionalSpinBox, ValueCombo, icon

log = logging.getLogger(__name__)

LIVE = -1  # the snapshot combo's entry for the report computed now


class GroupedHeader(QHeaderView):
    """A horizontal header with the paper's two levels: group cells spanning their leaf columns
    above the wrapped leaf labels."""

    GROUP_HEIGHT = 34
    PAD = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._groups: list[str | None] = []
        self.setSectionsClickable(False)
        self.setHighlightSections(False)
        self.sectionResized.connect(lambda *_a: self._relayout())

    def set_groups(self, groups: list[str | None]) -> None:
        self._groups = list(groups)
        self._relayout()

    def _relayout(self) -> None:
        self.updateGeometry()
        self.viewport().update()

    def _group(self, logical: int) -> str | None:
        return self._groups[logical] if 0 <= logical < len(self._groups) else None

    def _has_groups(self) -> bool:
        return any(g for g in self._groups)

    def _leaf_text(self, logical: int) -> str:
        model = self.model()
        if model is None:
            return ""
        value = model.headerData(logical, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        return str(value or "")

    def _leaf_height(self) -> int:
        model = self.model()
        fm = QFontMetrics(self.font())
        tallest = fm.height() * 2
        for i in range(model.columnCount() if model else 0):
            w = max(self.sectionSize(i) - 2 * self.PAD, 20)
            r = fm.boundingRect(
                QRect(0, 0, w, 2000),
                Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignCenter,
                self._leaf_text(i),
            )
            tallest = max(tallest, r.height())
        return tallest + 2 * self.PAD + 2

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        size = super().sizeHint()
        size.setHeight(self._leaf_height() + (self.GROUP_HEIGHT if self._has_groups() else 0))
        return size

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:  # noqa: N802 - Qt API
        if not rect.isValid():
            return
        painter.save()
        border = QPen(QColor("#b6bcc4"), 1)
        group = self._group(logical)
        top = rect.top()
        leaf = QRect(rect)
        if group:
            band = QRect(rect.left(), top, rect.width(), self.GROUP_HEIGHT)
            first = last = logical
            while first > 0 and self._group(first - 1) == group:
                first -= 1
            while last + 1 < len(self._groups) and self._group(last + 1) == group:
                last += 1
            x0 = self.sectionViewportPosition(first)
            x1 = self.sectionViewportPosition(last) + self.sectionSize(last)
            span = QRect(x0, top, x1 - x0, self.GROUP_HEIGHT)
            painter.setClipRect(band)
            painter.fillRect(band, QColor("#e8edf4"))
            painter.setPen(border)
            painter.drawRect(span.adjusted(0, 0, -1, -1))
            painter.setPen(QColor("#1f2937"))
            font = QFont(self.font())
            font.setBold(True)
            painter.setFont(font)
            painter.drawText(
                span.adjusted(self.PAD, 1, -self.PAD, -1),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                group,
            )
            painter.setClipping(False)
            leaf.setTop(top + self.GROUP_HEIGHT)
        painter.fillRect(leaf, QColor("#f3f5f8"))
        painter.setPen(border)
        painter.drawRect(leaf.adjusted(0, 0, -1, -1))
        painter.setPen(QColor("#1f2937"))
        painter.setFont(self.font())
        painter.drawText(
            leaf.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            self._leaf_text(logical),
        )
        painter.restore()


class StatsTab(QWidget):
    """The statistics table, the weekly reports, and the per-village inputs."""

    def __init__(self, ops: Operations, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self._today = today
        self._campaign_id: int | None = None
        self._layout: layouts.Layout | None = None
        self.report: stats.StatsReport | None = None
        self.previous: stats.StatsReport | None = None
        self._input_village: int | None = None
        self._wanted_village: int | None = None  # selected once the report is shown
        self.last_snapshot_id: int | None = None

        # ---- controls
        self.snapshot = QComboBox()
        self.snapshot.setMinimumContentsLength(18)
        self.as_of = QDateEdit()
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.as_of.setCalendarPopup(True)
        self.as_of.setDate(QDate(self.today()))
        self.take_button = QPushButton(icon("fa5s.camera"), "保存为本周报表")
        self.take_button.setToolTip("把当前统计保存为本周五的报表（每周五上报；同一周再保存会覆盖）")
        self.show_delta = QCheckBox("显示较上周变化")
        self.show_delta.setChecked(True)
        self.compare_label = QLabel()
        self.compare_label.setStyleSheet("color:#5f6368")
        controls = QHBoxLayout()
        controls.addWidget(QLabel("报表"))
        controls.addWidget(self.snapshot)
        controls.addWidget(QLabel("统计截至"))
        controls.addWidget(self.as_of)
        controls.addWidget(self.take_button)
        controls.addWidget(self.show_delta)
        controls.addWidget(self.compare_label, 1)

        # ---- table
        self.model = StatsTableModel(self)
        self.view = QTableView()
        self.header = GroupedHeader(self.view)
        self.view.setHorizontalHeader(self.header)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(26)
        self.view.setWordWrap(False)

        # ---- inputs of one village
        self.inputs_box = QGroupBox("本村填报项（选中上表中的一个村）")
        self.grid_count = OptionalSpinBox(0, 9999)
        self.grid_worker_count = OptionalSpinBox(0, 9999)
        self.grid_training_count = OptionalSpinBox(0, 99999)
        for w in (self.grid_count, self.grid_worker_count, self.grid_training_count):
            w.setToolTip("不填则按“系统设置—行政村与村民小组”中登记的网格统计")
            w.setFixedWidth(90)
        self.scale_risk = ValueCombo(["是", "否"], blank_text="（未填）")
        self.scale_risk_note = QLineEdit()
        self.scale_risk_note.setPlaceholderText("存在隐患时请详细说明（如暴雨致农作物受灾）")
        self.covid_total = OptionalSpinBox(0, 99999)
        self.covid_solved = OptionalSpinBox(0, 99999)
        for w in (self.covid_total, self.covid_solved):
            w.setFixedWidth(90)
        self.remark = QLineEdit()
        self.save_inputs_button = QPushButton(icon("fa5s.save"), "保存填报项")
        self.inputs_message = QLabel()
        self.inputs_message.setWordWrap(True)
        grids = QHBoxLayout()
        for text, w in (
            ("网格数", self.grid_count),
            ("网格员数", self.grid_worker_count),
            ("网格员培训人次", self.grid_training_count),
        ):
            grids.addWidget(QLabel(text))
            grids.addWidget(w)
            grids.addSpacing(10)
        risk = QHBoxLayout()
        risk.addWidget(self.scale_risk)
        risk.addWidget(self.scale_risk_note, 1)
        covid = QHBoxLayout()
        covid.addWidget(QLabel("总人数"))
        covid.addWidget(self.covid_total)
        covid.addWidget(QLabel("已解决"))
        covid.addWidget(self.covid_solved)
        covid.addStretch(1)
        form = QFormLayout(self.inputs_box)
        # one line for both sets of numbers: the table above keeps the room
        grids.addSpacing(20)
        grids.addWidget(QLabel("因疫情外出务工受阻："))
        grids.addLayout(covid)
        form.addRow("调整后网格", grids)
        form.addRow("规模性返贫风险隐患", risk)
        remark = QHBoxLayout()
        remark.addWidget(self.remark, 2)
        remark.addWidget(self.inputs_message, 1)
        remark.addWidget(self.save_inputs_button)
        form.addRow("备注", remark)

        # the table gets the room (a township has a dozen villages); the inputs scroll when small
        inputs = QScrollArea()
        inputs.setWidget(self.inputs_box)
        inputs.setWidgetResizable(True)
        inputs.setFrameShape(QFrame.Shape.NoFrame)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("statsSplitter")
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(inputs)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([520, 136])

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.splitter, 1)

        self.snapshot.currentIndexChanged.connect(lambda _i: self.show_report())
        self.as_of.dateChanged.connect(lambda _d: self.show_report() if self.snapshot_id() is None else None)
        self.take_button.clicked.connect(lambda: self.take_snapshot())
        self.show_delta.toggled.connect(self._toggle_delta)
        self.save_inputs_button.clicked.connect(lambda: self.save_inputs())
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self._set_inputs_enabled(False)

    def _toggle_delta(self, show: bool) -> None:
        self.model.set_show_delta(show)
        self._row_heights()

    def _row_heights(self) -> None:
        """Two lines per row while some cell shows its change since last week."""
        self.view.verticalHeader().setDefaultSectionSize(42 if self.model.shows_changes else 26)

    # ------------------------------------------------------------------ data

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def set_campaign(self, campaign_id: int | None) -> None:
        self._campaign_id = campaign_id
        self.refresh()

    def refresh(self) -> None:
        """Reload the snapshot list (storing this week's Friday report first when due) and the table."""
        cid = self._campaign_id
        if cid is None:
            self.model.set_report(None, [])
            return
        if self.ops.read(stats.weekly_snapshot_due, cid, self.today()):
            screening_ops.ensure_weekly_snapshot(
                self.ops, cid, self.today(), parent=self, success=lambda _stored: self._load()
            )
            return
        self._load()

    def _load(self) -> None:
        if self._campaign_id is None:
            return
        snaps = self.ops.read(stats.snapshots, self._campaign_id)
        self._layout = self.ops.read(screening.appendix3_layout, self._campaign_id)
        keep = self.snapshot.currentData()
        self.snapshot.blockSignals(True)
        self.snapshot.clear()
        self.snapshot.addItem("实时统计", LIVE)
        for snap in reversed(snaps):
            self.snapshot.addItem(
                f"{snap.report_date:%Y-%m-%d} 周报（{snap.taken_at:%m-%d %H:%M}保存）", snap.id
            )
        i = self.snapshot.findData(keep) if keep is not None else 0
        self.snapshot.setCurrentIndex(max(i, 0))
        self.snapshot.blockSignals(False)
        self.show_report()

    def snapshot_id(self) -> int | None:
        data = self.snapshot.currentData()
        return None if data in (None, LIVE) else int(data)

    def as_of_date(self) -> dt.date:
        return self.as_of.date().toPython()

    def show_report(self) -> None:
        if self._campaign_id is None or self._layout is None:
            return
        keep = self.selected_village()
        if keep is None:
            keep = self._wanted_village
        snap = self.snapshot_id()
        view = self.ops.read(stats.report_view, self._campaign_id, snap, self.as_of_date())
        self.report, self.previous = report, previous = view.report, view.previous
        self.as_of.setEnabled(snap is None)
        self.model.set_report(report, self._layout.columns, previous)
        self.header.set_groups([c.path[0] if c.path else None for c in self.model.columns])
        self._size_columns()
        self._row_heights()
        if previous is not None:
            self.compare_label.setText(
                f"较上周：与 {previous.as_of:%Y-%m-%d} 的周报比较，变化的数字以蓝色标出。"
            )
        else:
            self.compare_label.setText("还没有更早的周报，暂无较上周的变化。")
        r = self.model.row_of(keep) if keep is not None else None
        if r is not None:
            self.view.selectRow(r)
        else:
            self._row_changed(self.view.currentIndex(), QModelIndex())

    #: a column title wraps onto at most this many lines (wider columns, a lower header: room for rows)
    LEAF_LINES = 3

    def _size_columns(self) -> None:
        metrics = QFontMetrics(self.header.font())
        for i, c in enumerate(self.model.columns):
            width = (
                80 if c.kind == "pair" else 64 if c.kind == "int" else 130 if c.key == "scale_risk" else 100
            )
            if c.key == "village":
                width = 72
            title = str(self.model.headerData(i, Qt.Orientation.Horizontal) or "")
            needed = metrics.horizontalAdvance(title) // self.LEAF_LINES + 2 * GroupedHeader.PAD + 16
            self.view.setColumnWidth(i, max(width, needed))
        self.header.updateGeometry()

    def selected_village(self) -> int | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        row = self.model.stats_row(index.row())
        return row.village_id if row else None

    def select_village(self, village_id: int | None) -> None:
        self._wanted_village = village_id
        r = self.model.row_of(village_id) if village_id is not None else None
        if r is not None:
            self.view.selectRow(r)

    # ------------------------------------------------------------------ inputs

    def _set_inputs_enabled(self, enabled: bool) -> None:
        for w in self.inputs_box.findChildren(QWidget):
            if w is not self.inputs_message:
                w.setEnabled(enabled)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.stats_row(current.row()) if current.isValid() else None
        vid = row.village_id if row else None
        self._input_village = vid
        if vid is None or self._campaign_id is None:
            self.inputs_box.setTitle("本村填报项（选中上表中的一个村）")
            self._set_inputs_enabled(False)
            return
        self.inputs_box.setTitle(f"本村填报项：{row.village}")  # type: ignore[union-attr]
        values = self.ops.read(stats.load_inputs, self._campaign_id, vid)
        self.grid_count.set_optional_value(values["grid_count"])
        self.grid_worker_count.set_optional_value(values["grid_worker_count"])
        self.grid_training_count.set_optional_value(values["grid_training_count"])
        flag = values["scale_risk"]
        self.scale_risk.set_value("是" if flag is True else "否" if flag is False else None)
        self.scale_risk_note.setText(values["scale_risk_note"] or "")
        self.covid_total.set_optional_value(values["covid_blocked_total"])
        self.covid_solved.set_optional_value(values["covid_blocked_solved"])
        self.remark.setText(values["remark"] or "")
        self.inputs_message.setText("")
        self._set_inputs_enabled(self.snapshot_id() is None)
        if self.snapshot_id() is not None:
            self.inputs_message.setText("正在查看已保存的周报；要修改填报项，请切换到“实时统计”。")

    def input_values(self) -> dict[str, Any]:
        risk = self.scale_risk.value()
        return {
            "grid_count": self.grid_count.optional_value(),
            "grid_worker_count": self.grid_worker_count.optional_value(),
            "grid_training_count": self.grid_training_count.optional_value(),
            "scale_risk": True if risk == "是" else False if risk == "否" else None,
            "scale_risk_note": self.scale_risk_note.text().strip() or None,
            "covid_blocked_total": self.covid_total.optional_value(),
            "covid_blocked_solved": self.covid_solved.optional_value(),
            "remark": self.remark.text().strip() or None,
        }

    def save_inputs(self, values: dict[str, Any] | None = None) -> Task | None:
        """Save the village's inputs; a value the service refuses is explained under the form."""
        vid, cid = self._input_village, self._campaign_id
        if vid is None or cid is None:
            return None
        values = values if values is not None else self.input_values()

        def saved(_result: object) -> None:
            self.show_report()
            self.select_village(vid)
            # after the reload: showing the village's inputs again clears the message
            self.inputs_message.setText("<span style='color:#1e6b34'>已保存。</span>")

        def refused(exc: UserError) -> None:  # a ValidationError's message names the field
            self.inputs_message.setText(f"<span style='color:#a50e0e'>{exc}</span>")

        return screening_ops.save_stats_inputs(
            self.ops, cid, vid, values, parent=self, success=saved, user_error=refused, origin=self
        )

    # ------------------------------------------------------------------ weekly reports

    def take_snapshot(self) -> Task | None:
        """Store the statistics as this week's report and show it (``last_snapshot_id``)."""
        if self._campaign_id is None:
            return None

        def taken(sid: int) -> None:
            self.last_snapshot_id = sid
            self.refresh()
            i = self.snapshot.findData(sid)
            if i >= 0:
                self.snapshot.setCurrentIndex(i)

        return screening_ops.take_snapshot(
            self.ops, self._campaign_id, self.today(), parent=self, success=taken, origin=self
        )
