"""The administrator account and the encrypted database (issue 14), and the account dialogs.

``FirstAdminDialog``: the first administrator; creating it encrypts the database and shows the
recovery code once (``RecoveryCodeDialog``: read it, print it, tick that it is kept safe).
``AccountDialog``: a new account, or a new password for one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.services import accounts
from fanpin_desktop.ui.operations import accounts as account_ops

RECOVERY_EXPLAINED = (
    "恢复码是打开加密数据库的备用钥匙：全部密码都忘记时，用它打开数据库并重设密码。"
    "它只显示这一次。请打印或工整抄写，封存在站里的保险柜中，不要存在电脑里、不要拍照发到微信。"
    "没有密码也没有恢复码，加密的数据就无法打开。"
)


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _error_label() -> QLabel:
    label = QLabel("")
    label.setStyleSheet("color: #b00020")
    label.setWordWrap(True)
    return label


class _PasswordPair:
    """密码 and 再次输入密码, checked together."""

    def __init__(self, form: QFormLayout, label: str = "密码") -> None:
        self.first = _password_edit()
        self.second = _password_edit()
        self.first.setPlaceholderText(f"至少 {accounts.MIN_PASSWORD} 个字符")
        form.addRow(label, self.first)
        form.addRow("再次输入", self.second)

    def value(self) -> str:
        if self.first.text() != self.second.text():
            raise ValidationError("password", "两次输入的密码不一致。")
        accounts.check_password(self.first.text())
        return self.first.text()


def _notify_window(parent: QWidget | None) -> None:
    """Tell the main window (above the settings page, or above the set-up wizard that opened the
    dialog) that the login and the encryption changed."""
    widget = parent
    while widget is not None:
        window = widget.window()
        if hasattr(window, "on_accounts_changed"):
            window.on_accounts_changed()
            return
        widget = window.parentWidget()


class FirstAdminDialog(QDialog):
    """用户名 + 密码 twice; 创建 makes the administrator and encrypts the database, then shows the
    recovery code. ``recovery_code`` holds it afterwards (tests read it there)."""

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.recovery_code: str | None = None
        self.setWindowTitle("创建管理员账户")
        intro = QLabel(
            "管理员账户保护全乡镇的户籍、收入和健康信息：创建后，数据库和备份文件都会加密，"
            "打开程序需要登录；管理员可以再为其他人建立 录入员 或 查看 账户。\n\n"
            "创建时会显示一个恢复码，请准备好打印机或纸笔。"
        )
        intro.setWordWrap(True)
        self.name_edit = QLineEdit("管理员")
        form = QFormLayout()
        form.addRow("用户名", self.name_edit)
        self.passwords = _PasswordPair(form)
        self.message = _error_label()
        buttons = QDialogButtonBox()
        self.create_button = buttons.addButton("创建并加密", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        self.passwords.first.setFocus()

    def create(self, show_code: bool = True) -> bool:
        try:
            password = self.passwords.value()
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self.recovery_code = account_ops.enable_protection(self.ctx, self.name_edit.text(), password)
            finally:
                QApplication.restoreOverrideCursor()
        except UserError as exc:
            self.message.setText(str(exc))
            return False
        _notify_window(self.parent())
        if show_code:
            RecoveryCodeDialog(self.recovery_code, self).exec()
        self.accept()
        return True


class RecoveryCodeDialog(QDialog):
    """The recovery code, shown once: 打印…, and 完成 only after ticking that it is kept safe."""

    def __init__(self, code: str, parent: QWidget | None = None, township: str = "") -> None:
        super().__init__(parent)
        self.code = code
        self.township = township
        self.setWindowTitle("恢复码（只显示这一次）")
        intro = QLabel(RECOVERY_EXPLAINED)
        intro.setWordWrap(True)
        shown = QLabel(code)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(18)
        font.setBold(True)
        shown.setFont(font)
        shown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        shown.setStyleSheet("padding: 14px; border: 1px dashed #5f6368; background: #fff;")
        self.kept = QCheckBox("我已把恢复码打印或抄写下来，并妥善保管")
        self.print_button = QPushButton("打印…")
        self.print_button.clicked.connect(self.print_code)
        buttons = QDialogButtonBox()
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.done_button = buttons.addButton("完成", QDialogButtonBox.ButtonRole.AcceptRole)
        self.done_button.setEnabled(False)
        self.kept.toggled.connect(self.done_button.setEnabled)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(shown)
        layout.addWidget(self.kept)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def reject(self) -> None:  # Esc or the title bar's ×: not before the code is kept
        if self.kept.isChecked():
            super().reject()

    def print_code(self) -> None:
        """Straight to the printer (no PDF file: the code must not lie on the disk)."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return
        from PySide6.QtGui import QPainter, QTextDocument

        doc = QTextDocument()
        doc.setHtml(
            f"<h2>防返贫监测帮扶工作站 数据库恢复码</h2><p>{self.township}</p>"
            f"<p style='font-size:20pt; font-family:monospace'><b>{self.code}</b></p>"
            f"<p>{RECOVERY_EXPLAINED}</p><p>打印日期：{dt.date.today():%Y年%m月%d日}　　保管人签字：________</p>"
        )
        painter = QPainter(printer)
        try:
            doc.drawContents(painter)
        finally:
            painter.end()


class AccountDialog(QDialog):
    """A new account (用户名, 角色, 密码), or a new password for ``name``."""

    def __init__(self, parent: QWidget | None = None, *, name: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("新建账户" if name is None else f"修改密码：{name}")
        form = QFormLayout()
        self.name_edit = QLineEdit(name or "")
        self.name_edit.setReadOnly(name is not None)
        self.role_combo = QComboBox()
        self.role_combo.addItems(list(accounts.ROLES))
        self.role_combo.setCurrentText(accounts.CLERK)
        form.addRow("用户名", self.name_edit)
        if name is None:
            form.addRow("角色", self.role_combo)
            roles = QLabel(
                "管理员：全部功能、账户、恢复备份；录入员：录入、导入、打印、导出；查看：只能查看和打印。"
            )
            roles.setWordWrap(True)
            roles.setStyleSheet("color: #5f6368")
            form.addRow("", roles)
        self.passwords = _PasswordPair(form, "新密码" if name else "密码")
        self.message = _error_label()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.values: tuple[str, str, str] | None = None

    def _check(self) -> None:
        try:
            password = self.passwords.value()
        except UserError as exc:
            self.message.setText(str(exc))
            return
        self.values = (self.name_edit.text().strip(), self.role_combo.currentText(), password)
        self.accept()
