"""Accounts and roles (issue 14): opt-in logins for the CLI, the audit trail and the window."""

from __future__ import annotations

import argparse

import pytest

from fanpin_desktop import cli
from fanpin_desktop.context import open_app
from fanpin_desktop.db import Database, migrate
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import AuditEntry, Village
from fanpin_desktop.services import accounts


@pytest.fixture
def db(tmp_path):
    d = Database(tmp_path / "a.sqlite3", user="系统用户")
    migrate(d)
    yield d
    d.dispose()


def test_no_accounts_on_a_new_database(db):
    with db.reading() as s:
        assert not accounts.has_accounts(s)
        assert accounts.list_accounts(s) == []


def test_add_and_authenticate(db):
    with db.unit() as s:
        accounts.add_account(s, "张三", accounts.ADMIN, "secret-123")
    with db.unit() as s:
        info = accounts.authenticate(s, "张三", "secret-123")
    assert info.role == accounts.ADMIN and info.last_login_at is not None
    with db.reading() as s:
        assert accounts.has_accounts(s)
        stored = s.query(accounts.Account).one().password_hash
    assert "secret-123" not in stored and stored.startswith("$argon2")


def test_refusals(db):
    with db.unit() as s:
        accounts.add_account(s, "张三", accounts.ADMIN, "secret-123")
        accounts.add_account(s, "李四", accounts.VIEWER, "secret-456")
    with pytest.raises(ValidationError, match="至少需要 8"), db.unit() as s:
        accounts.add_account(s, "王五", accounts.CLERK, "short")
    with pytest.raises(ValidationError, match="已存在"), db.unit() as s:
        accounts.add_account(s, "张三", accounts.CLERK, "another-pass")
    with pytest.raises(ValidationError, match="角色"), db.unit() as s:
        accounts.add_account(s, "赵六", "超级", "another-pass")
    for name, password in (("张三", "wrong-pass"), ("无此人", "secret-123")):
        with pytest.raises(UserError, match="用户名或密码不正确"), db.unit() as s:
            accounts.authenticate(s, name, password)
    with db.unit() as s:
        accounts.disable(s, "李四")
    with pytest.raises(UserError, match="该账户已停用"), db.unit() as s:
        accounts.authenticate(s, "李四", "secret-456")
    with pytest.raises(UserError, match="最后一个"), db.unit() as s:
        accounts.disable(s, "张三")
    with db.unit() as s:
        accounts.change_password(s, "张三", "new-secret-1")
    with db.unit() as s:
        assert accounts.authenticate(s, "张三", "new-secret-1").name == "张三"
    with pytest.raises(UserError), db.unit() as s:
        accounts.authenticate(s, "张三", "secret-123")


def test_roles():
    for action in ("write", "import", "export", "print", "restore", "accounts", "read"):
        assert accounts.can(accounts.ADMIN, action)
        assert accounts.can(None, action)  # no accounts: no login, no limits
    assert accounts.can(accounts.CLERK, "write") and accounts.can(accounts.CLERK, "import")
    assert accounts.can(accounts.CLERK, "export") and accounts.can(accounts.CLERK, "print")
    assert not accounts.can(accounts.CLERK, "restore") and not accounts.can(accounts.CLERK, "accounts")
    assert accounts.can(accounts.VIEWER, "print") and accounts.can(accounts.VIEWER, "read")
    for action in ("write", "import", "export", "restore", "accounts"):
        assert not accounts.can(accounts.VIEWER, action)
    assert not accounts.can("陌生角色", "read")


# ----------------------------------------------------------------------------- CLI


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("FANPIN_USER", raising=False)
    monkeypatch.delenv("FANPIN_PASSWORD", raising=False)
    monkeypatch.delenv("FANPIN_RECOVERY_CODE", raising=False)
    return tmp_path / "data"


