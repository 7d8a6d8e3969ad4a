"""The screening and ledger operations: each write announces what it changed, a hidden page reloads
when shown, and a write the service refuses shows its Chinese message and loses nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from fanpin_desktop.errors import UserError
from fanpin_desktop.models import Household, HouseholdScreening, MonitoringCase
from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services import ledger, screening
from fanpin_desktop.ui import errors
from fanpin_desktop.ui.dialogs.screening_form import ScreeningFormDialog
from fanpin_desktop.ui.operations import CASES, LEDGER, NOTHING, SCREENING
from fanpin_desktop.ui.operations import ledger as ledger_ops
from fanpin_desktop.ui.operations import screening as screening_ops
from fanpin_desktop.ui.pages.ledger import LedgerPage
from fanpin_desktop.ui.pages.screening import ScreeningPage
from fanpin_desktop.ui.pages.screening.page import TAB_HOUSEHOLDS, TAB_STATS, TAB_VILLAGE

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

TODAY = dt.date.today()


@pytest.fixture
def notices(ops):
    """Every change notice sent, with its origin."""
    seen: list[tuple[object, object]] = []
    ops.changed.connect(lambda changes, origin: seen.append((changes, origin)))
    return seen


@pytest.fixture
def shown(monkeypatch):
    """The Chinese messages shown to the clerk (instead of a modal box)."""
    messages: list[str] = []
    monkeypatch.setattr(
        errors, "show_user_error", lambda message, parent=None, title="提示": messages.append(message)
    )
    return messages


def ordinary_household(db) -> int:
    with db.reading() as s:
        return s.scalar(
            select(Household.id)
            .where(Household.household_type == "一般农户")
            .where(~Household.id.in_(select(MonitoringCase.household_id)))
            .order_by(Household.id)
            .limit(1)
        )


def answers_of(db, household_id: int, **changes) -> tuple[int, dict, dt.date]:
    with db.reading() as s:
        campaign = campaign_service.current(s)
        values = screening.load_form(s, campaign.id, household_id).answers()
        day = min(TODAY, campaign.end_date)
        cid = campaign.id
    values.update(method="入户排查", **changes)
    return cid, values, day


def saved_difficulties(db, household_id: int) -> str | None:
    """The household's saved 困难和诉求, or "(none)" when it has no record."""
    with db.reading() as s:
        rec = s.scalar(select(HouseholdScreening).where(HouseholdScreening.household_id == household_id))
        return "(none)" if rec is None else rec.difficulties


def test_a_form_save_announces_screening_and_a_new_clue_also_cases(ops, db, notices):
    hid = ordinary_household(db)
    cid, values, day = answers_of(db, hid)
    results = []
    screening_ops.save_form(
        ops, cid, hid, values, screened_on=day, screener="张三", parent=None, success=results.append
    )
    assert [c for c, _o in notices] == [SCREENING]
    assert results and results[0][0].created and results[0][1].record_id is not None, "saved and read back"

    values["should_monitor"] = True
    screening_ops.save_form(
        ops, cid, hid, values, screened_on=day, screener="张三", parent=None, success=results.append
    )
    assert results[-1][0].clue_created
    assert notices[-1][0] == SCREENING | CASES, "a clue is a monitoring case: the cases pages reload too"


def test_every_write_announces_what_it_changed(ops, db, notices):
    hid = ordinary_household(db)
    with db.reading() as s:
        cid = campaign_service.current_id(s)
        village = campaign_service.village_ids(s, cid)[0]
    pids: list[int] = []
    screening_ops.send_to_ledger(
        ops,
        cid,
        hid,
        {"problem_type": ledger.problem_types()[0], "description": "房屋漏雨"},
        parent=None,
        success=pids.append,
    )
    assert notices[-1][0] == LEDGER and pids
    ledger_ops.mark_rectified(ops, pids[0], TODAY, None, parent=None)
    assert notices[-1][0] == LEDGER
    screening_ops.save_village_screening(ops, cid, village, {"remark": "已调整"}, parent=None)
    assert notices[-1][0] == SCREENING
    screening_ops.save_stats_inputs(ops, cid, village, {"grid_count": 3}, parent=None)
    assert notices[-1][0] == SCREENING
    sids: list[int] = []
    screening_ops.take_snapshot(ops, cid, TODAY, parent=None, success=sids.append)
    assert notices[-1][0] == SCREENING and sids
    count = len(notices)
    screening_ops.delete_campaign(ops, cid, parent=None)
    assert len(notices) == count + 1 and notices[-1][0] == SCREENING | LEDGER
    with db.reading() as s:
        assert ledger.get(s, pids[0]) is not None, "the ledger keeps its problems"
    assert NOTHING not in [c for c, _o in notices], "nothing empty is announced"


