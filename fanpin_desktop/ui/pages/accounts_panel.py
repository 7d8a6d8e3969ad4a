"""系统设置 → 账户与加密: whether the database is encrypted, the accounts, and their buttons."""

from __future__ import annotations

from typing import Any

import qtawesome as qta
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.errors import UserError
from fanpin_desktop.security import protection
from fanpin_desktop.services import accounts
from fanpin_desktop.ui.dialogs.first_admin import AccountDialog, FirstAdminDialog, RecoveryCodeDialog
from fanpin_desktop.ui.errors import show_error
from fanpin_desktop.ui.operations import accounts as account_ops

COLUMNS = ("用户名", "角色", "状态", "最近登录")


class AccountsPanel(QWidget):
    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.first_button = QPushButton(qta.icon("fa5s.user-shield"), "创建管理员账户…")
        self.add_button = QPushButton(qta.icon("fa5s.user-plus"), "新建账户…")
        self.password_button = QPushButton(qta.icon("fa5s.key"), "修改密码…")
        self.disable_button = QPushButton(qta.icon("fa5s.user-slash"), "停用")
        self.recovery_button = QPushButton(qta.icon("fa5s.life-ring"), "更换恢复码…")
        self.first_button.clicked.connect(self.create_first_admin)
        self.add_button.clicked.connect(self.add_account)
        self.password_button.clicked.connect(self.change_password)
        self.disable_button.clicked.connect(self.disable_account)
        self.recovery_button.clicked.connect(self.replace_recovery_code)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        bar = QHBoxLayout()
        for b in (self.first_button, self.add_button, self.password_button, self.disable_button):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.recovery_button)
        self.idle_spin = QSpinBox()
        self.idle_spin.setRange(0, 240)
        self.idle_spin.setSuffix(" 分钟")
        self.idle_spin.setSpecialValueText("不锁定")
        self.idle_spin.setToolTip(
            "这么长时间没有键盘和鼠标操作，窗口就锁定，需要重新输入密码（已输入的内容不会丢失）"
        )
        self.idle_save = QPushButton("保存")
        self.idle_save.clicked.connect(self.save_idle_minutes)
        idle = QHBoxLayout()
        idle.addWidget(QLabel("无操作自动锁定："))
        idle.addWidget(self.idle_spin)
        idle.addWidget(self.idle_save)
        idle.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(idle)
        self.refresh()

    def refresh(self) -> None:
        ctx = self.ctx
        if ctx.demo:
            text = protection.DEMO_REFUSED
        elif account_ops.encrypted(ctx):
            text = (
                "数据库已加密（AES-256）：打开程序需要登录，备份文件同样加密。"
                "忘记全部密码时，用恢复码在登录窗口点“忘记密码…”。"
            )
        else:
            text = (
                "数据库未加密，也没有登录：任何能打开这台电脑的人都能读取全部数据。"
                "请创建管理员账户，数据库和备份将随之加密。"
            )
        self.state.setText(text)
        self.state.setStyleSheet(
            "" if account_ops.encrypted(ctx) or ctx.demo else "color: #b00020; font-weight: bold;"
        )
        found = account_ops.list_accounts(ctx)
        self.idle_spin.setValue(account_ops.idle_minutes(ctx))
        self.table.setRowCount(len(found))
        for row, a in enumerate(found):
            last = f"{a.last_login_at:%Y-%m-%d %H:%M}" if a.last_login_at else "从未登录"
            for col, text in enumerate((a.name, a.role, "已停用" if a.disabled else "可用", last)):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self._update_buttons()

    def _selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.table.item(rows[0].row(), 0).text() if rows else None

    def _update_buttons(self) -> None:
        ctx = self.ctx
        has_accounts = self.table.rowCount() > 0
        admin = accounts.can(ctx.role, "accounts") and not ctx.read_only
        chosen = self._selected_name()
        self.first_button.setVisible(not ctx.demo and not account_ops.encrypted(ctx) and not has_accounts)
        self.first_button.setEnabled(not ctx.read_only)
        for b in (self.add_button, self.password_button, self.disable_button, self.recovery_button):
            b.setVisible(has_accounts)
        self.add_button.setEnabled(admin)
        self.password_button.setEnabled(
            chosen is not None and (admin or chosen == account_ops.logged_in_name(ctx))
        )
        self.disable_button.setEnabled(
            admin and chosen is not None and chosen != account_ops.logged_in_name(ctx)
        )
        self.recovery_button.setEnabled(admin and account_ops.encrypted(ctx))
        self.idle_spin.setEnabled(admin and has_accounts)
        self.idle_save.setEnabled(admin and has_accounts)

    # ------------------------------------------------------------------ actions

    def create_first_admin(self) -> None:
        FirstAdminDialog(self.ctx, self).exec()
        self.refresh()

    def add_account(self) -> None:
        dialog = AccountDialog(self)
        if not dialog.exec() or dialog.values is None:
            return
        name, role, password = dialog.values
        self._run(lambda: account_ops.add_account(self.ctx, name, role, password))

    def change_password(self) -> None:
        name = self._selected_name()
        if name is None:
            return
        dialog = AccountDialog(self, name=name)
        if dialog.exec() and dialog.values is not None:
            self._run(lambda: account_ops.set_password(self.ctx, name, dialog.values[2]))

    def disable_account(self) -> None:
        name = self._selected_name()
        if name is None:
            return
        answer = QMessageBox.question(
            self, "停用账户", f"停用账户“{name}”？停用后它不能再登录，它的密码也不能再打开数据库。"
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._run(lambda: account_ops.disable_account(self.ctx, name))

    def replace_recovery_code(self) -> None:
        answer = QMessageBox.question(
            self, "更换恢复码", "生成新的恢复码？原来的恢复码将立即作废，请准备好打印机或纸笔。"
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            code = account_ops.new_recovery_code(self.ctx)
        except UserError as exc:
            show_error(exc, self)
            return
        RecoveryCodeDialog(code, self).exec()

    def save_idle_minutes(self) -> None:
        minutes = self.idle_spin.value()
        self._run(lambda: account_ops.set_idle_minutes(self.ctx, minutes))
        lock = getattr(self.window(), "idle_lock", None)
        if lock is not None:
            lock.set_minutes(minutes)

    def _run(self, action: Any) -> None:
        try:
            action()
        except UserError as exc:
            show_error(exc, self)
        self.refresh()