def run(capsys, *argv):
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _with_accounts(capsys, data_dir, monkeypatch):
    monkeypatch.setenv("FANPIN_PASSWORD", "admin-pass-1")
    code, out, err = run(capsys, "--data-dir", str(data_dir), "users", "add", "管理", "--role", "管理员")
    assert code == 0, err
    assert "已新建管理员账户" in out and "恢复码" in out
    for name, role in (("录入", "录入员"), ("只看", "查看")):
        monkeypatch.setenv("FANPIN_PASSWORD", "admin-pass-1")
        code, _out, err = run(
            capsys, "--data-dir", str(data_dir), "--user", "管理", "users", "add", name, "--role", role
        )
        assert code == 0, err
    monkeypatch.delenv("FANPIN_PASSWORD")


def test_cli_without_accounts_is_unchanged(capsys, data_dir):
    code, out, _err = run(capsys, "--data-dir", str(data_dir), "migrate")
    assert code == 0
    code, out, _err = run(capsys, "--data-dir", str(data_dir), "info")
    assert code == 0 and "数据结构版本" in out


def test_first_account_must_be_admin(capsys, data_dir, monkeypatch):
    monkeypatch.setenv("FANPIN_PASSWORD", "admin-pass-1")
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "users", "add", "甲", "--role", "查看")
    assert code == 1 and "管理员" in err


def test_cli_needs_credentials_once_accounts_exist(capsys, data_dir, monkeypatch):
    _with_accounts(capsys, data_dir, monkeypatch)
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "info")
    assert code == 1 and "--user" in err
    monkeypatch.setenv("FANPIN_PASSWORD", "wrong-password")
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "--user", "只看", "info")
    assert code == 1 and "用户名或密码不正确" in err
    monkeypatch.setenv("FANPIN_PASSWORD", "admin-pass-1")
    monkeypatch.setenv("FANPIN_USER", "只看")
    code, out, _err = run(capsys, "--data-dir", str(data_dir), "info")
    assert code == 0 and "数据结构版本" in out


def test_viewer_cannot_write_or_restore(capsys, data_dir, monkeypatch, tmp_path):
    _with_accounts(capsys, data_dir, monkeypatch)
    monkeypatch.setenv("FANPIN_PASSWORD", "admin-pass-1")
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "--user", "只看", "migrate")
    assert code == 1 and "当前账户（查看）只能查看和打印" in err
    code, _out, err = run(
        capsys, "--data-dir", str(data_dir), "--user", "只看", "restore", str(tmp_path / "x.sqlite3")
    )
    assert code == 1 and "查看" in err
    code, _out, err = run(
        capsys, "--data-dir", str(data_dir), "--user", "录入", "restore", str(tmp_path / "x.sqlite3")
    )
    assert code == 1 and "无权" in err
    code, _out, err = run(
        capsys, "--data-dir", str(data_dir), "--user", "只看", "users", "add", "丙", "--role", "查看"
    )
    assert code == 1
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "--user", "录入", "migrate")
    assert code == 0, err
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "--user", "只看", "users", "passwd", "只看")
    assert code == 0, err  # one's own password


def test_clerk_can_import(capsys, data_dir, monkeypatch, tmp_path):
    _with_accounts(capsys, data_dir, monkeypatch)
    listing = tmp_path / "医保.csv"
    listing.write_text("姓名,身份证号,金额\n张三,110101199001011234,100\n", encoding="utf-8")
    monkeypatch.setenv("FANPIN_PASSWORD", "admin-pass-1")
    argv = (
        "--data-dir",
        str(data_dir),
        "--user",
        "{}",
        "warnings",
        "import",
        str(listing),
        "--department",
        "医保",
    )
    code, _out, err = run(capsys, *[a.format("只看") for a in argv])
    assert code == 1 and "查看" in err
    code, _out, err = run(capsys, *[a.format("录入") for a in argv])
    assert "查看" not in err and "无权" not in err and "--user" not in err  # past the login


