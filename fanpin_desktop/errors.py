"""The two kinds of failure, defined once.

A ``UserError`` is a problem with the clerk's environment or input (file locked by Excel, disk
full, a corrupt backup, a bad cell in row 812): its ``str()`` is a complete Chinese sentence that is
shown as it is, with no traceback. Every other exception is a bug: it is logged with its traceback
and the clerk is offered the log file.
"""

from __future__ import annotations

import errno
import sqlite3


class UserError(Exception):
    """An environment or input problem; the message is Chinese and meant for the clerk."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(UserError):
    """Input that breaks a rule; names the field so a form can put the focus on it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _winerror(exc: BaseException) -> int | None:
    return getattr(exc, "winerror", None)


def explain_os_error(exc: BaseException, action: str, target: object = "") -> UserError | None:
    """Turn the usual environment failures of file and database work into a ``UserError``.

    ``action`` says what the program was doing (e.g. "备份数据库"); returns None when the error is
    not a known environment problem (the caller then lets it surface as a bug).
    """
    where = f"（{target}）" if target else ""
    if isinstance(exc, sqlite3.OperationalError) or type(exc).__name__ == "OperationalError":
        text = str(exc).lower()
        if "disk is full" in text or "disk i/o" in text:
            return UserError(f"{action}失败：磁盘空间不足或磁盘无法写入{where}。请清理磁盘空间后重试。")
        if "locked" in text or "busy" in text:
            return UserError(f"{action}失败：数据库正被其他程序或另一个窗口使用{where}。请关闭后重试。")
        if "readonly" in text or "read-only" in text:
            return UserError(f"{action}失败：文件是只读的，无法写入{where}。")
        if "unable to open" in text:
            return UserError(f"{action}失败：无法打开文件{where}，请检查文件夹是否存在、是否有权限。")
        return None
    if isinstance(exc, OSError):
        code = exc.errno
        if code == errno.ENOSPC or _winerror(exc) in (39, 112):
            return UserError(f"{action}失败：磁盘空间不足{where}。请清理磁盘空间后重试。")
        if _winerror(exc) in (32, 33):
            return UserError(
                f"{action}失败：文件正被其他程序（如 Excel 或 WPS）打开{where}。请关闭该程序后重试。"
            )
        if isinstance(exc, PermissionError):
            return UserError(f"{action}失败：没有权限或文件正被其他程序占用{where}。请关闭相关程序后重试。")
        if isinstance(exc, FileNotFoundError):
            return UserError(f"{action}失败：找不到文件{where}。")
        if code == errno.EROFS:
            return UserError(f"{action}失败：磁盘是只读的{where}。")
        return UserError(f"{action}失败：{exc.strerror or exc}{where}。")
    return None
