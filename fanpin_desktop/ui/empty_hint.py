"""What an empty page shows above its (empty) list: one line saying what to do next and buttons
that do it (导入户籍名册, 打开设置向导, 新建排查批次 …).

A page builds one ``EmptyHint``, adds its buttons and calls ``set_empty(bool)`` after each reload.
Buttons that belong to the main window (the import wizard, the setup wizard, another page) go
through ``window_call``: the page does not know the window, and a page shown on its own (a test,
a benchmark) simply has no such button action.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from fanpin_desktop.ui.widgets import icon

log = logging.getLogger(__name__)


def window_call(widget: QWidget, method: str, *args: Any) -> Callable[[], None]:
    """A slot calling ``method`` on the widget's main window (``import_roster``,
    ``open_setup_wizard``, ``show_page`` …) when it is clicked; nothing when the page has no
    such window (logged)."""

    def call() -> None:
        window = widget.window()
        target = getattr(window, method, None)
        if target is None:
            log.info("empty hint: the window has no %s", method)
            return
        target(*args)

    return call


class EmptyHint(QFrame):
    """A light-blue band: a bold line, an optional explanation, and buttons."""

    def __init__(self, title: str, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyHint")
        self.setStyleSheet(
            "#emptyHint { background: #e8f0fe; border: 1px solid #aecbfa; border-radius: 4px; }"
            "#emptyHint QLabel { background: transparent; }"
        )
        self.title = QLabel(title)
        self.title.setStyleSheet("font-weight: bold; color: #174ea6;")
        self.title.setWordWrap(True)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setStyleSheet("color: #3c4043;")
        self.text.setVisible(bool(text))
        self.buttons: dict[str, QPushButton] = {}
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 4, 0, 0)
        self._row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addLayout(self._row)
        self.setVisible(False)

    def add_button(
        self,
        text: str,
        slot: Callable[[], object],
        icon_name: str | None = None,
        tooltip: str = "",
    ) -> QPushButton:
        button = QPushButton(icon(icon_name) if icon_name else icon("fa5s.arrow-right"), text)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        if tooltip:
            button.setToolTip(tooltip)
        button.clicked.connect(lambda _checked=False: slot())
        self._row.insertWidget(self._row.count() - 1, button)
        self.buttons[text] = button
        return button

    def set_text(self, title: str, text: str = "") -> None:
        self.title.setText(title)
        self.text.setText(text)
        self.text.setVisible(bool(text))

    def set_empty(self, empty: bool) -> None:
        """Shown while the page has nothing to list; hidden once it has."""
        self.setVisible(empty)

    @property
    def shown(self) -> bool:
        """Whether the page shows the hint (independent of the page being on screen)."""
        return not self.isHidden()
