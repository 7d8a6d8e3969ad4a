"""数据核查: every data-quality rule over the whole township, the counts per rule, one rule's
findings, waivers (豁免) with a reason, the problem list per village, and the list of rules.

"开始核查" runs ``services.quality.run_all`` in the background (about five seconds for 20,000
households); the result stays until the next run. A change notice about households, cases or the
villages marks it out of date ("数据已变更，请重新核查") instead of running again by itself.
Double-clicking a finding opens the household (or the monitoring case) in its editor; the editor
shows the record's own findings. A waiver changes no listed record: the page reads the
household's findings again and shows the new state in place.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.domain.rules import GROUPS, RULES
from fanpin_desktop.services import households as household_service
from fanpin_desktop.ui import empty_hint as hints
from fanpin_desktop.ui.common import (
    current_proxied_row,
    list_keys,
    ok_cancel_buttons,
    record_table,
    select_proxied_row,
)
from fanpin_desktop.ui.geometry import fit_to_screen
from fanpin_desktop.ui.operations import Changes, Operations
from fanpin_desktop.ui.operations import quality as quality_ops
from fanpin_desktop.ui.pages.base import Page
from fanpin_desktop.ui.pages.screening.actions import XLSX_FILTER, FileJobs
from fanpin_desktop.ui.table_models.base import SORT_ROLE
from fanpin_desktop.ui.table_models.quality import (
    ERROR,
    FindingModel,
    RuleCount,
    RuleCountModel,
    RuleListModel,
)
from fanpin_desktop.ui.tasks import Task
from fanpin_desktop.ui.widgets import IdCombo, ValueCombo, icon

log = logging.getLogger(__name__)

STALE_TEXT = "数据已变更，请重新核查"
TAB_RESULTS, TAB_RULES = range(2)


def _household_editor(ops: Operations, household_id: int, parent: QWidget) -> Any:
    from fanpin_desktop.ui.dialogs.household_editor import HouseholdEditor

    return HouseholdEditor(ops, household_id, parent)


def _case_editor(ops: Operations, case_id: int, parent: QWidget) -> Any:
    from fanpin_desktop.ui.dialogs.case_editor import CaseEditor

    return CaseEditor(ops, case_id, parent)


class ReasonDialog(QDialog):
    """The reason for a waiver (required): what was checked and why the data is right."""

    def __init__(self, finding_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("豁免此问题")
        what = QLabel(finding_text)
        what.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("例如：已入户核实，电话号码为座机号码，数据无误")
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(80)
        self.message = QLabel()
        self.message.setStyleSheet("color:#a50e0e")
        form = QFormLayout()
        form.addRow("问题：", what)
        form.addRow("豁免原因：", self.text)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(ok_cancel_buttons(self))
        fit_to_screen(self, "quality_reason", (460, 0))

    def accept(self) -> None:
        if not self.reason():
            self.message.setText("请填写豁免原因（核实了什么、为什么数据无误）。")
            return
        super().accept()

    def reason(self) -> str:
        return self.text.toPlainText().strip()


class QualityPage(Page):
    """The 数据核查 page."""

    #: a run is out of date after these change (it is not run again by itself)
    SHOWS = ("households", "cases", "settings")

    def __init__(
        self,
        ops: Operations,
        exports_dir: Path | None = None,
        parent: QWidget | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(ops, parent)
        self._today = today
        self.jobs = FileJobs(self, exports_dir, ops)
        self.report: Any = None  # the last run's QualityReport
        self.findings: list[Any] = []  # its findings, waivers updated in place
        self.ran_at: dt.datetime | None = None
        self.outdated = False
        #: what double-click opens (tests replace them): ``factory(ops, id, parent)`` with ``exec()``
        self.household_editor_factory: Callable[[Operations, int, QWidget], Any] = _household_editor
        self.case_editor_factory: Callable[[Operations, int, QWidget], Any] = _case_editor
        #: asks the waiver's reason (tests replace it): the reason, or None when cancelled
        self.ask_reason: Callable[[Any], str | None] = self._ask_reason

        # ---- the bar
        self.run_button = QPushButton(icon("fa5s.play"), "开始核查")
        self.run_button.setToolTip("按全部核查规则检查全乡镇的户、成员、收入和监测记录")
        self.group = ValueCombo(GROUPS, blank_text="全部分组")
        self.village = IdCombo(blank_text="全部村")
        self.only_open = QCheckBox("只列有问题的规则")
        self.only_open.setChecked(True)
        self.export_button = QPushButton(icon("fa5s.file-excel"), "导出本村问题清单…")
        self.export_button.setToolTip("所选村（未选时为全部村）的未豁免问题，Excel 格式，可发给村里整改")
        bar = QHBoxLayout()
        bar.addWidget(self.run_button)
        bar.addSpacing(12)
        bar.addWidget(QLabel("分组"))
        bar.addWidget(self.group)
        bar.addWidget(QLabel("村"))
        bar.addWidget(self.village)
        bar.addWidget(self.only_open)
        bar.addStretch(1)
        bar.addWidget(self.export_button)

        self.summary = QLabel("尚未核查。点击“开始核查”按全部规则检查本乡镇的数据。")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.stale_label = QLabel(f"⚠ {STALE_TEXT}")
        self.stale_label.setStyleSheet(
            "background:#fff4ce;color:#7a4b00;border:1px solid #e8c462;padding:3px 8px;"
        )
        self.stale_label.setVisible(False)

        # ---- results: the rules with their counts, the selected rule's findings
        self.rule_model = RuleCountModel(parent=self)
        self.rule_proxy = QSortFilterProxyModel(self)
        self.rule_proxy.setSourceModel(self.rule_model)
        self.rule_proxy.setSortRole(SORT_ROLE)
        self.rule_view = record_table(self.rule_proxy, (96, 80, 66, 480, 64, 64), sortable=True)
        header = self.rule_view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)  # the rule's title

        self.finding_model = FindingModel(parent=self)
        self.finding_proxy = QSortFilterProxyModel(self)
        self.finding_proxy.setSourceModel(self.finding_model)
        self.finding_proxy.setSortRole(SORT_ROLE)
        self.finding_view = record_table(self.finding_proxy, (96, 64, 70, 70, 600, 200), sortable=True)
        header = self.finding_view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)  # the message
        self.finding_title = QLabel(
            "选择上面的一条规则，这里列出它查出的问题；双击打开该户（或监测记录）修改。"
        )
        self.finding_title.setTextFormat(Qt.TextFormat.RichText)
        self.open_button = QPushButton(icon("fa5s.edit"), "打开修改…")
        self.exempt_button = QPushButton(icon("fa5s.check"), "豁免…")
        self.exempt_button.setToolTip("核实后数据无误：填写原因后不再列为问题（数据再改动时会重新核查）")
        self.unexempt_button = QPushButton(icon("fa5s.undo"), "取消豁免")
        finding_bar = QHBoxLayout()
        finding_bar.addWidget(self.finding_title, 1)
        finding_bar.addWidget(self.open_button)
        finding_bar.addWidget(self.exempt_button)
        finding_bar.addWidget(self.unexempt_button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(finding_bar)
        lower_layout.addWidget(self.finding_view, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.rule_view)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)

        # ---- 规则一览
        self.rule_list_model = RuleListModel(list(RULES), parent=self)
        self.rule_list_view = record_table(self.rule_list_model, (96, 80, 70, 600))
        rules_page = QWidget()
        rules_layout = QVBoxLayout(rules_page)
        errors = sum(1 for r in RULES if r.severity == ERROR)
        rules_note = QLabel(
            f"共 {len(RULES)} 条规则：错误 {errors} 条（数据有误，应当修改），提醒 {len(RULES) - errors} 条"
            "（需要核实，核实无误的可以豁免）。规则编号与国家系统的数据核查规则对应。"
        )
        rules_note.setWordWrap(True)
        rules_layout.addWidget(rules_note)
        rules_layout.addWidget(self.rule_list_view, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.splitter, icon("fa5s.check-double"), "核查结果")
        self.tabs.addTab(rules_page, icon("fa5s.list-ol"), "规则一览")

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.stale_label)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        self.empty_hint = hints.EmptyHint(
            "还没有户籍数据，暂时无需核查", "导入户籍名册后，点“开始核查”检查全乡镇的数据。"
        )
        self.empty_hint.add_button(
            "导入户籍名册…", hints.window_call(self, "import_roster"), "fa5s.file-import"
        )
        layout.insertWidget(0, self.empty_hint)

        self.run_button.clicked.connect(lambda: self.run())
        self.group.valueChanged.connect(lambda _v: self.show_counts())
        self.village.valueChanged.connect(lambda _v: self.show_counts())
        self.only_open.toggled.connect(lambda _c: self.show_counts())
        self.export_button.clicked.connect(lambda: self.export())
        self.rule_view.selectionModel().currentRowChanged.connect(lambda _a, _b: self.show_findings())
        self.finding_view.selectionModel().currentRowChanged.connect(lambda _a, _b: self._update_buttons())
        self.finding_view.doubleClicked.connect(lambda _i: self.open_current())
        self.open_button.clicked.connect(lambda: self.open_current())
        self.exempt_button.clicked.connect(lambda: self.exempt_current())
        self.unexempt_button.clicked.connect(lambda: self.unexempt_current())
        list_keys(self.finding_view, opens=self.open_current)
        self.refresh()
        self.show_counts()

    # ------------------------------------------------------------------ data

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def refresh(self) -> None:
        """The village list (the results stay until the next run)."""
        villages = [(v.id, v.name) for v in self.ops.read(household_service.region_options)]
        self.village.set_items(villages)
        self.empty_hint.set_empty(self.ops.read(household_service.household_count) == 0)

    def on_changes(self, changes: Changes, origin: object | None) -> None:
        if not changes.touches(*self.SHOWS):
            return
        if changes.touches("households") and not changes.touches("settings"):
            self.empty_hint.set_empty(self.ops.read(household_service.household_count) == 0)
        if changes.touches("settings"):
            self.refresh()
        if self.report is not None:
            self.outdated = True
            self.stale_label.setVisible(True)

    def run(self) -> Task:
        """Every rule over the township (in the background); the counts show when it is done."""
        self.run_button.setEnabled(False)

        def done(report: Any) -> None:
            self.run_button.setEnabled(True)
            self.report = report
            self.findings = list(report.findings)
            self.ran_at = dt.datetime.now()
            self.outdated = False
            self.stale_label.setVisible(False)
            self.show_counts()

        task = quality_ops.run_all(self.ops, today=self.today(), parent=self, success=done)
        if task.finished and self.report is None:
            self.run_button.setEnabled(True)
        else:
            task_runner = self.ops.runner

            def finished(_label: str) -> None:
                if task.finished:
                    task_runner.task_finished.disconnect(finished)
                    self.run_button.setEnabled(True)

            if not task.finished:
                task_runner.task_finished.connect(finished)
            else:
                self.run_button.setEnabled(True)
        return task

    def visible_findings(self) -> list[Any]:
        """The findings of the last run in the chosen village (all villages when none)."""
        village_id = self.village.value()
        if village_id is None:
            return self.findings
        return [f for f in self.findings if f.village_id == village_id]

    def counts(self) -> list[RuleCount]:
        open_: dict[str, int] = {}
        waived: dict[str, int] = {}
        for f in self.visible_findings():
            target = waived if f.exempted else open_
            target[f.rule_code] = target.get(f.rule_code, 0) + 1
        group = self.group.value()
        rows = [
            RuleCount(r.code, r.group, r.severity, r.title, open_.get(r.code, 0), waived.get(r.code, 0))
            for r in RULES
            if group is None or r.group == group
        ]
        if self.only_open.isChecked():
            rows = [r for r in rows if r.count or r.exempted]
        return rows

    def show_counts(self) -> None:
        keep = self.current_rule_code()
        self.rule_model.set_rows(self.counts() if self.report is not None else [])
        if self.report is not None:
            shown = self.visible_findings()
            errors = sum(1 for f in shown if not f.exempted and f.severity == ERROR)
            reminders = sum(1 for f in shown if not f.exempted and f.severity != ERROR)
            waived = sum(1 for f in shown if f.exempted)
            where = self.village.currentText() if self.village.value() is not None else "全乡镇"
            households = self.report.households
            checked = f"检查 {households} 户，" if households is not None else ""
            at = f"{self.ran_at:%H:%M} " if self.ran_at else ""
            self.summary.setText(
                f"{at}核查结果（{where}）：{checked}"
                f"<b style='color:#a50e0e'>错误 {errors} 条</b>，<b style='color:#9a5b00'>提醒 {reminders} 条</b>，"
                f"已豁免 {waived} 条。　选择一条规则查看问题。"
            )
        if keep is None or not self.select_rule(keep):
            self.show_findings()

    # ------------------------------------------------------------------ selection

    def current_rule_code(self) -> str | None:
        index = self.rule_view.currentIndex()
        if not index.isValid():
            return None
        row = self.rule_model.row_data(self.rule_proxy.mapToSource(index).row())
        return row.code if row else None

    def select_rule(self, code: str) -> bool:
        r = self.rule_model.row_of_code(code)
        if r is None:
            return False
        index = self.rule_proxy.mapFromSource(self.rule_model.index(r, 0))
        self.rule_view.setCurrentIndex(index)
        self.rule_view.selectRow(index.row())
        self.rule_view.scrollTo(index)
        self.show_findings()
        return True

    def show_findings(self) -> None:
        keep = self.current_finding()
        code = self.current_rule_code()
        rows = [f for f in self.visible_findings() if f.rule_code == code] if code else []
        rows.sort(key=lambda f: (f.exempted, f.village or "", f.group or "", f.head_name or ""))
        self.finding_model.set_rows(rows)
        if code:
            rule = next(r for r in RULES if r.code == code)
            self.finding_title.setText(f"<b>{code} {rule.title}</b>：{len(rows)} 条（双击打开修改）")
        if keep is not None:
            self.select_finding(keep.finding.key)
        self._update_buttons()

    def current_finding(self) -> Any:
        return current_proxied_row(self.finding_view, self.finding_proxy, self.finding_model)

    def select_finding(self, key: Any) -> bool:
        return select_proxied_row(self.finding_view, self.finding_proxy, self.finding_model, key)

    def _update_buttons(self) -> None:
        f = self.current_finding()
        self.open_button.setEnabled(f is not None)
        self.exempt_button.setEnabled(f is not None and not f.exempted)
        self.unexempt_button.setEnabled(f is not None and f.exempted)

    # ------------------------------------------------------------------ actions

    def open_current(self) -> Any:
        """The household editor (or the case editor for a finding about a case) on the finding."""
        f = self.current_finding()
        if f is None:
            return None
        was_outdated = self.outdated
        if f.case_id is not None:
            editor = self.case_editor_factory(self.ops, f.case_id, self)
        else:
            editor = self.household_editor_factory(self.ops, f.household_id, self)
        editor.exec()
        if getattr(editor, "saved_id", None) is not None:
            # the household's findings again at once: a fixed one leaves the list. When this edit
            # was the only change since the run, the result counts as current again (a duplicate
            # number across households is the one rule this may leave behind until the next run).
            self._reread(f.household_id, f.finding.key)
            if not was_outdated:
                self.outdated = False
                self.stale_label.setVisible(False)
        deleter = getattr(editor, "deleteLater", None)
        if deleter is not None:
            deleter()
        return editor

    def _ask_reason(self, finding: Any) -> str | None:
        dialog = ReasonDialog(finding.message, self)
        reason = dialog.reason() if dialog.exec() == QDialog.DialogCode.Accepted else None
        dialog.deleteLater()
        return reason

    def _reread(self, household_id: int, key: Any) -> None:
        """The household's findings again (after a waiver), replacing those of the last run."""
        fresh = quality_ops.household_findings(self.ops, household_id)
        self.findings = [f for f in self.findings if f.household_id != household_id] + list(fresh)
        self.show_counts()
        self.select_finding(key)

    def exempt_current(self, reason: str | None = None) -> Task | None:
        f = self.current_finding()
        if f is None or f.exempted:
            return None
        reason = reason if reason is not None else self.ask_reason(f)
        if not reason or not reason.strip():
            return None
        return quality_ops.exempt(
            self.ops,
            f.finding,
            reason.strip(),
            parent=self,
            success=lambda _r: self._reread(f.household_id, f.finding.key),
            origin=self,
        )

    def unexempt_current(self) -> Task | None:
        f = self.current_finding()
        if f is None or not f.exempted:
            return None
        return quality_ops.unexempt(
            self.ops,
            f.exemption.id,
            parent=self,
            success=lambda _r: self._reread(f.household_id, f.finding.key),
            origin=self,
        )

    def export(self, path: Path | None = None) -> Task | None:
        village_id = self.village.value()
        where = self.village.currentText() if village_id is not None else "全部村"
        name = f"数据核查问题清单_{where}_{self.today():%Y%m%d}.xlsx"
        path = path or self.jobs.save_path("导出问题清单", name, XLSX_FILTER)
        if path is None:
            return None
        target = path

        def done(written: Path) -> None:
            self.jobs.offer_open("导出完成", f"已导出{where}的数据核查问题清单到：\n{written}", written)

        report = None if self.outdated else self.report
        return quality_ops.export_findings(
            self.ops, target, village_id=village_id, report=report, parent=self, success=done
        )
