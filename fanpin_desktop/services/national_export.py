"""Batch lists for the national system (全国防返贫监测信息系统): 新识别, 风险消除 and 信息更正.

The national system has no bulk-import template (DOMAIN.md §8): the clerk enters each household
in the web system from a list. The lists are written in the national field order and wording,
one row per person like the national roster export (layout ``national_batch_47``: the 47 columns
of the national export followed by 风险消除方式, 返贫致贫风险1–5 and 自然灾害类型), so the roster
importer reads every list back (the monitoring columns update the household's case, see
importer/cases.py). The first row of every file is the personal-data warning, the second the
title, the third the header (the importer skips the title rows); identity numbers are text cells,
always whole: these lists are never masked (the setting ``mask_ids_outgoing`` does not apply), the
national system needs the full numbers.

**Which households.**

* ``new`` — cases identified here (识别 县级审定 done, not refused; status 已纳入 / 消除中 /
  已回退) whose identification 系统录入 step is not done. A case stays on the list until the
  batch that listed it is marked 已录入系统 (:func:`mark_entered`), even when it was exported
  before: a clerk who lost the file or did not finish the entry simply exports again, and nothing
  falls through between two files. Cases from the national system carry a 系统录入 step already.
* ``elimination`` — cases 已消除 whose elimination 系统录入 step is not done (the same rule).
* ``changes`` — corrections: every household exported before (in any batch) is compared with the
  values its last export gave it; the file lists each changed field (sheet 更正明细: 户编号, 姓名,
  证件号码, 字段, 原值, 新值; a household-level field once, on the 户主's name) and the current full
  rows of those households (sheet 家庭成员, roster layout, readable by the importer). A member
  added since is listed as 家庭成员 “（无）→ 新增”, a member gone as “在册 → 已移出”. 序号 and
  数据日期 are not compared. The monitoring columns are compared on the case the last export
  showed (a household eliminated in one list and re-identified since is a 新识别 matter, not a
  correction); when that case was deleted, on the household's latest monitored case. A household deleted here is not listed (its history row keeps the
  values but the household is gone).

**History.** Each file is a ``NationalExport`` (kind, time, the database user, file name, SHA-256
of the written file, rows) with one ``NationalExportRecord`` per household holding its case and
the exported values (JSON), which the next corrections batch compares with.

**Marking as entered.** :func:`mark_entered` adds the 系统录入 step (识别 for ``new``, 消除 for
``elimination``) dated ``on`` to each listed case through ``services.cases.editing.add_step``, so
the step checks apply: a date before the case's 县级审定 or in the future is refused and nothing is
marked (the message names the household). A case that already has the step (entered meanwhile),
was deleted, or no longer has the batch's status (e.g. rolled back after an elimination list) is
skipped and counted. A ``changes`` batch has no step to add: only the batch is marked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fanpin_desktop.documents.xlsx_util import PERSONAL_DATA_WARNING, TableSheet, write_table
from fanpin_desktop.domain.cases import ACTIVE_CASE_STATUSES, CASE_ELIMINATED, MONITORED_CASE_STATUSES
from fanpin_desktop.domain.procedure import (
    COUNTY_DECISION,
    ELIMINATION,
    IDENTIFICATION,
    REFUSED_ALIASES,
)
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import MonitoringCase, NationalExport, NationalExportRecord
from fanpin_desktop.services import settings as settings_mod
from fanpin_desktop.services.cases.editing import SYSTEM_ENTRY, _attempt, add_step
from fanpin_desktop.services.cases.types import StepInput
from fanpin_desktop.services.importer.fields import BY_KEY
from fanpin_desktop.services.importer.headers import layout as get_layout
from fanpin_desktop.services.roster_export import RosterTable, roster_table

BATCH_LAYOUT = "national_batch_47"
KIND_NEW, KIND_ELIMINATION, KIND_CHANGES = "new", "elimination", "changes"
KINDS = (KIND_NEW, KIND_ELIMINATION, KIND_CHANGES)
KIND_LABELS = {KIND_NEW: "新识别监测对象", KIND_ELIMINATION: "风险消除", KIND_CHANGES: "信息更正"}
PRIVACY_WARNING = PERSONAL_DATA_WARNING
CHANGES_SHEET, ROSTER_SHEET = "更正明细", "家庭成员"
CHANGES_HEADER = ["户编号", "姓名", "证件号码", "字段", "原值", "新值"]
MEMBER_FIELD = "家庭成员"
NOT_COMPARED = frozenset({"序号", "数据日期"})
_HOUSEHOLD_HEADERS = frozenset({"省", "市"})
_NOTHING = {
    KIND_NEW: "没有需要录入全国系统的新识别监测对象（已县级审定、尚未标记“已录入系统”的）。",
    KIND_ELIMINATION: "没有需要录入全国系统的风险消除对象（已消除、尚未标记“已录入系统”的）。",
    KIND_CHANGES: "没有需要更正的信息：以前导出过的各户与最近一次导出的内容相同。",
}


@dataclass(frozen=True)
class FieldChange:
    """One field of one household or person that differs from its last export."""

    household_id: int
    hh_code: str
    name: str
    id_number: str
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class ExportResult:
    export_id: int
    kind: str
    path: Path
    sha256: str
    rows: int  # person rows of the roster-layout sheet
    households: int
    changes: list[FieldChange]
    warnings: list[str]


@dataclass(frozen=True)
class MarkResult:
    marked: int  # cases that got their 系统录入 step
    skipped: int  # already entered, deleted, or no longer in the batch's status


@dataclass(frozen=True)
class ExportInfo:
    """One row of the export history."""

    id: int
    kind: str
    label: str
    created_at: dt.datetime
    created_by: str
    file_name: str
    sha256: str
    rows: int
    households: int
    changes: int
    entered_on: dt.date | None
    entered_by: str | None


def quality_warnings(session: Session) -> list[str]:
    """Data-quality problems to show before a batch is exported (one sentence each): the open
    (not exempted) 错误 findings of the rules (services.quality) over the households with a
    monitoring case — those the batches list. A warning, never a block."""
    from fanpin_desktop.services import quality

    return quality.export_warnings(session)


# ---------------------------------------------------------------------- which cases


def _done(case: MonitoringCase, procedure: str, step: str) -> bool:
    """Whether ``step`` is done (not refused) in the procedure's current attempt (an elimination
    after a rollback or a refused elimination is a new attempt: the editor's own rule)."""
    return any(s.step == step and (s.result or "") not in REFUSED_ALIASES for s in _attempt(case, procedure))


