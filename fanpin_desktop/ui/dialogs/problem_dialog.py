"""Add or edit one problem of the rectification ledger (四项清单), from the ledger page or from the
appendix 1 entry form (a problem of the household on screen). Both pages use it, so it lives here:
neither page imports the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate
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

from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.services import households as household_service
from fanpin_desktop.services import ledger
from fanpin_desktop.services.ledger import ProblemRow
from fanpin_desktop.ui.common import ok_cancel_buttons
from fanpin_desktop.ui.geometry import fit_to_screen
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.tasks import Task
from fanpin_desktop.ui.widgets import IdCombo, OptionalDateEdit, ValueCombo, icon

#: ``save(values, saved, refused)`` starts the operation that stores the problem: ``saved(id)``
#: when it is stored, ``refused(error)`` when the service refused it (the dialog stays open).
SaveProblem = Callable[[dict[str, Any], Callable[[int], None], Callable[[UserError], None]], Task | None]


class ProblemDialog(QDialog):
    """Add or edit one problem (四项清单: problem, measure, responsible person, deadline).

    ``fixed_household`` (id, label) records a problem of one household (from the entry form);
    otherwise the level decides what is asked: 乡镇 — nothing, 村 — the village, 户 — the household.
    ``save`` (a :data:`SaveProblem`) stores it through an operation; the dialog closes when it is
    stored, and a validation error keeps it open with the focus on the field named.
    """

    def __init__(
        self,
        ops: Operations,
        parent: QWidget | None = None,
        *,
        problem: ProblemRow | None = None,
        year: int | None = None,
        fixed_household: tuple[int, str] | None = None,
        village_id: int | None = None,
        description: str = "",
        found_on: dt.date | None = None,
        save: SaveProblem | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._save = save
        self._fixed = fixed_household
        self.saved_id: int | None = None
        today = today or dt.date.today()
        self.setWindowTitle("编辑问题" if problem else "记入问题整改台账")
        villages = [(v.id, v.name) for v in ops.read(household_service.region_options)]
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
        self.found_on.setDate(QDate(found_on or today))
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
                self.found_on.setDate(QDate(problem.found_on))
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
        fit_to_screen(self, "problem", (560, 520))
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
        from fanpin_desktop.ui.dialogs.household_picker import HouseholdPickerDialog

        dialog = HouseholdPickerDialog(self._ops, self, village_id=self.village.value(), title="选择农户")
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.household_id is not None:
            self.set_household(dialog.household_id)
        dialog.deleteLater()

    def set_household(self, household_id: int) -> None:
        label = self._ops.read(household_service.household_label, household_id)
        row = self._ops.read(household_service.fetch_rows, [household_id]).get(household_id)
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
            "found_on": self.found_on.date().toPython(),
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
        if self._save is None:
            super().accept()
            return
        self.message.setText("")
        self._save(values, self._saved, self.refused)

    def _saved(self, problem_id: int) -> None:
        self.saved_id = problem_id
        super().accept()

    def refused(self, exc: UserError) -> None:
        """The service refused the problem: say why in the dialog, on the field it names."""
        self.message.setText(str(exc))
        field = exc.field if isinstance(exc, ValidationError) else None
        widget = getattr(self, self._FIELD_WIDGETS.get(field or "", ""), None)
        if isinstance(widget, QWidget):
            widget.setFocus()
