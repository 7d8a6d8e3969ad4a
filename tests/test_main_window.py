"""Main window (sidebar, status bar, backup/restore actions), the task runner and error routing."""

from __future__ import annotations

import logging
import threading

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox, QPushButton

from fanpin_desktop.context import open_app
from fanpin_desktop.errors import UserError
from fanpin_desktop.services import backup as backups
from fanpin_desktop.services import regions
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.ui import errors as ui_errors
from fanpin_desktop.ui.main_window import PAGES, MainWindow
from fanpin_desktop.ui.pages.settings import SettingsPage
from fanpin_desktop.ui.tasks import TaskCancelled, TaskControl, TaskRunner


@pytest.fixture
def ctx(tmp_path):
    context = open_app(tmp_path / "data")
    with context.db.unit() as s:
        settings_service.update(s, county="霍邱县", township="马店镇")
        regions.create_village(s, "桃园村")
    yield context
    context.close()


@pytest.fixture
def qsettings(tmp_path):
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, ctx, qsettings):
    w = MainWindow(ctx, TaskRunner(synchronous=True), qsettings=qsettings)
    qtbot.addWidget(w)
    w.messages = []
    w.inform = lambda title, text: w.messages.append((title, text))
    return w


def village_names(ctx) -> list[str]:
    with ctx.db.reading() as s:
        return sorted(regions.village_names(s))


def test_title_and_status_bar_show_the_township(window, ctx):
    assert window.windowTitle() == "防返贫监测帮扶工作站 — 马店镇"
    assert "马店镇" in window.township_label.text()
    assert window.households_label.text() == "户数：0"
    assert str(ctx.paths.database) in window.database_label.text()


def test_sidebar_has_only_working_pages_and_switches(window):
    titles = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert [t.split(" (")[0] for t in titles] == [
        "工作台",
        "户籍台账",
        "监测对象",
        "部门预警",
        "集中排查",
        "整改台账",
        "数据核查",
        "系统设置",
    ]
    window.sidebar.setCurrentRow(titles.index("系统设置"))
    assert isinstance(window.stack.currentWidget(), SettingsPage)
    assert window.current_page_key() == "settings"
    window.sidebar.setCurrentRow(1)
    assert window.stack.currentWidget() is window.pages["registry"]
    assert not isinstance(window.pages["registry"], SettingsPage)


def test_pages_are_built_when_first_shown(window):
    # start-up pays only for the page on screen (the 工作台 on first start); the others are built
    # on first visit
    assert set(window._built) == {"home"}
    assert window.stack.currentWidget() is window.pages["home"]
    window.show_page("ledger")
    assert set(window._built) == {"home", "ledger"}
    assert window.stack.currentWidget() is window._built["ledger"]
    assert window.stack.count() == len(PAGES)
    window.show_page("home")
    assert window.stack.currentWidget() is window._built["home"]


def test_saving_settings_updates_title_and_status(window):
    window.show_page("settings")
    page = window.pages["settings"]
    page.form.township.setText("梅山镇")
    assert page.save()
    assert window.windowTitle().endswith("梅山镇")
    assert "梅山镇" in window.township_label.text()


def test_menus(window):
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["数据(&D)", "帮助(&H)"]
    data_actions = [a.text() for a in window.menuBar().actions()[0].menu().actions() if a.text()]
    assert data_actions[:7] == [
        "导入户籍名册（Excel/CSV）…",
        "导出户籍名册（国家系统格式）…",
        "导出户籍名册时隐藏身份证号中间位",
        "全国系统数据交换…",
        "备份数据库…",
        "从备份恢复…",
        "打开数据目录",
    ]
    help_actions = [a.text() for a in window.menuBar().actions()[1].menu().actions()]
    assert help_actions == ["使用说明", "设置向导…", "", "关于", "打开日志"]


def test_backup_action_makes_a_backup(window, ctx):
    assert backups.list_backups(ctx.paths) == []
    window.backup_action.trigger()
    made = backups.list_backups(ctx.paths)
    assert len(made) == 1 and made[0].reason == backups.MANUAL
    assert window.messages and window.messages[0][0] == "备份完成"
    assert str(made[0].path) in window.messages[0][1]


