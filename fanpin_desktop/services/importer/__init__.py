"""Importing household rosters from national-system exports and village spreadsheets.

Steps (each usable on its own, the wizard shows one page per step):

1. :func:`open_file` — read an .xlsx/.xlsm/.xls/.csv sheet (:mod:`.reading`).
2. :func:`prepare` — find the header and match columns (:mod:`.headers`), using a saved mapping
   when one exists for these headers.
3. :func:`analyse` — convert and check every row, group rows into households (:mod:`.parse`) and
   compare with the database (:mod:`.plan`): the preview.
4. :func:`execute` — write the valid rows in one transaction (:mod:`.write`), after checking that
   the database still gives the previewed plan.

:func:`import_file` does all four for the command line and the benchmark; :func:`write_error_report`
saves the problems as a workbook for the village.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fanpin_desktop.db import Database
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import ImportMapping
from fanpin_desktop.services.importer.headers import (
    ColumnMapping,
    HeaderInfo,
    auto_mapping,
    detect_header,
    header_from_row,
    resolve_mapping,
    save_mapping,
    saved_mapping_names,
)
from fanpin_desktop.services.importer.normalise import cell_text
from fanpin_desktop.services.importer.parse import (
    ImportCancelled,
    ParsedFile,
    Progress,
    parse_source,
)
from fanpin_desktop.services.importer.plan import (
    DatabaseSnapshot,
    ImportPlan,
    build_plan,
    database_state,
)
from fanpin_desktop.services.importer.reading import Source, open_source
from fanpin_desktop.services.importer.report import write_error_report
from fanpin_desktop.services.importer.validate import ERROR, WARNING, Issue
from fanpin_desktop.services.importer.write import write_plan

Cancelled = Callable[[], bool]


@dataclass
class ImportOptions:
    sheet: str | int | None = None
    mapping_name: str | None = None
    default_village: str | None = None  # for village lists without a 行政村 column
    create_places: bool = False  # create unknown villages / groups / natural villages
    year: int | None = None  # enumeration year (default: the newest)


@dataclass
class ImportResult:
    plan: ImportPlan
    written: bool
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # phase → seconds (benchmark)

    def summary_lines(self) -> list[str]:
        lines = self.plan.summary_lines(written=self.written)
        if self.written:
            c = self.counts
            lines.append(
                f"已写入：新增 {c.get('hh_new', 0)} 户、{c.get('m_new', 0)} 人，修改 {c.get('hh_changed', 0)} 户、"
                f"{c.get('m_changed', 0)} 人，迁入其他户 {c.get('m_moved', 0)} 人"
            )
            if self.plan.has_case_columns:
                lines.append(f"监测对象已写入：新建 {c.get('c_new', 0)} 户，更新 {c.get('c_changed', 0)} 户")
        else:
            lines.append("预演（--dry-run）：数据库没有任何改动" if not self.counts else "未写入")
        return lines


def open_file(path: str | Path, sheet: str | int | None = None) -> Source:
    return open_source(path, sheet)


def prepare(
    session: Session | None,
    src: Source,
    mapping_name: str | None = None,
    header_row: int | None = None,
    header_rows: int = 1,
) -> tuple[HeaderInfo, ColumnMapping]:
    """Find the header (or use the 0-based ``header_row`` the clerk chose) and the column mapping."""
    head = src.head()
    try:
        if header_row is not None:
            header = header_from_row(head, header_row, header_rows)
        else:
            header = _saved_header(session, head) or detect_header(head)
    except ValueError as exc:
        raise UserError(f"“{src.path.name}”工作表“{src.sheet}”：{exc}") from exc
    try:
        mapping = resolve_mapping(session, header.labels, mapping_name)
    except LookupError as exc:
        raise UserError(str(exc)) from exc
    return header, mapping


#: why the wizard asks the clerk to point at the header row
HEADER_NOT_FOUND = "未能按列名找到表头：请指定表头所在的行，并为各列选择导入为哪一项"


def prepare_or_guess(session: Session, src: Source) -> tuple[HeaderInfo, ColumnMapping]:
    """``prepare``, or when no header is found by name, the first non-empty row as the header with
    the columns it can match, and ``mapping.source`` saying the clerk has to choose (the wizard)."""
    try:
        return prepare(session, src)
    except UserError:
        head = src.head()
        first = next((i for i, r in enumerate(head) if any(cell_text(v) for v in r)), 0)
        header = header_from_row(head, first) if head else HeaderInfo((0,), [], 1)
        mapping = resolve_mapping(session, header.labels)
        mapping.source = HEADER_NOT_FOUND
        return header, mapping


def _saved_header(session: Session | None, head: list[list[object]]) -> HeaderInfo | None:
    """A row whose headers were mapped and saved before (layouts the program cannot read by name)."""
    if session is None:
        return None
    signatures = set(session.scalars(select(ImportMapping.header_signature)))
    if not signatures:
        return None
    for i in range(len(head)):
        for rows in (1, 2):
            candidate = header_from_row(head, i, rows)
            if candidate.labels and candidate.signature in signatures:
                return candidate
    return None


def analyse(
    db: Database,
    src: Source,
    header: HeaderInfo,
    mapping: ColumnMapping,
    options: ImportOptions,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportPlan:
    """Parse and check every row, then compare with the database (read-only): the preview."""
    parsed = _parse(src, header, mapping, options, progress, cancelled)
    with db.reading() as session:
        return build_plan(session, parsed, create_places=options.create_places, cancelled=cancelled)


def execute(
    db: Database,
    parsed: ParsedFile,
    options: ImportOptions,
    expect: tuple[int, ...] | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    *,
    plan: ImportPlan | None = None,
    snapshot: DatabaseSnapshot | None = None,
    before_commit: Callable[[ImportPlan], None] | None = None,
) -> ImportResult:
    """Write the valid rows in one transaction; ``expect`` is the previewed plan's fingerprint.

    The transaction (``Database.bulk_unit``) starts by taking the database's write lock, then
    checks that the database is as it was when ``plan`` (the preview) was made: if so the plan is
    written as it is, else it is made again and must give the previewed counts. ``snapshot`` (read
    before) spares reading the database again when it has not changed either. ``before_commit``
    (the error report) runs inside the transaction after the rows are written: if it fails, nothing
    is committed.
    """
    started = time.perf_counter()
    with db.bulk_unit() as session:
        if (
            plan is None
            or plan.parsed is not parsed
            or plan.create_places != options.create_places
            or plan.db_state is None
            or plan.db_state != database_state(session)
        ):
            plan = build_plan(
                session, parsed, create_places=options.create_places, cancelled=cancelled, snapshot=snapshot
            )
            if expect is not None and plan.fingerprint != expect:
                raise UserError("预览之后数据库已有改动，导入结果会与预览不同；请重新预览后再导入")
        counts = write_plan(session, plan, progress=progress, cancelled=cancelled) if plan.has_changes else {}
        if before_commit is not None:
            before_commit(plan)
    return ImportResult(plan, True, counts or {"hh_new": 0}, time.perf_counter() - started)


def _parse(
    src: Source,
    header: HeaderInfo,
    mapping: ColumnMapping,
    options: ImportOptions,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> ParsedFile:
    return parse_source(
        src,
        header,
        mapping,
        default_village=options.default_village,
        year=options.year,
        progress=progress,
        cancelled=cancelled,
    )


def import_file(
    db: Database,
    path: str | Path,
    options: ImportOptions | None = None,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    report: str | Path | None = None,
) -> ImportResult:
    """The whole import without a window (command line, benchmark)."""
    options = options or ImportOptions()
    started = time.perf_counter()
    timings: dict[str, float] = {}
    src = open_source(path, options.sheet)
    timings["open"] = time.perf_counter() - started
    try:
        with db.reading() as session:
            header, mapping = prepare(session, src, options.mapping_name)
        parsed = _parse(src, header, mapping, options, progress, cancelled)
        timings["parse"] = time.perf_counter() - started - timings["open"]
        if dry_run:
            with db.reading() as session:
                plan = build_plan(session, parsed, create_places=options.create_places, cancelled=cancelled)
            result = ImportResult(plan, False)
        else:
            if report is None:
                src.close()  # the sheet's memory is not needed for writing
            # the report is saved before the commit: if it cannot be saved, nothing is imported
            result = execute(
                db,
                parsed,
                options,
                progress=progress,
                cancelled=cancelled,
                before_commit=None if report is None else lambda plan: _save_report(report, plan, src, True),
            )
        if report is not None and dry_run:
            _save_report(report, result.plan, src, False)
    finally:
        src.close()
    result.seconds = time.perf_counter() - started
    timings["plan_write"] = result.seconds - timings["open"] - timings.get("parse", 0.0)
    result.timings = timings
    return result


def _save_report(report: str | Path, plan: ImportPlan, src: Source, importing: bool) -> None:
    try:
        write_error_report(report, plan, src)
    except Exception as exc:
        reason = exc if isinstance(exc, UserError) else f"{type(exc).__name__}：{exc}"
        raise UserError(
            f"无法保存问题清单“{report}”（{reason}）"
            + ("；导入没有写入，数据库没有任何改动。请换一个保存位置后重新导入" if importing else "")
        ) from exc


__all__ = [
    "ERROR",
    "HEADER_NOT_FOUND",
    "WARNING",
    "ColumnMapping",
    "HeaderInfo",
    "ImportCancelled",
    "ImportOptions",
    "ImportPlan",
    "ImportResult",
    "Issue",
    "ParsedFile",
    "Source",
    "analyse",
    "auto_mapping",
    "execute",
    "import_file",
    "open_file",
    "prepare",
    "prepare_or_guess",
    "save_mapping",
    "saved_mapping_names",
    "write_error_report",
]
