"""``fanpin users`` (accounts, issue 14) and the login every command needs once accounts exist.

    fanpin users add NAME --role 管理员|录入员|查看
    fanpin users list
    fanpin users passwd NAME
    fanpin users disable NAME
    fanpin users recovery            (a new recovery code; the old one stops working)

Passwords come from the ``FANPIN_PASSWORD`` environment variable or are asked for (not echoed).
A database without accounts needs no login; the first ``users add`` makes the first account (it
must be a 管理员), encrypts the database and prints the recovery code once. Afterwards every
command logs in with ``--user NAME`` (or ``FANPIN_USER``) and runs with that account's role and
name (the name goes into the audit trail). ``--recovery`` (or ``FANPIN_RECOVERY_CODE``) opens the
encrypted database with the recovery code instead, with an administrator's rights: for
``fanpin users passwd NAME`` after every password was forgotten.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from fanpin_desktop import cli
from fanpin_desktop.errors import UserError
from fanpin_desktop.paths import resolve_data_paths
from fanpin_desktop.security import protection
from fanpin_desktop.security.protection import Credentials
from fanpin_desktop.services import accounts

#: what a command needs beyond "write" for a writing command and "read" otherwise
_COMMAND_ACTIONS = {"restore": "restore", "users": "accounts"}


def out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _ask(prompt: str, env: str) -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    try:
        return getpass.getpass(prompt)
    except (EOFError, OSError):
        raise UserError(f"无法读取输入：请在终端中输入，或设置环境变量 {env}。") from None


def _password(prompt: str) -> str:
    return _ask(prompt, "FANPIN_PASSWORD")


def _account_name(args: argparse.Namespace) -> str:
    name = getattr(args, "user", None) or os.environ.get("FANPIN_USER")
    if not name:
        raise UserError("本数据库已启用账户：请用 --user 用户名（或环境变量 FANPIN_USER）登录。")
    return name


def unlock(args: argparse.Namespace) -> tuple[Credentials | None, bytes | None]:
    """For an encrypted data folder: the credentials and the data key they unlock, asked before
    the database is opened; (None, None) for a plain folder."""
    paths = resolve_data_paths(args.data_dir)
    if not protection.is_protected(paths):
        return None, None
    if getattr(args, "recovery", False) or os.environ.get("FANPIN_RECOVERY_CODE"):
        credentials = Credentials.recovery_code(_ask("恢复码：", "FANPIN_RECOVERY_CODE"))
    else:
        name = _account_name(args)
        credentials = Credentials(name, _password(f"账户“{name}”的密码："))
    return credentials, protection.unlock(paths, credentials)


def login(
    args: argparse.Namespace, command: Any, ctx: Any, credentials: Credentials | None = None
) -> str | None:
    """Log in when the database has accounts; the role, or None (no accounts: no login).
    Refuses (``UserError``) bad credentials and commands the role may not run. ``credentials``:
    what ``unlock`` asked for (an encrypted folder), so the password is asked only once."""
    if credentials is not None and credentials.recovery:
        ctx.db.user, ctx.role = protection.RECOVERY_USER, accounts.ADMIN
        return ctx.role
    if not ctx.paths.database.exists():
        return None
    if credentials is not None and ctx.lock is not None:
        protection.finish_first_admin(ctx, credentials)
    with ctx.db.reading() as s:
        if not accounts.has_accounts(s):
            return None
    name = credentials.name if credentials else _account_name(args)
    password = credentials.secret if credentials else _password(f"账户“{name}”的密码：")
    with ctx.db.unit(commit=ctx.lock is not None) as s:
        # an encrypted folder's password already unwrapped the account's key slot
        info = accounts.log_in_verified(s, name) if credentials else accounts.authenticate(s, name, password)
    ctx.db.user, ctx.role = info.name, info.role  # every audit entry from now on names the account
    action = _COMMAND_ACTIONS.get(command.name) or ("write" if command.writes_with(args) else "read")
    if command.name == "users" and args.action == "passwd" and args.name == info.name:
        action = "read"  # anyone may change their own password
    if not accounts.can(info.role, action):
        if action == "write":
            raise UserError(
                accounts.VIEWER_READ_ONLY if info.role == accounts.VIEWER else "当前账户不能保存修改。"
            )
        accounts.refuse_unless(info.role, action, f"执行 fanpin {command.name}")
    if ctx.db.key is None and info.role == accounts.ADMIN and ctx.lock is not None:
        # Accounts made before encryption existed: the administrator's first writing command
        # converts the folder (the upgrade), and the recovery code is shown this once.
        _print_recovery_code(protection.enable(ctx, name, password), converted=True)
    return info.role


def _print_recovery_code(code: str, converted: bool = False) -> None:
    out("")
    out("数据库已加密。" if not converted else "本数据目录已升级为加密存储（原来的明文数据库已覆盖删除）。")
    out("恢复码（只显示这一次，请抄写或打印，封存在站里的保险柜中）：")
    out("")
    out(f"    {code}")
    out("")
    out("忘记全部密码时，用恢复码打开数据库并重设密码：fanpin --recovery users passwd 用户名")
    out("没有密码也没有恢复码，加密的数据就无法打开。")


@cli.command(
    "users",
    "账户管理：add 新建账户（--role 管理员/录入员/查看）；list 列出；passwd 修改密码；disable 停用；"
    "recovery 更换恢复码",
    writes=lambda a: a.action != "list",
)
@cli.argument(
    "action",
    choices=("add", "list", "passwd", "disable", "recovery"),
    metavar="操作",
    help="add / list / passwd / disable / recovery",
)
@cli.argument("name", nargs="?", metavar="NAME", help="用户名")
@cli.argument("--role", choices=accounts.ROLES, help="add：角色（管理员、录入员、查看）")
def _users(args: argparse.Namespace, ctx: Any) -> int:
    if args.action == "list":
        with ctx.db.reading() as s:
            found = accounts.list_accounts(s)
        if not found:
            out("尚未建立账户（任何人都可以打开本数据库）。")
        for a in found:
            last = f"{a.last_login_at:%Y-%m-%d %H:%M}" if a.last_login_at else "从未登录"
            out(f"{a.name}  {a.role}  {'已停用' if a.disabled else '可用'}  最近登录：{last}")
        return cli.EXIT_OK
    if args.action == "recovery":
        _print_recovery_code(protection.new_recovery_code(ctx))
        out("原来的恢复码已作废。")
        return cli.EXIT_OK
    if not args.name:
        raise UserError(f"请指定用户名：fanpin users {args.action} NAME")
    if args.action == "add":
        if not args.role:
            raise UserError("请用 --role 指定角色：管理员、录入员 或 查看。")
        with ctx.db.reading() as s:
            first = not accounts.has_accounts(s)
        if first and args.role != accounts.ADMIN:
            raise UserError("第一个账户必须是管理员（--role 管理员）。")
        accounts.check_new_account(args.name, args.role, "x" * accounts.MIN_PASSWORD)
        password = _password(f"新账户“{args.name}”的密码（至少 {accounts.MIN_PASSWORD} 个字符）：")
        if first:
            code = protection.enable(ctx, args.name, password)
            out(f"已新建管理员账户：{args.name.strip()}")
            out("本数据库已启用账户：以后每个命令都需要 --user 用户名 和密码，窗口打开时需要登录。")
            _print_recovery_code(code)
            return cli.EXIT_OK
        info = protection.add_account(ctx, args.name, args.role, password)
        out(f"已新建账户：{info.name}（{info.role}）")
    elif args.action == "passwd":
        password = _password(f"账户“{args.name}”的新密码（至少 {accounts.MIN_PASSWORD} 个字符）：")
        protection.set_password(ctx, args.name, password)
        out(f"已修改账户“{args.name}”的密码。")
    else:
        protection.disable_account(ctx, args.name)
        out(f"已停用账户“{args.name}”。")
    return cli.EXIT_OK
