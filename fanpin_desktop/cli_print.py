"""``fanpin print …``: the monitoring cases' printed documents as PDF (and the 采集表 as xlsx).

    fanpin print publicity --village V --kind inclusion|elimination [--paper A4|A3] [-o F]
    fanpin print lists --level township|county --kind inclusion|elimination [--village V] [-o F]
    fanpin print announcement --kind inclusion|elimination [-o F]
    fanpin print verification|authorisation|collection --village V [--blank] [--paper A4|A3] [-o F]
    fanpin print collection --village V --xlsx [-o F]

The services behind each action gather plain data and hand it to ``documents/`` (see the modules
named in ``_ACTIONS``). Imported by ``fanpin_desktop.cli`` (listed in its ``COMMAND_MODULES``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
from pathlib import Path
from typing import Any

from fanpin_desktop.errors import UserError

HELP = "打印监测对象文书：公示（publicity）、审核审定名单（lists）、公告（announcement）、入户核实表（verification）、承诺授权书（authorisation）、信息采集表（collection）"

#: action → (service module, function, default file name)
_ACTIONS: dict[str, tuple[str, str, str]] = {
    "publicity": ("fanpin_desktop.services.notices", "write_publicity", "村级公示"),
    "lists": ("fanpin_desktop.services.notices", "write_review_list", "审核审定名单"),
    "announcement": ("fanpin_desktop.services.notices", "write_announcement", "公告"),
    "verification": ("fanpin_desktop.services.case_sheets", "write_verification", "入户核实表"),
    "authorisation": ("fanpin_desktop.services.case_sheets", "write_authorisation", "承诺授权书"),
    "collection": ("fanpin_desktop.services.collection", "write_collection_pdf", "信息采集表"),
}
KINDS = {"inclusion": "纳入", "elimination": "消除"}
LEVELS = {"township": "乡镇审核", "county": "县级审定"}


def out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式应为 YYYY-MM-DD") from None


ARGUMENTS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (("action",), {"choices": tuple(_ACTIONS), "metavar": "文书", "help": "、".join(_ACTIONS)}),
    (("--village",), {"metavar": "村名", "help": "行政村（村名或编号）"}),
    (("--kind",), {"choices": tuple(KINDS), "help": "inclusion 拟纳入监测；elimination 拟风险消除"}),
    (("--level",), {"choices": tuple(LEVELS), "help": "lists：township 乡镇审核；county 县级审定"}),
    (("--blank",), {"action": "store_true", "help": "空白表（现场手填），不预填数据"}),
    (("--xlsx",), {"action": "store_true", "help": "collection：导出为 Excel 而不是 PDF"}),
    (("--paper",), {"choices": ("A4", "A3"), "default": "A4", "help": "纸张（默认 A4；公示栏张贴用 A3）"}),
    (("--start",), {"type": _date, "metavar": "YYYY-MM-DD", "help": "公示/公告开始日期（默认今天）"}),
    (("-o", "--output"), {"metavar": "文件", "help": "输出文件（默认写入数据目录的 exports 文件夹）"}),
]


def _village_id(session: Any, text: str | None) -> int | None:
    from fanpin_desktop.cli_screening import _village_id as find

    return find(session, text)


def run(args: argparse.Namespace, ctx: Any) -> int:
    module_name, function, stem = _ACTIONS[args.action]
    if args.action == "collection" and args.xlsx:
        function = "write_collection_xlsx"
    needs_kind = args.action in ("publicity", "lists", "announcement")
    if needs_kind and not args.kind:
        raise UserError(
            f"请用 --kind inclusion 或 --kind elimination 指定{stem}的种类（拟纳入监测或拟风险消除）。"
        )
    if args.action == "lists" and not args.level:
        raise UserError("请用 --level township（乡镇审核）或 --level county（县级审定）指定名单。")
    if args.action == "publicity" and not args.village:
        raise UserError("村级公示按村张贴，请用 --village 指定行政村。")
    service = importlib.import_module(module_name)
    write = getattr(service, function)
    suffix = ".xlsx" if function.endswith("xlsx") else ".pdf"
    kwargs: dict[str, Any] = {}
    if needs_kind:
        kwargs["kind"] = args.kind
    if args.action == "lists":
        kwargs["level"] = args.level
    if args.action in ("publicity", "announcement") and args.start:
        kwargs["start"] = args.start
    if args.action in ("verification", "authorisation", "collection"):
        kwargs["blank"] = args.blank
    if suffix == ".pdf":
        kwargs["paper"] = args.paper
    with ctx.db.reading() as s:
        vid = _village_id(s, args.village)
        if args.action != "announcement":
            kwargs["village_id"] = vid
        label = f"{args.village}{stem}" if args.village else stem
        if needs_kind:
            label += "（拟纳入监测）" if args.kind == "inclusion" else "（拟风险消除）"
        path = (
            Path(args.output)
            if args.output
            else ctx.paths.exports / f"{label}_{dt.date.today():%Y%m%d}{suffix}"
        )
        written = write(s, path, **kwargs)
    out(f"已生成{stem}：{written}")
    return 0


def _register_with_cli() -> None:
    try:
        from fanpin_desktop import cli
    except ImportError:  # pragma: no cover
        return
    if "print" in cli.COMMANDS:
        return
    handler = run
    for a, kw in reversed(ARGUMENTS):
        handler = cli.argument(*a, **kw)(handler)
    cli.command("print", HELP, writes=False)(handler)


_register_with_cli()
