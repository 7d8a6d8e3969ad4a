"""The window's side of the encrypted data folder (issue 14): the first administrator from
系统设置, the login before the database opens, the recovery code, roles for import and export."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from fanpin_desktop.context import open_app
from fanpin_desktop.errors import UserError
from fanpin_desktop.paths import DataPaths
from fanpin_desktop.security import cipher_db, keys, protection
from fanpin_desktop.services import accounts

HEADER = b"SQLite format 3\x00"


@pytest.fixture(autouse=True)
def fast_argon2(monkeypatch):
    monkeypatch.setattr(keys, "DEFAULT_PARAMS", {"time_cost": 1, "memory_cost": 8 * 1024, "parallelism": 1})


def _window(ctx, tmp_path):
    from fanpin_desktop.ui.main_window import MainWindow
    from fanpin_desktop.ui.tasks import TaskRunner

    return MainWindow(
        ctx,
        TaskRunner(synchronous=True),
        qsettings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
    )


def _accounts_panel(window):
    window.show_page("settings")
    page = window.page("settings")
    return next(page.tabs.widget(i) for i in range(page.tabs.count()) if page.tabs.tabText(i) == "账户与加密")


def test_first_admin_from_the_settings_page_encrypts(tmp_path, qapp):
    from fanpin_desktop.ui.dialogs.first_admin import FirstAdminDialog
    from fanpin_desktop.ui.operations import accounts as account_ops

    ctx = open_app(tmp_path / "data", auto_backup=False)
    window = _window(ctx, tmp_path)
    try:
        panel = _accounts_panel(window)
        assert panel.first_button.isVisibleTo(panel) and "未加密" in panel.state.text()
        assert "未加密" in window.database_label.text()
        dialog = FirstAdminDialog(ctx, panel)
        dialog.passwords.first.setText("admin-pass-1")
        dialog.passwords.second.setText("admin-pass-2")
        assert dialog.create(show_code=False) is False and "不一致" in dialog.message.text()
        assert not protection.is_protected(ctx.paths)
        dialog.passwords.second.setText("admin-pass-1")
        assert dialog.create(show_code=False) is True
        assert keys.normalize_recovery_code(dialog.recovery_code)
        assert cipher_db.is_encrypted(ctx.paths.database)
        assert ctx.role == accounts.ADMIN and window.ops.role == accounts.ADMIN
        assert "已加密" in window.database_label.text()
        assert window.account_label.text() == "当前账户：管理员（管理员）"
        panel.refresh()
        assert not panel.first_button.isVisibleTo(panel) and panel.table.rowCount() == 1
        assert window.idle_lock is not None and window.idle_lock.timer.isActive()
        panel.idle_spin.setValue(0)
        panel.save_idle_minutes()
        assert not window.idle_lock.timer.isActive()
        assert account_ops.idle_minutes(ctx) == 0
        panel.idle_spin.setValue(20)
        panel.save_idle_minutes()
        assert window.idle_lock.timer.interval() == 20 * 60_000 and account_ops.idle_minutes(ctx) == 20
        window.idle_lock.timer.stop()
        # the same window goes on working on the encrypted file
        with ctx.db.reading() as s:
            assert accounts.has_accounts(s)
    finally:
        window.close()
        ctx.close()
    with pytest.raises(UserError):
        open_app(tmp_path / "data", auto_backup=False)


def test_login_before_opening_and_the_recovery_code(tmp_path, qapp, monkeypatch):
    from fanpin_desktop.ui import app as ui_app
    from fanpin_desktop.ui.dialogs.login_dialog import LoginDialog
    from fanpin_desktop.ui.operations import accounts as account_ops

    ctx = open_app(tmp_path / "data", auto_backup=False)
    try:
        code = protection.enable(ctx, "站长", "admin-pass-1")
    finally:
        ctx.close()
    paths = DataPaths(tmp_path / "data")

    dialog = LoginDialog(account_ops.unlock_check(paths), recover=account_ops.recovery_check(paths))
    assert dialog.recover_button.isVisibleTo(dialog)
    dialog.name_edit.setText("站长")
    dialog.password_edit.setText("wrong-pass-1")
    dialog.login_button.click()
    assert dialog.account is None and "用户名或密码不正确" in dialog.message.text()
    assert dialog.use_recovery_code("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA") is False
    assert "恢复码不正确" in dialog.message.text()
    assert dialog.use_recovery_code(code) is True
    unlocked = dialog.account
    ctx = open_app(paths.root, auto_backup=False, data_key=unlocked.key)
    try:
        assert ui_app.log_in(ctx, unlocked=unlocked) is True
        assert ctx.role == accounts.ADMIN and ctx.db.user == protection.RECOVERY_USER
        account_ops.set_password(ctx, "站长", "new-pass-123")
    finally:
        ctx.close()

    def fake_exec(self):
        self.name_edit.setText("站长")
        self.password_edit.setText("new-pass-123")
        self._login()
        return int(self.result())

    monkeypatch.setattr(LoginDialog, "exec", fake_exec)
    unlocked = ui_app.unlock_folder(paths)
    ctx = open_app(paths.root, auto_backup=False, data_key=unlocked.key)
    try:
        assert ui_app.log_in(ctx, unlocked=unlocked) is True
        assert ctx.role == accounts.ADMIN and ctx.db.user == "站长"
    finally:
        ctx.close()


def test_recovery_code_dialog_needs_the_tick(qapp):
    from fanpin_desktop.ui.dialogs.first_admin import RecoveryCodeDialog

    dialog = RecoveryCodeDialog("ABCD-EFGH-JKMN-PQRS-TVWX-YZ01")
    assert not dialog.done_button.isEnabled()
    finished = []
    dialog.finished.connect(finished.append)
    dialog.reject()  # Esc or × before the tick: the code stays on screen
    assert finished == []
    dialog.kept.setChecked(True)
    assert dialog.done_button.isEnabled()
    dialog.done_button.click()
    assert finished == [1]


def test_viewer_window_refuses_import_and_export(tmp_path, qapp, monkeypatch):
    ctx = open_app(tmp_path / "data", auto_backup=False)
    window = _window(ctx, tmp_path)
    told = []
    monkeypatch.setattr(window, "inform", lambda title, text: told.append(text))
    try:
        ctx.role = accounts.VIEWER
        window.import_roster()
        window.export_roster(tmp_path / "x.xlsx")
        window.national_exchange()
        assert len(told) == 3 and all("无权" in t for t in told)
        assert not (tmp_path / "x.xlsx").exists()
    finally:
        window.close()
        ctx.close()


def test_window_login_upgrades_accounts_made_before_encryption(tmp_path, qapp, monkeypatch):
    """A plain database with accounts (made before encryption existed): the administrator's login
    in the window converts it and shows the recovery code once; a clerk's login does not."""
    from fanpin_desktop.ui import app as ui_app
    from fanpin_desktop.ui.dialogs.first_admin import RecoveryCodeDialog
    from fanpin_desktop.ui.dialogs.login_dialog import LoginDialog

    ctx = open_app(tmp_path / "data", auto_backup=False)
    try:
        with ctx.db.unit() as s:
            accounts.add_account(s, "老管理", accounts.ADMIN, "old-admin-pass")
            accounts.add_account(s, "小王", accounts.CLERK, "clerk-pass-1")
    finally:
        ctx.close()
    shown = []
    monkeypatch.setattr(RecoveryCodeDialog, "exec", lambda self: shown.append(self.code) or 1)

    def login_as(name, password):
        def fake_exec(self):
            self.name_edit.setText(name)
            self.password_edit.setText(password)
            self._login()
            return int(self.result())

        monkeypatch.setattr(LoginDialog, "exec", fake_exec)
        ctx = open_app(tmp_path / "data", auto_backup=False, lock="窗口")
        try:
            assert ui_app.log_in(ctx) is True
        finally:
            ctx.close()

    login_as("小王", "clerk-pass-1")
    assert shown == [] and not protection.is_protected(DataPaths(tmp_path / "data"))
    login_as("老管理", "old-admin-pass")
    assert len(shown) == 1 and keys.normalize_recovery_code(shown[0])
    paths = DataPaths(tmp_path / "data")
    assert paths.database.read_bytes()[:16] != HEADER
    key = protection.unlock(paths, protection.Credentials("老管理", "old-admin-pass"))
    ctx = open_app(paths.root, auto_backup=False, data_key=key)
    ctx.close()
