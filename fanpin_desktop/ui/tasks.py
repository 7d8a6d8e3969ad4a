"""The one way to run long work: off the GUI thread, one task at a time, results by signal.

``TaskRunner.run(fn, on_done, on_error)`` calls ``fn(control)`` on a single worker thread (SQLite
has one writer, so database work never runs in parallel). ``control`` is a ``TaskControl``:
``control.cancelled`` is the cooperative cancel flag, ``control.check()`` raises ``TaskCancelled``
once the clerk has pressed 取消, and ``control.report(done, total, text)`` moves the progress bar
(it also checks for cancellation, so services that take a ``progress`` callback can be stopped by
passing ``control`` as that callback).

The result or the exception comes back to the GUI thread through a queued signal, and
``on_done(result)`` / ``on_error(exc)`` run there. A progress dialog appears only when the work
lasts longer than ``SHOW_AFTER_MS``. ``TaskRunner(synchronous=True)`` runs everything at once in
the calling thread, which is what tests use.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)

SHOW_AFTER_MS = 500


class TaskCancelled(Exception):
    """Raised inside a task when the clerk cancelled it."""


class TaskControl:
    """Handed to every task function: cancel flag and progress reporting, safe from any thread."""

    def __init__(self, on_progress: Callable[[int, int, str], None] | None = None) -> None:
        self._cancel = threading.Event()
        self._on_progress = on_progress

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise TaskCancelled()

    def report(self, done: int | None = None, total: int | None = None, text: str | None = None) -> None:
        """Progress: ``done`` of ``total`` (total 0 or None = unknown), with an optional label."""
        self.check()
        if self._on_progress is not None:
            self._on_progress(int(done or 0), int(total or 0), text or "")

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        """So that ``progress=control`` works for services expecting a progress callback."""
        if args and isinstance(args[0], str):
            self.report(text=args[0])
        else:
            self.report(*args, **kwargs)


@dataclass(eq=False)
class Task:
    id: int
    label: str
    fn: Callable[[TaskControl], Any]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    on_cancelled: Callable[[], None] | None
    show_progress: bool
    cancellable: bool
    control: TaskControl = field(default_factory=TaskControl)
    finished: bool = False
    dialog: QProgressDialog | None = None
    last_progress: tuple[int, int, str] = (0, 0, "")


class TaskRunner(QObject):
    """Runs tasks on one worker thread and hands results back to the GUI thread."""

    task_started = Signal(str)
    task_finished = Signal(str)  # after on_done / on_error / on_cancelled ran
    _result_ready = Signal(object, object)
    _error_raised = Signal(object, object)
    _progressed = Signal(object, int, int, str)

    def __init__(
        self,
        parent: QObject | None = None,
        synchronous: bool = False,
        show_after_ms: int = SHOW_AFTER_MS,
    ) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self.show_after_ms = show_after_ms
        self._ids = itertools.count(1)
        self._running: dict[int, Task] = {}
        self._executor: ThreadPoolExecutor | None = None
        if not synchronous:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fanpin-task")
        queued = Qt.ConnectionType.QueuedConnection
        self._result_ready.connect(self._deliver_result, queued)
        self._error_raised.connect(self._deliver_error, queued)
        self._progressed.connect(self._show_progress, queued)

    # ------------------------------------------------------------------ public API

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def run(
        self,
        fn: Callable[[TaskControl], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        progress: bool = True,
        label: str = "正在处理，请稍候…",
        cancellable: bool = True,
        on_cancelled: Callable[[], None] | None = None,
    ) -> Task:
        task = Task(next(self._ids), label, fn, on_done, on_error, on_cancelled, progress, cancellable)
        task.control = TaskControl(lambda d, t, s, task=task: self._progressed.emit(task, d, t, s))
        self.task_started.emit(label)
        if self.synchronous:
            task.control = TaskControl()
            self._run_now(task)
            return task
        self._running[task.id] = task
        if progress:
            QTimer.singleShot(self.show_after_ms, self, lambda: self._open_dialog(task))
        assert self._executor is not None
        self._executor.submit(self._work, task)
        return task

    def cancel_all(self) -> None:
        for task in list(self._running.values()):
            task.control.cancel()

    def shutdown(self, wait: bool = True) -> None:
        """Cancel what is running and stop the worker (called when the window closes)."""
        self.cancel_all()
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=True)
            self._executor = None

    # ------------------------------------------------------------------ worker side

    def _work(self, task: Task) -> None:
        try:
            result = task.fn(task.control)
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the GUI thread
            self._error_raised.emit(task, exc)
        else:
            self._result_ready.emit(task, result)

    # ------------------------------------------------------------------ GUI side

    def _run_now(self, task: Task) -> None:
        try:
            result = task.fn(task.control)
        except BaseException as exc:  # noqa: BLE001
            self._deliver_error(task, exc)
        else:
            self._deliver_result(task, result)

    def _finish(self, task: Task) -> None:
        task.finished = True
        self._running.pop(task.id, None)
        if task.dialog is not None:
            task.dialog.close()
            task.dialog.deleteLater()
            task.dialog = None

    @Slot(object, object)
    def _deliver_result(self, task: Task, result: Any) -> None:
        self._finish(task)
        try:
            if task.on_done is not None:
                task.on_done(result)
        finally:
            self.task_finished.emit(task.label)

    @Slot(object, object)
    def _deliver_error(self, task: Task, exc: BaseException) -> None:
        self._finish(task)
        try:
            if isinstance(exc, TaskCancelled):
                log.info("task cancelled: %s", task.label)
                if task.on_cancelled is not None:
                    task.on_cancelled()
            elif task.on_error is not None:
                task.on_error(exc)
            else:
                from fanpin_desktop.ui.errors import show_error

                show_error(exc, self._parent_widget())
        finally:
            self.task_finished.emit(task.label)

    def _parent_widget(self) -> QWidget | None:
        parent = self.parent()
        return parent if isinstance(parent, QWidget) else None

    def _open_dialog(self, task: Task) -> None:
        if task.finished or task.dialog is not None:
            return
        dialog = QProgressDialog(task.label, "取消" if task.cancellable else "", 0, 0, self._parent_widget())
        dialog.setWindowTitle("请稍候")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.setMinimumWidth(360)
        if not task.cancellable:
            dialog.setCancelButton(None)

        def cancel() -> None:
            task.control.cancel()
            dialog.setLabelText("正在取消，请稍候…")

        dialog.canceled.connect(cancel)
        task.dialog = dialog
        self._apply_progress(task)
        dialog.show()

    @Slot(object, int, int, str)
    def _show_progress(self, task: Task, done: int, total: int, text: str) -> None:
        task.last_progress = (done, total, text)
        self._apply_progress(task)

    @staticmethod
    def _apply_progress(task: Task) -> None:
        dialog = task.dialog
        if dialog is None or task.control.cancelled:
            return
        done, total, text = task.last_progress
        dialog.setMaximum(max(total, 0))
        if total > 0:
            dialog.setValue(min(done, total))
        if text:
            dialog.setLabelText(f"{task.label}\n{text}")
