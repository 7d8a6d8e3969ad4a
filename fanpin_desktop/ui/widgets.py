"""Small input widgets shared by forms: code-table combos, optional numbers and dates, money."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import qtawesome as qta
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QComboBox, QDateEdit, QDoubleSpinBox, QFrame, QSpinBox, QWidget

BLANK = "（未填）"


def icon(name: str, color: str | None = None) -> QIcon:
    """A qtawesome icon; an empty icon if the font cannot be loaded (never fail a form for it)."""
    try:
        return qta.icon(name, color=color) if color else qta.icon(name)
    except Exception:  # noqa: BLE001 - icons are decoration
        return QIcon()


def hline() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


class ValueCombo(QComboBox):
    """A combo box of text values with an optional blank first item; ``value()`` is None for blank.

    A value not in the list (old data, another year's code table) is added, marked, instead of
    being lost silently; the validation then names it.
    """

    valueChanged = Signal(object)

    def __init__(
        self,
        values: Iterable[str] = (),
        blank: bool = True,
        parent: QWidget | None = None,
        blank_text: str = BLANK,
    ) -> None:
        super().__init__(parent)
        self._blank = blank
        self._blank_text = blank_text
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(6)
        self.set_values(values)
        self.currentIndexChanged.connect(lambda _i: self.valueChanged.emit(self.value()))

    def set_values(self, values: Iterable[str]) -> None:
        current = self.value() if self.count() else None
        self.blockSignals(True)
        self.clear()
        if self._blank:
            self.addItem(self._blank_text, None)
        for v in values:
            self.addItem(v, v)
        self.blockSignals(False)
        self.set_value(current)

    def value(self) -> str | None:
        data = self.currentData()
        return data if isinstance(data, str) and data else None

    def set_value(self, value: str | None) -> None:
        if not value:
            self.setCurrentIndex(0 if self._blank or self.count() == 0 else self.currentIndex())
            return
        i = self.findData(value)
        if i < 0:
            self.addItem(f"{value}（不在代码表中）", value)
            i = self.count() - 1
        self.setCurrentIndex(i)


class IdCombo(QComboBox):
    """A combo box of (id, label) pairs; ``value()`` is the id or None."""

    valueChanged = Signal(object)

    def __init__(self, blank_text: str | None = BLANK, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._blank_text = blank_text
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(6)
        self.currentIndexChanged.connect(lambda _i: self.valueChanged.emit(self.value()))
        self.set_items([])

    def set_items(self, items: Iterable[tuple[int, str]], keep: bool = True) -> None:
        current = self.value() if keep else None
        self.blockSignals(True)
        self.clear()
        if self._blank_text is not None:
            self.addItem(self._blank_text, None)
        for item_id, label in items:
            self.addItem(label, item_id)
        self.blockSignals(False)
        if not self.set_value(current):
            self.setCurrentIndex(0 if self.count() else -1)
            self.valueChanged.emit(self.value())

    def value(self) -> int | None:
        data = self.currentData()
        return data if isinstance(data, int) else None

    def set_value(self, value: int | None) -> bool:
        i = self.findData(value) if value is not None else (0 if self._blank_text is not None else -1)
        if i < 0:
            return False
        self.setCurrentIndex(i)
        return True


def fill_village_filter(village: IdCombo, group: IdCombo, options: Sequence[Any]) -> None:
    """Refill a 村 / 组 filter pair from village options (``.id``, ``.name``, ``.groups``),
    keeping the chosen village when it still exists, without announcing a change meanwhile."""
    current = village.value()
    village.blockSignals(True)
    village.set_items([(v.id, v.name) for v in options])
    village.blockSignals(False)
    if current is not None:
        village.set_value(current)
    fill_group_filter(group, options, village.value())


def fill_group_filter(group: IdCombo, options: Sequence[Any], village_id: int | None) -> None:
    """The 组 filter lists the chosen village's groups; without a village it is disabled."""
    option = next((v for v in options if v.id == village_id), None)
    group.blockSignals(True)
    group.set_items([(g.id, g.name) for g in option.groups] if option else [])
    group.blockSignals(False)
    group.setEnabled(option is not None)


class OptionalSpinBox(QSpinBox):
    """An integer box where the minimum means "not filled" (shown as a dash)."""

    def __init__(
        self, minimum: int, maximum: int, parent: QWidget | None = None, blank_text: str = "—"
    ) -> None:
        super().__init__(parent)
        self.setRange(minimum - 1, maximum)
        self.setSpecialValueText(blank_text)
        self.setValue(minimum - 1)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)

    def optional_value(self) -> int | None:
        v = self.value()
        return None if v == self.minimum() else v

    def set_optional_value(self, value: int | None) -> None:
        self.setValue(self.minimum() if value is None else value)


class OptionalDateEdit(QDateEdit):
    """A date box that can be empty (its minimum date shown as blank)."""

    _EMPTY = QDate(1900, 1, 1)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setCalendarPopup(True)
        self.setMinimumDate(self._EMPTY)
        self.setMaximumDate(QDate(2100, 12, 31))
        self.setSpecialValueText(" ")
        self.setDate(self._EMPTY)

    def optional_date(self) -> dt.date | None:
        d = self.date()
        if d == self._EMPTY:
            return None
        return dt.date(d.year(), d.month(), d.day())

    def set_optional_date(self, value: dt.date | None) -> None:
        self.setDate(self._EMPTY if value is None else QDate(value.year, value.month, value.day))


class MoneySpinBox(QDoubleSpinBox):
    """元 with two decimals; reads and writes Decimal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, 99_999_999.99)
        self.setDecimals(2)
        self.setGroupSeparatorShown(True)
        self.setSuffix(" 元")
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.NoButtons)
        self.setMinimumWidth(130)

    def decimal(self) -> Decimal:
        return Decimal(f"{self.value():.2f}")

    def set_decimal(self, value: Any) -> None:
        self.setValue(float(Decimal(value or 0)))
