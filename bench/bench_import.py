"""Benchmark of the roster importer (issue: importing household rosters).

Generates a roster of N people (default 60,000) in the 47-column national export layout, with two
title rows above the header and identity numbers as text, then measures, each in its own process
so that peak memory is per step:

1. python-calamine just parsing the sheet into Python lists (the floor: ``get_sheet_by_name`` then
   ``iter_rows``, on one thread, as the importer loads it),
2. openpyxl ``read_only`` just parsing it,
3. the full import into an empty database (read, check, group, compare, write, commit),
4. re-importing the same file into that database (nothing changes).

Goals: (3) within 3× of (1); (4) no slower than (3); peak memory of (3) and (4) under 500 MB;
(2)/(3) is printed for reference.

    python bench/bench_import.py [--rows 60000] [--file roster.xlsx] [--rounds 5] [--skip-openpyxl]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's fanpin_desktop

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红建国志文德胜利春梅海燕金凤永福宝山林荣"


MONITORING_HEADERS = ("易返贫致贫户(监测对象)类型", "风险是否消除", "风险识别时间", "风险消除时间")
MONITORING_EXTRA = ("风险消除方式", "返贫致贫风险1", "返贫致贫风险2")
RISKS = ("因病", "因学", "因残", "因意外事故", "因务工就业不稳", "缺劳动力", "因自然灾害")


def generate(
    path: Path, people: int, seed: int = 7, monitoring: str | None = None, share: float = 0.06
) -> int:
    """Write a realistic roster; returns the number of households.

    ``monitoring``: None — the 47 columns, the monitoring ones empty (this benchmark's file);
    "without" — the same file without the four monitoring columns; "with" — the 47 columns plus
    风险消除方式 and two risk columns, ``share`` of the households monitored (their values on every
    row, as the national system exports them; about 40% of them eliminated). The people, households
    and every other cell are the same in all three (the monitoring values have their own random
    sequence).
    """
    from fanpin_desktop.documents.xlsx_util import TableSheet, write_table
    from fanpin_desktop.domain.ids import make_id
    from fanpin_desktop.services.importer.headers import layout

    headers = layout("national_roster_47").headers
    if monitoring == "without":
        headers = [h for h in headers if h not in MONITORING_HEADERS]
    elif monitoring == "with":
        headers = headers + list(MONITORING_EXTRA)
    rnd = random.Random(seed)
    mrnd = random.Random(seed + 1)
    text_cols = {
        headers.index(h) for h in ("户编号", "人编号", "证件号码", "户联系电话", "人联系电话", "出生日期")
    }
    households = 0
    used: set[str] = set()

    def unique_id(birth: dt.date, n: int, female: bool) -> str:
        seq = n
        while True:
            number = make_id("341523", birth, seq, female)
            if number not in used:
                used.add(number)
                return number
            seq += 2

    def rows():
        nonlocal households
        n = 0
        while n < people:
            households += 1
            size = min(rnd.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6)), people - n)
            v, g = rnd.randint(1, 20), rnd.randint(1, 12)
            code = f"34152300{v:02d}{households:06d}"
            hh_type = rnd.choice(("脱贫户", "一般农户", "一般农户", "监测户"))
            hh_phone = f"13{rnd.randint(0, 999999999):09d}"
            income = rnd.randint(5000, 30000)
            case: dict[str, object] = {}
            if monitoring == "with" and mrnd.random() < share:
                year, month = mrnd.randint(2021, 2024), mrnd.randint(1, 12)
                eliminated = mrnd.random() < 0.4
                end = year * 12 + month + mrnd.randint(6, 20)
                risks = mrnd.sample(RISKS, mrnd.randint(1, 2))
                case = {
                    "易返贫致贫户(监测对象)类型": "脱贫不稳定户"
                    if hh_type == "脱贫户"
                    else mrnd.choice(("边缘易致贫户", "突发严重困难户")),
                    "风险是否消除": "是" if eliminated else "否",
                    "风险识别时间": f"{year}{month:02d}",
                    "风险消除时间": f"{end // 12}{end % 12 + 1:02d}" if eliminated else "",
                    "风险消除方式": mrnd.choice(("帮扶消除", "自然消除")) if eliminated else "",
                    "返贫致贫风险1": risks[0],
                    "返贫致贫风险2": risks[1] if len(risks) > 1 else "",
                }
            for k in range(size):
                n += 1
                if k == 0:
                    rel, age = "户主", rnd.randint(30, 85)
                elif k == 1:
                    rel, age = "配偶", rnd.randint(30, 85)
                else:
                    rel, age = rnd.choice(("之子", "之女", "之孙子", "之孙女", "之母")), rnd.randint(1, 40)
                female = rel in ("之女", "之孙女", "之母", "配偶")
                birth = dt.date(2024 - age, rnd.randint(1, 12), rnd.randint(1, 28))
                student = 6 <= age <= 18
                working = 18 < age < 60 and rnd.random() < 0.5
                name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.randint(1, 2)))
                values = {
                    "序号": n,
                    "数据日期": "202405",
                    "省": "安徽省",
                    "市": "六安市",
                    "县(市、区、旗)": "舒城县",
                    "乡(镇)": "测试镇",
                    "行政村": f"第{v}村",
                    "自然村": f"{v}村{g % 3 + 1}庄",
                    "村民小组": f"{g}组",
                    "户编号": code,
                    "人编号": f"{code}{k + 1:02d}",
                    "姓名": name,
                    "性别": "女" if female else "男",
                    "证件类型": "居民身份证",
                    "证件号码": unique_id(birth, n, female),
                    "出生日期": birth.strftime("%Y%m%d"),
                    "人数": size,
                    "与户主关系": rel,
                    "民族": "汉族",
                    "政治面貌": "群众",
                    "文化程度": "" if student else rnd.choice(("小学", "初中", "高中", "文盲或半文盲")),
                    "在校生状况": rnd.choice(("小学三年级", "七年级", "高中一年级")) if student else "",
                    "健康状况": rnd.choice(("健康", "健康", "健康", "长期慢性病", "残疾")),
                    "劳动技能": rnd.choice(("普通劳动力", "无劳动力", "弱劳动力或半劳动力")),
                    "务工状况": rnd.choice(("省外务工", "县外省内务工")) if working else "",
                    "务工时间（月）": rnd.choice((6, 10, 12)) if working else "",
                    "是否参加大病保险": "是",
                    "是否享受低保": rnd.choice(("是", "否", "否")),
                    "是否特困供养": "否",
                    "致贫原因1": "因病",
                    "危房户": "否",
                    "是否解决安全饮用水": "是",
                    "人均纯收入": income,
                    "户联系电话": hh_phone,
                    "人联系电话": "",
                    "首次识别时间": "201401",
                    "人员识别时间": "201401",
                    "户类型": hh_type,
                    **case,
                }
                yield [values.get(h, "") for h in headers]

    write_table(
        path,
        [
            TableSheet(
                "Sheet1",
                headers,
                rows(),
                titles=["全国防返贫监测信息系统 家庭成员信息", "导出时间：2024-05-01"],
                text_columns=text_cols,
            )
        ],
    )
    return households


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def child(step: str, file: Path, data_dir: Path | None) -> dict:
    if step == "calamine":
        from python_calamine import CalamineWorkbook

        # The same calls as the importer (reading.open_source / Source.iter_chunks): load the sheet,
        # then every row as a Python list, one after the other (to_python(), which keeps all rows
        # at once, takes a little longer and twice the memory).
        t, c = time.perf_counter(), time.process_time()
        wb = CalamineWorkbook.from_path(str(file))
        n = sum(1 for _row in wb.get_sheet_by_name(wb.sheet_names[0]).iter_rows())
        seconds, cpu = time.perf_counter() - t, time.process_time() - c
        return {"seconds": seconds, "cpu": cpu, "rows": n, "peak_mb": _peak_mb()}
    if step == "calamine_to_python":  # the floor as measured before: all rows at once (for reference)
        from python_calamine import CalamineWorkbook

        t, c = time.perf_counter(), time.process_time()
        wb = CalamineWorkbook.from_path(str(file))
        rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
        seconds, cpu = time.perf_counter() - t, time.process_time() - c
        return {"seconds": seconds, "cpu": cpu, "rows": len(rows), "peak_mb": _peak_mb()}
    if step == "openpyxl":
        import openpyxl

        t, c = time.perf_counter(), time.process_time()
        wb = openpyxl.load_workbook(file, read_only=True, data_only=True)
        n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
        seconds, cpu = time.perf_counter() - t, time.process_time() - c
        wb.close()
        return {"seconds": seconds, "cpu": cpu, "rows": n, "peak_mb": _peak_mb()}
    from sqlalchemy import func, select
    from sqlalchemy.orm import configure_mappers

    from fanpin_desktop.db import Database, migrate
    from fanpin_desktop.models import AuditEntry, Household, Member, MonitoringCase
    from fanpin_desktop.services.importer import ImportOptions, import_file

    assert data_dir is not None
    db = Database(data_dir / "bench.sqlite3", user="bench")
    migrate(db)
    import fanpin_desktop.services.importer.parse  # noqa: F401 - import time is not import work

    # Neither is setting up the ORM's mappers, which the program does once, at its first query (the
    # main window's lists), long before a clerk imports a roster; here it would fall in the import.
    configure_mappers()

    t, c = time.perf_counter(), time.process_time()
    result = import_file(db, file, ImportOptions(create_places=True))
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    # import_file returns once the data is committed; copying the write-ahead log into the
    # database file then goes on in the background (Database.bulk_unit). Reported, not counted.
    t = time.perf_counter()
    db.wait_for_checkpoint()
    checkpoint = time.perf_counter() - t
    with db.reading() as s:
        counts = {
            "members": s.scalar(select(func.count(Member.id))),
            "households": s.scalar(select(func.count(Household.id))),
            "audit": s.scalar(select(func.count(AuditEntry.id))),
            "cases": s.scalar(select(func.count(MonitoringCase.id))),
        }
    db.dispose()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": _peak_mb(),
        "plan": result.plan.counts,
        "phases": {k: round(v, 2) for k, v in result.timings.items()},
        "checkpoint_after": checkpoint,
        **counts,
    }


def run_child(step: str, file: Path, data_dir: Path | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", step, "--file", str(file)]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _spread(runs: list[dict], key: str = "seconds") -> str:
    values = [r[key] for r in runs]
    return f"{_median(values):6.2f} s (runs {' '.join(f'{v:.2f}' for v in values)})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=60000)
    ap.add_argument("--file", type=Path, help="use (or keep) this roster file instead of a temporary one")
    ap.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="rounds of floor / import / re-import, interleaved (medians are reported)",
    )
    ap.add_argument("--skip-openpyxl", action="store_true", help="skip the slow openpyxl measurement")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.file, args.data_dir)))
        return 0
    with tempfile.TemporaryDirectory(prefix="fanpin-bench-") as tmp:
        tmpdir = Path(tmp)
        file = args.file or tmpdir / "roster47.xlsx"
        if not file.exists():
            t = time.perf_counter()
            hh = generate(file, args.rows)
            print(
                f"generated {args.rows} people / {hh} households in {time.perf_counter() - t:.1f} s "
                f"({file.stat().st_size / 1e6:.1f} MB)"
            )
        # This machine's speed drifts by tens of percent from minute to minute, so the steps are
        # run in rounds, one after the other (floor, import, re-import, openpyxl), and compared
        # by their medians; each round's own ratios are printed too.
        floors: list[dict] = []
        firsts: list[dict] = []
        agains: list[dict] = []
        opxs: list[dict] = []
        for r in range(args.rounds):
            floors.append(run_child("calamine", file))
            data = tmpdir / f"data{r}"
            data.mkdir()
            firsts.append(run_child("import", file, data))
            agains.append(run_child("import", file, data))
            if not args.skip_openpyxl:
                opxs.append(run_child("openpyxl", file))
        whole = run_child("calamine_to_python", file)
        first, again = firsts[-1], agains[-1]
        print(
            f"calamine parse (floor) : {_spread(floors)}   peak {floors[0]['peak_mb']:4.0f} MB   "
            f"(get_sheet_by_name + iter_rows, as the importer)"
        )
        print(
            f"calamine to_python     : {whole['seconds']:6.2f} s   peak {whole['peak_mb']:4.0f} MB   "
            f"(all rows at once; the floor before, for reference)"
        )
        if opxs:
            print(f"openpyxl read_only     : {_spread(opxs)}   peak {opxs[0]['peak_mb']:4.0f} MB")
        print(
            f"full import (empty db) : {_spread(firsts)}   peak {max(r['peak_mb'] for r in firsts):4.0f} MB   "
            f"{first['members']} members, {first['households']} households, {first['audit']} audit entries"
        )
        print(f"    phases of each run : {'; '.join(str(r['phases']) for r in firsts)}")
        print(
            f"re-import (no changes) : {_spread(agains)}   peak {max(r['peak_mb'] for r in agains):4.0f} MB   "
            f"{again['plan']['m_unchanged']} unchanged, {again['plan']['m_new']} new, "
            f"{again['plan']['m_changed']} changed"
        )
        print(f"    phases of each run : {'; '.join(str(r['phases']) for r in agains)}")
        print(
            f"cpu seconds (median)   : floor {_median([r['cpu'] for r in floors]):.2f}, "
            f"import {_median([r['cpu'] for r in firsts]):.2f}, re-import {_median([r['cpu'] for r in agains]):.2f}"
            + (f", openpyxl {_median([r['cpu'] for r in opxs]):.2f}" if opxs else "")
        )
        print()
        floor_s = _median([r["seconds"] for r in floors])
        first_s = _median([r["seconds"] for r in firsts])
        again_s = _median([r["seconds"] for r in agains])
        per_round = " ".join(
            f"{i['seconds'] / f['seconds']:.2f}" for f, i in zip(floors, firsts, strict=True)
        )
        ratio = first_s / floor_s
        print(
            f"import / calamine floor = {ratio:5.2f}  (goal ≤ 3)  {'OK' if ratio <= 3 else 'MISSED'}"
            f"   [each round: {per_round}]"
        )
        if opxs:
            speed = _median([r["seconds"] for r in opxs]) / first_s
            per_round = " ".join(
                f"{o['seconds'] / i['seconds']:.2f}" for o, i in zip(opxs, firsts, strict=True)
            )
            print(f"openpyxl parse / import = {speed:5.2f}  (for reference)   [each round: {per_round}]")
        re_ratio = again_s / first_s
        print(f"re-import / import      = {re_ratio:5.2f}  (goal ≤ 1)  {'OK' if re_ratio <= 1 else 'MISSED'}")
        peak = max(r["peak_mb"] for r in firsts + agains)
        print(f"peak memory (import)    = {peak:5.0f} MB (goal < 500) {'OK' if peak < 500 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
