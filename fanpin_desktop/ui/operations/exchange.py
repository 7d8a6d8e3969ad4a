"""The national system's batch lists (全国系统数据交换): what is waiting, the export history, the
export itself and marking a batch 已录入系统 (``services/national_export.py``).

An export writes the file and records it in the history (a write with progress, nothing another
page shows changes: ``NOTHING`` is announced). Marking a batch adds the 系统录入 step to each
listed case: ``CASES`` (the household's own status does not change).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fanpin_desktop.services import national_export as ne
from fanpin_desktop.ui.operations import CASES, NOTHING, Handlers, Operations
from fanpin_desktop.ui.tasks import Task, TaskControl

if TYPE_CHECKING:
    from typing_extensions import Unpack


@dataclass(frozen=True)
class Overview:
    """What the dialog shows: the counts waiting for each list, the changes, the history."""

    new: int  # households on the next 新识别 list
    elimination: int  # households on the next 风险消除 list
    changes: list[ne.FieldChange]  # fields changed since each household's last export
    history: list[ne.ExportInfo]  # newest first


def _overview(session: Any) -> Overview:
    return Overview(
        len(ne.pending_cases(session, ne.KIND_NEW)),
        len(ne.pending_cases(session, ne.KIND_ELIMINATION)),
        ne.changes_since_last_export(session),
        ne.history(session),
    )


def load_overview(ops: Operations, **handlers: Unpack[Handlers]) -> Task:
    """The overview read on the task runner (``success(Overview)``): the changes since the last
    export rebuild the rows of every household ever exported, too slow for the window's thread
    once a township has exported thousands."""
    return ops.background(
        lambda session, _control: _overview(session),
        label="正在读取导出记录和变化…",
        cancellable=False,
        **handlers,
    )


def quality_warnings(ops: Operations) -> list[str]:
    return ops.read(ne.quality_warnings)


def export_batch(ops: Operations, kind: str, path: Path, **handlers: Unpack[Handlers]) -> Task:
    """Write the ``kind`` list to ``path`` and record it; ``success(ExportResult)``. Nothing to
    list is a ``UserError`` naming the list (the file is not written)."""

    def work(session: Any, control: TaskControl) -> ne.ExportResult:
        control.report(0, 0, f"正在导出{ne.KIND_LABELS[kind]}清单…")
        return ne.export_batch(session, kind, path)

    return ops.write(work, NOTHING, progress=True, label="正在导出全国系统录入清单…", **handlers)


def mark_entered(ops: Operations, export_id: int, on: dt.date, **handlers: Unpack[Handlers]) -> Task:
    """Mark batch ``export_id`` 已录入系统 on ``on``; ``success(MarkResult)``. A date the step
    checks refuse (before 县级审定, in the future) is a ``UserError`` naming the household."""
    return ops.write(
        lambda s: ne.mark_entered(s, export_id, on), CASES, label="正在标记已录入系统…", **handlers
    )
