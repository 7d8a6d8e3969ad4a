"""The data-quality check's operations (数据核查): run every rule in the background, read one
household's or one case's findings, waive a finding (豁免) with its reason or take the waiver
back, and write the problem list (xlsx).

A run only reads; an exemption changes no household or case a page lists, so it announces
nothing (``NOTHING``): the quality page updates the finding itself, the editors read their
findings again when they open or save.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fanpin_desktop.services import quality
from fanpin_desktop.ui.operations import NOTHING, Handlers, Operations
from fanpin_desktop.ui.tasks import Task

if TYPE_CHECKING:
    from typing_extensions import Unpack


def run_all(
    ops: Operations,
    *,
    village_id: int | None = None,
    today: dt.date | None = None,
    **handlers: Unpack[Handlers],
) -> Task:
    """Every rule over every household (or one village's) with progress; ``success(report)``."""
    return ops.background(
        lambda s, control: quality.run_all(s, control, village_id=village_id, today=today),
        label="正在核查数据…",
        success=handlers.get("success"),
        parent=handlers.get("parent"),
        user_error=handlers.get("user_error"),
    )


def household_findings(ops: Operations, household_id: int) -> list[Any]:
    """The findings of one household now (exempt ones included, marked)."""
    return ops.read(quality.household_findings, household_id)


def case_findings(ops: Operations, case_id: int) -> list[Any]:
    """The findings of one monitoring case now (exempt ones included, marked)."""
    return ops.read(quality.case_findings, case_id)


def exempt(ops: Operations, finding: Any, reason: str, **handlers: Unpack[Handlers]) -> Task:
    """Waive ``finding`` (a ``FindingView``) with ``reason``; ``success(exemption id)``. A blank
    reason is refused by the service (a ``ValidationError``)."""
    return ops.write(
        lambda s: int(quality.exempt(s, finding, reason).id), NOTHING, label="正在保存豁免…", **handlers
    )


def unexempt(ops: Operations, exemption_id: int, **handlers: Unpack[Handlers]) -> Task:
    """Take a waiver back: the finding counts again."""
    return ops.write(lambda s: quality.unexempt(s, exemption_id), NOTHING, label="正在取消豁免…", **handlers)


def export_findings(
    ops: Operations,
    path: Path,
    *,
    village_id: int | None = None,
    report: Any = None,
    **handlers: Unpack[Handlers],
) -> Task:
    """The problem list of one village (or all) as xlsx, from ``report`` (a run still up to date)
    or from a new run; ``success(the file's path)``."""
    return ops.background(
        lambda s, control: quality.export_findings_xlsx(
            s, path, village_id=village_id, report=report, control=control
        ),
        label="正在导出问题清单…",
        success=handlers.get("success"),
        parent=handlers.get("parent"),
        user_error=handlers.get("user_error"),
    )