def test_audit_entries_name_the_logged_in_account(capsys, data_dir, monkeypatch):
    from fanpin_desktop.cli_users import login, unlock

    _with_accounts(capsys, data_dir, monkeypatch)
    monkeypatch.setenv("FANPIN_PASSWORD", "admin-pass-1")
    args = argparse.Namespace(user="录入", data_dir=str(data_dir), recovery=False)
    credentials, key = unlock(args)
    ctx = open_app(data_dir, auto_backup=False, data_key=key)
    try:
        assert login(args, cli.COMMANDS["migrate"], ctx, credentials) == accounts.CLERK
        with ctx.db.unit() as s:
            s.add(Village(name="新村", sort_order=9))
        with ctx.db.reading() as s:
            users = {e.user for e in s.query(AuditEntry).filter_by(table_name="villages")}
    finally:
        ctx.close()
    assert users == {"录入"}


# ----------------------------------------------------------------------------- window


def test_viewer_window_operations_refuse_writes(tmp_path, qapp):
    from fanpin_desktop.services import settings as settings_service
    from fanpin_desktop.ui.operations import HOUSEHOLDS
    from fanpin_desktop.ui.operations.data import window_operations
    from fanpin_desktop.ui.tasks import TaskRunner

    ctx = open_app(tmp_path / "data", auto_backup=False)
    ops = None
    try:
        for role, refused_expected in ((accounts.VIEWER, True), (accounts.CLERK, False)):
            ctx.role = role
            ops = window_operations(ctx, TaskRunner(synchronous=True))
            called, refused = [], []
            ops.write(
                lambda s, called=called: called.append(settings_service.update(s, township="改过的")),
                HOUSEHOLDS,
                user_error=refused.append,
            )
            ops.runner.shutdown()
            if refused_expected:
                assert called == [] and [str(e) for e in refused] == [accounts.VIEWER_READ_ONLY]
                assert "当前账户（查看）只能查看和打印，不能保存修改" in accounts.VIEWER_READ_ONLY
            else:
                assert refused == [] and len(called) == 1
    finally:
        ctx.close()


def test_login_dialog_and_window_login(tmp_path, qapp, monkeypatch):
    from fanpin_desktop.ui import app as ui_app
    from fanpin_desktop.ui.dialogs.login_dialog import IdleLock, LoginDialog
    from fanpin_desktop.ui.operations.accounts import account_check

    ctx = open_app(tmp_path / "data", auto_backup=False)
    try:
        assert ui_app.log_in(ctx) is True and ctx.role is None  # no accounts: no dialog, no role
        assert ui_app.start_idle_lock(ctx, None) is None
        with ctx.db.unit() as s:
            accounts.add_account(s, "只看", accounts.VIEWER, "viewer-pass")
        dialog = LoginDialog(account_check(ctx))
        dialog.name_edit.setText("只看")
        dialog.password_edit.setText("wrong-pass")
        dialog.login_button.click()
        assert dialog.account is None and "用户名或密码不正确" in dialog.message.text()
        assert dialog.password_edit.text() == ""
        dialog.password_edit.setText("viewer-pass")
        dialog.login_button.click()
        assert dialog.account is not None and dialog.account.role == accounts.VIEWER

        def fake_exec(self):
            self.name_edit.setText("只看")
            self.password_edit.setText("viewer-pass")
            self._login()
            return int(self.result())

        monkeypatch.setattr(LoginDialog, "exec", fake_exec)
        assert ui_app.log_in(ctx) is True
        assert ctx.role == accounts.VIEWER and ctx.db.user == "只看"
        fired = []
        idle = IdleLock(15, lambda: fired.append(1))
        idle.timer.timeout.emit()
        assert fired == [1] and idle.timer.isActive()
        idle.timer.stop()
    finally:
        ctx.close()


def test_log_in_verified_checks_the_row_without_the_password(db):
    with db.unit() as s:
        accounts.add_account(s, "张三", accounts.ADMIN, "secret-123")
        accounts.add_account(s, "李四", accounts.VIEWER, "secret-456")
        accounts.disable(s, "李四")
    with db.unit() as s:
        info = accounts.log_in_verified(s, "张三")
    assert info.role == accounts.ADMIN and info.last_login_at is not None
    with pytest.raises(UserError, match="该账户已停用"), db.unit() as s:
        accounts.log_in_verified(s, "李四")
    with pytest.raises(UserError, match="用户名或密码不正确"), db.unit() as s:
        accounts.log_in_verified(s, "无此人")
