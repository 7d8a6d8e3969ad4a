"""``fanpin-desktop`` / ``python -m fanpin_desktop``: start the window (or run the smoke test).

Start-up (migration, daily backup, building the demo township) runs on the task runner, so a
progress dialog can appear while the event loop keeps the program responsive; the main window is
created when it is done.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from fanpin_desktop import APP_NAME, APP_TITLE, __version__

log = logging.getLogger(__name__)

# CJK-capable UI fonts, best first: Windows, then Linux.
PREFERRED_FONTS = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "SimSun",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
)
SMOKE_HOUSEHOLDS = 300


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fanpin-desktop", description=APP_TITLE)
    parser.add_argument("--data-dir", metavar="DIR", help="数据目录（默认为本机用户数据目录或便携目录）")
    parser.add_argument("--demo", action="store_true", help="打开演示乡镇（使用单独的数据目录）")
    parser.add_argument("--households", type=int, default=None, metavar="N", help="演示乡镇的户数")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="在临时目录中启动、渲染主窗口、检索一次后退出（用于检查安装包）",
    )
    # Qt's own options (-style, -platform …) are passed through untouched.
    args, _unknown = parser.parse_known_args(argv)
    return args


def _emit(text: str) -> None:
    """Print if there is a console (a windowed Windows build has none: output goes nowhere)."""
    stream = sys.stdout
    if stream is None:
        return
    try:
        print(text, file=stream, flush=True)
    except (OSError, UnicodeEncodeError):
        try:
            stream.buffer.write((text + "\n").encode("utf-8", "replace"))  # type: ignore[union-attr]
            stream.flush()
        except Exception:  # noqa: BLE001 - nowhere left to report to
            pass


def _windows_app_id() -> None:
    """Own taskbar entry and icon on Windows instead of python.exe's."""
    if sys.platform != "win32":
        return
    try:
        import ctypes

        ctypes.windll.shell32.SetCurrentProcessExplicitAppUserModelID(f"{APP_NAME}.{__version__}")
    except Exception:  # noqa: BLE001 - cosmetic only
        pass


def setup_fonts(app) -> str | None:  # type: ignore[no-untyped-def]
    """Load bundled fonts (``resources/fonts``) and pick a CJK-capable UI font."""
    from PySide6.QtGui import QFontDatabase

    from fanpin_desktop.paths import resource

    fonts_dir = resource("fonts")
    if fonts_dir.is_dir():
        for f in sorted(fonts_dir.iterdir()):
            if f.suffix.lower() in (".ttf", ".otf", ".ttc"):
                QFontDatabase.addApplicationFont(str(f))
    families = set(QFontDatabase.families())
    for name in PREFERRED_FONTS:
        if name in families:
            font = app.font()
            font.setFamily(name)
            if font.pointSizeF() < 10:
                font.setPointSizeF(10)
            app.setFont(font)
            return name
    return None


