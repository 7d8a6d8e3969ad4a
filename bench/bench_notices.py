"""Benchmark of the 村级公示 (issue 12): one village's notice with 300 rows in under 1 s.

A 300-household demo township is made into one big village: every household is moved into the
first village and given a case at the 公示 step (村级评议 done), a few heads renamed with rare
characters (㑇 䶮 𠮷). Then, in the same process:

1. ``baseline``: the appendix-3 PDF of the same demo (``services.printing.write_appendix3``),
   which also pays for loading the fonts;
2. ``notice``: ``services.notices.write_publicity`` for that village, 300 rows (gathering from the
   database included), A4; best of ``--repeat`` runs;
3. ``notice_a3``: the same on A3.

    python bench/bench_notices.py [--households 300] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 1.0
RARE = ("㑇", "䶮", "𠮷")


def build(root: Path, households: int):
    from sqlalchemy import select

    from fanpin_desktop.context import open_app
    from fanpin_desktop.models import CaseStep, Household, MonitoringCase, Village, VillageGroup

    ctx = open_app(root / "data", demo=True, demo_households=households, auto_backup=False)
    with ctx.db.unit() as s:
        village = s.scalars(select(Village).order_by(Village.sort_order, Village.id)).first()
        groups = list(s.scalars(select(VillageGroup).where(VillageGroup.village_id == village.id)))
        for case in s.scalars(select(MonitoringCase)):
            s.delete(case)
        s.flush()
        for i, h in enumerate(s.scalars(select(Household).order_by(Household.id))):
            h.village_id = village.id
            h.group_id = groups[i % len(groups)].id if groups else None
            if i % 40 == 3 and h.members:
                head = min(h.members, key=lambda m: (m.sort_order, m.id))
                head.name = head.name[:1] + RARE[(i // 40) % 3]
            case = MonitoringCase(
                household_id=h.id,
                source="集中排查",
                status="识别中",
                clue_date=dt.date(2025, 9, 1),
                category=("边缘易致贫户", "突发严重困难户", "脱贫不稳定户")[i % 3],
            )
            case.steps = [
                CaseStep(procedure="识别", step="农户申请", done_on=dt.date(2025, 9, 10)),
                CaseStep(procedure="识别", step="入户核实", done_on=dt.date(2025, 9, 15)),
                CaseStep(procedure="识别", step="村级评议", done_on=dt.date(2025, 9, 24)),
            ]
            s.add(case)
    return ctx, village.id


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="keep the PDFs in this folder")
    args = parser.parse_args(argv)

    from fanpin_desktop.services import notices, printing

    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        ctx, village_id = build(root, args.households)
        results: dict[str, float | int] = {"households": args.households}
        with ctx.db.reading() as s:
            results["baseline_appendix3_first_s"] = timed(
                lambda: printing.write_appendix3(s, root / "appendix3.pdf")
            )
            results["baseline_appendix3_s"] = min(
                timed(lambda: printing.write_appendix3(s, root / "appendix3.pdf")) for _ in range(args.repeat)
            )
            start = dt.date(2025, 9, 26)

            def notice(paper: str) -> None:
                notices.write_publicity(
                    s,
                    root / f"notice_{paper}.pdf",
                    village_id=village_id,
                    kind="inclusion",
                    paper=paper,
                    start=start,
                )

            results["notice_a4_s"] = min(timed(lambda: notice("A4")) for _ in range(args.repeat))
            results["notice_a3_s"] = min(timed(lambda: notice("A3")) for _ in range(args.repeat))
            rows = len(
                notices.gather_publicity(s, village_id=village_id, kind="inclusion", start=start)[0].rows
            )
        results["rows"] = rows
        ctx.db.dispose()
    ok = results["notice_a4_s"] < GOAL_SECONDS and results["notice_a3_s"] < GOAL_SECONDS
    print(
        json.dumps(
            {k: round(v, 3) if isinstance(v, float) else v for k, v in results.items()}, ensure_ascii=False
        )
    )
    print(
        f"村级公示 {rows} 行：A4 {results['notice_a4_s']:.2f} s，A3 {results['notice_a3_s']:.2f} s"
        f"（目标 < {GOAL_SECONDS:.0f} s）；基准 附件3 {results['baseline_appendix3_s']:.2f} s"
        f"（首次含字体加载 {results['baseline_appendix3_first_s']:.2f} s）— {'通过' if ok else '未达标'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
