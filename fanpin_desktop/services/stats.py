"""附件3 排查情况统计表: computed from the records, reported every Friday, kept week by week.

Every countable cell comes from the database by a handful of GROUP BY queries (one per kind of
record, grouped by village), never typed. Only the cells that are not records — grids, grid
workers, training head-counts, the scale-risk explanation, COVID-blocked migrant workers, the
remark — come from ``VillageStatsInput`` (grids fall back to the village's grid list).

How each cell is counted (户/人 cells count distinct households and their current members):

* 应排查: every household of the village; 已排查: those with an appendix 1 record of the
  campaign dated on or before the report day.
* 新增监测对象 by category: cases identified (识别监测时间 set, not 不纳入) by the report day, that
  came from this campaign or were identified within its dates; re-identifications after an
  elimination (``previous_case_id``) are counted in their own column, not here.
* 回退: cases rolled back within the campaign's dates; 重新识别: re-identified cases as above.
  (Which cases are identified, rolled back, eliminated or in elimination is decided by the
  conditions of ``services/cases/stats.py``, shared with the 监测对象 statistics.)
* 未消除风险监测对象制定措施条数: measures of open cases (已纳入 / 消除中 / 已回退).
* 本次拟标记消除风险数: cases in the elimination procedure (消除中) or eliminated within the dates.
* 脱贫户和已消除风险的监测对象当年帮扶措施条数: measures of the campaign year of 脱贫户 and of
  eliminated monitoring objects that have no open case.
* 问题（总数/正在整改）: problems of the campaign found by the report day, by the
  column's problem types from the layout; on-the-spot fixes count as found, never as 正在整改.
  Township-level problems appear in the total row only.

Snapshots keep the report as it stood on each Friday (``StatsSnapshot.data`` is the JSON of
:class:`StatsReport`), so any week can be reprinted and compared with the week before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from fanpin_desktop.domain import appendix1
from fanpin_desktop.domain import appendix_layouts as layouts
from fanpin_desktop.domain.cases import (
    ACTIVE_CASE_STATUSES,
    CASE_ELIMINATED,
)
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import (
    Campaign,
    Grid,
    Household,
    HouseholdScreening,
    Measure,
    Member,
    MonitoringCase,
    Problem,
    StatsSnapshot,
    Village,
    VillageGroup,
    VillageStatsInput,
)
from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services import ledger
from fanpin_desktop.services.cases import stats as case_conditions

TOTAL_LABEL = "合计"
FRIDAY = 4
INPUT_FIELDS = (
    "grid_count",
    "grid_worker_count",
    "grid_training_count",
    "scale_risk",
    "scale_risk_note",
    "covid_blocked_total",
    "covid_blocked_solved",
    "remark",
)

Pair = tuple[int, int]


# --------------------------------------------------------------------------- report structures


@dataclass
class StatsRow:
    village_id: int | None  # None: the township total
    village: str
    cells: dict[str, Any] = field(default_factory=dict)  # pair cells are (households, people)


@dataclass
class StatsReport:
    campaign_id: int
    year: int
    as_of: dt.date
    rows: list[StatsRow]
    total: StatsRow
    kinds: dict[str, str]  # column key -> kind (pair / int / text / …)

    def row(self, village_id: int | None) -> StatsRow:
        if village_id is None:
            return self.total
        for r in self.rows:
            if r.village_id == village_id:
                return r
        raise KeyError(village_id)

    def text(self, row: StatsRow, key: str) -> str:
        return cell_text(self.kinds.get(key, "text"), row.cells.get(key))

    def to_data(self) -> dict[str, Any]:
        def enc(r: StatsRow) -> dict[str, Any]:
            return {
                "village_id": r.village_id,
                "village": r.village,
                "cells": {k: list(v) if isinstance(v, tuple) else v for k, v in r.cells.items()},
            }

        return {
            "version": 1,
            "campaign_id": self.campaign_id,
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "kinds": self.kinds,
            "rows": [enc(r) for r in self.rows],
            "total": enc(self.total),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> StatsReport:
        kinds = dict(data["kinds"])

        def dec(d: Mapping[str, Any]) -> StatsRow:
            cells = {
                k: (tuple(v) if kinds.get(k) == "pair" and v is not None else v)
                for k, v in d["cells"].items()
            }
            return StatsRow(d["village_id"], d["village"], cells)

        return cls(
            int(data["campaign_id"]),
            int(data["year"]),
            dt.date.fromisoformat(data["as_of"]),
            [dec(r) for r in data["rows"]],
            dec(data["total"]),
            kinds,
        )


def cell_text(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "pair":
        return f"{value[0]}/{value[1]}"
    return str(value)


# --------------------------------------------------------------------------- queries


def _sizes() -> Any:
    return (
        select(Member.household_id.label("hid"), func.count().label("n"))
        .group_by(Member.household_id)
        .subquery()
    )


def _pairs(session: Session, households: Any, group: Any = None) -> dict[Any, Pair]:
    """{village_id (, group)}: (distinct households, their members) for a subquery of ``hid``."""
    size = _sizes()
    cols = [Household.village_id] + ([group] if group is not None else [])
    stmt = (
        select(*cols, func.count(), func.coalesce(func.sum(size.c.n), 0))
        .select_from(households)
        .join(Household, Household.id == households.c.hid)
        .outerjoin(size, size.c.hid == Household.id)
        .group_by(*cols)
    )
    out: dict[Any, Pair] = {}
    for row in session.execute(stmt):
        key = row[0] if group is None else (row[0], row[1])
        out[key] = (int(row[-2]), int(row[-1]))
    return out


def _window(c: Campaign, as_of: dt.date) -> tuple[dt.date, dt.date]:
    return c.start_date, min(c.end_date, as_of)


def _identified_here(c: Campaign, as_of: dt.date) -> Any:
    start, end = _window(c, as_of)
    return and_(
        case_conditions.identified_by(as_of),
        or_(MonitoringCase.campaign_id == c.id, MonitoringCase.identified_on.between(start, end)),
    )


def _active_case_exists() -> Any:
    return exists().where(MonitoringCase.household_id == Household.id, case_conditions.active())


def _due_and_screened(session: Session, c: Campaign, vids: list[int], as_of: dt.date) -> dict[int, list[int]]:
    size = _sizes()
    s = HouseholdScreening
    done = s.id.is_not(None)
    n = func.coalesce(size.c.n, 0)
    stmt = (
        select(
            Household.village_id,
            func.count(),
            func.coalesce(func.sum(n), 0),
            func.coalesce(func.sum(case((done, 1), else_=0)), 0),
            func.coalesce(func.sum(case((done, n), else_=0)), 0),
        )
        .select_from(Household)
        .outerjoin(size, size.c.hid == Household.id)
        .outerjoin(s, and_(s.household_id == Household.id, s.campaign_id == c.id, s.screened_on <= as_of))
        .where(Household.village_id.in_(vids))
        .group_by(Household.village_id)
    )
    return {row[0]: [int(v) for v in row[1:]] for row in session.execute(stmt)}


def _measure_counts(session: Session, c: Campaign, vids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    case_alias = MonitoringCase.__table__.alias("mcase")
    open_measure = or_(
        case_alias.c.status.in_(ACTIVE_CASE_STATUSES),
        and_(Measure.case_id.is_(None), _active_case_exists()),
    )
    stmt = (
        select(Household.village_id, func.count(Measure.id))
        .select_from(Measure)
        .join(Household, Household.id == Measure.household_id)
        .outerjoin(case_alias, case_alias.c.id == Measure.case_id)
        .where(Household.village_id.in_(vids), open_measure)
        .group_by(Household.village_id)
    )
    open_counts = {v: int(n) for v, n in session.execute(stmt)}

    of_year = or_(
        Measure.year == c.year,
        and_(Measure.year.is_(None), func.strftime("%Y", Measure.start_date) == str(c.year)),
    )
    eliminated = exists().where(
        MonitoringCase.household_id == Household.id, MonitoringCase.status == CASE_ELIMINATED
    )
    stmt = (
        select(Household.village_id, func.count(Measure.id))
        .select_from(Measure)
        .join(Household, Household.id == Measure.household_id)
        .where(
            Household.village_id.in_(vids),
            of_year,
            ~_active_case_exists(),
            or_(Household.household_type == appendix1.TUOPIN, eliminated),
        )
        .group_by(Household.village_id)
    )
    year_counts = {v: int(n) for v, n in session.execute(stmt)}
    return open_counts, year_counts


def _problem_counts(
    session: Session, c: Campaign, vids: list[int], as_of: dt.date
) -> dict[tuple[int | None, str], tuple[int, int]]:
    in_progress = func.sum(
        case((and_(Problem.status == ledger.IN_PROGRESS, Problem.on_the_spot.is_(False)), 1), else_=0)
    )
    stmt = (
        select(Problem.village_id, Problem.problem_type, func.count(), func.coalesce(in_progress, 0))
        .where(
            Problem.campaign_id == c.id,
            or_(Problem.found_on.is_(None), Problem.found_on <= as_of),
            or_(Problem.village_id.is_(None), Problem.village_id.in_(vids)),
        )
        .group_by(Problem.village_id, Problem.problem_type)
    )
    return {(v, t): (int(n), int(p)) for v, t, n, p in session.execute(stmt)}


def _grid_counts(session: Session, vids: list[int]) -> dict[int, tuple[int, int, int]]:
    stmt = (
        select(
            Grid.village_id,
            func.count(),
            func.count(Grid.worker_name),
            func.coalesce(func.sum(case((Grid.trained.is_(True), 1), else_=0)), 0),
        )
        .where(Grid.village_id.in_(vids))
        .group_by(Grid.village_id)
    )
    return {v: (int(a), int(b), int(t)) for v, a, b, t in session.execute(stmt)}


# --------------------------------------------------------------------------- the report


def _layout(c: Campaign) -> layouts.Layout:
    return layouts.load(3, c.year)


def compute(
    session: Session,
    campaign_id: int | None = None,
    as_of: dt.date | None = None,
    village_id: int | None = None,
) -> StatsReport:
    """Appendix 3 for the campaign's villages (or one village) and the township total."""
    c = campaign_service.resolve(session, campaign_id)
    as_of = as_of or dt.date.today()
    layout = _layout(c)
    kinds = {col.key: col.kind for col in layout.columns}
    all_vids = campaign_service.village_ids(session, c)
    vids = [village_id] if village_id is not None else all_vids
    names = dict(session.execute(select(Village.id, Village.name).where(Village.id.in_(vids))).all())
    vids = [v for v in vids if v in names]

    due = _due_and_screened(session, c, vids, as_of)

    new_cases = (
        select(MonitoringCase.household_id.label("hid"), MonitoringCase.category.label("cat"))
        .where(_identified_here(c, as_of), MonitoringCase.previous_case_id.is_(None))
        .distinct()
        .subquery()
    )
    new_by_cat = _pairs(session, new_cases, new_cases.c.cat)

    start, end = _window(c, as_of)
    rolled = (
        select(MonitoringCase.household_id.label("hid"))
        .where(case_conditions.rolled_back_between(start, end))
        .distinct()
        .subquery()
    )
    rolled_back = _pairs(session, rolled)
    reid = (
        select(MonitoringCase.household_id.label("hid"))
        .where(_identified_here(c, as_of), MonitoringCase.previous_case_id.is_not(None))
        .distinct()
        .subquery()
    )
    reidentified = _pairs(session, reid)
    elim = (
        select(MonitoringCase.household_id.label("hid"))
        .where(case_conditions.to_eliminate_between(start, end))
        .distinct()
        .subquery()
    )
    to_eliminate = _pairs(session, elim)

    measures_open, measures_year = _measure_counts(session, c, vids)
    problems = _problem_counts(session, c, vids, as_of)
    grids = _grid_counts(session, vids)
    inputs = {
        r.village_id: r
        for r in session.scalars(
            select(VillageStatsInput).where(
                VillageStatsInput.campaign_id == c.id, VillageStatsInput.village_id.in_(vids)
            )
        )
    }

    category_cols = [(col.key, col.extra["category"]) for col in layout.columns if "category" in col.extra]
    problem_cols = [
        (col.key, tuple(col.extra["problem_types"])) for col in layout.columns if "problem_types" in col.extra
    ]
    zero: Pair = (0, 0)

    rows: list[StatsRow] = []
    for seq, vid in enumerate(vids, 1):
        d = due.get(vid, [0, 0, 0, 0])
        inp = inputs.get(vid)
        g = grids.get(vid, (0, 0, 0))
        cells: dict[str, Any] = {
            "seq": seq,
            "village": names[vid],
            "due": (d[0], d[1]),
            "screened": (d[2], d[3]),
            "grid_count": _first(inp.grid_count if inp else None, g[0]),
            "grid_worker_count": _first(inp.grid_worker_count if inp else None, g[1]),
            "grid_training_count": _first(inp.grid_training_count if inp else None, g[2]),
            "rolled_back": rolled_back.get(vid, zero),
            "reidentified": reidentified.get(vid, zero),
            "measures_open": measures_open.get(vid, 0),
            "to_eliminate": to_eliminate.get(vid, zero),
            "measures_year": measures_year.get(vid, 0),
            "scale_risk": _scale_text(inp.scale_risk, inp.scale_risk_note) if inp else "",
            "covid_blocked": _covid(inp),
            "remark": (inp.remark or "") if inp else "",
        }
        for key, cat in category_cols:
            cells[key] = new_by_cat.get((vid, cat), zero)
        for key, types in problem_cols:
            cells[key] = _sum_pairs(problems.get((vid, t), zero) for t in types)
        rows.append(StatsRow(vid, names[vid], cells))

    total = _total(rows, kinds, problem_cols, problems if village_id is None else {}, layout)
    return StatsReport(c.id, c.year, as_of, rows, total, kinds)


