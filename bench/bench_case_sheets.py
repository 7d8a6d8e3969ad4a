"""Benchmark of the 入户核实表 (and 承诺授权查询书) batch: 500 sheets in one PDF.

    python bench/bench_case_sheets.py [--households 3000] [--sheets 500] [--dir DIR] [--no-trace]

Builds the demo township (``build_demo``) into a folder (reused on the next run) and prints, all in
the same run:

* the baseline: 50 verification sheets (gather + render), to show that the time scales linearly;
* 500 verification sheets in one PDF (the target: < 20 s), and 500 authorisation letters;
* the peak memory of the Python heap (tracemalloc, in a second, traced pass of 50 and 500 sheets:
  memory should grow with the pages, not explode) and the process's peak resident size.

The demo has far fewer cases in identification or elimination than 500, so the case ids of every
case in the demo are repeated until there are enough (``case_ids`` prints a repeated case again);
every sheet is laid out in full as a different household's would be.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import func, select

from fanpin_desktop.db import Database, migrate
from fanpin_desktop.demo import build_demo
from fanpin_desktop.documents.fonts import default_library
from fanpin_desktop.models import Household, MonitoringCase
from fanpin_desktop.services import case_sheets

TARGET_SECONDS = 20.0
BASELINE_SHEETS = 50


def demo_database(folder: Path, households: int) -> Database:
    path = folder / f"sheets-demo-{households}.sqlite3"
    db = Database(path, user="基准测试")
    migrate(db)
    with db.reading() as s:
        existing = s.scalar(select(func.count()).select_from(Household)) or 0
    if existing == 0:
        started = time.perf_counter()
        summary = build_demo(db, households=households, seed=2022)
        print(f"演示数据：{summary.describe()}（生成用时 {time.perf_counter() - started:.1f} 秒）")
    else:
        print(f"复用已有演示数据：{path}（{existing} 户）")
    return db


def case_ids(db: Database, count: int) -> list[int]:
    with db.reading() as s:
        ids = list(s.scalars(select(MonitoringCase.id).order_by(MonitoringCase.id)))
    if not ids:
        sys.exit("演示数据中没有监测对象")
    return [ids[i % len(ids)] for i in range(count)]


def run(db: Database, write, ids: list[int], out: Path) -> tuple[float, int]:
    """Seconds for gather + render of ``ids`` into ``out`` and the file's page count."""
    gc.collect()
    started = time.perf_counter()
    with db.reading() as s:
        write(s, out, case_ids=ids)
    seconds = time.perf_counter() - started
    from pypdf import PdfReader

    return seconds, len(PdfReader(str(out)).pages)


def traced_peak(db: Database, write, ids: list[int], out: Path) -> float:
    """Peak traced Python heap (MB) while gathering and rendering ``ids``."""
    gc.collect()
    tracemalloc.start()
    try:
        with db.reading() as s:
            write(s, out, case_ids=ids)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6


def max_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1e6 if sys.platform == "darwin" else rss / 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=3000)
    parser.add_argument("--sheets", type=int, default=500)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc pass")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.gettempdir()) / "fanpin-bench"
    folder.mkdir(parents=True, exist_ok=True)
    db = demo_database(folder, args.households)
    default_library()  # font discovery is a start-up cost, not the batch's
    small, big = case_ids(db, BASELINE_SHEETS), case_ids(db, args.sheets)
    out = folder / "bench_case_sheets.pdf"
    # warm-up (font registration, first table layouts)
    run(db, case_sheets.write_verification, small[:3], out)

    base_s, base_pages = run(db, case_sheets.write_verification, small, out)
    rss_after_base = max_rss_mb()
    big_s, big_pages = run(db, case_sheets.write_verification, big, out)
    size_mb = out.stat().st_size / 1e6
    rss_after_big = max_rss_mb()
    auth_s, auth_pages = run(db, case_sheets.write_authorisation, big, out)
    per_base = base_s / BASELINE_SHEETS * 1000
    per_big = big_s / args.sheets * 1000
    print(
        f"基线：入户核实表 {BASELINE_SHEETS} 份 {base_s:.2f} 秒（{base_pages} 页，每份 {per_base:.1f} 毫秒）"
    )
    print(
        f"入户核实表 {args.sheets} 份：{big_s:.2f} 秒（{big_pages} 页，每份 {per_big:.1f} 毫秒，"
        f"文件 {size_mb:.1f} MB；目标 < {TARGET_SECONDS:.0f} 秒）"
        + ("  ✓" if big_s < TARGET_SECONDS else "  ✗ 超出目标")
    )
    print(f"承诺授权查询书 {args.sheets} 份：{auth_s:.2f} 秒（{auth_pages} 页）")
    print(f"进程峰值常驻内存：基线后 {rss_after_base:.0f} MB，{args.sheets} 份后 {rss_after_big:.0f} MB")
    if not args.no_trace:
        peak_small = traced_peak(db, case_sheets.write_verification, small, out)
        peak_big = traced_peak(db, case_sheets.write_verification, big, out)
        print(
            f"Python 堆峰值（tracemalloc）：{BASELINE_SHEETS} 份 {peak_small:.1f} MB，"
            f"{args.sheets} 份 {peak_big:.1f} MB（每份 {peak_big / args.sheets * 1000:.0f} KB）"
        )
    db.dispose()
    return 0 if big_s < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
