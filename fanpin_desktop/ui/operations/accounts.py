"""The window's side of accounts (issue 14): the only place in ``ui`` that opens sessions for them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fanpin_desktop.errors import UserError
from fanpin_desktop.security import protection
from fanpin_desktop.services import accounts

log = logging.getLogger(__name__)


def accounts_in_use(ctx: Any) -> bool:
    with ctx.db.reading() as s:
        return accounts.has_accounts(s)


def account_check(ctx: Any) -> Callable[[str, str], accounts.AccountInfo]:
    """``check(name, password)`` for the login dialog; a read-only window records no login."""

    def check(name: str, password: str) -> accounts.AccountInfo:
        with ctx.db.unit(commit=not ctx.read_only) as s:
            return accounts.authenticate(s, name, password)

    return check


def logged_in(ctx: Any, account: accounts.AccountInfo) -> None:
    """The account's name goes into the audit trail, its role onto the window's operations."""
    ctx.db.user, ctx.role = account.name, account.role


def logged_in_name(ctx: Any) -> str:
    return ctx.db.user


def encrypted(ctx: Any) -> bool:
    """Whether the open database is encrypted (a 管理员 account exists)."""
    return ctx.db.key is not None


def idle_minutes(ctx: Any) -> int:
    with ctx.db.reading() as s:
        return accounts.idle_lock_minutes(s)


# --------------------------------------------------------------------------- encrypted folders


@dataclass(frozen=True)
class Unlocked:
    """What the login dialog of an encrypted folder gives: who, and the data key it unlocked."""

    credentials: protection.Credentials
    key: bytes


def unlock_check(paths: Any) -> Callable[[str, str], Unlocked]:
    """``check(name, password)`` for the login before an encrypted database is opened."""

    def check(name: str, password: str) -> Unlocked:
        credentials = protection.Credentials(name.strip(), password)
        return Unlocked(credentials, protection.unlock(paths, credentials))

    return check


def recovery_check(paths: Any) -> Callable[[str], Unlocked]:
    def recover(code: str) -> Unlocked:
        credentials = protection.Credentials.recovery_code(code)
        return Unlocked(credentials, protection.unlock(paths, credentials))

    return recover


def log_in_unlocked(ctx: Any, unlocked: Unlocked) -> accounts.AccountInfo | None:
    """After an encrypted database opened: the account (its table row: role, not disabled), or
    None for the recovery code (an administrator's rights, named 恢复码 in the audit trail)."""
    if unlocked.credentials.recovery:
        ctx.db.user, ctx.role = protection.RECOVERY_USER, accounts.ADMIN
        return None
    protection.finish_first_admin(ctx, unlocked.credentials)
    with ctx.db.unit(commit=not ctx.read_only) as s:  # the password already opened the file
        info = accounts.log_in_verified(s, unlocked.credentials.name)
    logged_in(ctx, info)
    return info


def list_accounts(ctx: Any) -> list[accounts.AccountInfo]:
    with ctx.db.reading() as s:
        return accounts.list_accounts(s)


def _refuse_unless_admin(ctx: Any) -> None:
    if ctx.read_only:
        raise UserError("只读方式打开时不能管理账户。")
    accounts.refuse_unless(ctx.role, "accounts", "管理账户")


def enable_protection(ctx: Any, name: str, password: str) -> str:
    """The first administrator and the encryption (``protection.enable``); the recovery code."""
    code = protection.enable(ctx, name, password)
    log.info("first administrator created; database encrypted")
    return code


def add_account(ctx: Any, name: str, role: str, password: str) -> accounts.AccountInfo:
    _refuse_unless_admin(ctx)
    return protection.add_account(ctx, name, role, password)


def set_password(ctx: Any, name: str, password: str) -> None:
    """One's own password, or (an administrator) anyone's."""
    if name.strip() != ctx.db.user:
        _refuse_unless_admin(ctx)
    protection.set_password(ctx, name, password)


def disable_account(ctx: Any, name: str) -> None:
    _refuse_unless_admin(ctx)
    if name.strip() == ctx.db.user:
        raise UserError("不能停用当前登录的账户。")
    protection.disable_account(ctx, name)


def new_recovery_code(ctx: Any) -> str:
    _refuse_unless_admin(ctx)
    return protection.new_recovery_code(ctx)


def set_idle_minutes(ctx: Any, minutes: int) -> None:
    _refuse_unless_admin(ctx)
    with ctx.db.unit() as s:
        accounts.set_idle_lock_minutes(s, minutes)
