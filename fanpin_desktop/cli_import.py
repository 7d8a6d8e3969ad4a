"""``fanpin import`` and ``fanpin export roster``: rosters from and to spreadsheets.

    fanpin import FILE [--sheet 名称] [--mapping 名称] [--village 村名] [--create-places]
                       [--dry-run] [--report errors.xlsx]
    fanpin export roster [--output FILE] [--village 村名] [--layout national_roster_47]
    fanpin export national --batch new|elimination|changes [--output FILE]

Imported by ``fanpin_desktop.cli`` (listed in its ``COMMAND_MODULES``), which registers both
commands through its ``@command`` decorator; ``register(subparsers)`` adds the same commands to any
other argparse parser (handlers are ``args.func(args, ctx)`` with ``ctx.db`` and ``ctx.paths``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fanpin_desktop.errors import UserError

MAX_LISTED = 30


def out(text: str = "") -> None:
    print(text, file=sys.stdout)


IMPORT_HELP = "导入家庭成员花名册（全国系统导出表或村里的 Excel/CSV 名单）"
IMPORT_ARGUMENTS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (("file",), {"metavar": "FILE", "help": ".xlsx / .xlsm / .xls / .csv 文件"}),
    (("--sheet",), {"metavar": "名称", "help": "工作表名称（默认第一个有数据的工作表）"}),
    (("--mapping",), {"metavar": "名称", "help": "使用已保存的列对应关系（在导入向导中保存）"}),
    (("--village",), {"metavar": "村名", "help": "文件中没有“行政村”列时，所有行都属于这个村"}),
    (
        ("--create-places",),
        {"action": "store_true", "help": "新建文件中出现但本乡镇还没有的行政村、村民小组、自然村"},
    ),
    (("--dry-run",), {"action": "store_true", "help": "只检查并显示将要发生的变化，不写入数据库"}),
    (
        ("--report",),
        {"metavar": "errors.xlsx", "help": "把错误和警告（连同原始行）保存为工作簿，交回村里修改"},
    ),
]

EXPORT_HELP = (
    "导出：roster 按全国系统导出表的列导出家庭成员花名册；national 导出录入全国系统用的清单"
    "（新识别、风险消除、信息更正，记入导出记录）。证件号码为文本"
)
EXPORT_ARGUMENTS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (
        ("what",),
        {
            "choices": ("roster", "national"),
            "metavar": "内容",
            "help": "roster 家庭成员花名册；national 录入全国系统用的清单（须加 --batch）",
        },
    ),
    (
        ("--batch",),
        {
            "choices": ("new", "elimination", "changes"),
            "metavar": "批次",
            "help": "national：new 新识别监测对象；elimination 风险消除；changes 信息更正（与上次导出相比）",
        },
    ),
    (("--output", "-o"), {"metavar": "FILE", "help": "导出文件（默认保存到数据目录的 exports 文件夹）"}),
    (("--village",), {"metavar": "村名", "help": "只导出一个行政村"}),
    (
        ("--layout",),
        {
            "default": "national_roster_47",
            "metavar": "布局",
            "help": "列布局：national_roster_47（默认）或 national_roster_short",
        },
    ),
]


def run_import(args: argparse.Namespace, ctx: Any) -> int:
    from fanpin_desktop.services.importer import ImportOptions, import_file

    options = ImportOptions(
        sheet=args.sheet,
        mapping_name=args.mapping,
        default_village=args.village,
        create_places=args.create_places,
    )
    result = import_file(
        ctx.db,
        Path(args.file),
        options,
        dry_run=args.dry_run,
        report=Path(args.report) if args.report else None,
    )
    for line in result.summary_lines():
        out(line)
    issues = result.plan.issues
    if issues:
        out()
        errors = [x for x in issues if x.is_error]
        warnings = [x for x in issues if not x.is_error]
        shown = (errors + warnings)[:MAX_LISTED]
        for issue in shown:
            out(str(issue))
        if len(issues) > len(shown):
            out(
                f"……另有 {len(issues) - len(shown)} 条问题未列出"
                + ("，见 --report 保存的工作簿" if args.report else "；用 --report 文件名 保存全部问题")
            )
    if args.report:
        out(f"问题清单已保存：{args.report}")
    return 0


def _village_ids(ctx: Any, name: str | None) -> list[int] | None:
    if not name:
        return None
    from fanpin_desktop.models import Village
    from fanpin_desktop.services.importer.plan import place_key

    with ctx.db.reading() as s:
        for vid, vname in s.execute(select(Village.id, Village.name)):
            if place_key(vname) == place_key(name):
                return [vid]
    raise UserError(f"没有名为“{name}”的行政村")


def run_export(args: argparse.Namespace, ctx: Any) -> int:
    from fanpin_desktop.services.roster_export import export_roster

    if args.what == "national":
        return run_export_national(args, ctx)
    if args.batch:
        raise UserError("--batch 只用于 export national。")
    ids = _village_ids(ctx, args.village)
    target = (
        Path(args.output)
        if args.output
        else ctx.paths.exports / f"家庭成员花名册_{args.village or '全乡镇'}_{dt.date.today():%Y%m%d}.xlsx"
    )
    try:
        with ctx.db.reading() as s:
            count = export_roster(s, target, args.layout, ids)
    except KeyError as exc:
        raise UserError(str(exc).strip("'\"")) from exc
    out(f"已导出 {count} 人：{target}")
    return 0


def run_export_national(args: argparse.Namespace, ctx: Any) -> int:
    from fanpin_desktop.services import national_export as ne

    if not args.batch:
        raise UserError(
            "请用 --batch 选择清单：new（新识别）、elimination（风险消除）或 changes（信息更正）。"
        )
    if args.village or args.layout != "national_roster_47":
        raise UserError(
            "export national 导出全乡镇的清单，列布局固定为 national_batch_47，不用 --village、--layout。"
        )
    now = dt.datetime.now().replace(microsecond=0)
    target = (
        Path(args.output)
        if args.output
        else ctx.paths.exports / f"全国系统_{ne.KIND_LABELS[args.batch]}清单_{now:%Y%m%d_%H%M%S}.xlsx"
    )
    with ctx.db.unit() as s:
        result = ne.export_batch(s, args.batch, target, now=now)
    for warning in result.warnings:  # ne.quality_warnings: the data-quality rules (issue 13)
        out(f"数据质量提示：{warning}")
    out(f"已导出{ne.KIND_LABELS[args.batch]}清单：{result.households} 户、{result.rows} 人：{target}")
    if args.batch == "changes":
        out(f"更正明细 {len(result.changes)} 项（工作表“{ne.CHANGES_SHEET}”）")
    out(f"导出记录编号 {result.export_id}，SHA-256 {result.sha256}")
    if args.batch != "changes":
        out(f"在全国系统录入完成后，用 fanpin exports --entered {result.export_id} 标记为已录入系统。")
    return 0


def register(subparsers: Any) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """Add ``import`` and ``export`` to an argparse sub-parser collection (``args.func(args, ctx)``)."""
    p_import = subparsers.add_parser("import", help=IMPORT_HELP, description=IMPORT_HELP)
    for a, kw in IMPORT_ARGUMENTS:
        p_import.add_argument(*a, **kw)
    p_import.set_defaults(func=run_import)
    p_export = subparsers.add_parser("export", help=EXPORT_HELP, description=EXPORT_HELP)
    for a, kw in EXPORT_ARGUMENTS:
        p_export.add_argument(*a, **kw)
    p_export.set_defaults(func=run_export)
    return p_import, p_export


def _register_with_cli() -> None:
    try:
        from fanpin_desktop import cli
    except ImportError:  # pragma: no cover
        return
    for name, help_text, handler, arguments in (
        ("import", IMPORT_HELP, run_import, IMPORT_ARGUMENTS),
        ("export", EXPORT_HELP, run_export, EXPORT_ARGUMENTS),
    ):
        if name in cli.COMMANDS:
            continue
        for a, kw in reversed(arguments):
            handler = cli.argument(*a, **kw)(handler)
        writes = (lambda a: a.what == "national") if name == "export" else True  # roster only reads
        cli.command(name, help_text, writes=writes)(handler)


_register_with_cli()
