"""附件2 村级排查表: one record per village, free text per column of the official table."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.domain import appendix_layouts as layouts
from fanpin_desktop.services import screening
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.operations import screening as screening_ops
from fanpin_desktop.ui.tasks import Task
from fanpin_desktop.ui.widgets import icon

log = logging.getLogger(__name__)


class VillageTab(QWidget):
    """Villages on the left (✓ once something is filled), the appendix 2 columns on the right."""

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self._campaign_id: int | None = None
        self._village_id: int | None = None
        self._loaded: dict[str, str] = {}
        self.villages = QListWidget()
        self.villages.setMaximumWidth(200)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight:bold; font-size:11pt")
        self.fields: dict[str, QPlainTextEdit] = {}
        self.form_widget = QWidget()
        self.form = QVBoxLayout(self.form_widget)
        self.form.setSpacing(2)
        self.save_button = QPushButton(icon("fa5s.save"), "保存（Ctrl+S）")
        self.message = QLabel()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form_widget)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.title)
        rl.addWidget(scroll, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.save_button)
        rl.addLayout(bottom)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.villages)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([180, 900])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.villages.currentRowChanged.connect(lambda _r: self._village_chosen())
        self.save_button.clicked.connect(lambda: self.save())
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)

    def _build_fields(self, layout: layouts.Layout) -> None:
        self.fields = {}
        for n, key in enumerate(screening.VILLAGE_FIELDS, 1):
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(52)
            label = QLabel(f"{n}. {layout.column(key).label}")
            label.setWordWrap(True)
            label.setStyleSheet("font-weight:bold; color:#374151; margin-top:6px")
            label.setBuddy(edit)
            self.form.addWidget(label)
            self.form.addWidget(edit)
            self.fields[key] = edit
        self.form.addStretch(1)

    def set_scope(self, campaign_id: int | None, village_id: int | None) -> None:
        self._campaign_id = campaign_id
        self.refresh(village_id)

    def refresh(self, village_id: int | None = None) -> None:
        if self._campaign_id is None:
            return
        if self._village_id is not None and self.fields and self.is_dirty():
            # reloading must not drop what was typed: reload once it is saved
            typed = self.texts()

            def saved(_result: object) -> None:
                self._loaded = typed
                self._reload(village_id)

            self._write(self._village_id, typed, saved)
            return
        self._reload(village_id)

    def _reload(self, village_id: int | None) -> None:
        if self._campaign_id is None:
            return
        sheet = self.ops.read(screening.appendix2_sheet, self._campaign_id)
        if not self.fields:
            self._build_fields(sheet.layout)
        rows = sheet.rows
        wanted = village_id if village_id is not None else self._village_id
        self.villages.blockSignals(True)
        self.villages.clear()
        for row in rows:
            filled = any(row.get(k) for k in screening.VILLAGE_FIELDS)
            item = QListWidgetItem(("✓ " if filled else "　 ") + row["village"])
            item.setData(Qt.ItemDataRole.UserRole, row["village_id"])
            item.setToolTip("已填写" if filled else "未填写")
            self.villages.addItem(item)
        self.villages.blockSignals(False)
        ids = [r["village_id"] for r in rows]
        self.villages.setCurrentRow(ids.index(wanted) if wanted in ids else 0 if ids else -1)
        self._village_chosen()

    def _village_chosen(self) -> None:
        item = self.villages.currentItem()
        if item is None or self._campaign_id is None:
            return
        vid = int(item.data(Qt.ItemDataRole.UserRole))
        previous = self._village_id
        # typed text is never lost by switching villages: saved for the village it was typed for
        typed = self.texts() if previous not in (None, vid) and self.fields and self.is_dirty() else None
        self._village_id = vid
        self.title.setText(f"村级排查表：{item.text().lstrip('✓　 ').strip()}")
        texts = self.ops.read(screening.load_village_screening, self._campaign_id, vid)
        for key, edit in self.fields.items():
            edit.setPlainText(texts.get(key, ""))
        self._loaded = self.texts()
        self.message.setText("")
        if typed is not None and previous is not None:
            self._write(previous, typed, lambda _r, kept=previous: self._kept(kept))

    def _kept(self, village_id: int) -> None:
        for i in range(self.villages.count()):
            other = self.villages.item(i)
            if other.data(Qt.ItemDataRole.UserRole) == village_id:
                other.setText("✓ " + other.text().lstrip("✓　 ").strip())
        self.message.setText("<span style='color:#1e6b34'>上一个村填写的内容已自动保存。</span>")

    def texts(self) -> dict[str, str]:
        return {k: e.toPlainText().strip() for k, e in self.fields.items()}

    def is_dirty(self) -> bool:
        return self.texts() != self._loaded

    def _write(self, village_id: int, texts: dict[str, str], success: Callable[[Any], None]) -> Task | None:
        if self._campaign_id is None:
            return None
        return screening_ops.save_village_screening(
            self.ops, self._campaign_id, village_id, texts, parent=self, success=success, origin=self
        )

    def save(self) -> Task | None:
        """Save the village's texts; the list ticks it and says so once it is saved."""
        if self._village_id is None or self._campaign_id is None:
            return None
        vid, typed = self._village_id, self.texts()

        def saved(_result: object) -> None:
            self._loaded = typed
            self._reload(vid)
            self.message.setText("<span style='color:#1e6b34'>已保存。</span>")

        return self._write(vid, typed, saved)
