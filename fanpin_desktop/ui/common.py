"""Small pieces of dialogs and pages used all over the UI: button rows, questions, record tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableView,
    QWidget,
)

from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.ui.errors import show_user_error
from fanpin_desktop.ui.geometry import remember_columns

#: the column widths of a change-history table (时间, 操作人, 操作, 对象, 项目, 原值; 新值 stretches)
HISTORY_WIDTHS = (130, 70, 50, 150, 110, 160)


def ok_cancel_buttons(
    dialog: QDialog, ok_text: str = "确定", on_ok: Callable[[], object] | None = None
) -> QDialogButtonBox:
    """OK (labelled ``ok_text``) and 取消 buttons: OK calls ``on_ok`` (default: ``dialog.accept``),
    取消 rejects the dialog."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    buttons.accepted.connect(on_ok if on_ok is not None else dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def close_button(dialog: QDialog) -> QDialogButtonBox:
    """A single 关闭 button that rejects the dialog."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
    buttons.rejected.connect(dialog.reject)
    return buttons


def ask_yes_no(parent: QWidget | None, title: str, text: str, default_yes: bool = False) -> bool:
    """Ask a 是/否 question; True when the clerk answers 是."""
    default = QMessageBox.StandardButton.Yes if default_yes else QMessageBox.StandardButton.No
    answer = QMessageBox.question(
        parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, default
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_discard(parent: QWidget | None, text: str) -> bool:
    """Ask whether to throw away unsaved changes (放弃/取消, 取消 the default); True: discard."""
    answer = QMessageBox.question(
        parent,
        "放弃修改",
        text,
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


def record_table(model: QAbstractItemModel, widths: Iterable[int] = (), sortable: bool = False) -> QTableView:
    """The usual list of records: whole rows, one selected at a time, never edited in place, one
    line of text a row, columns resizable (the last one stretched) and ``widths`` wide.
    ``sortable``: a click on a header sorts; the model's own order comes first."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.verticalHeader().setDefaultSectionSize(24)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for col, width in enumerate(widths):
        view.setColumnWidth(col, width)
    if sortable:
        view.setSortingEnabled(True)
        view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    remember_columns(view)
    return view


def history_table(model: QAbstractItemModel) -> QTableView:
    """A read-only table of change-history entries (``HistoryTableModel``)."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    for col, width in enumerate(HISTORY_WIDTHS):
        view.setColumnWidth(col, width)
    remember_columns(view)
    return view


def show_refusal(parent: QWidget, label: QLabel, fields: dict[str, QWidget], exc: UserError) -> None:
    """A value the service refused: a ``ValidationError`` is named in ``label`` beside the fields
    with the focus on its field (``fields``: field name → editor); any other ``UserError`` is a
    message box."""
    if not isinstance(exc, ValidationError):
        show_user_error(str(exc), parent)
        return
    label.setText(str(exc))
    label.show()
    widget = fields.get(exc.field)
    if widget is not None:
        widget.setFocus()


def list_keys(
    view: QAbstractItemView,
    opens: Callable[[], object] | None = None,
    deletes: Callable[[], object] | None = None,
) -> None:
    """The keys of a list of records while it has the focus: Enter (either key) opens the current
    record, Delete deletes it (the slot asks first)."""
    keys = [(Qt.Key.Key_Return, opens), (Qt.Key.Key_Enter, opens), (Qt.Key.Key_Delete, deletes)]
    for key, slot in keys:
        if slot is not None:
            QShortcut(QKeySequence(key), view, activated=slot, context=Qt.ShortcutContext.WidgetShortcut)


def current_proxied_row(view: Any, proxy: Any, model: Any) -> Any:
    """The source model's row data behind a sorted/filtered view's current index (or None)."""
    index = view.currentIndex()
    return model.row_data(proxy.mapToSource(index).row()) if index.isValid() else None


def select_proxied_row(view: Any, proxy: Any, model: Any, record_id: Any) -> bool:
    """Make the record's row current in a sorted/filtered view; False when it is not listed."""
    r = model.row_of(record_id)
    if r is None:
        return False
    index = proxy.mapFromSource(model.index(r, 0))
    view.setCurrentIndex(index)
    view.selectRow(index.row())
    return True


def current_record_id(view: Any, model: Any) -> Any:
    """The record id of an id-based list's current row (``LazyIdTableModel``), or None."""
    index = view.currentIndex()
    return model.record_id(index.row()) if index.isValid() else None


def select_record_row(view: Any, model: Any, record_id: Any) -> bool:
    """Make the record's row current and selected in an id-based list and scroll to it."""
    row = model.row_of(record_id)
    if row is None:
        return False
    first = model.index(row, 0)
    view.selectionModel().setCurrentIndex(
        first, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    view.scrollTo(first)
    return True
