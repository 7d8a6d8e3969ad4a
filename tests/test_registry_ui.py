"""The registry page, its table model and the household editor (pytest-qt, offscreen)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402
from decimal import Decimal  # noqa: E402

import pytest  # noqa: E402
from db_templates import build_template, open_copy  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QDialog, QMessageBox  # noqa: E402
from sqlalchemy import select  # noqa: E402
from test_households_service import TODAY, build_town, pid  # noqa: E402

from fanpin_desktop.models import AuditEntry, Household, Member  # noqa: E402
from fanpin_desktop.services import households as svc  # noqa: E402
from fanpin_desktop.ui.dialogs.household_editor import TAB_HISTORY, TAB_INCOME, HouseholdEditor  # noqa: E402
from fanpin_desktop.ui.dialogs.member_dialog import MemberDialog  # noqa: E402
from fanpin_desktop.ui.pages.registry import RegistryPage  # noqa: E402
from fanpin_desktop.ui.table_models.households import (  # noqa: E402
    ID_ROLE,
    SORT_ROLE,
    HistoryTableModel,
    HouseholdTableModel,
    MemberTableModel,
)

Yes, No = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No

# The offscreen platform says this whenever a top-level window is shown; it is not our warning.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(scope="module")
def town_template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("ui_town"), build_town)


@pytest.fixture
def db(town_template, tmp_path):
    database = open_copy(town_template[0], tmp_path / "town.sqlite3")
    yield database
    database.dispose()


@pytest.fixture
def town(db, town_template):
    return town_template[1]


class Boxes:
    """Records QMessageBox calls and answers questions as told."""

    def __init__(self, monkeypatch, answer=Yes):
        self.questions: list[str] = []
        self.warnings: list[str] = []
        self.infos: list[str] = []
        self.answer = answer
        monkeypatch.setattr(QMessageBox, "question", self._question)
        monkeypatch.setattr(QMessageBox, "warning", self._warning)
        monkeypatch.setattr(QMessageBox, "information", self._info)

    def _question(self, _parent, _title, text, *args, **kwargs):
        self.questions.append(text)
        return self.answer

    def _warning(self, _parent, _title, text, *args, **kwargs):
        self.warnings.append(text)
        return QMessageBox.StandardButton.Ok

    def _info(self, _parent, _title, text, *args, **kwargs):
        self.infos.append(text)
        return QMessageBox.StandardButton.Ok


@pytest.fixture
def page(qtbot, ops, town):
    p = RegistryPage(ops)
    qtbot.addWidget(p)
    p.resize(1200, 700)
    p.show()
    return p


def visible_heads(page: RegistryPage) -> list[str]:
    m = page.model
    return [m.data(m.index(r, HouseholdTableModel.COL_HEAD)) for r in range(m.rowCount())]


# --------------------------------------------------------------------------- the model


def test_household_model_passes_modeltester_with_real_rows(qtmodeltester, db, town):
    fetched: list[list[int]] = []

    def fetch(ids):
        fetched.append(list(ids))
        with db.reading() as s:
            return svc.fetch_rows(s, ids)

    model = HouseholdTableModel(fetch)
    with db.reading() as s:
        model.set_ids(svc.search_household_ids(s, svc.HouseholdQuery()))
    qtmodeltester.check(model)
    assert model.rowCount() == 4
    row = model.row_of(town["wang"])
    assert model.data(model.index(row, HouseholdTableModel.COL_HEAD)) == "王五"
    assert model.data(model.index(row, HouseholdTableModel.COL_SIZE), SORT_ROLE) == 2
    assert model.data(model.index(row, 0), ID_ROLE) == town["wang"]
    assert "********" in model.data(model.index(row, HouseholdTableModel.COL_HEAD_ID))
    assert "低保" in model.data(model.index(row, HouseholdTableModel.COL_FLAGS))
    # rows are fetched lazily in blocks, then served from the cache
    calls = len(fetched)
    model.data(model.index(0, HouseholdTableModel.COL_HEAD))
    assert len(fetched) == calls


def test_model_sort_without_sorter_and_invalidate(qtbot, db, town):
    with db.reading() as s:
        ids = svc.search_household_ids(s, svc.HouseholdQuery())

    def fetch(wanted):
        with db.reading() as s:
            return svc.fetch_rows(s, wanted)

    model = HouseholdTableModel(fetch)
    model.set_ids(ids)
    model.sort(HouseholdTableModel.COL_SIZE, Qt.SortOrder.DescendingOrder)
    assert [model.data(model.index(r, HouseholdTableModel.COL_SIZE)) for r in range(4)] == [
        "3",
        "2",
        "2",
        "1",
    ]
    # a change in the database shows only after invalidate, with a targeted dataChanged
    with db.unit() as s:
        s.get(Household, town["liu"]).phone = "13912345678"
    row = model.row_of(town["liu"])
    assert model.data(model.index(row, HouseholdTableModel.COL_PHONE)) != "13912345678"
    with qtbot.waitSignal(model.dataChanged) as signal:
        model.invalidate([town["liu"]])
    assert (signal.args[0].row(), signal.args[1].row()) == (row, row)
    assert model.data(model.index(row, HouseholdTableModel.COL_PHONE)) == "13912345678"


def test_member_and_history_models_pass_modeltester(qtmodeltester, db, town):
    with db.reading() as s:
        draft = svc.load_household(s, town["zhang"])
        history = svc.household_history(s, town["zhang"])
    members = MemberTableModel(draft.members, TODAY)
    qtmodeltester.check(members)
    assert members.data(members.index(0, 0)) == "张三"
    assert members.data(members.index(0, 6)) == "64"  # born 1960-03-15, today 2024-06-01
    histories = HistoryTableModel(history)
    qtmodeltester.check(histories)
    assert histories.rowCount() == len(history) > 0


# --------------------------------------------------------------------------- the page


def test_typing_in_search_box_filters_the_view(qtbot, page, town):
    assert page.model.rowCount() == 4
    assert page.count_label.text() == "共 4 户"
    qtbot.keyClicks(page.search, "zs")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert visible_heads(page) == ["张三"]
    assert page.count_label.text() == "找到 1 户（共 4 户）"
    page.search.clear()
    qtbot.keyClicks(page.search, "1111")  # household and member phone fragments
    qtbot.waitUntil(lambda: visible_heads(page) == ["张三"], timeout=3000)


def test_filters_cascade_village_to_group(qtbot, page, town):
    assert not page.group.isEnabled()
    page.village.set_value(town["east"])
    assert page.group.isEnabled()
    assert [page.group.itemText(i) for i in range(page.group.count())] == ["全部村民小组", "一组", "二组"]
    assert visible_heads(page) == ["王五", "张三"]
    page.group.set_value(town["e2"])
    assert visible_heads(page) == ["张三"]
    page.clear_filters()
    page.flag_actions["低保"].setChecked(True)
    assert visible_heads(page) == ["王五"]
    assert page.flags_button.text() == "户标识（1）"
    page.flag_actions["低保"].setChecked(False)
    page.status_filter.set_value("监测中")
    assert visible_heads(page) == ["刘备"]


def test_header_click_sorts_through_the_search(qtbot, page, town):
    page.view.sortByColumn(HouseholdTableModel.COL_SIZE, Qt.SortOrder.DescendingOrder)
    assert visible_heads(page) == ["张三", "刘备", "王五", "陈七"]
    page.search.setText("刘")  # QTest can only type ASCII; the input method is not simulated
    page.run_search()
    assert visible_heads(page) == ["刘备"]
    page.search.clear()
    page.run_search()  # the chosen order stays for the next search
    assert visible_heads(page) == ["张三", "刘备", "王五", "陈七"]


def test_changes_made_elsewhere_show_on_the_next_search(qtbot, page, town, db):
    row = page.model.row_of(town["chen"])
    assert page.model.data(page.model.index(row, HouseholdTableModel.COL_PHONE)) == ""
    with db.unit() as s:  # e.g. another page, through the ORM (so the audit trail records it)
        s.get(Household, town["chen"]).phone = "13612345678"
    page.search.setText("12345678")
    page.run_search()
    assert visible_heads(page) == ["陈七"]
    assert page.model.data(page.model.index(0, HouseholdTableModel.COL_PHONE)) == "13612345678"


def test_selecting_a_row_shows_derived_facts(qtbot, page, town):
    page.select_household(town["wang"])
    qtbot.waitUntil(lambda: "王五户" in page.details.toPlainText(), timeout=3000)
    text = page.details.toPlainText()
    assert "整户无劳动能力" in text and "赵六" in text


def test_details_show_the_households_data_quality_findings(qtbot, page, town, db):
    """After a save the household stays selected, so the pane shows what the rules still find."""
    with db.unit() as s:
        s.get(Household, town["chen"]).phone = "123"
    page.select_household(town["chen"])
    qtbot.waitUntil(lambda: "数据核查" in page.details.toPlainText(), timeout=3000)
    text = page.details.toPlainText()
    assert "数据核查（" in text and "联系电话“123”不是11位手机号码或固定电话" in text
    with db.unit() as s:
        s.get(Household, town["chen"]).phone = "13612345678"
    page._show_details()
    text = page.details.toPlainText()
    assert "数据核查" in text and "联系电话“123”" not in text


def test_enter_opens_the_editor_for_the_current_household(qtbot, page, town, monkeypatch):
    opened = []

    class FakeEditor:
        saved_id = None

        def __init__(self, ops, household_id, parent=None, **kwargs):
            opened.append(household_id)

        def exec(self):
            return QDialog.DialogCode.Rejected

        def deleteLater(self):
            pass

    page.editor_factory = FakeEditor
    page.select_household(town["liu"])
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert opened == [town["liu"]]
    page.view.doubleClicked.emit(page.model.index(page.model.row_of(town["chen"]), 0))
    assert opened == [town["liu"], town["liu"]]  # double click opens the current one


def test_delete_asks_for_confirmation_naming_the_household(qtbot, page, town, db, monkeypatch):
    boxes = Boxes(monkeypatch, answer=No)
    page.select_household(town["wang"])
    page.delete_button.click()
    assert len(boxes.questions) == 1
    assert "东山村一组 王五户（2人，户编号3415230010010001）" in boxes.questions[0]
    with db.reading() as s:
        assert s.get(Household, town["wang"]) is not None
    boxes.answer = Yes
    page.delete_button.click()
    with db.reading() as s:
        assert s.get(Household, town["wang"]) is None
        assert (
            s.scalar(
                select(AuditEntry.id).where(
                    AuditEntry.household_id == town["wang"],
                    AuditEntry.table_name == "households",
                    AuditEntry.action == "delete",
                )
            )
            is not None
        )
    assert "王五" not in visible_heads(page)
    assert page.count_label.text().startswith("共 3 户")


def test_delete_refused_household_shows_reason(qtbot, page, town, db, monkeypatch):
    boxes = Boxes(monkeypatch, answer=Yes)
    page.select_household(town["liu"])  # has a monitoring case
    page.delete_button.click()
    assert boxes.warnings and "1条监测记录" in boxes.warnings[0]
    with db.reading() as s:
        assert s.get(Household, town["liu"]) is not None


# --------------------------------------------------------------------------- the editor


def open_editor(qtbot, ops, household_id, **kwargs) -> HouseholdEditor:
    editor = HouseholdEditor(ops, household_id, today=TODAY, **kwargs)
    qtbot.addWidget(editor)
    editor.show()
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow, timeout=3000)  # shortcuts need the active window
    return editor


def test_editor_ctrl_s_saves_the_phone_with_audit(qtbot, db, ops, town, monkeypatch):
    boxes = Boxes(monkeypatch)
    editor = open_editor(qtbot, ops, town["zhang"])
    assert editor.windowTitle() == "编辑户：东山村二组 张三户"
    assert editor.phone.text() == "13800001111"
    editor.phone.setFocus()
    editor.phone.selectAll()
    qtbot.keyClicks(editor.phone, "13722223333")
    assert editor.is_dirty()
    qtbot.keyClick(editor.phone, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: editor.saved_id == town["zhang"], timeout=3000)
    assert boxes.warnings == []
    assert editor.result() == QDialog.DialogCode.Accepted
    with db.reading() as s:
        assert s.get(Household, town["zhang"]).phone == "13722223333"
        audit = s.scalars(
            select(AuditEntry).where(AuditEntry.household_id == town["zhang"], AuditEntry.field == "phone")
        ).one()
        assert (audit.old_value, audit.new_value) == ("13800001111", "13722223333")


def test_editor_escape_with_changes_asks_before_discarding(qtbot, db, ops, town, monkeypatch):
    boxes = Boxes(monkeypatch, answer=QMessageBox.StandardButton.Cancel)
    editor = open_editor(qtbot, ops, town["chen"])
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert boxes.questions == [] and not editor.isVisible()  # nothing changed: closes at once
    editor = open_editor(qtbot, ops, town["chen"])
    editor.address.setText("西河村一组5号")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert len(boxes.questions) == 1 and editor.isVisible()
    boxes.answer = QMessageBox.StandardButton.Discard
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert not editor.isVisible()
    with db.reading() as s:
        assert s.get(Household, town["chen"]).address is None


def test_editor_refuses_invalid_member_id_with_field_and_reason(qtbot, db, ops, town, monkeypatch):
    boxes = Boxes(monkeypatch)
    editor = open_editor(qtbot, ops, town["zhang"])
    good = pid(1990, 13)
    bad = good[:17] + ("0" if good[-1] != "0" else "1")
    editor.draft().members[2].id_number = bad
    assert editor.save() is False
    assert len(boxes.warnings) == 1
    assert f"第3名成员“张小明”：证件号码“{bad}”校验位错误" in boxes.warnings[0]
    assert editor.tabs.currentIndex() == 1  # jumped to 家庭成员 with the member selected
    assert editor.member_view.currentIndex().row() == 2
    with db.reading() as s:
        assert s.scalar(select(Member.id_number).where(Member.name == "张小明")) == good


def test_editor_new_household_with_member_and_income(qtbot, db, ops, town, monkeypatch):
    Boxes(monkeypatch)
    editor = open_editor(qtbot, ops, None, village_id=town["west"], group_id=town["w1"])
    assert editor.windowTitle() == "新增户"
    assert editor.group.value() == town["w1"]
    head = svc.new_member_draft("户主")
    head.name, head.id_number, head.education, head.ins_resident_medical = "孙九", pid(1980, 51), "初中", True
    head.labour_skill = "普通劳动力"
    editor.draft().members.append(head)
    editor.member_model.refresh()
    editor.phone.setText("13500001234")
    editor.tabs.setCurrentIndex(TAB_INCOME)
    editor.add_income()
    editor.money["wage"].setValue(12000)
    editor.money["business_cost"].setValue(2000.5)
    assert editor.net_label.text() == "9,999.50 元"
    assert editor.per_capita_label.text() == "9,999.50 元（1人）"
    assert editor.save() is True
    with db.reading() as s:
        saved = svc.load_household(s, editor.saved_id)
    assert saved.members[0].sex == "男" and saved.members[0].birth_date == dt.date(1980, 3, 15)
    assert saved.incomes[0].wage == Decimal("12000.00")
    assert saved.incomes[0].business_cost == Decimal("2000.50")


def test_editor_history_tab_lists_changes(qtbot, db, ops, town, monkeypatch):
    Boxes(monkeypatch)
    editor = open_editor(qtbot, ops, town["liu"])
    editor.address.setText("西河村一组8号")
    assert editor.save()
    editor = open_editor(qtbot, ops, town["liu"])
    editor.tabs.setCurrentIndex(TAB_HISTORY)
    m = editor.history_model
    rows = [[m.data(m.index(r, c)) for c in range(m.columnCount())] for r in range(m.rowCount())]
    assert ["测试", "修改", "户信息", "住址", "", "西河村一组8号"] == rows[0][1:]


def test_editor_set_head_asks_old_head_relation(qtbot, db, ops, town, monkeypatch):
    Boxes(monkeypatch)
    from PySide6.QtWidgets import QInputDialog

    asked = []

    def get_item(_parent, _title, label, items, current, editable):
        asked.append((label, items[current]))
        return "之父", True

    monkeypatch.setattr(QInputDialog, "getItem", get_item)
    editor = open_editor(qtbot, ops, town["zhang"])
    editor._select_member(editor.draft().members[2].key)
    editor.head_button.click()
    assert asked and asked[0][1] == "之父" and "原户主“张三”" in asked[0][0]
    assert [(m.name, m.relation) for m in editor.draft().members] == [
        ("张小明", "户主"),
        ("张三", "之父"),
        ("李梅", "配偶"),
    ]
    assert editor.save()
    with db.reading() as s:
        assert svc.fetch_rows(s, [town["zhang"]])[town["zhang"]].head_name == "张小明"


# --------------------------------------------------------------------------- the member dialog


def test_member_dialog_fills_sex_and_birth_from_id_and_keeps_education_exclusive(qtbot):
    member = svc.new_member_draft("之女")
    dialog = MemberDialog(member, today=TODAY)
    qtbot.addWidget(dialog)
    number = pid(2010, 77, female=True)
    qtbot.keyClicks(dialog.id_number, number[:-1] + number[-1].lower())
    assert dialog.sex.value() == "女" and not dialog.sex.isEnabled()
    assert dialog.birth_date.optional_date() == dt.date(2010, 3, 15)
    assert "号码有效" in dialog.id_status.text()
    dialog.not_student.setChecked(True)
    dialog.education.set_value("小学")
    dialog.student.setChecked(True)
    assert not dialog.education.isEnabled() and dialog.schooling.isEnabled()
    dialog.schooling.set_value("八年级")
    dialog.name.setText("张丽")
    dialog.health_boxes["健康"].setChecked(True)
    dialog.health_boxes["残疾"].setChecked(True)
    assert not dialog.health_boxes["健康"].isChecked()  # 健康 and 残疾 exclude each other
    dialog.health_boxes["健康"].setChecked(True)
    dialog.insurance["ins_resident_medical"].setChecked(True)
    dialog.labour_skill.set_value("无劳动力")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    m = dialog.member()
    assert (m.schooling, m.education, m.health) == ("八年级", None, "健康")
    assert m.id_number == number


def test_member_dialog_blocks_bad_id(qtbot, monkeypatch):
    boxes = Boxes(monkeypatch)
    dialog = MemberDialog(svc.new_member_draft("之子"), today=TODAY)
    qtbot.addWidget(dialog)
    dialog.name.setText("王小")
    dialog.education.set_value("小学")
    dialog.id_number.setText("341523201003150000")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert boxes.warnings and "证件号码“341523201003150000”校验位错误" in boxes.warnings[0]