def test_the_hidden_ledger_page_reloads_when_shown_after_the_form_added_a_problem(qtbot, ops, db, data_paths):
    page = LedgerPage(ops, data_paths.exports)
    qtbot.addWidget(page)
    ops.changed.connect(page.on_changes)  # as the main window does
    before = page.model.rowCount()
    assert not page.isVisible()

    form = ScreeningFormDialog(ops, None)
    qtbot.addWidget(form)
    form.send_to_ledger(
        {
            "problem_type": ledger.problem_types()[0],
            "description": "饮水不稳定",
            "found_on": form.default_date(),
        }
    )
    pid = form.last_problem_id
    assert pid is not None and "记入问题整改台账" in form.banner.text()
    assert page.stale and page.model.rowCount() == before, "hidden: reloaded only when shown"

    page.show()
    qtbot.waitExposed(page)
    assert not page.stale
    assert page.model.rowCount() == before + 1
    assert page.model.row_of(pid) is not None


def test_the_screening_page_reloads_after_the_entry_form_closes(qtbot, ops, db, data_paths):
    page = ScreeningPage(ops, data_paths.exports)
    qtbot.addWidget(page)
    ops.changed.connect(page.on_changes)
    page.show()
    qtbot.waitExposed(page)
    assert "已排查 0 /" in page.households_tab.summary.text()
    during: list[str] = []

    class TypingForm(ScreeningFormDialog):
        """Saves the household it opened on and closes, as a clerk would."""

        def exec(self) -> int:
            self.confirm_incomplete = lambda labels: True
            self.ask_unsaved = lambda: "discard"
            self.row("method").editor.set_value("入户排查")
            self.save()
            during.append(page.households_tab.summary.text())
            return 0

    page.form_factory = TypingForm
    page.open_form(None, unscreened_only=True)
    assert "已排查 0 /" in during[0], "not reloaded while the form is open"
    assert "已排查 1 /" in page.households_tab.summary.text(), "reloaded once the form closed"
    assert not page.stale


def test_a_tab_write_reloads_the_other_tabs_not_itself(qtbot, ops, db, data_paths):
    page = ScreeningPage(ops, data_paths.exports)
    qtbot.addWidget(page)
    ops.changed.connect(page.on_changes)
    page.tabs.setCurrentIndex(TAB_VILLAGE)
    page.village_tab.fields["remark"].setPlainText("已调整")
    page.village_tab.save()
    assert {TAB_HOUSEHOLDS, TAB_STATS} <= page._stale and TAB_VILLAGE not in page._stale


def test_a_refused_form_save_shows_the_message_and_keeps_the_answers(
    qtbot, ops, db, notices, shown, monkeypatch
):
    hid = ordinary_household(db)
    dialog = ScreeningFormDialog(ops, hid)
    qtbot.addWidget(dialog)
    dialog.confirm_incomplete = lambda labels: True
    dialog.ask_unsaved = lambda: "discard"  # closing at teardown asks nothing
    dialog.row("method").editor.set_value("电话核查")
    dialog.row("difficulties").editor.setText("缺少劳动力")

    def locked(*_a, **_k):
        raise UserError("数据库文件正被其他程序占用，请关闭后重试。")

    monkeypatch.setattr(screening, "save_and_reload", locked)
    dialog.save()
    assert shown == ["数据库文件正被其他程序占用，请关闭后重试。"]
    assert saved_difficulties(db, hid) == "(none)" and notices == [], "nothing saved, nothing announced"
    assert dialog.household_id == hid and dialog.is_dirty()
    assert dialog.row("method").value() == "电话核查" and dialog.row("difficulties").value() == "缺少劳动力"

    monkeypatch.undo()  # the file is free again: the same answers save
    dialog.save()
    assert saved_difficulties(db, hid) == "缺少劳动力" and not dialog.is_dirty()


def test_a_field_error_goes_to_the_field_not_a_box(qtbot, ops, db, shown):
    hid = ordinary_household(db)
    dialog = ScreeningFormDialog(ops, hid)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    dialog.confirm_incomplete = lambda labels: True
    dialog.ask_unsaved = lambda: "discard"  # closing at teardown asks nothing
    dialog.row("method").editor.set_value("入户排查")
    dialog.row("household_size").editor.setText("0")
    dialog.focus_question("method")
    dialog.save()
    assert shown == [], "no message box"
    assert "家庭人口" in dialog.banner.text() and "1到" in dialog.banner.text(), dialog.banner.text()
    assert dialog.row("household_size").editor.hasFocus(), "the focus is on the question"
    assert dialog.last_result is None and dialog.is_dirty() and saved_difficulties(db, hid) == "(none)"
