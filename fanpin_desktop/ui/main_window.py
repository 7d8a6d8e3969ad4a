"""The main window: sidebar navigation, the pages, the 数据 and 帮助 menus, the status bar."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import qtawesome as qta
from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop import APP_NAME, APP_TITLE, __version__
from fanpin_desktop.context import AppContext
from fanpin_desktop.security import protection
from fanpin_desktop.services import backup as backups
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services.accounts import can
from fanpin_desktop.ui.common import ask_yes_no
from fanpin_desktop.ui.errors import open_path, show_error
from fanpin_desktop.ui.geometry import fit_main_window, restore_splitters, save_splitters
from fanpin_desktop.ui.mask_ids import MASK_LABEL, add_mask_action, mask_setting
from fanpin_desktop.ui.operations import Changes, Operations
from fanpin_desktop.ui.operations import data as data_ops
from fanpin_desktop.ui.pages.base import Page
from fanpin_desktop.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

ORGANISATION = "FanpinDesktop"
SIDEBAR_WIDTH = 168


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    icon: str
    factory: Callable[[AppContext, Operations], QWidget]
    #: a number shown beside the title (``title (n)`` when n > 0), e.g. the 待办 total
    count: Callable[[Operations], int] | None = None
    #: the kinds of change (``Changes`` field names) after which the count is read again
    count_shows: tuple[str, ...] = ()


def _home_page(ctx: AppContext, ops: Operations) -> QWidget:
    from fanpin_desktop.ui.pages.home import HomePage

    return HomePage(ops)


def _registry_page(ctx: AppContext, ops: Operations) -> QWidget:
    from fanpin_desktop.ui.pages.registry import RegistryPage

    return RegistryPage(ops)


def _cases_page(ctx: AppContext, ops: Operations) -> QWidget:
    from fanpin_desktop.ui.pages.cases import CasesPage

    return CasesPage(ops, exports_dir=ctx.paths.exports)


def _cases_count(ops: Operations) -> int:
    from fanpin_desktop.ui.pages.cases import sidebar_count

    return sidebar_count(ops)


def _warnings_page(ctx: AppContext, ops: Operations) -> QWidget:
    from fanpin_desktop.ui.pages.warnings import WarningsPage

    return WarningsPage(ops, exports_dir=ctx.paths.exports)


def _warnings_count(ops: Operations) -> int:
    from fanpin_desktop.ui.pages.warnings import sidebar_count

    return sidebar_count(ops)


def _screening_page(ctx: AppContext, ops: Operations) -> QWidget:
    from fanpin_desktop.ui.pages.screening import ScreeningPage

    return ScreeningPage(ops, ctx.paths.exports)


def _ledger_page(ctx: AppContext, ops: Operations) -> QWidget:
    from fanpin_desktop.ui.pages.ledger import LedgerPage

    return LedgerPage(ops, ctx.paths.exports)


def _quality_page(ctx: AppContext, ops: Operations) -> QWidget:
    from fanpin_desktop.ui.pages.quality import QualityPage

    return QualityPage(ops, ctx.paths.exports)


def _settings_page(ctx: AppContext, ops: Operations) -> QWidget:
    from fanpin_desktop.ui.pages.accounts_panel import AccountsPanel
    from fanpin_desktop.ui.pages.settings import SettingsPage

    page = SettingsPage(ops)
    page.tabs.addTab(AccountsPanel(ctx), qta.icon("fa5s.user-shield"), "账户与加密")
    return page


# Only pages that work are listed; later features add theirs here.
PAGES: list[PageSpec] = [
    PageSpec("home", "工作台", "fa5s.chart-pie", _home_page),
    PageSpec("registry", "户籍台账", "fa5s.address-book", _registry_page),
    PageSpec(
        "cases",
        "监测对象",
        "fa5s.user-shield",
        _cases_page,
        count=_cases_count,
        count_shows=("cases", "households", "settings"),
    ),
    PageSpec(
        "warnings",
        "部门预警",
        "fa5s.bell",
        _warnings_page,
        count=_warnings_count,
        count_shows=("cases", "households"),
    ),
    PageSpec("screening", "集中排查", "fa5s.clipboard-check", _screening_page),
    PageSpec("ledger", "整改台账", "fa5s.tasks", _ledger_page),
    PageSpec("quality", "数据核查", "fa5s.check-double", _quality_page),
    PageSpec("settings", "系统设置", "fa5s.cog", _settings_page),
]


class _PageAccess(Mapping[str, QWidget]):
    """``window.pages[key]``: the page, built on first access."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window

    def __getitem__(self, key: str) -> QWidget:
        return self._window.page(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._window._specs)

    def __len__(self) -> int:
        return len(self._window._specs)