def pending_cases(session: Session, kind: str) -> dict[int, MonitoringCase]:
    """Household id → the case a ``new`` or ``elimination`` batch lists (with steps and risks)."""
    if kind == KIND_NEW:
        statuses, procedure = ACTIVE_CASE_STATUSES, IDENTIFICATION
    elif kind == KIND_ELIMINATION:
        statuses, procedure = (CASE_ELIMINATED,), ELIMINATION
    else:
        raise ValueError(kind)
    q = (
        select(MonitoringCase)
        .where(MonitoringCase.status.in_(statuses))
        .options(selectinload(MonitoringCase.steps), selectinload(MonitoringCase.risks))
        .order_by(MonitoringCase.clue_date, MonitoringCase.id)
    )
    out: dict[int, MonitoringCase] = {}
    for case in session.scalars(q):
        if _done(case, procedure, COUNTY_DECISION) and not _done(case, procedure, SYSTEM_ENTRY):
            out[case.household_id] = case  # the latest one of a household wins
    return out


def _current_cases(session: Session, exported: dict[int, int | None]) -> dict[int, MonitoringCase]:
    """Household id → the case its last export showed (``exported``: household id → case id),
    or when that case is gone or there was none, its latest monitored case (with risks)."""
    out: dict[int, MonitoringCase] = {}
    q = (
        select(MonitoringCase)
        .where(MonitoringCase.household_id.in_(list(exported)))
        .options(selectinload(MonitoringCase.risks))
        .order_by(MonitoringCase.clue_date, MonitoringCase.id)
    )
    for case in session.scalars(q):
        hid = case.household_id
        if exported[hid] == case.id:
            out[hid] = case
        elif case.status in MONITORED_CASE_STATUSES and (hid not in out or out[hid].id != exported[hid]):
            out[hid] = case  # the latest monitored one, unless the exported case is found
    return out


# ---------------------------------------------------------------------- row values


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


@dataclass
class _Columns:
    """Which columns are the household's (shown once) and which the person's."""

    household: list[tuple[int, str]]
    member: list[tuple[int, str]]
    name: int | None
    id_number: int | None
    relation: int | None
    hh_code: int | None


def _columns(header: list[str], layout_name: str) -> _Columns:
    keys = {h: k for h, k, _a in get_layout(layout_name).columns}
    household, member = [], []
    for j, h in enumerate(header):
        if h in NOT_COMPARED:
            continue
        key = keys.get(h)
        level = BY_KEY[key].level if key else None
        if level in ("household", "case") or h in _HOUSEHOLD_HEADERS:
            household.append((j, h))
        else:
            member.append((j, h))

    def index(h: str) -> int | None:
        return header.index(h) if h in header else None

    return _Columns(household, member, index("姓名"), index("证件号码"), index("与户主关系"), index("户编号"))


