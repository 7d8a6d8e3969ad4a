"""Benchmark of the data-quality rules (数据核查, services/quality.py) on the 20,000-household demo.

    python bench/bench_rules.py [--households 20000] [--dir DIR] [--rebuild] [--runs 3]

Builds the demo with ``fanpin_desktop.demo.build_demo`` into a folder (reused on the next run),
then measures in the same run:

* the baseline: loading the ``HouseholdData`` of every household (the queries and the
  dataclasses, no rule run) — median of ``--runs``;
* ``run_all``: loading plus every rule plus the exemptions and labels — median of ``--runs``;
  target < 5 s;
* one village's ``run_all`` and the national export's warning (``export_warnings``), once;
* one household's findings after a save (``household_findings`` right after a unit of work that
  changes the household's phone), the median over 20 households; target < 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's fanpin_desktop

from demo_db import demo_database  # noqa: E402
from sqlalchemy import select  # noqa: E402

from fanpin_desktop.domain.rules import RULES  # noqa: E402
from fanpin_desktop.models import Household  # noqa: E402
from fanpin_desktop.services import quality  # noqa: E402

TARGET_ALL_S = 5.0
TARGET_ONE_MS = 50.0
HOUSEHOLDS_SAVED = 20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=20000)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "fanpin-bench-rules")
    parser.add_argument("--rebuild", action="store_true", help="build the demo again")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    db = demo_database(args.dir, args.households, args.rebuild, "rules")
    failures: list[str] = []

    loads, alls = [], []
    report = None
    for _ in range(args.runs):  # interleaved: this machine's speed drifts
        with db.reading() as s:
            t = time.perf_counter()
            loaded = quality._load(s, quality._Scope())
            loads.append(time.perf_counter() - t)
        with db.reading() as s:
            t = time.perf_counter()
            report = quality.run_all(s)
            alls.append(time.perf_counter() - t)
    assert report is not None
    load_s, all_s = statistics.median(loads), statistics.median(alls)
    print(f"{len(RULES)} 条规则，{report.households} 户，发现 {len(report.findings)} 条")
    print(f"基线：只读取 HouseholdData（{len(loaded.households)} 户）{load_s:.2f} 秒")
    print(
        f"全部规则 run_all {all_s:.2f} 秒（目标 < {TARGET_ALL_S:.0f} 秒；其中规则与整理约 {all_s - load_s:.2f} 秒）"
    )
    if all_s >= TARGET_ALL_S:
        failures.append(f"run_all {all_s:.2f} s")
    for rc in sorted(report.by_rule(), key=lambda rc: -rc.total)[:8]:
        if rc.total:
            print(f"  {rc.rule.code}\t{rc.rule.title}\t{rc.total}")

    with db.reading() as s:
        village_id = s.scalar(select(Household.village_id).order_by(Household.id).limit(1))
        t = time.perf_counter()
        one_village = quality.run_all(s, village_id=village_id)
        print(f"一个村（{one_village.households} 户）run_all {time.perf_counter() - t:.2f} 秒")
        t = time.perf_counter()
        warnings = quality.export_warnings(s)
        print(
            f"全国系统导出前的核查提示（监测户）{time.perf_counter() - t:.2f} 秒：{warnings[0] if warnings else '无'}"
        )
        hids = list(s.scalars(select(Household.id).order_by(Household.id)))
    step = max(1, len(hids) // HOUSEHOLDS_SAVED)
    chosen = hids[::step][:HOUSEHOLDS_SAVED]
    times = []
    for k, hid in enumerate(chosen):
        with db.unit() as s:  # the save
            h = s.get(Household, hid)
            h.phone = f"1390000{k:04d}"
        t = time.perf_counter()
        with db.reading() as s:
            quality.household_findings(s, hid)
        times.append((time.perf_counter() - t) * 1000)
    one_ms = statistics.median(times)
    print(
        f"保存后单户核查 household_findings：中位 {one_ms:.1f} ms，最慢 {max(times):.1f} ms"
        f"（{len(chosen)} 户，目标 < {TARGET_ONE_MS:.0f} ms）"
    )
    if one_ms >= TARGET_ONE_MS:
        failures.append(f"household_findings {one_ms:.1f} ms")
    db.dispose()
    if failures:
        print("未达标：" + "；".join(failures))
        return 1
    print("全部达标")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
