"""Benchmark: the 新识别 batch list for the national system (services/national_export.py) for
250, 500 and 1,000 cases, against the roster export of the same households (the baseline).

The demo town (default 20,000 households) has ~300 monitoring cases, all already entered in the
national system. The benchmark builds it once, then adds cases in steps to its copy: households
without a case get a local case 已纳入 (category from the 户类型, one or two risks, identification
县级审定 done, 系统录入 not), 250, then 250 more, then 500 more, so the pending list has 250, 500
and 1,000 cases. Each size is measured in a fresh process, one after the other, each round
interleaving the batch export and the baseline (this machine's speed drifts):

* batch: ``export_batch(session, "new", file)`` — case selection, rows, xlsx (two title rows),
  SHA-256 and the history rows (rolled back afterwards so every round lists the same cases);
* baseline: the roster export's writer (``roster_table`` in the 47-column roster layout +
  ``write_table``) for the same households.

Seconds are medians over the rounds; peak memory is tracemalloc's peak of a separate run of each
(Python allocations during the call, after a warm-up), so its growth with the list size shows.

    python bench/bench_national_export.py [--households 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's fanpin_desktop

SIZES = (250, 500, 1000)
GOAL_SECONDS = 2.0


def add_cases(db, count: int, seed: int) -> int:
    """Give ``count`` households without a case a local case 已纳入 awaiting 系统录入."""
    from sqlalchemy import insert, select

    from fanpin_desktop.models import CaseRisk, CaseStep, Household, MonitoringCase

    rng = random.Random(seed)
    risks = ["因病", "因学", "因残", "因意外事故", "因务工就业不稳", "缺劳动力"]
    with db.unit() as s:
        taken = set(s.scalars(select(MonitoringCase.household_id)))
        free = [
            (hid, t)
            for hid, t in s.execute(select(Household.id, Household.household_type))
            if hid not in taken
        ]
        chosen = rng.sample(free, count)
        start = (s.scalar(select(MonitoringCase.id).order_by(MonitoringCase.id.desc())) or 0) + 1
        cases, steps, case_risks = [], [], []
        for k, (hid, hh_type) in enumerate(chosen):
            cid = start + k
            clue = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(300))
            decided = clue + dt.timedelta(days=rng.randrange(20, 40))
            category = (
                "脱贫不稳定户" if hh_type == "脱贫户" else rng.choice(["边缘易致贫户", "突发严重困难户"])
            )
            cases.append(
                {
                    "id": cid,
                    "household_id": hid,
                    "source": "干部走访",
                    "category": category,
                    "status": "已纳入",
                    "clue_date": clue,
                    "identified_on": decided,
                    "origin": "本地",
                    "no_labour": False,
                }
            )
            steps.append(
                {
                    "case_id": cid,
                    "procedure": "识别",
                    "step": "县级审定",
                    "done_on": decided,
                    "result": "同意",
                }
            )
            for pos, risk in enumerate(rng.sample(risks, rng.choice((1, 2))), 1):
                case_risks.append({"case_id": cid, "position": pos, "risk_type": risk})
        s.execute(insert(MonitoringCase), cases)
        s.execute(insert(CaseStep), steps)
        s.execute(insert(CaseRisk), case_risks)
    return count


def child(db_path: Path, out_dir: Path, rounds: int) -> dict:
    from fanpin_desktop.db import Database
    from fanpin_desktop.documents.xlsx_util import TableSheet, write_table
    from fanpin_desktop.services import national_export as ne
    from fanpin_desktop.services.roster_export import roster_table

    db = Database(db_path)

    def batch(path: Path) -> int:
        with db.reading() as s:  # read-only session: the history rows are rolled back
            return ne.export_batch(s, "new", path).households

    with db.reading() as s:
        hids = set(ne.pending_cases(s, "new"))

    def baseline(path: Path) -> int:
        with db.reading() as s:
            table = roster_table(s, "national_roster_47", household_ids=hids)
            write_table(
                path,
                [
                    TableSheet(
                        "家庭成员",
                        table.header,
                        table.rows(),
                        titles=["花名册"],
                        text_columns=table.text_columns,
                    )
                ],
            )
            return table.count

    out: dict = {"cases": len(hids)}
    batch(out_dir / "warm.xlsx")
    baseline(out_dir / "warm_roster.xlsx")
    times: dict[str, list[float]] = {"batch": [], "baseline": []}
    for r in range(rounds):
        for name, fn in (("batch", batch), ("baseline", baseline)):
            t = time.perf_counter()
            fn(out_dir / f"{name}{r}.xlsx")
            times[name].append(time.perf_counter() - t)
    for name, fn in (("batch", batch), ("baseline", baseline)):
        tracemalloc.start()
        fn(out_dir / f"{name}_mem.xlsx")
        out[f"{name}_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    out["times"] = times
    from fanpin_desktop.services.importer import import_file

    result = import_file(db, out_dir / "batch0.xlsx", dry_run=True)
    c = result.plan.counts
    out["reimport"] = {
        k: c[k] for k in ("hh_unchanged", "hh_changed", "m_changed", "c_unchanged", "c_changed")
    }
    out["reimport_errors"] = sum(1 for i in result.plan.issues if i.is_error)
    db.dispose()
    return out


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.out, args.rounds)))
        return 0

    from fanpin_desktop.context import open_app

    with tempfile.TemporaryDirectory(prefix="fanpin-bench-national-") as tmp:
        tmpdir = Path(tmp)
        t = time.perf_counter()
        ctx = open_app(tmpdir / "data", demo=True, demo_households=args.households, auto_backup=False)
        work = Path(ctx.db.path)  # the benchmark's own demo database: cases are added to it
        ctx.db.dispose()
        print(f"demo town of {args.households} households built in {time.perf_counter() - t:.1f} s")
        from fanpin_desktop.db import Database

        results = []
        have = 0
        for size in SIZES:
            db = Database(work)
            add_cases(db, size - have, seed=size)
            db.dispose()
            have = size
            out_dir = tmpdir / f"out{size}"
            out_dir.mkdir()
            cmd = [
                sys.executable,
                __file__,
                "--child",
                str(work),
                "--out",
                str(out_dir),
                "--rounds",
                str(args.rounds),
            ]
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print()
        print(
            "cases | batch s (median, runs)          | roster baseline s       | peak MB batch / baseline | re-import"
        )
        for r in results:
            b, base = r["times"]["batch"], r["times"]["baseline"]
            print(
                f"{r['cases']:5} | {_median(b):5.2f} ({' '.join(f'{v:.2f}' for v in b)}) | "
                f"{_median(base):5.2f} ({' '.join(f'{v:.2f}' for v in base)}) | "
                f"{r['batch_peak_mb']:6.1f} / {r['baseline_peak_mb']:6.1f}        | "
                f"{r['reimport']} errors {r['reimport_errors']}"
            )
        worst = _median(results[-1]["times"]["batch"])
        print()
        print(
            f"1,000 cases: {worst:.2f} s (goal < {GOAL_SECONDS} s) {'OK' if worst < GOAL_SECONDS else 'MISSED'}; "
            f"batch / baseline = {worst / _median(results[-1]['times']['baseline']):.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
