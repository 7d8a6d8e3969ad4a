"""设置向导: the village list parser, the wizard's steps on an empty database, and the main window
offering it on an empty (non-demo) database only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWizard

from fanpin_desktop.context import open_app
from fanpin_desktop.services import regions, thresholds
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.ui.dialogs.setup_wizard import (
    AdminPage,
    SetupWizard,
    parse_village_list,
    preview_html,
)
from fanpin_desktop.ui.main_window import MainWindow
from fanpin_desktop.ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

# --------------------------------------------------------------------------- parsing


def test_parse_colon_lists_and_bare_names():
    parsed = parse_village_list("东坡村：一组、二组、三组\n\n西河村:四组，五组\n桃园社区\n")
    assert parsed.villages == [
        ("东坡村", ["一组", "二组", "三组"]),
        ("西河村", ["四组", "五组"]),
        ("桃园社区", []),
    ]
    assert parsed.problems == []
    assert parsed.group_count == 5


def test_parse_refuses_punctuation_for_names():
    parsed = parse_village_list("东坡村：：：\n：：、一组\n西河村：一组、——")
    assert parsed.villages == [("东坡村", []), ("西河村", ["一组"])]
    assert parsed.problems == [
        "第1行：“：：”不是村民小组的名称（只有标点符号），已略过",
        "第2行：没有村名",
        "第3行：“——”不是村民小组的名称（只有标点符号），已略过",
    ]


def test_parse_spaces_counts_and_numbers():
    parsed = parse_village_list("东坡村 一组 二组\n西河村：3个组\n南岗村：1、2")
    assert parsed.villages == [
        ("东坡村", ["一组", "二组"]),
        ("西河村", ["一组", "二组", "三组"]),
        ("南岗村", ["一组", "二组"]),
    ]


def test_parse_two_columns_from_excel_with_header_and_merged_cells():
    text = "行政村\t村民小组\n东坡村\t一组\n\t二组\n东坡村\t三组\n西河村\t1\n西河村\t一组\n"
    parsed = parse_village_list(text)
    # the header is skipped, an empty village cell continues the village above, duplicates merge
    assert parsed.villages == [("东坡村", ["一组", "二组", "三组"]), ("西河村", ["一组"])]
    assert parsed.problems == []


def test_parse_reports_lines_it_cannot_read():
    parsed = parse_village_list("\t一组\n123：一组\n" + "长" * 31 + "\n东坡村")
    assert parsed.villages == [("东坡村", [])]
    assert [p.split("：")[0] for p in parsed.problems] == ["第1行", "第2行", "第3行"]


def test_preview_marks_new_and_existing():
    parsed = parse_village_list("东坡村：一组、二组\n西河村")
    html = preview_html(parsed, {"东坡村": {"一组"}})
    assert "共 2 个行政村、2 个村民小组" in html
    assert "已有" in html and "新建" in html
    assert "<b>二组</b>" in html and "<b>一组</b>" not in html


# --------------------------------------------------------------------------- the wizard


@pytest.fixture
def wizard(qtbot, ops):
    w = SetupWizard(None, ops, today=dt.date(2026, 5, 6))
    qtbot.addWidget(w)
    w.messages = []
    w.inform = lambda title, text: w.messages.append((title, text))
    w.imports = []
    w.import_roster = lambda: w.imports.append(True)
    w.show()
    return w


def test_wizard_creates_township_villages_groups_and_threshold(wizard, db, qtbot):
    assert wizard.currentPage() is wizard.township_page  # no ctx: no administrator page
    wizard.township_page.edits["county"].setText("霍邱县")
    wizard.township_page.edits["township"].setText("马店镇")
    wizard.next()
    with db.reading() as s:
        settings = settings_service.load(s)
    assert (settings.county, settings.township) == ("霍邱县", "马店镇")

    assert wizard.currentPage() is wizard.villages_page
    wizard.villages_page.text.setPlainText("东坡村：一组、二组\n西河村\t三组\n西河村\t四组")
    assert "共 2 个行政村、4 个村民小组" in wizard.villages_page.preview.toPlainText()
    wizard.next()
    with db.reading() as s:
        villages = {v.name: [g.name for g in v.groups] for v in regions.list_villages(s)}
    assert villages == {"东坡村": ["一组", "二组"], "西河村": ["三组", "四组"]}

    assert wizard.currentPage() is wizard.import_page
    assert "2 个行政村" in wizard.import_page.state.text()
    wizard.import_page.import_button.click()
    assert wizard.imports == [True]  # the window's import wizard
    wizard.next()

    page = wizard.threshold_page
    assert wizard.currentPage() is page
    assert page.year.value() == 2026 and page.region.text() == "全国"
    page.amount.setText("7,600")
    page.document_no.setText("皖乡振发〔2026〕1号")
    wizard.next()
    with db.reading() as s:
        row = thresholds.threshold_for(s, 2026)
        assert (row.amount, row.document_no) == (Decimal("7600.00"), "皖乡振发〔2026〕1号")

    assert wizard.currentPage() is wizard.campaign_page
    wizard.skip()
    assert wizard.currentPage() is wizard.summary_page
    summary = wizard.summary_page.summary.toPlainText()
    assert "霍邱县马店镇" in summary
    assert "新建行政村 2 个、村民小组 4 个" in summary
    assert "2026 年监测范围" in summary
    assert "2 个行政村、4 个村民小组、0 户" in summary


def test_skipping_saves_nothing_and_refusals_keep_the_step(wizard, db):
    wizard.township_page.edits["township"].setText("马店镇")
    wizard.skip()
    with db.reading() as s:
        assert settings_service.load(s).township == ""
    wizard.villages_page.text.setPlainText("东坡村")
    wizard.skip()
    wizard.skip()  # import
    page = wizard.threshold_page
    page.amount.setText("-5")
    wizard.next()
    assert wizard.currentPage() is page  # refused: stays, says why
    assert "大于 0" in page.message.text()
    with db.reading() as s:
        assert regions.list_villages(s) == []
        assert thresholds.list_rows(s) == []
    page.amount.clear()
    wizard.next()  # nothing typed: nothing to save
    assert wizard.currentPage() is wizard.campaign_page


def test_wizard_runs_again_over_existing_villages(wizard, db):
    with db.unit() as s:
        v = regions.create_village(s, "东坡村")
        regions.create_group(s, v.id, "一组")
    wizard.skip()
    page = wizard.villages_page
    assert "已有 1 个行政村：东坡村" in page.existing_label.text()
    page.text.setPlainText("东坡村：一组、二组")
    wizard.next()
    with db.reading() as s:
        assert [g.name for g in regions.list_villages(s)[0].groups] == ["一组", "二组"]
    assert "新建行政村 0 个、村民小组 1 个" in wizard.done_steps


def test_administrator_page_only_without_accounts(qtbot, tmp_path, monkeypatch):
    ctx = open_app(tmp_path / "data", auto_backup=False)
    try:
        from fanpin_desktop.ui.operations import Operations

        ops = Operations(ctx.db, TaskRunner(synchronous=True))
        wizard = SetupWizard(ctx, ops)
        qtbot.addWidget(wizard)
        assert isinstance(wizard.page(wizard.pageIds()[0]), AdminPage)
        ctx.role = "管理员"  # logged in: accounts exist
        again = SetupWizard(ctx, ops)
        qtbot.addWidget(again)
        assert again.admin_page is None
        assert not isinstance(again.page(again.pageIds()[0]), AdminPage)
    finally:
        ctx.close()


def test_admin_button_creates_the_administrator_and_encrypts(qtbot, tmp_path, monkeypatch):
    from fanpin_desktop.security import cipher_db, keys
    from fanpin_desktop.services import accounts
    from fanpin_desktop.ui.dialogs.first_admin import FirstAdminDialog

    monkeypatch.setattr(keys, "DEFAULT_PARAMS", {"time_cost": 1, "memory_cost": 8 * 1024, "parallelism": 1})
    ctx = open_app(tmp_path / "data", auto_backup=False)
    window = _window(qtbot, ctx, tmp_path)
    try:
        wizard = SetupWizard(ctx, window.ops, window, window=window)
        qtbot.addWidget(wizard)
        monkeypatch.setattr(FirstAdminDialog, "exec", lambda self: 0)  # cancelled
        wizard.admin_page.create_button.click()
        assert wizard.admin_page.create_button.isEnabled() and wizard.done_steps == []

        def create(self):
            self.passwords.first.setText("admin-pass-1")
            self.passwords.second.setText("admin-pass-1")
            return int(self.create(show_code=False))

        monkeypatch.setattr(FirstAdminDialog, "exec", create)
        wizard.admin_page.create_button.click()
        assert not wizard.admin_page.create_button.isEnabled()
        assert "已创建管理员账户" in wizard.admin_page.state.text()
        assert wizard.done_steps == ["已创建管理员账户（恢复码请打印后妥善保管）"]
        assert cipher_db.is_encrypted(ctx.paths.database)
        # the window above the wizard knows: role on its operations, status bar, idle lock
        assert window.ops.role == accounts.ADMIN and "已加密" in window.database_label.text()
        assert window.idle_lock is not None
        window.idle_lock.timer.stop()
    finally:
        window.close()
        ctx.close()


# --------------------------------------------------------------------------- the main window


def _window(qtbot, ctx, tmp_path):
    w = MainWindow(
        ctx,
        TaskRunner(synchronous=True),
        qsettings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(w)
    return w


def test_main_window_offers_the_wizard_on_an_empty_database(qtbot, tmp_path):
    ctx = open_app(tmp_path / "data", auto_backup=False)
    try:
        w = _window(qtbot, ctx, tmp_path)
        w.show()
        qtbot.waitUntil(lambda: getattr(w, "setup_wizard", None) is not None)
        wizard = w.setup_wizard
        assert isinstance(wizard, QWizard) and wizard.isVisible()
        assert wizard.window_ is w
        wizard.reject()
    finally:
        ctx.close()


def test_main_window_does_not_offer_it_on_the_demo_or_with_data(qtbot, tmp_path):
    demo = open_app(tmp_path / "demo", demo=True, demo_households=20, auto_backup=False)
    try:
        w = _window(qtbot, demo, tmp_path)
        assert w.maybe_show_setup_wizard() is False
    finally:
        demo.close()
    ctx = open_app(tmp_path / "data", auto_backup=False)
    try:
        with ctx.db.unit() as s:
            regions.create_village(s, "东坡村")
        w = _window(qtbot, ctx, tmp_path)
        assert w.maybe_show_setup_wizard() is False
        assert getattr(w, "setup_wizard", None) is None
    finally:
        ctx.close()


def test_the_wizard_is_in_the_help_menu(qtbot, tmp_path):
    ctx = open_app(tmp_path / "data", auto_backup=False)
    try:
        with ctx.db.unit() as s:
            regions.create_village(s, "东坡村")
        w = _window(qtbot, ctx, tmp_path)
        menu = [a for a in w.menuBar().actions() if a.text().startswith("帮助")][0].menu()
        assert w.setup_wizard_action in menu.actions()
        w.setup_wizard_action.trigger()
        assert isinstance(w.setup_wizard, SetupWizard) and w.setup_wizard.isVisible()
        w.setup_wizard.reject()
    finally:
        ctx.close()


def test_villages_from_an_imported_roster(wizard, db):
    from fanpin_desktop.models import Household, Member

    def imported():
        with db.unit() as s:
            village = regions.create_village(s, "马店村")
            household = Household(village_id=village.id, household_type="一般农户")
            household.members = [Member(name="张三", relation="户主", id_number="341523196003150113")]
            s.add(household)

    wizard.import_roster = imported
    wizard.skip()
    page = wizard.villages_page
    assert page.existing_label.text() == "还没有行政村。"
    page.roster_button.click()
    assert "已有 1 个行政村：马店村" in page.existing_label.text()
    assert wizard.roster_imported
    assert wizard.done_steps == ["导入户籍名册：新增 1 户，行政村 1 个"]
    wizard.next()  # nothing typed: nothing more to create
    assert wizard.currentPage() is wizard.import_page
    assert "1 个行政村、1 户" in wizard.import_page.state.text()


def test_the_import_wizard_opens_over_the_setup_wizard(qtbot, ops, monkeypatch):
    from fanpin_desktop.ui.dialogs import import_wizard

    opened = []
    monkeypatch.setattr(import_wizard.ImportWizard, "exec", lambda self: opened.append(self.parent()) or 0)
    w = SetupWizard(None, ops)
    qtbot.addWidget(w)
    w.import_page.import_button.click()
    assert opened == [w]


def test_a_regional_threshold_becomes_the_townships(wizard, db):
    for _ in range(3):
        wizard.skip()
    page = wizard.threshold_page
    page.region.setText("六安市")
    page.amount.setText("9100")
    wizard.next()
    assert wizard.currentPage() is wizard.campaign_page
    with db.reading() as s:
        assert settings_service.load(s).threshold_region == "六安市"
        assert thresholds.threshold_for(s, 2026, "六安市").amount == Decimal("9100.00")
    assert wizard.done_steps[-1] == "本乡镇适用“六安市”的监测范围"


def test_an_implausible_threshold_is_named_once_and_the_city_is_the_default_region(wizard, db):
    with db.unit() as s:
        settings_service.update(s, city="六安市")
    for _ in range(3):
        wizard.skip()
    page = wizard.threshold_page
    assert page.region.text() == "六安市"  # typed a step earlier
    page.amount.setText("76000")  # a 0 too many
    wizard.next()
    assert wizard.currentPage() is page and "多输或少输了一个0" in page.message.text()
    with db.reading() as s:
        assert thresholds.threshold_for(s, 2026, "六安市") is None  # nothing saved yet
    page.amount.setText("7600")
    wizard.next()
    assert wizard.currentPage() is wizard.campaign_page
    with db.reading() as s:
        assert thresholds.threshold_for(s, 2026, "六安市").amount == Decimal("7600.00")
