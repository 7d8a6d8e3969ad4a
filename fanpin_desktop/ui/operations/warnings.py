"""The 部门预警 page's operations: import a department's warning list or the county's problem list
(with the clerk's column mapping, saved for next time), match, and close each item.

Warnings and county items have no change kind of their own: they live beside the monitoring
cases (纳入监测 opens a 线索 case), so every write here announces ``CASES`` and the 部门预警 page and
the 监测对象 page both reload.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fanpin_desktop.services import county_problems as county
from fanpin_desktop.services import warnings as ws
from fanpin_desktop.ui.operations import CASES, HOUSEHOLDS, NOTHING, Changes, Handlers, Operations
from fanpin_desktop.ui.tasks import Task, TaskControl

if TYPE_CHECKING:
    from typing_extensions import Unpack


# --------------------------------------------------------------------------- department warnings


def import_warnings(
    ops: Operations,
    path: str | Path,
    department: str,
    columns: Sequence[str | None],
    *,
    labels: Sequence[str] | None = None,
    save_mapping: bool = True,
    received_on: dt.date | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    **handlers: Unpack[Handlers],
) -> Task:
    """Import a department's list with the clerk's ``columns`` (one field key or None per header
    column); the mapping is saved for the department first (same unit). ``success(ImportResult)``."""

    def work(session: Any, control: TaskControl) -> ws.ImportResult:
        if save_mapping and labels is not None:
            ws.save_mapping(session, department, list(labels), list(columns))
        return ws.import_warnings(
            session,
            path,
            department,
            columns=list(columns),
            sheet=sheet,
            header_row=header_row,
            received_on=received_on,
            control=control,
        )

    def changed(result: ws.ImportResult) -> Changes:
        return CASES if result.new else NOTHING

    return ops.write(work, changed, label="正在导入预警清单…", progress=True, **handlers)


def confirm_match(ops: Operations, warning_id: int, **handlers: Unpack[Handlers]) -> Task:
    """待确认 → 已匹配 (the clerk checked it is the same person)."""
    return ops.write(lambda s: ws.confirm_match(s, warning_id), CASES, **handlers)


def assign_household(
    ops: Operations,
    warning_id: int,
    household_id: int,
    member_id: int | None = None,
    **handlers: Unpack[Handlers],
) -> Task:
    """An unmatched (or wrongly matched) warning attached to the household the clerk chose."""
    return ops.write(lambda s: ws.assign_household(s, warning_id, household_id, member_id), CASES, **handlers)


def mark_not_local(ops: Operations, warning_id: int, reason: str, **handlers: Unpack[Handlers]) -> Task:
    """An unmatched warning about someone outside the township, closed with the reason."""
    return ops.write(lambda s: ws.mark_not_local(s, warning_id, reason), CASES, **handlers)


def set_outcome(
    ops: Operations,
    warning_id: int,
    outcome: str,
    reason: str = "",
    on: dt.date | None = None,
    **handlers: Unpack[Handlers],
) -> Task:
    """纳入监测 (opens a 线索 case) / 已是监测对象 / 不符合 + reason; ``success(OutcomeResult)``."""
    return ops.write(
        lambda s: ws.set_outcome(s, warning_id, outcome, reason=reason, on=on),
        CASES | HOUSEHOLDS if outcome == ws.OUTCOME_INCLUDE else CASES,
        **handlers,
    )


def clear_outcome(ops: Operations, warning_id: int, **handlers: Unpack[Handlers]) -> Task:
    """Undo a warning's outcome (a case it opened stays)."""
    return ops.write(lambda s: ws.clear_outcome(s, warning_id), CASES, **handlers)


def export_summary(
    ops: Operations,
    path: Path,
    month: str | dt.date,
    department: str | None,
    **handlers: Unpack[Handlers],
) -> Task:
    """The month's summary and every warning's outcome as xlsx; ``success(path)``."""
    return ops.background(
        lambda s, _c: ws.export_summary_xlsx(s, path, month, department),
        label="正在导出月报…",
        cancellable=False,
        **handlers,
    )


def pending_count(session: Any) -> int:
    """Warnings still waiting for an outcome (the sidebar's number)."""
    return len(ws.list_warnings(session, pending=True))


# --------------------------------------------------------------------------- county problem list


def import_county_list(
    ops: Operations,
    path: str | Path,
    columns: Sequence[str | None],
    *,
    labels: Sequence[str] | None = None,
    save_mapping: bool = True,
    received_on: dt.date | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    **handlers: Unpack[Handlers],
) -> Task:
    """Import the county's problem list with the clerk's ``columns``; ``success(ImportResult)``."""

    def work(session: Any, control: TaskControl) -> Any:
        if save_mapping and labels is not None:
            county.save_mapping(session, list(labels), list(columns))
        return county.import_problems(
            session,
            path,
            columns=list(columns),
            sheet=sheet,
            header_row=header_row,
            received_on=received_on,
            control=control,
        )

    def changed(result: Any) -> Changes:
        return CASES if result.new else NOTHING

    return ops.write(work, changed, label="正在导入县级问题清单…", progress=True, **handlers)


def mark_rectified(ops: Operations, item_id: int, note: str, **handlers: Unpack[Handlers]) -> Task:
    """待整改 → 已整改 with what was corrected (required)."""
    return ops.write(lambda s: county.resolve(s, item_id, county.FIXED, note), CASES, **handlers)


def mark_no_need(ops: Operations, item_id: int, reason: str, **handlers: Unpack[Handlers]) -> Task:
    """待整改 → 无需整改 with the reason (required)."""
    return ops.write(lambda s: county.resolve(s, item_id, county.NO_NEED, reason), CASES, **handlers)


def assign_county_household(
    ops: Operations, item_id: int, household_id: int, **handlers: Unpack[Handlers]
) -> Task:
    """An unmatched county item attached to the household the clerk chose."""
    return ops.write(lambda s: county.assign_household(s, item_id, household_id), CASES, **handlers)


def reopen_county(ops: Operations, item_id: int, **handlers: Unpack[Handlers]) -> Task:
    """Back to 待整改 (a 不涉及本乡镇 item becomes 未匹配 again)."""
    return ops.write(lambda s: county.reopen(s, item_id), CASES, **handlers)


def county_not_local(ops: Operations, item_id: int, reason: str, **handlers: Unpack[Handlers]) -> Task:
    """An unmatched county item about someone outside the township, closed with the reason."""
    return ops.write(lambda s: county.mark_not_local(s, item_id, reason), CASES, **handlers)


def export_county_list(
    ops: Operations, path: Path, status: str | None = None, **handlers: Unpack[Handlers]
) -> Task:
    """The county's items with their 整改 state as xlsx (to report back); ``success(path)``."""
    return ops.background(
        lambda s, _c: county.export_problems_xlsx(s, path, status=status),
        label="正在导出问题清单…",
        cancellable=False,
        **handlers,
    )
