"""``fanpin screening …``: the concentrated screening from the command line.

    fanpin screening export --appendix 1..4 [--village 村名] [--campaign ID] [--output 文件]
    fanpin screening stats [--village 村名] [--as-of 日期] [--snapshot] [--missing]
    fanpin screening import 文件 --appendix 1|2 [--village 村名] [--dry-run]
    fanpin screening campaigns

Imported by ``fanpin_desktop.cli`` (listed in its ``COMMAND_MODULES``), which registers the
``screening`` command through its ``@command`` decorator; ``register(subparsers)`` adds the same
command to any other argparse parser.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fanpin_desktop.errors import UserError

ACTIONS = ("export", "stats", "import", "campaigns")
MAX_ISSUES = 100  # import problems listed on the terminal


def out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式应为 YYYY-MM-DD") from None


ARGUMENTS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (
        ("action",),
        {
            "choices": ACTIONS,
            "metavar": "操作",
            "help": "export 导出附件表格；stats 排查情况统计（附件3）；import 导入村里填好的附件1/2；"
            "campaigns 列出排查批次",
        },
    ),
    (
        ("file",),
        {"nargs": "?", "metavar": "FILE", "help": "import 时要导入的 .xlsx 文件（紧跟在 import 之后）"},
    ),
    (("--file",), {"dest": "file_option", "metavar": "FILE", "help": "同 FILE（可放在任何位置）"}),
    (("--appendix",), {"type": int, "choices": (1, 2, 3, 4), "metavar": "N", "help": "附件编号 1–4"}),
    (("--village",), {"metavar": "村名", "help": "只处理一个行政村（村名或编号）；默认全乡镇"}),
    (("--campaign",), {"type": int, "metavar": "ID", "help": "排查批次编号（默认当前批次）"}),
    (("--output", "-o"), {"metavar": "FILE", "help": "导出文件（默认保存到数据目录的 exports 文件夹）"}),
    (("--date",), {"type": _date, "metavar": "YYYY-MM-DD", "help": "填表时间（导出）或排查日期（导入）"}),
    (("--as-of",), {"type": _date, "metavar": "YYYY-MM-DD", "help": "统计截至日期（默认今天）"}),
    (("--snapshot",), {"action": "store_true", "help": "stats：保存本周五的周报快照并与上周比较"}),
    (("--missing",), {"action": "store_true", "help": "stats：列出尚未排查的农户"}),
    (("--json",), {"action": "store_true", "help": "stats：以 JSON 输出"}),
    (("--screened-only",), {"action": "store_true", "help": "附件1只导出已排查的农户"}),
    (("--mask-ids",), {"action": "store_true", "help": "附件4的身份证号码脱敏显示"}),
    (("--dry-run",), {"action": "store_true", "help": "import：只检查，不保存"}),
]


def _village_id(session: Session, text: str | None) -> int | None:
    from fanpin_desktop.models import Village

    if not text:
        return None
    v = session.scalar(select(Village).where(Village.name == text.strip()))
    if v is None and text.strip().isdigit():
        v = session.get(Village, int(text.strip()))
    if v is None:
        names = "、".join(session.scalars(select(Village.name).order_by(Village.sort_order, Village.id)))
        raise UserError(f"没有名为“{text}”的行政村。现有：{names or '（无）'}")
    return v.id


def run(args: argparse.Namespace, ctx: Any) -> int:
    """Handler: ``ctx`` is the CLI's AppContext (``.db``, ``.paths``)."""
    handlers = {"export": _export, "stats": _stats, "import": _import, "campaigns": _campaigns}
    return handlers[args.action](args, ctx)


def _export(args: argparse.Namespace, ctx: Any) -> int:
    from fanpin_desktop.services import appendix_export

    if args.appendix is None:
        raise UserError("请用 --appendix 1..4 指定要导出的附件。")
    with ctx.db.reading() as s:
        vid = _village_id(s, args.village)
        result = appendix_export.export_appendix(
            s,
            args.appendix,
            args.output,
            campaign_id=args.campaign,
            village_id=vid,
            fill_date=args.date,
            exports_dir=ctx.paths.exports,
            include_unscreened=not args.screened_only,
            mask_ids=args.mask_ids,
            as_of=args.as_of,
        )
    out(f"已导出附件{result.appendix}（{result.rows}行）：{result.path}")
    out(f"用时 {result.seconds:.2f} 秒")
    return 0


