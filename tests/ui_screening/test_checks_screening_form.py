"""The screening form refuses a negative 人均纯收入 with the question focused, and asks before
saving one that looks typed in 分 (or with an extra 0)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fanpin_desktop.models import HouseholdScreening
from fanpin_desktop.ui.dialogs.screening_form import ScreeningFormDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def dialog(qtbot, ops):
    d = ScreeningFormDialog(ops, None)
    d.ask_unsaved = lambda: "discard"
    d.confirm_incomplete = lambda labels: True
    d.asked: list[str] = []
    qtbot.addWidget(d)
    d.show()
    d.row("method").editor.set_value("电话核查")
    return d


def saved(db, household_id) -> bool:
    with db.reading() as s:
        return (
            s.scalar(select(HouseholdScreening.id).where(HouseholdScreening.household_id == household_id))
            is not None
        )


def test_negative_income_is_refused_on_its_question(db, dialog):
    dialog.row("per_capita_income").editor.setText("-800")
    dialog.save()
    assert "不能为负数" in dialog.banner.text() and "人均纯收入" in dialog.banner.text()
    assert not saved(db, dialog.household_id)


@pytest.mark.parametrize("confirmed", [False, True])
def test_implausible_income_asks_before_saving(db, dialog, confirmed):
    def confirm(message):
        dialog.asked.append(message)
        return confirmed

    dialog.confirm_implausible = confirm
    dialog.row("per_capita_income").editor.setText("1520000")
    dialog.save()
    assert len(dialog.asked) == 1 and "1520000元" in dialog.asked[0] and "分" in dialog.asked[0]
    assert saved(db, dialog.household_id) == confirmed
