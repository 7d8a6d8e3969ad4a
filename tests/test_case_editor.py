"""The case editor (监测对象): the procedure walked through its form widgets, refusals shown in place,
measures / contacts / visits, elimination refusals, rollback, re-identification, the household
editor's 监测对象… button (pytest-qt, offscreen, synchronous task runner)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QDate, Qt  # noqa: E402
from PySide6.QtWidgets import QDialog, QMessageBox  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from test_households_service import person, pid  # noqa: E402

from fanpin_desktop.domain import procedure  # noqa: E402
from fanpin_desktop.models import Household, MonitoringCase, Village, VillageGroup  # noqa: E402
from fanpin_desktop.models.monitoring import CaseRisk, CaseStep, Contact, Measure, Visit  # noqa: E402
from fanpin_desktop.ui.dialogs import case_editor as ce  # noqa: E402
from fanpin_desktop.ui.dialogs.case_editor import (  # noqa: E402
    TAB_ELIMINATION,
    CaseEditor,
    ContactDialog,
    MeasureDialog,
    NewClueDialog,
    VisitDialog,
)

Yes, No = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

TODAY = dt.date(2026, 11, 20)  # not after the real today: some checks refuse future dates
CLUE = dt.date(2026, 10, 12)


class Boxes:
    """Records QMessageBox calls and answers questions as told."""

    def __init__(self, monkeypatch, answer=Yes):
        self.questions: list[str] = []
        self.warnings: list[str] = []
        self.answer = answer
        monkeypatch.setattr(QMessageBox, "question", self._question)
        monkeypatch.setattr(QMessageBox, "warning", self._warning)

    def _question(self, _parent, _title, text, *args, **kwargs):
        self.questions.append(text)
        return self.answer

    def _warning(self, _parent, _title, text, *args, **kwargs):
        self.warnings.append(text)
        return QMessageBox.StandardButton.Ok


@pytest.fixture
def boxes(monkeypatch):
    return Boxes(monkeypatch)


@pytest.fixture
def town(db):
    """One village, two households: 张三 (一般农户, a clue opened) and 李四 (an eliminated case)."""
    with db.unit() as s:
        village = Village(name="东山村", sort_order=1)
        s.add(village)
        s.flush()
        group = VillageGroup(village_id=village.id, name="一组", sort_order=1)
        s.add(group)
        s.flush()
        zhang = Household(
            village_id=village.id, group_id=group.id, code="3415230010010001", household_type="一般农户"
        )
        zhang.members = [
            person("张三", "户主", pid(1960, 11)),
            person("李梅", "配偶", pid(1962, 12, female=True), health="长期慢性病"),
        ]
        li = Household(
            village_id=village.id, group_id=group.id, code="3415230010010002", household_type="脱贫户"
        )
        li.members = [person("李四", "户主", pid(1958, 21))]
        wang = Household(
            village_id=village.id, group_id=group.id, code="3415230010010003", household_type="一般农户"
        )
        wang.members = [person("王五", "户主", pid(1970, 31))]
        s.add_all([zhang, li, wang])
        s.flush()
        clue = MonitoringCase(household_id=zhang.id, source="干部走访", status="线索", clue_date=CLUE)
        eliminated = MonitoringCase(
            household_id=li.id,
            source="集中排查",
            status="已消除",
            clue_date=dt.date(2025, 3, 1),
            category="脱贫不稳定户",
            identified_on=dt.date(2025, 3, 17),  # its 县级审定 below
            eliminated_on=dt.date(2026, 5, 10),
            elimination_mode="帮扶消除",
        )
        eliminated.risks = [CaseRisk(position=1, risk_type="因病")]
        eliminated.steps = [
            CaseStep(procedure="识别", step=name, done_on=dt.date(2025, 3, 2 + i * 3))
            for i, name in enumerate(procedure.IDENTIFICATION_STEPS)
        ] + [
            CaseStep(procedure="消除", step=name, done_on=dt.date(2026, 4, 10 + i * 3))
            for i, name in enumerate(procedure.ELIMINATION_STEPS[:-2])
        ]
        eliminated.steps += [
            CaseStep(procedure="消除", step="县级审定", done_on=dt.date(2026, 5, 10)),
        ]
        s.add_all([clue, eliminated])
        s.flush()
        return dict(zhang=zhang.id, li=li.id, wang=wang.id, clue=clue.id, eliminated=eliminated.id)


def open_editor(qtbot, ops, case_id, **kw) -> CaseEditor:
    editor = CaseEditor(ops, case_id, today=TODAY, **kw)
    qtbot.addWidget(editor)
    editor.show()
    return editor


def case_row(db, case_id) -> MonitoringCase:
    with db.reading() as s:
        case = s.get(MonitoringCase, case_id)
        s.expunge(case)
        return case


def step_count(db, case_id) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(CaseStep).where(CaseStep.case_id == case_id))


def qd(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def fill_facts(editor: CaseEditor) -> None:
    editor.tabs.setCurrentIndex(0)
    editor.category.set_value("边缘易致贫户")
    editor.risk_type.set_value("因自然灾害")
    assert editor.risk_subtype.isEnabled()
    editor.risk_subtype.set_value("洪涝")
    editor.risk_add.click()
    editor.risk_type.set_value("因病")
    assert not editor.risk_subtype.isEnabled()
    editor.risk_add.click()
    editor.risk_list.setCurrentRow(1)
    editor.risk_up.click()  # 因病 first
    editor.facts_save.click()


def do_step(editor: CaseEditor, day: dt.date, **fields) -> None:
    panel = editor.identification
    panel.done_on.setDate(qd(day))
    if "verifiers" in fields:
        panel.verifier1.setText(fields["verifiers"][0])
        panel.verifier2.setText(fields["verifiers"][1])
    if "attendees" in fields:
        panel.attendees.setText(fields["attendees"])
    if fields.get("signed"):
        panel.authorisation.setChecked(True)
    panel.submit_button.click()


# --------------------------------------------------------------------------- identification


def test_identification_walked_through_the_form_to_county_decision(qtbot, ops, db, town, boxes):
    editor = open_editor(qtbot, ops, town["clue"])
    announced = []
    ops.changed.connect(lambda changes, origin: announced.append(changes))
    assert "线索" in editor.status_line.text()
    panel = editor.identification
    assert panel.next == "农户申请"
    assert panel.authorisation.isVisibleTo(panel) and not panel.verifier1.isVisibleTo(panel)

    fill_facts(editor)
    stored = case_row(db, town["clue"])
    assert stored.category == "边缘易致贫户"
    with db.reading() as s:
        risks = s.execute(
            select(CaseRisk.position, CaseRisk.risk_type, CaseRisk.subtype)
            .where(CaseRisk.case_id == town["clue"])
            .order_by(CaseRisk.position)
        ).all()
    assert [tuple(r) for r in risks] == [(1, "因病", None), (2, "因自然灾害", "洪涝")]
    assert editor.risks() == (("因病", None), ("因自然灾害", "洪涝"))
    assert not editor.facts_dirty()

    do_step(editor, dt.date(2026, 10, 13), signed=True)
    assert case_row(db, town["clue"]).status == "识别中"
    assert "识别中" in editor.status_line.text()
    assert announced[-1].cases and not announced[-1].households  # 线索 and 识别中 both read 识别中
    assert panel.next == "入户核实"
    assert panel.verifier1.isVisibleTo(panel) and not panel.authorisation.isVisibleTo(panel)

    do_step(editor, dt.date(2026, 10, 14), verifiers=("赵一", "钱二"))
    do_step(editor, dt.date(2026, 10, 15), attendees="赵一、钱二、孙三")
    assert panel.next == "公示"
    panel.done_on.setDate(qd(dt.date(2026, 10, 16)))
    assert "2026-10-22" in panel.publicity_end.text()  # five working days: 16, 19, 20, 21, 22
    panel.submit_button.click()
    assert panel.table.item(3, 2).text() == "2026-10-22"
    do_step(editor, dt.date(2026, 10, 23))
    assert panel.next == "县级审定"
    do_step(editor, dt.date(2026, 10, 26))

    stored = case_row(db, town["clue"])
    assert stored.status == "已纳入"
    assert stored.identified_on == dt.date(2026, 10, 26)
    assert "监测中" in editor.status_line.text()
    assert "监测中" in editor.windowTitle()
    assert announced[-1].households
    assert panel.next == "系统录入"
    assert panel.table.rowCount() == 6
    assert [panel.table.item(r, 0).text() for r in range(6)] == list(procedure.IDENTIFICATION_STEPS[:6])
    assert panel.table.item(1, 3).text() == "赵一、钱二"
    assert editor.saved_id == town["clue"]
    assert boxes.warnings == []


def test_one_verifier_is_refused_in_place_and_nothing_is_saved(qtbot, ops, db, town, boxes):
    editor = open_editor(qtbot, ops, town["clue"])
    do_step(editor, dt.date(2026, 10, 13), signed=True)
    before = step_count(db, town["clue"])
    panel = editor.identification
    panel.done_on.setDate(qd(dt.date(2026, 10, 14)))
    panel.verifier1.setText("赵一")
    panel.submit_button.click()
    assert panel.error.isVisibleTo(panel)
    assert "两人" in panel.error.text()
    assert step_count(db, town["clue"]) == before
    assert panel.next == "入户核实"
    assert panel.verifier1.text() == "赵一"  # the clerk's input is kept
    assert boxes.warnings == []  # shown in place, not in a box
    # the same verifier twice is one person
    panel.verifier2.setText("赵一")
    panel.submit_button.click()
    assert step_count(db, town["clue"]) == before
    panel.verifier2.setText("钱二")
    panel.submit_button.click()
    assert step_count(db, town["clue"]) == before + 1
    assert not panel.error.isVisibleTo(panel)


def test_enter_submits_the_step_form(qtbot, ops, db, town, boxes):
    editor = open_editor(qtbot, ops, town["clue"])
    panel = editor.identification
    editor.tabs.setCurrentWidget(panel)
    panel.done_on.setDate(qd(dt.date(2026, 10, 13)))
    panel.authorisation.setChecked(True)
    panel.note.setFocus()
    qtbot.keyClick(panel.note, Qt.Key.Key_Return)
    assert step_count(db, town["clue"]) == 1
    assert panel.next == "入户核实"


def test_unsigned_application_and_county_decision_without_facts_are_refused(qtbot, ops, db, town, boxes):
    editor = open_editor(qtbot, ops, town["clue"])
    panel = editor.identification
    do_step(editor, dt.date(2026, 10, 13))
    assert "承诺授权书" in panel.error.text()
    assert step_count(db, town["clue"]) == 0


def test_refusal_at_a_step_ends_identification(qtbot, ops, db, town, boxes):
    editor = open_editor(qtbot, ops, town["clue"])
    panel = editor.identification
    do_step(editor, dt.date(2026, 10, 13), signed=True)
    panel.done_on.setDate(qd(dt.date(2026, 10, 14)))
    panel.verifier1.setText("赵一")
    panel.verifier2.setText("钱二")
    panel.refused.setChecked(True)
    panel.submit_button.click()
    assert "理由" in panel.error.text()  # a refusal needs its reason
    panel.reason.setText("家庭收入明显高于监测范围")
    panel.submit_button.click()
    stored = case_row(db, town["clue"])
    assert stored.status == "不纳入"
    assert "不予认定" in editor.status_line.text()
    assert panel.next is None and not panel.form_box.isVisibleTo(panel)
    assert "家庭收入明显高于监测范围" in panel.finished_note.text()


def test_undo_last_step_asks_first(qtbot, ops, db, town, monkeypatch):
    editor = open_editor(qtbot, ops, town["clue"])
    do_step(editor, dt.date(2026, 10, 13), signed=True)
    boxes = Boxes(monkeypatch, answer=No)
    editor.identification.undo_button.click()
    assert boxes.questions and "农户申请" in boxes.questions[0]
    assert step_count(db, town["clue"]) == 1
    boxes.answer = Yes
    editor.identification.undo_button.click()
    assert step_count(db, town["clue"]) == 0
    assert case_row(db, town["clue"]).status == "线索"
    assert editor.identification.next == "农户申请"


def test_publicity_in_an_unknown_holiday_year_says_so_in_place_and_once_in_a_box(qtbot, ops, town, boxes):
    ce._WARNED_YEARS.discard(2027)
    editor = open_editor(qtbot, ops, town["clue"])
    panel = editor.identification
    panel.next = "公示"
    panel._show_rows()
    panel.done_on.setDate(qd(dt.date(2027, 1, 4)))
    assert "2027" in panel.publicity_end.text() and "无法计算" in panel.publicity_end.text()
    assert len(boxes.warnings) == 1 and "2027" in boxes.warnings[0]
    panel.done_on.setDate(qd(dt.date(2027, 2, 1)))
    assert "无法计算" in panel.publicity_end.text()
    assert len(boxes.warnings) == 1  # the first time only
    panel.done_on.setDate(qd(dt.date(2026, 10, 16)))
    assert "2026-10-22" in panel.publicity_end.text()


# --------------------------------------------------------------------------- facts


def test_facts_refusal_shown_in_place_and_kept(qtbot, ops, db, town, boxes):
    editor = open_editor(qtbot, ops, town["clue"])
    editor.category.set_value("脱贫不稳定户")  # 张三 is not a 脱贫户
    editor.exclusion_boxes["vehicle"].setChecked(True)
    editor.facts_save.click()
    # whichever the service checks first, it is named in place and nothing was stored
    assert editor.facts_error.isVisibleTo(editor)
    assert case_row(db, town["clue"]).category is None
    assert editor.category.value() == "脱贫不稳定户"
    assert editor.facts_dirty()
    assert editor.risk_subtype.isEnabled() is False


def test_sixth_risk_is_refused_by_the_list(qtbot, ops, town, boxes):
    editor = open_editor(qtbot, ops, town["clue"])
    plain = [r for r in procedure.RISK_TYPES if r != procedure.NATURAL_DISASTER]
    for risk in plain[:6]:
        editor.risk_type.set_value(risk)
        editor.risk_add.click()
    assert editor.risk_list.count() == procedure.MAX_RISKS
    assert "最多" in editor.facts_error.text()


# --------------------------------------------------------------------------- measures, contacts, visits


def _answer(monkeypatch, cls, fill):
    def exec_(self):
        fill(self)
        self._ok()
        return self.result()

    monkeypatch.setattr(cls, "exec", exec_)


def test_measure_contact_visit_added_edited_deleted(qtbot, ops, db, town, monkeypatch):
    editor = open_editor(qtbot, ops, town["eliminated"])
    boxes = Boxes(monkeypatch)
    errors = []

    def fill_measure(d: MeasureDialog):
        d.category.set_value("就业帮扶")
        assert d.development.isChecked()  # 开发式 from the enumeration
        d.content.setPlainText("推荐到县工业园务工")
        d.unit_edit.setText("县人社局")
        d.amount.setValue(1200)
        d.member.setCurrentIndex(1)

    _answer(monkeypatch, MeasureDialog, fill_measure)
    assert not editor.measure_edit.isEnabled() and not editor.measure_delete.isEnabled()
    editor.add_measure()
    assert editor.measure_table.rowCount() == 1
    assert editor.measure_delete.isEnabled()  # the new measure is selected
    assert editor.measure_table.item(0, 0).text() == "就业帮扶"
    assert editor.measure_table.item(0, 1).text() == "是"
    assert editor.measure_table.item(0, 7).text() == "李四"
    with db.reading() as s:
        m = s.scalars(select(Measure).where(Measure.case_id == town["eliminated"])).one()
        assert (m.responsible_unit, str(m.amount), m.is_development) == ("县人社局", "1200.00", True)

    # a refusal in the dialog stays in the dialog
    def empty_measure(d: MeasureDialog):
        d.category.set_value("产业帮扶")
        d.content.setPlainText("")
        errors.append(d)

    _answer(monkeypatch, MeasureDialog, empty_measure)
    editor.add_measure()
    assert errors[-1].result() != QDialog.DialogCode.Accepted
    assert errors[-1].error.text()
    assert editor.measure_table.rowCount() == 1

    def fill_contact(d: ContactDialog):
        d.name.setText("周干部")
        d.unit_edit.setText("镇农业办")
        d.phone.setText("13800001111")

    _answer(monkeypatch, ContactDialog, fill_contact)
    editor.add_contact()
    assert editor.contact_table.rowCount() == 1
    assert editor.contact_table.item(0, 0).text() == "周干部"
    assert "周干部" in editor.contact_hint.text()

    def fill_visit(d: VisitDialog):
        assert d.visitor.text() == "周干部"  # the current contact by default
        d.mode.set_value("电话")
        d.visited_on.setDate(qd(dt.date(2026, 11, 18)))
        d.findings.setPlainText("务工稳定")
        d.income_change.setText("月收入增加约2000元")

    _answer(monkeypatch, VisitDialog, fill_visit)
    editor.add_visit()
    assert editor.visit_table.rowCount() == 1
    assert [editor.visit_table.item(0, c).text() for c in (0, 1, 4)] == [
        "2026-11-18",
        "电话",
        "月收入增加约2000元",
    ]

    # edit the measure
    editor.measure_table.selectRow(0)

    def change_measure(d: MeasureDialog):
        assert d.content.toPlainText() == "推荐到县工业园务工"
        d.content.setPlainText("推荐到县工业园务工（已上岗）")

    _answer(monkeypatch, MeasureDialog, change_measure)
    editor.edit_measure()
    assert editor.measure_table.item(0, 2).text() == "推荐到县工业园务工（已上岗）"

    # delete each, after a confirmation; 否 keeps it
    boxes.answer = No
    editor.visit_table.selectRow(0)
    editor.delete_visit()
    assert editor.visit_table.rowCount() == 1
    boxes.answer = Yes
    editor.delete_visit()
    editor.contact_table.selectRow(0)
    editor.delete_contact()
    editor.measure_table.selectRow(0)
    editor.delete_measure()
    assert len(boxes.questions) == 4
    assert not editor.measure_delete.isEnabled() and not editor.visit_edit.isEnabled()
    assert (
        editor.measure_table.rowCount(),
        editor.contact_table.rowCount(),
        editor.visit_table.rowCount(),
    ) == (0, 0, 0)
    with db.reading() as s:
        for model in (Measure, Contact, Visit):
            assert s.scalar(select(func.count()).select_from(model)) == 0


# --------------------------------------------------------------------------- elimination, rollback


def _monitored_case(db, household_id: int, identified_on: dt.date) -> int:
    """A case identified on ``identified_on`` with elimination done up to 乡镇审核."""
    with db.unit() as s:
        case = MonitoringCase(
            household_id=household_id,
            source="干部走访",
            status="消除中",
            clue_date=identified_on - dt.timedelta(days=14),
            category="边缘易致贫户",
            identified_on=identified_on,
        )
        case.risks = [CaseRisk(position=1, risk_type="因病")]
        case.steps = [
            CaseStep(procedure="识别", step=name, done_on=identified_on - dt.timedelta(days=6 - i))
            for i, name in enumerate(procedure.IDENTIFICATION_STEPS[:6])
        ]
        case.steps += [
            CaseStep(procedure="消除", step="村提名", done_on=dt.date(2026, 11, 2)),
            CaseStep(procedure="消除", step="入户核实", done_on=dt.date(2026, 11, 3), people="赵一、钱二"),
            CaseStep(
                procedure="消除", step="村级评议", done_on=dt.date(2026, 11, 4), people="赵一", result="同意"
            ),
            CaseStep(
                procedure="消除", step="公示", done_on=dt.date(2026, 11, 5), end_on=dt.date(2026, 11, 11)
            ),
            CaseStep(procedure="消除", step="乡镇审核", done_on=dt.date(2026, 11, 12)),
        ]
        s.add(case)
        s.flush()
        return case.id


def test_elimination_refusals_shown_live_and_nothing_saved(qtbot, ops, db, town, boxes):
    case_id = _monitored_case(db, town["wang"], dt.date(2026, 8, 1))
    editor = open_editor(qtbot, ops, case_id)
    assert editor.tabs.currentIndex() == TAB_ELIMINATION
    panel = editor.elimination
    assert panel.next == "县级审定"
    assert panel.mode.isVisibleTo(panel) and panel.refusals.isVisibleTo(panel)
    panel.done_on.setDate(qd(dt.date(2026, 11, 16)))
    panel.mode.set_value("帮扶消除")
    text = panel.refusals.text()
    assert "不能风险消除" in text
    assert "不满6个月" in text  # identified 2026-08-01
    assert "帮扶措施" in text  # 帮扶消除 without any measure
    assert "人均纯收入" in text  # no income entered
    panel.mode.set_value("自然消除")
    assert "不满6个月" not in panel.refusals.text()  # 自然消除 is not held to six months
    before = step_count(db, case_id)
    panel.submit_button.click()
    assert panel.error.isVisibleTo(panel) and "不能风险消除" in panel.error.text()
    assert step_count(db, case_id) == before
    assert case_row(db, case_id).status == "消除中"


def test_rollback_returns_the_case_to_monitoring(qtbot, ops, db, town, boxes):
    editor = open_editor(qtbot, ops, town["eliminated"])
    announced = []
    ops.changed.connect(lambda changes, origin: announced.append(changes))
    assert editor.tabs.currentIndex() == TAB_ELIMINATION
    assert editor.rollback_box.isVisibleTo(editor.elimination)
    assert editor.elimination.next == "系统录入"  # only 系统录入 may follow an elimination
    editor.rollback_on.setDate(qd(dt.date(2026, 11, 10)))
    editor.rollback_button.click()
    assert editor.rollback_error.isVisibleTo(editor.elimination)  # the reason is required
    assert case_row(db, town["eliminated"]).status == "已消除"
    editor.rollback_reason.setText("回头看发现务工收入不稳定")
    editor.rollback_button.click()
    stored = case_row(db, town["eliminated"])
    assert stored.status == "已回退"
    assert stored.rolled_back_on == dt.date(2026, 11, 10)
    assert stored.rollback_reason == "回头看发现务工收入不稳定"
    assert "已回退" in editor.status_line.text()
    assert not editor.rollback_box.isVisibleTo(editor.elimination)
    assert announced[-1].households  # 已消除 → 监测中
    # a new elimination attempt starts after the rollback
    assert editor.elimination.next == "村提名"
    assert len(boxes.questions) == 2


def test_reidentify_opens_a_linked_clue_in_the_editor(qtbot, ops, db, town, monkeypatch):
    Boxes(monkeypatch)
    editor = open_editor(qtbot, ops, town["eliminated"])

    def fill(d: NewClueDialog):
        d.source.set_value("农户自主申报")
        d.clue_date.setDate(qd(dt.date(2026, 11, 15)))
        d.note.setText("突发重病")

    _answer(monkeypatch, NewClueDialog, fill)
    editor.reidentify_button.click()
    assert editor.case_id != town["eliminated"]
    new = case_row(db, editor.case_id)
    assert (new.status, new.previous_case_id, new.source) == ("线索", town["eliminated"], "农户自主申报")
    assert "上一次监测记录" in editor.status_line.text()
    assert editor.identification.next == "农户申请"


def test_new_clue_dialog_requires_a_source(qtbot, ops, db, town):
    dialog = NewClueDialog(ops, town["wang"], today=TODAY)
    qtbot.addWidget(dialog)
    dialog._ok()
    assert "线索来源" in dialog.error.text()
    assert dialog.saved_id is None


# --------------------------------------------------------------------------- the household editor's button


def test_household_editor_opens_the_open_case_or_offers_a_clue(qtbot, ops, db, town, monkeypatch):
    from fanpin_desktop.ui.dialogs.household_editor import HouseholdEditor

    opened = []
    monkeypatch.setattr(CaseEditor, "exec", lambda self: opened.append(self.case_id) or 0)
    boxes = Boxes(monkeypatch)

    editor = HouseholdEditor(ops, town["zhang"], today=TODAY)
    qtbot.addWidget(editor)
    editor.case_button.click()
    assert opened == [town["clue"]]
    assert boxes.questions == []

    editor = HouseholdEditor(ops, town["wang"], today=TODAY)
    qtbot.addWidget(editor)

    def fill(d: NewClueDialog):
        d.source.set_value("干部走访")

    _answer(monkeypatch, NewClueDialog, fill)
    editor.case_button.click()
    assert boxes.questions and "新建" in boxes.questions[0]
    with db.reading() as s:
        new_id = s.scalar(select(MonitoringCase.id).where(MonitoringCase.household_id == town["wang"]))
    assert opened == [town["clue"], new_id]
    assert case_row(db, new_id).status == "线索"


def test_dialog_fits_a_small_screen(qtbot, ops, town):
    editor = open_editor(qtbot, ops, town["clue"])
    hint = editor.minimumSizeHint()
    assert hint.width() <= 1200 and hint.height() <= 700
    assert editor.width() <= 1200 and editor.height() <= 700


def test_quarterly_review_and_household_link(qtbot, ops, db, town, monkeypatch):
    from fanpin_desktop.ui.dialogs import household_editor

    Boxes(monkeypatch)
    editor = open_editor(qtbot, ops, town["clue"])
    assert not editor.review_button.isEnabled()  # a clue is not monitored yet
    case_id = _monitored_case(db, town["wang"], dt.date(2026, 8, 1))
    editor = open_editor(qtbot, ops, case_id)
    assert editor.review_button.isEnabled()

    def fill(d):
        d.on.setDate(qd(dt.date(2026, 11, 19)))
        d.note.setText("风险未消除，继续帮扶")

    _answer(monkeypatch, ce.ReviewDialog, fill)
    editor.review_button.click()
    assert case_row(db, case_id).reviewed_on == dt.date(2026, 11, 19)
    assert "2026-11-19" in editor.review_note.text()

    shown = []

    def fake_exec(dialog):
        shown.append(dialog.windowTitle())
        dialog.saved_id = town["wang"]
        return 1

    monkeypatch.setattr(household_editor.HouseholdEditor, "exec", fake_exec)
    editor.household_button.click()
    assert shown and "王五" in shown[0]
