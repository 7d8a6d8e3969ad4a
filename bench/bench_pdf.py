"""Benchmark of the appendix-1 PDF (issue: printing): a pre-filled sheet for one village.

Goal: a 300-household pre-filled 附件1 PDF in under 5 s, font loading included (the first PDF
printed after the program starts pays for it). Each case runs in a fresh process so the font
registration is not shared between cases:

1. ``render``: the renderer alone on 300 synthetic households (names with rare characters 㑇 䶮 𠮷);
2. ``database``: the whole path from a demo township's database — the screening service's rows and
   suggestions for the largest village, then the PDF (``services.printing.write_appendix1``);
3. ``a3``: case 1 on A3 paper.

    python bench/bench_pdf.py [--households 300] [--keep DIR]
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
from decimal import Decimal
from pathlib import Path

GOAL_SECONDS = 5.0
NAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英"
RARE = ("㑇", "䶮", "𠮷")


def synthetic_rows(n: int, seed: int = 1) -> list[dict]:
    from fanpin_desktop.documents.appendix_pdf import NA
    from fanpin_desktop.domain import appendix1

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        if i % 50 == 7:
            given = RARE[(i // 50) % 3] + given[:1]
        htype = rng.choice(("脱贫户", "脱贫户", "一般农户", "一般农户", "一般农户", "监测户"))
        row = {k: rng.choice((True, False, False, None)) for k in appendix1.BOOL_KEYS}
        if htype == "一般农户":
            for k in (
                "exited_2020",
                "income_falling_3y",
                "measures_in_place",
                "measures_targeted",
                "one_off_payment",
                "over_assistance",
                "system_data_accurate",
            ):
                row[k] = NA
        row.update(
            village_group=f"马店村{i % 12 + 1}组",
            head_name=rng.choice(NAMES) + given,
            household_size=rng.randint(1, 7),
            household_type=htype,
            method=rng.choice(("入户排查", "入户排查", "电话核查")),
            per_capita_income=Decimal(rng.randint(400000, 3500000)) / 100,
            difficulties=rng.choice(("", "", "", "孩子上学路远，希望解决交通补助", "住房漏雨需要维修")),
            remark="",
        )
        rows.append(row)
    return rows


def case_render(households: int, out: Path, paper: str) -> dict:
    started = time.perf_counter()
    from fanpin_desktop.documents import appendix_pdf

    rows = synthetic_rows(households)
    t0 = time.perf_counter()
    appendix_pdf.render_appendix1(
        out,
        [appendix_pdf.VillageSheet("马店村", rows)],
        township="马店镇",
        year=2022,
        income_period="2021年5月1日-2022年4月30日",
        threshold="7000",
        paper=paper,
    )
    done = time.perf_counter()
    return {"households": households, "seconds": done - started, "render_seconds": done - t0}


def case_database(households: int, out: Path) -> dict:
    from sqlalchemy import func, select

    from fanpin_desktop.db import Database, migrate
    from fanpin_desktop.demo import build_demo
    from fanpin_desktop.models import Household

    folder = Path(tempfile.mkdtemp(prefix="fanpin-bench-"))
    db = Database(folder / "bench.sqlite3", user="bench")
    migrate(db)
    # the demo spreads households over its villages: make the largest one about ``households``
    build_demo(db, households=households * 5, seed=3, today=dt.date(2022, 6, 1))
    with db.reading() as s:
        village_id, count = s.execute(
            select(Household.village_id, func.count())
            .group_by(Household.village_id)
            .order_by(func.count().desc())
        ).first()
    started = time.perf_counter()
    from fanpin_desktop.services import printing

    with db.reading() as s:
        printing.write_appendix1(s, out, village_ids=[village_id])
    seconds = time.perf_counter() - started
    db.dispose()
    return {"households": int(count), "seconds": seconds}


def run_case(name: str, households: int, out: Path) -> dict:
    """Run one case in a fresh interpreter and return its JSON result."""
    call = {
        "render": f"case_render({households}, Path({str(out)!r}), 'A4')",
        "a3": f"case_render({households}, Path({str(out)!r}), 'A3')",
        "database": f"case_database({households}, Path({str(out)!r}))",
    }[name]
    here = str(Path(__file__).resolve().parent)
    code = (
        f"import json, sys; sys.path.insert(0, {here!r}); import bench_pdf as b; from pathlib import Path; "
        f"print(json.dumps(b.{call}))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="folder to keep the PDFs in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="fanpin-pdf-"))
    folder.mkdir(parents=True, exist_ok=True)
    ok = True
    for name in ("render", "database", "a3"):
        out = folder / f"appendix1-{name}.pdf"
        result = run_case(name, args.households, out)
        verdict = "ok" if result["seconds"] < GOAL_SECONDS else "SLOW"
        ok &= verdict == "ok"
        extra = f", layout and writing {result['render_seconds']:.2f} s" if "render_seconds" in result else ""
        print(
            f"{name:9s} {result['households']:4d} households: {result['seconds']:.2f} s{extra} "
            f"({out.stat().st_size // 1024} KB) [{verdict}, goal < {GOAL_SECONDS:.0f} s]"
        )
    print(f"PDFs in {folder}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
