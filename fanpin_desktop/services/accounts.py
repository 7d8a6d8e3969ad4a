"""Accounts and roles (issue 14), opt-in: a database without accounts needs no login at all.

Roles: 管理员 may do everything; 录入员 writes, imports, exports and prints; 查看 reads and prints.
Passwords are kept only as argon2 hashes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import Account, AuditEntry, Setting

ADMIN, CLERK, VIEWER = "管理员", "录入员", "查看"
ROLES = (ADMIN, CLERK, VIEWER)
MIN_PASSWORD = 8
WRONG_CREDENTIALS = "用户名或密码不正确。"
DISABLED = "该账户已停用，请联系管理员。"
IDLE_LOCK_SETTING, DEFAULT_IDLE_LOCK_MINUTES = "idle_lock_minutes", 15
VIEWER_READ_ONLY = "当前账户（查看）只能查看和打印，不能保存修改。"

#: what each role may do; "read" is implied for every role
_RIGHTS: dict[str, frozenset[str]] = {
    ADMIN: frozenset({"read", "write", "import", "export", "print", "restore", "accounts"}),
    CLERK: frozenset({"read", "write", "import", "export", "print"}),
    VIEWER: frozenset({"read", "print"}),
}

_hasher = PasswordHasher()


@dataclass(frozen=True)
class AccountInfo:
    id: int
    name: str
    role: str
    disabled: bool
    created_at: dt.datetime | None
    last_login_at: dt.datetime | None


def _info(a: Account) -> AccountInfo:
    return AccountInfo(a.id, a.name, a.role, a.disabled, a.created_at, a.last_login_at)


def can(role: str | None, action: str) -> bool:
    """May ``role`` do ``action``? ``None`` (no accounts: no login) may do everything."""
    if role is None:
        return True
    return action in _RIGHTS.get(role, frozenset())


def refuse_unless(role: str | None, action: str, what: str) -> None:
    if not can(role, action):
        raise UserError(f"当前账户（{role}）无权{what}，请用有权限的账户登录。")


def has_accounts(session: Session) -> bool:
    """True when at least one account exists (a database older than 0009 has none)."""
    if not inspect(session.get_bind()).has_table(Account.__tablename__):
        return False
    return session.scalar(select(Account.id).limit(1)) is not None


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError("password", f"密码至少需要 {MIN_PASSWORD} 个字符。")


def _audit(
    session: Session, account: Account, action: str, field: str | None = None, new: str | None = None
) -> None:
    """An audit entry for an account change (the table is not ``Audited``: its hash must never
    reach the trail), naming who made it."""
    session.add(
        AuditEntry(
            at=dt.datetime.now().replace(microsecond=0),
            user=session.info.get("user", "系统"),
            action=action,
            table_name=Account.__tablename__,
            record_id=account.id,
            field=field,
            new_value=new,
            summary=account.name,
        )
    )


def _get(session: Session, name: str) -> Account:
    account = session.scalar(select(Account).where(Account.name == name.strip()))
    if account is None:
        raise UserError(f"没有名为“{name}”的账户。")
    return account


def check_new_account(name: str, role: str, password: str) -> None:
    """What can be checked of a new account without the database (name, role, password)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("name", "请填写用户名。")
    if len(name) > 40:
        raise ValidationError("name", "用户名不能超过 40 个字符。")
    if name == "recovery":
        raise ValidationError("name", "“recovery”是保留名称，请换一个用户名。")
    if role not in ROLES:
        raise ValidationError("role", f"角色只能是：{'、'.join(ROLES)}。")
    check_password(password)


def get_info(session: Session, name: str) -> AccountInfo:
    return _info(_get(session, name))


def add_account(session: Session, name: str, role: str, password: str) -> AccountInfo:
    check_new_account(name, role, password)
    name = name.strip()
    if session.scalar(select(Account.id).where(Account.name == name)) is not None:
        raise ValidationError("name", f"用户名“{name}”已存在。")
    account = Account(
        name=name,
        role=role,
        password_hash=_hasher.hash(password),
        disabled=False,
        created_at=dt.datetime.now(),
    )
    session.add(account)
    session.flush()
    _audit(session, account, "insert", "role", role)
    return _info(account)


def authenticate(session: Session, name: str, password: str) -> AccountInfo:
    """The account, with its last login recorded; the caller's unit of work commits it."""
    account = session.scalar(select(Account).where(Account.name == (name or "").strip()))
    if account is None:
        _hasher.hash(password or "")  # same cost whether or not the name exists
        raise UserError(WRONG_CREDENTIALS)
    try:
        _hasher.verify(account.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        raise UserError(WRONG_CREDENTIALS) from None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return _logged_in(session, account)


def log_in_verified(session: Session, name: str) -> AccountInfo:
    """The account whose password was already proven (it unwrapped the account's key slot of an
    encrypted database): its role, refused when disabled, its login recorded — no second hash."""
    account = session.scalar(select(Account).where(Account.name == (name or "").strip()))
    if account is None:
        raise UserError(WRONG_CREDENTIALS)
    return _logged_in(session, account)


def _logged_in(session: Session, account: Account) -> AccountInfo:
    if account.disabled:
        raise UserError(DISABLED)
    account.last_login_at = dt.datetime.now()
    session.flush()
    return _info(account)


def change_password(session: Session, name: str, password: str) -> None:
    check_password(password)
    account = _get(session, name)
    account.password_hash = _hasher.hash(password)
    _audit(session, account, "update", "password", "（已修改）")
    session.flush()


def disable(session: Session, name: str) -> None:
    account = _get(session, name)
    if account.role == ADMIN and not account.disabled:
        others = session.scalars(
            select(Account.id).where(
                Account.role == ADMIN, Account.disabled.is_(False), Account.id != account.id
            )
        ).first()
        if others is None:
            raise UserError("不能停用最后一个可用的管理员账户。")
    account.disabled = True
    _audit(session, account, "update", "disabled", "是")
    session.flush()


def list_accounts(session: Session) -> list[AccountInfo]:
    return [_info(a) for a in session.scalars(select(Account).order_by(Account.id))]


def idle_lock_minutes(session: Session) -> int:
    """Minutes without keyboard or mouse before the window asks for the password again (0: never)."""
    row = session.get(Setting, IDLE_LOCK_SETTING)
    try:
        return max(int(row.value), 0) if row is not None else DEFAULT_IDLE_LOCK_MINUTES
    except (TypeError, ValueError):
        return DEFAULT_IDLE_LOCK_MINUTES


def set_idle_lock_minutes(session: Session, minutes: int) -> None:
    if not 0 <= int(minutes) <= 240:
        raise ValidationError("idle_lock_minutes", "自动锁定时间应在 0（不锁定）到 240 分钟之间。")
    row = session.get(Setting, IDLE_LOCK_SETTING)
    if row is None:
        session.add(Setting(key=IDLE_LOCK_SETTING, value=str(int(minutes))))
    else:
        row.value = str(int(minutes))
    session.flush()