class _Collector:
    """Collects each household's values while its rows are written (rows come household by household)."""

    def __init__(self, cols: _Columns) -> None:
        self.cols = cols
        self.values: dict[int, dict[str, Any]] = {}
        self.rows = 0

    def _get(self, values: list[Any], j: int | None) -> str:
        return _text(values[j]) if j is not None else ""

    def add(self, hid: int, mid: int, values: list[Any]) -> None:
        self.rows += 1
        c = self.cols
        entry = self.values.get(hid)
        if entry is None:
            entry = self.values[hid] = {
                "household": {h: _text(values[j]) for j, h in c.household},
                "members": {},
                "names": {},
                "hh_code": self._get(values, c.hh_code),
                "head": str(mid),
            }
        key = str(mid)
        entry["members"][key] = {h: _text(values[j]) for j, h in c.member}
        entry["names"][key] = [self._get(values, c.name), self._get(values, c.id_number)]
        if self._get(values, c.relation) == "户主":
            entry["head"] = key

    def stream(self, table: RosterTable) -> Iterator[list[Any]]:
        for hid, mid, values in table.keyed_rows():
            self.add(hid, mid, values)
            yield values


def _diff(hid: int, old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """The fields of one household whose value differs between two stored value sets."""
    out: list[FieldChange] = []
    code = new.get("hh_code") or old.get("hh_code") or ""
    head_name, head_id = new["names"].get(new["head"], ["", ""])
    old_hh, new_hh = old.get("household", {}), new["household"]
    for h, value in new_hh.items():
        if h in old_hh and old_hh[h] != value:
            out.append(FieldChange(hid, code, head_name, head_id, h, old_hh[h], value))
    old_members = old.get("members", {})
    for mid, fields in new["members"].items():
        name, idn = new["names"][mid]
        before = old_members.get(mid)
        if before is None:
            out.append(FieldChange(hid, code, name, idn, MEMBER_FIELD, "（无）", "新增"))
            continue
        for h, value in fields.items():
            if h in before and before[h] != value:
                out.append(FieldChange(hid, code, name, idn, h, before[h], value))
    for mid in old_members:
        if mid not in new["members"]:
            name, idn = old.get("names", {}).get(mid, ["", ""])
            out.append(FieldChange(hid, code, name, idn, MEMBER_FIELD, "在册", "已移出"))
    return out


def _last_exported(session: Session) -> dict[int, tuple[int | None, dict[str, Any]]]:
    """Household id → (case id, values) its latest export gave it."""
    out: dict[int, tuple[int | None, dict[str, Any]]] = {}
    q = (
        select(NationalExportRecord.household_id, NationalExportRecord.case_id, NationalExportRecord.values)
        .where(NationalExportRecord.household_id.is_not(None))
        .order_by(NationalExportRecord.export_id, NationalExportRecord.id)
    )
    for hid, case_id, values in session.execute(q):
        out[hid] = (case_id, values)
    return out


def _changes(session: Session, layout_name: str) -> tuple[list[FieldChange], dict[int, MonitoringCase]]:
    last = _last_exported(session)
    if not last:
        return [], {}
    cases = _current_cases(session, {hid: case_id for hid, (case_id, _v) in last.items()})
    table = roster_table(session, layout_name, household_ids=set(last), cases=cases)
    collector = _Collector(_columns(table.header, layout_name))
    for _values in collector.stream(table):
        pass
    changes: list[FieldChange] = []
    for hid, current in collector.values.items():
        changes.extend(_diff(hid, last[hid][1], current))
    return changes, cases


def changes_since_last_export(session: Session, layout_name: str = BATCH_LAYOUT) -> list[FieldChange]:
    """Every field that differs from the value the household's last export gave it."""
    return _changes(session, layout_name)[0]


# ---------------------------------------------------------------------- writing


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _widths(header: list[str], text_columns: set[int]) -> dict[int, float]:
    return {i: 22.0 if i in text_columns else 12.0 for i in range(len(header))}


def export_batch(
    session: Session,
    kind: str,
    target: str | Path,
    *,
    layout_name: str = BATCH_LAYOUT,
    now: dt.datetime | None = None,
) -> ExportResult:
    """Write the ``kind`` batch list to ``target`` (.xlsx, atomically) and record it in the history.

    Raises ``UserError`` (“没有需要…”) when there is nothing to list; the file is not written then.
    """
    if kind not in KINDS:
        raise UserError(
            f"导出批次应为 new（新识别）、elimination（风险消除）或 changes（信息更正），不是“{kind}”。"
        )
    target = Path(target)
    now = now or dt.datetime.now().replace(microsecond=0)
    warnings = quality_warnings(session)
    changes: list[FieldChange] = []
    if kind == KIND_CHANGES:
        changes, current = _changes(session, layout_name)
        household_ids = {c.household_id for c in changes}
        cases = {hid: case for hid, case in current.items() if hid in household_ids}
    else:
        cases = pending_cases(session, kind)
        household_ids = set(cases)
    if not household_ids:
        raise UserError(_NOTHING[kind])

    cfg = settings_mod.load(session)
    table = roster_table(session, layout_name, household_ids=household_ids, cases=cases)
    collector = _Collector(_columns(table.header, layout_name))
    title = f"{cfg.township or ''}{KIND_LABELS[kind]}清单（录入全国防返贫监测信息系统用，导出时间 {now:%Y-%m-%d %H:%M}）"
    sheets = []
    if kind == KIND_CHANGES:
        sheets.append(
            TableSheet(
                CHANGES_SHEET,
                CHANGES_HEADER,
                ([c.hh_code, c.name, c.id_number, c.field, c.old, c.new] for c in changes),
                titles=[PRIVACY_WARNING, title],
                text_columns={0, 2, 4, 5},
                widths={0: 22.0, 1: 10.0, 2: 22.0, 3: 24.0, 4: 24.0, 5: 24.0},
            )
        )
    sheets.append(
        TableSheet(
            ROSTER_SHEET,
            table.header,
            collector.stream(table),
            titles=[PRIVACY_WARNING, title],
            text_columns=table.text_columns,
            widths=_widths(table.header, table.text_columns),
        )
    )
    write_table(target, sheets)
    checksum = sha256_of(target)

    export = NationalExport(
        kind=kind,
        created_at=now,
        created_by=str(session.info.get("user") or "系统")[:40],
        file_name=target.name,
        sha256=checksum,
        layout=layout_name,
        row_count=collector.rows,
        household_count=len(collector.values),
        change_count=len(changes),
    )
    session.add(export)
    session.flush()
    session.execute(
        NationalExportRecord.__table__.insert(),
        [
            {
                "export_id": export.id,
                "household_id": hid,
                "case_id": cases[hid].id if hid in cases else None,
                "hh_code": values["hh_code"] or None,
                "values": values,
            }
            for hid, values in collector.values.items()
        ],
    )
    return ExportResult(
        export.id, kind, target, checksum, collector.rows, len(collector.values), changes, warnings
    )


# ---------------------------------------------------------------------- history and marking


def history(session: Session) -> list[ExportInfo]:
    """Every batch file, newest first."""
    return [
        ExportInfo(
            e.id,
            e.kind,
            KIND_LABELS.get(e.kind, e.kind),
            e.created_at,
            e.created_by,
            e.file_name,
            e.sha256,
            e.row_count,
            e.household_count,
            e.change_count,
            e.entered_on,
            e.entered_by,
        )
        for e in session.scalars(select(NationalExport).order_by(NationalExport.id.desc()))
    ]


def mark_entered(
    session: Session, export_id: int, on: dt.date, *, today: dt.date | None = None
) -> MarkResult:
    """Mark batch ``export_id`` 已录入系统 on ``on``: each listed case gets its 系统录入 step."""
    export = session.get(NationalExport, export_id)
    if export is None:
        raise UserError(f"没有编号为 {export_id} 的导出记录。")
    if export.entered_on is not None:
        raise UserError(f"第 {export_id} 批已于 {export.entered_on:%Y-%m-%d} 标记为已录入系统。")
    marked = skipped = 0
    if export.kind in (KIND_NEW, KIND_ELIMINATION):
        procedure = IDENTIFICATION if export.kind == KIND_NEW else ELIMINATION
        statuses = ACTIVE_CASE_STATUSES if export.kind == KIND_NEW else (CASE_ELIMINATED,)
        for record in export.records:
            case = session.get(MonitoringCase, record.case_id) if record.case_id is not None else None
            if case is None or case.status not in statuses or _done(case, procedure, SYSTEM_ENTRY):
                skipped += 1
                continue
            try:
                add_step(
                    session, case.id, StepInput(procedure=procedure, step=SYSTEM_ENTRY, done_on=on), today
                )
            except UserError as exc:
                raise UserError(f"户编号 {record.hh_code or '（无）'}：{exc}") from exc
            marked += 1
    export.entered_on = on
    export.entered_by = str(session.info.get("user") or "系统")[:40]
    return MarkResult(marked, skipped)
