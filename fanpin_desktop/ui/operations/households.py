"""The registry's data-changing actions: save a household (with its members and income), delete one.

Each is one unit of work on the task runner that announces ``HOUSEHOLDS``; a ``UserError`` (the
draft refused, the household still has monitoring records) becomes its Chinese message, or goes to
``user_error`` when the editor shows it in place. The registry's search index is built here too:
it is read-only work, but it needs the database, which only ``ui/operations`` touches.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fanpin_desktop.services import households
from fanpin_desktop.services.households import HouseholdDraft, RegistryIndex
from fanpin_desktop.ui.operations import HOUSEHOLDS, Handlers, Operations
from fanpin_desktop.ui.tasks import Task, TaskRunner

if TYPE_CHECKING:
    from typing_extensions import Unpack


def save_household(
    ops: Operations,
    draft: HouseholdDraft,
    today: dt.date,
    **handlers: Unpack[Handlers],
) -> Task:
    """Store ``draft`` (new or edited household) in one unit; ``success(household_id)``."""
    return ops.write(
        lambda s: households.save_household(s, draft, today),
        HOUSEHOLDS,
        label="正在保存…",
        **handlers,
    )


def delete_household(
    ops: Operations,
    household_id: int,
    **handlers: Unpack[Handlers],
) -> Task:
    """Delete one household with its members and income; ``success(label of the household)``."""
    return ops.write(
        lambda s: households.delete_household(s, household_id),
        HOUSEHOLDS,
        label="正在删除…",
        **handlers,
    )


# the index builders of each window's operations: reads beside the one writer, never on the GUI thread
_index_runners: weakref.WeakKeyDictionary[Operations, TaskRunner] = weakref.WeakKeyDictionary()


def build_registry_index(
    ops: Operations,
    done: Callable[[RegistryIndex], None],
    failed: Callable[[BaseException], None],
) -> Task:
    """Build the in-memory search index of a big registry off the GUI thread.

    It runs on its own reader thread (not the writer's queue, where an import would make it
    wait), shows no progress and reports failures to ``failed`` only: until it is ready the
    registry searches in SQL. With a synchronous runner (tests) it is built at once.
    """
    db = ops.db

    def build(_control: Any) -> RegistryIndex:
        with db.reading() as s:
            return RegistryIndex.build(s)

    if ops.runner.synchronous:
        runner = ops.runner
    else:
        runner = _index_runners.get(ops)
        if runner is None:
            # not a child of a page: a build still running when the page goes away finishes harmlessly
            runner = _index_runners[ops] = TaskRunner()
    return runner.run(build, done, failed, progress=False, cancellable=False)