def _first(value: int | None, fallback: int) -> int:
    return value if value is not None else fallback


def _scale_text(flag: bool | None, note: str | None) -> str:
    if flag is None:
        return ""
    if flag:
        return f"是，{note.strip()}" if note and note.strip() else "是"
    return "否"


def _covid(inp: VillageStatsInput | None) -> Pair | None:
    if inp is None or (inp.covid_blocked_total is None and inp.covid_blocked_solved is None):
        return None
    return (inp.covid_blocked_total or 0, inp.covid_blocked_solved or 0)


def _sum_pairs(pairs: Iterable[Pair | None]) -> Pair:
    h = p = 0
    for pair in pairs:
        if pair is not None:
            h, p = h + pair[0], p + pair[1]
    return (h, p)


def _total(
    rows: list[StatsRow],
    kinds: dict[str, str],
    problem_cols: list[tuple[str, tuple[str, ...]]],
    problems: Mapping[tuple[int | None, str], tuple[int, int]],
    layout: layouts.Layout,
) -> StatsRow:
    cells: dict[str, Any] = {"seq": None, "village": layout.raw.get("total_label", TOTAL_LABEL)}
    for key, kind in kinds.items():
        if key in cells:
            continue
        values = [r.cells.get(key) for r in rows]
        if kind == "pair":
            present = [v for v in values if v is not None]
            cells[key] = _sum_pairs(present) if present or key != "covid_blocked" else None
        elif kind == "int":
            cells[key] = sum(v for v in values if v is not None)
        else:
            cells[key] = ""
    # township-level problems (no village) count in the total only
    for key, types in problem_cols:
        cells[key] = _sum_pairs([cells[key], *(problems.get((None, t)) for t in types)])
    yes = [r.village for r in rows if str(r.cells.get("scale_risk", "")).startswith("是")]
    answered = [r for r in rows if r.cells.get("scale_risk")]
    if yes:
        cells["scale_risk"] = "是（" + "、".join(yes) + "）"
    elif rows and len(answered) == len(rows):
        cells["scale_risk"] = "否"
    return StatsRow(None, cells["village"], cells)