def test_restore_action_brings_back_the_backup(window, ctx):
    window.backup_action.trigger()
    made = backups.list_backups(ctx.paths)[0].path
    with ctx.db.unit() as s:
        regions.create_village(s, "杏花村")
        settings_service.update(s, township="别的镇")
    window.refresh_status()
    assert window.windowTitle().endswith("别的镇")

    window.choose_backup = lambda: made
    window.confirm = lambda title, text: True
    window.restore_action.trigger()

    assert village_names(ctx) == ["桃园村"]
    assert window.windowTitle().endswith("马店镇"), "pages and status refreshed after the restore"
    assert window.messages[-1][0] == "恢复完成"
    assert any(b.reason == "replaced" for b in backups.list_backups(ctx.paths))


def test_restore_refused_shows_the_chinese_message(window, ctx, tmp_path, monkeypatch):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"nothing here" * 100)
    shown = []
    monkeypatch.setattr(
        ui_errors, "show_user_error", lambda message, parent=None, title="": shown.append(message)
    )
    window.choose_backup = lambda: bad
    window.confirm = lambda title, text: True
    window.restore_action.trigger()
    assert shown and "不能用于恢复" in shown[0]
    assert village_names(ctx) == ["桃园村"]


def test_restore_cancelled_at_confirmation_changes_nothing(window, ctx):
    window.backup_action.trigger()
    made = backups.list_backups(ctx.paths)[0].path
    with ctx.db.unit() as s:
        regions.create_village(s, "杏花村")
    window.choose_backup = lambda: made
    window.confirm = lambda title, text: False
    window.restore_action.trigger()
    assert village_names(ctx) == ["杏花村", "桃园村"]


def test_page_and_geometry_are_remembered(qtbot, ctx, qsettings):
    first = MainWindow(ctx, TaskRunner(synchronous=True), qsettings=qsettings)
    qtbot.addWidget(first)
    first.show_page("settings")
    first.close()
    assert qsettings.value("main_window/geometry") is not None
    second = MainWindow(ctx, TaskRunner(synchronous=True), qsettings=qsettings)
    qtbot.addWidget(second)
    assert second.current_page_key() == "settings"


def test_demo_mode_is_visible(qtbot, ctx, qsettings):
    ctx.demo = True
    w = MainWindow(ctx, TaskRunner(synchronous=True), qsettings=qsettings)
    qtbot.addWidget(w)
    assert "演示数据" in w.windowTitle() and "演示数据" in w.township_label.text()


# --------------------------------------------------------------------------- task runner


def test_synchronous_runner_delivers_result_and_error():
    runner = TaskRunner(synchronous=True)
    results, failures = [], []
    runner.run(lambda c: 6 * 7, on_done=results.append, on_error=failures.append)
    runner.run(lambda c: 1 / 0, on_done=results.append, on_error=failures.append)
    assert results == [42]
    assert len(failures) == 1 and isinstance(failures[0], ZeroDivisionError)
    assert not runner.busy


def test_background_runner_works_off_the_gui_thread(qtbot):
    runner = TaskRunner()
    worker_threads, done_threads, results = [], [], []

    def work(control):
        worker_threads.append(threading.current_thread())
        control.report(1, 2, "一半")
        return "ok"

    def done(result):
        done_threads.append(threading.current_thread())
        results.append(result)

    with qtbot.waitSignal(runner.task_finished, timeout=10000):
        runner.run(work, on_done=done, progress=False)
    runner.shutdown()
    assert results == ["ok"]
    assert worker_threads[0] is not threading.main_thread()
    assert done_threads[0] is threading.main_thread()


def test_background_errors_come_back_to_on_error(qtbot):
    runner = TaskRunner()
    failures = []
    with qtbot.waitSignal(runner.task_finished, timeout=10000):
        runner.run(
            lambda c: (_ for _ in ()).throw(UserError("磁盘空间不足")),
            on_error=failures.append,
            progress=False,
        )
    runner.shutdown()
    assert isinstance(failures[0], UserError) and str(failures[0]) == "磁盘空间不足"


def test_cancel_is_cooperative(qtbot):
    runner = TaskRunner()
    started = threading.Event()
    cancelled, results = [], []

    def work(control):
        started.set()
        while True:
            control.check()
            threading.Event().wait(0.01)

    with qtbot.waitSignal(runner.task_finished, timeout=10000):
        runner.run(work, on_done=results.append, on_cancelled=lambda: cancelled.append(True), progress=False)
        assert started.wait(10)
        runner.cancel_all()
    runner.shutdown()
    assert cancelled == [True] and results == []


