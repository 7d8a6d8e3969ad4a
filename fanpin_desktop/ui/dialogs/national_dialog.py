"""全国系统数据交换: the 新识别, 风险消除 and 信息更正 lists for the national system, the export
history with marking a batch 已录入系统, and the fields changed since the last export.

The national system has no bulk import: the clerk exports a list here, enters each household in
the web system from it, then marks the batch 已录入系统 with the date of entry (each listed case
gets its 系统录入 step, and leaves the next list). Every database access goes through
``ui/operations/exchange``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.errors import UserError
from fanpin_desktop.services import national_export as ne
from fanpin_desktop.ui.common import close_button, ok_cancel_buttons, record_table
from fanpin_desktop.ui.geometry import fit_to_screen
from fanpin_desktop.ui.mask_ids import NATIONAL_NOTE
from fanpin_desktop.ui.operations import Operations, exchange
from fanpin_desktop.ui.pages.screening.actions import XLSX_FILTER, FileJobs
from fanpin_desktop.ui.table_models.base import RIGHT, Column, RowsModel
from fanpin_desktop.ui.widgets import icon

NOT_ENTERED = "未录入"
CHECKSUM_SHOWN = 12  # hex characters of the SHA-256 shown in the table (all in the tooltip)


class HistoryModel(RowsModel):
    """The export history, newest first (rows: ``ExportInfo``)."""

    COLUMNS = (
        Column("时间", lambda e: f"{e.created_at:%Y-%m-%d %H:%M}", lambda e: e.created_at),
        Column("名单", lambda e: e.label),
        Column("户数", lambda e: str(e.households), lambda e: e.households, RIGHT),
        Column("行数", lambda e: str(e.rows), lambda e: e.rows, RIGHT),
        Column("文件名", lambda e: e.file_name),
        Column("校验码", lambda e: e.sha256[:CHECKSUM_SHOWN], tooltip="SHA-256 校验码（前12位；悬停看全部）"),
        Column("导出人", lambda e: e.created_by),
        Column(
            "已录入系统",
            lambda e: f"{e.entered_on:%Y-%m-%d}" if e.entered_on else NOT_ENTERED,
            lambda e: e.entered_on or dt.date.min,
        ),
    )
    CHECKSUM, ENTERED = 5, 7

    def style_data(self, row: Any, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.CHECKSUM:
                return f"SHA-256：{row.sha256}"
            if column == self.ENTERED and row.entered_on:
                return f"{row.entered_by or ''} 于 {row.entered_on:%Y-%m-%d} 标记"
        if role == Qt.ItemDataRole.ForegroundRole and column == self.ENTERED and not row.entered_on:
            return QColor("#c5221f")
        return super().style_data(row, column, role)


CHANGE_COLUMNS = (
    Column("户编号", lambda c: c.hh_code),
    Column("姓名", lambda c: c.name),
    Column("字段", lambda c: c.field),
    Column("原值", lambda c: c.old),
    Column("新值", lambda c: c.new),
)


class EnteredDateDialog(QDialog):
    """The date the batch was entered in the national system (today by default, not later)."""

    def __init__(self, info: ne.ExportInfo, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("标记为已录入系统")
        self.date = QDateEdit(QDate(today.year, today.month, today.day))
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setCalendarPopup(True)
        self.date.setMaximumDate(QDate(today.year, today.month, today.day))
        what = (
            "只记录该批已录入，各户的办理环节不变。"
            if info.kind == ne.KIND_CHANGES
            else "名单中的每户将记入“系统录入”环节，录入日期不能早于县级审定日期。"
        )
        note = QLabel(
            f"第 {info.id} 批“{info.label}”清单（{info.households} 户，{info.file_name}）"
            f"已在全国防返贫监测信息系统中录入完毕。\n{what}"
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("录入日期：", self.date)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(ok_cancel_buttons(self, "标记"))
        fit_to_screen(self, "national_entered", (440, 0))

    def chosen(self) -> dt.date:
        d = self.date.date()
        return dt.date(d.year(), d.month(), d.day())


class NationalDialog(QDialog):
    """全国系统数据交换 (resizable; fits 1366×768)."""

    def __init__(
        self,
        ops: Operations,
        exports_dir: Path | None,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("全国系统数据交换")
        self.ops = ops
        self.jobs = FileJobs(self, exports_dir, ops)
        self.today = today or dt.date.today()
        self.paths: dict[int, Path] = {}  # export id → where this dialog wrote it
        self.overview: exchange.Overview | None = None
        self.last_result: ne.ExportResult | None = None

        lists = QGroupBox("导出录入清单（按全国系统字段顺序，每人一行；录入完成后在下方标记为已录入系统）")
        self.export_buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout(lists)
        for kind, icon_name in (
            (ne.KIND_NEW, "fa5s.user-plus"),
            (ne.KIND_ELIMINATION, "fa5s.user-check"),
            (ne.KIND_CHANGES, "fa5s.edit"),
        ):
            button = QPushButton(icon(icon_name), "")
            button.setMinimumHeight(36)
            button.setAutoDefault(False)  # Enter must not start an export
            button.clicked.connect(lambda _checked=False, k=kind: self.export(k))
            self.export_buttons[kind] = button
            row.addWidget(button, 1)
        self.export_buttons[ne.KIND_NEW].setToolTip(
            "已县级审定、尚未标记“已录入系统”的监测对象（未标记的批次下次仍会列入）"
        )
        self.export_buttons[ne.KIND_ELIMINATION].setToolTip("已消除风险、尚未标记“已录入系统”的监测对象")
        self.export_buttons[ne.KIND_CHANGES].setToolTip(
            "以前导出过的各户中与最近一次导出不同的字段，附这些户的完整家庭成员信息"
        )

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c5221f;")
        self.message.hide()
        # never masked: the national system needs the full numbers
        self.full_ids_note = QLabel(NATIONAL_NOTE)
        self.full_ids_note.setWordWrap(True)
        self.full_ids_note.setStyleSheet("color: #5f6368;")

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_history(), icon("fa5s.history"), "导出记录")
        self.tabs.addTab(self._build_changes(), icon("fa5s.exchange-alt"), "自上次导出以来的变化")

        layout = QVBoxLayout(self)
        layout.addWidget(lists)
        layout.addWidget(self.full_ids_note)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close_button(self))
        fit_to_screen(self, "national", (1100, 640))
        self.reload()

    # ------------------------------------------------------------------ building

    def _build_history(self) -> QWidget:
        self.history = HistoryModel()
        self.history_view = record_table(self.history, (130, 110, 55, 55, 270, 110, 80))
        self.history_view.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        self.mark_button = QPushButton(icon("fa5s.check"), "标记为已录入系统…")
        self.mark_button.clicked.connect(lambda: self.mark_selected())
        self.open_button = QPushButton(icon("fa5s.file-excel"), "打开文件")
        self.open_button.clicked.connect(lambda: self.open_selected(folder=False))
        self.folder_button = QPushButton(icon("fa5s.folder-open"), "打开所在文件夹")
        self.folder_button.clicked.connect(lambda: self.open_selected(folder=True))
        self.history_note = QLabel()
        self.history_note.setStyleSheet("color: #5f6368;")
        bar = QHBoxLayout()
        bar.addWidget(self.history_note, 1)
        bar.addWidget(self.mark_button)
        bar.addWidget(self.open_button)
        bar.addWidget(self.folder_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.history_view, 1)
        layout.addLayout(bar)
        return page

    def _build_changes(self) -> QWidget:
        self.changes = RowsModel(columns=CHANGE_COLUMNS)
        self.changes_view = record_table(self.changes, (200, 90, 220, 220))
        self.changes_note = QLabel()
        self.changes_note.setWordWrap(True)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.changes_note)
        layout.addWidget(self.changes_view, 1)
        return page

    # ------------------------------------------------------------------ showing

    def reload(self, select_id: int | None = None) -> None:
        """Read the counts, history and changes again; keep the selected batch (or ``select_id``)."""
        if select_id is None:
            selected = self.selected()
            select_id = selected.id if selected is not None else None
        self.show_message("")
        # on the task runner: the changes rebuild the rows of every household ever exported
        exchange.load_overview(self.ops, success=lambda view: self._show(view, select_id), parent=self)

    def _show(self, view: exchange.Overview, select_id: int | None) -> None:
        self.overview = view
        self.export_buttons[ne.KIND_NEW].setText(f"导出新识别名单（{view.new}户待录入）")
        self.export_buttons[ne.KIND_ELIMINATION].setText(f"导出风险消除名单（{view.elimination}户）")
        self.export_buttons[ne.KIND_CHANGES].setText(f"导出更正名单（{len(view.changes)}项变化）")
        self.history.set_rows(view.history)
        unmarked = sum(1 for e in view.history if e.entered_on is None)
        self.history_note.setText(
            f"共 {len(view.history)} 批，其中 {unmarked} 批未标记已录入系统" if view.history else "尚未导出过"
        )
        households = len({c.household_id for c in view.changes})
        self.changes.set_rows(view.changes)
        self.changes_note.setText(
            f"以前导出过的各户中，有 {households} 户共 {len(view.changes)} 项与最近一次导出不同"
            "（“导出更正名单”列出这些项）。"
            if view.changes
            else "以前导出过的各户与最近一次导出的内容相同，没有需要更正的信息。"
        )
        self.tabs.setTabText(1, f"自上次导出以来的变化（{len(view.changes)}项）")
        row = self.history.row_of(select_id) if select_id is not None else None
        if row is None and view.history:
            row = 0
        if row is not None:
            self.history_view.selectRow(row)
        self._update_buttons()

    def selected(self) -> ne.ExportInfo | None:
        if not hasattr(self, "history_view"):
            return None
        index = self.history_view.currentIndex()
        return self.history.row_data(index.row()) if index.isValid() else None

    def file_of(self, info: ne.ExportInfo) -> Path | None:
        """Where the batch's file is: where this dialog wrote it, else in the exports folder."""
        for path in (self.paths.get(info.id), self.jobs.exports_dir / info.file_name):
            if path is not None and path.is_file():
                return path
        return None

    def _update_buttons(self) -> None:
        info = self.selected()
        if info is None:
            self.mark_button.setEnabled(False)
            self.mark_button.setToolTip("请先在列表中选择一批")
        elif info.entered_on is not None:
            self.mark_button.setEnabled(False)
            self.mark_button.setToolTip(f"该批已于 {info.entered_on:%Y-%m-%d} 标记为已录入系统")
        else:
            self.mark_button.setEnabled(True)
            self.mark_button.setToolTip("在全国系统中录入完毕后标记：名单中的每户记入“系统录入”环节")
        path = self.file_of(info) if info is not None else None
        for button in (self.open_button, self.folder_button):
            button.setEnabled(path is not None)
            button.setToolTip(
                str(path)
                if path is not None
                else "找不到该文件（可能已移走或删除）"
                if info is not None
                else "请先在列表中选择一批"
            )

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _refused(self, exc: UserError) -> None:
        self.show_message(exc.message)

    # ------------------------------------------------------------------ exporting

    def default_name(self, kind: str) -> str:
        return f"{ne.KIND_LABELS[kind]}_{self.today:%Y%m%d}.xlsx"

    def confirm_warnings(self, warnings: list[str]) -> bool:
        """Data-quality warnings before an export: the clerk may go on (继续) or stop (取消)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "数据质量提示",
            "导出前发现以下数据问题，建议先改正再导出：\n\n" + "\n".join(f"· {w}" for w in warnings),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        go_on = box.addButton("继续导出", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is go_on

    def export(self, kind: str) -> None:
        self.show_message("")
        view = self.overview
        waiting = (
            {
                ne.KIND_NEW: view.new,
                ne.KIND_ELIMINATION: view.elimination,
                ne.KIND_CHANGES: len(view.changes),
            }[kind]
            if view is not None
            else 1
        )
        if waiting:
            warnings = exchange.quality_warnings(self.ops)
            if warnings and not self.confirm_warnings(warnings):
                return
            path = self.jobs.save_path(
                f"保存{ne.KIND_LABELS[kind]}清单", self.default_name(kind), XLSX_FILTER
            )
            if path is None:
                return
        else:
            # nothing waits: the service says so (in its words) before it writes anything
            path = self.jobs.exports_dir / self.default_name(kind)
        exchange.export_batch(
            self.ops, kind, path, parent=self, success=self._exported, user_error=self._refused
        )

    def _exported(self, result: ne.ExportResult) -> None:
        self.last_result = result
        self.paths[result.export_id] = result.path
        self.reload(select_id=result.export_id)
        label = ne.KIND_LABELS[result.kind]
        changes = f"，{len(result.changes)} 项更正" if result.kind == ne.KIND_CHANGES else ""
        self.jobs.offer_open(
            "导出完成",
            f"已导出{label}清单：{result.households} 户、{result.rows} 人{changes}。\n{result.path}\n\n"
            f"校验码（SHA-256）：{result.sha256}\n\n"
            "请按清单在全国防返贫监测信息系统中逐户录入，录入完成后在“导出记录”中选中该批，"
            "点“标记为已录入系统…”。",
            result.path,
        )

    # ------------------------------------------------------------------ the history

    def ask_entered_date(self, info: ne.ExportInfo) -> dt.date | None:
        dialog = EnteredDateDialog(info, self.today, self)
        try:
            return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def mark_selected(self, on: dt.date | None = None) -> None:
        info = self.selected()
        if info is None or info.entered_on is not None:
            return
        self.show_message("")
        on = on or self.ask_entered_date(info)
        if on is None:
            return

        def done(result: ne.MarkResult) -> None:
            self.reload()
            if info.kind == ne.KIND_CHANGES:
                text = f"第 {info.id} 批“{info.label}”清单已标记为 {on:%Y-%m-%d} 录入全国系统。"
            else:
                text = (
                    f"第 {info.id} 批“{info.label}”清单已标记为 {on:%Y-%m-%d} 录入全国系统："
                    f"{result.marked} 户记入“系统录入”环节"
                )
                if result.skipped:
                    text += f"，{result.skipped} 户跳过（已录入过、已删除或状态已变化）"
                text += "。"
            self.jobs.inform("已标记为已录入系统", text)

        exchange.mark_entered(self.ops, info.id, on, parent=self, success=done, user_error=self._refused)

    def open_selected(self, folder: bool = False) -> None:
        info = self.selected()
        path = self.file_of(info) if info is not None else None
        if path is None:
            self._update_buttons()
            return
        self.jobs.open(path.parent if folder else path)