# --------------------------------------------------------------------------- inputs per village


def load_inputs(session: Session, campaign_id: int | None, village_id: int) -> dict[str, Any]:
    c = campaign_service.resolve(session, campaign_id)
    rec = session.scalar(
        select(VillageStatsInput).where(
            VillageStatsInput.campaign_id == c.id, VillageStatsInput.village_id == village_id
        )
    )
    return {k: getattr(rec, k) if rec else None for k in INPUT_FIELDS}


_INPUT_LABELS = {
    "grid_count": "调整后的网格数",
    "grid_worker_count": "调整后的网格员数",
    "grid_training_count": "网格员培训人次",
    "covid_blocked_total": "因疫情外出务工受阻总人数",
    "covid_blocked_solved": "因疫情外出务工受阻已解决人数",
}


def save_inputs(
    session: Session, campaign_id: int | None, village_id: int, **values: Any
) -> VillageStatsInput:
    """The appendix 3 cells that are not records, for one village (None clears a cell)."""
    unknown = set(values) - set(INPUT_FIELDS)
    if unknown:
        raise KeyError(f"unknown stats inputs: {sorted(unknown)}")
    c = campaign_service.resolve(session, campaign_id)
    if session.get(Village, village_id) is None:
        raise UserError("该行政村已不存在，请刷新后重试。")
    for k, label in _INPUT_LABELS.items():
        v = values.get(k)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ValidationError(k, f"{label}应为不小于0的整数，现为“{v}”。")
    total = values.get("covid_blocked_total")
    solved = values.get("covid_blocked_solved")
    if total is not None and solved is not None and solved > total:
        raise ValidationError("covid_blocked_solved", f"已解决人数{solved}大于受阻总人数{total}。")
    if values.get("scale_risk") is True and not str(values.get("scale_risk_note") or "").strip():
        raise ValidationError("scale_risk_note", "存在规模性返贫风险隐患时请详细说明。")
    rec = session.scalar(
        select(VillageStatsInput).where(
            VillageStatsInput.campaign_id == c.id, VillageStatsInput.village_id == village_id
        )
    )
    if rec is None:
        rec = VillageStatsInput(campaign_id=c.id, village_id=village_id)
        session.add(rec)
    for k, v in values.items():
        if isinstance(v, str):
            v = v.strip() or None
        setattr(rec, k, v)
    session.flush()
    return rec


