"""使用说明: the bundled guide is complete (sections, anchors, pictures), opens from 帮助 and F1 opens
the section of the page on screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from fanpin_desktop.context import open_app
from fanpin_desktop.paths import resource_dir
from fanpin_desktop.services import regions
from fanpin_desktop.ui.dialogs.help_dialog import (
    PAGE_SECTIONS,
    SECTIONS,
    HelpDialog,
    anchor_for_page,
    guide_dir,
)
from fanpin_desktop.ui.main_window import PAGES, MainWindow
from fanpin_desktop.ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


def _anchors(file: Path) -> set[str]:
    return set(re.findall(r'<a name="([^"]+)"', file.read_text(encoding="utf-8")))


def test_the_guide_is_bundled_with_the_resources():
    assert guide_dir() == resource_dir() / "guide"
    spec = (Path(__file__).resolve().parent.parent / "installer" / "fanpin.spec").read_text(encoding="utf-8")
    assert '(str(ROOT / "resources"), "resources")' in spec  # the frozen build carries resources/ whole


def test_every_section_exists_and_every_picture_it_shows_is_there():
    titles = " ".join(title for _file, title in SECTIONS)
    for topic in ("第一天", "集中排查", "监测对象", "打印与公示", "国家系统", "备份与恢复码"):
        assert topic in titles
    for file, _title in SECTIONS:
        path = guide_dir() / file
        text = path.read_text(encoding="utf-8")
        pictures = re.findall(r'<img src="([^"]+)"', text)
        assert pictures, f"{file} has no screenshot"
        for picture in pictures:
            assert (guide_dir() / picture).is_file(), f"{file}: {picture} is missing"


def test_every_page_has_a_section_whose_anchor_exists():
    for spec in PAGES:
        target = anchor_for_page(spec.key)
        file, _hash, anchor = target.partition("#")
        assert (guide_dir() / file).is_file(), spec.key
        if anchor:
            assert anchor in _anchors(guide_dir() / file), target
    for target in PAGE_SECTIONS.values():  # "home" (工作台) too, when the page exists
        file, _hash, anchor = target.partition("#")
        assert not anchor or anchor in _anchors(guide_dir() / file), target
    assert anchor_for_page("home") == "daily.html#home"
    assert anchor_for_page("no such page") == "first-day.html"


def test_the_recovery_code_is_explained():
    text = (guide_dir() / "backup.html").read_text(encoding="utf-8")
    for words in ("恢复码", "保险柜", "FANPIN_RECOVERY_CODE", "fanpin users passwd", "忘记密码"):
        assert words in text


def test_the_dialog_shows_sections_from_its_contents(qtbot):
    dialog = HelpDialog()
    qtbot.addWidget(dialog)
    dialog.show_section("cases.html#warnings")
    assert dialog.current_section() == "cases.html#warnings"
    assert dialog.contents.currentItem().text().startswith("监测对象")
    assert "部门预警" in dialog.browser.toPlainText()
    dialog.contents.setCurrentRow(len(SECTIONS) - 1)
    assert dialog.current_section() == "backup.html"
    assert "恢复码" in dialog.browser.toPlainText()


def test_a_missing_guide_is_said_in_chinese(qtbot, tmp_path):
    dialog = HelpDialog(folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show_section("first-day.html")
    assert "不存在" in dialog.browser.toPlainText()


@pytest.fixture
def window(qtbot, tmp_path):
    ctx = open_app(tmp_path / "data", auto_backup=False)
    with ctx.db.unit() as s:
        regions.create_village(s, "东坡村")
    w = MainWindow(
        ctx,
        TaskRunner(synchronous=True),
        qsettings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(w)
    yield w
    w.close()
    ctx.close()


def test_help_menu_opens_the_guide(window):
    menu = [a for a in window.menuBar().actions() if a.text().startswith("帮助")][0].menu()
    assert window.help_action in menu.actions()
    assert window.help_action.shortcut().toString() == "F1"
    window.show_page("registry")
    window.help_action.trigger()
    dialog = window.help_dialog
    assert dialog.isVisible()
    assert dialog.current_section() == "daily.html#registry"


def test_f1_opens_the_section_of_the_current_page(qtbot, window):
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)  # shortcuts need the active window
    window.show_page("ledger")
    qtbot.keyClick(window.stack.currentWidget(), Qt.Key.Key_F1)
    assert window.help_dialog.isVisible()
    assert window.help_dialog.current_section() == "screening.html#ledger"
    window.show_page("cases")
    qtbot.keyClick(window.stack.currentWidget(), Qt.Key.Key_F1)
    assert window.help_dialog.current_section() == "cases.html"
