"""Showing failures to the clerk: a plain warning for user errors, the log file for bugs.

``show_error(exc)`` is where ``ui/operations`` routes every failure (and what ``TaskRunner`` calls by default);
``install_excepthook()`` makes exceptions escaping a Qt slot take the same route.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from fanpin_desktop.domain.ids import redact
from fanpin_desktop.errors import UserError
from fanpin_desktop.logging_setup import current_log_file

log = logging.getLogger(__name__)

BUG_TITLE = "程序出现错误"
_showing = False  # a bug inside the error dialog must not open dialogs forever


def open_path(path: Path) -> bool:
    """Open a file or folder with the system's default program."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _active_window(parent: QWidget | None) -> QWidget | None:
    return parent if parent is not None else QApplication.activeWindow()


def show_user_error(message: str, parent: QWidget | None = None, title: str = "提示") -> None:
    QMessageBox.warning(_active_window(parent), title, message)


def show_bug(exc: BaseException, parent: QWidget | None = None) -> None:
    """The "程序出现错误" dialog, offering to open the log file or its folder."""
    log_file = current_log_file()
    box = QMessageBox(_active_window(parent))
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(BUG_TITLE)
    box.setText("程序出现错误，刚才的操作没有完成。")
    info = "错误的详细信息已记录在日志文件中。如果问题反复出现，请把日志文件发给技术人员。"
    if log_file is not None:
        info += f"\n\n日志文件：{log_file}"
    box.setInformativeText(info)
    # the clerk may send a screenshot of this: no full ID numbers in it either
    box.setDetailedText(redact("".join(traceback.format_exception_only(type(exc), exc)).strip()))
    open_file = open_folder = None
    if log_file is not None:
        open_file = box.addButton("打开日志文件", QMessageBox.ButtonRole.ActionRole)
        open_folder = box.addButton("打开日志文件夹", QMessageBox.ButtonRole.ActionRole)
    box.addButton("关闭", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    if log_file is not None and clicked is open_file:
        open_path(log_file)
    elif log_file is not None and clicked is open_folder:
        open_path(log_file.parent)


_collected: list[BaseException] | None = None


@contextlib.contextmanager
def collecting() -> Iterator[list[BaseException]]:
    """No dialogs: errors are logged and gathered instead (the headless smoke test uses this)."""
    global _collected
    previous, _collected = _collected, []
    try:
        yield _collected
    finally:
        _collected = previous


def show_error(exc: BaseException, parent: QWidget | None = None) -> None:
    """Route one exception: ``UserError`` → its Chinese message; anything else → logged bug."""
    global _showing
    if _collected is not None:
        log.error("error while running headless", exc_info=(type(exc), exc, exc.__traceback__))
        _collected.append(exc)
        return
    if isinstance(exc, UserError):
        log.info("user error shown: %s", exc)
        show_user_error(str(exc), parent)
        return
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    if _showing:
        return
    _showing = True
    try:
        show_bug(exc, parent)
    finally:
        _showing = False


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """``sys.excepthook`` for the window: exceptions escaping Qt slots end up here."""
    if issubclass(exc_type, KeyboardInterrupt):
        QApplication.quit()
        return
    if exc.__traceback__ is None and tb is not None:
        exc = exc.with_traceback(tb)
    if QApplication.instance() is None:
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        return
    try:
        show_error(exc)
    except Exception:  # noqa: BLE001 - last line of defence: never raise from the hook
        log.critical("error while showing an error", exc_info=True)
        sys.__excepthook__(exc_type, exc, tb)


def install_excepthook() -> None:
    from fanpin_desktop.logging_setup import install_excepthook as install

    install(excepthook)