def app_settings() -> QSettings:
    return QSettings(ORGANISATION, APP_NAME)


class MainWindow(QMainWindow):
    def __init__(
        self,
        ctx: AppContext,
        runner: TaskRunner | None = None,
        qsettings: QSettings | None = None,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.runner = runner or TaskRunner(self)
        if self.runner.parent() is None:
            self.runner.setParent(self)
        # every database access of the window's pages and dialogs; its change notices reach every page
        self.ops = data_ops.window_operations(ctx, self.runner, self)
        self.ops.changed.connect(self._on_changes)
        self.qsettings = qsettings or app_settings()
        self._first_shown = False  # the setup wizard is offered once the window is on screen
        self.setWindowIcon(qta.icon("fa5s.home", color="#1a73e8"))
        self.setMinimumSize(960, 600)

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setIconSize(QSize(18, 18))
        self.sidebar.setFrameShape(QListWidget.Shape.NoFrame)
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sidebar.setStyleSheet(
            "#sidebar { background: #f1f3f4; outline: 0; }"
            "#sidebar::item { padding: 10px 12px; color: #202124; border: none; }"
            "#sidebar::item:selected { background: #d2e3fc; color: #174ea6; border-left: 3px solid #1a73e8; }"
            "#sidebar::item:hover:!selected { background: #e8eaed; }"
        )
        brand = QLabel(f"{APP_TITLE[:5]}\n{APP_TITLE[5:]}")
        brand.setObjectName("brand")
        brand.setStyleSheet(
            "#brand { color: #174ea6; font-weight: bold; font-size: 12pt; padding: 14px 12px 10px 14px; }"
        )
        side = QWidget()
        side.setObjectName("side")
        side.setFixedWidth(SIDEBAR_WIDTH)
        side.setStyleSheet("#side { background: #f1f3f4; border-right: 1px solid #dadce0; }")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 1, 0)
        side_layout.setSpacing(0)
        side_layout.addWidget(brand)
        side_layout.addWidget(self.sidebar, 1)
        self.stack = QStackedWidget()
        # Pages are built the first time they are shown: start-up pays only for the first page.
        self._specs = {spec.key: spec for spec in PAGES}
        self.failed_pages: list[str] = []  # pages replaced by the failure notice (the smoke test reads it)
        self._built: dict[str, QWidget] = {}
        self.pages = _PageAccess(self)
        for spec in PAGES:
            self.stack.addWidget(QWidget())  # stand-in until the page is first shown
            item = QListWidgetItem(qta.icon(spec.icon, color="#3c4043", color_active="#174ea6"), spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.sidebar.addItem(item)
        self.sidebar.currentRowChanged.connect(self._switch_page)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(side)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self._build_status_bar()
        self._restore_geometry()
        self.refresh_status()
        self.refresh_counts()
        for note in ctx.warnings:
            self.statusBar().showMessage(note, 15000)

    # ------------------------------------------------------------------ construction

    def page(self, key: str) -> QWidget:
        """The page for ``key``, built (and wired to the window) on first use."""
        built = self._built.get(key)
        if built is not None:
            return built
        spec = self._specs[key]
        page = self._make_page(spec)
        restore_splitters(page, self.qsettings, f"pages/{key}/splitter")
        self._built[key] = page
        row = list(self._specs).index(key)
        stand_in = self.stack.widget(row)
        current = self.stack.currentIndex()
        self.stack.insertWidget(row, page)
        self.stack.removeWidget(stand_in)
        stand_in.deleteLater()
        self.stack.setCurrentIndex(current)
        return page

    def _make_page(self, spec: PageSpec) -> QWidget:
        """A page that fails to build is replaced by a notice: backup and restore must stay usable."""
        try:
            return spec.factory(self.ctx, self.ops)
        except Exception:  # noqa: BLE001
            log.exception("page %s could not be built", spec.key)
            self.failed_pages.append(spec.key)
            notice = QLabel(f"“{spec.title}”页面加载失败，错误已记录在日志中（菜单“帮助—打开日志”）。")
            notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
            notice.setWordWrap(True)
            return notice

    def _action(
        self,
        text: str,
        icon: str | None,
        slot: Callable[[], object],
        shortcut: QKeySequence | str | None = None,
    ) -> QAction:
        action = QAction(qta.icon(icon) if icon else QIcon(), text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        data = bar.addMenu("数据(&D)")
        self.backup_action = self._action("备份数据库…", "fa5s.save", self.backup_now, "Ctrl+B")
        self.restore_action = self._action("从备份恢复…", "fa5s.undo", self.restore_from_backup)
        self.open_data_action = self._action(
            "打开数据目录", "fa5s.folder-open", lambda: open_path(self.ctx.paths.root)
        )
        self.quit_action = self._action(
            "退出", "fa5s.sign-out-alt", self.close, QKeySequence.StandardKey.Quit
        )
        self.import_action = self._action(
            "导入户籍名册（Excel/CSV）…", "fa5s.file-import", self.import_roster, "Ctrl+I"
        )
        self.export_roster_action = self._action(
            "导出户籍名册（国家系统格式）…", "fa5s.file-export", self.export_roster
        )
        self.national_action = self._action("全国系统数据交换…", "fa5s.exchange-alt", self.national_exchange)
        data.addAction(self.import_action)
        data.addAction(self.export_roster_action)
        self.mask_roster_action = add_mask_action(data, self.ops, f"导出户籍名册时{MASK_LABEL}")
        data.aboutToShow.connect(lambda: self.mask_roster_action.setChecked(mask_setting(self.ops)))
        data.addAction(self.national_action)
        data.addSeparator()
        data.addAction(self.backup_action)
        data.addAction(self.restore_action)
        data.addSeparator()
        data.addAction(self.open_data_action)
        data.addSeparator()
        data.addAction(self.quit_action)

        help_menu = bar.addMenu("帮助(&H)")
        self.help_action = self._action("使用说明", "fa5s.book", self.show_help, "F1")
        self.help_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.setup_wizard_action = self._action("设置向导…", "fa5s.magic", self.open_setup_wizard)
        self.about_action = self._action("关于", "fa5s.info-circle", self.show_about)
        self.open_log_action = self._action("打开日志", "fa5s.file-alt", self.open_log)
        help_menu.addAction(self.help_action)
        help_menu.addAction(self.setup_wizard_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)
        help_menu.addAction(self.open_log_action)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.township_label = QLabel()
        self.households_label = QLabel()
        self.database_label = QLabel()
        self.database_label.setStyleSheet("color: #5f6368;")
        for label in (self.township_label, self.households_label):
            label.setContentsMargins(8, 0, 8, 0)
        self.account_label = QLabel()
        self.account_label.setContentsMargins(8, 0, 8, 0)
        bar.addPermanentWidget(self.account_label)
        bar.addPermanentWidget(self.township_label)
        bar.addPermanentWidget(self.households_label)
        bar.addPermanentWidget(self.database_label)

    # ------------------------------------------------------------------ state shown

    def refresh_status(self) -> None:
        """Title and status bar from the database (after start, changes, page switches)."""
        try:
            settings = self.ops.read(settings_service.load)
            households = self.ops.read(backups.counts)["households"]
        except Exception as exc:  # noqa: BLE001 - the window must stay usable (backup, restore)
            show_error(exc, self)
            return
        township = settings.township or "未设置乡镇"
        demo = "（演示数据）" if self.ctx.demo else ""
        self.setWindowTitle(
            f"{APP_TITLE} — {township}{demo}{'（只读）' if self.ctx.read_only or self.ctx.role == '查看' else ''}"
        )
        place = (
            f"{settings.county}{settings.township}"
            if settings.township
            else "未设置乡镇（请在“系统设置”中填写）"
        )
        self.township_label.setText(f"乡镇：{place}{demo}")
        self.households_label.setText(f"户数：{households:,}")
        from fanpin_desktop.ui.operations.accounts import encrypted as is_encrypted
        from fanpin_desktop.ui.operations.accounts import logged_in_name

        encrypted = "已加密" if is_encrypted(self.ctx) else "未加密"
        self.account_label.setText(
            f"当前账户：{logged_in_name(self.ctx)}（{self.ctx.role}）" if self.ctx.role else ""
        )
        self.database_label.setText(f"数据库（{encrypted}）：{self.ctx.paths.database}")
        note = protection.status_note(self.ctx)
        self.database_label.setToolTip(
            f"{self.ctx.paths.database}\n{note}" if note else str(self.ctx.paths.database)
        )

    def current_page_key(self) -> str:
        item = self.sidebar.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else ""

    def show_page(self, key: str) -> None:
        for row in range(self.sidebar.count()):
            if self.sidebar.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.sidebar.setCurrentRow(row)
                return
        raise KeyError(key)

    def _on_changes(self, changes: Changes, origin: object | None) -> None:
        """One operation's notice, handed to every built page; each decides what to reload."""
        for page in list(self._built.values()):
            if isinstance(page, Page):
                page.on_changes(changes, origin)
        if changes.touches("households", "settings"):
            self.refresh_status()
        self.refresh_counts(changes)

    def refresh_counts(self, changes: Changes | None = None) -> None:
        """The sidebar's counts (``PageSpec.count``), read again when what they count changed."""
        for row in range(self.sidebar.count()):
            item = self.sidebar.item(row)
            spec = self._specs[item.data(Qt.ItemDataRole.UserRole)]
            if spec.count is None or (changes is not None and not changes.touches(*spec.count_shows)):
                continue
            try:
                n = spec.count(self.ops)
            except Exception:  # noqa: BLE001 - a count is decoration; the window stays usable
                log.exception("sidebar count of %s failed", spec.key)
                n = 0
            item.setText(f"{spec.title} ({n})" if n else spec.title)

    def _switch_page(self, row: int) -> None:
        if row < 0:
            return
        key = self.sidebar.item(row).data(Qt.ItemDataRole.UserRole)
        page = self.page(key)
        self.stack.setCurrentIndex(row)
        if isinstance(page, Page):
            page.refresh_if_stale()
        self.refresh_status()
        self.refresh_counts()  # what is due also changes with the date

    def refresh_pages(self) -> None:
        """Every page reloads (the database was replaced)."""
        self.ops.announce(Changes.everything())

    # ------------------------------------------------------------------ messages (tests replace these)

    def inform(self, title: str, text: str) -> None:
        QMessageBox.information(self, title, text)

    def confirm(self, title: str, text: str) -> bool:
        return ask_yes_no(self, title, text)

    def choose_backup(self) -> Path | None:
        from fanpin_desktop.ui.dialogs.backup_dialog import BackupDialog

        dialog = BackupDialog(self.ctx.paths, self)
        if dialog.exec() != BackupDialog.DialogCode.Accepted:
            return None
        return dialog.selected_file()

    # ------------------------------------------------------------------ actions

    def allowed(self, action: str, what: str) -> bool:
        """Whether the logged-in account may ``action`` (accounts, issue 14); tells the clerk if not."""
        if can(self.ctx.role, action):
            return True
        self.inform("无权操作", f"当前账户（{self.ctx.role}）无权{what}，请用有权限的账户登录。")
        return False

    def on_accounts_changed(self) -> None:
        """The first administrator was made (the database is now encrypted) or the login changed."""
        self.ops.role = self.ctx.role
        self.refresh_status()
        if self.ctx.role is not None and getattr(self, "idle_lock", None) is None:
            from fanpin_desktop.ui.app import start_idle_lock

            self.idle_lock = start_idle_lock(self.ctx, self)

    def after_recovery_login(self) -> None:
        """Opened with the recovery code: straight to the accounts, to set a forgotten password."""
        self.show_page("settings")
        page = self.page("settings")
        tabs = getattr(page, "tabs", None)
        if tabs is not None:
            tabs.setCurrentIndex(tabs.count() - 1)
        self.inform(
            "已用恢复码打开",
            "已用恢复码打开数据库（具有管理员权限）。请在“账户与加密”中选中忘记密码的账户，点“修改密码…”设置新密码。",
        )

    def import_roster(self) -> None:
        """The import wizard (its write announces the changed households to every page)."""
        from fanpin_desktop.ui.dialogs.import_wizard import ImportWizard

        if not self.allowed("import", "导入数据"):
            return
        wizard = ImportWizard(self.ops, self)
        wizard.exec()

    def choose_roster_target(self) -> Path | None:
        default = self.ctx.paths.exports / f"户籍名册-{dt.date.today():%Y%m%d}.xlsx"
        name, _filter = QFileDialog.getSaveFileName(
            self, "导出户籍名册", str(default), "Excel 工作簿 (*.xlsx)"
        )
        if not name:
            return None
        return Path(name).with_suffix(".xlsx")

    def export_roster(self, target: Path | None = None) -> None:
        if not self.allowed("export", "导出数据"):
            return
        target = target or self.choose_roster_target()
        if target is None:
            return

        masked = mask_setting(self.ops)

        def done(count: int) -> None:
            note = "（身份证号已隐藏中间位，此文件不能再导入本程序）" if masked else ""
            self.statusBar().showMessage(f"已导出 {count} 人到 {target}", 10000)
            self.inform("导出完成", f"已按国家系统导出格式写出 {count} 名家庭成员{note}：\n{target}")

        data_ops.export_roster(self.ops, target, mask_ids=masked, parent=self, success=done)

    def national_exchange(self) -> None:
        """全国系统数据交换: the batch lists for the national system and their history."""
        from fanpin_desktop.ui.dialogs.national_dialog import NationalDialog

        if not self.allowed("export", "导出国家系统文件"):
            return
        dialog = NationalDialog(self.ops, self.ctx.paths.exports, self)
        dialog.exec()
        dialog.deleteLater()

    def backup_now(self) -> None:
        paths = self.ctx.paths

        def done(made: Path) -> None:
            self.statusBar().showMessage(f"已备份到 {made}", 10000)
            self.inform("备份完成", f"数据库已备份到：\n{made}\n\n备份文件夹：{paths.backups}")

        data_ops.backup(self.ops, paths, parent=self, success=done)

    def restore_from_backup(self) -> None:
        chosen = self.choose_backup()
        if chosen is None:
            return
        if not self.confirm(
            "确认恢复",
            f"将用备份“{chosen.name}”替换当前数据库。\n\n当前数据库会先另存到备份文件夹，"
            "恢复后在此之后录入的数据将不在当前数据库中。\n\n确定要恢复吗？",
        ):
            return
        self.restore_file(chosen)

    def restore_file(self, file: Path) -> None:
        if not can(self.ctx.role, "restore"):  # accounts (issue 14): only a 管理员 restores
            self.inform("不能恢复", f"当前账户（{self.ctx.role}）无权恢复备份，请用管理员账户登录。")
            return

        def done(result: backups.RestoreResult) -> None:
            log.info("restored from %s", result.restored_from.name)
            kept = f"\n\n原数据库已另存为：\n{result.replaced_copy}" if result.replaced_copy else ""
            self.inform("恢复完成", f"已从“{result.restored_from.name}”恢复数据库。{kept}")

        # the database was replaced: every page reloads (the notice comes before ``done``)
        data_ops.restore(self.ops, self.ctx.paths, file, parent=self, success=done)

    def show_help(self, anchor: str | None = None) -> QWidget:
        """使用说明 (F1): the bundled guide, at the section of the page on screen."""
        from fanpin_desktop.ui.dialogs.help_dialog import HelpDialog, anchor_for_page

        dialog = getattr(self, "help_dialog", None)
        if dialog is None:
            dialog = self.help_dialog = HelpDialog(self)
        dialog.show_section(anchor or anchor_for_page(self.current_page_key()))
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def open_setup_wizard(self) -> QWidget:
        """设置向导 (帮助 menu, the registry's empty page, and at start on an empty database)."""
        from fanpin_desktop.ui.dialogs.setup_wizard import SetupWizard

        wizard = SetupWizard(self.ctx, self.ops, self, window=self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setup_wizard = wizard
        wizard.open()  # window-modal, without a nested event loop
        return wizard

    def maybe_show_setup_wizard(self) -> bool:
        """On start: the wizard over an empty, writable, non-demo database."""
        from fanpin_desktop.ui.dialogs.setup_wizard import should_show_on_start

        try:
            show = should_show_on_start(self.ctx, self.ops)
        except Exception:  # noqa: BLE001 - a guide must never stop the program from starting
            log.exception("could not tell whether the database is empty")
            return False
        if show:
            self.open_setup_wizard()
        return show

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API name
        super().showEvent(event)
        if not self._first_shown:
            self._first_shown = True
            QTimer.singleShot(0, self.maybe_show_setup_wizard)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "关于",
            f"<h3>{APP_TITLE}</h3><p>版本 {__version__}</p>"
            "<p>用于乡镇防止返贫动态监测和帮扶工作的台账、排查、监测与报表。</p>"
            f"<p>数据目录：{self.ctx.paths.root}</p>",
        )

    def open_log(self) -> None:
        log_file = self.ctx.log_file or self.ctx.paths.log_file
        if not log_file.exists():
            self.inform("打开日志", f"日志文件还不存在：\n{log_file}")
            return
        open_path(log_file)

    # ------------------------------------------------------------------ geometry

    def _restore_geometry(self) -> None:
        geometry = self.qsettings.value("main_window/geometry")
        restored = (
            isinstance(geometry, QByteArray) and not geometry.isEmpty() and self.restoreGeometry(geometry)
        )
        fit_main_window(self, QSize(1280, 800), restored)  # never larger than the screen
        page = self.qsettings.value("main_window/page", PAGES[0].key)
        try:
            self.show_page(str(page))
        except KeyError:
            self.sidebar.setCurrentRow(0)
        if self.sidebar.currentRow() < 0:
            self.sidebar.setCurrentRow(0)

    def save_geometry(self) -> None:
        self.qsettings.setValue("main_window/geometry", self.saveGeometry())
        self.qsettings.setValue("main_window/page", self.current_page_key())
        for key, page in self._built.items():
            save_splitters(page, self.qsettings, f"pages/{key}/splitter")
        self.qsettings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API name
        self.save_geometry()
        self.runner.shutdown(wait=True)
        super().closeEvent(event)
