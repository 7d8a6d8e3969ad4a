"""The rectification ledger's operations (附件4): add, edit, delete and the status steps
整改中 → 已整改 → 已销号 (or back). Each is one unit of work announcing ``LEDGER``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtWidgets import QWidget

from fanpin_desktop.errors import UserError
from fanpin_desktop.services import ledger
from fanpin_desktop.ui.operations import LEDGER, Operations
from fanpin_desktop.ui.tasks import Task

Success = Callable[[Any], None] | None
UserErrorShown = Callable[[UserError], None] | None


def create_problem(
    ops: Operations,
    values: Mapping[str, Any],
    *,
    campaign_id: int | None,
    year: int | None,
    source: str = "手工登记",
    parent: QWidget | None,
    success: Callable[[int], None],
    user_error: UserErrorShown = None,
    origin: object | None = None,
) -> Task:
    """A problem entered on the ledger page; ``success(problem id)``."""
    return ops.write(
        lambda s: int(ledger.create(s, campaign_id=campaign_id, year=year, source=source, **values).id),
        LEDGER,
        success=success,
        parent=parent,
        user_error=user_error,
        origin=origin,
    )


def edit_problem(
    ops: Operations,
    problem_id: int,
    values: Mapping[str, Any],
    *,
    year: int | None,
    parent: QWidget | None,
    success: Success = None,
    user_error: UserErrorShown = None,
    origin: object | None = None,
) -> Task:
    return ops.write(
        lambda s: int(ledger.edit(s, problem_id, year=year, **values).id),
        LEDGER,
        success=success,
        parent=parent,
        user_error=user_error,
        origin=origin,
    )


def delete_problem(
    ops: Operations,
    problem_id: int,
    *,
    parent: QWidget | None,
    success: Success = None,
    origin: object | None = None,
) -> Task:
    return ops.write(
        lambda s: ledger.delete(s, problem_id),
        LEDGER,
        success=success,
        parent=parent,
        origin=origin,
        label="正在删除…",
    )


def mark_rectified(
    ops: Operations,
    problem_id: int,
    on: dt.date,
    note: str | None,
    *,
    parent: QWidget | None,
    success: Success = None,
    origin: object | None = None,
) -> Task:
    """整改中 → 已整改 with the completion date."""
    return ops.write(
        lambda s: ledger.mark_rectified(s, problem_id, on, note).id,
        LEDGER,
        success=success,
        parent=parent,
        origin=origin,
    )


def close_problem(
    ops: Operations,
    problem_id: int,
    on: dt.date,
    by: str | None,
    *,
    parent: QWidget | None,
    success: Success = None,
    origin: object | None = None,
) -> Task:
    """已整改 → 已销号 after verification."""
    return ops.write(
        lambda s: ledger.close(s, problem_id, on, by).id,
        LEDGER,
        success=success,
        parent=parent,
        origin=origin,
    )


def send_back(
    ops: Operations,
    problem_id: int,
    reason: str,
    *,
    parent: QWidget | None,
    success: Success = None,
    origin: object | None = None,
) -> Task:
    """已整改 → 整改中: the verification found the rectification incomplete."""
    return ops.write(
        lambda s: ledger.send_back(s, problem_id, reason).id,
        LEDGER,
        success=success,
        parent=parent,
        origin=origin,
    )
