"""Every way the UI reaches the database, in one place (Anki's ``aqt/operations`` is the model).

A page or dialog never opens a Session. It calls one of these with a service function:

``ops.read(fn, *args)``
    Runs ``fn(session, *args)`` in a read-only unit of work at once, on the GUI thread, and
    returns its result: what a page shows (a list of rows, one household for an editor).
    Reads are short; a read that may take seconds goes through ``ops.background``.
``ops.write(fn, changes, ...)``
    Runs ``fn(session)`` in one unit of work on the task runner (one database writer), commits,
    and then announces ``changes`` (a :class:`Changes`) to the whole window through
    ``ops.changed``. ``success(result)`` runs on the GUI thread after that.
``ops.background(fn, ...)``
    Runs ``fn(session, control)`` in a read-only unit on the task runner, with progress and
    cancel (exports, printing): nothing is announced.
``ops.with_database(fn, changes, ...)``
    For the few services that manage their own units of work because they are more than one
    (a roster import in its bulk unit, a restore that replaces the file): ``fn(db, control)``.

Failures take one route: a ``UserError`` becomes its Chinese message (or goes to
``user_error(exc)`` when the caller wants to show it in place, e.g. a form that puts the focus on
the field), a cancelled task is quiet, anything else is a bug, logged with its traceback and shown
with the log file. Tests build ``Operations(db, TaskRunner(synchronous=True))``: every write has
finished, and its notice has been sent, when the call returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from fanpin_desktop.db import Database
from fanpin_desktop.errors import UserError
from fanpin_desktop.ui.errors import show_error
from fanpin_desktop.ui.operations.changes import (
    CASES,
    HOUSEHOLDS,
    LEDGER,
    NOTHING,
    SCREENING,
    SETTINGS,
    Changes,
)
from fanpin_desktop.ui.tasks import Task, TaskControl, TaskRunner

__all__ = [
    "CASES",
    "Handlers",
    "HOUSEHOLDS",
    "LEDGER",
    "NOTHING",
    "SCREENING",
    "SETTINGS",
    "Changes",
    "Operations",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

READ_ONLY_MESSAGE = (
    "本窗口以只读方式打开（数据目录正被另一个窗口或命令使用），不能保存修改。"
    "请关闭另一个窗口（或等命令结束）后重新打开本程序再修改。"
)
ChangesFor = Changes | Callable[[Any], Changes]


class Handlers(TypedDict, total=False):
    """What the caller of an operation function says about where its result goes; passed on as
    they are to ``Operations.write`` / ``background`` / ``with_database`` (``**handlers``)."""

    parent: QWidget | None  # the widget a message is shown over
    success: Callable[[Any], None] | None  # runs on the GUI thread with the result
    user_error: Callable[[UserError], None] | None  # shows a refusal in place instead of a box
    origin: object | None  # who made the change (a page may skip its own notices)


class Operations(QObject):
    """The database, the one task runner and the change notice of one window."""

    #: ``(changes, origin)`` after a write committed: ``origin`` is what the caller passed
    #: (usually the page that made the change, so it can skip reloading what it just showed).
    changed = Signal(object, object)

    def __init__(
        self,
        db: Database,
        runner: TaskRunner | None = None,
        parent: QObject | None = None,
        *,
        exports_dir: Path | None = None,
        read_only: bool = False,
        role: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        #: opened while another program holds the data folder: every write is refused
        self.read_only = read_only
        #: the logged-in account's role (issue 14); a 查看 account may not write
        self.role = role
        self.runner = runner if runner is not None else TaskRunner(self)
        #: where exports and printed PDFs go by default (the data folder's exports/)
        self.exports_dir = exports_dir

    # ------------------------------------------------------------------ reads

    def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(session, *args, **kwargs)`` in a read-only unit of work, now."""
        with self.db.reading() as session:
            return fn(session, *args, **kwargs)

    def background(
        self,
        fn: Callable[[Any, TaskControl], T],
        *,
        success: Callable[[T], None] | None = None,
        parent: QWidget | None = None,
        label: str = "正在处理，请稍候…",
        cancellable: bool = True,
        user_error: Callable[[UserError], None] | None = None,
    ) -> Task:
        """``fn(session, control)`` in a read-only unit on the task runner (exports, printing)."""
        db = self.db

        def work(control: TaskControl) -> T:
            with db.reading() as session:
                return fn(session, control)

        return self._run(work, NOTHING, success, parent, label, cancellable, user_error, None)

    # ------------------------------------------------------------------ writes

    def write(
        self,
        fn: Callable[[Any], T],
        changes: ChangesFor,
        *,
        success: Callable[[T], None] | None = None,
        parent: QWidget | None = None,
        label: str = "正在保存…",
        user_error: Callable[[UserError], None] | None = None,
        origin: object | None = None,
        progress: bool = False,
    ) -> Task:
        """``fn(session)`` in one unit of work that commits, then ``changes`` is announced.

        ``changes`` may be a function of the result (an import that saved nothing changed nothing).
        ``progress``: ``fn`` is called as ``fn(session, control)`` and may report progress or be
        cancelled (the unit then rolls back).
        """
        db = self.db

        def work(control: TaskControl) -> T:
            self._refuse_if_read_only()
            with db.unit() as session:
                return fn(session, control) if progress else fn(session)

        return self._run(work, changes, success, parent, label, progress, user_error, origin)

    def with_database(
        self,
        fn: Callable[[Database, TaskControl], T],
        changes: ChangesFor,
        *,
        success: Callable[[T], None] | None = None,
        parent: QWidget | None = None,
        label: str = "正在处理，请稍候…",
        cancellable: bool = True,
        user_error: Callable[[UserError], None] | None = None,
        origin: object | None = None,
    ) -> Task:
        """``fn(db, control)`` on the task runner, for a service that opens its own units of work.
        One that announces changes writes, and is refused when read-only (an import's preview, a
        backup announce nothing)."""
        db = self.db

        def work(control: TaskControl) -> T:
            if changes:
                self._refuse_if_read_only()
            return fn(db, control)

        return self._run(work, changes, success, parent, label, cancellable, user_error, origin)

    def _refuse_if_read_only(self) -> None:
        from fanpin_desktop.services.accounts import VIEWER_READ_ONLY, can

        if not can(self.role, "write"):
            raise UserError(VIEWER_READ_ONLY)
        if self.read_only:
            raise UserError(READ_ONLY_MESSAGE)

    def announce(self, changes: Changes, origin: object | None = None) -> None:
        """Tell every page that ``changes`` happened (a write made outside ``write``, e.g. the
        database replaced by a restore)."""
        if changes:
            log.debug("announcing %s", changes)
            self.changed.emit(changes, origin)

    # ------------------------------------------------------------------ the one route

    def _run(
        self,
        work: Callable[[TaskControl], T],
        changes: ChangesFor,
        success: Callable[[T], None] | None,
        parent: QWidget | None,
        label: str,
        cancellable: bool,
        user_error: Callable[[UserError], None] | None,
        origin: object | None,
    ) -> Task:
        def done(result: T) -> None:
            self.announce(changes(result) if callable(changes) else changes, origin)
            if success is not None:
                success(result)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UserError) and user_error is not None:
                log.info("user error shown in place: %s", exc)
                user_error(exc)
            else:
                show_error(exc, parent)

        return self.runner.run(
            work,
            on_done=done,
            on_error=failed,
            label=label,
            cancellable=cancellable,
            progress=True,
        )
