"""Finding a household by name, pinyin initials, 户编号, phone or ID digits: the entry form's
Ctrl+F and the problem dialog's 选择农户 both use it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.services import households as household_service
from fanpin_desktop.ui.common import ok_cancel_buttons
from fanpin_desktop.ui.geometry import fit_to_screen
from fanpin_desktop.ui.operations import Operations


class HouseholdPickerDialog(QDialog):
    """Find a household by head or member name, pinyin initials (zs), 户编号, phone or ID digits."""

    LIMIT = 200
    DELAY_MS = 120

    def __init__(
        self,
        ops: Operations,
        parent: QWidget | None = None,
        *,
        village_id: int | None = None,
        title: str = "查找农户",
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._village_id = village_id
        self.household_id: int | None = None
        self.setWindowTitle(title)
        self.search = QLineEdit()
        self.search.setPlaceholderText("姓名、拼音首字母（如 zs）、户编号、电话或身份证号中的几位")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.count = QLabel()
        self.count.setStyleSheet("color:#5f6368")
        buttons = ok_cancel_buttons(self, "打开")
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.count)
        layout.addWidget(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.installEventFilter(self)
        self.list.itemActivated.connect(lambda _i: self.accept())
        fit_to_screen(self, "household_picker", (520, 420))
        self.search.setFocus()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if obj is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.list.count():
                row = self.list.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                self.list.setCurrentRow(max(0, min(self.list.count() - 1, row)))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._timer.isActive() or not self.list.count():
                    self.run_search()
                if self.list.count():
                    self.accept()
                return True
        return super().eventFilter(obj, event)

    def run_search(self) -> int:
        self._timer.stop()
        text = self.search.text().strip()
        self.list.clear()
        if not text:
            self.count.setText("")
            return 0
        query = household_service.HouseholdQuery(text=text, village_id=self._village_id)
        found = self._ops.read(household_service.search_household_ids, query)
        rows = self._ops.read(household_service.fetch_rows, found[: self.LIMIT])
        for hid in found[: self.LIMIT]:
            r = rows.get(hid)
            if r is None:
                continue
            code = f"　户编号 {r.code}" if r.code else ""
            item = QListWidgetItem(
                f"{r.village}{r.group}　{r.head_name}（{r.size}人，{r.household_type}）{code}"
            )
            item.setData(Qt.ItemDataRole.UserRole, hid)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        more = f"，只列出前 {self.LIMIT} 户" if len(found) > self.LIMIT else ""
        self.count.setText(f"找到 {len(found)} 户{more}。↑↓ 选择，回车打开。")
        return len(found)

    def accept(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.household_id = int(item.data(Qt.ItemDataRole.UserRole))
        super().accept()
