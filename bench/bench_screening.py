"""Benchmark of the concentrated screening on the demo township (default 20,000 households).

Builds the demo (``fanpin_desktop.demo.build_demo``), gives every household of the current campaign an
appendix 1 record (pre-filled from the data, as a clerk confirming the suggestions would), then
measures:

1. appendix 3 (排查情况统计表) for the whole township — goal < 0.5 s;
2. appendix 1 xlsx export for the whole township — goal < 10 s;
3. saving one household's form and opening the next one — goal < 100 ms (median and worst);
4. for information: progress view, missing households, appendix 3/4 exports, a village's
   appendix 1 import.

    python bench/bench_screening.py [--households 20000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fanpin_desktop import demo  # noqa: E402
from fanpin_desktop.db import Database, migrate  # noqa: E402
from fanpin_desktop.domain import appendix1  # noqa: E402
from fanpin_desktop.models import Household, HouseholdScreening  # noqa: E402
from fanpin_desktop.services import (  # noqa: E402
    appendix_export,
    appendix_import,
    campaigns,
    screening,
    stats,
)


def timed(label: str, fn, repeat: int = 1):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    best = min(times)
    extra = f" (first {times[0]:.3f} s, best of {repeat})" if repeat > 1 else ""
    print(f"{label:<48} {best:8.3f} s{extra}")
    return result, best


def fill_screenings(db: Database, campaign_id: int, leave_out: int) -> int:
    """Appendix 1 records for every household but the last ``leave_out``, from the suggestions."""
    with db.unit() as s:
        c = campaigns.get(s, campaign_id)
        ids = screening.household_ids_in_order(s, c.id)
        todo = ids[: len(ids) - leave_out]
        ctxs = screening.contexts(s, c, todo)
        rows = []
        for i, hid in enumerate(todo):
            answers = appendix1.initial_answers(ctxs[hid])
            answers["method"] = "电话核查" if i % 7 == 0 else "入户排查"
            answers["household_type"] = answers.get("household_type") or "一般农户"
            rows.append(
                {
                    **{k: answers.get(k) for k in appendix1.ANSWER_KEYS},
                    "campaign_id": c.id,
                    "household_id": hid,
                    "screened_on": c.start_date + dt.timedelta(days=i % 20),
                    "overrides": {},
                }
            )
        s.execute(insert(HouseholdScreening), rows)
        return len(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=20000)
    ap.add_argument("--keep", metavar="DIR", help="keep the database and exports in DIR")
    ap.add_argument(
        "--reuse", action="store_true", help="with --keep: reuse the database built by a previous run"
    )
    args = ap.parse_args()

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_screening_"))
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "bench.sqlite3"
    reuse = args.reuse and args.keep and db_path.exists()
    if db_path.exists() and not reuse:
        db_path.unlink()
    db = Database(db_path, user="bench")
    migrate(db)
    print(f"database: {db_path}{' (reused)' if reuse else ''}")
    if not reuse:
        timed(
            f"demo township ({args.households} households)",
            lambda: demo.build_demo(db, households=args.households, seed=2022),
        )
    with db.reading() as s:
        cid = campaigns.current_id(s)
        c = campaigns.info(s, cid)
        print(f"campaign: {c.name} ({c.start_date} … {c.end_date})")
    if not reuse:
        n, _ = timed("appendix 1 records for all but 200 households", lambda: fill_screenings(db, cid, 200))
        print(f"  {n} records")

    with db.reading() as s:
        as_of = max(c.end_date, dt.date.today())
        report, t_stats = timed(
            "1. appendix 3, whole township", lambda: stats.compute(s, cid, as_of=as_of), 5
        )
        total = report.total
        print(
            f"  应排查 {report.text(total, 'due')}, 已排查 {report.text(total, 'screened')}, "
            f"{len(report.rows)} villages"
        )
        timed("   progress view", lambda: stats.progress(s, cid), 3)
        timed("   missing households (township)", lambda: stats.missing_households(s, cid), 3)

    out = folder / "exports"
    with db.reading() as s:
        res, t_export = timed(
            "2. appendix 1 xlsx, whole township",
            lambda: appendix_export.export_appendix(s, 1, out / "附件1_全乡镇.xlsx", campaign_id=cid),
        )
        print(f"  {res.rows} rows, {res.path.stat().st_size / 1e6:.1f} MB")
        timed(
            "   appendix 3 xlsx",
            lambda: appendix_export.export_appendix(s, 3, out / "附件3.xlsx", campaign_id=cid),
        )
        timed(
            "   appendix 4 xlsx",
            lambda: appendix_export.export_appendix(s, 4, out / "附件4.xlsx", campaign_id=cid),
        )
        first_village = campaigns.village_ids(s, cid)[0]
        village_file = out / "附件1_一个村.xlsx"
        res, _ = timed(
            "   appendix 1 xlsx, one village",
            lambda: appendix_export.export_appendix(
                s, 1, village_file, campaign_id=cid, village_id=first_village
            ),
        )
    with db.unit() as s:
        rep, _ = timed(
            f"   import that village back ({res.rows} rows, dry run)",
            lambda: appendix_import.import_appendix1(
                s, village_file, cid, village_id=first_village, dry_run=True
            ),
        )
        print(f"  {rep.summary()}")

    # 3. save one household's form and open the next, each in its own unit of work (as the UI does)
    with db.reading() as s:
        start = s.scalar(select(Household.id).order_by(Household.id).limit(1))
        form = screening.load_form(s, cid, start)
    times = []
    day = min(dt.date.today(), c.end_date)
    for i in range(60):
        answers = form.answers()
        answers["method"] = "入户排查"
        answers["remark"] = f"第{i}次保存"
        t = time.perf_counter()
        with db.unit() as s:
            _result, nxt = screening.save_and_next(s, cid, form.household_id, answers, screened_on=day)
        times.append(time.perf_counter() - t)
        if nxt is None:
            break
        form = nxt
    times.sort()
    median = statistics.median(times)
    print(
        f"{'3. save form + open next household':<48} {median:8.3f} s median, {times[-1]:.3f} s worst "
        f"({len(times)} saves)"
    )

    ok = t_stats < 0.5 and t_export < 10 and times[-1] < 0.1
    print(
        "goals: appendix 3 < 0.5 s: {}; appendix 1 export < 10 s: {}; save+next < 100 ms: {}".format(
            *("yes" if x else "NO" for x in (t_stats < 0.5, t_export < 10, times[-1] < 0.1))
        )
    )
    db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
