"""The rectification ledger's operations (附件4): add, edit, delete and the status steps
整改中 → 已整改 → 已销号 (or back). Each is one unit of work announcing ``LEDGER``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fanpin_desktop.services import ledger
from fanpin_desktop.ui.operations import LEDGER, Handlers, Operations
from fanpin_desktop.ui.tasks import Task

if TYPE_CHECKING:
    from typing_extensions import Unpack


def create_problem(
    ops: Operations,
    values: Mapping[str, Any],
    *,
    campaign_id: int | None,
    year: int | None,
    source: str = "手工登记",
    **handlers: Unpack[Handlers],
) -> Task:
    """A problem entered on the ledger page; ``success(problem id)``."""
    return ops.write(
        lambda s: int(ledger.create(s, campaign_id=campaign_id, year=year, source=source, **values).id),
        LEDGER,
        **handlers,
    )


def edit_problem(
    ops: Operations,
    problem_id: int,
    values: Mapping[str, Any],
    *,
    year: int | None,
    **handlers: Unpack[Handlers],
) -> Task:
    return ops.write(
        lambda s: int(ledger.edit(s, problem_id, year=year, **values).id),
        LEDGER,
        **handlers,
    )


def delete_problem(
    ops: Operations,
    problem_id: int,
    **handlers: Unpack[Handlers],
) -> Task:
    return ops.write(
        lambda s: ledger.delete(s, problem_id),
        LEDGER,
        label="正在删除…",
        **handlers,
    )


def mark_rectified(
    ops: Operations,
    problem_id: int,
    on: dt.date,
    note: str | None,
    **handlers: Unpack[Handlers],
) -> Task:
    """整改中 → 已整改 with the completion date."""
    return ops.write(
        lambda s: ledger.mark_rectified(s, problem_id, on, note).id,
        LEDGER,
        **handlers,
    )


def close_problem(
    ops: Operations,
    problem_id: int,
    on: dt.date,
    by: str | None,
    **handlers: Unpack[Handlers],
) -> Task:
    """已整改 → 已销号 after verification."""
    return ops.write(
        lambda s: ledger.close(s, problem_id, on, by).id,
        LEDGER,
        **handlers,
    )


def send_back(
    ops: Operations,
    problem_id: int,
    reason: str,
    **handlers: Unpack[Handlers],
) -> Task:
    """已整改 → 整改中: the verification found the rectification incomplete."""
    return ops.write(
        lambda s: ledger.send_back(s, problem_id, reason).id,
        LEDGER,
        **handlers,
    )
