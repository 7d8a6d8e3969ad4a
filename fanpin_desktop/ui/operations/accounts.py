"""The window's side of accounts (issue 14): the only place in ``ui`` that opens sessions for them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fanpin_desktop.services import accounts


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


def idle_minutes(ctx: Any) -> int:
    with ctx.db.reading() as s:
        return accounts.idle_lock_minutes(s)