# --------------------------------------------------------------------------- weekly snapshots


def report_friday(day: dt.date) -> dt.date:
    """The Friday of ``day``'s week (Monday to Sunday): the reporting day of that week."""
    return day + dt.timedelta(days=FRIDAY - day.weekday())


@dataclass(frozen=True)
class SnapshotInfo:
    id: int
    campaign_id: int
    report_date: dt.date
    taken_at: dt.datetime


def take_snapshot(
    session: Session,
    campaign_id: int | None = None,
    report_date: dt.date | None = None,
    today: dt.date | None = None,
) -> StatsSnapshot:
    """Store the report for ``report_date`` (default: this week's Friday), replacing an earlier
    snapshot of the same day. Records dated after that day are left out."""
    c = campaign_service.resolve(session, campaign_id)
    today = today or dt.date.today()
    report_date = report_date or report_friday(today)
    report = compute(session, c.id, as_of=min(report_date, today))
    snap = session.scalar(
        select(StatsSnapshot).where(
            StatsSnapshot.campaign_id == c.id, StatsSnapshot.report_date == report_date
        )
    )
    if snap is None:
        snap = StatsSnapshot(campaign_id=c.id, report_date=report_date, data=report.to_data())
        session.add(snap)
    else:
        snap.data = report.to_data()
        snap.taken_at = dt.datetime.now().replace(microsecond=0)
    session.flush()
    return snap


