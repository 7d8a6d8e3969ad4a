"""Windows that fit the screen, and remember how the clerk left them.

A township PC usually has a 1366×768 screen (1366×728 above the task bar). Every top-level
window and dialog calls :func:`fit_to_screen` once it is built: it opens at its preferred size,
or the size the clerk last left it at, never larger than the screen's available area (less the
window frame), and remembers its size and its splitters' positions in the window's QSettings.
Every list calls :func:`remember_columns`: its column widths and order are kept per user, and a
cell whose text does not fit shows the whole text as a tooltip.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QObject, QPoint, QRect, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QHelpEvent
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QSplitter, QTableView, QToolTip, QWidget

#: what a window manager adds around a window's contents (title bar, borders)
FRAME = QSize(16, 40)
#: kept free around a window that is not maximised
MARGIN = 8


def available_geometry(widget: QWidget | None = None) -> QRect:
    """The available area (without the task bar) of the screen ``widget`` is on, or of the
    primary screen. Tests replace this function to pretend a 1366×728 screen."""
    screen = None
    if widget is not None:
        parent = widget.parentWidget()
        screen = (parent.window() if parent is not None else widget).screen()
    if screen is None:
        screen = QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 728)


def usable_size(widget: QWidget | None = None) -> QSize:
    """The largest contents size a window can have and still fit on its screen, frame included."""
    area = available_geometry(widget)
    return QSize(
        max(area.width() - FRAME.width() - 2 * MARGIN, 320),
        max(area.height() - FRAME.height() - MARGIN, 240),
    )


def settings_for(widget: QWidget | None) -> QSettings:
    """The QSettings of the window ``widget`` belongs to (``window.qsettings``), reached through
    its parents; the application's settings when none has one."""
    w = widget
    while w is not None:
        found = getattr(w, "qsettings", None)
        if isinstance(found, QSettings):
            return found
        w = w.parentWidget()
    from fanpin_desktop.ui.main_window import app_settings

    return app_settings()


def _bounded(size: QSize, widget: QWidget) -> QSize:
    limit = usable_size(widget)
    minimum = widget.minimumSize().expandedTo(widget.minimumSizeHint())
    return size.boundedTo(limit).expandedTo(minimum.boundedTo(limit))


def fit_to_screen(dialog: QWidget, name: str, preferred: QSize | tuple[int, int] | None = None) -> None:
    """Open ``dialog`` at ``preferred`` size (its size hint when None) or at the size it was last
    closed at, bounded by the screen; its splitters come back where they were left. Call it in the
    constructor (the size is applied again when the dialog is first shown, its layout complete);
    what it remembers is saved when the dialog is hidden. ``name`` keys the QSettings entries."""
    if isinstance(preferred, tuple):
        preferred = QSize(*preferred)
    memory = _WindowMemory(dialog, name, preferred)
    dialog._window_memory = memory  # type: ignore[attr-defined] - kept alive with the dialog
    memory.apply_size()
    dialog.installEventFilter(memory)


