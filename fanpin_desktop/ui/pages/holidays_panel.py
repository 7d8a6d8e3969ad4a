"""系统设置 → 节假日: the 放假 and 调休上班 days of years the bundled calendar does not know.

The clerk picks a year, enters its days from the State Council's notice (国务院办公厅关于某年部分
节假日安排的通知), and marks the year complete; only then are working-day deadlines of that year
computed (``domain/workdays``). Every change is an operation of ``ui/operations/settings``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import qtawesome as qta
from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.domain.workdays import DAY_KINDS, HOLIDAY, MAKEUP_WORKDAY
from fanpin_desktop.errors import UserError
from fanpin_desktop.services import calendar as calendar_service
from fanpin_desktop.services.calendar import CalendarDayRow, HolidaysView
from fanpin_desktop.ui.common import ask_yes_no, ok_cancel_buttons, show_refusal
from fanpin_desktop.ui.geometry import fit_to_screen
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.operations import settings as setting_ops
from fanpin_desktop.ui.table_models.base import Column, RowsModel

_WEEKDAYS = "一二三四五六日"
_GREY = "color: #5f6368;"


class CalendarDayModel(RowsModel):
    """The entered days of one year, read-only."""

    DATE, WEEKDAY, KIND, NOTE = range(4)
    NUMBERED_ROWS = False
    COLUMNS = (
        Column("日期", lambda r: r.day.isoformat(), sort=lambda r: r.day),
        Column("星期", lambda r: "周" + _WEEKDAYS[r.day.weekday()], sort=lambda r: r.day.weekday()),
        Column("类型", lambda r: r.kind),
        Column("备注", lambda r: r.note),
    )


class CalendarDayDialog(QDialog):
    """Enter one day. 保存 calls ``save(values, success, user_error)`` (the operation); the dialog
    closes in ``success`` and shows a refusal beside the fields in ``user_error``."""

    def __init__(
        self,
        save: Callable[[dict[str, Any], Callable[[Any], None], Callable[[UserError], None]], object],
        year: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._save = save
        self.setWindowTitle(f"录入{year}年的节假日")
        fit_to_screen(self, "calendar_day")
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setDateRange(QDate(year, 1, 1), QDate(year, 12, 31))
        self.day.setDate(QDate(year, 1, 1))
        self.kind = QComboBox()
        self.kind.addItems(list(DAY_KINDS))
        self.note = QLineEdit()
        self.note.setPlaceholderText("如：春节、国庆节调休")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        self.error.hide()
        hint = QLabel(f"“{HOLIDAY}”：这一天不上班（含放假期间的周末）；“{MAKEUP_WORKDAY}”：周末调休上班。")
        hint.setWordWrap(True)
        hint.setStyleSheet(_GREY)
        form = QFormLayout()
        form.addRow("日期：", self.day)
        form.addRow("类型：", self.kind)
        form.addRow("备注：", self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(ok_cancel_buttons(self, "保存", on_ok=self.try_accept))
        self.setMinimumWidth(380)

    def values(self) -> dict[str, Any]:
        return {"day": self.day.date().toPython(), "kind": self.kind.currentText(), "note": self.note.text()}

    def try_accept(self) -> None:
        self._save(self.values(), lambda _result: self.accept(), self.show_refusal)

    def show_refusal(self, exc: UserError) -> None:
        show_refusal(self, self.error, {"day": self.day, "kind": self.kind, "note": self.note}, exc)


class HolidaysPanel(QWidget):
    """One year's entered days with 新增 / 删除, and whether the year is marked complete."""

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(_GREY)
        self.year = QSpinBox()
        self.year.setMinimumWidth(90)
        self.year.setSuffix(" 年")
        self.year.setGroupSeparatorShown(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.complete_button = QPushButton(qta.icon("fa5s.check"), "标记已录完")
        self.complete_button.clicked.connect(self.toggle_complete)

        self.model = CalendarDayModel(parent=self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)

        self.add_button = QPushButton(qta.icon("fa5s.plus"), "新增")
        self.delete_button = QPushButton(qta.icon("fa5s.trash-alt"), "删除")
        self.add_button.clicked.connect(self.add)
        self.delete_button.clicked.connect(self.delete_selected)

        top = QHBoxLayout()
        top.addWidget(QLabel("年度："))
        top.addWidget(self.year)
        top.addWidget(self.status, 1)
        top.addWidget(self.complete_button)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.view, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(top)
        layout.addLayout(row, 1)

        self._view: HolidaysView | None = None
        self.year.valueChanged.connect(lambda _year: self._show_year())

    def confirm(self, title: str, text: str) -> bool:
        return ask_yes_no(self, title, text)

    def refresh(self) -> None:
        view = self.ops.read(calendar_service.view)
        self._view = view
        first_unknown = (view.package_years[1] + 1) if view.package_years else dt.date.today().year
        if view.package_years:
            first, last = view.package_years
            self.hint.setText(
                f"程序已内置 {first}–{last} 年国务院办公厅公布的放假和调休安排，这些年份无需录入。"
                f"{first_unknown} 年及以后，请按当年的通知在这里录入全部放假日和调休上班日，录完后点"
                f"“标记已录完”。未标记已录完的年份，按工作日计算的日期（如公示期）会拒绝计算并提示。"
            )
        open_years = [y.year for y in view.years if not y.complete and y.year >= first_unknown]
        keep = self.year.value() if self.year.minimum() == first_unknown else None
        self.year.blockSignals(True)
        self.year.setRange(first_unknown, max(first_unknown, dt.date.today().year) + 10)
        self.year.setValue(keep or (open_years[0] if open_years else first_unknown))
        self.year.blockSignals(False)
        self._show_year()

    def _show_year(self) -> None:
        view = self._view
        year = self.year.value()
        if view is None:
            return
        self.model.set_rows([d for d in view.days if d.day.year == year])
        entry = next((y for y in view.years if y.year == year), None)
        holidays, makeup = (entry.holidays, entry.makeup_days) if entry else (0, 0)
        complete = bool(entry and entry.complete)
        counts = f"已录入放假 {holidays} 天、调休上班 {makeup} 天"
        if complete:
            self.status.setText(f"{year} 年：{counts}，已录完，按工作日计算时使用这些日期。")
            self.status.setStyleSheet("color: #188038;")
        else:
            self.status.setText(f"{year} 年：{counts}，尚未标记已录完，按工作日计算的日期暂不计算。")
            self.status.setStyleSheet("color: #b3261e;")
        self.complete_button.setText("重新打开" if complete else "标记已录完")
        self.complete_button.setIcon(qta.icon("fa5s.undo" if complete else "fa5s.check"))
        self.complete_button.setEnabled(complete or holidays > 0)
        self._update_buttons()

    def _year_complete(self) -> bool:
        view = self._view
        year = self.year.value()
        return bool(view and any(y.year == year and y.complete for y in view.years))

    def selected_row(self) -> CalendarDayRow | None:
        indexes = self.view.selectionModel().selectedRows()
        return self.model.row_data(indexes[0].row()) if indexes else None

    def _update_buttons(self, *_: Any) -> None:
        self.delete_button.setEnabled(self.selected_row() is not None)

    def add(self) -> None:
        saved: list[int] = []

        def save(
            values: dict[str, Any], success: Callable[[Any], None], refused: Callable[[UserError], None]
        ) -> None:
            def done(day_id: int) -> None:
                saved.append(day_id)
                success(day_id)

            setting_ops.save_calendar_day(
                self.ops,
                values["day"],
                values["kind"],
                values["note"],
                parent=self,
                success=done,
                user_error=refused,
                origin=self,
            )

        dialog = CalendarDayDialog(save, self.year.value(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted and saved:
            self.refresh()
            row = self.model.row_of(saved[-1])
            if row is not None:
                self.view.selectRow(row)

    def delete_selected(self) -> None:
        row = self.selected_row()
        if row is None or not self.confirm("确认删除", f"确定要删除 {row.day.isoformat()}（{row.kind}）吗？"):
            return
        setting_ops.delete_calendar_day(
            self.ops, row.id, parent=self, success=lambda _r: self.refresh(), origin=self
        )

    def toggle_complete(self) -> None:
        year = self.year.value()
        complete = not self._year_complete()
        if not complete and not self.confirm(
            "重新打开", f"重新打开后，{year} 年按工作日计算的日期将暂停计算，直到再次标记已录完。确定吗？"
        ):
            return
        setting_ops.set_holiday_year_complete(
            self.ops, year, complete, parent=self, success=lambda _r: self.refresh(), origin=self
        )
