"""The appendix 1 entry form: keyboard-only entry, save-and-next, suggestions, overrides,
applicability, monitoring clues and sending a problem to the ledger (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from fanpin_desktop.domain.names import initials
from fanpin_desktop.models import Household, HouseholdScreening, MonitoringCase, Problem
from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services import screening
from fanpin_desktop.ui.dialogs import screening_form as sf
from fanpin_desktop.ui.dialogs.household_picker import HouseholdPickerDialog
from fanpin_desktop.ui.dialogs.problem_dialog import ProblemDialog
from fanpin_desktop.ui.dialogs.screening_form import ScreeningFormDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def open_form(qtbot, ops):
    """Show the entry form, active (so its keyboard shortcuts work), never asking questions."""

    def make(household_id=None, **kw) -> ScreeningFormDialog:
        dialog = ScreeningFormDialog(ops, household_id, **kw)
        dialog.ask_unsaved = lambda: "discard"
        dialog.confirm_incomplete = lambda labels: True
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
        dialog.focus_first()
        return dialog

    return make


def focused_key(dialog: ScreeningFormDialog) -> str | None:
    w = QApplication.focusWidget()
    return next((k for k, r in dialog._rows.items() if r.editor is w), None)


def press(key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(QApplication.focusWidget(), key, modifier)


def household_of_type(db, household_type: str, without_case: bool = False) -> int:
    with db.reading() as s:
        stmt = select(Household.id).where(Household.household_type == household_type).order_by(Household.id)
        if without_case:
            stmt = stmt.where(~Household.id.in_(select(MonitoringCase.household_id)))
        return s.scalar(stmt.limit(1))


def record(db, household_id: int) -> HouseholdScreening | None:
    with db.reading() as s:
        cid = campaign_service.current_id(s)
        rec = s.scalar(
            select(HouseholdScreening).where(
                HouseholdScreening.campaign_id == cid, HouseholdScreening.household_id == household_id
            )
        )
        if rec is not None:
            s.expunge(rec)
        return rec


def test_keyboard_only_entry_saves_and_opens_the_next_household(db, open_form):
    with db.reading() as s:
        first = screening.next_household_id(s, None)
        second = screening.next_household_id(s, None, first)
    dialog = open_form()
    assert dialog.household_id == first, "opens on the first household in village/group order"
    assert focused_key(dialog) == "household_size", "the cursor starts on the first question"

    typed: dict[str, object] = {}
    visited: list[str] = []
    yes = True
    for _ in range(60):
        key = focused_key(dialog)
        if key is None:
            break
        visited.append(key)
        row = dialog.row(key)
        if key == "method":
            press(Qt.Key.Key_2)  # 2 = 电话核查
            typed[key] = "电话核查"
        elif row.state.kind == "bool":
            press(Qt.Key.Key_Y if yes else Qt.Key.Key_0)  # Y = 是, 0 = 否
            typed[key] = yes
            yes = not yes
        elif key == "difficulties":
            QTest.keyClicks(QApplication.focusWidget(), "need water")
            press(Qt.Key.Key_Return)
            typed[key] = "need water"
        else:  # pre-filled number or choice: Enter confirms it
            press(Qt.Key.Key_Return)
    assert visited[:3] == ["household_size", "household_type", "method"]
    assert visited[-1] == "remark"
    skipped = {k for k in dialog._order if k not in visited}
    assert skipped and all(not dialog.row(k).applicable for k in skipped), (
        "only applicable questions are visited"
    )
    assert QApplication.focusWidget() is dialog.save_next_button, "after the last question: the save button"

    press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter: save and next

    rec = record(db, first)
    assert rec is not None and rec.method == "电话核查"
    for key, value in typed.items():
        assert getattr(rec, key) == value, key
    for key in skipped:
        assert getattr(rec, key) is None, f"{key} does not apply and is stored empty"
    assert rec.screened_on == dialog.default_date()
    assert dialog.household_id == second, "the next household in village/group order is shown"
    assert dialog.row("method").value() is None, "the new household starts unanswered"
    assert focused_key(dialog) == "household_size"
    assert "已保存" in dialog.banner.text()


def test_pgdn_saves_and_pgup_goes_back(db, open_form):
    dialog = open_form()
    first = dialog.household_id
    dialog.focus_question("method")
    press(Qt.Key.Key_1)
    press(Qt.Key.Key_PageDown)
    assert record(db, first).method == "入户排查"
    assert dialog.household_id != first
    press(Qt.Key.Key_PageUp)
    assert dialog.household_id == first
    assert dialog.row("method").value() == "入户排查"
    assert dialog.state_label.text().startswith("已排查")


def test_space_restores_the_suggestion_and_clears(db, open_form):
    dialog = open_form()
    row = dialog.row("is_dibao")
    suggestion = row.state.suggestion
    assert suggestion is not None and row.value() == suggestion
    assert row.refresh() == sf.MARK_SUGGESTED
    dialog.focus_question("is_dibao")
    press(Qt.Key.Key_Space)
    assert row.value() is None and row.refresh() == sf.MARK_HINT
    press(Qt.Key.Key_Space)
    assert row.value() == suggestion and row.refresh() == sf.MARK_SUGGESTED


def test_an_override_is_kept_and_shown(db, open_form):
    hid = household_of_type(db, "一般农户", without_case=True)
    dialog = open_form(hid)
    row = dialog.row("is_dibao")
    assert row.state.suggestion is False, "the demo's household has no 低保 member"
    assert row.marker.text() == "建议"
    dialog.focus_question("is_dibao")
    press(Qt.Key.Key_1)  # 是, against the suggestion
    assert row.value() is True
    assert row.editor.mark() == sf.MARK_OVERRIDE and row.marker.text() == "已改"
    assert "系统建议：否" in row.marker.toolTip()
    dialog.focus_question("method")
    press(Qt.Key.Key_1)
    assert dialog.save() is not None

    rec = record(db, hid)
    assert rec.is_dibao is True and rec.overrides.get("is_dibao") is False
    reopened = open_form(hid)
    again = reopened.row("is_dibao")
    assert again.state.overridden and again.value() is True
    assert again.marker.text() == "已改" and again.editor.mark() == sf.MARK_OVERRIDE
    assert reopened.row("is_tekun_dispersed").marker.text() == "建议", "confirmed suggestions stay 建议"


def test_questions_that_do_not_apply_are_disabled(db, open_form):
    ordinary = open_form(household_of_type(db, "一般农户", without_case=True))
    for key in (
        "exited_2020",
        "income_falling_3y",
        "measures_in_place",
        "system_data_accurate",
        "risk_eliminated_marked",
    ):
        row = ordinary.row(key)
        assert not row.applicable and not row.editor.isEnabled() and row.editor.mark() == sf.MARK_NA, key
        assert row.marker.text() == "不适用"
    assert ordinary.row("should_monitor").editor.isEnabled()
    ordinary.focus_question("household_type")
    press(Qt.Key.Key_1)  # corrected to 脱贫户 on the form: the 脱贫户 questions open at once
    assert ordinary.row("household_type").value() == "脱贫户"
    assert ordinary.row("exited_2020").editor.isEnabled()
    assert ordinary.row("measures_in_place").editor.isEnabled()
    assert ordinary.row("household_type").editor.mark() == sf.MARK_OVERRIDE

    poor = open_form(household_of_type(db, "脱贫户"))
    assert poor.row("exited_2020").editor.isEnabled() and poor.row("income_falling_3y").editor.isEnabled()
    poor.focus_question("disabled_family")
    press(Qt.Key.Key_N)
    assert not poor.row("newly_disabled").editor.isEnabled(), "follow-up questions close with 否"


def test_should_monitor_yes_creates_a_clue_and_says_so(db, open_form):
    hid = household_of_type(db, "一般农户", without_case=True)
    dialog = open_form(hid)
    dialog.focus_question("should_monitor")
    press(Qt.Key.Key_Y)
    assert "新建监测对象线索" in dialog.clue_note.text()
    dialog.focus_question("method")
    press(Qt.Key.Key_1)
    assert dialog.save() is not None
    result = dialog.last_result
    assert result is not None and result.clue_created
    with db.reading() as s:
        case = s.scalar(select(MonitoringCase).where(MonitoringCase.household_id == hid))
        assert case is not None and case.source == "集中排查" and case.status == "线索"
    assert "已为该户新建监测对象线索" in dialog.banner.text()
    assert "已有监测线索" in dialog.subtitle.text()


def test_missing_method_is_refused_with_the_focus_on_it(db, open_form):
    dialog = open_form()
    hid = dialog.household_id
    assert dialog.save_and_next() is None
    assert record(db, hid) is None
    assert dialog.household_id == hid
    assert focused_key(dialog) == "method"
    assert "排查方式" in dialog.banner.text()


def test_find_household_by_initials_and_send_a_problem_to_the_ledger(db, ops, open_form, monkeypatch):
    with db.reading() as s:
        ids = screening.household_ids_in_order(s, None)
        target = ids[7]
        form = screening.load_form(s, None, target)
    dialog = open_form()
    picker_seen = []

    def pick():
        picker = HouseholdPickerDialog(ops, dialog)
        picker.search.setText(initials(form.head_name))  # e.g. zs for 张三
        n = picker.run_search()
        picker_seen.append(n)
        picker.accept()
        return picker.household_id

    monkeypatch.setattr(dialog, "pick_household", pick)
    press(Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert picker_seen and picker_seen[0] >= 1
    assert dialog.household_id == target

    dialog.send_to_ledger(
        {
            "problem_type": "“三保障”和饮水安全",
            "description": "饮水不稳定",
            "measure": "接通自来水",
            "responsible": "村委会",
            "deadline": dt.date.today() + dt.timedelta(days=30),
            "on_the_spot": False,
            "found_on": dt.date.today(),
        }
    )
    pid = dialog.last_problem_id
    with db.reading() as s:
        p = s.get(Problem, pid)
        assert p.household_id == target and p.level == "户" and p.source == "集中排查"
        assert p.campaign_id == campaign_service.current_id(s)
    assert "记入问题整改台账" in dialog.banner.text()


def test_problem_dialog_from_the_form_records_a_household_problem(db, open_form, monkeypatch):
    dialog = open_form()
    dialog.row("difficulties").editor.setText("房屋漏雨")

    def fill_and_accept(problem_dialog):
        assert not problem_dialog.level.isEnabled() and problem_dialog.level.value() == "户"
        assert problem_dialog.description.toPlainText() == "房屋漏雨", "pre-filled from 困难和诉求"
        problem_dialog.problem_type.set_value("“三保障”和饮水安全")
        problem_dialog.measure.setPlainText("纳入危房改造")
        problem_dialog.accept()
        return problem_dialog.result()

    monkeypatch.setattr(ProblemDialog, "exec", fill_and_accept)
    press(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert dialog.last_problem_id is not None
    with db.reading() as s:
        p = s.get(Problem, dialog.last_problem_id)
        assert p.household_id == dialog.household_id and p.description == "房屋漏雨"
        assert p.measure == "纳入危房改造" and p.status == "整改中"


def test_main_window_has_the_screening_and_ledger_pages(qtbot, db, data_paths):
    from PySide6.QtCore import QSettings

    from fanpin_desktop.context import AppContext
    from fanpin_desktop.ui.main_window import MainWindow
    from fanpin_desktop.ui.pages.ledger import LedgerPage
    from fanpin_desktop.ui.pages.screening import ScreeningPage
    from fanpin_desktop.ui.tasks import TaskRunner

    ctx = AppContext(paths=data_paths, db=db)
    runner = TaskRunner(synchronous=True)
    qsettings = QSettings(str(data_paths.root / "w.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ctx, runner, qsettings=qsettings)
    qtbot.addWidget(window)
    screening_page, ledger_page = window.pages["screening"], window.pages["ledger"]
    assert isinstance(screening_page, ScreeningPage) and isinstance(ledger_page, LedgerPage)
    assert screening_page.ops is window.ops and ledger_page.ops is window.ops, "the window's operations"
    assert window.ops.runner is runner, "one task runner"
    assert screening_page.jobs.exports_dir == data_paths.exports


def test_save_and_next_on_the_worker_thread(qtbot, db):
    """In the app the save runs on the task runner's worker thread: the form moves on only when the
    write has committed, and the record is stored once."""
    from fanpin_desktop.ui.operations import Operations
    from fanpin_desktop.ui.tasks import TaskRunner

    runner = TaskRunner(show_after_ms=60_000)
    ops = Operations(db, runner)
    announced = []
    ops.changed.connect(lambda changes, _origin: announced.append(changes))
    dialog = ScreeningFormDialog(ops, None)
    dialog.ask_unsaved = lambda: "discard"
    dialog.confirm_incomplete = lambda labels: True
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    first = dialog.household_id
    dialog.focus_question("method")
    press(Qt.Key.Key_1)
    press(Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: dialog.household_id != first, timeout=5000)
    assert record(db, first).method == "入户排查"
    assert announced and all(c.screening for c in announced)
    runner.shutdown()
