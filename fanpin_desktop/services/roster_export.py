"""Writing the registry back as a roster in a national export layout (one row per person).

The column order and headers come from ``resources/layouts/<layout>.json``; identity numbers,
household and person numbers and phone numbers are text cells. Importing the file into an empty
database reproduces the same households and members (the importer reads the same layout).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from fanpin_desktop.documents.xlsx_util import PERSONAL_DATA_WARNING, TableSheet, write_table
from fanpin_desktop.domain import ids
from fanpin_desktop.domain.cases import CASE_ELIMINATED, MONITORED_CASE_STATUSES
from fanpin_desktop.domain.procedure import NATURAL_DISASTER
from fanpin_desktop.models import Household, Member, MonitoringCase, NaturalVillage, Village, VillageGroup
from fanpin_desktop.services import settings as settings_mod
from fanpin_desktop.services.households.income import latest_incomes
from fanpin_desktop.services.importer.fields import BY_KEY
from fanpin_desktop.services.importer.headers import layout as get_layout

DEFAULT_LAYOUT = "national_roster_47"
_CHUNK = 1000  # people read at a time
TEXT_FIELDS = {"hh_code", "member_code", "id_number", "hh_phone", "phone", "birth_date"}


def _yes_no(v: Any) -> str:
    return "是" if v else "否"


def _yyyymm(d: dt.date | None) -> str:
    return f"{d:%Y%m}" if d else ""


@dataclass
class RosterTable:
    """The roster in one layout: header, text columns and rows (also keyed by household and member)."""

    header: list[str]
    text_columns: set[int]
    count: int
    _session: Session
    _query: Select[Any]
    _columns: list[Callable[[Any], Any]]
    _seq_col: int | None

    def keyed_rows(self) -> Iterator[tuple[int, int, list[Any]]]:
        """(household id, member id, row values) per person, in the roster's order; the people are
        read in chunks while the rows are consumed, so memory does not grow with the roster."""
        columns, seq_col = self._columns, self._seq_col
        records = self._session.execute(self._query.execution_options(yield_per=_CHUNK))
        for n, r in enumerate(records, 1):
            values = [f(r) for f in columns]
            if seq_col is not None:
                values[seq_col] = n
            yield r[7], r[0].id, values

    def rows(self) -> Iterator[list[Any]]:
        for _hid, _mid, values in self.keyed_rows():
            yield values


def _risk_cell(case: MonitoringCase, n: int) -> str:
    risks = case.risks
    return risks[n - 1].risk_type if len(risks) >= n else ""


def _disaster_subtype(case: MonitoringCase) -> str:
    return next((r.subtype for r in case.risks if r.risk_type == NATURAL_DISASTER and r.subtype), "")


def roster_table(
    session: Session,
    layout_name: str = DEFAULT_LAYOUT,
    village_ids: list[int] | None = None,
    *,
    household_ids: Collection[int] | None = None,
    cases: dict[int, MonitoringCase] | None = None,
) -> RosterTable:
    """The roster in ``layout_name``: every household (of ``village_ids``), or only
    ``household_ids``. The monitoring columns show each household's case from ``cases``
    (household id → case; default: its latest monitored case). Layouts with 风险消除方式,
    返贫致贫风险1–5 and 自然灾害类型 columns (the national batch lists) get the case's mode and
    risks; pass cases loaded with their risks then."""
    lay = get_layout(layout_name)
    cfg = settings_mod.load(session)
    today = dt.date.today()
    G = aliased(VillageGroup)
    N = aliased(NaturalVillage)
    q = (
        select(
            Member,
            Household.code,
            Household.phone,
            Household.household_type,
            Village.name,
            G.name,
            N.name,
            Household.id,
        )
        .join(Household, Member.household_id == Household.id)
        .join(Village, Household.village_id == Village.id)
        .outerjoin(G, Household.group_id == G.id)
        .outerjoin(N, Household.natural_village_id == N.id)
        .order_by(Village.sort_order, Village.id, G.sort_order, Household.id, Member.sort_order, Member.id)
    )
    sq = select(Member.household_id, func.count()).join(Household, Member.household_id == Household.id)
    if village_ids:
        q = q.where(Household.village_id.in_(village_ids))
        sq = sq.where(Household.village_id.in_(village_ids))
    if household_ids is not None:
        ids = list(household_ids)
        q = q.where(Household.id.in_(ids))
        sq = sq.where(Household.id.in_(ids))
    sizes: dict[int, int] = {hid: n for hid, n in session.execute(sq.group_by(Member.household_id))}
    if cases is None:
        cases = {}
        for case in session.scalars(
            select(MonitoringCase).order_by(MonitoringCase.clue_date, MonitoringCase.id)
        ):
            if case.status in MONITORED_CASE_STATUSES:
                cases[case.household_id] = case  # the latest one wins
    # 人均纯收入: the figure shown everywhere (local record or national, households.income), so
    # that importing the file again changes nothing
    incomes = (
        latest_incomes(session, list(sizes)) if any(c[1] == "per_capita_income" for c in lay.columns) else {}
    )

    def income(r: Any) -> Any:
        found = incomes.get(r[7])
        return float(found.per_capita) if found is not None and found.per_capita is not None else ""

    getters: dict[str, Callable[[Any], Any]] = {
        "county": lambda r: cfg.county,
        "township": lambda r: cfg.township,
        "village": lambda r: r[4],
        "group": lambda r: r[5] or "",
        "natural_village": lambda r: r[6] or "",
        "hh_code": lambda r: r[1] or "",
        "hh_phone": lambda r: r[2] or "",
        "household_type": lambda r: r[3],
        "hh_size": lambda r: sizes.get(r[7], 0),
        "per_capita_income": income,
        "member_code": lambda r: r[0].code or "",
        "birth_date": lambda r: r[0].birth_date.isoformat() if r[0].birth_date else "",
        "case_elimination_mode": lambda r: (
            cases[r[7]].elimination_mode or ""
            if r[7] in cases and cases[r[7]].status == CASE_ELIMINATED
            else ""
        ),
        "case_disaster_subtype": lambda r: _disaster_subtype(cases[r[7]]) if r[7] in cases else "",
        **{
            f"case_risk{n}": (lambda r, n=n: _risk_cell(cases[r[7]], n) if r[7] in cases else "")
            for n in range(1, 6)
        },
    }
    by_header: dict[str, Callable[[Any], Any]] = {
        "省": lambda r: cfg.province,
        "市": lambda r: cfg.city,
        "数据日期": lambda r: f"{today:%Y%m}",
        "易返贫致贫户(监测对象)类型": lambda r: cases[r[7]].category or "" if r[7] in cases else "",
        "风险是否消除": lambda r: _yes_no(cases[r[7]].status == CASE_ELIMINATED) if r[7] in cases else "",
        "风险识别时间": lambda r: _yyyymm(cases[r[7]].identified_on) if r[7] in cases else "",
        "风险消除时间": lambda r: _yyyymm(cases[r[7]].eliminated_on) if r[7] in cases else "",
    }
    columns: list[Callable[[Any], Any]] = []
    text_columns: set[int] = set()
    for j, (header, key, _aliases) in enumerate(lay.columns):
        if header == "序号":
            columns.append(lambda r: None)  # filled below
        elif key in getters:
            columns.append(getters[key])
        elif key and BY_KEY[key].attr and BY_KEY[key].level == "member":
            attr = BY_KEY[key].attr
            if BY_KEY[key].kind == "bool":
                columns.append(lambda r, a=attr: _yes_no(getattr(r[0], a)))
            else:
                columns.append(lambda r, a=attr: getattr(r[0], a))
        elif header in by_header:
            columns.append(by_header[header])
        else:
            columns.append(lambda r: "")
        if key in TEXT_FIELDS:
            text_columns.add(j)
    seq_col = lay.headers.index("序号") if "序号" in lay.headers else None
    return RosterTable(list(lay.headers), text_columns, sum(sizes.values()), session, q, columns, seq_col)


def roster_rows(
    session: Session, layout_name: str = DEFAULT_LAYOUT, village_ids: list[int] | None = None
) -> tuple[list[str], Iterator[list[Any]], set[int], int]:
    """Header, rows, text column indexes and row count of the roster in ``layout_name``."""
    table = roster_table(session, layout_name, village_ids)
    return table.header, table.rows(), table.text_columns, table.count


#: columns holding a whole identity number (a disability certificate number starts with one)
ID_COLUMNS = frozenset({"id_number", "disability_cert_no"})


def export_roster(
    session: Session,
    target: str | Path,
    layout_name: str = DEFAULT_LAYOUT,
    village_ids: list[int] | None = None,
    *,
    mask_ids: bool = False,
) -> int:
    """Write the roster to ``target`` (.xlsx, atomically). Returns the number of people written.

    ``mask_ids`` (a copy that leaves the office) keeps only the first 6 and last 4 characters of
    every identity number; such a file cannot be imported back."""
    header, rows, text_columns, count = roster_rows(session, layout_name, village_ids)
    if mask_ids:
        masked = [j for j, (_h, key, _a) in enumerate(get_layout(layout_name).columns) if key in ID_COLUMNS]
        rows = ([ids.mask(str(v)) if j in masked and v else v for j, v in enumerate(row)] for row in rows)
    cfg = settings_mod.load(session)
    title = f"{cfg.township or ''}家庭成员信息（{get_layout(layout_name).title}，导出日期 {dt.date.today():%Y-%m-%d}）"
    widths = {i: 22.0 if i in text_columns else 12.0 for i in range(len(header))}
    write_table(
        target,
        [
            TableSheet(
                "家庭成员",
                header,
                rows,
                titles=[PERSONAL_DATA_WARNING, title],
                text_columns=text_columns,
                widths=widths,
            )
        ],
    )
    return count