def ensure_weekly_snapshot(
    session: Session, campaign_id: int | None = None, today: dt.date | None = None
) -> StatsSnapshot | None:
    """From Friday on, make sure this week's Friday report is stored (called at start-up and after
    saving); does nothing outside the campaign's dates or when the snapshot exists."""
    c = campaign_service.resolve(session, campaign_id)
    today = today or dt.date.today()
    friday = _friday_due(session, c, today)
    if friday is None:
        return None
    return take_snapshot(session, c.id, friday, today)


def _friday_due(session: Session, c: Campaign, today: dt.date) -> dt.date | None:
    """This week's Friday when its report should be stored and is not yet."""
    friday = report_friday(today)
    if today < friday or friday < c.start_date or friday > c.end_date + dt.timedelta(days=7):
        return None
    exists_ = session.scalar(
        select(StatsSnapshot.id).where(StatsSnapshot.campaign_id == c.id, StatsSnapshot.report_date == friday)
    )
    return None if exists_ is not None else friday


def weekly_snapshot_due(
    session: Session, campaign_id: int | None = None, today: dt.date | None = None
) -> bool:
    """Whether ``ensure_weekly_snapshot`` would store a report now (a read: the window asks
    before it runs that write)."""
    c = campaign_service.resolve(session, campaign_id)
    return _friday_due(session, c, today or dt.date.today()) is not None


