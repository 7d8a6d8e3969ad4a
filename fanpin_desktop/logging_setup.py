"""Logging to a rotating file in the data directory, with identity numbers always masked.

Logs are sent along with bug reports, so no full 身份证号码 may reach them: the formatter masks
ID-like numbers in the finished line (message, arguments and traceback alike), and the filter does
the same for any other handler a developer adds. Qt's own messages and uncaught exceptions are
routed into the same file. Nothing here imports Qt at module level.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from fanpin_desktop.domain.ids import redact
from fanpin_desktop.paths import DataPaths

FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
_MARK = "_fanpin_handler"

log = logging.getLogger("fanpin_desktop")


class RedactingFormatter(logging.Formatter):
    """Masks identity numbers in the whole formatted record, traceback included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))

    def formatException(self, ei) -> str:  # noqa: N802 - logging API name
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 - logging API name
        return redact(super().formatStack(stack_info))


class RedactingFilter(logging.Filter):
    """Rewrites the record itself, so even a plain formatter writes masked text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _remove_ours(root: logging.Logger) -> None:
    for handler in list(root.handlers):
        if getattr(handler, _MARK, False):
            root.removeHandler(handler)
            handler.close()


def setup_logging(paths: DataPaths, level: int = logging.INFO, console: bool = False) -> Path:
    """(Re)configure logging into ``paths.log_file``; returns the log file. Safe to call twice."""
    paths.logs.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    _remove_ours(root)
    formatter = RedactingFormatter(FORMAT)
    file_handler = logging.handlers.RotatingFileHandler(
        paths.log_file, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True
    )
    handlers: list[logging.Handler] = [file_handler]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    for handler in handlers:
        setattr(handler, _MARK, True)
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    root.setLevel(level)
    # Alembic announces every plugin and context at INFO; only its problems belong in our log.
    logging.getLogger("alembic").setLevel(max(level, logging.WARNING))
    logging.captureWarnings(True)
    return paths.log_file


def shutdown_logging() -> None:
    """Close our handlers (the log file can then be moved or deleted, e.g. by tests on Windows)."""
    _remove_ours(logging.getLogger())


def current_log_file() -> Path | None:
    for handler in logging.getLogger().handlers:
        if getattr(handler, _MARK, False) and isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None


# --------------------------------------------------------------------------- uncaught exceptions

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def log_uncaught(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log.critical("uncaught exception", exc_info=(exc_type, exc, tb))


def install_excepthook(hook: ExceptHook | None = None) -> None:
    """Route uncaught exceptions (main and worker threads) to ``hook`` (default: log them)."""
    chosen = hook or log_uncaught
    sys.excepthook = chosen

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            log.critical(
                "uncaught exception in thread %s",
                getattr(args.thread, "name", "?"),
                exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
            )

    threading.excepthook = thread_hook


# --------------------------------------------------------------------------- Qt messages


def install_qt_message_handler():  # type: ignore[no-untyped-def]
    """Send qDebug/qWarning/qCritical output to the log instead of a console nobody sees.

    Returns the handler it replaced (tests put it back).
    """
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(mode, context, message: str) -> None:  # type: ignore[no-untyped-def]
        where = f" ({context.file}:{context.line})" if getattr(context, "file", None) else ""
        qt_log.log(levels.get(mode, logging.WARNING), "%s%s", message, where)

    return qInstallMessageHandler(handler)
