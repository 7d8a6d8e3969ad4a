"""问题整改台账 (附件4): the problems found and their rectification, 四项清单 followed to 销号.

A list with filters (批次, 村, 状态, 问题类型, 只看超期, 立行立改), add and edit, and the status
steps 整改中 → 已整改 → 已销号 (with the verification date and verifier; a failed verification
goes back to 整改中). Items still being rectified after their deadline are shaded red; problems
fixed on the spot (立行立改) are listed grey and marked — they count as found but are not ledger
items. The ledger exports as appendix 4 (xlsx) and prints as PDF.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.db import Database
from fanpin_desktop.errors import ValidationError
from fanpin_desktop.services import appendix_export, ledger
from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services import households as household_service
from fanpin_desktop.services.ledger import ProblemRow
from fanpin_desktop.ui.common import ask_yes_no, ok_cancel_buttons, record_table
from fanpin_desktop.ui.errors import show_error
from fanpin_desktop.ui.pages.screening.actions import PDF_FILTER, XLSX_FILTER, FileJobs
from fanpin_desktop.ui.table_models.screening import SORT_ROLE, ProblemTableModel
from fanpin_desktop.ui.tasks import TaskRunner
from fanpin_desktop.ui.widgets import IdCombo, OptionalDateEdit, ValueCombo, icon

log = logging.getLogger(__name__)

ALL_CAMPAIGNS = -1


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(d: QDate) -> dt.date:
    return dt.date(d.year(), d.month(), d.day())


class ProblemDialog(QDialog):
    """Add or edit one problem (四项清单: problem, measure, responsible person, deadline).

    ``fixed_household`` (id, label) records a problem of one household (from the entry form);
    otherwise the level decides what is asked: 乡镇 — nothing, 村 — the village, 户 — the household.
    ``save(values)`` writes it; a validation error keeps the dialog open on the field named.
    """

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        *,
        problem: ProblemRow | None = None,
        year: int | None = None,
        fixed_household: tuple[int, str] | None = None,
        village_id: int | None = None,
        description: str = "",
        found_on: dt.date | None = None,
        save: Any = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._save = save
        self._fixed = fixed_household
        self.saved_id: int | None = None
        today = today or dt.date.today()
        self.setWindowTitle("编辑问题" if problem else "记入问题整改台账")
        with db.reading() as s:
            villages = [(v.id, v.name) for v in household_service.region_options(s)]
        self.level = ValueCombo(ledger.LEVELS, blank=False)
        self.village = IdCombo(blank_text="（请选择）")
        self.village.set_items(villages)
        self.household_id: int | None = None
        self.household_label = QLabel("（未选择）")
        self.household_button = QPushButton(icon("fa5s.search"), "选择农户…")
        self.household_button.clicked.connect(self.pick_household)
        self.problem_type = ValueCombo(ledger.problem_types(year), blank=False)
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(64)
        self.measure = QPlainTextEdit()
        self.measure.setTabChangesFocus(True)
        self.measure.setFixedHeight(52)
        self.responsible = QLineEdit()
        self.responsible.setMaxLength(60)
        self.deadline = OptionalDateEdit()
        self.found_on = QDateEdit()
        self.found_on.setDisplayFormat("yyyy-MM-dd")
        self.found_on.setCalendarPopup(True)
        self.found_on.setDate(_qdate(found_on or today))
        self.on_the_spot = QCheckBox("立行立改（当场已整改：计入发现问题数，不列入整改台账）")
        self.note = QLineEdit()
        self.message = QLabel()
        self.message.setStyleSheet("color:#a50e0e")
        self.message.setWordWrap(True)

        household_row = QHBoxLayout()
        household_row.addWidget(self.household_label, 1)
        household_row.addWidget(self.household_button)
        form = QFormLayout()
        form.addRow("问题层级", self.level)
        form.addRow("村（社区）", self.village)
        form.addRow("农户", household_row)
        form.addRow("问题类型*", self.problem_type)
        form.addRow("具体问题*", self.description)
        form.addRow("整改措施", self.measure)
        form.addRow("整改责任人", self.responsible)
        form.addRow("整改时限", self.deadline)
        form.addRow("发现日期", self.found_on)
        form.addRow("", self.on_the_spot)
        form.addRow("备注", self.note)
        buttons = ok_cancel_buttons(self, "保存")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.level.valueChanged.connect(lambda _v: self._update_level())

        if problem is not None:
            self.level.set_value(problem.level)
            self.village.set_value(problem.village_id)
            self.household_id = problem.household_id
            if problem.household_id:
                self.household_label.setText(f"{problem.village} {problem.head_name}户")
            self.problem_type.set_value(problem.problem_type)
            self.description.setPlainText(problem.description)
            self.measure.setPlainText(problem.measure)
            self.responsible.setText(problem.responsible)
            self.deadline.set_optional_date(problem.deadline)
            if problem.found_on:
                self.found_on.setDate(_qdate(problem.found_on))
            self.on_the_spot.setChecked(problem.on_the_spot)
            self.note.setText(problem.note)
        else:
            self.level.set_value(
                ledger.LEVEL_HOUSEHOLD
                if fixed_household
                else ledger.LEVEL_VILLAGE
                if village_id is not None
                else ledger.LEVEL_TOWNSHIP
            )
            self.village.set_value(village_id)
            self.description.setPlainText(description)
            self.problem_type.set_value(ledger.problem_types(year)[0])
        if fixed_household is not None:
            self.set_household(fixed_household[0])
            self.household_label.setText(fixed_household[1])
            self.level.setEnabled(False)
            self.village.setEnabled(False)
            self.household_button.setEnabled(False)
        self._update_level()
        self.resize(560, 520)
        self.problem_type.setFocus()

    def _update_level(self) -> None:
        level = self.level.value()
        if self._fixed is None:
            self.village.setEnabled(level in (ledger.LEVEL_VILLAGE, ledger.LEVEL_HOUSEHOLD))
            self.household_button.setEnabled(level == ledger.LEVEL_HOUSEHOLD)
        if level != ledger.LEVEL_HOUSEHOLD and self._fixed is None:
            self.household_id = None
            self.household_label.setText("（乡镇、村级问题不填写户主姓名和身份证号码）")
        elif self.household_id is None:
            self.household_label.setText("（未选择）")

    def pick_household(self) -> None:
        from fanpin_desktop.ui.dialogs.screening_form import HouseholdPickerDialog

        dialog = HouseholdPickerDialog(self._db, self, village_id=self.village.value(), title="选择农户")
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.household_id is not None:
            self.set_household(dialog.household_id)
        dialog.deleteLater()

    def set_household(self, household_id: int) -> None:
        with self._db.reading() as s:
            label = household_service.household_label(s, household_id)
            row = household_service.fetch_rows(s, [household_id]).get(household_id)
        self.household_id = household_id
        self.household_label.setText(label)
        if row is not None:
            village = next(
                (i for i in range(self.village.count()) if self.village.itemText(i) == row.village), -1
            )
            if village >= 0:
                self.village.setCurrentIndex(village)

    def values(self) -> dict[str, Any]:
        level = self.level.value() or ledger.LEVEL_TOWNSHIP
        return {
            "level": level,
            "village_id": self.village.value() if level != ledger.LEVEL_TOWNSHIP else None,
            "household_id": self.household_id if level == ledger.LEVEL_HOUSEHOLD else None,
            "problem_type": self.problem_type.value(),
            "description": self.description.toPlainText().strip(),
            "measure": self.measure.toPlainText().strip() or None,
            "responsible": self.responsible.text().strip() or None,
            "deadline": self.deadline.optional_date(),
            "found_on": _pydate(self.found_on.date()),
            "on_the_spot": self.on_the_spot.isChecked(),
            "note": self.note.text().strip() or None,
        }

    _FIELD_WIDGETS = {
        "level": "level",
        "village_id": "village",
        "household_id": "household_button",
        "problem_type": "problem_type",
        "description": "description",
        "measure": "measure",
        "responsible": "responsible",
        "deadline": "deadline",
        "found_on": "found_on",
        "note": "note",
    }

    def accept(self) -> None:
        values = self.values()
        if not values["description"]:
            self.message.setText("具体问题不能为空。")
            self.description.setFocus()
            return
        if self._save is not None:
            try:
                self.saved_id = self._save(values)
            except ValidationError as exc:
                self.message.setText(str(exc))
                widget = getattr(self, self._FIELD_WIDGETS.get(exc.field, ""), None)
                if isinstance(widget, QWidget):
                    widget.setFocus()
                return
            except Exception as exc:  # noqa: BLE001
                show_error(exc, self)
                return
        super().accept()


class StatusDialog(QDialog):
    """A date and a text for a status step (整改完成 / 验收销号 / 退回整改)."""

    def __init__(
        self,
        title: str,
        date_label: str | None,
        text_label: str,
        parent: QWidget | None = None,
        text_required: bool = False,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._required = text_required
        self.day = QDateEdit()
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setCalendarPopup(True)
        self.day.setDate(_qdate(today or dt.date.today()))
        self.text = QLineEdit()
        self.message = QLabel()
        self.message.setStyleSheet("color:#a50e0e")
        form = QFormLayout()
        if date_label:
            form.addRow(date_label, self.day)
        form.addRow(text_label, self.text)
        buttons = ok_cancel_buttons(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(380, 140)

    def accept(self) -> None:
        if self._required and not self.text.text().strip():
            self.message.setText("请填写原因。")
            return
        super().accept()

    def result_values(self) -> tuple[dt.date, str]:
        return _pydate(self.day.date()), self.text.text().strip()


class LedgerPage(QWidget):
    """The rectification ledger page."""

    changed = Signal()

    def __init__(
        self,
        db: Database,
        exports_dir: Path | None = None,
        runner: TaskRunner | None = None,
        parent: QWidget | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._today = today
        self._loading = False
        self.jobs = FileJobs(self, exports_dir, runner)

        # ---- filters
        self.campaign = IdCombo(blank_text=None)
        self.village = IdCombo(blank_text="全部村")
        self.status = ValueCombo(ledger.STATUSES, blank_text="全部状态")
        self.problem_type = ValueCombo(ledger.problem_types(), blank_text="全部问题类型")
        self.overdue_only = QCheckBox("只看超期")
        self.include_spot = QCheckBox("含立行立改")
        self.include_spot.setChecked(True)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("批次"))
        filters.addWidget(self.campaign, 1)
        filters.addWidget(self.village, 1)
        filters.addWidget(self.status)
        filters.addWidget(self.problem_type)
        filters.addWidget(self.overdue_only)
        filters.addWidget(self.include_spot)
        filters.addStretch(1)

        # ---- actions
        self.add_button = QPushButton(icon("fa5s.plus"), "新增问题")
        self.edit_button = QPushButton(icon("fa5s.edit"), "编辑")
        self.delete_button = QPushButton(icon("fa5s.trash-alt"), "删除")
        self.rectified_button = QPushButton(icon("fa5s.check"), "标记已整改…")
        self.close_button = QPushButton(icon("fa5s.check-double"), "验收销号…")
        self.back_button = QPushButton(icon("fa5s.undo"), "退回整改…")
        self.export_button = QPushButton(icon("fa5s.file-excel"), "导出附件4")
        self.print_button = QPushButton(icon("fa5s.print"), "打印附件4")
        actions = QHBoxLayout()
        for b in (
            self.add_button,
            self.edit_button,
            self.delete_button,
            self.rectified_button,
            self.close_button,
            self.back_button,
        ):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.export_button)
        actions.addWidget(self.print_button)

        self.counts_label = QLabel()
        self.counts_label.setTextFormat(Qt.TextFormat.RichText)

        # ---- table
        self.model = ProblemTableModel(parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = record_table(
            self.proxy, (40, 72, 64, 132, 124, 220, 170, 84, 84, 128, 84, 84, 84), sortable=True
        )

        legend = QLabel(
            "<span style='background:#fce8e6;color:#a50e0e'>&nbsp;红色&nbsp;</span> 超过整改时限仍在整改中"
            "　<span style='color:#6b7280'><i>灰色</i></span> 立行立改（不列入台账和附件4）"
            "　<span style='color:#1e7e34'>绿色</span> 已销号"
        )
        legend.setTextFormat(Qt.TextFormat.RichText)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.view, 1)
        layout.addWidget(legend)

        for combo in (self.campaign, self.village):
            combo.valueChanged.connect(lambda _v: self.reload())
        for combo2 in (self.status, self.problem_type):
            combo2.valueChanged.connect(lambda _v: self.reload())
        self.overdue_only.toggled.connect(lambda _c: self.reload())
        self.include_spot.toggled.connect(lambda _c: self.reload())
        self.add_button.clicked.connect(lambda: self.add_problem())
        self.edit_button.clicked.connect(lambda: self.edit_current())
        self.delete_button.clicked.connect(lambda: self.delete_current())
        self.rectified_button.clicked.connect(lambda: self.mark_rectified())
        self.close_button.clicked.connect(lambda: self.close_current())
        self.back_button.clicked.connect(lambda: self.send_back())
        self.export_button.clicked.connect(lambda: self.export_appendix4())
        self.print_button.clicked.connect(lambda: self.print_appendix4())
        self.view.doubleClicked.connect(lambda _i: self.edit_current())
        self.view.selectionModel().currentRowChanged.connect(lambda _a, _b: self._update_buttons())
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.add_problem)
        QShortcut(
            QKeySequence(Qt.Key.Key_Delete),
            self.view,
            activated=self.delete_current,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        QShortcut(
            QKeySequence(Qt.Key.Key_Return),
            self.view,
            activated=self.edit_current,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        self.refresh()

    # ------------------------------------------------------------------ data

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def set_runner(self, runner: TaskRunner) -> None:
        self.jobs.runner = runner

    def refresh(self) -> None:
        try:
            with self._db.reading() as s:
                campaigns = campaign_service.list_campaigns(s)
                current = campaign_service.current_id(s)
                villages = [(v.id, v.name) for v in household_service.region_options(s)]
        except Exception as exc:  # noqa: BLE001
            show_error(exc, self)
            return
        chosen = self.campaign.value() if self.campaign.count() else current
        self._loading = True
        try:
            self.campaign.set_items(
                [(ALL_CAMPAIGNS, "全部批次"), *((c.id, c.name) for c in campaigns)], keep=False
            )
            if not self.campaign.set_value(chosen if chosen is not None else current):
                self.campaign.set_value(current if current is not None else ALL_CAMPAIGNS)
            self.village.set_items(villages)
        finally:
            self._loading = False
        self.reload()

    def campaign_id(self) -> int | None:
        value = self.campaign.value()
        return None if value in (None, ALL_CAMPAIGNS) else value

    def year(self) -> int | None:
        cid = self.campaign_id()
        if cid is None:
            return None
        with self._db.reading() as s:
            return campaign_service.info(s, cid).year

    def reload(self) -> None:
        if self._loading:
            return
        keep = self.current_problem_id()
        try:
            with self._db.reading() as s:
                rows = ledger.list_problems(
                    s,
                    campaign_id=self.campaign_id(),
                    village_id=self.village.value(),
                    statuses=[self.status.value()] if self.status.value() else None,
                    include_on_the_spot=self.include_spot.isChecked(),
                    overdue_only=self.overdue_only.isChecked(),
                    today=self.today(),
                )
                counts = ledger.counts(s, self.campaign_id(), self.today())
        except Exception as exc:  # noqa: BLE001
            show_error(exc, self)
            return
        wanted = self.problem_type.value()
        if wanted:
            rows = [r for r in rows if r.problem_type == wanted]
        self.model.set_rows(rows)
        over = f"<b style='color:#a50e0e'>超期 {counts.overdue}</b>" if counts.overdue else "超期 0"
        self.counts_label.setText(
            f"台账共 {counts.total} 条：整改中 {counts.in_progress}，已整改 {counts.rectified}，"
            f"已销号 {counts.closed}，{over}；另有立行立改 {counts.on_the_spot} 条。　当前列出 {len(rows)} 条。"
        )
        if keep is not None:
            self.select_problem(keep)
        self._update_buttons()

    # ------------------------------------------------------------------ selection

    def current_row(self) -> ProblemRow | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return self.model.row_data(self.proxy.mapToSource(index).row())

    def current_problem_id(self) -> int | None:
        row = self.current_row()
        return row.id if row else None

    def select_problem(self, problem_id: int) -> bool:
        r = self.model.row_of(problem_id)
        if r is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(r, 0))
        self.view.setCurrentIndex(index)
        self.view.selectRow(index.row())
        return True

    def _update_buttons(self) -> None:
        row = self.current_row()
        has = row is not None
        self.edit_button.setEnabled(has and row.status != ledger.CLOSED)  # type: ignore[union-attr]
        self.delete_button.setEnabled(has)
        self.rectified_button.setEnabled(has and row.status == ledger.IN_PROGRESS)  # type: ignore[union-attr]
        self.close_button.setEnabled(has and row.status == ledger.RECTIFIED)  # type: ignore[union-attr]
        self.back_button.setEnabled(has and row.status == ledger.RECTIFIED)  # type: ignore[union-attr]

    # ------------------------------------------------------------------ add / edit / delete

    def _write(self, fn: Any) -> Any:
        with self._db.unit() as s:
            return fn(s)

    def add_problem(self, values: dict[str, Any] | None = None) -> int | None:
        year, cid = self.year(), self.campaign_id()

        def save(v: dict[str, Any]) -> int:
            return self._write(
                lambda s: ledger.create(s, campaign_id=cid, year=year, source="手工登记", **v).id
            )

        if values is not None:
            try:
                pid = save(values)
            except Exception as exc:  # noqa: BLE001
                show_error(exc, self)
                return None
        else:
            dialog = ProblemDialog(
                self._db, self, year=year, village_id=self.village.value(), save=save, today=self.today()
            )
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            pid = dialog.saved_id if accepted else None
            dialog.deleteLater()
            if pid is None:
                return None
        self.reload()
        self.select_problem(pid)
        self.changed.emit()
        return pid

    def edit_current(self, values: dict[str, Any] | None = None) -> bool:
        row = self.current_row()
        if row is None:
            return False
        if row.status == ledger.CLOSED:
            self.jobs.inform("不能修改", "已销号的问题不能再修改；如问题反弹，请另行登记。")
            return False
        year = self.year()

        def save(v: dict[str, Any]) -> int:
            return self._write(lambda s: ledger.edit(s, row.id, year=year, **v).id)

        if values is not None:
            try:
                save(values)
            except Exception as exc:  # noqa: BLE001
                show_error(exc, self)
                return False
        else:
            dialog = ProblemDialog(self._db, self, problem=row, year=year, save=save, today=self.today())
            ok = dialog.exec() == QDialog.DialogCode.Accepted
            dialog.deleteLater()
            if not ok:
                return False
        self.reload()
        self.changed.emit()
        return True

    def confirm(self, title: str, text: str) -> bool:
        return ask_yes_no(self, title, text)

    def delete_current(self) -> bool:
        row = self.current_row()
        if row is None or not self.confirm("删除问题", f"确定删除问题“{row.description[:40]}”吗？"):
            return False
        try:
            self._write(lambda s: ledger.delete(s, row.id))
        except Exception as exc:  # noqa: BLE001
            show_error(exc, self)
            return False
        self.reload()
        self.changed.emit()
        return True

    # ------------------------------------------------------------------ status steps

    def ask_status(
        self, title: str, date_label: str | None, text_label: str, required: bool = False
    ) -> tuple[dt.date, str] | None:
        dialog = StatusDialog(title, date_label, text_label, self, required, self.today())
        result = dialog.result_values() if dialog.exec() == QDialog.DialogCode.Accepted else None
        dialog.deleteLater()
        return result

    def _step(self, fn: Any) -> bool:
        row = self.current_row()
        if row is None:
            return False
        try:
            self._write(lambda s: fn(s, row.id))
        except Exception as exc:  # noqa: BLE001 - ValidationError is a UserError: its message is shown
            show_error(exc, self)
            return False
        self.reload()
        self.select_problem(row.id)
        self.changed.emit()
        return True

    def mark_rectified(self, on: dt.date | None = None, note: str | None = None) -> bool:
        """整改中 → 已整改 with the completion date."""
        if on is None:
            asked = self.ask_status("标记已整改", "整改完成日期", "整改情况（可不填）")
            if asked is None:
                return False
            on, note = asked
        return self._step(lambda s, pid: ledger.mark_rectified(s, pid, on, note or None))

    def close_current(self, on: dt.date | None = None, by: str | None = None) -> bool:
        """已整改 → 已销号 after verification, with the verification date."""
        if on is None:
            asked = self.ask_status("验收销号", "销号（验收）日期", "验收人")
            if asked is None:
                return False
            on, by = asked
        return self._step(lambda s, pid: ledger.close(s, pid, on, by or None))

    def send_back(self, reason: str | None = None) -> bool:
        """已整改 → 整改中: the verification found the rectification incomplete."""
        if reason is None:
            asked = self.ask_status("退回整改", None, "验收未通过的原因", required=True)
            if asked is None:
                return False
            reason = asked[1]
        return self._step(lambda s, pid: ledger.send_back(s, pid, reason))

    # ------------------------------------------------------------------ files

    def export_appendix4(self, path: Path | None = None) -> None:
        cid = self.campaign_id()
        if cid is None:
            self.jobs.inform("请选择批次", "附件4按排查批次导出，请先在“批次”中选择一个排查批次。")
            return
        village = self.village.value()
        with self._db.reading() as s:
            name = appendix_export.default_filename(s, campaign_service.get(s, cid), 4, village)
        path = path or self.jobs.save_path("导出附件4 问题整改台账", name, XLSX_FILTER)
        if path is None:
            return
        db = self._db

        def work(_c: Any) -> Any:
            with db.reading() as s:
                return appendix_export.export_appendix(s, 4, path, campaign_id=cid, village_id=village)

        self.jobs.run(
            "正在导出附件4…",
            work,
            lambda r: self.jobs.offer_open("导出完成", f"已导出附件4（{r.rows}条）到：\n{r.path}", r.path),
        )

    def print_appendix4(self, path: Path | None = None, paper: str = "A4") -> None:
        from fanpin_desktop.services import printing

        cid = self.campaign_id()
        village = self.village.value()
        path = path or self.jobs.save_path(
            "打印附件4 问题整改台账", f"附件4_问题整改台账_{self.today():%Y%m%d}.pdf", PDF_FILTER
        )
        if path is None:
            return
        db = self._db

        def work(_c: Any) -> Path:
            with db.reading() as s:
                return printing.write_appendix4(s, path, campaign_id=cid, village_id=village, paper=paper)

        self.jobs.run("正在生成附件4 PDF…", work, self.jobs.open)
