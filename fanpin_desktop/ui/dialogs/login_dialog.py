"""Login (issue 14): asked before the main window when the database has accounts, and again over
the window after it sat idle (the idle lock). Opt-in: a database without accounts never shows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop import APP_TITLE
from fanpin_desktop.errors import UserError
from fanpin_desktop.services.accounts import AccountInfo

Check = Callable[[str, str], Any]  # an AccountInfo, or what unlocking an encrypted folder gives


class LoginDialog(QDialog):
    """用户名 + 密码; 登录 calls ``check(name, password)`` and closes with its account, 退出 rejects.
    ``fixed_name``: the idle lock asks for the same account's password only. ``recover(code)``
    (an encrypted folder): "忘记密码…" asks for the recovery code and closes with its result."""

    def __init__(
        self,
        check: Check,
        parent: QWidget | None = None,
        *,
        fixed_name: str | None = None,
        recover: Callable[[str], Any] | None = None,
        note: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{'登录' if fixed_name is None else '已锁定，请重新登录'} — {APP_TITLE}")
        self.setMinimumWidth(380)
        self._check = check
        self._recover = recover
        self.account: AccountInfo | Any | None = None
        self.name_edit = QLineEdit(fixed_name or "")
        self.name_edit.setReadOnly(fixed_name is not None)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #b00020")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("用户名", self.name_edit)
        form.addRow("密码", self.password_edit)
        self.login_button = QPushButton("登录")
        self.login_button.setDefault(True)
        self.quit_button = QPushButton("退出")
        self.login_button.clicked.connect(self._login)
        self.quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        self.recover_button = QPushButton("忘记密码…")
        self.recover_button.setFlat(True)
        self.recover_button.setToolTip("用设置管理员账户时打印的恢复码打开数据库，然后重设密码")
        self.recover_button.clicked.connect(self._ask_recovery_code)
        self.recover_button.setVisible(recover is not None)
        buttons.addWidget(self.recover_button)
        buttons.addStretch(1)
        buttons.addWidget(self.login_button)
        buttons.addWidget(self.quit_button)
        layout = QVBoxLayout(self)
        if note:
            intro = QLabel(note)
            intro.setWordWrap(True)
            layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        (self.password_edit if fixed_name else self.name_edit).setFocus()

    def _login(self) -> None:
        try:
            self.account = self._check(self.name_edit.text(), self.password_edit.text())
        except UserError as exc:
            self.message.setText(str(exc))
            self.password_edit.clear()
            self.password_edit.setFocus()
            return
        self.accept()

    def _ask_recovery_code(self) -> None:
        code, ok = QInputDialog.getText(
            self,
            "用恢复码打开",
            "请输入恢复码（24 个字母或数字，短横线可输可不输）：\n"
            "恢复码是设置管理员账户时显示并打印的那一串字符，通常封存在站里的保险柜中。",
        )
        if ok and code.strip():
            self.use_recovery_code(code)

    def use_recovery_code(self, code: str) -> bool:
        """Open with the recovery code (the "忘记密码…" button; tests call it directly)."""
        assert self._recover is not None
        try:
            self.account = self._recover(code)
        except UserError as exc:
            self.message.setText(str(exc))
            return False
        self.accept()
        return True


class IdleLock(QObject):
    """Restarts a timer on every key press and mouse click in the application; when it runs out,
    ``lock()`` is called (it shows the login dialog modally over the window: what is typed in
    open dialogs stays there underneath)."""

    def __init__(self, minutes: int, lock: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = lock
        self._locked = False
        self.minutes = minutes
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(minutes, 1) * 60_000)
        self.timer.timeout.connect(self._fire)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel):
            if not self._locked and self.minutes > 0:
                self.timer.start()
        return False

    def set_minutes(self, minutes: int) -> None:
        """A new setting (0: never lock), in force from now."""
        self.minutes = minutes
        self.timer.setInterval(max(minutes, 1) * 60_000)
        if minutes > 0:
            self.timer.start()
        else:
            self.timer.stop()

    def _fire(self) -> None:
        self._locked = True
        try:
            self._lock()
        finally:
            self._locked = False
            if self.minutes > 0:
                self.timer.start()
