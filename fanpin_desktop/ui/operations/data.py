"""The 数据 menu's actions: import a roster (the wizard's steps), export the roster, back up and
restore the database; and the window's ``Operations`` made from the opened application.

Reading a roster file and comparing it with the database is read-only work (nothing announced);
the import itself runs in the importer's own bulk unit of work and announces ``HOUSEHOLDS`` (and
``SETTINGS`` when it created villages or groups). A restore replaces the database file: every
page reloads (``Changes.everything()``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from fanpin_desktop.context import AppContext
from fanpin_desktop.folder_lock import refuse_readers
from fanpin_desktop.paths import DataPaths
from fanpin_desktop.services import backup as backups
from fanpin_desktop.services import importer, regions
from fanpin_desktop.services.importer.headers import ColumnMapping, HeaderInfo
from fanpin_desktop.services.importer.plan import ImportPlan
from fanpin_desktop.services.roster_export import export_roster as write_roster
from fanpin_desktop.ui.operations import HOUSEHOLDS, NOTHING, SETTINGS, Changes, Handlers, Operations
from fanpin_desktop.ui.tasks import Task, TaskControl, TaskRunner

Progress = Callable[[TaskControl], Callable[[int, int, str], None]]

if TYPE_CHECKING:
    from typing_extensions import Unpack


def window_operations(ctx: AppContext, runner: TaskRunner, parent: QObject | None = None) -> Operations:
    """The operations of the main window on the opened application's database."""
    return Operations(
        ctx.db, runner, parent, exports_dir=ctx.paths.exports, read_only=ctx.read_only, role=ctx.role
    )


# --------------------------------------------------------------------------- import (the wizard's steps)


def read_roster(
    ops: Operations,
    path: str,
    sheet: str | None,
    *,
    label: str = "正在导入花名册…",
    **handlers: Unpack[Handlers],
) -> Task:
    """Open the file, find its header and columns; ``success((source, header, mapping, village names))``."""

    def work(
        session: Any, _control: TaskControl
    ) -> tuple[importer.Source, HeaderInfo, ColumnMapping, list[str]]:
        src = importer.open_file(path, sheet)
        header, mapping = importer.prepare_or_guess(session, src)
        return src, header, mapping, regions.village_names(session)

    return ops.background(work, label=label, **handlers)


def analyse_roster(
    ops: Operations,
    src: importer.Source,
    header: HeaderInfo,
    mapping: ColumnMapping,
    options: importer.ImportOptions,
    progress: Progress,
    *,
    label: str = "正在导入花名册…",
    **handlers: Unpack[Handlers],
) -> Task:
    """Read every row and compare with the database (the preview); nothing is written.
    ``progress(control)`` gives the progress callback (it raises when cancelled)."""
    return ops.with_database(
        lambda db, control: importer.analyse(
            db,
            src,
            header,
            mapping,
            options,
            progress=progress(control),
            cancelled=lambda: control.cancelled,
        ),
        NOTHING,
        label=label,
        **handlers,
    )


def import_roster(
    ops: Operations,
    plan: ImportPlan,
    options: importer.ImportOptions,
    progress: Progress,
    *,
    label: str = "正在导入花名册…",
    **handlers: Unpack[Handlers],
) -> Task:
    """Write the previewed plan in the importer's one transaction (refused when the database no
    longer gives that plan); announces what a written import changed."""

    def changed(result: importer.ImportResult) -> Changes:
        if not result.written:
            return NOTHING
        return HOUSEHOLDS | SETTINGS if options.create_places else HOUSEHOLDS

    return ops.with_database(
        lambda db, control: importer.execute(
            db,
            plan.parsed,
            options,
            expect=plan.fingerprint,
            plan=plan,
            progress=progress(control),
            cancelled=lambda: control.cancelled,
        ),
        changed,
        label=label,
        **handlers,
    )


def save_column_mapping(
    ops: Operations,
    name: str,
    labels: list[str],
    mapping: ColumnMapping,
    **handlers: Unpack[Handlers],
) -> Task:
    """Remember the clerk's column choices for these headers (no page shows them: nothing announced)."""
    return ops.write(
        lambda s: importer.save_mapping(s, name, labels, mapping),
        NOTHING,
        label="正在保存对应关系…",
        **handlers,
    )


# --------------------------------------------------------------------------- export, backup, restore


def export_roster(
    ops: Operations,
    target: Path,
    mask_ids: bool = False,
    **handlers: Unpack[Handlers],
) -> Task:
    """The registry in the national system's layout; ``success(people written)``."""
    return ops.background(
        lambda session, _control: write_roster(session, target, mask_ids=mask_ids),
        label="正在导出户籍名册…",
        cancellable=False,
        **handlers,
    )


def backup(
    ops: Operations,
    paths: DataPaths,
    **handlers: Unpack[Handlers],
) -> Task:
    """A manual backup copy of the database; ``success(path of the copy)``."""
    return ops.with_database(
        lambda db, _control: backups.backup(paths, backups.MANUAL, key=db.key),
        NOTHING,
        label="正在备份数据库…",
        cancellable=False,
        **handlers,
    )


def _restore(paths: DataPaths, file: Path, db: Any) -> backups.RestoreResult:
    refuse_readers(paths, "恢复备份")  # not under a window opened read-only on the same folder
    return backups.restore(paths, file, db=db)


def restore(
    ops: Operations,
    paths: DataPaths,
    file: Path,
    **handlers: Unpack[Handlers],
) -> Task:
    """Replace the database with the backup ``file`` (the current one is kept aside first); every
    page reloads (the notice comes before ``success``)."""
    return ops.with_database(
        lambda db, _control: _restore(paths, file, db),
        Changes.everything(),
        label="正在恢复数据库…",
        cancellable=False,
        **handlers,
    )