def test_progress_dialog_appears_for_slow_work_and_cancels_it(qtbot):
    runner = TaskRunner(show_after_ms=0)
    release = threading.Event()
    cancelled = []

    def work(control):
        while not release.is_set():
            control.report(0, 10, "处理中")
            threading.Event().wait(0.01)
        control.check()

    task = runner.run(work, on_cancelled=lambda: cancelled.append(True), label="测试任务")
    qtbot.waitUntil(lambda: task.dialog is not None and task.dialog.isVisible(), timeout=10000)
    assert "测试任务" in task.dialog.labelText()
    with qtbot.waitSignal(runner.task_finished, timeout=10000):
        task.dialog.findChild(QPushButton).click()  # the 取消 button
        release.set()
    runner.shutdown()
    assert cancelled == [True]
    assert task.dialog is None


def test_control_as_progress_callback_raises_when_cancelled():
    runner = TaskRunner(synchronous=True)
    outcome = []

    def work(control):
        control(1, 10)  # the (done, total) form services use
        control.cancel()
        control(2, 10)
        outcome.append("not reached")

    runner.run(work, on_cancelled=lambda: outcome.append("cancelled"))
    assert outcome == ["cancelled"]
    control = TaskControl()
    control.cancel()
    with pytest.raises(TaskCancelled):
        control.check()


# --------------------------------------------------------------------------- error routing


def test_user_error_is_a_warning_with_its_message(qtbot, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append((title, text)))
    ui_errors.show_error(UserError("文件正被 Excel 打开"))
    assert warnings == [("提示", "文件正被 Excel 打开")]


def test_bug_is_logged_and_offers_the_log(qtbot, monkeypatch, caplog):
    shown = []
    monkeypatch.setattr(ui_errors, "show_bug", lambda exc, parent=None: shown.append(exc))
    try:
        raise KeyError("x")
    except KeyError as exc:
        with caplog.at_level(logging.ERROR):
            ui_errors.show_error(exc)
    assert len(shown) == 1 and isinstance(shown[0], KeyError)
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)


def test_bug_dialog_has_the_log_buttons(qtbot, monkeypatch, data_paths):
    from fanpin_desktop.logging_setup import setup_logging, shutdown_logging

    setup_logging(data_paths)
    seen = {}

    def fake_exec(box):
        seen["title"] = box.windowTitle()
        seen["buttons"] = [b.text() for b in box.buttons()]
        seen["text"] = box.informativeText()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    try:
        ui_errors.show_bug(RuntimeError("boom"))
    finally:
        shutdown_logging()
    assert seen["title"] == "程序出现错误"
    assert "打开日志文件" in seen["buttons"] and "打开日志文件夹" in seen["buttons"]
    assert str(data_paths.log_file) in seen["text"]


def test_excepthook_routes_to_show_error(qtbot, monkeypatch):
    routed = []
    monkeypatch.setattr(ui_errors, "show_error", lambda exc, parent=None: routed.append(exc))
    try:
        raise ValueError("from a slot")
    except ValueError:
        ui_errors.excepthook(*__import__("sys").exc_info())
    assert isinstance(routed[0], ValueError)


def test_pages_reload_when_shown_after_villages_changed(qtbot, ctx, qsettings, monkeypatch):
    from fanpin_desktop.ui import main_window as mw
    from fanpin_desktop.ui.pages.base import Page

    class CountingPage(Page):
        SHOWS = ("settings",)

        def __init__(self, ops):
            super().__init__(ops)
            self.refreshes = 0

        def refresh(self):
            self.refreshes += 1

    pages = [
        mw.PageSpec("registry", "户籍台账", "fa5s.address-book", lambda c, ops: CountingPage(ops)),
        *[p for p in mw.PAGES if p.key == "settings"],
    ]
    monkeypatch.setattr(mw, "PAGES", pages)
    w = MainWindow(ctx, TaskRunner(synchronous=True), qsettings=qsettings)
    qtbot.addWidget(w)
    registry = w.pages["registry"]
    w.show_page("settings")
    panel = w.pages["settings"].villages
    panel.ask_text = lambda *a, **k: "杏花村"
    panel.add_village()
    assert registry.refreshes == 0
    w.show_page("registry")
    assert registry.refreshes == 1
    w.show_page("settings")
    w.show_page("registry")
    assert registry.refreshes == 1, "no reload when nothing changed"


