"""The household's monitoring case (监测对象) from a national export's monitoring columns.

A national roster export carries, on each person row, the household's 易返贫致贫户(监测对象)类型,
风险是否消除, 风险识别时间 (识别监测时间), 风险消除时间 and sometimes 风险消除方式, 返贫致贫风险1–5
(自然灾害类型) and a clue source. The roster import turns them into the household's
``MonitoringCase``. The rules, kept small on purpose:

**Reading.** Each value is the household's: the 户主 row's, else the first row that has one; a
row that says otherwise is a warning naming row and column (as for 村民小组 or 户类型). A cell that
cannot be read (a date like 2023年13月, an unknown category or risk) is an error of its row, and
the row is not imported, as for any other column (the importer's policy: rows with errors are left
out, the rest is written; an error on the 户主 row leaves the whole household out). Dates may be
``YYYYMM`` (202304 → 2023-04-01), ``YYYYMMDD``, ``YYYY-MM-DD``, ``YYYY/M/D`` or Excel dates. A blank
type (or 无 / 否 / 非监测对象) means the household is not monitored: nothing is done to its cases.
``致贫原因1`` is the 2014 poverty cause of a 脱贫户, not a monitoring risk, and is still not imported.
``人均纯收入`` is not the case's but the household's: ``plan.build_plan`` stores it as
``Household.national_per_capita_income`` for the year of ``数据日期`` (else the current year), by
``services.households.income.national_update`` (a blank cell erases nothing; the stored amount, or
the local figure shown now, again changes nothing; a cell that is not a non-negative amount is an
error of its row).

**What the file says.** A household whose type is a monitoring category is monitored since
风险识别时间 (required: without it the case is left alone, with a warning). 风险是否消除 = 是 means
已消除 on 风险消除时间 (required, not before the identification; else a warning and the case is
left alone) by 风险消除方式 if given; otherwise it is monitored now (已纳入, shown 监测中).

**Which case.** Among the household's cases, the one identified in the same month as the file
says (the same episode), else the newest one.

* No case, or the matched case is 不纳入 (不予认定) → a **new** case.
* The matched case is 已消除, the file says not eliminated and was identified after that
  elimination → a **new** case (a new episode) linked to it by ``previous_case_id``.
* Otherwise the file's category, status (已消除 / monitored: 已纳入, 消除中 and 已回退 all read as
  monitored), 识别监测时间, 风险消除时间, 风险消除方式 (when given) and risks (when the file has risk
  columns and this household has any) are compared with the case. A ``YYYYMM`` date (read as the
  1st) equals any day of that month. All equal → **unchanged**: nothing is written (re-importing the
  same file writes nothing, not even an audit entry).
* Different, and the clerk is working on the case here — origin 本地 and status 线索, 识别中 or
  消除中 — → **kept local**: nothing is written; the preview, the command line and the problem
  report list each difference (item, local value, national value).
* Different otherwise → **changed**: those fields are updated (through the ORM: the audit trail
  records each), the risks replaced; going back from 已消除 to monitored clears the elimination's
  date and mode; a case that came from the national system keeps its clue date = 识别监测时间.

**New cases** get origin 国家系统, source 集中排查 (or the file's 线索来源 column), clue date =
识别监测时间, and the steps the national system has done, marked ``from_national``: identification
县级审定 and 系统录入 on 识别监测时间, and for an eliminated case elimination 县级审定 and 系统录入 on
风险消除时间. A changed case gets the same national steps where it lacks them (national steps
already there follow the new dates; local steps are never touched; national elimination steps are
removed when the national system no longer says eliminated).

The category is not checked against the 户类型 (the national system decided it). Everything is
written in the importer's one transaction: new cases, steps and risks in bulk (Core) with their
insert audit entries naming the file, as for households and members.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fanpin_desktop.domain.cases import (
    ACTIVE_CASE_STATUSES,
    CASE_CLUE,
    CASE_ELIMINATED,
    CASE_ELIMINATING,
    CASE_IDENTIFYING,
    CASE_INCLUDED,
    CASE_NOT_INCLUDED,
)
from fanpin_desktop.models import CaseRisk, CaseStep, MonitoringCase
from fanpin_desktop.services.importer.fields import RISK_KEYS
from fanpin_desktop.services.importer.parse import HouseholdGroup, ParsedFile, shown
from fanpin_desktop.services.importer.validate import WARNING

if TYPE_CHECKING:
    from fanpin_desktop.services.importer.plan import ImportPlan

CASE_NEW, CASE_CHANGED, CASE_UNCHANGED, CASE_KEPT = "new", "changed", "unchanged", "kept"

ORIGIN_LOCAL = "本地"
ORIGIN_NATIONAL = "国家系统"
IMPORTED_SOURCE = "集中排查"  # the clue source of a case made from a national export
IDENTIFICATION, ELIMINATION = "识别", "消除"  # CaseStep.procedure
NATIONAL_STEPS = ("县级审定", "系统录入")  # done in the national system, on 识别/消除 date
#: a local case in one of these is being worked on here: the national export does not overwrite it
OPEN_LOCAL = (CASE_CLUE, CASE_IDENTIFYING, CASE_ELIMINATING)

STATUS_WORDS = {  # as the clerk reads them (services.cases.types.STATUS_LABELS)
    CASE_INCLUDED: "监测中",
    CASE_NOT_INCLUDED: "不予认定",
}
CASE_LABELS = {
    "category": "监测对象类别",
    "status": "监测状态",
    "identified_on": "识别监测时间",
    "eliminated_on": "风险消除时间",
    "elimination_mode": "风险消除方式",
    "risks": "返贫致贫风险",
}

Risks = tuple[tuple[str, str | None], ...]


class FileCase(NamedTuple):
    """What the file says about one household's case."""

    row: int  # index of the row the values were read from (the head's), for messages
    category: str
    eliminated: bool
    identified_on: dt.date
    eliminated_on: dt.date | None
    mode: str | None  # 风险消除方式, None when not given
    risks: Risks | None  # None: the file gives none for this household (risks are left alone)
    source: str | None


