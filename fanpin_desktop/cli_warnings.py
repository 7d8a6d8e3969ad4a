"""``fanpin warnings`` (department warnings) and ``fanpin problems`` (the county's problem list).

    fanpin warnings import FILE --department 医保 [--mapping 名称] [--sheet 名称] [--received YYYY-MM-DD]
    fanpin warnings list [--pending] [--department 医保] [--unmatched] [--month 2026-11]
    fanpin warnings summary --month 2026-11 [--department 医保] [-o F.xlsx]
    fanpin problems import FILE [--mapping 名称] [--sheet 名称]
    fanpin problems list [--pending] [--unmatched]

Imported by ``fanpin_desktop.cli`` (listed in its ``COMMAND_MODULES``), which registers the
commands through its ``@command`` decorator.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from fanpin_desktop.errors import UserError

MAX_LISTED = 500


def out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式应为 YYYY-MM-DD") from None


WARNINGS_HELP = (
    "部门预警：import 导入部门名单（任意格式，按部门保存列对应关系）；list 列出预警（--pending 只列待核实）；"
    "summary 月度汇总（-o 导出Excel交部门）"
)
WARNINGS_ARGUMENTS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (
        ("action",),
        {"choices": ("import", "list", "summary"), "metavar": "操作", "help": "import / list / summary"},
    ),
    (("file",), {"nargs": "?", "metavar": "FILE", "help": "import：部门发来的 .xlsx / .xls / .csv 名单"}),
    (
        ("--department",),
        {"metavar": "部门", "help": "预警部门：医保、卫健、残联、住建、水利、民政、人社、教委、应急…"},
    ),
    (("--mapping",), {"metavar": "名称", "help": "import：使用已保存的列对应关系"}),
    (("--sheet",), {"metavar": "名称", "help": "import：工作表名称（默认第一个有数据的工作表）"}),
    (("--received",), {"type": _day, "metavar": "YYYY-MM-DD", "help": "import：收到名单的日期（默认今天）"}),
    (("--pending",), {"action": "store_true", "help": "list：只列还没有核实结果的预警"}),
    (("--unmatched",), {"action": "store_true", "help": "list：只列未匹配到农户的预警"}),
    (("--month",), {"metavar": "YYYY-MM", "help": "list/summary：收到预警的月份"}),
    (("-o", "--output"), {"metavar": "FILE", "help": "summary：把汇总和明细保存为 .xlsx"}),
]


def _money(v: Any) -> str:
    return "" if v is None else f"{v:.2f}"


def run_warnings(args: argparse.Namespace, ctx: Any) -> int:
    from fanpin_desktop.services import warnings as w

    if args.action == "import":
        if not args.file:
            raise UserError("请指定要导入的名单文件：fanpin warnings import FILE --department 医保")
        if not args.department:
            raise UserError(f"请用 --department 指定预警部门（{'、'.join(w.DEPARTMENTS)}）")
        with ctx.db.unit() as s:
            result = w.import_warnings(
                s,
                Path(args.file),
                args.department,
                mapping_name=args.mapping,
                sheet=args.sheet,
                received_on=args.received,
            )
        out(f"{result.mapping_source}。")
        out(result.summary())
        return 0
    if args.action == "summary":
        if not args.month:
            raise UserError("请用 --month 指定月份，如 --month 2026-11")
        with ctx.db.reading() as s:
            sums = w.monthly_summary(s, args.month, args.department)
            if args.output:
                path = w.export_summary_xlsx(s, Path(args.output), args.month, args.department)
        out("\t".join(w.SUMMARY_HEADER))
        for one in sums:
            out("\t".join(str(x) for x in w._summary_values(one)))
        if not sums:
            out(f"{args.month} 没有收到{args.department or ''}预警。")
        if args.output:
            out(f"已保存到：{path}")
        return 0
    with ctx.db.reading() as s:
        rows = w.list_warnings(
            s,
            department=args.department,
            pending=args.pending,
            match_status=w.UNMATCHED if args.unmatched else None,
            month=args.month,
        )
    if not rows:
        out("没有符合条件的部门预警。")
        return 0
    out(f"共 {len(rows)} 条：")
    out(
        "编号\t部门\t接收日期\t姓名\t证件号码\t行政村\t预警原因\t金额\t超过限额\t匹配情况\t户主\t核实结果\t说明"
    )
    for r in rows[:MAX_LISTED]:
        note = r.outcome_reason or r.threshold_reason or r.match_note or ""
        out(
            f"{r.id}\t{r.department}\t{r.received_on:%Y-%m-%d}\t{r.person_name or ''}\t{r.id_number or ''}\t"
            f"{r.village_name or r.household_village or ''}\t{r.reason}\t{_money(r.amount)}\t"
            f"{'是' if r.over_threshold else ''}\t{r.match_status}\t{r.head_name or ''}\t"
            f"{r.outcome or ('待核实' if r.pending else '')}\t{note}"
        )
    if len(rows) > MAX_LISTED:
        out(
            f"……另有 {len(rows) - MAX_LISTED} 条未列出；用 fanpin warnings summary --month … -o F.xlsx 导出全部"
        )
    return 0


PROBLEMS_HELP = "县级反馈问题清单：import 导入（任意格式，保存列对应关系）；list 列出（--pending 只列待整改）"
PROBLEMS_ARGUMENTS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (("action",), {"choices": ("import", "list"), "metavar": "操作", "help": "import / list"}),
    (("file",), {"nargs": "?", "metavar": "FILE", "help": "import：县里发来的 .xlsx / .xls / .csv 清单"}),
    (("--mapping",), {"metavar": "名称", "help": "import：使用已保存的列对应关系"}),
    (("--sheet",), {"metavar": "名称", "help": "import：工作表名称"}),
    (("--received",), {"type": _day, "metavar": "YYYY-MM-DD", "help": "import：收到清单的日期（默认今天）"}),
    (("--pending",), {"action": "store_true", "help": "list：只列待整改的问题"}),
    (("--unmatched",), {"action": "store_true", "help": "list：只列未匹配到农户的问题"}),
]


def run_problems(args: argparse.Namespace, ctx: Any) -> int:
    from fanpin_desktop.services import county_problems as cp

    if args.action == "import":
        if not args.file:
            raise UserError("请指定要导入的清单文件：fanpin problems import FILE")
        with ctx.db.unit() as s:
            result = cp.import_problems(
                s, Path(args.file), mapping_name=args.mapping, sheet=args.sheet, received_on=args.received
            )
        out(f"{result.mapping_source}。")
        out(result.summary())
        return 0
    with ctx.db.reading() as s:
        rows = cp.list_problems(
            s,
            status=cp.PENDING if args.pending else None,
            match_status=cp.UNMATCHED if args.unmatched else None,
        )
        totals = cp.counts(s)
    out("，".join(f"{k}{v}条" for k, v in totals.items()))
    out("编号\t接收日期\t姓名\t证件号码\t问题类型\t问题描述\t匹配情况\t户主\t整改状态\t整改情况/原因")
    for p in rows[:MAX_LISTED]:
        out(
            f"{p.id}\t{p.received_on:%Y-%m-%d}\t{p.person_name or ''}\t{p.id_number or ''}\t{p.rule_code or ''}\t"
            f"{p.problem}\t{p.match_status}\t{p.head_name or ''}\t{p.status}\t{p.resolution or p.match_note or ''}"
        )
    if len(rows) > MAX_LISTED:
        out(f"……另有 {len(rows) - MAX_LISTED} 条未列出")
    return 0


def _register_with_cli() -> None:
    try:
        from fanpin_desktop import cli
    except ImportError:  # pragma: no cover
        return
    for name, help_text, fn, arguments in (
        ("warnings", WARNINGS_HELP, run_warnings, WARNINGS_ARGUMENTS),
        ("problems", PROBLEMS_HELP, run_problems, PROBLEMS_ARGUMENTS),
    ):
        if name in cli.COMMANDS:
            continue
        handler = fn
        for a, kw in reversed(arguments):
            handler = cli.argument(*a, **kw)(handler)
        cli.command(name, help_text, writes=lambda a: a.action == "import")(handler)


_register_with_cli()
