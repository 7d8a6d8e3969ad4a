"""What every sidebar page has: the window's operations and a refresh driven by change notices.

The main window hands every operation's :class:`Changes` to every built page
(``on_changes``). A page lists the kinds of records it shows in ``SHOWS``; when one of them
changed, a visible page refreshes at once and a hidden one when it is next shown. A page that
updates itself after its own write (``origin is self``) overrides ``on_changes``.
"""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from fanpin_desktop.ui.operations import Changes, Operations


class Page(QWidget):
    #: the kinds of change (``Changes`` field names) that alter what this page shows
    SHOWS: tuple[str, ...] = ()

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.stale = False

    def on_changes(self, changes: Changes, origin: object | None) -> None:
        if not changes.touches(*self.SHOWS):
            return
        if self.isVisible():
            self.stale = False
            self.refresh()
        else:
            self.stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.refresh_if_stale()

    def refresh_if_stale(self) -> None:
        """Reload once what changed while the page was hidden (on show; the main window also calls
        it when the sidebar switches to the page, which a window not on screen never shows)."""
        if self.stale:
            self.stale = False
            self.refresh()

    def refresh(self) -> None:
        """Reload what the page shows from the database."""
