"""系统设置: the new time limits in the township form, and the 节假日 tab."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate
from PySide6.QtTest import QAbstractItemModelTester

from fanpin_desktop.domain import workdays
from fanpin_desktop.domain.workdays import HOLIDAY, MAKEUP_WORKDAY
from fanpin_desktop.services import calendar
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.ui.operations import SETTINGS
from fanpin_desktop.ui.pages.holidays_panel import CalendarDayDialog
from fanpin_desktop.ui.pages.settings import SettingsPage

FIRST_UNKNOWN = workdays.package_years()[-1] + 1


@pytest.fixture
def page(qtbot, ops):
    p = SettingsPage(ops)
    qtbot.addWidget(p)
    ops.changed.connect(p.on_changes)
    return p


def test_time_limits_are_shown_and_saved(page, db):
    form = page.form
    assert (form.visit_months.value(), form.review_months.value(), form.eliminate_months.value()) == (1, 3, 6)
    form.township.setText("马店镇")
    form.visit_months.setValue(2)
    form.review_months.setValue(1)
    form.eliminate_months.setValue(12)
    assert page.save()
    with db.reading() as s:
        rules = settings_service.deadline_rules(s)
    assert (rules.visit_every_months, rules.review_every_months, rules.eliminate_after_months) == (2, 1, 12)


def enter(values):
    """Replace CalendarDayDialog.exec: fill the fields like a clerk, press 保存."""

    def fake_exec(dialog):
        day = values["day"]
        dialog.day.setDate(QDate(day.year, day.month, day.day))
        dialog.kind.setCurrentText(values["kind"])
        dialog.note.setText(values.get("note", ""))
        dialog.try_accept()
        fake_exec.errors.append(dialog.error.text() if dialog.error.isVisibleTo(dialog) else "")
        return dialog.result()

    fake_exec.errors = []
    return fake_exec


def test_holidays_tab_enters_days_and_completes_the_year(page, db, ops, monkeypatch):
    panel = page.holidays
    QAbstractItemModelTester(panel.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert panel.year.value() == FIRST_UNKNOWN
    assert f"{FIRST_UNKNOWN - 1}" in panel.hint.text()
    assert "尚未标记已录完" in panel.status.text()
    assert not panel.complete_button.isEnabled()
    announced = []
    ops.changed.connect(lambda changes, origin: announced.append((changes, origin)))

    new_year = dt.date(FIRST_UNKNOWN, 1, 1)
    fake = enter({"day": new_year, "kind": HOLIDAY, "note": "元旦"})
    monkeypatch.setattr(CalendarDayDialog, "exec", fake)
    panel.add_button.click()
    assert fake.errors == [""]
    assert announced == [(SETTINGS, panel)]
    assert panel.model.rowCount() == 1 and panel.model.row_data(0).note == "元旦"

    # a make-up working day on a weekday is refused beside the fields; the dialog stays open
    weekday = next(
        dt.date(FIRST_UNKNOWN, 3, d) for d in range(1, 8) if dt.date(FIRST_UNKNOWN, 3, d).weekday() < 5
    )
    fake = enter({"day": weekday, "kind": MAKEUP_WORKDAY})
    monkeypatch.setattr(CalendarDayDialog, "exec", fake)
    panel.add()
    assert "周六或周日" in fake.errors[0]

    assert panel.complete_button.isEnabled()
    panel.complete_button.click()
    assert "已录完" in panel.status.text() and panel.complete_button.text() == "重新打开"
    with db.reading() as s:
        assert calendar.load_calendar(s).knows(FIRST_UNKNOWN)
        assert not calendar.load_calendar(s).is_working_day(new_year)

    panel.confirm = lambda title, text: True
    panel.complete_button.click()
    panel.view.selectRow(0)
    panel.delete_button.click()
    assert panel.model.rowCount() == 0
    with db.reading() as s:
        assert calendar.days(s) == [] and not calendar.load_calendar(s).knows(FIRST_UNKNOWN)


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen, page shown
def test_holidays_tab_shows_days_entered_elsewhere(page, db, ops):
    with db.unit() as s:
        calendar.add_day(s, dt.date(FIRST_UNKNOWN + 1, 5, 3), HOLIDAY, "劳动节")
    page.show()
    ops.changed.emit(SETTINGS, None)  # what a save elsewhere announces
    page.holidays.year.setValue(FIRST_UNKNOWN + 1)
    assert page.holidays.model.rowCount() == 1
    assert "放假 1 天" in page.holidays.status.text()
