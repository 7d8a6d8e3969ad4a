"""``fanpin users`` (accounts, issue 14) and the login every command needs once accounts exist.

    fanpin users add NAME --role 管理员|录入员|查看
    fanpin users list
    fanpin users passwd NAME
    fanpin users disable NAME

Passwords come from the ``FANPIN_PASSWORD`` environment variable or are asked for (not echoed).
A database without accounts needs no login; the first ``users add`` makes the first account (it
must be a 管理员). Afterwards every command logs in with ``--user NAME`` (or ``FANPIN_USER``) and
runs with that account's role and name (the name goes into the audit trail).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from fanpin_desktop import cli
from fanpin_desktop.errors import UserError
from fanpin_desktop.services import accounts

#: what a command needs beyond "write" for a writing command and "read" otherwise
_COMMAND_ACTIONS = {"restore": "restore", "users": "accounts"}


def out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _password(prompt: str) -> str:
    env = os.environ.get("FANPIN_PASSWORD")
    if env is not None:
        return env
    try:
        return getpass.getpass(prompt)
    except (EOFError, OSError):
        raise UserError("无法读取密码：请在终端中输入，或设置环境变量 FANPIN_PASSWORD。") from None


def login(args: argparse.Namespace, command: Any, ctx: Any) -> str | None:
    """Log in when the database has accounts; the role, or None (no accounts: no login).
    Refuses (``UserError``) bad credentials and commands the role may not run."""
    if not ctx.paths.database.exists():
        return None
    with ctx.db.reading() as s:
        if not accounts.has_accounts(s):
            return None
    name = getattr(args, "user", None) or os.environ.get("FANPIN_USER")
    if not name:
        raise UserError("本数据库已启用账户：请用 --user 用户名（或环境变量 FANPIN_USER）登录。")
    password = _password(f"账户“{name}”的密码：")
    with ctx.db.unit() as s:
        info = accounts.authenticate(s, name, password)
    ctx.db.user = info.name  # every audit entry from now on names the account
    action = _COMMAND_ACTIONS.get(command.name) or ("write" if command.writes_with(args) else "read")
    if command.name == "users" and args.action == "passwd" and args.name == info.name:
        action = "read"  # anyone may change their own password
    if not accounts.can(info.role, action):
        if action == "write":
            raise UserError(
                accounts.VIEWER_READ_ONLY if info.role == accounts.VIEWER else "当前账户不能保存修改。"
            )
        accounts.refuse_unless(info.role, action, f"执行 fanpin {command.name}")
    return info.role


@cli.command(
    "users",
    "账户管理：add 新建账户（--role 管理员/录入员/查看）；list 列出；passwd 修改密码；disable 停用",
    writes=lambda a: a.action != "list",
)
@cli.argument(
    "action",
    choices=("add", "list", "passwd", "disable"),
    metavar="操作",
    help="add / list / passwd / disable",
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
    if not args.name:
        raise UserError(f"请指定用户名：fanpin users {args.action} NAME")
    if args.action == "add":
        if not args.role:
            raise UserError("请用 --role 指定角色：管理员、录入员 或 查看。")
        with ctx.db.reading() as s:
            first = not accounts.has_accounts(s)
        if first and args.role != accounts.ADMIN:
            raise UserError("第一个账户必须是管理员（--role 管理员）。")
        password = _password(f"新账户“{args.name}”的密码（至少 {accounts.MIN_PASSWORD} 个字符）：")
        with ctx.db.unit() as s:
            info = accounts.add_account(s, args.name, args.role, password)
        out(f"已新建账户：{info.name}（{info.role}）")
        if first:
            out("本数据库已启用账户：以后每个命令都需要 --user 用户名 和密码，窗口打开时需要登录。")
    elif args.action == "passwd":
        password = _password(f"账户“{args.name}”的新密码（至少 {accounts.MIN_PASSWORD} 个字符）：")
        with ctx.db.unit() as s:
            accounts.change_password(s, args.name, password)
        out(f"已修改账户“{args.name}”的密码。")
    else:
        with ctx.db.unit() as s:
            accounts.disable(s, args.name)
        out(f"已停用账户“{args.name}”。")
    return cli.EXIT_OK
