"""Login (issue 14): asked before the main window when the database has accounts, and again over
the window after it sat idle (the idle lock). Opt-in: a database without accounts never shows it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.errors import UserError
from fanpin_desktop.services.accounts import AccountInfo

Check = Callable[[str, str], AccountInfo]


class LoginDialog(QDialog):
    """用户名 + 密码; 登录 calls ``check(name, password)`` and closes with its account, 退出 rejects.
    ``fixed_name``: the idle lock asks for the same account's password only."""

    def __init__(self, check: Check, parent: QWidget | None = None, *, fixed_name: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("登录" if fixed_name is None else "已锁定，请重新登录")
        self._check = check
        self.account: AccountInfo | None = None
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
        buttons.addStretch(1)
        buttons.addWidget(self.login_button)
        buttons.addWidget(self.quit_button)
        layout = QVBoxLayout(self)
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


class IdleLock(QObject):
    """Restarts a timer on every key press and mouse click in the application; when it runs out,
    ``lock()`` is called (it shows the login dialog modally over the window: what is typed in
    open dialogs stays there underneath)."""

    def __init__(self, minutes: int, lock: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = lock
        self._locked = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(minutes, 1) * 60_000)
        self.timer.timeout.connect(self._fire)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel):
            if not self._locked:
                self.timer.start()
        return False

    def _fire(self) -> None:
        self._locked = True
        try:
            self._lock()
        finally:
            self._locked = False
            self.timer.start()
