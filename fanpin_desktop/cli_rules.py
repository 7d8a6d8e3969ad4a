"""``fanpin rules …``: the data-quality rules (数据核查) without the window.

    fanpin rules list                               every rule: code, group, severity, title
    fanpin rules run [--village V] [-o F.xlsx]      run every rule; counts per rule and village;
                                                    -o writes the findings (one sheet per village)

Imported by ``fanpin_desktop.cli`` (listed in its ``COMMAND_MODULES``). The rules are
``domain/rules``; ``services/quality.py`` feeds them from the database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

HELP = "数据核查规则：list 列出全部规则；run 运行全部规则（--village 只查一个村，-o 导出问题清单 xlsx）"


def out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式应为 YYYY-MM-DD") from None


ARGUMENTS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (("action",), {"choices": ("list", "run"), "metavar": "操作", "help": "list 列出规则；run 运行核查"}),
    (("--village",), {"metavar": "村名", "help": "run：只核查这个行政村（村名或编号）"}),
    (("--today",), {"type": _day, "metavar": "YYYY-MM-DD", "help": "run：按这一天核查（默认今天）"}),
    (("-o", "--output"), {"metavar": "文件", "help": "run：把问题清单写入这个 xlsx 文件（每村一个工作表）"}),
]


def run(args: argparse.Namespace, ctx: Any) -> int:
    if args.action == "list":
        return _list()
    return _run(args, ctx)


def _list() -> int:
    from fanpin_desktop.domain.rules import RULES

    out("编号\t分组\t严重程度\t规则")
    for r in RULES:
        out(f"{r.code}\t{r.group}\t{r.severity}\t{r.title}")
    out(f"共 {len(RULES)} 条规则")
    return 0


def _run(args: argparse.Namespace, ctx: Any) -> int:
    from fanpin_desktop.cli_screening import _village_id
    from fanpin_desktop.services import quality

    with ctx.db.reading() as s:
        vid = _village_id(s, args.village)
        report = quality.run_all(s, village_id=vid, today=args.today)
        written = None
        if args.output:
            written = quality.export_findings_xlsx(s, Path(args.output), vid, report=report)
    opened = len(report.open_findings)
    exempted = len(report.findings) - opened
    scope = f"{args.village}，" if args.village else ""
    out(
        f"数据核查（{scope}{report.households} 户，{report.today:%Y-%m-%d}）：发现 {len(report.findings)} 条，"
        f"未处理 {opened} 条，已豁免 {exempted} 条（用时 {report.seconds:.1f} 秒）"
    )
    out("")
    out("编号\t分组\t严重程度\t规则\t未处理\t已豁免")
    for rc in report.by_rule():
        if rc.total:
            out(
                f"{rc.rule.code}\t{rc.rule.group}\t{rc.rule.severity}\t{rc.rule.title}\t{rc.open}\t{rc.exempted}"
            )
    out("")
    out("村\t未处理\t已豁免")
    for name, o, e in report.by_village():
        out(f"{name}\t{o}\t{e}")
    if written is not None:
        out("")
        out(f"已导出问题清单：{written}")
    return 0


def _register_with_cli() -> None:
    try:
        from fanpin_desktop import cli
    except ImportError:  # pragma: no cover
        return
    if "rules" in cli.COMMANDS:
        return
    handler = run
    for a, kw in reversed(ARGUMENTS):
        handler = cli.argument(*a, **kw)(handler)
    cli.command("rules", HELP, writes=False)(handler)


_register_with_cli()
