"""The 工作台 (ui/pages/home.py): its figures, its charts, where its cards lead, the empty state."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from test_dashboard import TODAY, build_town

from fanpin_desktop.context import open_app
from fanpin_desktop.models import Household, Village
from fanpin_desktop.services.cases.todo import due_items
from fanpin_desktop.ui.main_window import PAGES, MainWindow
from fanpin_desktop.ui.operations import Changes
from fanpin_desktop.ui.pages.home import EMPTY_TEXT, HomePage
from fanpin_desktop.ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def page(qtbot, ops, db):
    build_town(db)
    p = HomePage(ops, today=TODAY)
    qtbot.addWidget(p)
    return p


def test_cards_figures_and_charts(page, db):
    with db.reading() as s:
        items = due_items(s, today=TODAY)
    overdue = sum(1 for i in items if i.overdue)
    assert page.stack.currentIndex() == 0
    assert page.due_card.number.text() == f"{len(items)} 件"
    assert page.due_card.detail.text() == (
        f"其中已超期 {overdue} 件" if overdue else "本周和下周到期，无超期"
    )
    assert page.ledger_card.number.text() == "1 个"
    assert page.ledger_card.detail.text() == "全部批次整改中 2 个，超期未整改"
    assert page.screening_card.number.text() == "2/7 户"
    assert page.screening_card.detail.text() == "已完成 29%　2026年集中排查"
    assert page.households_figure.value.text() == "7 户 13 人"
    assert page.monitored_figure.value.text() == "5 户 12 人"
    # the headline counts more than the status line's 监测中, and says so
    assert page.monitored_figure.caption.text() == "监测对象（在监测）"
    assert page.monitored_figure.toolTip().endswith("在监测：状态为监测中、消除中、已回退的监测对象，按户计")
    assert page.monitored_figure.detail.text() == "脱贫不稳定户 1　边缘易致贫户 2　突发严重困难户 1　未分类 1"
    assert (page.identified_figure.value.text(), page.eliminated_figure.value.text()) == ("2 户", "2 户")
    assert page.status_line.text() == "监测对象按状态（户次）：线索 1　监测中 3　消除中 1　已消除 1　已回退 1"
    assert not page.hint_row.isVisibleTo(page)
    assert page.village_chart.values == (
        "甲村3户（脱贫不稳定户1、边缘易致贫户1、突发严重困难户1）；乙村2户（边缘易致贫户1、未分类1）；丙村0户"
    )
    assert page.month_chart.values == "12月识别1、消除0；2月识别0、消除1；3月识别1、消除1；10月识别1、消除0"
    assert page.screening_chart.values == "甲村已排查2户，共5户；乙村已排查0户，共2户"
    assert page.screening_chart.heading == "2026年集中排查进度（户）"


def test_a_change_notice_reloads_the_page(page, db):
    page.show()
    with db.unit() as s:
        village = s.query(Village).filter_by(name="丙村").one()
        s.add(Household(village_id=village.id, code="H99"))
    page.on_changes(Changes(households=True), None)
    assert page.households_figure.value.text() == "8 户 13 人"
    page.hide()
    with db.unit() as s:
        s.add(Household(village_id=village.id, code="H100"))
    page.on_changes(Changes(households=True), None)
    assert page.stale and page.households_figure.value.text() == "8 户 13 人"
    page.show()
    assert page.households_figure.value.text() == "9 户 13 人"


@pytest.fixture
def window(qtbot, tmp_path):
    ctx = open_app(tmp_path / "data")
    w = MainWindow(
        ctx,
        TaskRunner(synchronous=True),
        qsettings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    yield w
    w.close()
    ctx.close()


def test_first_page_and_empty_database(window, monkeypatch):
    assert PAGES[0].key == "home" and PAGES[0].title == "工作台"
    assert window.current_page_key() == "home"
    home = window.pages["home"]
    assert home.stack.currentIndex() == 1
    assert home.empty_text.text() == EMPTY_TEXT and "系统设置" in EMPTY_TEXT
    imported = []
    monkeypatch.setattr(window, "import_roster", lambda: imported.append(True))
    home.import_button.click()
    assert imported == [True]
    home.settings_button.click()
    assert window.current_page_key() == "settings"


def test_cards_lead_to_the_pages_that_deal_with_them(window):
    build_town(window.ctx.db)
    window.ops.announce(Changes.everything())
    home = window.pages["home"]
    assert home.stack.currentIndex() == 0
    window.pages["cases"].tabs.setCurrentIndex(1)
    home.due_card.click()
    assert window.current_page_key() == "cases"
    assert window.pages["cases"].tabs.currentIndex() == 0  # 待办
    window.show_page("home")
    home.ledger_card.click()
    assert window.current_page_key() == "ledger"
    assert window.pages["ledger"].overdue_only.isChecked()
    assert not window.pages["ledger"].include_spot.isChecked()  # as the card counts
    assert window.pages["ledger"].campaign_id() is None  # every batch, as the card counts
    window.show_page("home")
    home.screening_card.click()
    assert window.current_page_key() == "screening"
    screening = window.pages["screening"]
    assert screening.tabs.currentWidget() is screening.progress_tab


def test_fits_the_content_area_of_a_1366_by_768_screen(window):
    build_town(window.ctx.db)
    window.ops.announce(Changes.everything())
    home = window.pages["home"]
    hint = home.minimumSizeHint()
    assert hint.width() <= 1366 - 168 and hint.height() <= 768 - 100, hint
