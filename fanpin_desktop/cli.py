"""``fanpin``: the same services without a window, for scripted and batch use.

Each subcommand is a function registered with ``@command``; its arguments are declared with
``@argument``. A later module adds a subcommand the same way (``import``, ``export``,
``screening``, ``cases``) and is listed in ``COMMAND_MODULES`` so it is imported before parsing.

User errors print a Chinese message to stderr and exit with code 1, never a traceback; a bug is
logged with its traceback and reported in one line with the log file's location (exit code 2).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fanpin_desktop import APP_TITLE, __version__
from fanpin_desktop.context import (
    DEFAULT_DEMO_HOUSEHOLDS,
    DEFAULT_DEMO_SEED,
    AppContext,
    explain_database_error,
    migrate_app,
    open_app,
)
from fanpin_desktop.errors import UserError

log = logging.getLogger(__name__)

EXIT_OK, EXIT_USER_ERROR, EXIT_BUG = 0, 1, 2

# Modules that register further subcommands when imported (added by later features).
COMMAND_MODULES: list[str] = [
    "fanpin_desktop.cli_screening",
    "fanpin_desktop.cli_import",
    "fanpin_desktop.cli_cases",
    "fanpin_desktop.cli_print",
    "fanpin_desktop.cli_exchange",
    "fanpin_desktop.cli_warnings",
    "fanpin_desktop.cli_rules",
    "fanpin_desktop.cli_users",
]

Handler = Callable[[argparse.Namespace, AppContext], int | None]


@dataclass
class Command:
    name: str
    help: str
    handler: Handler
    migrate: bool = True  # open the database migrated to the newest schema first
    arguments: list[tuple[tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)
    #: takes the data folder's lock (one writer per folder, ``folder_lock``); a function of the
    #: parsed arguments for a command whose actions differ (``cases`` only reads, ``warnings import``
    #: writes). Commands that only read run alongside a window or a writing command.
    writes: bool | Callable[[argparse.Namespace], bool] = True

    def writes_with(self, args: argparse.Namespace) -> bool:
        return bool(self.writes(args)) if callable(self.writes) else self.writes


COMMANDS: dict[str, Command] = {}


def argument(*args: Any, **kwargs: Any) -> Callable[[Handler], Handler]:
    """Declare an argparse argument of a subcommand (use below ``@command``)."""

    def deco(fn: Handler) -> Handler:
        pending = fn.__dict__.setdefault("_cli_arguments", [])
        pending.insert(0, (args, kwargs))
        return fn

    return deco


def command(
    name: str,
    help: str,
    *,
    migrate: bool = True,
    writes: bool | Callable[[argparse.Namespace], bool] = True,
) -> Callable[[Handler], Handler]:
    """Register ``fn(args, ctx)`` as ``fanpin <name>``; it returns an exit code or None for 0.
    ``writes=False`` (or a function of the arguments): it only reads and takes no folder lock."""

    def deco(fn: Handler) -> Handler:
        COMMANDS[name] = Command(name, help, fn, migrate, list(fn.__dict__.get("_cli_arguments", [])), writes)
        return fn

    return deco


def out(text: str = "") -> None:
    print(text, file=sys.stdout)


# --------------------------------------------------------------------------- commands


@command("demo", "生成演示乡镇数据（只能写入空的数据目录）")
@argument(
    "--households",
    type=int,
    default=DEFAULT_DEMO_HOUSEHOLDS,
    metavar="N",
    help=f"演示户数（默认 {DEFAULT_DEMO_HOUSEHOLDS}）",
)
@argument("--seed", type=int, default=DEFAULT_DEMO_SEED, metavar="S", help="随机种子（相同种子生成相同数据）")
def _demo(args: argparse.Namespace, ctx: AppContext) -> int:
    from fanpin_desktop.context import build_demo
    from fanpin_desktop.services import backup as backups

    summary = build_demo(ctx.db, households=args.households, seed=args.seed)
    with ctx.db.reading() as s:
        counts = backups.counts(s)
    out(
        f"已在 {ctx.paths.root} 生成演示数据："
        + "，".join(f"{counts[k]} {label}" for k, label in backups.COUNT_LABELS.items())
    )
    log.info("demo built: %s", summary)
    return EXIT_OK


@command("backup", "立即备份数据库", migrate=False, writes=False)
def _backup(args: argparse.Namespace, ctx: AppContext) -> int:
    from fanpin_desktop.services import backup as backups

    made = backups.backup(ctx.paths, backups.MANUAL, key=ctx.db.key)
    out(f"已备份到：{made}")
    return EXIT_OK


@command("backups", "列出备份文件", migrate=False, writes=False)
def _backups(args: argparse.Namespace, ctx: AppContext) -> int:
    from fanpin_desktop.services import backup as backups

    found = backups.list_backups(ctx.paths)
    if not found:
        out(f"备份文件夹 {ctx.paths.backups} 中没有备份。")
        return EXIT_OK
    out(f"备份文件夹：{ctx.paths.backups}")
    for b in found:
        out(f"{b.created:%Y-%m-%d %H:%M:%S}  {b.label:<8}  {_size(b.size):>9}  {b.path.name}")
    return EXIT_OK


@command("restore", "用备份文件替换当前数据库（当前数据库另存到备份文件夹）", migrate=False)
@argument("file", metavar="FILE", help="备份文件（.sqlite3）")
def _restore(args: argparse.Namespace, ctx: AppContext) -> int:
    from fanpin_desktop.folder_lock import refuse_readers
    from fanpin_desktop.services import backup as backups

    refuse_readers(ctx.paths, "恢复备份")  # the lock keeps writers out; a read-only window too
    result = backups.restore(ctx.paths, args.file, db=ctx.db)
    out(f"已从 {result.restored_from} 恢复数据库：{ctx.paths.database}")
    if result.replaced_copy is not None:
        out(f"原数据库已另存为：{result.replaced_copy}")
    if result.migrated:
        out(f"备份的数据结构较旧，已升级到版本 {result.revision}。")
    return EXIT_OK


@command("info", "显示数据目录、数据库版本和数据量", migrate=False, writes=False)
def _info(args: argparse.Namespace, ctx: AppContext) -> int:
    from fanpin_desktop.services import backup as backups

    out(f"{APP_TITLE} {__version__}")
    out(f"数据目录：{ctx.paths.root}")
    out(f"数据库：{ctx.paths.database}{'' if ctx.paths.database.exists() else '（尚未创建）'}")
    out("加密：" + ("已加密（需要账户密码或恢复码才能打开）" if ctx.db.key else "未加密"))
    if not ctx.paths.database.exists():
        return EXIT_OK
    info = backups.database_info(ctx.db)
    state = "最新" if info.up_to_date else f"需要升级到 {info.head}，请运行 fanpin migrate"
    out(f"数据结构版本：{info.revision or '无'}（{state}）")
    if info.counts:
        settings = ctx.settings() if info.up_to_date else None
        if settings is not None and settings.township:
            out(f"乡镇：{settings.county}{settings.township}")
        out("数据量：" + "，".join(f"{info.counts[k]} {label}" for k, label in backups.COUNT_LABELS.items()))
    out(f"备份：{len(backups.list_backups(ctx.paths))} 个，位于 {ctx.paths.backups}")
    return EXIT_OK


@command("migrate", "把数据库升级到最新的数据结构（升级前自动备份）", migrate=False)
def _migrate(args: argparse.Namespace, ctx: AppContext) -> int:
    from fanpin_desktop.db import migrate, schema_revision
    from fanpin_desktop.folder_lock import refuse_readers
    from fanpin_desktop.services import backup as backups

    refuse_readers(ctx.paths, "升级数据库")
    before = schema_revision(ctx.db.engine)
    if migrate(ctx.db, backup_before=backups.backup_before_migration(ctx.paths, ctx.db.key)):
        out(f"数据库已从版本 {before or '无'} 升级到 {schema_revision(ctx.db.engine)}。")
    else:
        out(f"数据库已是最新版本（{before}），无需升级。")
    return EXIT_OK


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)} KB"


# --------------------------------------------------------------------------- parser and main


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors in Chinese and exit code 1."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"错误：命令参数有误（{message}）", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR)


def _load_command_modules() -> None:
    for name in COMMAND_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # a broken add-on must not take backup/restore down with it
            log.exception("cli: could not load %s", name)


def build_parser() -> argparse.ArgumentParser:
    _load_command_modules()
    parser = _Parser(prog="fanpin", description=f"{APP_TITLE}（命令行）", add_help=False)
    parser.add_argument("-h", "--help", action="help", help="显示帮助信息并退出")
    parser.add_argument("--data-dir", metavar="DIR", help="数据目录（默认为本机用户数据目录或便携目录）")
    parser.add_argument(
        "--user", metavar="NAME", help="账户名（数据库已启用账户时；也可用环境变量 FANPIN_USER）"
    )
    parser.add_argument(
        "--recovery",
        action="store_true",
        help="用恢复码打开加密的数据库（忘记全部密码时；也可用环境变量 FANPIN_RECOVERY_CODE）",
    )
    parser.add_argument(
        "--version", action="version", version=f"fanpin {__version__}", help="显示版本号并退出"
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    for cmd in COMMANDS.values():
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help, add_help=False)
        p.add_argument("-h", "--help", action="help", help="显示帮助信息并退出")
        for args, kwargs in cmd.arguments:
            p.add_argument(*args, **kwargs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USER_ERROR
    cmd = COMMANDS[args.command]
    ctx: AppContext | None = None
    try:
        from fanpin_desktop.cli_users import login, unlock  # fails closed: no import, no command

        credentials, data_key = unlock(args)  # an encrypted folder: the password before anything
        ctx = open_app(
            args.data_dir,
            run_migrations=False,  # after the login: a refused login leaves the file untouched
            auto_backup=False,
            configure_logging=True,
            lock=f"命令 fanpin {cmd.name}" if cmd.writes_with(args) else None,
            data_key=data_key,
        )
        log.info("cli: %s", cmd.name)
        login(args, cmd, ctx, credentials)  # accounts (issue 14): only when the database has any
        if cmd.migrate:
            migrate_app(ctx)
        code = cmd.handler(args, ctx)
        return EXIT_OK if code is None else code
    except UserError as exc:
        log.warning("cli %s refused: %s", cmd.name, exc)
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as exc:
        user = explain_database_error(exc, ctx.paths.database) if ctx is not None else None
        if user is not None:
            log.warning("cli %s refused: %s", cmd.name, user)
            print(f"错误：{user}", file=sys.stderr)
            return EXIT_USER_ERROR
        log.exception("cli %s failed", cmd.name)
        where = ctx.log_file if ctx is not None and ctx.log_file else "日志文件"
        print(f"程序出现错误，详细信息已写入 {where}。", file=sys.stderr)
        return EXIT_BUG
    finally:
        if ctx is not None:
            ctx.close()
        from fanpin_desktop.logging_setup import shutdown_logging

        shutdown_logging()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
