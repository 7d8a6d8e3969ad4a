"""Benchmark: the national export with monitoring columns against the same roster without them
(issue 11: "the national export with monitoring columns imports within 1.2× today's roster import
time").

Builds one 20,000-household roster (about 66,000 people, ``bench_import.generate``) twice: without
the monitoring columns, and with them (易返贫致贫户(监测对象)类型, 风险是否消除, 风险识别时间 as
YYYYMM, 风险消除时间, 风险消除方式 and two risk columns; 6% of the households monitored, about 40%
of those eliminated). Each round imports each file into an empty database, each in its own process,
one after the other (this machine's speed drifts), then re-imports the file with monitoring
columns (nothing changes). Medians and the ratio are printed, all measured in the same run.

    python bench/bench_import_cases.py [--households 20000] [--share 0.06] [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's fanpin_desktop

from bench_import import _median, _spread, generate, run_child  # noqa: E402

PEOPLE_PER_HOUSEHOLD = 3.3  # bench_import.generate's household sizes (1–6) average 3.3
GOAL = 1.2


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=20000)
    ap.add_argument("--share", type=float, default=0.06, help="share of households monitored")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    people = round(args.households * PEOPLE_PER_HOUSEHOLD)
    with tempfile.TemporaryDirectory(prefix="fanpin-bench-cases-") as tmp:
        tmpdir = Path(tmp)
        files = {}
        for kind in ("without", "with"):
            files[kind] = tmpdir / f"roster_{kind}.xlsx"
            t = time.perf_counter()
            hh = generate(files[kind], people, monitoring=kind, share=args.share)
            print(
                f"generated {kind:7} monitoring columns: {people} people / {hh} households in "
                f"{time.perf_counter() - t:.1f} s ({files[kind].stat().st_size / 1e6:.1f} MB)"
            )
        runs: dict[str, list[dict]] = {"without": [], "with": [], "again": []}
        for r in range(args.rounds):
            for kind in ("without", "with"):
                data = tmpdir / f"data_{kind}{r}"
                data.mkdir()
                runs[kind].append(run_child("import", files[kind], data))
                if kind == "with":
                    runs["again"].append(run_child("import", files[kind], data))
        without, with_, again = runs["without"][-1], runs["with"][-1], runs["again"][-1]
        print(
            f"import without monitoring columns : {_spread(runs['without'])}   "
            f"{without['households']} households, {without['members']} members, {without['cases']} cases"
        )
        print(f"    phases of each run            : {'; '.join(str(r['phases']) for r in runs['without'])}")
        print(
            f"import with monitoring columns    : {_spread(runs['with'])}   "
            f"{with_['households']} households, {with_['members']} members, {with_['cases']} cases"
        )
        print(f"    phases of each run            : {'; '.join(str(r['phases']) for r in runs['with'])}")
        plan = again["plan"]
        print(
            f"re-import with monitoring columns: {_spread(runs['again'])}   cases unchanged "
            f"{plan['c_unchanged']}, new {plan['c_new']}, changed {plan['c_changed']}"
        )
        first = _median([r["seconds"] for r in runs["without"]])
        second = _median([r["seconds"] for r in runs["with"]])
        per_round = " ".join(
            f"{w['seconds'] / o['seconds']:.2f}" for o, w in zip(runs["without"], runs["with"], strict=True)
        )
        ratio = second / first
        cpu_without = _median([r["cpu"] for r in runs["without"]])
        cpu_with = _median([r["cpu"] for r in runs["with"]])
        print(
            f"cpu seconds (median)             : without {cpu_without:.2f}, with {cpu_with:.2f}, "
            f"re-import {_median([r['cpu'] for r in runs['again']]):.2f}"
        )
        print()
        print(
            f"with / without = {ratio:.2f}  (goal ≤ {GOAL})  {'OK' if ratio <= GOAL else 'MISSED'}"
            f"   [each round: {per_round}]"
        )
        print(
            f"with / without, cpu seconds = {cpu_with / cpu_without:.2f}  (less disturbed by other processes)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
