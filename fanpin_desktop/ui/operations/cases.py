"""The case editor's data-changing actions (监测对象): one function per write.

Each is one unit of work on the task runner through ``ops.write`` and announces ``CASES``; a write
that may move the household's monitoring status (未纳入 / 识别中 / 监测中 / 已消除 — a clue opened, a
县级审定, a 不予认定, an elimination, a rollback, a step undone) compares the household's status
before and after in the same unit and announces ``HOUSEHOLDS`` too when it changed, so the registry
shows the new word. A refusal (``ValidationError`` naming the field) goes to ``user_error`` when the
editor shows it in place; nothing has been written then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from fanpin_desktop.domain.cases import monitoring_status_of
from fanpin_desktop.services import batch_print, households
from fanpin_desktop.services.cases import editing
from fanpin_desktop.services.cases.types import (
    CaseFactsInput,
    ContactInput,
    MeasureInput,
    StepInput,
    VisitInput,
)
from fanpin_desktop.ui.operations import CASES, HOUSEHOLDS, Changes, Handlers, Operations
from fanpin_desktop.ui.tasks import Task

if TYPE_CHECKING:
    from typing_extensions import Unpack

T = TypeVar("T")


def _watching(household_id: int, fn: Callable[[Any], T]) -> Callable[[Any], tuple[T, bool]]:
    """``fn`` run between two reads of the household's monitoring status."""

    def work(session: Any) -> tuple[T, bool]:
        before = monitoring_status_of(households.case_statuses(session, household_id))
        result = fn(session)
        session.flush()
        after = monitoring_status_of(households.case_statuses(session, household_id))
        return result, before != after

    return work


def _write_watched(
    ops: Operations,
    household_id: int,
    fn: Callable[[Any], T],
    label: str,
    handlers: Handlers,
) -> Task:
    """``ops.write`` of ``fn`` announcing CASES, and HOUSEHOLDS when the household's status moved;
    ``success`` gets ``fn``'s own result."""
    success = handlers.pop("success", None)

    def changes(result: tuple[T, bool]) -> Changes:
        return CASES | HOUSEHOLDS if result[1] else CASES

    def done(result: tuple[T, bool]) -> None:
        if success is not None:
            success(result[0])

    return ops.write(_watching(household_id, fn), changes, label=label, success=done, **handlers)


# --------------------------------------------------------------------------- opening a case


def open_case(
    ops: Operations,
    household_id: int,
    *,
    source: str,
    clue_date: dt.date,
    note: str = "",
    previous_case_id: int | None = None,
    **handlers: Unpack[Handlers],
) -> Task:
    """A new clue (线索) for the household; ``success(case_id)``."""
    return _write_watched(
        ops,
        household_id,
        lambda s: editing.open_case(
            s, household_id, source=source, clue_date=clue_date, note=note, previous_case_id=previous_case_id
        ),
        "正在建立线索…",
        handlers,
    )


def reidentify(
    ops: Operations,
    case_id: int,
    household_id: int,
    *,
    clue_date: dt.date,
    source: str,
    note: str = "",
    **handlers: Unpack[Handlers],
) -> Task:
    """A new risk after elimination: a new case linked to ``case_id``; ``success(new_case_id)``."""
    return _write_watched(
        ops,
        household_id,
        lambda s: editing.reidentify(s, case_id, clue_date=clue_date, source=source, note=note),
        "正在建立新线索…",
        handlers,
    )


# --------------------------------------------------------------------------- facts and steps


def save_facts(ops: Operations, case_id: int, facts: CaseFactsInput, **handlers: Unpack[Handlers]) -> Task:
    """Category, risks, exclusions, special decision and note."""
    return ops.write(lambda s: editing.save_facts(s, case_id, facts), CASES, label="正在保存…", **handlers)


def add_step(
    ops: Operations,
    case_id: int,
    household_id: int,
    step: StepInput,
    today: dt.date | None = None,
    **handlers: Unpack[Handlers],
) -> Task:
    """Record one procedure step; ``success(step_id)``."""
    return _write_watched(
        ops, household_id, lambda s: editing.add_step(s, case_id, step, today), "正在保存…", handlers
    )