class StoredCase(NamedTuple):
    id: int
    status: str
    origin: str
    category: str | None
    identified_on: dt.date | None
    eliminated_on: dt.date | None
    mode: str | None
    risks: Risks


@dataclass
class PlannedCase:
    action: str  # CASE_NEW / CASE_CHANGED / CASE_UNCHANGED / CASE_KEPT
    file: FileCase
    existing_id: int | None = None
    previous_case_id: int | None = None  # a new episode after this eliminated case
    changes: tuple[tuple[str, Any, Any], ...] = ()  # (attr, stored, file's)


# ---------------------------------------------------------------------- reading the database


def stored_cases(session: Session) -> dict[int, tuple[StoredCase, ...]]:
    """Every household's cases, oldest first (two queries)."""
    risks: dict[int, list[tuple[str, str | None]]] = {}
    for case_id, risk, sub in session.execute(
        select(CaseRisk.case_id, CaseRisk.risk_type, CaseRisk.subtype).order_by(
            CaseRisk.case_id, CaseRisk.position
        )
    ):
        risks.setdefault(case_id, []).append((risk, sub))
    out: dict[int, list[StoredCase]] = {}
    for r in session.execute(
        select(
            MonitoringCase.household_id,
            MonitoringCase.id,
            MonitoringCase.status,
            MonitoringCase.origin,
            MonitoringCase.category,
            MonitoringCase.identified_on,
            MonitoringCase.eliminated_on,
            MonitoringCase.elimination_mode,
        ).order_by(MonitoringCase.household_id, MonitoringCase.clue_date, MonitoringCase.id)
    ):
        out.setdefault(r[0], []).append(StoredCase(*r[1:], tuple(risks.get(r[1], ()))))  # type: ignore[arg-type]
    return {hid: tuple(cases) for hid, cases in out.items()}


# ---------------------------------------------------------------------- reading the file

Add = Callable[..., None]  # build_plan's add(i, key, value, message, severity)