def snapshots(session: Session, campaign_id: int | None = None) -> list[SnapshotInfo]:
    c = campaign_service.resolve(session, campaign_id)
    stmt = (
        select(StatsSnapshot.id, StatsSnapshot.campaign_id, StatsSnapshot.report_date, StatsSnapshot.taken_at)
        .where(StatsSnapshot.campaign_id == c.id)
        .order_by(StatsSnapshot.report_date)
    )
    return [SnapshotInfo(*row) for row in session.execute(stmt)]


def load_snapshot(session: Session, snapshot_id: int) -> StatsReport:
    snap = session.get(StatsSnapshot, snapshot_id)
    if snap is None:
        raise UserError("该周报记录已不存在，请刷新后重试。")
    return StatsReport.from_data(snap.data)


def snapshot_for(session: Session, campaign_id: int, report_date: dt.date) -> StatsReport | None:
    snap = session.scalar(
        select(StatsSnapshot).where(
            StatsSnapshot.campaign_id == campaign_id, StatsSnapshot.report_date == report_date
        )
    )
    return StatsReport.from_data(snap.data) if snap else None


def previous_snapshot(session: Session, campaign_id: int, before: dt.date) -> StatsReport | None:
    """The latest stored report strictly before ``before`` (last week's, for the change column)."""
    snap = session.scalar(
        select(StatsSnapshot)
        .where(StatsSnapshot.campaign_id == campaign_id, StatsSnapshot.report_date < before)
        .order_by(StatsSnapshot.report_date.desc())
        .limit(1)
    )
    return StatsReport.from_data(snap.data) if snap else None


# --------------------------------------------------------------------------- week-on-week change


Delta = int | tuple[int, int]


def diff(current: StatsReport, previous: StatsReport | None) -> dict[int | None, dict[str, Delta]]:
    """Change of every numeric cell since ``previous``, per village id (None = total); cells that
    did not change are left out. A village new in ``current`` is compared with zero."""
    out: dict[int | None, dict[str, Delta]] = {}
    before = {r.village_id: r for r in (previous.rows + [previous.total])} if previous else {}
    for row in current.rows + [current.total]:
        old = before.get(row.village_id)
        changes: dict[str, Delta] = {}
        for key, kind in current.kinds.items():
            if key == "seq":
                continue
            new_v = row.cells.get(key)
            old_v = old.cells.get(key) if old else None
            if kind == "pair":
                a = new_v or (0, 0)
                b = old_v or (0, 0)
                d: Delta = (a[0] - b[0], a[1] - b[1])
                if d != (0, 0):
                    changes[key] = d
            elif kind == "int":
                di = (new_v or 0) - (old_v or 0)
                if di:
                    changes[key] = di
        out[row.village_id] = changes
    return out


