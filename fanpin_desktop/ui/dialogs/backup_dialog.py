"""Choosing a backup to restore: the list of backups, or any other file the clerk picks.

The dialog only chooses; the main window checks and restores the file through the backup service
on the task runner.
"""

from __future__ import annotations

from pathlib import Path

import qtawesome as qta
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.paths import DataPaths
from fanpin_desktop.services import backup as backups
from fanpin_desktop.ui.errors import open_path
from fanpin_desktop.ui.geometry import fit_to_screen

ROLE_PATH = Qt.ItemDataRole.UserRole


def size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{max(n // 1024, 1)} KB"


class BackupDialog(QDialog):
    """从备份恢复: pick a backup (newest first) or another file; ``selected_file()`` after exec."""

    def __init__(self, paths: DataPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self._chosen: Path | None = None
        self.setWindowTitle("从备份恢复")
        fit_to_screen(self, "backup", (680, 420))

        intro = QLabel(
            "选择要恢复的备份。恢复会用备份替换当前数据库；当前数据库会先另存到备份文件夹"
            "（类型为“恢复前的数据库”），需要时可以再恢复回来。"
        )
        intro.setWordWrap(True)

        self.list = QTreeWidget()
        self.list.setRootIsDecorated(False)
        self.list.setHeaderLabels(["备份时间", "类型", "大小", "文件名"])
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAlternatingRowColors(True)
        header = self.list.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.itemDoubleClicked.connect(lambda *_: self.restore_selected())

        self.empty = QLabel("备份文件夹中还没有备份。")
        self.empty.setStyleSheet("color: #5f6368;")

        self.restore_button = QPushButton(qta.icon("fa5s.undo"), "恢复所选备份")
        self.other_button = QPushButton(qta.icon("fa5s.file-alt"), "选择其他文件…")
        self.folder_button = QPushButton(qta.icon("fa5s.folder-open"), "打开备份文件夹")
        self.cancel_button = QPushButton("取消")
        self.restore_button.setDefault(True)
        self.restore_button.clicked.connect(self.restore_selected)
        self.other_button.clicked.connect(self.choose_other)
        self.folder_button.clicked.connect(lambda: open_path(self.paths.backups))
        self.cancel_button.clicked.connect(self.reject)

        buttons = QHBoxLayout()
        buttons.addWidget(self.other_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        found = backups.list_backups(self.paths)
        for b in found:
            item = QTreeWidgetItem(
                [f"{b.created:%Y-%m-%d %H:%M:%S}", b.label, size_text(b.size), b.path.name]
            )
            item.setData(0, ROLE_PATH, str(b.path))
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(3, str(b.path))
            self.list.addTopLevelItem(item)
        self.empty.setVisible(not found)
        if found:
            self.list.setCurrentItem(self.list.topLevelItem(0))
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(bool(self.list.selectedItems()))

    def selected_file(self) -> Path | None:
        return self._chosen

    def restore_selected(self) -> None:
        items = self.list.selectedItems()
        if items:
            self._chosen = Path(items[0].data(0, ROLE_PATH))
            self.accept()

    def choose_other(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "选择备份文件", str(self.paths.backups), "数据库备份 (*.sqlite3 *.db);;所有文件 (*)"
        )
        if name:
            self._chosen = Path(name)
            self.accept()