def test_smoke_test_entry_point(qapp, capsys):
    from fanpin_desktop.ui import app

    assert app.main(["--smoke-test", "--households", "20"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("smoke test ok: 20 households")


def test_cjk_font_is_chosen(qapp):
    from PySide6.QtGui import QFontDatabase

    from fanpin_desktop.ui.app import PREFERRED_FONTS, setup_fonts

    chosen = setup_fonts(qapp)
    available = set(QFontDatabase.families())
    if any(name in available for name in PREFERRED_FONTS):
        assert chosen in PREFERRED_FONTS and qapp.font().family() == chosen
    else:  # pragma: no cover - machine without any CJK font
        assert chosen is None


def test_smoke_test_fails_instead_of_showing_an_error_dialog(qapp, capsys, monkeypatch):
    from fanpin_desktop.ui import app

    def broken_search(page, text):
        ui_errors.show_error(RuntimeError("registry broke"))
        return 0

    monkeypatch.setattr(app, "_search_page", broken_search)
    assert app.main(["--smoke-test", "--households", "5"]) == 1
    assert "smoke test FAILED" in capsys.readouterr().out


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, showing the message box
def test_smoke_test_watchdog_closes_a_blocking_dialog(qapp, capsys, monkeypatch):
    from fanpin_desktop.ui import app

    def modal_search(page, text):
        QMessageBox(QMessageBox.Icon.Information, "挡路的对话框", "…").exec()
        return 0

    monkeypatch.setattr(app, "SMOKE_DIALOG_TIMEOUT_MS", 50)
    monkeypatch.setattr(app, "_search_page", modal_search)
    assert app.main(["--smoke-test", "--households", "5"]) == 1
    assert "挡路的对话框" in capsys.readouterr().out


def test_a_broken_page_does_not_stop_the_window(qtbot, ctx, qsettings, monkeypatch, caplog):
    from fanpin_desktop.ui import main_window as mw

    def broken(_ctx):
        raise RuntimeError("page bug")

    pages = [
        mw.PageSpec("registry", "户籍台账", "fa5s.address-book", broken),
        *[p for p in mw.PAGES if p.key == "settings"],
    ]
    monkeypatch.setattr(mw, "PAGES", pages)
    w = MainWindow(ctx, TaskRunner(synchronous=True), qsettings=qsettings)
    qtbot.addWidget(w)
    assert "加载失败" in w.pages["registry"].text()
    assert w.failed_pages == ["registry"]  # the smoke test fails on it
    assert isinstance(w.pages["settings"], SettingsPage)
    assert any("page registry could not be built" in r.getMessage() for r in caplog.records)


def test_roster_export_from_the_data_menu_writes_the_registry(tmp_path, qtbot, qsettings):
    from python_calamine import CalamineWorkbook

    from fanpin_desktop.demo import build_demo

    context = open_app(tmp_path / "demo-data")
    summary = build_demo(context.db, households=25, seed=7)
    w = MainWindow(context, TaskRunner(synchronous=True), qsettings=qsettings)
    qtbot.addWidget(w)
    w.messages = []
    w.inform = lambda title, text: w.messages.append((title, text))
    target = tmp_path / "out" / "名册.xlsx"
    target.parent.mkdir()
    w.export_roster(target)
    assert w.messages and w.messages[0][0] == "导出完成"
    sheet = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    header_row = next(i for i, row in enumerate(sheet) if "证件号码" in [str(c) for c in row])
    id_col = [str(c) for c in sheet[header_row]].index("证件号码")
    people = [row for row in sheet[header_row + 1 :] if str(row[id_col]).strip()]
    assert len(people) == summary.people
    context.close()


def test_import_action_opens_the_wizard_on_the_window_operations(window, monkeypatch):
    from fanpin_desktop.ui.dialogs import import_wizard

    shown = []

    def fake_exec(self):
        shown.append(self)
        return 1

    monkeypatch.setattr(import_wizard.ImportWizard, "exec", fake_exec)
    window.import_action.trigger()
    # its import announces the households through these operations: every page hears of it
    assert len(shown) == 1 and shown[0].ops is window.ops
