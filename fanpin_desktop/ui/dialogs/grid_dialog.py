"""Add or edit one 网格 with its 网格员 (系统设置 → 行政村与村民小组).

附件3 counts the registered grids (网格数, 网格员人数, 培训人次) for a village whose own figures are
left blank, so this is where the clerk keeps them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from fanpin_desktop.errors import UserError
from fanpin_desktop.services.regions import GridInfo
from fanpin_desktop.ui.common import ok_cancel_buttons, show_refusal
from fanpin_desktop.ui.geometry import fit_to_screen

#: save(values, success, refused): the operation; success closes the dialog, refused names the field
SaveGrid = Callable[[dict[str, Any], Callable[[Any], None], Callable[[UserError], None]], object]


class GridDialog(QDialog):
    """A grid's 名称, 网格员, 联系电话 and 已培训. 保存 calls ``save`` (the operation): the dialog
    closes when it succeeds and keeps everything typed, with the refusal named, when it is refused."""

    def __init__(
        self, save: SaveGrid, village: str, grid: GridInfo | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._save = save
        self.setWindowTitle(f"修改网格（{village}）" if grid else f"添加网格（{village}）")
        fit_to_screen(self, "grid")
        self.name = QLineEdit(grid.name if grid else "")
        self.name.setPlaceholderText("如：第一网格")
        self.name.setMaxLength(40)
        self.worker_name = QLineEdit((grid.worker_name or "") if grid else "")
        self.worker_name.setPlaceholderText("网格员姓名")
        self.worker_name.setMaxLength(40)
        self.worker_phone = QLineEdit((grid.worker_phone or "") if grid else "")
        self.worker_phone.setPlaceholderText("11位手机号码或固定电话")
        self.worker_phone.setMaxLength(20)
        self.trained = QCheckBox("网格员已参加培训")
        self.trained.setChecked(bool(grid and grid.trained))
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        self.error.hide()
        note = QLabel("附件3中本村的网格数、网格员人数、培训人次不填时，按这里登记的网格统计。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #5f6368;")

        form = QFormLayout()
        form.addRow("网格名称：", self.name)
        form.addRow("网格员：", self.worker_name)
        form.addRow("联系电话：", self.worker_phone)
        form.addRow("", self.trained)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(ok_cancel_buttons(self, "保存", on_ok=self.try_accept))
        self.setMinimumWidth(380)

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.text(),
            "worker_name": self.worker_name.text(),
            "worker_phone": self.worker_phone.text(),
            "trained": self.trained.isChecked(),
        }

    def try_accept(self) -> None:
        self.error.hide()
        self._save(self.values(), lambda _result: self.accept(), self.show_refusal)

    def show_refusal(self, exc: UserError) -> None:
        fields = {
            "name": self.name,
            "worker_name": self.worker_name,
            "worker_phone": self.worker_phone,
            "trained": self.trained,
        }
        show_refusal(self, self.error, fields, exc)
