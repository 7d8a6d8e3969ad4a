"""``fanpin exports``: the history of the files exported for the national system.

    fanpin exports                          list every batch file, newest first
    fanpin exports --entered ID [--on DAY]  mark batch ID 已录入系统 (adds the 系统录入 steps)
    fanpin exports --changes                what changed since each household's last export

Imported by ``fanpin_desktop.cli`` (listed in its ``COMMAND_MODULES``), which registers the
command through its ``@command`` decorator. The files are written by ``fanpin export national``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

HELP = "全国系统导出记录：列出导出过的清单；--entered 编号 标记为已录入系统；--changes 查看上次导出以来的变化"
MAX_LISTED = 200


def out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式应为 YYYY-MM-DD") from None


ARGUMENTS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (
        ("--entered",),
        {"type": int, "metavar": "编号", "help": "把这一批标记为已录入系统（为各户加“系统录入”环节）"},
    ),
    (("--on",), {"type": _day, "metavar": "YYYY-MM-DD", "help": "--entered：录入全国系统的日期（默认今天）"}),
    (("--changes",), {"action": "store_true", "help": "列出各户与最近一次导出相比变化了的信息"}),
]


def run(args: argparse.Namespace, ctx: Any) -> int:
    from fanpin_desktop.services import national_export as ne

    if args.entered is not None:
        on = args.on or dt.date.today()
        with ctx.db.unit() as s:
            result = ne.mark_entered(s, args.entered, on)
        out(f"第 {args.entered} 批已标记为已录入系统（{on:%Y-%m-%d}）：加“系统录入”环节 {result.marked} 户")
        if result.skipped:
            out(f"另有 {result.skipped} 户已录入、已删除或状态已变，未加")
        return 0
    if args.changes:
        with ctx.db.reading() as s:
            changes = ne.changes_since_last_export(s)
        if not changes:
            out("与最近一次导出相比没有变化。")
            return 0
        out(f"与最近一次导出相比有 {len(changes)} 项变化：")
        out("户编号\t姓名\t证件号码\t字段\t原值\t新值")
        for c in changes[:MAX_LISTED]:
            out(f"{c.hh_code}\t{c.name}\t{c.id_number}\t{c.field}\t{c.old}\t{c.new}")
        if len(changes) > MAX_LISTED:
            out(
                f"……另有 {len(changes) - MAX_LISTED} 项未列出；用 fanpin export national --batch changes 导出全部"
            )
        return 0
    with ctx.db.reading() as s:
        rows = ne.history(s)
    if not rows:
        out("还没有导出过录入全国系统的清单（fanpin export national --batch new|elimination|changes）。")
        return 0
    out("编号\t清单\t导出时间\t导出人\t户数\t人数\t已录入系统\t文件\tSHA-256")
    for e in rows:
        entered = f"{e.entered_on:%Y-%m-%d}（{e.entered_by}）" if e.entered_on else "未录入"
        out(
            f"{e.id}\t{e.label}\t{e.created_at:%Y-%m-%d %H:%M}\t{e.created_by}\t{e.households}\t{e.rows}\t"
            f"{entered}\t{e.file_name}\t{e.sha256}"
        )
    return 0


def _register_with_cli() -> None:
    try:
        from fanpin_desktop import cli
    except ImportError:  # pragma: no cover
        return
    if "exports" in cli.COMMANDS:
        return
    handler = run
    for a, kw in reversed(ARGUMENTS):
        handler = cli.argument(*a, **kw)(handler)
    cli.command("exports", HELP, writes=lambda a: a.entered is not None)(handler)


_register_with_cli()