def delta_text(value: Delta) -> str:
    """+3/+10, −2 …"""

    def one(n: int) -> str:
        return f"+{n}" if n > 0 else str(n) if n < 0 else "0"

    if isinstance(value, tuple):
        return f"{one(value[0])}/{one(value[1])}"
    return one(value)


# --------------------------------------------------------------------------- progress


@dataclass(frozen=True)
class VillageProgress:
    village_id: int | None  # None: township total
    village: str
    due_households: int
    due_people: int
    screened_households: int
    screened_people: int

    @property
    def missing(self) -> int:
        return self.due_households - self.screened_households

    @property
    def percent(self) -> float:
        return 100.0 * self.screened_households / self.due_households if self.due_households else 100.0

    @property
    def text(self) -> str:
        """已排查/应排查, as the progress view shows it."""
        return f"{self.screened_households}/{self.due_households}"


def progress(
    session: Session, campaign_id: int | None = None, as_of: dt.date | None = None
) -> list[VillageProgress]:
    """已排查/应排查 per village in township order, the township total last."""
    c = campaign_service.resolve(session, campaign_id)
    vids = campaign_service.village_ids(session, c)
    names = dict(session.execute(select(Village.id, Village.name).where(Village.id.in_(vids))).all())
    due = _due_and_screened(session, c, vids, as_of or dt.date.max)
    rows = []
    for vid in vids:
        d = due.get(vid, [0, 0, 0, 0])
        rows.append(VillageProgress(vid, names[vid], d[0], d[1], d[2], d[3]))
    rows.append(
        VillageProgress(
            None,
            TOTAL_LABEL,
            *(
                sum(getattr(r, f) for r in rows)
                for f in ("due_households", "due_people", "screened_households", "screened_people")
            ),
        )
    )
    return rows


@dataclass(frozen=True)
class MissingHousehold:
    household_id: int
    village_id: int
    village: str
    group: str
    code: str
    head_name: str
    household_type: str
    phone: str
    people: int


def missing_households(
    session: Session, campaign_id: int | None = None, village_id: int | None = None
) -> list[MissingHousehold]:
    """Households not yet screened, in village → group → 户编号 order."""
    from fanpin_desktop.services.screening import _head_subquery, _order_columns, _unscreened

    c = campaign_service.resolve(session, campaign_id)
    head, size = _head_subquery(), _sizes()
    stmt = (
        select(
            Household.id,
            Household.village_id,
            Village.name,
            VillageGroup.name,
            Household.code,
            head.c.name,
            Household.household_type,
            Household.phone,
            size.c.n,
        )
        .join(Village, Village.id == Household.village_id)
        .outerjoin(VillageGroup, VillageGroup.id == Household.group_id)
        .outerjoin(head, head.c.hid == Household.id)
        .outerjoin(size, size.c.hid == Household.id)
        .where(_unscreened(c.id))
    )
    if village_id is not None:
        stmt = stmt.where(Household.village_id == village_id)
    else:
        stmt = stmt.where(Household.village_id.in_(campaign_service.village_ids(session, c)))
    out = []
    for hid, vid, vname, gname, code, hname, htype, phone, n in session.execute(
        stmt.order_by(*_order_columns())
    ):
        out.append(
            MissingHousehold(
                hid, vid, vname, gname or "", code or "", hname or "", htype or "", phone or "", int(n or 0)
            )
        )
    return out


@dataclass(frozen=True)
class ReportView:
    """What the statistics tab shows: a report (computed now or a stored week) and the stored
    report of the week before, to show the change."""

    report: StatsReport
    previous: StatsReport | None


def report_view(
    session: Session, campaign_id: int, snapshot_id: int | None = None, as_of: dt.date | None = None
) -> ReportView:
    """The report computed as of ``as_of`` (``snapshot_id`` None) or a stored weekly report."""
    if snapshot_id is None:
        report = compute(session, campaign_id, as_of=as_of)
        before = report_friday(report.as_of)
    else:
        report = load_snapshot(session, snapshot_id)
        before = report.as_of
    return ReportView(report, previous_snapshot(session, campaign_id, before))