def has_case_columns(parsed: ParsedFile) -> bool:
    return "case_category" in parsed.values


def file_cases(parsed: ParsedFile, live: Sequence[HouseholdGroup], add: Add) -> list[FileCase | None] | None:
    """Each live household's case as the file gives it (None: not monitored, or left alone with a
    warning); None when the file has no 监测对象类型 column."""
    vals = parsed.values
    cat_col = vals.get("case_category")
    if cat_col is None:
        return None
    out: list[FileCase | None] = [None] * len(live)
    if not any(cat_col):
        return out
    risk_cols = [vals[k] for k in RISK_KEYS if k in vals]
    sub_col = vals.get("case_disaster_subtype")

    def value(g: HouseholdGroup, col: list[Any] | None) -> Any:
        if col is None:
            return None
        v = col[g.head] if g.head is not None else None
        if v is None:
            v = next((col[i] for i in g.rows if col[i] is not None), None)
        return v

    get = vals.get
    for j, g in enumerate(live):
        category = value(g, cat_col)
        if category is None:
            continue
        head = g.head if g.head is not None else g.rows[0]
        eliminated = bool(value(g, get("case_eliminated")))
        identified = value(g, get("case_identified_on"))
        eliminated_on = value(g, get("case_eliminated_on")) if eliminated else None
        if identified is None:
            add(
                head,
                "case_identified_on",
                "",
                f"监测对象类型为“{category}”，但风险识别时间为空：未建立或更新监测对象记录（补上识别时间后重新导入）",
                WARNING,
            )
            continue
        if eliminated and eliminated_on is None:
            add(
                head,
                "case_eliminated_on",
                "",
                "风险已消除，但风险消除时间为空：未建立或更新监测对象记录（补上消除时间后重新导入）",
                WARNING,
            )
            continue
        if eliminated_on is not None and eliminated_on < identified:
            add(
                head,
                "case_eliminated_on",
                eliminated_on.isoformat(),
                f"风险消除时间早于风险识别时间（{identified.isoformat()}）：未建立或更新监测对象记录",
                WARNING,
            )
            continue
        risks: Risks | None = None
        if risk_cols:
            found: list[tuple[str, str | None]] = []
            for col in risk_cols:
                r = value(g, col)
                if r is not None and all(r[0] != x[0] for x in found):
                    found.append(r)
            if found:
                sub = value(g, sub_col)
                if sub is not None:
                    found = [(t, s or sub) if t == "因自然灾害" else (t, s) for t, s in found]
                risks = tuple(found)
        out[j] = FileCase(
            head,
            category,
            eliminated,
            identified,
            eliminated_on,
            value(g, get("case_elimination_mode")) if eliminated else None,
            risks,
            value(g, get("case_source")),
        )
    return out


# ---------------------------------------------------------------------- comparing


def same_date(stored: dt.date | None, given: dt.date | None) -> bool:
    """Equal, or ``given`` is a month (YYYYMM, read as the 1st) that ``stored`` falls in."""
    if stored == given:
        return True
    return (
        stored is not None
        and given is not None
        and given.day == 1
        and (stored.year, stored.month) == (given.year, given.month)
    )


def plan_case(file: FileCase, stored: tuple[StoredCase, ...]) -> PlannedCase:
    if not stored:
        return PlannedCase(CASE_NEW, file)
    match = next((c for c in reversed(stored) if same_date(c.identified_on, file.identified_on)), None)
    if match is None:
        match = stored[-1]
    if match.status == CASE_NOT_INCLUDED:
        return PlannedCase(CASE_NEW, file)
    if (
        match.status == CASE_ELIMINATED
        and not file.eliminated
        and match.eliminated_on is not None
        and file.identified_on > match.eliminated_on
        and not same_date(match.identified_on, file.identified_on)
    ):
        return PlannedCase(CASE_NEW, file, previous_case_id=match.id)
    changes = differences(match, file)
    if not changes:
        return PlannedCase(CASE_UNCHANGED, file, match.id)
    if match.origin == ORIGIN_LOCAL and match.status in OPEN_LOCAL:
        return PlannedCase(CASE_KEPT, file, match.id, changes=changes)
    return PlannedCase(CASE_CHANGED, file, match.id, changes=changes)


