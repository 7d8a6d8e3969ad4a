"""集中排查批次 management: year, name, dates, income period, threshold in force, villages covered.

Several campaigns can exist; one is current and the screening pages work on it. The threshold is
chosen from the thresholds table (系统设置 — 监测范围), defaulting to the year's row for the
township's region. No village ticked means the campaign covers every village.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services import households as household_service
from fanpin_desktop.services.campaigns import CampaignInfo
from fanpin_desktop.ui.common import ask_yes_no
from fanpin_desktop.ui.geometry import fit_to_screen
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.operations import screening as screening_ops
from fanpin_desktop.ui.tasks import Task
from fanpin_desktop.ui.widgets import IdCombo, icon

log = logging.getLogger(__name__)


def _date_edit() -> QDateEdit:
    edit = QDateEdit()
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setCalendarPopup(True)
    return edit


class CampaignDialog(QDialog):
    """List, add, edit, delete campaigns and choose the current one.

    Each write is an operation (announcing ``SCREENING`` to every page); ``changed`` tells the
    page that opened the dialog that it should take the (new) current campaign when it closes."""

    changed = Signal()

    def __init__(self, ops: Operations, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.last_saved_id: int | None = None
        self._today = today or dt.date.today()
        self._editing: int | None = None  # campaign id, None: a new one
        self.setWindowTitle("集中排查批次")

        # ---- list
        self.list = QListWidget()
        self.new_button = QPushButton(icon("fa5s.plus"), "新建批次")
        self.current_button = QPushButton(icon("fa5s.star"), "设为当前批次")
        self.delete_button = QPushButton(icon("fa5s.trash-alt"), "删除")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("排查批次（新的在前）"))
        left_layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.current_button)
        row.addWidget(self.delete_button)
        left_layout.addLayout(row)

        # ---- editor
        self.year = QSpinBox()
        self.year.setRange(campaign_service.MIN_YEAR, self._today.year + 1)
        self.name = QLineEdit()
        self.name.setMaxLength(80)
        self.start_date = _date_edit()
        self.end_date = _date_edit()
        self.income_start = _date_edit()
        self.income_end = _date_edit()
        self.income_default = QPushButton("按排查前12个月")
        self.income_default.setToolTip(
            "收入统计期取排查开始月份之前的12个月（如5月排查：上年5月1日至当年4月30日）"
        )
        self.threshold = IdCombo(blank_text="（未设置监测范围）")
        self.threshold_note = QLabel()
        self.threshold_note.setStyleSheet("color:#5f6368")
        self.threshold_note.setWordWrap(True)
        self.villages = QListWidget()
        self.villages.setMaximumHeight(160)
        self.all_villages = QPushButton("全选")
        self.no_villages = QPushButton("全不选（即全部行政村）")
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(54)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.save_button = QPushButton(icon("fa5s.save"), "保存批次")
        self.save_button.setDefault(True)
        self.close_button = QPushButton("关闭")

        income = QHBoxLayout()
        income.addWidget(self.income_start)
        income.addWidget(QLabel("至"))
        income.addWidget(self.income_end)
        income.addWidget(self.income_default)
        income.addStretch(1)
        dates = QHBoxLayout()
        dates.addWidget(self.start_date)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.end_date)
        dates.addStretch(1)
        village_buttons = QHBoxLayout()
        village_buttons.addWidget(self.all_villages)
        village_buttons.addWidget(self.no_villages)
        village_buttons.addStretch(1)
        form = QFormLayout()
        form.addRow("年度*", self.year)
        form.addRow("批次名称", self.name)
        form.addRow("排查起止日期*", dates)
        form.addRow("收入统计期*", income)
        form.addRow("监测范围（标准）", self.threshold)
        form.addRow("", self.threshold_note)
        village_box = QGroupBox("覆盖的行政村（都不勾选 = 全部行政村）")
        vb = QVBoxLayout(village_box)
        vb.addWidget(self.villages)
        vb.addLayout(village_buttons)
        self.editor_title = QLabel()
        self.editor_title.setStyleSheet("font-weight:bold; font-size:11pt")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.editor_title)
        right_layout.addLayout(form)
        right_layout.addWidget(village_box)
        right_layout.addWidget(QLabel("备注"))
        right_layout.addWidget(self.note)
        right_layout.addWidget(self.message)
        right_layout.addStretch(1)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.close_button)
        right_layout.addLayout(save_row)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([300, 560])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.list.currentRowChanged.connect(lambda _r: self._load_selected())
        self.new_button.clicked.connect(self.new_campaign)
        self.current_button.clicked.connect(self.make_current)
        self.delete_button.clicked.connect(self.delete_selected)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.accept)
        self.income_default.clicked.connect(self._default_income)
        self.year.valueChanged.connect(self._year_changed)
        self.threshold.valueChanged.connect(lambda _v: self._show_threshold_note())
        self.all_villages.clicked.connect(lambda: self._check_all(True))
        self.no_villages.clicked.connect(lambda: self._check_all(False))

        self._load_lists()
        self.reload()
        fit_to_screen(self, "campaign", (900, 600))

    # ------------------------------------------------------------------ data

    def _load_lists(self) -> None:
        thresholds = self.ops.read(campaign_service.threshold_choices)
        self._threshold_years = {t.id: t.year for t in thresholds}
        villages = self.ops.read(household_service.region_options)
        self.threshold.set_items([(t.id, t.label) for t in thresholds])
        self.villages.clear()
        for v in villages:
            item = QListWidgetItem(v.name)
            item.setData(Qt.ItemDataRole.UserRole, v.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.villages.addItem(item)

    def reload(self, select_id: int | None = None) -> None:
        self._campaigns: list[CampaignInfo] = self.ops.read(campaign_service.list_campaigns)
        self.list.blockSignals(True)
        self.list.clear()
        for c in self._campaigns:
            item = QListWidgetItem(f"{c.name}" + ("（当前）" if c.is_current else ""))
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setToolTip(f"{c.start_date} 至 {c.end_date}；监测范围 {c.threshold_label}元")
            if c.is_current:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if not self._campaigns:
            self.new_campaign()
            return
        wanted = (
            select_id
            if select_id is not None
            else next((c.id for c in self._campaigns if c.is_current), self._campaigns[0].id)
        )
        row = next((i for i, c in enumerate(self._campaigns) if c.id == wanted), 0)
        self.list.setCurrentRow(row)
        self._load_selected()

    def selected(self) -> CampaignInfo | None:
        row = self.list.currentRow()
        return self._campaigns[row] if 0 <= row < len(self._campaigns) else None

    def _load_selected(self) -> None:
        c = self.selected()
        if c is None:
            return
        self._editing = c.id
        self.editor_title.setText(f"编辑批次：{c.name}" + ("（当前批次）" if c.is_current else ""))
        self.year.blockSignals(True)
        self.year.setValue(c.year)
        self.year.blockSignals(False)
        self.name.setText(c.name)
        self.start_date.setDate(QDate(c.start_date))
        self.end_date.setDate(QDate(c.end_date))
        self.income_start.setDate(QDate(c.income_period_start))
        self.income_end.setDate(QDate(c.income_period_end))
        self.threshold.set_value(c.threshold_id)
        self._set_villages(c.village_ids)
        self.note.setPlainText(self.ops.read(campaign_service.note_of, c.id))
        self.current_button.setEnabled(not c.is_current)
        self.delete_button.setEnabled(True)
        self.message.setText("")
        self._show_threshold_note()

    def _set_villages(self, ids: tuple[int, ...]) -> None:
        for i in range(self.villages.count()):
            item = self.villages.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _check_all(self, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for i in range(self.villages.count()):
            self.villages.item(i).setCheckState(state)

    def checked_villages(self) -> list[int]:
        return [
            int(self.villages.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.villages.count())
            if self.villages.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _show_threshold_note(self) -> None:
        tid = self.threshold.value()
        if tid is None:
            self.threshold_note.setText(
                "未设置监测范围时，表头的“监测范围”留空，收入是否高于监测范围不作建议。"
                "可在“系统设置—监测范围”中添加。"
            )
        elif self._threshold_years.get(tid) != self.year.value():
            self.threshold_note.setText(
                f"注意：所选监测范围是{self._threshold_years.get(tid)}年的，"
                f"与批次年度{self.year.value()}年不同。"
            )
        else:
            self.threshold_note.setText("")

    # ------------------------------------------------------------------ editing

    def new_campaign(self) -> None:
        self._editing = None
        self.list.blockSignals(True)
        self.list.clearSelection()
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        start = self._today
        end = start + dt.timedelta(days=30)
        self.editor_title.setText("新建排查批次")
        self.year.blockSignals(True)
        self.year.setValue(start.year)
        self.year.blockSignals(False)
        self.name.setText("")
        self.name.setPlaceholderText(f"默认：{start.year}年防止返贫监测帮扶集中排查")
        self.start_date.setDate(QDate(start))
        self.end_date.setDate(QDate(end))
        self._default_income()
        self._default_threshold()
        self._set_villages(())
        self.note.setPlainText("")
        self.current_button.setEnabled(False)
        self.delete_button.setEnabled(False)
        self.message.setText("填写后点击“保存批次”。新建的批次将成为当前批次。")
        self.year.setFocus()

    def _default_income(self) -> None:
        a, b = campaign_service.default_income_period(self.start_date.date().toPython())
        self.income_start.setDate(QDate(a))
        self.income_end.setDate(QDate(b))

    def _default_threshold(self) -> None:
        self.threshold.set_value(self.ops.read(campaign_service.threshold_id_for, self.year.value()))
        self._show_threshold_note()

    def _year_changed(self, _year: int) -> None:
        if self._editing is None:
            self._default_threshold()
            if not self.name.text():
                self.name.setPlaceholderText(f"默认：{self.year.value()}年防止返贫监测帮扶集中排查")
        self._show_threshold_note()

    def values(self) -> dict[str, Any]:
        return {
            "year": self.year.value(),
            "name": self.name.text().strip() or None,
            "start_date": self.start_date.date().toPython(),
            "end_date": self.end_date.date().toPython(),
            "income_period_start": self.income_start.date().toPython(),
            "income_period_end": self.income_end.date().toPython(),
            "threshold_id": self.threshold.value(),
            "village_ids": self.checked_villages(),
            "note": self.note.toPlainText().strip() or None,
        }

    _FIELDS = {
        "year": "year",
        "name": "name",
        "start_date": "start_date",
        "end_date": "end_date",
        "income_period_start": "income_start",
        "income_period_end": "income_end",
        "village_ids": "villages",
    }

    def save(self) -> Task:
        """Save the campaign being edited (a new one becomes current); ``last_saved_id``."""

        def saved(cid: int) -> None:
            self.last_saved_id = cid
            self.reload(cid)
            self.message.setText("<span style='color:#1e6b34'>已保存。</span>")
            self.changed.emit()

        return screening_ops.save_campaign(
            self.ops, self._editing, self.values(), parent=self, success=saved, user_error=self.refused
        )

    def refused(self, exc: UserError) -> None:
        """The service refused the values: say why, with the focus on the field named."""
        self.message.setText(f"<span style='color:#a50e0e'>{exc}</span>")
        field = exc.field if isinstance(exc, ValidationError) else ""
        widget = getattr(self, self._FIELDS.get(field, ""), None)
        if isinstance(widget, QWidget):
            widget.setFocus()

    def _changed(self, select_id: int | None = None) -> None:
        self.reload(select_id)
        self.changed.emit()

    def make_current(self) -> None:
        c = self.selected()
        if c is None:
            return
        screening_ops.set_current_campaign(
            self.ops, c.id, parent=self, success=lambda _r: self._changed(c.id)
        )

    def confirm(self, title: str, text: str) -> bool:
        return ask_yes_no(self, title, text)

    def delete_selected(self) -> None:
        c = self.selected()
        if c is None:
            return
        if not self.confirm(
            "删除排查批次",
            f"确定删除“{c.name}”吗？\n\n该批次录入的到户排查表、村级排查表、统计填报项和"
            "周报快照将一并删除；问题台账和监测对象保留。",
        ):
            return
        screening_ops.delete_campaign(self.ops, c.id, parent=self, success=lambda _r: self._changed())