def _stats(args: argparse.Namespace, ctx: Any) -> int:
    from fanpin_desktop.services import campaigns, stats

    started = time.perf_counter()
    with ctx.db.unit(commit=args.snapshot) as s:
        c = campaigns.resolve(s, args.campaign)
        vid = _village_id(s, args.village)
        as_of = args.as_of or dt.date.today()
        previous = None
        if args.snapshot:
            snap = stats.take_snapshot(s, c.id, stats.report_friday(as_of), today=as_of)
            report = stats.StatsReport.from_data(snap.data)
            previous = stats.previous_snapshot(s, c.id, snap.report_date)
        else:
            report = stats.compute(s, c.id, as_of=as_of, village_id=vid)
            previous = stats.previous_snapshot(s, c.id, stats.report_friday(as_of))
        missing = stats.missing_households(s, c.id, vid) if args.missing else []
        elapsed = time.perf_counter() - started
        if args.json:
            data = report.to_data()
            data["change"] = (
                {
                    str(k): {kk: list(v) if isinstance(v, tuple) else v for kk, v in d.items()}
                    for k, d in stats.diff(report, previous).items()
                }
                if previous
                else None
            )
            out(json.dumps(data, ensure_ascii=False, indent=1))
            return 0
        out(f"{c.name}：排查情况统计（截至 {report.as_of:%Y-%m-%d}）")
        if args.snapshot:
            out(f"已保存 {snap.report_date:%Y-%m-%d}（周五）的周报快照。")
        changes = stats.diff(report, previous) if previous else {}
        cols = [
            ("due", "应排查"),
            ("screened", "已排查"),
            ("new_unstable", "脱贫不稳定"),
            ("new_edge", "边缘易致贫"),
            ("new_sudden", "突发严重困难"),
            ("rolled_back", "回退"),
            ("to_eliminate", "拟消除"),
            ("problems_policy", "政策问题"),
            ("problems_fund", "资金问题"),
            ("problems_construction", "建设治理问题"),
        ]
        out("\t".join(["村别", *(label for _k, label in cols), "进度"]))
        for row in report.rows + ([report.total] if vid is None else []):
            due, done = row.cells["due"], row.cells["screened"]
            pct = f"{100 * done[0] / due[0]:.0f}%" if due[0] else "-"
            cells = []
            for key, _label in cols:
                text = report.text(row, key)
                delta = changes.get(row.village_id, {}).get(key)
                cells.append(f"{text}({stats.delta_text(delta)})" if delta else text)
            out("\t".join([row.village, *cells, pct]))
        if previous:
            out(f"括号内为与 {previous.as_of:%Y-%m-%d} 周报相比的变化。")
        if args.missing:
            out(f"尚未排查 {len(missing)} 户：")
            for m in missing:
                out(
                    f"  {m.village}{m.group}\t{m.head_name}\t{m.code}\t{m.household_type}\t{m.people}人\t{m.phone}"
                )
        out(f"用时 {elapsed:.2f} 秒")
    return 0


def _import(args: argparse.Namespace, ctx: Any) -> int:
    from fanpin_desktop.services import appendix_import

    if args.appendix not in (1, 2):
        raise UserError("请用 --appendix 1 或 --appendix 2 指定要导入的附件（只能导入附件1、附件2）。")
    file = args.file or args.file_option
    if not file:
        raise UserError("请给出要导入的 .xlsx 文件：fanpin screening import 文件 --appendix 1")
    with ctx.db.unit() as s:
        vid = _village_id(s, args.village)
        kw: dict[str, Any] = {"village_id": vid, "dry_run": args.dry_run}
        if args.appendix == 1:
            kw["screened_on"] = args.date
        report = appendix_import.import_appendix(s, args.appendix, Path(file), args.campaign, **kw)
        for issue in report.issues[:MAX_ISSUES]:
            out(("错误：" if issue.severity == appendix_import.ERROR else "提示：") + issue.message)
        if len(report.issues) > MAX_ISSUES:
            out(f"……另有{len(report.issues) - MAX_ISSUES}条未列出。")
        out(report.summary())
        if not report.ok:
            s.rollback()
            return 1
    return 0


def _campaigns(args: argparse.Namespace, ctx: Any) -> int:
    from fanpin_desktop.services import campaigns

    with ctx.db.reading() as s:
        rows = campaigns.list_campaigns(s)
    if not rows:
        out("还没有排查批次。")
    for c in rows:
        mark = "（当前）" if c.is_current else ""
        threshold = f"监测范围{c.threshold_label}元" if c.threshold_amount is not None else "未设监测范围"
        out(
            f"{c.id}\t{c.name}{mark}\t{c.start_date}至{c.end_date}\t收入期{c.income_period_label}\t{threshold}"
        )
    return 0


HELP = "集中排查：导出附件1–4表格、排查情况统计、导入村里填好的附件1/2"


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``screening`` to an argparse sub-parser collection; the handler is ``args.func(args, ctx)``."""
    p = subparsers.add_parser("screening", help=HELP, description=HELP)
    for a, kw in ARGUMENTS:
        p.add_argument(*a, **kw)
    p.set_defaults(func=run)
    return p


def _register_with_cli() -> None:
    try:
        from fanpin_desktop import cli
    except ImportError:  # pragma: no cover
        return
    if "screening" in cli.COMMANDS:
        return
    handler = run
    for a, kw in reversed(ARGUMENTS):
        handler = cli.argument(*a, **kw)(handler)
    cli.command("screening", HELP, writes=lambda a: a.action == "import" or a.snapshot)(handler)


_register_with_cli()