def file_status(file: FileCase, stored_status: str | None = None) -> str:
    if file.eliminated:
        return CASE_ELIMINATED
    return stored_status if stored_status in ACTIVE_CASE_STATUSES else CASE_INCLUDED  # type: ignore[return-value]


def differences(case: StoredCase, file: FileCase) -> tuple[tuple[str, Any, Any], ...]:
    out: list[tuple[str, Any, Any]] = []
    if case.category != file.category:
        out.append(("category", case.category, file.category))
    status = file_status(file, case.status)
    if status != case.status:
        out.append(("status", case.status, status))
    if not same_date(case.identified_on, file.identified_on):
        out.append(("identified_on", case.identified_on, file.identified_on))
    if file.eliminated:
        if not same_date(case.eliminated_on, file.eliminated_on):
            out.append(("eliminated_on", case.eliminated_on, file.eliminated_on))
        if file.mode is not None and case.mode != file.mode:
            out.append(("elimination_mode", case.mode, file.mode))
    elif case.status == CASE_ELIMINATED:  # the national system no longer says eliminated
        if case.eliminated_on is not None:
            out.append(("eliminated_on", case.eliminated_on, None))
        if case.mode is not None:
            out.append(("elimination_mode", case.mode, None))
    if file.risks is not None and file.risks != case.risks:
        out.append(("risks", case.risks, file.risks))
    return tuple(out)


def show(attr: str, value: Any) -> str:
    if attr == "status":
        return STATUS_WORDS.get(value, value or "")
    if attr == "risks":
        return "、".join(map(shown, value or ()))
    return shown(value)


def difference_rows(plan: ImportPlan, actions: tuple[str, ...]) -> list[dict[str, Any]]:
    """One row per differing item of the cases with these actions: row, household, what was done,
    item, the local (stored) value and the national (file's) value."""
    p = plan.parsed
    out = []
    for hh in plan.households:
        case = hh.case
        if case is None or case.action not in actions:
            continue
        what = "本地正在办理，未覆盖" if case.action == CASE_KEPT else "将按国家系统更新"
        for attr, old, new in case.changes:
            out.append(
                {
                    "row": p.rownums[case.file.row],
                    "household": hh.label,
                    "action": what,
                    "field": CASE_LABELS[attr],
                    "old": show(attr, old),
                    "new": show(attr, new),
                }
            )
    return out


# ---------------------------------------------------------------------- writing


def _steps_for(file: FileCase) -> list[tuple[str, str, dt.date]]:
    steps = [(IDENTIFICATION, s, file.identified_on) for s in NATIONAL_STEPS]
    if file.eliminated:
        assert file.eliminated_on is not None
        steps += [(ELIMINATION, s, file.eliminated_on) for s in NATIONAL_STEPS]
    return steps


def write_cases(
    session: Session,
    plan: ImportPlan,
    household_ids: Sequence[int],
    insert_rows: Callable[[Any, dict[str, list[Any]]], None],
    insert_audit: Callable[[Any, int, int], None],
) -> dict[str, int]:
    """Write the plan's new and changed cases (``household_ids[k]`` is ``plan.households[k]``'s
    id). ``insert_rows(table, columns)`` and ``insert_audit(table, first_id, last_id)`` are the
    importer's bulk insert and its insert audit entries."""
    new: list[tuple[int, PlannedCase]] = []
    changed: dict[int, PlannedCase] = {}
    for hh, hid in zip(plan.households, household_ids, strict=True):
        case = hh.case
        if case is None:
            continue
        if case.action == CASE_NEW:
            new.append((hid, case))
        elif case.action == CASE_CHANGED:
            assert case.existing_id is not None
            changed[case.existing_id] = case
    if new:
        _insert_new(session, new, insert_rows, insert_audit)
    if changed:
        _update_changed(session, changed)
    return {"c_new": len(new), "c_changed": len(changed)}


