"""The one remembered choice "隐藏身份证号中间位" offered wherever an internal sheet with full ID
numbers is printed or exported (附件4, the roster, the batch-printed case sheets).

The choice is the township setting ``mask_ids_outgoing`` (系统设置 shows it too): every checkbox
and menu action starts from it and writes back what the clerk ticked, so the next print starts
the same way. The national-system export is never masked (that system needs full numbers).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QMenu, QWidget

from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services.accounts import can
from fanpin_desktop.ui.operations import SETTINGS, Operations

MASK_LABEL = "隐藏身份证号中间位"
MASK_TIP = (
    "勾选后，打印或导出的身份证号只保留前6位和后4位（如 341523********1234），"
    "用于带出办公室或报送的副本；此选择会被记住（系统设置中也可修改）。"
    "导出到全国系统的文件始终是完整号码。"
)
NATIONAL_NOTE = "导出到全国系统的文件始终包含完整身份证号（全国系统需要），不受“隐藏身份证号中间位”设置影响。"


def mask_setting(ops: Operations) -> bool:
    """The remembered choice."""
    return bool(ops.read(settings_service.load).mask_ids_outgoing)


def remember_mask(ops: Operations, on: bool) -> None:
    """Store the choice (nothing is written when it did not change). A 查看 account or a read-only
    window uses the choice for this print only: they may print, not change settings."""
    if ops.read_only or not can(ops.role, "write"):
        return
    if bool(on) != mask_setting(ops):
        ops.write(
            lambda s: settings_service.update(s, mask_ids_outgoing=bool(on)),
            SETTINGS,
            label="正在保存设置…",
        )


class MaskIdsCheckBox(QCheckBox):
    """A checkbox showing the remembered choice (read again whenever it is shown) and storing
    every change of it."""

    def __init__(self, ops: Operations, parent: QWidget | None = None, label: str = MASK_LABEL) -> None:
        super().__init__(label, parent)
        self._ops = ops
        self.setToolTip(MASK_TIP)
        self.reload()
        self.toggled.connect(lambda on: remember_mask(self._ops, on))

    def reload(self) -> None:
        self.blockSignals(True)
        try:
            self.setChecked(mask_setting(self._ops))
        finally:
            self.blockSignals(False)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.reload()
        super().showEvent(event)


def add_mask_action(menu: QMenu, ops: Operations, label: str = MASK_LABEL) -> QAction:
    """A checkable menu entry with the remembered choice, for menus refilled when shown."""
    action = menu.addAction(label)
    action.setCheckable(True)
    action.setChecked(mask_setting(ops))
    action.setToolTip(MASK_TIP)
    action.toggled.connect(lambda on: remember_mask(ops, on))
    return action