class _WindowMemory(QObject):
    """Restores and saves one dialog's size and splitters (an event filter on the dialog)."""

    def __init__(self, dialog: QWidget, name: str, preferred: QSize | None) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.name = name
        self.preferred = preferred
        self.shown = False

    def _key(self, what: str) -> str:
        return f"dialogs/{self.name}/{what}"

    def apply_size(self) -> None:
        settings = settings_for(self.dialog)
        saved = settings.value(self._key("size"))
        size = saved if isinstance(saved, QSize) and saved.isValid() else None
        if size is None:
            size = self.preferred if self.preferred is not None else self.dialog.sizeHint()
            if self.preferred is not None and self.preferred.height() <= 0:
                size = QSize(self.preferred.width(), self.dialog.sizeHint().height())
        self.dialog.resize(_bounded(size, self.dialog))

    def restore(self) -> None:
        self.apply_size()  # the parent (and so the screen) is known for certain now
        restore_splitters(self.dialog, settings_for(self.dialog), self._key("splitter"))
        centre_on_parent(self.dialog)

    def save(self) -> None:
        settings = settings_for(self.dialog)
        settings.setValue(self._key("size"), self.dialog.size())
        save_splitters(self.dialog, settings, self._key("splitter"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # While a dialog whose Python side was already collected is destroyed, Qt may still call
        # this filter through a fresh wrapper without attributes: nothing to remember then.
        if watched is getattr(self, "dialog", None):
            if event.type() == QEvent.Type.Show and not self.shown:
                self.shown = True
                self.restore()
            elif event.type() == QEvent.Type.Hide and self.shown and not event.spontaneous():
                self.save()
        return False


def _splitter_keys(widget: QWidget, prefix: str) -> list[tuple[str, QSplitter]]:
    return [
        (f"{prefix}/{splitter.objectName() or i}", splitter)
        for i, splitter in enumerate(widget.findChildren(QSplitter))
    ]


def restore_splitters(widget: QWidget, settings: QSettings, prefix: str) -> None:
    """Put ``widget``'s splitters back where :func:`save_splitters` found them."""
    for key, splitter in _splitter_keys(widget, prefix):
        state = settings.value(key)
        if isinstance(state, QByteArray) and not state.isEmpty():
            splitter.restoreState(state)


def save_splitters(widget: QWidget, settings: QSettings, prefix: str) -> None:
    for key, splitter in _splitter_keys(widget, prefix):
        settings.setValue(key, splitter.saveState())


def centre_on_parent(dialog: QWidget) -> None:
    """Centre a top-level ``dialog`` on its parent window (on the screen without one), kept inside
    the screen's available area."""
    area = available_geometry(dialog)
    parent = dialog.parentWidget()
    centre = parent.window().frameGeometry().center() if parent is not None else area.center()
    frame = dialog.frameGeometry()
    extra = QSize(frame.width() - dialog.width(), frame.height() - dialog.height())
    width = dialog.width() + max(extra.width(), 0)
    height = dialog.height() + max(extra.height(), 0)
    x = min(max(centre.x() - width // 2, area.left()), max(area.right() - width + 1, area.left()))
    y = min(max(centre.y() - height // 2, area.top()), max(area.bottom() - height + 1, area.top()))
    dialog.move(QPoint(x, y))


def fit_main_window(window: QWidget, preferred: QSize, restored: bool) -> None:
    """The main window: ``preferred`` size centred on the screen unless a saved geometry was
    ``restored``; either way no larger than the screen (a geometry saved on a larger screen, or
    the first start on a small one, opens maximised)."""
    limit = usable_size(window)
    area = available_geometry(window)
    if restored and window.width() <= limit.width() and window.height() <= limit.height():
        if area.intersects(window.frameGeometry()):
            return
    too_big = preferred.width() > limit.width() or preferred.height() > limit.height()
    window.resize(preferred.boundedTo(limit))
    window.move(area.center() - QPoint(window.width() // 2, window.height() // 2 + FRAME.height() // 2))
    window.move(max(window.x(), area.left()), max(window.y(), area.top()))
    if too_big or (restored and (window.width() > limit.width() or window.height() > limit.height())):
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


# ---------------------------------------------------------------------- lists


def remember_columns(view: QTableView, name: str | None = None) -> None:
    """Keep the list's column widths and order per user (in the window's QSettings, under
    ``name``, by default one derived from its column titles) and show a cell's whole text as a
    tooltip when the column is too narrow for it."""
    memory = _ColumnMemory(view, name)
    view._column_memory = memory  # type: ignore[attr-defined]
    view.installEventFilter(memory)
    view.viewport().installEventFilter(memory)


def _headers(view: QTableView) -> list[str]:
    model = view.model()
    if model is None:
        return []
    return [
        str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
        for c in range(model.columnCount())
    ]


def table_key(view: QTableView, name: str | None = None) -> str:
    """The QSettings key of a list's columns: its name, or a digest of its column titles."""
    if name:
        return f"tables/{name}"
    digest = hashlib.sha1("\x1f".join(_headers(view)).encode("utf-8")).hexdigest()[:12]
    return f"tables/{digest}"


class _ColumnMemory(QObject):
    SAVE_DELAY_MS = 400

    def __init__(self, view: QTableView, name: str | None) -> None:
        super().__init__(view)
        self.view = view
        self.name = name
        self.restored = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.SAVE_DELAY_MS)
        self._timer.timeout.connect(self.save)

    def key(self) -> str:
        return table_key(self.view, self.name)

    def restore(self) -> None:
        self.restored = True
        header = self.view.horizontalHeader()
        headers = _headers(self.view)
        try:
            state: Any = json.loads(str(settings_for(self.view).value(self.key(), "") or "{}"))
        except ValueError:
            state = {}
        if isinstance(state, dict) and state.get("headers") == headers:
            widths = state.get("widths") or []
            order = state.get("order") or []
            for logical, width in enumerate(widths[: len(headers)]):
                if int(width) > 0:
                    header.resizeSection(logical, int(width))
            if sorted(int(x) for x in order) == list(range(len(headers))):
                for visual, logical in enumerate(int(x) for x in order):
                    current = header.visualIndex(logical)
                    if current != visual:
                        header.moveSection(current, visual)
        header.sectionResized.connect(lambda *_: self._timer.start())
        header.sectionMoved.connect(lambda *_: self._timer.start())

    def save(self) -> None:
        header = self.view.horizontalHeader()
        headers = _headers(self.view)
        if not headers:
            return
        state = {
            "headers": headers,
            "widths": [header.sectionSize(c) for c in range(len(headers))],
            "order": [header.logicalIndex(v) for v in range(len(headers))],
        }
        settings_for(self.view).setValue(self.key(), json.dumps(state, ensure_ascii=False))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is getattr(self, "view", None):  # see _WindowMemory.eventFilter
            if event.type() == QEvent.Type.Show and not self.restored:
                self.restore()
            elif event.type() == QEvent.Type.Hide and self._timer.isActive():
                self._timer.stop()
                self.save()
        elif event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            return self._elided_tooltip(event)
        return False

    def _elided_tooltip(self, event: QHelpEvent) -> bool:
        """The model's own tooltip wins; otherwise a cell whose text is wider than its column
        shows the whole text."""
        index = self.view.indexAt(event.pos())
        if not index.isValid() or index.data(Qt.ItemDataRole.ToolTipRole):
            return False
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not isinstance(text, str) or not text:
            return False
        if cell_text_elided(self.view, index, text):
            QToolTip.showText(event.globalPos(), text, self.view.viewport(), self.view.visualRect(index))
            return True
        return False


def cell_text_elided(view: QAbstractItemView, index: Any, text: str) -> bool:
    """True when ``text`` does not fit the cell at ``index`` on one line (or wrapped, the lines
    it has)."""
    rect = view.visualRect(index)
    metrics = view.fontMetrics()
    if isinstance(view, QTableView) and view.wordWrap():
        needed = metrics.boundingRect(
            QRect(0, 0, max(rect.width() - 8, 1), 100_000), int(Qt.TextFlag.TextWordWrap), text
        )
        return needed.height() > rect.height() or needed.width() > rect.width()
    return metrics.horizontalAdvance(text) + 10 > rect.width()


def show_whole_items(*combos: QComboBox) -> None:
    """Filter boxes as wide as their longest item ("全部监测状态", not "全部监测状")."""
    for combo in combos:
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        def fit(box: QComboBox = combo) -> None:
            # Qt's hint leaves some fonts a pixel or two short of the widest item: a little more
            box.setMinimumWidth(0)
            box.setMinimumWidth(box.sizeHint().width() + 6)

        model = combo.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset, model.dataChanged):
            signal.connect(lambda *_a, f=fit: f())
        fit()


def wrap_rows(view: QTableView, max_lines: int = 4) -> None:
    """Long cells wrap onto more lines instead of being cut off: each row is as tall as its
    longest cell (at most ``max_lines`` lines; the tooltip has the rest), fitted again whenever the
    rows or the column widths change."""
    view.setWordWrap(True)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    fitter = _RowFitter(view, max_lines)
    view._row_fitter = fitter  # type: ignore[attr-defined]


class _RowFitter(QObject):
    def __init__(self, view: QTableView, max_lines: int) -> None:
        super().__init__(view)
        self.view = view
        self.max_lines = max_lines
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        model = view.model()
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted, model.dataChanged):
            signal.connect(lambda *_: self._timer.start())
        view.horizontalHeader().sectionResized.connect(lambda *_: self._timer.start())
        self.fit()

    def fit(self) -> None:
        view = self.view
        line = view.fontMetrics().lineSpacing()
        tallest = line * self.max_lines + 8
        view.resizeRowsToContents()
        header = view.verticalHeader()
        for row in range(view.model().rowCount()):
            if header.sectionSize(row) > tallest:
                header.resizeSection(row, tallest)