def _insert_new(
    session: Session,
    new: list[tuple[int, PlannedCase]],
    insert_rows: Callable[[Any, dict[str, list[Any]]], None],
    insert_audit: Callable[[Any, int, int], None],
) -> None:
    first = (session.execute(select(func.max(MonitoringCase.id))).scalar() or 0) + 1
    ids = list(range(first, first + len(new)))
    files = [c.file for _hid, c in new]
    insert_rows(
        MonitoringCase.__table__,
        {
            "id": ids,
            "household_id": [hid for hid, _c in new],
            "previous_case_id": [c.previous_case_id for _hid, c in new],
            "source": [f.source or IMPORTED_SOURCE for f in files],
            "category": [f.category for f in files],
            "status": [file_status(f) for f in files],
            "clue_date": [f.identified_on for f in files],
            "identified_on": [f.identified_on for f in files],
            "elimination_mode": [f.mode for f in files],
            "eliminated_on": [f.eliminated_on for f in files],
            "origin": [ORIGIN_NATIONAL] * len(new),
        },
    )
    insert_audit(MonitoringCase.__table__, ids[0], ids[-1])
    steps: dict[str, list[Any]] = {"id": [], "case_id": [], "procedure": [], "step": [], "done_on": []}
    risks: dict[str, list[Any]] = {"id": [], "case_id": [], "position": [], "risk_type": [], "subtype": []}
    next_step = (session.execute(select(func.max(CaseStep.id))).scalar() or 0) + 1
    next_risk = (session.execute(select(func.max(CaseRisk.id))).scalar() or 0) + 1
    for case_id, f in zip(ids, files, strict=True):
        for procedure, step, on in _steps_for(f):
            steps["id"].append(next_step + len(steps["id"]))
            steps["case_id"].append(case_id)
            steps["procedure"].append(procedure)
            steps["step"].append(step)
            steps["done_on"].append(on)
        for position, (risk, sub) in enumerate(f.risks or (), 1):
            risks["id"].append(next_risk + len(risks["id"]))
            risks["case_id"].append(case_id)
            risks["position"].append(position)
            risks["risk_type"].append(risk)
            risks["subtype"].append(sub)
    steps["from_national"] = [True] * len(steps["id"])
    insert_rows(CaseStep.__table__, steps)
    insert_audit(CaseStep.__table__, steps["id"][0], steps["id"][-1])
    if risks["id"]:
        insert_rows(CaseRisk.__table__, risks)
        insert_audit(CaseRisk.__table__, risks["id"][0], risks["id"][-1])


def _update_changed(session: Session, changed: dict[int, PlannedCase]) -> None:
    ids = list(changed)
    cases: list[MonitoringCase] = []
    for start in range(0, len(ids), 500):
        cases.extend(
            session.scalars(select(MonitoringCase).where(MonitoringCase.id.in_(ids[start : start + 500])))
        )
    for case in cases:
        plan = changed[case.id]
        for attr, _old, new in plan.changes:
            if attr == "risks":
                for risk in list(case.risks):
                    case.risks.remove(risk)
                session.flush()  # the old positions are free before the new risks take them
                for position, (risk_type, sub) in enumerate(new, 1):
                    case.risks.append(CaseRisk(position=position, risk_type=risk_type, subtype=sub))
            else:
                setattr(case, attr, new)
                if attr == "identified_on" and case.origin == ORIGIN_NATIONAL:
                    case.clue_date = new  # an imported case's clue date is its 识别监测时间
        wanted = _steps_for(plan.file)
        for procedure, step, on in wanted:
            same = [s for s in case.steps if s.procedure == procedure and s.step == step]
            if not same:
                case.steps.append(CaseStep(procedure=procedure, step=step, done_on=on, from_national=True))
            else:
                for s in same:
                    if s.from_national and s.done_on != on:
                        s.done_on = on
        if not plan.file.eliminated:
            for s in list(case.steps):
                if s.procedure == ELIMINATION and s.from_national:
                    case.steps.remove(s)
    session.flush()