def install_qt_translations(app) -> bool:  # type: ignore[no-untyped-def]
    """Qt's own texts (Yes/No, Show Details…, calendar names) in Chinese, whatever the PC's locale."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_zh_CN", folder):
        app.installTranslator(translator)
        app._fanpin_translator = translator  # keep it alive as long as the application
        return True
    log.warning("Qt translations not found in %s", folder)
    return False


def make_application(argv: Sequence[str] | None = None):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from fanpin_desktop.paths import resource
    from fanpin_desktop.ui.main_window import ORGANISATION

    app = QApplication.instance()
    if app is None:
        _windows_app_id()
        app = QApplication([sys.argv[0] if sys.argv else APP_NAME, *(argv or [])])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    icon = resource("icons", "fanpin.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    if getattr(app, "_fanpin_translator", None) is None:
        install_qt_translations(app)
    setup_fonts(app)
    return app


# --------------------------------------------------------------------------- normal start


def ask_read_only(busy: BaseException, parent=None) -> bool:  # type: ignore[no-untyped-def]
    """The data folder is held by another window or command: open read-only (True) or quit."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(APP_TITLE)
    box.setText(f"{str(busy).split('。')[0]}。")
    box.setInformativeText(
        "以只读方式打开：可以查看、查询和打印，但不能保存任何修改。\n退出：等另一个窗口关闭后再打开。"
    )
    read_only = box.addButton("以只读方式打开", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is read_only


def unlock_folder(paths, parent=None):  # type: ignore[no-untyped-def]
    """An encrypted data folder: the login dialog before the database is opened (the password, or
    the recovery code, unlocks the data key). ``None`` for a plain folder; False: 退出."""
    from fanpin_desktop.security import protection
    from fanpin_desktop.ui.dialogs.login_dialog import LoginDialog
    from fanpin_desktop.ui.operations import accounts as account_ops

    if not protection.is_protected(paths):
        return None
    dialog = LoginDialog(
        account_ops.unlock_check(paths),
        parent,
        recover=account_ops.recovery_check(paths),
        note=f"数据库已加密。请登录（数据目录：{paths.root}）。",
    )
    if not dialog.exec() or dialog.account is None:
        return False
    return dialog.account


def log_in(ctx, parent=None, unlocked=None) -> bool:  # type: ignore[no-untyped-def]
    """The login when the database has accounts; the account's name goes into the audit trail
    and its role onto the window's operations. ``unlocked``: what ``unlock_folder`` gave (the
    password is not asked twice). False: the clerk chose 退出."""
    from fanpin_desktop.ui.dialogs.login_dialog import LoginDialog
    from fanpin_desktop.ui.operations import accounts as account_ops

    if unlocked is not None:
        account_ops.log_in_unlocked(ctx, unlocked)  # UserError (disabled account) ends the start
        log.info("logged in as %s (%s)", account_ops.logged_in_name(ctx), ctx.role)
        return True
    if not account_ops.accounts_in_use(ctx):
        return True
    dialog = LoginDialog(account_ops.account_check(ctx), parent)
    if not dialog.exec() or dialog.account is None:
        return False
    account_ops.logged_in(ctx, dialog.account)
    log.info("logged in as %s (%s)", dialog.account.name, dialog.account.role)
    if (
        not account_ops.encrypted(ctx)
        and ctx.role == account_ops.accounts.ADMIN
        and not ctx.read_only
        and not ctx.demo
    ):
        _upgrade_to_encrypted(ctx, dialog.account.name, dialog.password_edit.text())
    return True


def _upgrade_to_encrypted(ctx, name: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Accounts made before encryption existed: the administrator's login converts the folder
    (the upgrade), and the recovery code is shown this once."""
    from fanpin_desktop.ui.dialogs.first_admin import RecoveryCodeDialog
    from fanpin_desktop.ui.operations import accounts as account_ops

    code = account_ops.enable_protection(ctx, name, password)
    RecoveryCodeDialog(code).exec()


def start_idle_lock(ctx, window):  # type: ignore[no-untyped-def]
    """After ``idle_lock_minutes`` without key or mouse, ask the logged-in account's password again
    (modal over the window; open dialogs and their input stay underneath). None without accounts."""
    from PySide6.QtWidgets import QApplication

    from fanpin_desktop.ui.dialogs.login_dialog import IdleLock, LoginDialog
    from fanpin_desktop.ui.operations import accounts as account_ops

    if ctx.role is None:
        return None
    minutes = account_ops.idle_minutes(ctx)
    if minutes <= 0:
        return None

    def lock() -> None:
        dialog = LoginDialog(
            account_ops.account_check(ctx), window, fixed_name=account_ops.logged_in_name(ctx)
        )
        if not dialog.exec():
            window.close()

    idle = IdleLock(minutes, lock, window)
    QApplication.instance().installEventFilter(idle)
    return idle


def run_window(args: argparse.Namespace) -> int:
    from fanpin_desktop.context import DEFAULT_DEMO_HOUSEHOLDS, WINDOW_PROGRAM, AppContext, open_app
    from fanpin_desktop.folder_lock import FolderBusy
    from fanpin_desktop.logging_setup import install_qt_message_handler, shutdown_logging
    from fanpin_desktop.ui import errors
    from fanpin_desktop.ui.main_window import MainWindow
    from fanpin_desktop.ui.tasks import TaskRunner

    app = make_application()
    install_qt_message_handler()
    errors.install_excepthook()
    app.setQuitOnLastWindowClosed(False)  # the start-up progress dialog is not the last window
    runner = TaskRunner()
    holder: dict[str, object] = {}

    from fanpin_desktop.context import demo_data_paths
    from fanpin_desktop.paths import resolve_data_paths

    paths = demo_data_paths(args.data_dir) if args.demo else resolve_data_paths(args.data_dir)
    unlocked = None if args.demo else unlock_folder(paths)
    if unlocked is False:
        return 0

    def start(control, read_only: bool = False) -> AppContext | FolderBusy:  # type: ignore[no-untyped-def]
        try:
            return open_app(
                args.data_dir,
                demo=args.demo,
                demo_households=args.households or DEFAULT_DEMO_HOUSEHOLDS,
                configure_logging=True,
                progress=control,
                lock=WINDOW_PROGRAM,
                read_only=read_only,
                data_key=unlocked.key if unlocked else None,
            )
        except FolderBusy as busy:  # another window or command holds the folder: ask (GUI thread)
            return busy

    def started(ctx: AppContext | FolderBusy) -> None:
        if isinstance(ctx, FolderBusy):
            if ask_read_only(ctx):
                runner.run(
                    lambda control: start(control, read_only=True),
                    on_done=started,
                    on_error=failed,
                    label="正在以只读方式打开…",
                    cancellable=False,
                )
            else:
                app.exit(0)
            return
        log.info("%s %s started, data in %s", APP_TITLE, __version__, ctx.paths.root)
        try:
            entered = log_in(ctx, unlocked=unlocked)  # accounts (issue 14): only with accounts
        except Exception as exc:  # noqa: BLE001 - e.g. a disabled account: told, then the program ends
            ctx.close()
            failed(exc)
            return
        if not entered:
            ctx.close()
            app.exit(0)
            return
        window = MainWindow(ctx, runner)
        holder["ctx"], holder["window"] = ctx, window
        window.idle_lock = start_idle_lock(ctx, window)
        window.show()
        app.setQuitOnLastWindowClosed(True)
        if unlocked is not None and unlocked.credentials.recovery:
            window.after_recovery_login()

    def failed(exc: BaseException) -> None:
        errors.show_error(exc)
        app.exit(1)

    label = "正在生成演示乡镇数据…" if args.demo else "正在打开数据库…"
    runner.run(start, on_done=started, on_error=failed, label=label, cancellable=args.demo)
    try:
        code = app.exec()
    finally:
        runner.shutdown(wait=True)
        ctx = holder.get("ctx")
        if ctx is not None:
            ctx.close()  # type: ignore[attr-defined]
        log.info("exit")
        shutdown_logging()
    return int(code)


# --------------------------------------------------------------------------- smoke test


def _search_text(ops) -> str:  # type: ignore[no-untyped-def]
    """A surname that exists in the demo township, to search for."""
    from fanpin_desktop.services.households import first_member_name

    name = ops.read(first_member_name)
    return (name or "张")[:1]


def _search_page(page, text: str) -> int:  # type: ignore[no-untyped-def]
    """Type into the registry page's search box and run its search; returns the rows shown."""
    page.search.setText(text)
    page.run_search()
    return int(page.model.rowCount())


SMOKE_DIALOG_TIMEOUT_MS = 60_000


def _close_modal_dialogs(app, hung: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Watchdog: a modal dialog in a headless run would wait forever; close it and fail."""
    while (dialog := app.activeModalWidget()) is not None:
        hung.append(dialog.windowTitle() or type(dialog).__name__)
        dialog.close()
        if app.activeModalWidget() is dialog:  # refuses to close
            break


def smoke_test(args: argparse.Namespace) -> int:
    """Temporary data directory, small demo township, window rendered, one search, exit 0.

    Runs without a user: error dialogs are collected instead of shown, and a watchdog closes any
    other modal dialog (and fails the test) so a frozen build can never hang here.
    """
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="fanpin-smoke-"))
    opened: list = []  # the AppContext, once open, so it is closed whatever happens
    try:
        from PySide6.QtCore import QSettings, Qt, QTimer

        from fanpin_desktop.context import WINDOW_PROGRAM, open_app
        from fanpin_desktop.services.households import HouseholdQuery, search_household_ids
        from fanpin_desktop.ui import errors
        from fanpin_desktop.ui.main_window import MainWindow
        from fanpin_desktop.ui.tasks import TaskRunner

        app = make_application()
        hung: list[str] = []
        watchdog = QTimer()
        watchdog.setInterval(SMOKE_DIALOG_TIMEOUT_MS)
        watchdog.timeout.connect(lambda: _close_modal_dialogs(app, hung))
        watchdog.start()
        households = args.households or SMOKE_HOUSEHOLDS
        with errors.collecting() as seen:
            ctx = open_app(
                tmp / "data",
                demo=True,
                demo_households=households,
                configure_logging=True,
                auto_backup=False,
                lock=WINDOW_PROGRAM,
            )
            opened.append(ctx)
            qsettings = QSettings(str(tmp / "qsettings.ini"), QSettings.Format.IniFormat)
            window = MainWindow(ctx, TaskRunner(synchronous=True), qsettings=qsettings)
            window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            window.resize(1280, 800)
            window.show()
            app.processEvents()
            image = window.grab()
            for key in window.pages:  # every page builds (a frozen build missing a module shows here)
                window.show_page(key)
                app.processEvents()
            window.show_page("registry")
            text = _search_text(window.ops)
            found = window.ops.read(search_household_ids, HouseholdQuery(text=text))
            page_rows = _search_page(window.pages["registry"], text)
            app.processEvents()
            window.close()
            from fanpin_desktop.security.protection import self_test

            encryption = self_test(tmp / "cipher")
        watchdog.stop()
        if hung:
            raise RuntimeError(f"a dialog blocked the smoke test: {hung}")
        if seen:
            raise RuntimeError(f"errors were reported while running: {[repr(e) for e in seen]}")
        if window.failed_pages:
            raise RuntimeError(f"pages failed to build: {window.failed_pages}")
        if image.isNull() or image.width() < 100:
            raise RuntimeError("main window did not render")
        if not found:
            raise RuntimeError(f"search for {text!r} found nothing")
        if page_rows != len(found):
            raise RuntimeError(f"registry page shows {page_rows} rows, the service found {len(found)}")
        _emit(
            f"smoke test ok: {households} households, search '{text}' -> {len(found)} households "
            f"(page shows {page_rows}), window {image.width()}x{image.height()}, {encryption}, "
            f"{time.monotonic() - started:.1f}s"
        )
        return 0
    except Exception:  # noqa: BLE001 - report and fail with a non-zero exit code
        log.exception("smoke test failed")
        _emit("smoke test FAILED\n" + traceback.format_exc())
        return 1
    finally:
        for ctx in opened:
            ctx.close()
        from fanpin_desktop.logging_setup import shutdown_logging

        shutdown_logging()
        shutil.rmtree(tmp, ignore_errors=True)


def _ensure_std_streams() -> None:
    """A windowed (no console) Windows build has no stdout/stderr; give writers somewhere to go."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # lives until the program exits


def main(argv: Sequence[str] | None = None) -> int:
    _ensure_std_streams()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.households is not None and args.households < 1:
        _emit("错误：--households 必须大于 0")
        return 1
    if args.smoke_test:
        return smoke_test(args)
    return run_window(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
