"""Checks that help with ID numbers: the checksum message suggests no digit, and a number already
registered in another household is flagged in the member dialog as soon as it is typed."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from db_templates import build_template, open_copy  # noqa: E402
from test_households_service import TODAY, build_town, pid  # noqa: E402

from fanpin_desktop.domain import ids  # noqa: E402
from fanpin_desktop.services import households as svc  # noqa: E402
from fanpin_desktop.ui.dialogs.household_editor import HouseholdEditor  # noqa: E402
from fanpin_desktop.ui.dialogs.member_dialog import ERROR_STYLE, OK_STYLE, MemberDialog  # noqa: E402

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(scope="module")
def town_template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("checks_town"), build_town)


@pytest.fixture
def db(town_template, tmp_path):
    database = open_copy(town_template[0], tmp_path / "town.sqlite3")
    yield database
    database.dispose()


@pytest.fixture
def town(db, town_template):
    return town_template[1]


def test_checksum_message_names_no_digit_and_points_to_the_papers():
    good = pid(1990, 13)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ids.IdNumberError) as err:
        ids.parse(wrong)
    message = str(err.value)
    assert "校验位错误" in message and "身份证或户口簿" in message
    assert "应为" not in message and good[17] not in message.split("”", 1)[1]


def _dialog(qtbot, ops, household_id, member=None):
    editor = HouseholdEditor(ops, household_id, today=TODAY)
    qtbot.addWidget(editor)
    member = member or svc.new_member_draft("之子")
    dialog = MemberDialog(member, editor, check_id=editor._check_id(member.key), today=TODAY)
    qtbot.addWidget(dialog)
    return editor, dialog


def test_duplicate_id_is_flagged_while_typing_naming_the_household(qtbot, ops, town):
    _editor, dialog = _dialog(qtbot, ops, town["wang"])
    number = pid(1960, 11)  # 张三, head of 东山村二组 (code 3415230010020001)
    qtbot.keyClicks(dialog.id_number, number[:17])
    assert "已输入17位" in dialog.id_status.text()  # nothing looked up before the number is complete
    qtbot.keyClicks(dialog.id_number, number[17])
    text = dialog.id_status.text()
    assert text.startswith("该身份证号已登记在东山村 二组 户主张三的家庭（户编号3415230010020001）")
    assert "号码有效" not in text and dialog.id_status.styleSheet() == ERROR_STYLE
    dialog._refresh_issues()
    assert "该身份证号已登记在东山村" in dialog.issues.text()  # in the list below as well
    # a fresh number is fine again
    dialog.id_number.setText(pid(2001, 77))
    assert dialog.id_status.text().startswith("号码有效") and dialog.id_status.styleSheet() == OK_STYLE


def test_the_member_being_edited_is_not_a_duplicate_of_itself(qtbot, ops, town):
    editor = HouseholdEditor(ops, town["zhang"], today=TODAY)
    qtbot.addWidget(editor)
    son = next(m for m in editor._draft.members if m.name == "张小明")
    dialog = MemberDialog(son, editor, check_id=editor._check_id(son.key), today=TODAY)
    qtbot.addWidget(dialog)
    assert dialog.id_status.text().startswith("号码有效")
