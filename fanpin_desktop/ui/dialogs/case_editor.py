"""The case editor (监测对象): one monitoring case with its household's summary, its facts, the two
procedures as timelines, measures, contacts, visits and the quarterly review.

The dialog holds no Session: it reads the case through ``ops.read(detail.load_case, …)`` and
every change is one write of ``ui/operations/cases.py`` (one unit of work, announced to every
page). A refusal of the service (``ValidationError`` naming the field) is shown in place beside the
form that caused it, with the clerk's input kept; after each successful write the case is read
again and every table is refreshed. ``saved_id`` is the case id once anything was written.

Also here: :class:`NewClueDialog` (a new 线索 for a household already chosen) and
:func:`open_new_clue` (the dialog, then the editor on the new case).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QCloseEvent, QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.domain import enums, procedure
from fanpin_desktop.domain.cases import (
    CASE_ELIMINATED,
    CASE_ELIMINATING,
    CASE_INCLUDED,
    CASE_ROLLED_BACK,
)
from fanpin_desktop.domain.workdays import UnknownHolidayYear
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.services.cases import detail, editing
from fanpin_desktop.services.cases.types import (
    STATUS_LABELS,
    CaseDetail,
    CaseFactsInput,
    ContactInput,
    ContactView,
    MeasureInput,
    MeasureView,
    StepInput,
    StepView,
    VisitInput,
    VisitView,
)
from fanpin_desktop.ui.common import ask_discard, ask_yes_no, list_keys, ok_cancel_buttons
from fanpin_desktop.ui.errors import show_user_error
from fanpin_desktop.ui.geometry import fit_to_screen, remember_columns
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.operations import cases as case_ops
from fanpin_desktop.ui.operations import quality as quality_ops
from fanpin_desktop.ui.table_models.quality import strip_text
from fanpin_desktop.ui.widgets import MoneySpinBox, OptionalDateEdit, ValueCombo, icon

log = logging.getLogger(__name__)

TAB_FACTS, TAB_IDENTIFICATION, TAB_ELIMINATION, TAB_MEASURES, TAB_CONTACTS, TAB_VISITS = range(6)

VISIT_MODES = ("入户", "电话", "微信")
ERROR_STYLE = "color:#b3261e;"
OK_STYLE = "color:#1e7b34;"
#: states in which the risk-elimination procedure may run (identified and not eliminated)
_ELIMINABLE = (CASE_INCLUDED, CASE_ELIMINATING, CASE_ROLLED_BACK)

#: the years whose unknown holidays were already announced in a message box this session
_WARNED_YEARS: set[int] = set()


def _esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _date_edit(day: dt.date) -> QDateEdit:
    edit = QDateEdit(QDate(day))
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setMaximumDate(QDate(2100, 12, 31))
    edit.setMinimumWidth(120)
    return edit


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _button(icon_name: str, text: str) -> QPushButton:
    b = QPushButton(icon(icon_name), text)
    b.setAutoDefault(False)
    return b


def _table(headers: tuple[str, ...], widths: tuple[int, ...] = ()) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(list(headers))
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setAlternatingRowColors(True)
    t.setWordWrap(False)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(24)
    header = t.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for col, width in enumerate(widths):
        t.setColumnWidth(col, width)
    remember_columns(t)
    return t


def _fill(table: QTableWidget, rows: list[tuple[Any, list[str]]], tooltips: bool = True) -> None:
    """``rows``: (id stored in the first cell's UserRole, cell texts)."""
    table.setRowCount(len(rows))
    for r, (row_id, cells) in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if tooltips and text:
                item.setToolTip(text)
            if c == 0:
                item.setData(Qt.ItemDataRole.UserRole, row_id)
            table.setItem(r, c, item)


def _refresh_buttons(*tables: QTableWidget) -> None:
    """Let a record page's 编辑 / 删除 follow the selection after its rows were replaced."""
    for table in tables:
        table.itemSelectionChanged.emit()


def _selected_id(table: QTableWidget) -> Any:
    row = table.currentRow()
    item = table.item(row, 0) if row >= 0 else None
    return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


def _money(amount: Decimal | None) -> str:
    return f"{amount:,.2f}" if amount is not None else ""


def warn_unknown_year_once(exc: UnknownHolidayYear, parent: QWidget | None) -> None:
    """The unknown-holiday-year message box, shown the first time per session for each year (the
    message stays in place beside the date as long as it applies)."""
    if exc.year in _WARNED_YEARS:
        return
    _WARNED_YEARS.add(exc.year)
    QMessageBox.warning(parent, f"{exc.year}年节假日未录入", str(exc))


# =========================================================================== small record dialogs


class _RecordDialog(QDialog):
    """A small form whose 确定 starts an operation: the dialog closes when it succeeded, a refusal
    is shown in place (the field focused) and the input stays."""

    fields: dict[str, QWidget]

    def __init__(self, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.error = _error_label()
        self.fields = {}
        self.saved_id: int | None = None
        self.submit: Callable[[], object] | None = None
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(ok_cancel_buttons(self, "保存", self._ok))

    def _ok(self) -> None:
        self.error.hide()
        if self.submit is not None:
            self.submit()

    def done_ok(self, saved_id: Any = None) -> None:
        self.saved_id = saved_id if isinstance(saved_id, int) else self.saved_id
        self.accept()

    def refused(self, exc: UserError) -> None:
        if not isinstance(exc, ValidationError):
            show_user_error(str(exc), self)
            return
        self.error.setText(str(exc))
        self.error.show()
        widget = self.fields.get(exc.field)
        if widget is not None:
            widget.setFocus()


class MeasureDialog(_RecordDialog):
    """One 帮扶措施: category (14), 开发式, content, start/end, 责任单位, 金额, member."""

    def __init__(
        self,
        parent: QWidget | None,
        members: list[tuple[int, str]],
        measure: MeasureView | None,
        today: dt.date,
    ) -> None:
        super().__init__(parent, "编辑帮扶措施" if measure else "新增帮扶措施")
        e = enums.current()
        self._development = set(e.values("development_measures"))
        self.category = ValueCombo(e.values("measure_categories"), blank_text="（请选择）")
        self.development = QCheckBox("开发式帮扶")
        self.content = QPlainTextEdit()
        self.content.setTabChangesFocus(True)
        self.content.setFixedHeight(64)
        self.start = OptionalDateEdit()
        self.end = OptionalDateEdit()
        self.unit_edit = QLineEdit()
        self.unit_edit.setMaxLength(80)
        self.amount = MoneySpinBox()
        self.member = QComboBox()
        self.member.addItem("（全户）", None)
        for member_id, name in members:
            self.member.addItem(name, member_id)
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.end)
        dates.addStretch(1)
        self.form.addRow("帮扶类别*", self.category)
        self.form.addRow("", self.development)
        self.form.addRow("帮扶内容*", self.content)
        self.form.addRow("起止日期", dates)
        self.form.addRow("责任单位", self.unit_edit)
        self.form.addRow("金额", self.amount)
        self.form.addRow("受益成员", self.member)
        self.fields = {
            "category": self.category,
            "content": self.content,
            "start_date": self.start,
            "end_date": self.end,
            "responsible_unit": self.unit_edit,
            "amount": self.amount,
            "member_id": self.member,
        }
        self.category.valueChanged.connect(self._category_changed)
        if measure is not None:
            self.category.set_value(measure.category)
            self.development.setChecked(measure.is_development)
            self.content.setPlainText(measure.content)
            self.start.set_optional_date(measure.start_date)
            self.end.set_optional_date(measure.end_date)
            self.unit_edit.setText(measure.responsible_unit)
            self.amount.set_decimal(measure.amount)
            i = self.member.findData(measure.member_id)
            self.member.setCurrentIndex(max(i, 0))
        else:
            self.start.set_optional_date(today)
        fit_to_screen(self, "case_measure", (480, 0))

    def _category_changed(self, category: str | None) -> None:
        self.development.setChecked(bool(category) and category in self._development)

    def value(self) -> MeasureInput:
        amount = self.amount.decimal()
        return MeasureInput(
            category=self.category.value() or "",
            content=self.content.toPlainText().strip(),
            is_development=self.development.isChecked(),
            start_date=self.start.optional_date(),
            end_date=self.end.optional_date(),
            responsible_unit=self.unit_edit.text().strip(),
            amount=amount if amount else None,
            member_id=self.member.currentData(),
        )


class ContactDialog(_RecordDialog):
    """One 帮扶联系人: name, unit, phone, from/to."""

    def __init__(self, parent: QWidget | None, contact: ContactView | None, today: dt.date) -> None:
        super().__init__(parent, "编辑帮扶联系人" if contact else "新增帮扶联系人")
        self.name = QLineEdit()
        self.name.setMaxLength(40)
        self.unit_edit = QLineEdit()
        self.unit_edit.setMaxLength(80)
        self.phone = QLineEdit()
        self.phone.setMaxLength(20)
        self.phone.setPlaceholderText("11位手机号码")
        self.start = OptionalDateEdit()
        self.end = OptionalDateEdit()
        self.form.addRow("姓名*", self.name)
        self.form.addRow("单位", self.unit_edit)
        self.form.addRow("联系电话", self.phone)
        self.form.addRow("开始日期", self.start)
        self.form.addRow("结束日期", self.end)
        self.fields = {
            "name": self.name,
            "workplace": self.unit_edit,
            "phone": self.phone,
            "start_date": self.start,
            "end_date": self.end,
        }
        if contact is not None:
            self.name.setText(contact.name)
            self.unit_edit.setText(contact.workplace)
            self.phone.setText(contact.phone)
            self.start.set_optional_date(contact.start_date)
            self.end.set_optional_date(contact.end_date)
        else:
            self.start.set_optional_date(today)
        fit_to_screen(self, "case_contact", (420, 0))

    def value(self) -> ContactInput:
        return ContactInput(
            name=self.name.text().strip(),
            workplace=self.unit_edit.text().strip(),
            phone=self.phone.text().strip(),
            start_date=self.start.optional_date(),
            end_date=self.end.optional_date(),
        )


class VisitDialog(_RecordDialog):
    """One 走访记录: date, 入户 / 电话 / 微信, visitor, findings, 收入变化."""

    def __init__(
        self, parent: QWidget | None, visit: VisitView | None, today: dt.date, visitor: str = ""
    ) -> None:
        super().__init__(parent, "编辑走访记录" if visit else "新增走访记录")
        self.visited_on = _date_edit(today)
        self.mode = ValueCombo(VISIT_MODES, blank=False)
        self.visitor = QLineEdit(visitor)
        self.visitor.setMaxLength(60)
        self.findings = QPlainTextEdit()
        self.findings.setTabChangesFocus(True)
        self.findings.setFixedHeight(72)
        self.income_change = QLineEdit()
        self.income_change.setMaxLength(200)
        self.income_change.setPlaceholderText("如：务工收入增加约3000元；无明显变化")
        self.form.addRow("走访日期*", self.visited_on)
        self.form.addRow("走访方式", self.mode)
        self.form.addRow("走访人", self.visitor)
        self.form.addRow("走访情况", self.findings)
        self.form.addRow("收入变化", self.income_change)
        self.fields = {
            "visited_on": self.visited_on,
            "mode": self.mode,
            "visitor": self.visitor,
            "findings": self.findings,
            "income_change": self.income_change,
        }
        if visit is not None:
            self.visited_on.setDate(QDate(visit.visited_on))
            self.mode.set_value(visit.mode)
            self.visitor.setText(visit.visitor)
            self.findings.setPlainText(visit.findings)
            self.income_change.setText(visit.income_change)
        fit_to_screen(self, "case_visit", (460, 0))

    def value(self) -> VisitInput:
        return VisitInput(
            visited_on=self.visited_on.date().toPython(),
            mode=self.mode.value() or "入户",
            visitor=self.visitor.text().strip(),
            findings=self.findings.toPlainText().strip(),
            income_change=self.income_change.text().strip(),
        )


class ReviewDialog(_RecordDialog):
    """季度复核: the date and a note."""

    def __init__(self, parent: QWidget | None, today: dt.date, last: dt.date | None) -> None:
        super().__init__(parent, "季度复核")
        self.on = _date_edit(today)
        self.note = QLineEdit()
        self.note.setPlaceholderText("如：风险未消除，继续帮扶")
        if last:
            self.form.addRow(QLabel(f"上次复核：{last.isoformat()}"))
        self.form.addRow("复核日期*", self.on)
        self.form.addRow("复核情况", self.note)
        self.fields = {"on": self.on, "reviewed_on": self.on, "note": self.note, "review_note": self.note}
        fit_to_screen(self, "case_review", (420, 0))


class NewClueDialog(_RecordDialog):
    """A new 线索 for a household already chosen: 来源, 发现日期 (today), 备注.

    ``household_id`` set: ``open_case`` (``previous_case_id`` links a re-identification opened from
    the household); ``reidentify_case_id`` set: a new risk after elimination, linked to that case.
    ``saved_id`` is the new case's id."""

    def __init__(
        self,
        ops: Operations,
        household_id: int,
        parent: QWidget | None = None,
        *,
        household_label: str = "",
        today: dt.date | None = None,
        reidentify_case_id: int | None = None,
        origin: object | None = None,
    ) -> None:
        title = "重新识别（新风险）" if reidentify_case_id else "新建线索"
        super().__init__(parent, title)
        self.ops = ops
        self._household_id = household_id
        self._reidentify = reidentify_case_id
        self._origin = origin
        self.source = ValueCombo(procedure.CLUE_SOURCES, blank_text="（请选择）")
        self.clue_date = _date_edit(today or dt.date.today())
        self.note = QLineEdit()
        self.note.setPlaceholderText("如：因病住院自付费用较高" if not reidentify_case_id else "新的风险情况")
        if household_label:
            who = QLabel(f"农户：{_esc(household_label)}")
            who.setWordWrap(True)
            self.form.addRow(who)
        if reidentify_case_id:
            hint = QLabel("风险消除后出现新风险：建立一条新线索，与原监测记录关联，重新走识别程序。")
            hint.setWordWrap(True)
            self.form.addRow(hint)
        self.form.addRow("线索来源*", self.source)
        self.form.addRow("发现日期*", self.clue_date)
        self.form.addRow("备注", self.note)
        self.fields = {"source": self.source, "clue_date": self.clue_date, "note": self.note}
        self.submit = self._save
        fit_to_screen(self, "case_new_clue", (440, 0))

    def _save(self) -> None:
        source = self.source.value()
        if not source:
            self.refused(
                ValidationError("source", f"请选择线索来源（{'、'.join(procedure.CLUE_SOURCES)}）。")
            )
            return
        clue_date = self.clue_date.date().toPython()
        note = self.note.text().strip()
        handlers = dict(parent=self, success=self.done_ok, user_error=self.refused, origin=self._origin)
        if self._reidentify:
            case_ops.reidentify(
                self.ops,
                self._reidentify,
                self._household_id,
                clue_date=clue_date,
                source=source,
                note=note,
                **handlers,
            )
        else:
            case_ops.open_case(
                self.ops, self._household_id, source=source, clue_date=clue_date, note=note, **handlers
            )


def open_new_clue(
    ops: Operations,
    household_id: int,
    parent: QWidget | None = None,
    *,
    household_label: str = "",
    today: dt.date | None = None,
    origin: object | None = None,
) -> int | None:
    """Ask for a new clue of the household, create it, then open the case editor on it; the new
    case's id, or None when the clerk cancelled."""
    dialog = NewClueDialog(
        ops, household_id, parent, household_label=household_label, today=today, origin=origin
    )
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.saved_id is None:
        return None
    editor = CaseEditor(ops, dialog.saved_id, parent, today=today, origin=origin)
    editor.exec()
    return dialog.saved_id


# =========================================================================== one procedure


class ProcedurePanel(QWidget):
    """One procedure (识别 or 消除) as a timeline: the steps done, and a form for the next step only."""

    def __init__(self, editor: CaseEditor, procedure_name: str) -> None:
        super().__init__()
        self.editor = editor
        self.procedure = procedure_name
        self.order = procedure.STEPS[procedure_name]
        self.next: str | None = None
        self._mode_label = procedure.PROCEDURE_LABELS[procedure_name]
        today = editor.today

        self.progress = QLabel()
        self.progress.setTextFormat(Qt.TextFormat.RichText)
        self.progress.setWordWrap(True)
        self.table = _table(("环节", "日期", "结束", "人员", "结果", "备注"), (86, 92, 92, 300, 110))
        self.table.setMinimumHeight(110)

        # the next step's form
        self.form_box = QGroupBox()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setVerticalSpacing(4)
        self.done_on = _date_edit(today)
        self.authorisation = QCheckBox("已签署承诺授权书（授权核查家庭经济状况）")
        self.verifier1 = QLineEdit()
        self.verifier1.setPlaceholderText("核实人员1")
        self.verifier2 = QLineEdit()
        self.verifier2.setPlaceholderText("核实人员2")
        verifiers = QWidget()
        vrow = QHBoxLayout(verifiers)
        vrow.setContentsMargins(0, 0, 0, 0)
        vrow.addWidget(self.verifier1)
        vrow.addWidget(self.verifier2)
        self.attendees = QLineEdit()
        self.attendees.setPlaceholderText("参会人员，用顿号分隔，如：张三、李四、王五")
        self.result = QComboBox()
        self.result.setEditable(True)
        self.result.addItems(
            ["同意纳入监测", "同意"]
            if procedure_name == procedure.IDENTIFICATION
            else ["同意风险消除", "同意"]
        )
        self.publicity_end = QLabel()
        self.publicity_end.setWordWrap(True)
        self.publicity_end.setTextFormat(Qt.TextFormat.RichText)
        self.publicity_end.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.mode = ValueCombo(procedure.ELIMINATION_MODES, blank=False)
        self.mode.setMinimumWidth(160)
        self.refusals = QLabel()
        self.refusals.setWordWrap(True)
        self.refusals.setTextFormat(Qt.TextFormat.RichText)
        self.refusals.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.refused = QCheckBox(f"不予认定（终止本次{self._mode_label}）")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("不予认定的理由")
        refuse_row = QWidget()
        rrow = QHBoxLayout(refuse_row)
        rrow.setContentsMargins(0, 0, 0, 0)
        rrow.addWidget(self.refused)
        rrow.addWidget(self.reason, 1)
        self.note = QLineEdit()
        self.note.setPlaceholderText("备注（可不填）")
        self.error = _error_label()
        self.submit_button = _button("fa5s.check", "办理此环节")
        self.submit_button.setToolTip("保存本环节（回车）")
        self.undo_button = _button("fa5s.undo", "撤销上一环节")

        self.form.addRow("办理日期*", self.done_on)
        self.form.addRow("承诺授权书", self.authorisation)
        self.form.addRow("核实人员*", verifiers)
        self.form.addRow("参会人员*", self.attendees)
        self.form.addRow("评议结果*", self.result)
        self.form.addRow("公示结束", self.publicity_end)
        self.form.addRow("消除方式*", self.mode)
        self.form.addRow("消除条件", self.refusals)
        self.form.addRow("", refuse_row)
        self.form.addRow("备注", self.note)
        self._rows = {
            "authorisation": self.authorisation,
            "verifiers": verifiers,
            "attendees": self.attendees,
            "result": self.result,
            "publicity": self.publicity_end,
            "mode": self.mode,
            "refusals": self.refusals,
        }
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 3)
        buttons.addStretch(1)
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.undo_button)
        box_layout = QVBoxLayout(self.form_box)
        box_layout.addLayout(self.form)
        box_layout.addLayout(buttons)
        self.fields: dict[str, QWidget] = {
            "done_on": self.done_on,
            "authorisation_signed": self.authorisation,
            "people": self.verifier1,
            "result": self.result,
            "note": self.reason,
            "end_on": self.done_on,
            "elimination_mode": self.mode,
            "step": self.done_on,
            "procedure": self.done_on,
        }
        self.finished_note = QLabel()
        self.finished_note.setWordWrap(True)
        self.finished_note.setTextFormat(Qt.TextFormat.RichText)
        self.undo_alone = _button("fa5s.undo", "撤销上一环节")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.form_box)
        finished_row = QHBoxLayout()
        finished_row.addWidget(self.finished_note, 1)
        finished_row.addWidget(self.undo_alone, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(finished_row)
        self.extra = QVBoxLayout()  # the elimination tab's rollback / re-identification
        layout.addLayout(self.extra)

        chain = (
            self.done_on,
            self.authorisation,
            self.verifier1,
            self.verifier2,
            self.attendees,
            self.result,
            self.mode,
            self.refused,
            self.reason,
            self.note,
            self.submit_button,
            self.undo_button,
        )
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

        self.submit_button.clicked.connect(self.submit)
        self.undo_button.clicked.connect(self.undo)
        self.undo_alone.clicked.connect(self.undo)
        self.done_on.dateChanged.connect(self._date_changed)
        self.mode.valueChanged.connect(lambda _v: self._update_refusals())
        self.refused.toggled.connect(self._refused_toggled)
        self._refused_toggled(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """Enter anywhere in the next step's form (the fields pass it on) records the step."""
        focus = self.focusWidget()
        in_form = focus is not None and (focus is self.form_box or self.form_box.isAncestorOf(focus))
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and in_form and self.next is not None:
            event.accept()
            if focus is not self.undo_button:
                self.submit()
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------------ showing

    def steps(self, case: CaseDetail) -> list[StepView]:
        return [s for s in case.steps if s.procedure == self.procedure]

    def attempt(self, case: CaseDetail) -> list[StepView]:
        """The steps of the current attempt: identification has one; an elimination attempt starts
        after the latest rollback and after the latest refused elimination step (as the service
        counts them)."""
        steps = self.steps(case)
        if self.procedure != procedure.ELIMINATION:
            return steps
        if case.rolled_back_on is not None:
            steps = [s for s in steps if s.done_on > case.rolled_back_on]
        last_refused = max(
            (i for i, s in enumerate(steps) if s.result in procedure.REFUSED_ALIASES), default=-1
        )
        return steps[last_refused + 1 :]

    def load(self, case: CaseDetail) -> None:
        steps = self.steps(case)
        attempt = self.attempt(case)
        entries = [
            procedure.StepEntry(
                step=s.step,
                done_on=s.done_on,
                people=procedure.split_people(s.people),
                result=s.result,
                note=s.note,
                end_on=s.end_on,
                authorisation_signed=s.authorisation_signed,
            )
            for s in attempt
        ]
        previous_next = self.next
        self.next = procedure.next_step(entries, self.procedure)
        if not self._may_run(case, self.next):
            self.next = None
        done = {s.step for s in attempt}
        parts = []
        for name in self.order:
            if name in done:
                parts.append(f"<span style='color:#1e7b34'>✔ {name}</span>")
            elif name == self.next:
                parts.append(f"<b style='color:#0b57d0'>▶ {name}</b>")
            else:
                parts.append(f"<span style='color:#888'>{name}</span>")
        self.progress.setText(f"{self._mode_label}程序：" + " → ".join(parts))
        rows = []
        for s in steps:
            result = s.result or ("已签授权书" if s.authorisation_signed else "")
            note = s.note + ("（国家系统已办）" if s.from_national else "")
            rows.append((s.id, [s.step, _d(s.done_on), _d(s.end_on), s.people, result, note]))
        _fill(self.table, rows)
        if rows:
            self.table.scrollToBottom()

        self.form_box.setVisible(self.next is not None)
        can_undo = bool(steps) and not steps[-1].from_national
        if self.procedure == procedure.ELIMINATION and case.rolled_back_on is not None and steps:
            can_undo = can_undo and steps[-1].done_on > case.rolled_back_on
        self.undo_button.setEnabled(can_undo)
        self.undo_alone.setVisible(self.next is None and can_undo and self._undo_allowed(case))
        self.finished_note.setText(self._finished_text(case, steps))
        self.finished_note.setVisible(self.next is None)
        if self.next is not None:
            self.form_box.setTitle(f"下一环节：{self.next}")
            if self.next != previous_next:
                self._reset_form()
            self._show_rows()

    def _may_run(self, case: CaseDetail, step: str | None) -> bool:
        if self.procedure == procedure.IDENTIFICATION:
            return True
        if case.status == CASE_ELIMINATED:  # only 系统录入 may follow an elimination
            return step == self.order[-1]
        return case.status in _ELIMINABLE

    def _undo_allowed(self, case: CaseDetail) -> bool:
        if self.procedure == procedure.ELIMINATION:
            return case.status in (*_ELIMINABLE, CASE_ELIMINATED)
        return True

    def _finished_text(self, case: CaseDetail, steps: list[StepView]) -> str:
        refused = next((s for s in steps if s.result in procedure.REFUSED_ALIASES), None)
        if refused is not None and self.procedure == procedure.IDENTIFICATION:
            return (
                f"<span style='{ERROR_STYLE}'>本次{self._mode_label}已于{refused.done_on:%Y-%m-%d}在“{refused.step}”"
                f"环节不予认定：{_esc(refused.note or '（未填理由）')}</span>"
            )
        if self.procedure == procedure.IDENTIFICATION:
            if case.identified_on:
                return f"识别程序已完成，识别监测时间：{case.identified_on:%Y-%m-%d}。"
            return "识别程序已完成。"
        if case.status == CASE_ELIMINATED:
            mode = f"（{case.elimination_mode}）" if case.elimination_mode else ""
            return f"风险已于{_d(case.eliminated_on)}消除{mode}。"
        if case.status not in _ELIMINABLE:
            return "本户尚未识别纳入监测（县级审定后才能办理风险消除）。"
        return "风险消除程序已完成。"

    def _show_rows(self) -> None:
        step = self.next
        county_elimination = self.procedure == procedure.ELIMINATION and step == procedure.COUNTY_DECISION
        visible = {
            "authorisation": step == procedure.APPLICATION,
            "verifiers": step == procedure.VERIFICATION,
            "attendees": step == procedure.REVIEW,
            "result": step == procedure.REVIEW,
            "publicity": step == procedure.PUBLICITY,
            "mode": county_elimination,
            "refusals": county_elimination,
        }
        for key, widget in self._rows.items():
            self.form.setRowVisible(widget, visible[key])
        self.fields["people"] = self.verifier1 if step == procedure.VERIFICATION else self.attendees
        self.fields["end_on"] = self.done_on
        self.done_on.setToolTip("公示开始日期" if step == procedure.PUBLICITY else "")
        label = self.form.labelForField(self.done_on)
        if isinstance(label, QLabel):
            label.setText("公示开始*" if step == procedure.PUBLICITY else "办理日期*")
        self._update_publicity()
        self._update_refusals()

    def _reset_form(self) -> None:
        self.done_on.setDate(QDate(self.editor.today))
        self.authorisation.setChecked(False)
        self.verifier1.clear()
        self.verifier2.clear()
        self.attendees.clear()
        self.result.setCurrentIndex(0)
        self.refused.setChecked(False)
        self.reason.clear()
        self.note.clear()
        self.error.hide()

    def _refused_toggled(self, on: bool) -> None:
        self.reason.setEnabled(on)
        if on:
            self.reason.setFocus()

    def _date_changed(self) -> None:
        self._update_publicity()
        self._update_refusals()

    def _update_publicity(self) -> None:
        if self.next != procedure.PUBLICITY:
            return
        start = self.done_on.date().toPython()
        try:
            end = self.editor.ops.read(editing.publicity_end_for, start)
        except UnknownHolidayYear as exc:
            self.publicity_end.setText(f"<span style='{ERROR_STYLE}'>无法计算：{_esc(exc)}</span>")
            warn_unknown_year_once(exc, self)
            return
        except UserError as exc:
            self.publicity_end.setText(f"<span style='{ERROR_STYLE}'>{_esc(exc)}</span>")
            return
        self.publicity_end.setText(f"<b>{end:%Y-%m-%d}</b>（按公示期规则自动计算；下一环节须在此日之后）")

    def _update_refusals(self) -> None:
        if not (self.procedure == procedure.ELIMINATION and self.next == procedure.COUNTY_DECISION):
            return
        mode = self.mode.value() or procedure.ELIMINATION_MODES[0]
        on = self.done_on.date().toPython()
        try:
            reasons = self.editor.ops.read(editing.elimination_refusals_for, self.editor.case_id, mode, on)
        except UserError as exc:
            reasons = [str(exc)]
        if reasons:
            items = "".join(f"<li>{_esc(r)}</li>" for r in reasons)
            self.refusals.setText(
                f"<span style='{ERROR_STYLE}'>按{mode}，{on:%Y-%m-%d}不能风险消除：</span>"
                f"<ul style='margin:0;{ERROR_STYLE}'>{items}</ul>"
            )
        else:
            self.refusals.setText(f"<span style='{OK_STYLE}'>✔ 符合{mode}条件，可以办理。</span>")

    # ------------------------------------------------------------------ writing

    def step_input(self) -> StepInput | None:
        """What the form says (None when there is no next step)."""
        if self.next is None:
            return None
        step = self.next
        refused = self.refused.isChecked()
        people = ""
        result = ""
        if step == procedure.VERIFICATION:
            people = "、".join(p for p in (self.verifier1.text().strip(), self.verifier2.text().strip()) if p)
        elif step == procedure.REVIEW:
            people = self.attendees.text().strip()
            result = self.result.currentText().strip()
        if refused:
            result = procedure.REFUSED
        note = self.reason.text().strip() if refused else self.note.text().strip()
        if refused and self.note.text().strip():
            note = f"{note}；{self.note.text().strip()}" if note else ""
        mode = None
        if self.procedure == procedure.ELIMINATION and step == procedure.COUNTY_DECISION and not refused:
            mode = self.mode.value()
        return StepInput(
            procedure=self.procedure,
            step=step,
            done_on=self.done_on.date().toPython(),
            people=people,
            result=result,
            note=note,
            authorisation_signed=step == procedure.APPLICATION and self.authorisation.isChecked(),
            elimination_mode=mode,
        )

    def submit(self) -> None:
        data = self.step_input()
        if data is None or not self.submit_button.isEnabled():
            return
        self.error.hide()
        if data.result == procedure.REFUSED and not ask_yes_no(
            self,
            "不予认定",
            f"“{data.step}”不予认定后，本次{self._mode_label}即告结束。确定吗？",
        ):
            return
        case_ops.add_step(
            self.editor.ops,
            self.editor.case_id,
            self.editor.case.household_id,
            data,
            self.editor.today,
            parent=self,
            success=lambda _id: self.editor.written(),
            user_error=self.show_refusal,
            origin=self.editor.origin,
        )

    def show_refusal(self, exc: UserError) -> None:
        if isinstance(exc, UnknownHolidayYear):
            warn_unknown_year_once(exc, self)
        if not isinstance(exc, ValidationError) and not isinstance(exc, UnknownHolidayYear):
            show_user_error(str(exc), self)
            return
        self.error.setText(str(exc))
        self.error.show()
        field = getattr(exc, "field", "")
        if field == "people" and self.next == procedure.VERIFICATION and self.verifier1.text().strip():
            widget: QWidget | None = self.verifier2
        else:
            widget = self.fields.get(field)
        if widget is not None and widget.isVisible():
            widget.setFocus()

    def undo(self) -> None:
        steps = self.steps(self.editor.case)
        if not steps:
            return
        last = steps[-1]
        if not ask_yes_no(
            self,
            "撤销上一环节",
            f"确定撤销“{last.step}”（{last.done_on:%Y-%m-%d}）吗？该环节的记录将被删除，"
            f"{self._mode_label}程序退回到这一环节之前。",
        ):
            return
        case_ops.remove_last_step(
            self.editor.ops,
            self.editor.case_id,
            self.editor.case.household_id,
            self.procedure,
            parent=self,
            success=lambda _r: self.editor.written(),
            user_error=self.show_refusal,
            origin=self.editor.origin,
        )


# =========================================================================== the editor


class CaseEditor(QDialog):
    """One monitoring case. ``saved_id`` is the case id once any change was written (the case shown
    may change to a re-identification opened from here: ``case_id``)."""

    def __init__(
        self,
        ops: Operations,
        case_id: int,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
        origin: object | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.case_id = case_id
        self.today = today or dt.date.today()
        self.origin = origin
        self.saved_id: int | None = None
        self.print_dialog_factory: Callable[..., Any] | None = None  # tests replace the batch dialog
        self.case: CaseDetail = ops.read(detail.load_case, case_id, self.today)
        self._facts_loaded: CaseFactsInput | None = None
        self.setModal(True)
        self.setSizeGripEnabled(True)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_facts(), icon("fa5s.clipboard-list"), "基本情况")
        self.identification = ProcedurePanel(self, procedure.IDENTIFICATION)
        self.elimination = ProcedurePanel(self, procedure.ELIMINATION)
        self._build_elimination_extra()
        self.tabs.addTab(self.identification, icon("fa5s.tasks"), "识别程序")
        self.tabs.addTab(self.elimination, icon("fa5s.flag-checkered"), "风险消除")
        self.tabs.addTab(self._build_measures(), icon("fa5s.hands-helping"), "帮扶措施")
        self.tabs.addTab(self._build_contacts(), icon("fa5s.address-book"), "帮扶联系人")
        self.tabs.addTab(self._build_visits(), icon("fa5s.walking"), "走访记录")

        self.review_button = _button("fa5s.calendar-check", "季度复核…")
        self.review_button.clicked.connect(self.review)
        self.print_button = _button("fa5s.print", "打印…")
        self.print_button.setToolTip("本户的入户核实表、承诺授权书、信息采集表（PDF，可选空白表）")
        self.print_button.clicked.connect(self.print_documents)
        self.close_button = _button("fa5s.times", "关闭")
        self.close_button.clicked.connect(self.reject)
        self.review_note = QLabel()
        self.review_note.setStyleSheet("color:#555;")
        # the case's data-quality findings (数据核查), read again after every write
        self.findings_strip = QLabel()
        self.findings_strip.setTextFormat(Qt.TextFormat.RichText)
        self.findings_strip.linkActivated.connect(lambda _href: self.show_findings())
        self.findings: list[Any] = []
        bottom = QHBoxLayout()
        bottom.addWidget(self.review_button)
        bottom.addWidget(self.review_note, 1)
        bottom.addWidget(self.findings_strip)
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self._build_header())
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)

        self.show_case()
        fit_to_screen(self, "case_editor", (1180, 690))
        self.tabs.setCurrentIndex(self._first_tab())

    def _first_tab(self) -> int:
        if self.case.status in _ELIMINABLE or self.case.status == CASE_ELIMINATED:
            return (
                TAB_ELIMINATION if self.case.status in (CASE_ELIMINATING, CASE_ELIMINATED) else TAB_MEASURES
            )
        return TAB_IDENTIFICATION

    # ------------------------------------------------------------------ header

    def _build_header(self) -> QWidget:
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_line = QLabel()
        self.status_line.setTextFormat(Qt.TextFormat.RichText)
        self.status_line.setWordWrap(True)
        self.status_line.linkActivated.connect(self._follow_link)
        self.household_button = _button("fa5s.home", "打开户信息…")
        self.household_button.setToolTip("打开本户的户信息（成员、收支），修改后返回本页")
        self.household_button.clicked.connect(self.open_household)
        self.members = _table(
            ("姓名", "关系", "年龄", "健康状况", "劳动技能", "在校情况"), (64, 50, 40, 76, 150)
        )
        self.members.setFixedHeight(112)
        self.members.setMinimumWidth(500)
        self.members.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        left = QVBoxLayout()
        left.addWidget(self.summary)
        left.addWidget(self.status_line)
        left.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.household_button)
        buttons.addStretch(1)
        left.addLayout(buttons)
        row = QHBoxLayout(frame)
        row.setContentsMargins(8, 6, 8, 6)
        row.addLayout(left, 1)
        row.addWidget(self.members)
        return frame

    def _summary_html(self) -> str:
        c = self.case
        head = next((m for m in c.members if m.relation == "户主"), c.members[0] if c.members else None)
        name = head.name if head else c.household_label
        where = "/".join(x for x in (c.village, c.group) if x)
        first = (
            f"<span style='font-size:15px;font-weight:bold'>{_esc(name)}</span>"
            f"&nbsp;&nbsp;{_esc(where)}&nbsp;&nbsp;户编号：{_esc(c.code or '（无）')}"
            f"&nbsp;&nbsp;户类型：{_esc(c.household_type or '未填')}&nbsp;&nbsp;{len(c.members)}人"
        )
        if c.per_capita_income is None:
            income = "人均纯收入：<span style='color:#b3261e'>未录入</span>"
        else:
            what = "，".join(
                p for p in (f"{c.income_year}年度" if c.income_year else "", c.income_source) if p
            )
            year = f"（{what}）" if what else ""
            income = f"人均纯收入{year}：<b>{c.per_capita_income:,.2f}</b> 元"
            if c.threshold is not None:
                below = c.per_capita_income < c.threshold
                color = "#b3261e" if below else "#1e7b34"
                income += (
                    f"，监测范围 {c.threshold:,.2f} 元，"
                    f"<span style='color:{color}'>{'低于' if below else '高于'}监测范围</span>"
                )
            else:
                income += "，<span style='color:#b3261e'>本年度监测范围未设置</span>"
        if c.guarantees:
            guarantee = (
                "三保障及饮水：<span style='color:#b3261e'>" + _esc("、".join(c.guarantees)) + "</span>"
            )
        else:
            guarantee = "三保障及饮水：<span style='color:#1e7b34'>均有保障</span>"
        labour = "" if c.has_labour else "；<span style='color:#b3261e'>整户无劳动能力</span>"
        return f"{first}<br>{income}<br>{guarantee}{labour}"

    def _status_html(self) -> str:
        c = self.case
        status = STATUS_LABELS.get(c.status, c.status)
        parts = [f"状态：<b>{_esc(status)}</b>"]
        if c.category:
            parts.append(f"类别：{_esc(c.category)}")
        if c.next_thing:
            due = ""
            if c.next_due:
                color = "#b3261e" if c.overdue else "#333"
                late = "（已超期）" if c.overdue else ""
                due = f"，到期日 <b style='color:{color}'>{c.next_due:%Y-%m-%d}{late}</b>"
            parts.append(f"下一件事：<b>{_esc(c.next_thing)}</b>{due}")
        elif c.next_note:
            parts.append("下一件事：—")
        text = "&nbsp;&nbsp;&nbsp;".join(parts)
        if c.next_note:
            text += f"<br><span style='color:#b3261e'>{_esc(c.next_note)}</span>"
        links = []
        if c.previous_case_id:
            links.append(f"<a href='case:{c.previous_case_id}'>上一次监测记录</a>")
        if c.next_case_id:
            links.append(f"<a href='case:{c.next_case_id}'>重新识别的新记录</a>")
        if links:
            text += "<br>" + "&nbsp;&nbsp;".join(links)
        return text

    def _follow_link(self, href: str) -> None:
        if href.startswith("case:"):
            if not self._confirm_discard():
                return
            self.case_id = int(href.split(":", 1)[1])
            self.reload()

    # ------------------------------------------------------------------ 基本情况

    def _build_facts(self) -> QWidget:
        page = QWidget()
        self.clue_label = QLabel()
        self.clue_label.setWordWrap(True)
        self.clue_label.setTextFormat(Qt.TextFormat.RichText)
        self.category = ValueCombo(procedure.CATEGORIES, blank_text="（请选择）")
        self.category.setToolTip(
            "脱贫不稳定户只适用于脱贫户；边缘易致贫户只适用于非脱贫户；突发严重困难户均可"
        )

        self.risk_type = ValueCombo(procedure.RISK_TYPES, blank_text="（选择风险类型）")
        self.risk_subtype = ValueCombo(procedure.DISASTER_SUBTYPES, blank_text="（灾害类型）")
        self.risk_subtype.setEnabled(False)
        self.risk_add = _button("fa5s.plus", "添加")
        self.risk_list = QListWidget()
        self.risk_list.setMaximumHeight(120)
        self.risk_remove = _button("fa5s.minus", "删除")
        self.risk_up = _button("fa5s.arrow-up", "上移")
        self.risk_down = _button("fa5s.arrow-down", "下移")
        adder = QHBoxLayout()
        adder.addWidget(self.risk_type, 1)
        adder.addWidget(self.risk_subtype, 1)
        adder.addWidget(self.risk_add)
        moves = QVBoxLayout()
        for b in (self.risk_remove, self.risk_up, self.risk_down):
            moves.addWidget(b)
        moves.addStretch(1)
        risk_row = QHBoxLayout()
        risk_row.addWidget(self.risk_list, 1)
        risk_row.addLayout(moves)
        risks = QGroupBox(f"致贫返贫风险（按主次排序，最多{procedure.MAX_RISKS}项）")
        risks_layout = QVBoxLayout(risks)
        risks_layout.addLayout(adder)
        risks_layout.addLayout(risk_row)

        self.exclusion_boxes: dict[str, QCheckBox] = {}
        exclusions = QGroupBox("不纳入监测情形（有任一项原则上不纳入）")
        ex_layout = QVBoxLayout(exclusions)
        ex_layout.setSpacing(2)
        for key, label in procedure.EXCLUSIONS.items():
            box = QCheckBox(label)
            self.exclusion_boxes[key] = box
            ex_layout.addWidget(box)
        self.special_on = OptionalDateEdit()
        self.special_text = QLineEdit()
        self.special_text.setPlaceholderText("村民代表会议特殊研究决定的内容")
        special = QHBoxLayout()
        special.addWidget(QLabel("特殊研究决定："))
        special.addWidget(self.special_on)
        special.addWidget(self.special_text, 1)
        ex_layout.addLayout(special)

        self.case_note = QPlainTextEdit()
        self.case_note.setTabChangesFocus(True)
        self.case_note.setFixedHeight(48)
        self.facts_error = _error_label()
        self.facts_save = _button("fa5s.save", "保存基本情况")
        self.facts_save.setToolTip("保存类别、风险、不纳入情形和备注（Ctrl+S）")

        top = QFormLayout()
        top.addRow(self.clue_label)
        top.addRow("监测对象类别", self.category)

        left = QVBoxLayout()
        left.addLayout(top)
        left.addWidget(risks)
        right = QVBoxLayout()
        right.addWidget(exclusions)
        note_box = QGroupBox("备注")
        QVBoxLayout(note_box).addWidget(self.case_note)
        right.addWidget(note_box)
        grid = QGridLayout()
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        save_row = QHBoxLayout()
        save_row.addWidget(self.facts_error, 3)
        save_row.addStretch(1)
        save_row.addWidget(self.facts_save)
        layout = QVBoxLayout(page)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addLayout(save_row)

        self.facts_fields: dict[str, QWidget] = {
            "category": self.category,
            "risks": self.risk_list,
            "exclusions": next(iter(self.exclusion_boxes.values())),
            "special_decision_date": self.special_on,
            "special_decision_on": self.special_on,
            "special_decision_text": self.special_text,
            "note": self.case_note,
        }
        self.risk_type.valueChanged.connect(self._risk_type_changed)
        self.risk_add.clicked.connect(self.add_risk)
        self.risk_remove.clicked.connect(self.remove_risk)
        self.risk_up.clicked.connect(lambda: self.move_risk(-1))
        self.risk_down.clicked.connect(lambda: self.move_risk(1))
        self.risk_list.currentRowChanged.connect(lambda _r: self._update_risk_buttons())
        self.facts_save.clicked.connect(self.save_facts)
        QShortcut(QKeySequence.StandardKey.Save, page, activated=self.save_facts)
        return page

    def _risk_type_changed(self, risk_type: str | None) -> None:
        natural = risk_type == procedure.NATURAL_DISASTER
        self.risk_subtype.setEnabled(natural)
        if not natural:
            self.risk_subtype.set_value(None)

    @staticmethod
    def _risk_text(risk_type: str, subtype: str | None) -> str:
        return f"{risk_type}（{subtype}）" if subtype else risk_type

    def _add_risk_item(self, risk_type: str, subtype: str | None) -> None:
        item = QListWidgetItem(self._risk_text(risk_type, subtype))
        item.setData(Qt.ItemDataRole.UserRole, (risk_type, subtype))
        self.risk_list.addItem(item)

    def risks(self) -> tuple[tuple[str, str | None], ...]:
        return tuple(
            tuple(self.risk_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.risk_list.count())
        )

    def add_risk(self) -> None:
        risk_type = self.risk_type.value()
        self.facts_error.hide()
        if not risk_type:
            self._facts_refused(ValidationError("risks", "请先选择要添加的风险类型。"))
            self.risk_type.setFocus()
            return
        subtype = self.risk_subtype.value() if risk_type == procedure.NATURAL_DISASTER else None
        if risk_type == procedure.NATURAL_DISASTER and not subtype:
            self._facts_refused(
                ValidationError(
                    "risks", f"因自然灾害请选择灾害类型（{'、'.join(procedure.DISASTER_SUBTYPES)}）。"
                )
            )
            self.risk_subtype.setFocus()
            return
        if any(r == risk_type for r, _s in self.risks()):
            self._facts_refused(ValidationError("risks", f"风险类型“{risk_type}”已在列表中。"))
            return
        if self.risk_list.count() >= procedure.MAX_RISKS:
            self._facts_refused(
                ValidationError("risks", f"致贫返贫风险最多填写{procedure.MAX_RISKS}项，请先删去一项。")
            )
            return
        self._add_risk_item(risk_type, subtype)
        self.risk_list.setCurrentRow(self.risk_list.count() - 1)
        self.risk_type.set_value(None)

    def remove_risk(self) -> None:
        row = self.risk_list.currentRow()
        if row >= 0:
            self.risk_list.takeItem(row)
        self._update_risk_buttons()

    def move_risk(self, delta: int) -> None:
        row = self.risk_list.currentRow()
        target = row + delta
        if row < 0 or not 0 <= target < self.risk_list.count():
            return
        item = self.risk_list.takeItem(row)
        self.risk_list.insertItem(target, item)
        self.risk_list.setCurrentRow(target)

    def _update_risk_buttons(self) -> None:
        row = self.risk_list.currentRow()
        self.risk_remove.setEnabled(row >= 0)
        self.risk_up.setEnabled(row > 0)
        self.risk_down.setEnabled(0 <= row < self.risk_list.count() - 1)

    def _load_facts(self) -> None:
        c = self.case
        clue = f"线索来源：<b>{_esc(c.source)}</b>，发现日期：<b>{c.clue_date:%Y-%m-%d}</b>"
        if c.origin and c.origin != "本地":
            clue += f"（来自{_esc(c.origin)}）"
        if c.identified_on:
            clue += f"；识别监测时间：<b>{c.identified_on:%Y-%m-%d}</b>"
        if c.eliminated_on:
            clue += f"；风险消除时间：<b>{c.eliminated_on:%Y-%m-%d}</b>（{_esc(c.elimination_mode)}）"
        if c.rolled_back_on:
            clue += f"；回退：{c.rolled_back_on:%Y-%m-%d}（{_esc(c.rollback_reason)}）"
        self.clue_label.setText(clue)
        self.category.set_value(c.category or None)
        self.risk_list.clear()
        for risk_type, subtype in c.risks:
            self._add_risk_item(risk_type, subtype)
        for key, box in self.exclusion_boxes.items():
            box.setChecked(key in c.exclusions)
        self.special_on.set_optional_date(c.special_decision_on)
        self.special_text.setText(c.special_decision_text)
        self.case_note.setPlainText(c.note)
        self._update_risk_buttons()
        self._facts_loaded = self.facts_input()

    def facts_input(self) -> CaseFactsInput:
        return CaseFactsInput(
            category=self.category.value(),
            risks=self.risks(),
            exclusions=frozenset(k for k, box in self.exclusion_boxes.items() if box.isChecked()),
            special_decision_on=self.special_on.optional_date(),
            special_decision_text=self.special_text.text().strip(),
            note=self.case_note.toPlainText().strip(),
        )

    def save_facts(self) -> None:
        self.facts_error.hide()
        case_ops.save_facts(
            self.ops,
            self.case_id,
            self.facts_input(),
            parent=self,
            success=lambda _r: self.written(),
            user_error=self._facts_refused,
            origin=self.origin,
        )

    def _facts_refused(self, exc: UserError) -> None:
        if self.tabs.currentIndex() != TAB_FACTS:
            self.tabs.setCurrentIndex(TAB_FACTS)
        if not isinstance(exc, ValidationError):
            show_user_error(str(exc), self)
            return
        self.facts_error.setText(str(exc))
        self.facts_error.show()
        widget = self.facts_fields.get(exc.field)
        if widget is not None:
            widget.setFocus()

    # ------------------------------------------------------------------ 风险消除 extras

    def _build_elimination_extra(self) -> None:
        self.rollback_box = QGroupBox("回头看：回退（风险消除有误，恢复监测）")
        self.rollback_on = _date_edit(self.today)
        self.rollback_reason = QLineEdit()
        self.rollback_reason.setPlaceholderText("回退原因，如：回头看发现收入不稳定")
        self.rollback_error = _error_label()
        self.rollback_button = _button("fa5s.history", "回退")
        row = QHBoxLayout()
        row.addWidget(QLabel("回退日期*"))
        row.addWidget(self.rollback_on)
        row.addWidget(QLabel("原因*"))
        row.addWidget(self.rollback_reason, 1)
        row.addWidget(self.rollback_button)
        box_layout = QVBoxLayout(self.rollback_box)
        box_layout.addLayout(row)
        box_layout.addWidget(self.rollback_error)
        self.reidentify_button = _button("fa5s.redo", "重新识别（新风险）…")
        self.reidentify_button.setToolTip("风险消除后出现新风险：建立与本记录关联的新线索")
        rerow = QHBoxLayout()
        rerow.addWidget(self.reidentify_button)
        rerow.addStretch(1)
        self.elimination.extra.addWidget(self.rollback_box)
        self.elimination.extra.addLayout(rerow)
        self.rollback_button.clicked.connect(self.roll_back)
        self.rollback_reason.returnPressed.connect(self.roll_back)
        self.reidentify_button.clicked.connect(self.reidentify)

    def _update_elimination_extra(self) -> None:
        eliminated = self.case.status == CASE_ELIMINATED
        self.rollback_box.setVisible(eliminated)
        self.reidentify_button.setVisible(eliminated and not self.case.next_case_id)
        if not eliminated:
            self.rollback_error.hide()

    def roll_back(self) -> None:
        self.rollback_error.hide()
        on = self.rollback_on.date().toPython()
        reason = self.rollback_reason.text().strip()
        if not ask_yes_no(
            self, "回退", f"确定回退本户的风险消除（{on:%Y-%m-%d}）吗？回退后本户恢复为监测对象。"
        ):
            return

        def refused(exc: UserError) -> None:
            if not isinstance(exc, ValidationError):
                show_user_error(str(exc), self)
                return
            self.rollback_error.setText(str(exc))
            self.rollback_error.show()
            (self.rollback_reason if exc.field == "rollback_reason" else self.rollback_on).setFocus()

        case_ops.roll_back(
            self.ops,
            self.case_id,
            self.case.household_id,
            on,
            reason,
            parent=self,
            success=lambda _r: self.written(),
            user_error=refused,
            origin=self.origin,
        )

    def reidentify(self) -> None:
        dialog = NewClueDialog(
            self.ops,
            self.case.household_id,
            self,
            household_label=self.case.household_label,
            today=self.today,
            reidentify_case_id=self.case_id,
            origin=self.origin,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.saved_id is not None:
            self.saved_id = dialog.saved_id
            self.case_id = dialog.saved_id
            self.reload()
            self.tabs.setCurrentIndex(TAB_IDENTIFICATION)

    # ------------------------------------------------------------------ 帮扶措施

    def _build_measures(self) -> QWidget:
        page = QWidget()
        self.measure_table = _table(
            ("帮扶类别", "开发式", "帮扶内容", "开始", "结束", "责任单位", "金额(元)", "受益成员"),
            (110, 56, 300, 92, 92, 150, 90),
        )
        self.measure_hint = QLabel()
        self.measure_hint.setWordWrap(True)
        self.measure_add = _button("fa5s.plus", "新增措施")
        self.measure_edit = _button("fa5s.edit", "编辑")
        self.measure_delete = _button("fa5s.trash-alt", "删除")
        self.measure_add.clicked.connect(self.add_measure)
        self.measure_edit.clicked.connect(self.edit_measure)
        self.measure_delete.clicked.connect(self.delete_measure)
        self.measure_table.doubleClicked.connect(lambda _i: self.edit_measure())
        list_keys(self.measure_table, opens=self.edit_measure, deletes=self.delete_measure)
        return self._record_page(
            page,
            self.measure_table,
            self.measure_hint,
            (self.measure_add, self.measure_edit, self.measure_delete),
        )

    @staticmethod
    def _record_page(
        page: QWidget, table: QTableWidget, hint: QLabel, buttons: tuple[QPushButton, ...]
    ) -> QWidget:
        """The table with its 新增 / 编辑 / 删除 column; 编辑 and 删除 need a selected row."""

        def update() -> None:
            chosen = bool(table.selectionModel().selectedRows())
            for b in buttons[1:]:
                b.setEnabled(chosen)

        table.itemSelectionChanged.connect(update)
        update()
        column = QVBoxLayout()
        for b in buttons:
            column.addWidget(b)
        column.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(table, 1)
        row.addLayout(column)
        layout = QVBoxLayout(page)
        layout.addLayout(row, 1)
        layout.addWidget(hint)
        return page

    def _members(self) -> list[tuple[int, str]]:
        return [(m.id, f"{m.name}（{m.relation}）") for m in self.case.members]

    def _measure(self, measure_id: int | None) -> MeasureView | None:
        return next((m for m in self.case.measures if m.id == measure_id), None)

    def add_measure(self) -> None:
        self._measure_dialog(None)

    def edit_measure(self) -> None:
        measure = self._measure(_selected_id(self.measure_table))
        if measure is not None:
            self._measure_dialog(measure)

    def _measure_dialog(self, measure: MeasureView | None) -> None:
        dialog = MeasureDialog(self, self._members(), measure, self.today)
        measure_id = measure.id if measure else None
        dialog.submit = lambda: case_ops.save_measure(
            self.ops,
            self.case_id,
            dialog.value(),
            measure_id,
            parent=dialog,
            success=dialog.done_ok,
            user_error=dialog.refused,
            origin=self.origin,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.written(select=(self.measure_table, dialog.saved_id))

    def delete_measure(self) -> None:
        measure = self._measure(_selected_id(self.measure_table))
        if measure is None:
            return
        if not ask_yes_no(
            self, "删除帮扶措施", f"确定删除帮扶措施“{measure.category}：{measure.content[:30]}”吗？"
        ):
            return
        case_ops.delete_measure(
            self.ops, measure.id, parent=self, success=lambda _r: self.written(), origin=self.origin
        )

    # ------------------------------------------------------------------ 帮扶联系人

    def _build_contacts(self) -> QWidget:
        page = QWidget()
        self.contact_table = _table(("姓名", "单位", "联系电话", "开始日期", "结束日期"), (90, 260, 120, 100))
        self.contact_hint = QLabel()
        self.contact_hint.setWordWrap(True)
        self.contact_add = _button("fa5s.user-plus", "新增联系人")
        self.contact_edit = _button("fa5s.user-edit", "编辑")
        self.contact_delete = _button("fa5s.user-minus", "删除")
        self.contact_add.clicked.connect(self.add_contact)
        self.contact_edit.clicked.connect(self.edit_contact)
        self.contact_delete.clicked.connect(self.delete_contact)
        self.contact_table.doubleClicked.connect(lambda _i: self.edit_contact())
        list_keys(self.contact_table, opens=self.edit_contact, deletes=self.delete_contact)
        return self._record_page(
            page,
            self.contact_table,
            self.contact_hint,
            (self.contact_add, self.contact_edit, self.contact_delete),
        )

    def _contact(self, contact_id: int | None) -> ContactView | None:
        return next((c for c in self.case.contacts if c.id == contact_id), None)

    def add_contact(self) -> None:
        self._contact_dialog(None)

    def edit_contact(self) -> None:
        contact = self._contact(_selected_id(self.contact_table))
        if contact is not None:
            self._contact_dialog(contact)

    def _contact_dialog(self, contact: ContactView | None) -> None:
        dialog = ContactDialog(self, contact, self.today)
        contact_id = contact.id if contact else None
        dialog.submit = lambda: case_ops.save_contact(
            self.ops,
            self.case_id,
            dialog.value(),
            contact_id,
            parent=dialog,
            success=dialog.done_ok,
            user_error=dialog.refused,
            origin=self.origin,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.written(select=(self.contact_table, dialog.saved_id))

    def delete_contact(self) -> None:
        contact = self._contact(_selected_id(self.contact_table))
        if contact is None:
            return
        if not ask_yes_no(self, "删除帮扶联系人", f"确定删除帮扶联系人“{contact.name}”吗？"):
            return
        case_ops.delete_contact(
            self.ops, contact.id, parent=self, success=lambda _r: self.written(), origin=self.origin
        )

    # ------------------------------------------------------------------ 走访记录

    def _build_visits(self) -> QWidget:
        page = QWidget()
        self.visit_table = _table(("走访日期", "方式", "走访人", "走访情况", "收入变化"), (92, 50, 90, 420))
        self.visit_hint = QLabel()
        self.visit_hint.setWordWrap(True)
        self.visit_add = _button("fa5s.plus", "新增走访")
        self.visit_edit = _button("fa5s.edit", "编辑")
        self.visit_delete = _button("fa5s.trash-alt", "删除")
        self.visit_add.clicked.connect(self.add_visit)
        self.visit_edit.clicked.connect(self.edit_visit)
        self.visit_delete.clicked.connect(self.delete_visit)
        self.visit_table.doubleClicked.connect(lambda _i: self.edit_visit())
        list_keys(self.visit_table, opens=self.edit_visit, deletes=self.delete_visit)
        return self._record_page(
            page, self.visit_table, self.visit_hint, (self.visit_add, self.visit_edit, self.visit_delete)
        )

    def _visit(self, visit_id: int | None) -> VisitView | None:
        return next((v for v in self.case.visits if v.id == visit_id), None)

    def add_visit(self) -> None:
        self._visit_dialog(None)

    def edit_visit(self) -> None:
        visit = self._visit(_selected_id(self.visit_table))
        if visit is not None:
            self._visit_dialog(visit)

    def _visit_dialog(self, visit: VisitView | None) -> None:
        current = next((c.name for c in self.case.contacts if c.end_date is None), "")
        dialog = VisitDialog(self, visit, self.today, visitor=current)
        visit_id = visit.id if visit else None
        dialog.submit = lambda: case_ops.save_visit(
            self.ops,
            self.case_id,
            dialog.value(),
            visit_id,
            parent=dialog,
            success=dialog.done_ok,
            user_error=dialog.refused,
            origin=self.origin,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.written(select=(self.visit_table, dialog.saved_id))

    def delete_visit(self) -> None:
        visit = self._visit(_selected_id(self.visit_table))
        if visit is None:
            return
        if not ask_yes_no(self, "删除走访记录", f"确定删除{visit.visited_on:%Y-%m-%d}的走访记录吗？"):
            return
        case_ops.delete_visit(
            self.ops, visit.id, parent=self, success=lambda _r: self.written(), origin=self.origin
        )

    # ------------------------------------------------------------------ 季度复核

    def print_documents(self) -> None:
        """This household's sheets (入户核实表, 承诺授权书, 信息采集表) through the batch dialog."""
        from fanpin_desktop.ui.dialogs.batch_print_dialog import BatchPrintDialog

        c = self.case
        factory = self.print_dialog_factory or BatchPrintDialog
        dialog = factory(
            self.ops,
            [],
            None,
            self,
            case_ids=[c.id],
            selection_label=f"本户（{c.household_label}）",
            today=self.today,
        )
        dialog.file_label = c.household_label.replace(" ", "_")
        dialog.exec()
        dialog.deleteLater()

    def review(self) -> None:
        dialog = ReviewDialog(self, self.today, self.case.reviewed_on)
        dialog.submit = lambda: case_ops.record_review(
            self.ops,
            self.case_id,
            dialog.on.date().toPython(),
            dialog.note.text().strip(),
            parent=dialog,
            success=dialog.done_ok,
            user_error=dialog.refused,
            origin=self.origin,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.written()

    # ------------------------------------------------------------------ showing and reloading

    def show_case(self) -> None:
        c = self.case
        self.refresh_findings()
        head = next((m.name for m in c.members if m.relation == "户主"), "")
        self.setWindowTitle(
            f"监测对象：{c.household_label or head}（{STATUS_LABELS.get(c.status, c.status)}）"
        )
        self.summary.setText(self._summary_html())
        self.status_line.setText(self._status_html())
        _fill(
            self.members,
            [
                (
                    m.id,
                    [
                        m.name,
                        m.relation,
                        "" if m.age is None else str(m.age),
                        m.health,
                        m.labour,
                        m.schooling,
                    ],
                )
                for m in c.members
            ],
        )
        self._load_facts()
        self.identification.load(c)
        self.elimination.load(c)
        self._update_elimination_extra()
        _fill(
            self.measure_table,
            [
                (
                    m.id,
                    [
                        m.category,
                        "是" if m.is_development else "",
                        m.content,
                        _d(m.start_date),
                        _d(m.end_date),
                        m.responsible_unit,
                        _money(m.amount),
                        m.member_name,
                    ],
                )
                for m in c.measures
            ],
        )
        for r in range(self.measure_table.rowCount()):
            item = self.measure_table.item(r, 6)
            if item is not None:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        development = sum(1 for m in c.measures if m.is_development)
        self.measure_hint.setText(
            f"共{len(c.measures)}项帮扶措施，其中开发式{development}项。双击或按回车编辑，按 Delete 删除。"
            if c.measures
            else "还没有帮扶措施。识别纳入后应及时落实帮扶措施（一户一方案、一人一措施）。"
        )
        _fill(
            self.contact_table,
            [(x.id, [x.name, x.workplace, x.phone, _d(x.start_date), _d(x.end_date)]) for x in c.contacts],
        )
        for r, x in enumerate(c.contacts):
            if x.end_date is not None and x.end_date < self.today:
                for col in range(self.contact_table.columnCount()):
                    item = self.contact_table.item(r, col)
                    if item is not None:
                        item.setForeground(QColor("#888"))
        current = [x.name for x in c.contacts if x.end_date is None or x.end_date >= self.today]
        self.contact_hint.setText(
            f"当前帮扶联系人：{'、'.join(current)}。已结束的联系人显示为灰色。"
            if current
            else "还没有在岗的帮扶联系人。每个监测对象至少要有一名帮扶联系人。"
        )
        self.contact_hint.setStyleSheet("" if current else ERROR_STYLE)
        _fill(
            self.visit_table,
            [(v.id, [_d(v.visited_on), v.mode, v.visitor, v.findings, v.income_change]) for v in c.visits],
        )
        self.visit_hint.setText(
            f"共{len(c.visits)}次走访，最近一次：{c.visits[0].visited_on:%Y-%m-%d}（{c.visits[0].mode}）。"
            if c.visits
            else "还没有走访记录。监测期间每月至少走访一次。"
        )
        _refresh_buttons(self.measure_table, self.contact_table, self.visit_table)
        monitored = c.status in _ELIMINABLE
        self.review_button.setEnabled(monitored)
        self.review_button.setToolTip("" if monitored else "只有监测中的对象需要季度复核")
        self.review_note.setText(
            f"上次季度复核：{c.reviewed_on:%Y-%m-%d}"
            if c.reviewed_on
            else ("还没有季度复核记录" if monitored else "")
        )

    def reload(self) -> None:
        self.case = self.ops.read(detail.load_case, self.case_id, self.today)
        self.show_case()

    def refresh_findings(self) -> None:
        """The strip of this case's 数据核查 findings."""
        try:
            self.findings = quality_ops.case_findings(self.ops, self.case_id)
        except Exception:  # noqa: BLE001 - the strip is a help; working on the case must still work
            log.exception("数据核查 of case %s failed", self.case_id)
            self.findings_strip.setVisible(False)
            return
        text, details = strip_text(self.findings)
        self.findings_strip.setText(text)
        self.findings_strip.setToolTip(details)
        self.findings_strip.setVisible(True)

    def show_findings(self) -> None:
        _text, details = strip_text(self.findings)
        QMessageBox.information(self, "数据核查", details or "未发现问题。")

    def written(self, select: tuple[QTableWidget, int | None] | None = None) -> None:
        """After a successful write: read the case again and refresh everything."""
        self.saved_id = self.case_id
        self.reload()
        if select is not None and select[1] is not None:
            table, row_id = select
            for r in range(table.rowCount()):
                item = table.item(r, 0)
                if item is not None and item.data(Qt.ItemDataRole.UserRole) == row_id:
                    table.selectRow(r)
                    break

    def open_household(self) -> None:
        from fanpin_desktop.ui.dialogs.household_editor import HouseholdEditor

        editor = HouseholdEditor(self.ops, self.case.household_id, self, today=self.today, origin=self.origin)
        editor.exec()
        if editor.saved_id is not None:
            self.reload()

    # ------------------------------------------------------------------ leaving

    def facts_dirty(self) -> bool:
        return self._facts_loaded is not None and self.facts_input() != self._facts_loaded

    def _confirm_discard(self) -> bool:
        if not self.facts_dirty():
            return True
        return ask_discard(
            self, "基本情况有未保存的修改（类别、风险、不纳入情形或备注），确定放弃这些修改吗？"
        )

    def reject(self) -> None:
        if self._confirm_discard():
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self._confirm_discard():
            event.accept()
        else:
            event.ignore()