def remove_last_step(
    ops: Operations, case_id: int, household_id: int, procedure: str, **handlers: Unpack[Handlers]
) -> Task:
    """Undo the newest step of ``procedure`` (识别 / 消除)."""
    return _write_watched(
        ops,
        household_id,
        lambda s: editing.remove_last_step(s, case_id, procedure),
        "正在撤销…",
        handlers,
    )


def roll_back(
    ops: Operations,
    case_id: int,
    household_id: int,
    on: dt.date,
    reason: str,
    **handlers: Unpack[Handlers],
) -> Task:
    """回退 an elimination (回头看): the case is monitored again."""
    return _write_watched(
        ops, household_id, lambda s: editing.roll_back(s, case_id, on, reason), "正在回退…", handlers
    )


def record_review(
    ops: Operations, case_id: int, on: dt.date, note: str = "", **handlers: Unpack[Handlers]
) -> Task:
    """季度复核 done on ``on``."""
    return ops.write(
        lambda s: editing.record_review(s, case_id, on, note), CASES, label="正在保存…", **handlers
    )


# --------------------------------------------------------------------------- measures, contacts, visits


def save_measure(
    ops: Operations,
    case_id: int,
    measure: MeasureInput,
    measure_id: int | None = None,
    **handlers: Unpack[Handlers],
) -> Task:
    """A new (``measure_id=None``) or edited 帮扶措施; ``success(measure_id)``."""
    return ops.write(
        lambda s: editing.save_measure(s, case_id, measure, measure_id), CASES, label="正在保存…", **handlers
    )


def delete_measure(ops: Operations, measure_id: int, **handlers: Unpack[Handlers]) -> Task:
    return ops.write(lambda s: editing.delete_measure(s, measure_id), CASES, label="正在删除…", **handlers)


def save_contact(
    ops: Operations,
    case_id: int,
    contact: ContactInput,
    contact_id: int | None = None,
    **handlers: Unpack[Handlers],
) -> Task:
    """A new or edited 帮扶联系人; ``success(contact_id)``."""
    return ops.write(
        lambda s: editing.save_contact(s, case_id, contact, contact_id), CASES, label="正在保存…", **handlers
    )


def delete_contact(ops: Operations, contact_id: int, **handlers: Unpack[Handlers]) -> Task:
    return ops.write(lambda s: editing.delete_contact(s, contact_id), CASES, label="正在删除…", **handlers)


def save_visit(
    ops: Operations,
    case_id: int,
    visit: VisitInput,
    visit_id: int | None = None,
    **handlers: Unpack[Handlers],
) -> Task:
    """A new or edited 走访记录; ``success(visit_id)``."""
    return ops.write(
        lambda s: editing.save_visit(s, case_id, visit, visit_id), CASES, label="正在保存…", **handlers
    )


def delete_visit(ops: Operations, visit_id: int, **handlers: Unpack[Handlers]) -> Task:
    return ops.write(lambda s: editing.delete_visit(s, visit_id), CASES, label="正在删除…", **handlers)


# --------------------------------------------------------------------------- printing


def print_batch(
    ops: Operations,
    path: Path,
    *,
    kinds: Sequence[str],
    village_id: int | None,
    case_ids: Sequence[int] | None,
    blank: bool,
    paper: str,
    mask_ids: bool = False,
    **handlers: Unpack[Handlers],
) -> Task:
    """批量打印 into one PDF on the task runner (progress, cancel); ``success(BatchResult)``."""
    return ops.background(
        lambda s, control: batch_print.write_batch(
            s,
            path,
            kinds=kinds,
            village_id=village_id,
            case_ids=case_ids,
            blank=blank,
            paper=paper,
            control=control,
            mask_ids=mask_ids,
        ),
        label="正在生成监测对象文书…",
        **handlers,
    )
