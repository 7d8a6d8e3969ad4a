"""Benchmark of the monitoring cases (监测对象) on the 20,000-household demo township.

    python bench/bench_cases.py [--households 20000] [--dir DIR] [--rebuild] [--runs 7]

Builds the demo with ``fanpin_desktop.demo.build_demo`` into a folder (reused on the next run),
then measures, each figure the median of ``--runs`` runs:

* the 监测对象 list: ``listing.case_ids`` plus ``fetch_case_rows`` for the first screenful, with no
  filter and with every filter (each status, a village, a group, each category, a risk type, a
  contact, a name / initials / 户编号 / ID-number search, 只看超期);
* the 待办: ``todo.due_items`` and ``todo.due_counts``;
* opening a case: ``detail.load_case`` on 20 cases of every status;
* the baseline, in the same run: the registry's ``search_household_ids`` (no filter) plus its
  first screenful of ``fetch_rows``.

Targets: list and every filter < 100 ms, to-do < 300 ms, opening a case < 150 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from demo_db import demo_database
from sqlalchemy import func, select

from fanpin_desktop.db import Database
from fanpin_desktop.models import CaseRisk, Contact, Household, Member, MonitoringCase, Village, VillageGroup
from fanpin_desktop.services import households as registry
from fanpin_desktop.services.cases import detail, listing, todo
from fanpin_desktop.services.cases.types import STATUS_LABELS, CaseQuery

SCREEN_ROWS = 30
CASES_OPENED = 20
TARGET_LIST_MS = 100
TARGET_TODO_MS = 300
TARGET_OPEN_MS = 150


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 1)


def queries(db: Database) -> list[tuple[str, CaseQuery]]:
    """Every filter the list offers, with real values from the demo."""
    with db.reading() as s:
        village_id = s.scalar(select(Village.id).order_by(Village.sort_order, Village.id).limit(1))
        group_id = s.scalar(
            select(Household.group_id)
            .join(MonitoringCase, MonitoringCase.household_id == Household.id)
            .where(Household.group_id.is_not(None))
            .limit(1)
        )
        group_name = s.scalar(select(VillageGroup.name).where(VillageGroup.id == group_id))
        categories = [c for c in s.scalars(select(MonitoringCase.category).distinct()) if c]
        risk = s.scalar(select(CaseRisk.risk_type).group_by(CaseRisk.risk_type).order_by(func.count().desc()))
        contact = s.scalar(select(Contact.name).where(Contact.end_date.is_(None)).limit(1))
        head = s.execute(
            select(Member.name, Member.name_initials, Member.id_number, Household.code)
            .join(Household, Household.id == Member.household_id)
            .join(MonitoringCase, MonitoringCase.household_id == Household.id)
            .where(Member.relation == "户主")
            .limit(1)
        ).one()
    out: list[tuple[str, CaseQuery]] = [("全部", CaseQuery())]
    out += [(f"状态={label}", CaseQuery(status=stored)) for stored, label in STATUS_LABELS.items()]
    out += [
        ("村", CaseQuery(village_id=village_id)),
        (f"组（{group_name}）", CaseQuery(group_id=group_id)),
    ]
    out += [(f"类别={c}", CaseQuery(category=c)) for c in categories]
    out += [
        (f"风险={risk}", CaseQuery(risk_type=risk)),
        (f"联系人={contact}", CaseQuery(contact=contact)),
        (f"搜索姓名 {head.name}", CaseQuery(text=head.name)),
        (f"搜索简拼 {head.name_initials}", CaseQuery(text=head.name_initials)),
        ("搜索户编号", CaseQuery(text=head.code or "")),
        ("搜索证件号码", CaseQuery(text=head.id_number or "")),
        ("只看超期", CaseQuery(overdue_only=True)),
        ("只看超期+村", CaseQuery(overdue_only=True, village_id=village_id)),
    ]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=20000)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "fanpin-bench-cases")
    parser.add_argument("--rebuild", action="store_true", help="build the demo again")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    db = demo_database(args.dir, args.households, args.rebuild, "cases")
    runs = args.runs
    failures: list[str] = []

    with db.reading() as s:
        n_cases = s.scalar(select(func.count()).select_from(MonitoringCase)) or 0
    print(f"监测对象记录 {n_cases} 条")

    # --- baseline: the registry's search and first screen, same database, same run
    def registry_screen() -> None:
        with db.reading() as s:
            hids = registry.search_household_ids(s, registry.HouseholdQuery())
            registry.fetch_rows(s, hids[:SCREEN_ROWS])

    print(f"基线：户籍台账 search_household_ids + 首屏 {median_ms(registry_screen, runs)} ms")

    # --- the list with every filter
    print(f"监测对象列表（case_ids + 首屏 {SCREEN_ROWS} 行），目标 < {TARGET_LIST_MS} ms：")
    worst = 0.0
    for label, q in queries(db):
        found: list[int] = []

        def screen(q: CaseQuery = q, found: list[int] = found) -> None:
            with db.reading() as s:
                ids = listing.case_ids(s, q)
                listing.fetch_case_rows(s, ids[:SCREEN_ROWS])
                found[:] = ids

        t = median_ms(screen, runs)
        worst = max(worst, t)
        print(f"  {label:<24} {len(found):>6} 条  {t:>7} ms")
    print(f"  最慢 {worst} ms")
    if worst >= TARGET_LIST_MS:
        failures.append(f"列表 {worst} ms")

    # --- the to-do list
    def due() -> None:
        with db.reading() as s:
            todo.due_items(s)

    def counts() -> None:
        with db.reading() as s:
            todo.due_counts(s)

    with db.reading() as s:
        n_items = len(todo.due_items(s))
    t_due, t_counts = median_ms(due, runs), median_ms(counts, runs)
    print(f"待办 due_items（{n_items} 项）{t_due} ms；due_counts {t_counts} ms；目标 < {TARGET_TODO_MS} ms")
    if max(t_due, t_counts) >= TARGET_TODO_MS:
        failures.append(f"待办 {max(t_due, t_counts)} ms")

    # --- opening a case
    with db.reading() as s:
        sample: list[int] = []
        for status in STATUS_LABELS:
            sample += list(
                s.scalars(
                    select(MonitoringCase.id)
                    .where(MonitoringCase.status == status)
                    .order_by(MonitoringCase.id)
                    .limit(CASES_OPENED // len(STATUS_LABELS) + 1)
                )
            )
    sample = sample[:CASES_OPENED]
    samples = []
    for cid in sample:
        started = time.perf_counter()
        with db.reading() as s:
            detail.load_case(s, cid)
        samples.append(time.perf_counter() - started)
    t_open = round(statistics.median(samples) * 1000, 1) if samples else 0.0
    t_open_max = round(max(samples) * 1000, 1) if samples else 0.0
    print(
        f"打开监测对象 load_case（{len(sample)} 条）中位 {t_open} ms，最慢 {t_open_max} ms；目标 < {TARGET_OPEN_MS} ms"
    )
    if t_open >= TARGET_OPEN_MS:
        failures.append(f"打开 {t_open} ms")

    db.dispose()
    if failures:
        print("未达标：" + "；".join(failures))
        return 1
    print("全部达标。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
