"""部门预警: the departments' warning lists and the county's problem list, so nothing received is lost.

Two tabs. 部门预警: import a department's list in any layout (the clerk maps the file's columns
once per department; the mapping is saved), every row matched to a household by ID number or by
name and village (待确认 until the clerk confirms) or kept as 未匹配 until a household is assigned;
rows over the 医保 thresholds are red with the reason in the tooltip; each warning is closed with
纳入监测 (a 线索 case is opened, offered in the case editor), 已是监测对象 or 不符合 + reason; the
month's summary per department exports to xlsx. 县级问题清单: the county's flagged records imported
the same way and tracked to 已整改 / 无需整改 + reason, unmatched rows listed.

The sidebar shows how many warnings still wait for an outcome (``sidebar_count``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.errors import UserError
from fanpin_desktop.services import county_problems as county
from fanpin_desktop.services import warnings as ws
from fanpin_desktop.services.received_lists import (
    MATCHED,
    NOT_LOCAL,
    TO_CONFIRM,
    UNMATCHED,
    ListField,
    ListPreview,
)
from fanpin_desktop.ui import empty_hint as hints
from fanpin_desktop.ui.common import (
    ask_yes_no,
    current_proxied_row,
    ok_cancel_buttons,
    record_table,
    select_proxied_row,
)
from fanpin_desktop.ui.geometry import fit_to_screen
from fanpin_desktop.ui.operations import Changes, Operations
from fanpin_desktop.ui.operations import warnings as warning_ops
from fanpin_desktop.ui.pages.base import Page
from fanpin_desktop.ui.pages.screening.actions import XLSX_FILTER, FileJobs
from fanpin_desktop.ui.table_models.base import SORT_ROLE
from fanpin_desktop.ui.table_models.warnings import ProblemItemTableModel, WarningTableModel
from fanpin_desktop.ui.tasks import Task
from fanpin_desktop.ui.widgets import ValueCombo, icon

log = logging.getLogger(__name__)

TAB_WARNINGS = 0
TAB_COUNTY = 1

#: the 状态 filter of the warnings list
ST_PENDING = "待核实"
ST_TO_CONFIRM = TO_CONFIRM
ST_UNMATCHED = UNMATCHED
ST_CLOSED = "已办结"
WARNING_FILTERS = (ST_PENDING, ST_TO_CONFIRM, ST_UNMATCHED, ST_CLOSED)

NOT_IMPORTED = "（不导入）"


def sidebar_count(ops: Operations) -> int:
    """Warnings still waiting for an outcome (the number beside 部门预警 in the sidebar)."""
    return ops.read(warning_ops.pending_count)


# --------------------------------------------------------------------------- dialogs


class ReasonDialog(QDialog):
    """A required (or optional) reason for a step (不符合, 无需整改, 不涉及本乡镇, 已整改)."""

    def __init__(
        self, title: str, prompt: str, parent: QWidget | None = None, required: bool = True, hint: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._required = required
        self.text = QLineEdit()
        self.text.setPlaceholderText(hint)
        self.message = QLabel()
        self.message.setStyleSheet("color:#a50e0e")
        form = QFormLayout()
        form.addRow(prompt, self.text)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(ok_cancel_buttons(self))
        fit_to_screen(self, "warning_reason", (440, 130))

    def accept(self) -> None:
        if self._required and not self.text.text().strip():
            self.message.setText("请填写原因。")
            return
        super().accept()

    def value(self) -> str:
        return self.text.text().strip()


class MappingDialog(QDialog):
    """Which column of the received file holds each field (pre-filled from the saved mapping or the
    header's wording), with the file's first rows to check against. ``top``: rows shown above the
    mapping (the department, the date received)."""

    def __init__(
        self,
        title: str,
        fields: Sequence[ListField],
        preview: ListPreview,
        parent: QWidget | None = None,
        *,
        top: Sequence[tuple[str, QWidget]] = (),
        needs_one_of: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.fields = tuple(fields)
        self.needs_one_of = tuple(needs_one_of)
        self.preview = preview
        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        self.source_label = QLabel()
        self.source_label.setStyleSheet("color:#5f6368")
        self.source_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("文件", self.file_label)
        for label, widget in top:
            form.addRow(label, widget)

        self.combos: dict[str, QComboBox] = {}
        grid = QGridLayout()
        per_column = (len(self.fields) + 1) // 2
        for i, f in enumerate(self.fields):
            combo = QComboBox()
            combo.setMinimumContentsLength(12)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            self.combos[f.key] = combo
            row, col = i % per_column, (i // per_column) * 2
            grid.addWidget(QLabel(f.label + ("＊" if f.required else "")), row, col)
            grid.addWidget(combo, row, col + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        self.sample = QTableWidget()
        self.sample.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sample.setWordWrap(False)
        self.sample.verticalHeader().setDefaultSectionSize(22)
        self.save_box = QCheckBox("保存对应关系，下次同样表头的文件自动使用")
        self.save_box.setChecked(True)
        self.message = QLabel()
        self.message.setStyleSheet("color:#a50e0e")
        self.message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>各项目对应文件中的哪一列</b>"))
        layout.addLayout(grid)
        layout.addWidget(self.source_label)
        layout.addWidget(QLabel("文件前几行（核对用）："))
        layout.addWidget(self.sample, 1)
        layout.addWidget(self.save_box)
        layout.addWidget(self.message)
        layout.addWidget(ok_cancel_buttons(self, "导入"))
        fit_to_screen(self, "warning_mapping", (860, 560))
        self.set_preview(preview)

    def set_preview(self, preview: ListPreview) -> None:
        self.preview = preview
        self.file_label.setText(f"{Path(preview.path).name}（工作表：{preview.sheet}）")
        self.source_label.setText(preview.mapping_source or "")
        labels = preview.labels
        chosen = preview.field_columns()
        for key, combo in self.combos.items():
            combo.clear()
            combo.addItem(NOT_IMPORTED, None)
            for i, label in enumerate(labels):
                combo.addItem(label or f"第{i + 1}列", i)
            at = chosen.get(key)
            combo.setCurrentIndex(0 if at is None else at + 1)
        self.sample.clear()
        self.sample.setColumnCount(len(labels))
        self.sample.setHorizontalHeaderLabels([x or f"第{i + 1}列" for i, x in enumerate(labels)])
        rows = preview.sample[:8]
        self.sample.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values[: len(labels)]):
                self.sample.setItem(r, c, QTableWidgetItem(value))
        self.sample.resizeColumnsToContents()
        for c in range(len(labels)):
            self.sample.setColumnWidth(c, min(self.sample.columnWidth(c), 180))

    def columns(self) -> list[str | None]:
        """One field key (or None) per header column of the file."""
        cols: list[str | None] = [None] * len(self.preview.labels)
        for key, combo in self.combos.items():
            at = combo.currentData()
            if isinstance(at, int) and 0 <= at < len(cols) and cols[at] is None:
                cols[at] = key
        return cols

    def problems(self) -> str:
        taken: dict[int, str] = {}
        for f in self.fields:
            at = self.combos[f.key].currentData()
            if isinstance(at, int):
                if at in taken:
                    return f"“{f.label}”和“{taken[at]}”选了同一列，请分别选择。"
                taken[at] = f.label
            elif f.required:
                return f"请选择“{f.label}”在哪一列。"
        if self.needs_one_of and not any(
            isinstance(self.combos[k].currentData(), int) for k in self.needs_one_of
        ):
            names = "或".join(f"“{f.label}”" for f in self.fields if f.key in self.needs_one_of)
            return f"请至少选择{names}所在的列，否则无法匹配农户。"
        return ""

    def accept(self) -> None:
        problem = self.problems()
        if problem:
            self.message.setText(problem)
            return
        super().accept()


# --------------------------------------------------------------------------- the page


def _mapping_chosen(
    dialog: MappingDialog, day: QDateEdit
) -> tuple[list[str | None], bool, Any, dt.date] | None:
    """Run the mapping dialog: (columns, save the mapping, labels, 收到日期), or None when cancelled."""
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    chosen = (dialog.columns(), dialog.save_box.isChecked(), dialog.preview.labels, day.date().toPython())
    dialog.deleteLater()
    return chosen if accepted else None


class WarningsPage(Page):
    """部门预警 and 县级问题清单."""

    SHOWS = ("cases", "households")

    def __init__(
        self,
        ops: Operations,
        exports_dir: Path | None = None,
        parent: QWidget | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(ops, parent)
        self._today = today
        self._loading = False
        self.jobs = FileJobs(self, exports_dir, ops)
        self.last_import: Any = None  # the last import's result (tests read it)
        self.last_case_id: int | None = None  # the case the last 纳入监测 opened
        self._months: list[str] = []  # the months with warnings (newest first), for the filter

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_warnings_tab(), icon("fa5s.bell"), "部门预警")
        self.tabs.addTab(self._build_county_tab(), icon("fa5s.list-alt"), "县级问题清单")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.empty_hint = hints.EmptyHint(
            "还没有收到部门预警",
            "收到医保、民政、残联等部门发来的预警名单（Excel）后，在这里导入，程序按身份证号匹配到户。",
        )
        self.empty_hint.add_button("导入预警清单…", lambda: self.import_warnings(), "fa5s.file-import")
        layout.insertWidget(0, self.empty_hint)
        self.refresh()

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # ------------------------------------------------------------------ building

    def _build_warnings_tab(self) -> QWidget:
        tab = QWidget()
        self.department = ValueCombo(ws.DEPARTMENTS, blank_text="全部部门")
        self.month = ValueCombo([], blank_text="全部月份")
        self.status = ValueCombo(WARNING_FILTERS, blank_text="全部状态")
        self.over_only = QCheckBox("只看超标")
        self.import_button = QPushButton(icon("fa5s.file-import"), "导入预警清单…")
        self.summary_button = QPushButton(icon("fa5s.file-excel"), "导出月报…")
        filters = QHBoxLayout()
        filters.addWidget(QLabel("部门"))
        filters.addWidget(self.department)
        filters.addWidget(QLabel("月份"))
        filters.addWidget(self.month)
        filters.addWidget(QLabel("状态"))
        filters.addWidget(self.status)
        filters.addWidget(self.over_only)
        filters.addStretch(1)
        filters.addWidget(self.import_button)
        filters.addWidget(self.summary_button)

        self.confirm_button = QPushButton(icon("fa5s.user-check"), "确认匹配")
        self.assign_button = QPushButton(icon("fa5s.search"), "指定农户…")
        self.include_button = QPushButton(icon("fa5s.user-plus"), "纳入监测")
        self.already_button = QPushButton(icon("fa5s.user-shield"), "已是监测对象")
        self.reject_button = QPushButton(icon("fa5s.times"), "不符合…")
        self.not_local_button = QPushButton("不涉及本乡镇…")
        self.clear_button = QPushButton(icon("fa5s.undo"), "撤销结果")
        actions = QHBoxLayout()
        for b in (
            self.confirm_button,
            self.assign_button,
            self.include_button,
            self.already_button,
            self.reject_button,
            self.not_local_button,
            self.clear_button,
        ):
            actions.addWidget(b)
        actions.addStretch(1)

        self.counts_label = QLabel()
        self.counts_label.setTextFormat(Qt.TextFormat.RichText)
        self.model = WarningTableModel(parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = record_table(self.proxy, (56, 88, 72, 84, 72, 240, 96, 72, 200), sortable=True)
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.detail_label.setStyleSheet("color:#3c4043")
        legend = QLabel(
            "<span style='background:#fce8e6;color:#a50e0e'>&nbsp;红色&nbsp;</span> 超过医保限额"
            "　<span style='background:#fffbe6'>&nbsp;浅黄&nbsp;</span> 按姓名和村匹配，待确认"
            "　<span style='background:#fff4e5'>&nbsp;橙色&nbsp;</span> 未匹配到农户"
        )
        legend.setTextFormat(Qt.TextFormat.RichText)

        layout = QVBoxLayout(tab)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail_label)
        layout.addWidget(legend)

        self.department.valueChanged.connect(lambda _v: self.reload_warnings())
        self.month.valueChanged.connect(lambda _v: self.reload_warnings())
        self.status.valueChanged.connect(lambda _v: self.reload_warnings())
        self.over_only.toggled.connect(lambda _c: self.reload_warnings())
        self.import_button.clicked.connect(lambda: self.import_warnings())
        self.summary_button.clicked.connect(lambda: self.export_summary())
        self.confirm_button.clicked.connect(lambda: self.confirm_match())
        self.assign_button.clicked.connect(lambda: self.assign_household())
        self.include_button.clicked.connect(lambda: self.include())
        self.already_button.clicked.connect(lambda: self.already_monitored())
        self.reject_button.clicked.connect(lambda: self.reject())
        self.not_local_button.clicked.connect(lambda: self.not_local())
        self.clear_button.clicked.connect(lambda: self.clear_outcome())
        self.view.selectionModel().currentRowChanged.connect(lambda _a, _b: self._update_warning_buttons())
        self.view.doubleClicked.connect(lambda _i: self.open_current_case())
        return tab

    def _build_county_tab(self) -> QWidget:
        tab = QWidget()
        self.county_status = ValueCombo((*county.STATUSES, UNMATCHED), blank_text="全部")
        self.county_import_button = QPushButton(icon("fa5s.file-import"), "导入问题清单…")
        self.county_export_button = QPushButton(icon("fa5s.file-excel"), "导出整改情况…")
        self.rectified_button = QPushButton(icon("fa5s.check"), "已整改…")
        self.no_need_button = QPushButton(icon("fa5s.ban"), "无需整改…")
        self.county_assign_button = QPushButton(icon("fa5s.search"), "指定农户…")
        self.county_not_local_button = QPushButton("不涉及本乡镇…")
        self.county_reopen_button = QPushButton(icon("fa5s.undo"), "撤销")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("状态"))
        bar.addWidget(self.county_status)
        for b in (
            self.rectified_button,
            self.no_need_button,
            self.county_assign_button,
            self.county_not_local_button,
            self.county_reopen_button,
        ):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.county_import_button)
        bar.addWidget(self.county_export_button)
        self.county_counts = QLabel()
        self.county_counts.setTextFormat(Qt.TextFormat.RichText)
        self.county_model = ProblemItemTableModel(parent=self)
        self.county_proxy = QSortFilterProxyModel(self)
        self.county_proxy.setSourceModel(self.county_model)
        self.county_proxy.setSortRole(SORT_ROLE)
        self.county_view = record_table(self.county_proxy, (90, 72, 150, 380, 72, 72, 200), sortable=True)
        layout = QVBoxLayout(tab)
        layout.addLayout(bar)
        layout.addWidget(self.county_counts)
        layout.addWidget(self.county_view, 1)
        self.county_detail = QLabel()
        self.county_detail.setWordWrap(True)
        self.county_detail.setStyleSheet("color:#3c4043")
        layout.addWidget(self.county_detail)
        self.county_status.valueChanged.connect(lambda _v: self.reload_county())
        self.county_import_button.clicked.connect(lambda: self.import_county())
        self.county_export_button.clicked.connect(lambda: self.export_county())
        self.rectified_button.clicked.connect(lambda: self.mark_rectified())
        self.no_need_button.clicked.connect(lambda: self.mark_no_need())
        self.county_assign_button.clicked.connect(lambda: self.assign_county_household())
        self.county_not_local_button.clicked.connect(lambda: self.county_not_local())
        self.county_reopen_button.clicked.connect(lambda: self.reopen_county())
        self.county_view.selectionModel().currentRowChanged.connect(
            lambda _a, _b: self._update_county_buttons()
        )
        return tab

    # ------------------------------------------------------------------ data

    def refresh(self) -> None:
        self.reload_warnings()
        self.reload_county()

    def on_changes(self, changes: Changes, origin: object | None) -> None:
        if origin is self:  # its own write: reloaded in the operation's success
            return
        super().on_changes(changes, origin)

    def _matches_filters(self, row: ws.WarningRow) -> bool:
        month = self.month.value()
        if month and f"{row.received_on:%Y-%m}" != month:
            return False
        status = self.status.value()
        if status == ST_PENDING and not (row.pending and row.match_status == MATCHED):
            return False
        if status in (ST_TO_CONFIRM, ST_UNMATCHED) and not (row.pending and row.match_status == status):
            return False
        if status == ST_CLOSED and row.status != ws.STATUS_CLOSED:
            return False
        return not (self.over_only.isChecked() and not row.over_threshold)

    def reload_warnings(self) -> None:
        if self._loading:
            return
        keep = self.current_warning_id()
        all_rows = self.ops.read(ws.list_warnings, department=self.department.value())
        months = sorted({f"{r.received_on:%Y-%m}" for r in all_rows}, reverse=True)
        self._loading = True
        try:
            if self.month.value() not in months:
                self.month.set_value(None)  # a month this department has no warnings in
            self.month.set_values(months)
        finally:
            self._loading = False
        self._months = months
        self.empty_hint.set_empty(not all_rows and self.department.value() is None)
        rows = [r for r in all_rows if self._matches_filters(r)]
        self.model.set_rows(rows)
        pending = [r for r in all_rows if r.pending]
        n_confirm = sum(1 for r in pending if r.match_status == TO_CONFIRM)
        n_unmatched = sum(1 for r in pending if r.match_status == UNMATCHED)
        n_check = len(pending) - n_confirm - n_unmatched
        n_over = sum(1 for r in all_rows if r.over_threshold)
        n_closed = sum(1 for r in all_rows if r.status == ws.STATUS_CLOSED)
        over = f"<b style='color:#a50e0e'>超标 {n_over}</b>" if n_over else "超标 0"
        unmatched = f"<b style='color:#b45309'>未匹配 {n_unmatched}</b>" if n_unmatched else "未匹配 0"
        self.counts_label.setText(
            f"共收到 {len(all_rows)} 条：待核实 {n_check}，待确认 {n_confirm}，{unmatched}，"
            f"已办结 {n_closed}，{over}。　当前列出 {len(rows)} 条。"
        )
        if keep is not None:
            self.select_warning(keep)
        self._update_warning_buttons()

    def reload_county(self) -> None:
        keep = self.current_item_id()
        wanted = self.county_status.value()
        all_rows = self.ops.read(county.list_problems)
        if wanted == UNMATCHED:
            rows = [r for r in all_rows if r.match_status == UNMATCHED]
        elif wanted:
            rows = [r for r in all_rows if r.status == wanted]
        else:
            rows = all_rows
        self.county_model.set_rows(rows)
        by_status = {s: sum(1 for r in all_rows if r.status == s) for s in county.STATUSES}
        n_unmatched = sum(1 for r in all_rows if r.match_status == UNMATCHED)
        unmatched = f"<b style='color:#b45309'>未匹配 {n_unmatched}</b>" if n_unmatched else "未匹配 0"
        self.county_counts.setText(
            f"共 {len(all_rows)} 条："
            + "，".join(f"{s} {n}" for s, n in by_status.items())
            + f"，{unmatched}。　当前列出 {len(rows)} 条。"
        )
        if keep is not None:
            r = self.county_model.row_of(keep)
            if r is not None:
                self.county_view.selectRow(
                    self.county_proxy.mapFromSource(self.county_model.index(r, 0)).row()
                )
        self._update_county_buttons()

    # ------------------------------------------------------------------ selection

    def current_warning(self) -> ws.WarningRow | None:
        return current_proxied_row(self.view, self.proxy, self.model)

    def current_warning_id(self) -> int | None:
        row = self.current_warning()
        return row.id if row else None

    def select_warning(self, warning_id: int) -> bool:
        return select_proxied_row(self.view, self.proxy, self.model, warning_id)

    def current_item(self) -> Any:
        return current_proxied_row(self.county_view, self.county_proxy, self.county_model)

    def current_item_id(self) -> int | None:
        row = self.current_item()
        return row.id if row else None

    def select_item(self, item_id: int) -> bool:
        return select_proxied_row(self.county_view, self.county_proxy, self.county_model, item_id)

    def _update_warning_buttons(self) -> None:
        row = self.current_warning()
        open_ = row is not None and row.outcome is None and row.match_status != NOT_LOCAL
        self.confirm_button.setEnabled(open_ and row.match_status == TO_CONFIRM)  # type: ignore[union-attr]
        self.assign_button.setEnabled(open_)
        ready = open_ and row.match_status == MATCHED  # type: ignore[union-attr]
        self.include_button.setEnabled(ready)
        self.already_button.setEnabled(ready)
        self.reject_button.setEnabled(open_)
        self.not_local_button.setEnabled(open_ and row.match_status == UNMATCHED)  # type: ignore[union-attr]
        self.clear_button.setEnabled(row is not None and row.status == ws.STATUS_CLOSED)
        self.detail_label.setText(self._detail_text(row) if row else "")

    def _detail_text(self, row: ws.WarningRow) -> str:
        parts = [f"{row.department}预警 第{row.row_number or '?'}行（{row.file_name or ''}）"]
        if row.id_number:
            parts.append(f"证件号码 {row.id_number}")
        if row.household_id is not None:
            code = f"（户编号 {row.household_code}）" if row.household_code else ""
            parts.append(f"匹配农户：{row.household_village or ''} 户主{row.head_name or ''}{code}")
        if row.match_note:
            parts.append(row.match_note)
        if row.threshold_reason:
            parts.append(f"超标：{row.threshold_reason}")
        if row.checked_on:
            parts.append(f"{row.checked_by or ''} {row.checked_on:%Y-%m-%d} 核实")
        return "；".join(parts)

    def _update_county_buttons(self) -> None:
        row = self.current_item()
        open_ = row is not None and row.status == county.PENDING
        self.rectified_button.setEnabled(open_)
        self.no_need_button.setEnabled(open_)
        self.county_assign_button.setEnabled(open_ and row.match_status == UNMATCHED)
        self.county_not_local_button.setEnabled(open_ and row.match_status == UNMATCHED)
        self.county_detail.setText(self._county_detail_text(row) if row is not None else "")
        self.county_reopen_button.setEnabled(row is not None and row.status != county.PENDING)

    def _county_detail_text(self, row: county.ProblemRow) -> str:
        parts = [f"第{row.row_number or '?'}行（{row.file_name or ''}，{row.received_on:%Y-%m-%d}收到）"]
        if row.household_code:
            parts.append(f"户编号 {row.household_code}")
        if row.match_note:
            parts.append(row.match_note)
        if row.resolved_on:
            parts.append(f"{row.resolved_by or ''} {row.resolved_on:%Y-%m-%d} 标记{row.status}")
        return "；".join(parts)

    # ------------------------------------------------------------------ asking (tests replace these)

    def confirm(self, title: str, text: str) -> bool:
        return ask_yes_no(self, title, text)

    def ask_reason(self, title: str, prompt: str, required: bool = True, hint: str = "") -> str | None:
        dialog = ReasonDialog(title, prompt, self, required, hint)
        value = dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
        dialog.deleteLater()
        return value

    def pick_household(self, title: str, search: str = "") -> int | None:
        """The household picker, already searching for the name in the received row."""
        from fanpin_desktop.ui.dialogs.household_picker import HouseholdPickerDialog

        dialog = HouseholdPickerDialog(self.ops, self, title=title)
        if search:
            dialog.search.setText(search)
            dialog.run_search()
        chosen = dialog.household_id if dialog.exec() == QDialog.DialogCode.Accepted else None
        dialog.deleteLater()
        return chosen

    def open_case(self, case_id: int) -> None:
        from fanpin_desktop.ui.dialogs.case_editor import CaseEditor

        editor = CaseEditor(self.ops, case_id, self, today=self.today())
        editor.exec()
        editor.deleteLater()

    def open_current_case(self) -> bool:
        """A double click on a warning closed with a case opens that case in the case editor."""
        row = self.current_warning()
        if row is None or row.case_id is None:
            return False
        self.open_case(row.case_id)
        return True

    # ------------------------------------------------------------------ import

    def _preview(self, fn: Callable[..., ListPreview], *args: Any) -> ListPreview | None:
        try:
            return self.ops.read(fn, *args)
        except UserError as exc:
            self.jobs.inform("无法读取文件", str(exc))
            return None

    def _received_date(self, day: dt.date | None) -> QDateEdit:
        """收到日期 in the mapping dialog: the given day, else today."""
        edit = QDateEdit(QDate(day or self.today()))
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setCalendarPopup(True)
        return edit

    def import_warnings(
        self,
        path: str | Path | None = None,
        department: str | None = None,
        columns: Sequence[str | None] | None = None,
        *,
        ask: bool = True,
        received_on: dt.date | None = None,
    ) -> Task | None:
        """导入预警清单: choose the file and the department, check the column mapping, import.
        With ``ask=False`` the given (or saved / guessed) mapping is used without the dialog."""
        if path is None:
            path = self.jobs.open_path("导入部门预警清单")
            if path is None:
                return None
        department = department or self.department.value() or ws.DEPARTMENTS[0]
        preview = self._preview(ws.preview, str(path), department)
        if preview is None:
            return None
        labels = preview.labels
        save = True
        if ask and columns is None:
            combo = ValueCombo(ws.DEPARTMENTS, blank=False)
            combo.set_value(department)
            day = self._received_date(received_on)
            dialog = MappingDialog(
                "导入部门预警清单",
                ws.FIELDS,
                preview,
                self,
                top=(("预警部门", combo), ("收到日期", day)),
                needs_one_of=("id_number", "name"),
            )

            def department_changed(value: object) -> None:
                if isinstance(value, str):
                    again = self._preview(ws.preview, str(path), value)
                    if again is not None:
                        dialog.set_preview(again)

            combo.valueChanged.connect(department_changed)
            chosen = _mapping_chosen(dialog, day)
            if chosen is None:
                return None
            columns, save, labels, received_on = chosen
            department = combo.value() or department
        cols = list(columns) if columns is not None else list(preview.columns)
        chosen_department = department

        def done(result: ws.ImportResult) -> None:
            self.last_import = result
            self.department.set_value(chosen_department)
            self.status.set_value(None)
            self.month.set_value(None)
            self.reload_warnings()
            self.jobs.inform("导入完成", result.summary())

        return warning_ops.import_warnings(
            self.ops,
            str(path),
            chosen_department,
            cols,
            labels=labels,
            save_mapping=save and (ask or columns is not None),
            received_on=received_on,
            sheet=preview.sheet,
            header_row=preview.header_rows[-1] if preview.header_rows else None,
            parent=self,
            success=done,
            origin=self,
        )

    # ------------------------------------------------------------------ warning steps

    def _step(self, start: Callable[..., Task], after: Callable[[Any], None] | None = None) -> Task | None:
        row = self.current_warning()
        if row is None:
            return None

        def done(result: Any) -> None:
            self.reload_warnings()
            self.select_warning(row.id)
            if after is not None:
                after(result)

        return start(row.id, parent=self, success=done, origin=self)

    def confirm_match(self) -> Task | None:
        """待确认 → 已匹配."""
        return self._step(lambda wid, **kw: warning_ops.confirm_match(self.ops, wid, **kw))

    def assign_household(self, household_id: int | None = None) -> Task | None:
        """指定农户… (an unmatched or wrongly matched warning)."""
        row = self.current_warning()
        if row is None:
            return None
        if household_id is None:
            household_id = self.pick_household(
                f"指定“{row.person_name or row.id_number or ''}”所属农户", row.person_name or ""
            )
            if household_id is None:
                return None
        hid = household_id
        return self._step(lambda wid, **kw: warning_ops.assign_household(self.ops, wid, hid, **kw))

    def include(self, open_editor: bool | None = None) -> Task | None:
        """纳入监测: a 线索 case is opened (source 部门预警); then offered in the case editor."""

        def after(result: ws.OutcomeResult) -> None:
            self.last_case_id = result.case_id
            if result.case_id is None:
                return
            text = result.message + "\n是否现在打开该监测记录？"
            wanted = open_editor if open_editor is not None else self.confirm("纳入监测", text)
            if wanted:
                self.open_case(result.case_id)

        return self._step(
            lambda wid, **kw: warning_ops.set_outcome(self.ops, wid, ws.OUTCOME_INCLUDE, **kw), after
        )

    def already_monitored(self) -> Task | None:
        return self._step(lambda wid, **kw: warning_ops.set_outcome(self.ops, wid, ws.OUTCOME_ALREADY, **kw))

    def reject(self, reason: str | None = None) -> Task | None:
        """不符合… (the reason is required)."""
        row = self.current_warning()
        if row is None:
            return None
        if reason is None:
            reason = self.ask_reason(
                "不符合", "不符合纳入监测条件的原因", hint="如：已报销后自付不高、家庭收入远高于监测范围"
            )
            if reason is None:
                return None
        why = reason
        return self._step(
            lambda wid, **kw: warning_ops.set_outcome(self.ops, wid, ws.OUTCOME_REJECT, why, **kw)
        )

    def not_local(self, reason: str | None = None) -> Task | None:
        """不涉及本乡镇… (an unmatched row about someone living elsewhere)."""
        if self.current_warning() is None:
            return None
        if reason is None:
            reason = self.ask_reason("不涉及本乡镇", "原因", hint="如：户籍在其他乡镇")
            if reason is None:
                return None
        why = reason
        return self._step(lambda wid, **kw: warning_ops.mark_not_local(self.ops, wid, why, **kw))

    def clear_outcome(self) -> Task | None:
        row = self.current_warning()
        if row is None or not self.confirm("撤销结果", "撤销该预警的核实结果？（已新建的监测记录不会删除）"):
            return None
        return self._step(lambda wid, **kw: warning_ops.clear_outcome(self.ops, wid, **kw))

    def export_summary(
        self, path: Path | None = None, month: str | None = None, department: str | None = None
    ) -> Task | None:
        """导出月报…: the month's counts and every warning's outcome, for one department (or all)."""
        month = month or self.month.value() or (self._months[0] if self._months else f"{self.today():%Y-%m}")
        department = department if department is not None else self.department.value()
        who = department or "各部门"
        path = path or self.jobs.save_path("导出预警核实月报", f"{month}_{who}预警核实情况.xlsx", XLSX_FILTER)
        if path is None:
            return None
        return warning_ops.export_summary(
            self.ops,
            path,
            month,
            department,
            parent=self,
            success=lambda p: self.jobs.offer_open(
                "导出完成", f"已导出{month}{who}预警核实情况到：\n{p}", Path(p)
            ),
        )

    # ------------------------------------------------------------------ county list

    def import_county(
        self,
        path: str | Path | None = None,
        columns: Sequence[str | None] | None = None,
        *,
        ask: bool = True,
        received_on: dt.date | None = None,
    ) -> Task | None:
        """导入问题清单: the county's flagged records, mapped like the warnings."""
        if path is None:
            path = self.jobs.open_path("导入县级问题清单")
            if path is None:
                return None
        preview = self._preview(county.preview, str(path))
        if preview is None:
            return None
        labels = preview.labels
        save = True
        if ask and columns is None:
            day = self._received_date(received_on)
            dialog = MappingDialog("导入县级问题清单", county.FIELDS, preview, self, top=(("收到日期", day),))
            chosen = _mapping_chosen(dialog, day)
            if chosen is None:
                return None
            columns, save, labels, received_on = chosen
        cols = list(columns) if columns is not None else list(preview.columns)

        def done(result: Any) -> None:
            self.last_import = result
            self.county_status.set_value(None)
            self.reload_county()
            self.jobs.inform("导入完成", result.summary())

        return warning_ops.import_county_list(
            self.ops,
            str(path),
            cols,
            labels=labels,
            save_mapping=save and (ask or columns is not None),
            received_on=received_on,
            sheet=preview.sheet,
            header_row=preview.header_rows[-1] if preview.header_rows else None,
            parent=self,
            success=done,
            origin=self,
        )

    def _county_step(self, start: Callable[..., Task]) -> Task | None:
        row = self.current_item()
        if row is None:
            return None

        def done(_result: Any) -> None:
            self.reload_county()
            self.select_item(row.id)

        return start(row.id, parent=self, success=done, origin=self)

    def mark_rectified(self, note: str | None = None) -> Task | None:
        """已整改… (what was corrected is required)."""
        if self.current_item() is None:
            return None
        if note is None:
            note = self.ask_reason("已整改", "整改情况", hint="如：已更正证件号码")
            if note is None:
                return None
        text = note
        return self._county_step(lambda iid, **kw: warning_ops.mark_rectified(self.ops, iid, text, **kw))

    def mark_no_need(self, reason: str | None = None) -> Task | None:
        """无需整改… (the reason is required)."""
        if self.current_item() is None:
            return None
        if reason is None:
            reason = self.ask_reason("无需整改", "无需整改的理由", hint="如：经核实信息正确，已提供佐证材料")
            if reason is None:
                return None
        why = reason
        return self._county_step(lambda iid, **kw: warning_ops.mark_no_need(self.ops, iid, why, **kw))

    def assign_county_household(self, household_id: int | None = None) -> Task | None:
        row = self.current_item()
        if row is None:
            return None
        if household_id is None:
            household_id = self.pick_household(
                f"指定“{row.person_name or row.id_number or ''}”所属农户", row.person_name or ""
            )
            if household_id is None:
                return None
        hid = household_id
        return self._county_step(
            lambda iid, **kw: warning_ops.assign_county_household(self.ops, iid, hid, **kw)
        )

    def reopen_county(self) -> Task | None:
        if self.current_item() is None or not self.confirm("撤销", "把该问题改回“待整改”？"):
            return None
        return self._county_step(lambda iid, **kw: warning_ops.reopen_county(self.ops, iid, **kw))

    def county_not_local(self, reason: str | None = None) -> Task | None:
        """不涉及本乡镇… (an unmatched item about someone living elsewhere)."""
        if self.current_item() is None:
            return None
        if reason is None:
            reason = self.ask_reason("不涉及本乡镇", "原因", hint="如：户籍在其他乡镇")
            if reason is None:
                return None
        why = reason
        return self._county_step(lambda iid, **kw: warning_ops.county_not_local(self.ops, iid, why, **kw))

    def export_county(self, path: Path | None = None) -> Task | None:
        """导出整改情况…: every county item with its state (the 状态 filter's status only, if chosen)."""
        wanted = self.county_status.value()
        status = wanted if wanted in county.STATUSES else None
        name = f"县级反馈问题整改情况_{self.today():%Y%m%d}.xlsx"
        path = path or self.jobs.save_path("导出县级问题整改情况", name, XLSX_FILTER)
        if path is None:
            return None
        return warning_ops.export_county_list(
            self.ops,
            path,
            status,
            parent=self,
            success=lambda p: self.jobs.offer_open("导出完成", f"已导出县级问题整改情况到：\n{p}", Path(p)),
        )
