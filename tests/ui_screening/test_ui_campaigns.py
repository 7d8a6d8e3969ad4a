"""The campaign dialog: new campaign with its threshold and villages, edit, current, delete."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt

from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.ui.dialogs.campaign_dialog import CampaignDialog
from fanpin_desktop.ui.pages.screening import ScreeningPage

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def dialog(qtbot, ops):
    d = CampaignDialog(ops)
    qtbot.addWidget(d)
    d.confirm = lambda title, text: True
    return d


def test_lists_campaigns_with_the_current_one_selected(dialog, db):
    with db.reading() as s:
        infos = campaign_service.list_campaigns(s)
        current = campaign_service.current_id(s)
    assert dialog.list.count() == len(infos) >= 2
    assert dialog.selected().id == current
    assert "（当前）" in dialog.list.currentItem().text()
    assert dialog.threshold.value() == next(c.threshold_id for c in infos if c.id == current)


def test_new_campaign_with_threshold_and_villages_becomes_current(dialog, db):
    year = dt.date.today().year
    dialog.new_campaign()
    assert dialog.year.value() == year
    with db.reading() as s:
        expected = campaign_service.threshold_for(s, year)
        expected_id = expected.id if expected else None
    assert dialog.threshold.value() == expected_id
    dialog.name.setText(f"{year}年第二轮集中排查")
    start = dt.date(year, 1, 5)
    dialog.start_date.setDate(QDate(start.year, start.month, start.day))
    dialog.end_date.setDate(QDate(year, 2, 5))
    dialog.income_default.click()
    assert dialog.income_start.date() == QDate(year - 1, 1, 1)
    dialog.villages.item(1).setCheckState(Qt.CheckState.Checked)
    changed = []
    dialog.changed.connect(lambda: changed.append(1))
    dialog.save()
    cid = dialog.last_saved_id
    assert cid is not None and changed
    with db.reading() as s:
        info = campaign_service.info(s, cid)
        assert info.is_current and campaign_service.current_id(s) == cid
        assert info.income_period_start == dt.date(year - 1, 1, 1) and info.income_period_end == dt.date(
            year - 1, 12, 31
        )
        assert info.village_ids == (dialog.villages.item(1).data(Qt.ItemDataRole.UserRole),)


def test_validation_message_names_the_field(dialog):
    dialog.end_date.setDate(dialog.start_date.date().addDays(-3))
    before = dialog.list.count()
    dialog.save()
    assert dialog.last_saved_id is None
    assert "结束日期" in dialog.message.text()
    assert dialog.list.count() == before, "nothing saved"


def test_set_current_and_delete(dialog, db, qtbot, data_paths, ops):
    older = next(i for i in range(dialog.list.count()) if "（当前）" not in dialog.list.item(i).text())
    dialog.list.setCurrentRow(older)
    target = dialog.selected().id
    dialog.make_current()
    with db.reading() as s:
        assert campaign_service.current_id(s) == target
    page = ScreeningPage(ops, data_paths.exports)
    qtbot.addWidget(page)
    assert page.campaign_id() == target, "the page works on the current campaign"
    dialog.delete_selected()
    with db.reading() as s:
        assert target not in [c.id for c in campaign_service.list_campaigns(s)]
        assert campaign_service.current_id(s) is not None
