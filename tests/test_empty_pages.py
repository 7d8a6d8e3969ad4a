"""Empty pages say what to do next, with a button that does it; the hints go once there is data."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from fanpin_desktop.context import open_app
from fanpin_desktop.models import Household, Member
from fanpin_desktop.services import households as household_service
from fanpin_desktop.services import regions
from fanpin_desktop.ui.empty_hint import EmptyHint, window_call
from fanpin_desktop.ui.main_window import MainWindow
from fanpin_desktop.ui.operations import HOUSEHOLDS
from fanpin_desktop.ui.operations import settings as settings_ops
from fanpin_desktop.ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

HINTED = ("registry", "cases", "warnings", "ledger", "quality")


def _window(qtbot, ctx, tmp_path) -> MainWindow:
    w = MainWindow(
        ctx,
        TaskRunner(synchronous=True),
        qsettings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(w)
    w.calls = []
    w.import_roster = lambda: w.calls.append("import_roster")
    w.open_setup_wizard = lambda: w.calls.append("open_setup_wizard")
    return w


@pytest.fixture
def empty(qtbot, tmp_path):
    ctx = open_app(tmp_path / "data", auto_backup=False)
    w = _window(qtbot, ctx, tmp_path)
    yield w
    w.close()
    ctx.close()


def test_every_empty_page_says_what_to_do_next(empty):
    for key in HINTED:
        page = empty.pages[key]
        assert isinstance(page.empty_hint, EmptyHint), key
        assert page.empty_hint.shown, key
        assert page.empty_hint.title.text(), key
        assert page.empty_hint.buttons, key
    screening = empty.pages["screening"]  # its own empty state: no campaign yet
    assert screening.stack.currentIndex() == 0
    assert screening.create_button.text() == "新建排查批次…"


def test_registry_hint_buttons_reach_the_window(empty, monkeypatch):
    hint = empty.pages["registry"].empty_hint
    assert hint.title.text() == "还没有户籍数据"
    assert set(hint.buttons) == {"导入户籍名册…", "打开设置向导…", "新增户"}
    hint.buttons["导入户籍名册…"].click()
    hint.buttons["打开设置向导…"].click()
    assert empty.calls == ["import_roster", "open_setup_wizard"]
    quality = empty.pages["quality"].empty_hint
    quality.buttons["导入户籍名册…"].click()
    assert empty.calls[-1] == "import_roster"


def test_new_household_waits_for_villages_and_says_so(empty, monkeypatch):
    registry = empty.pages["registry"]
    add = registry.hint_add_button
    assert not add.isEnabled()
    assert "请先在 系统设置 中建立行政村" in add.toolTip()
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a, **k: told.append(text))
    opened = []
    registry.editor_factory = lambda *a, **k: opened.append(a)
    registry.add_button.click()  # the toolbar's 新增户: told instead of an editor that cannot save
    assert opened == [] and "请先在 系统设置 中建立行政村" in told[0]

    settings_ops.add_village(empty.ops, "东坡村")
    registry.refresh_if_stale()  # the window is not on screen: the page reloads when shown
    assert add.isEnabled() and add.toolTip() == ""
    assert registry.empty_hint.shown  # still no households


def test_the_editor_message_names_the_settings_page_while_no_village_exists(db):
    draft = household_service.HouseholdDraft()
    with db.reading() as s:
        messages = [i.message for i in household_service.validate_draft(s, draft) if i.field == "village_id"]
    assert messages == ["行政村：还没有行政村，请先在 系统设置 中建立行政村和村民小组"]
    with db.unit() as s:
        regions.create_village(s, "东坡村")
    with db.reading() as s:
        messages = [i.message for i in household_service.validate_draft(s, draft) if i.field == "village_id"]
    assert messages == ["行政村：必须选择"]


def test_hints_go_once_households_exist(empty):
    for key in ("registry", "quality"):
        assert empty.pages[key].empty_hint.shown  # built on the empty database
    with empty.ctx.db.unit() as s:
        village = regions.create_village(s, "东坡村")
        household = Household(village_id=village.id, household_type="一般农户")
        household.members = [Member(name="张三", relation="户主", id_number="341523196003150113")]
        s.add(household)
    empty.ops.announce(HOUSEHOLDS)
    empty.show_page("quality")
    assert not empty.pages["quality"].empty_hint.shown
    empty.show_page("registry")
    assert not empty.pages["registry"].empty_hint.shown


def test_no_hints_on_the_demo_township(qtbot, tmp_path):
    ctx = open_app(tmp_path / "demo", demo=True, demo_households=30, auto_backup=False)
    try:
        w = _window(qtbot, ctx, tmp_path)
        for key in HINTED:
            assert not w.pages[key].empty_hint.shown, key
        assert w.pages["screening"].stack.currentIndex() == 1
        w.close()
    finally:
        ctx.close()


def test_window_call_without_a_window_does_nothing(qtbot):
    hint = EmptyHint("空")
    qtbot.addWidget(hint)
    hint.add_button("导入", window_call(hint, "import_roster"))
    hint.buttons["导入"].click()  # a page on its own: no window, no error
    hint.set_empty(True)
    assert hint.shown


def test_cases_hint_offers_the_import_until_households_exist(empty):
    hint = empty.pages["cases"].empty_hint
    assert hint.buttons["导入户籍名册…"].isVisibleTo(hint)
    assert not hint.buttons["新建线索…"].isVisibleTo(hint)
    hint.buttons["导入户籍名册…"].click()
    assert empty.calls == ["import_roster"]
    with empty.ctx.db.unit() as s:
        village = regions.create_village(s, "东坡村")
        household = Household(village_id=village.id, household_type="一般农户")
        household.members = [Member(name="张三", relation="户主", id_number="341523196003150113")]
        s.add(household)
    empty.ops.announce(HOUSEHOLDS)
    empty.show_page("cases")
    assert hint.shown  # no case yet
    assert hint.buttons["新建线索…"].isVisibleTo(hint)
    assert not hint.buttons["导入户籍名册…"].isVisibleTo(hint)
