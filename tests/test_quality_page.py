"""The 数据核查 page and the editors' findings strip, on a small demo township with a planted problem
(a member's phone "123"): a run shows the counts, a rule lists its findings, a waiver (with its
reason) is shown and survives a rerun until the data changes, double-click opens the editor."""

from __future__ import annotations

import datetime as dt
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from db_templates import build_template, open_copy  # noqa: E402
from PySide6.QtTest import QAbstractItemModelTester  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402
from sqlalchemy import select  # noqa: E402

from fanpin_desktop.demo import build_demo  # noqa: E402
from fanpin_desktop.domain.rules import RULES  # noqa: E402
from fanpin_desktop.models import Household, Member  # noqa: E402
from fanpin_desktop.ui.operations import HOUSEHOLDS, Operations  # noqa: E402
from fanpin_desktop.ui.pages.quality import STALE_TEXT, QualityPage  # noqa: E402
from fanpin_desktop.ui.tasks import TaskRunner  # noqa: E402

PHONE_RULE = "FP-HH-009"
FATAL = QAbstractItemModelTester.FailureReportingMode.Fatal


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    path, _ = build_template(
        tmp_path_factory.mktemp("quality_demo"), lambda database: build_demo(database, households=300)
    )
    return path


@pytest.fixture
def db(demo_template, data_paths):
    database = open_copy(demo_template, data_paths.database)
    yield database
    database.dispose()


@pytest.fixture
def ops(db, qapp):
    operations = Operations(db, TaskRunner(synchronous=True))
    yield operations
    operations.runner.shutdown()
    operations.deleteLater()


@pytest.fixture
def planted(db) -> dict:
    """A member of the first household gets the phone "123" (FP-HH-009)."""
    with db.unit() as s:
        household = s.scalars(select(Household).order_by(Household.id)).first()
        member = s.scalars(
            select(Member).where(Member.household_id == household.id).order_by(Member.id)
        ).first()
        member.phone = "123"
        return {"household_id": household.id, "member_id": member.id, "name": member.name}


def set_phone(db, member_id: int, phone: str) -> None:
    with db.unit() as s:
        s.get(Member, member_id).phone = phone


@pytest.fixture
def page(qtbot, ops, data_paths):
    p = QualityPage(ops, data_paths.exports, today=dt.date.today())
    qtbot.addWidget(p)
    return p


def count_of(page: QualityPage, code: str) -> tuple[int, int]:
    """(open, waived) findings of a rule as the table shows them; a rule left out shows none."""
    r = page.rule_model.row_of_code(code)
    if r is None:
        return 0, 0
    row = page.rule_model.row_data(r)
    return row.count, row.exempted


def planted_finding(page: QualityPage, planted: dict):
    page.select_rule(PHONE_RULE)
    for r in range(page.finding_model.rowCount()):
        f = page.finding_model.row_data(r)
        if f.member_id == planted["member_id"]:
            page.select_finding(f.finding.key)
            return page.current_finding()
    return None


def test_run_shows_counts_and_findings(page, planted):
    assert page.rule_model.rowCount() == 0
    page.only_open.setChecked(False)
    page.run()
    assert page.report is not None
    assert page.rule_model.rowCount() == len(RULES)
    count, exempted = count_of(page, PHONE_RULE)
    assert count >= 1 and exempted == 0
    assert "错误" in page.summary.text()

    f = planted_finding(page, planted)
    assert f is not None
    assert page.finding_model.rowCount() == count
    assert "123" in f.message
    # the row shows the village, the head and the member
    texts = [page.finding_model.index(page.finding_model.row_of(f.finding.key), c).data() for c in range(6)]
    assert texts[3] == planted["name"]
    assert texts[0] and texts[2]
    assert texts[5] == ""

    # the group filter keeps only that group's rules
    page.group.set_value("收入")
    assert all(page.rule_model.row_data(r).group == "收入" for r in range(page.rule_model.rowCount()))
    page.group.set_value(None)
    page.only_open.setChecked(True)  # the default: rules without findings are left out
    assert all(page.rule_model.row_data(r).count for r in range(page.rule_model.rowCount()))


def test_village_filter(page, planted, ops):
    page.run()
    f = planted_finding(page, planted)
    other = next(
        page.village.itemData(i)
        for i in range(1, page.village.count())
        if page.village.itemData(i) != f.village_id
    )
    page.village.set_value(other)
    assert all(x.village_id == other for x in page.visible_findings())
    assert planted["member_id"] not in [
        x.member_id for x in page.visible_findings() if x.rule_code == PHONE_RULE
    ]
    page.village.set_value(f.village_id)
    assert planted_finding(page, planted) is not None


def test_exempt_survives_rerun_until_the_phone_changes(page, planted, db):
    page.run()
    before, _ = count_of(page, PHONE_RULE)
    planted_finding(page, planted)
    page.ask_reason = lambda _f: None  # cancelled: nothing happens
    assert page.exempt_current() is None
    page.ask_reason = lambda _f: "已核实，为座机短号"
    page.exempt_current()
    f = page.current_finding()
    assert f is not None and f.member_id == planted["member_id"]
    assert f.exempted
    row = page.finding_model.row_of(f.finding.key)
    assert page.finding_model.index(row, 5).data() == "已豁免：已核实，为座机短号"
    assert count_of(page, PHONE_RULE) == (before - 1, 1)
    assert page.unexempt_button.isEnabled() and not page.exempt_button.isEnabled()

    page.run()  # the waiver is stored
    f = planted_finding(page, planted)
    assert f.exempted
    assert count_of(page, PHONE_RULE) == (before - 1, 1)

    set_phone(db, planted["member_id"], "456")  # the data the waiver was about changed
    page.run()
    f = planted_finding(page, planted)
    assert not f.exempted and "456" in f.message
    assert count_of(page, PHONE_RULE) == (before, 0)


def test_unexempt(page, planted):
    page.run()
    before, _ = count_of(page, PHONE_RULE)
    planted_finding(page, planted)
    page.exempt_current("已核实")
    assert count_of(page, PHONE_RULE) == (before - 1, 1)
    page.unexempt_current()
    assert page.current_finding().exempted is False
    assert count_of(page, PHONE_RULE) == (before, 0)
    page.run()
    assert count_of(page, PHONE_RULE) == (before, 0)


def test_fixed_phone_leaves_the_list(page, planted, db):
    page.run()
    before, _ = count_of(page, PHONE_RULE)
    set_phone(db, planted["member_id"], "13812345678")
    page.run()
    assert count_of(page, PHONE_RULE) == (before - 1, 0)
    assert planted_finding(page, planted) is None


def test_change_notice_marks_the_result_stale(page, planted, ops):
    page.on_changes(HOUSEHOLDS, None)  # as the main window hands it on
    assert page.stale_label.isHidden()  # nothing run yet
    page.run()
    page.on_changes(HOUSEHOLDS, None)  # as the main window hands it on
    assert page.outdated and not page.stale_label.isHidden()
    assert STALE_TEXT in page.stale_label.text()
    assert page.rule_model.rowCount() > 0  # the result stays until the next run
    page.run()
    assert page.stale_label.isHidden()


class FakeEditor:
    def __init__(self, opened: list, kind: str, record_id: int) -> None:
        opened.append((kind, record_id))
        self.saved_id = None

    def exec(self) -> int:
        return 0


def test_a_fix_in_the_editor_leaves_the_list_at_once(page, planted, db):
    page.run()
    before, _ = count_of(page, PHONE_RULE)
    planted_finding(page, planted)

    class FixingEditor:
        """Stands for the household editor: the clerk corrects the phone and saves."""

        def __init__(self, _ops, household_id, _parent) -> None:
            self.household_id = household_id
            self.saved_id = None

        def exec(self) -> int:
            set_phone(db, planted["member_id"], "13812345678")
            page.on_changes(HOUSEHOLDS, None)  # the save's notice, as the window hands it on
            self.saved_id = self.household_id
            return 1

    page.household_editor_factory = FixingEditor
    page.open_current()
    assert count_of(page, PHONE_RULE) == (before - 1, 0)
    assert all(f.member_id != planted["member_id"] for f in page.findings if f.rule_code == PHONE_RULE)
    assert not page.outdated and page.stale_label.isHidden()


def test_double_click_opens_the_editor(page, planted, qtbot):
    opened: list = []
    page.household_editor_factory = lambda _ops, hid, _p: FakeEditor(opened, "household", hid)
    page.case_editor_factory = lambda _ops, cid, _p: FakeEditor(opened, "case", cid)
    page.run()
    f = planted_finding(page, planted)
    index = page.finding_view.currentIndex()
    page.finding_view.doubleClicked.emit(index)
    assert opened == [("household", planted["household_id"])]
    assert f.case_id is None

    case_finding = next((x for x in page.findings if x.case_id is not None), None)
    if case_finding is not None:
        page.select_rule(case_finding.rule_code)
        page.select_finding(case_finding.finding.key)
        page.open_current()
        assert opened[-1] == ("case", case_finding.case_id)


def test_export(page, planted, monkeypatch, data_paths):
    told: list = []
    monkeypatch.setattr(page.jobs, "offer_open", lambda title, text, path: told.append((title, text, path)))
    page.run()
    target = data_paths.exports / "问题清单.xlsx"
    page.export(target)
    assert target.exists() and target.stat().st_size > 0
    assert told and told[0][2] == target


def test_rules_list_lists_every_rule(page):
    model = page.rule_list_model
    assert model.rowCount() == len(RULES)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [r.code for r in RULES]
    assert model.index(0, 3).data() == RULES[0].title


def test_models_pass_the_model_tester(page, planted):
    page.run()
    page.select_rule(PHONE_RULE)
    for model in (page.rule_model, page.finding_model, page.rule_list_model, page.rule_proxy):
        QAbstractItemModelTester(model, FATAL)
    page.show_counts()
    page.group.set_value("家庭成员")


def test_household_editor_strip_after_save(qtbot, ops, planted, db, monkeypatch):
    from fanpin_desktop.ui.dialogs.household_editor import HouseholdEditor

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: pytest.fail(f"refused: {a[2]}"))
    editor = HouseholdEditor(ops, planted["household_id"], today=dt.date.today())
    qtbot.addWidget(editor)
    assert not editor.findings_strip.isHidden()
    assert "错误" in editor.findings_strip.text()
    assert "123" in editor.findings_strip.toolTip()
    member = next(m for m in editor.draft().members if m.id == planted["member_id"])
    member.phone = "13812345678"
    assert editor.save()
    assert editor.saved_id == planted["household_id"]
    assert "123" not in editor.findings_strip.toolTip()
    assert all(f.rule_code != PHONE_RULE or f.member_id != planted["member_id"] for f in editor.findings)


def test_case_editor_strip(qtbot, ops, db):
    from fanpin_desktop.models import MonitoringCase
    from fanpin_desktop.ui.dialogs.case_editor import CaseEditor

    with db.reading() as s:
        case_id = s.scalars(select(MonitoringCase.id).order_by(MonitoringCase.id)).first()
    assert case_id is not None  # the demo has cases in every status
    editor = CaseEditor(ops, case_id, today=dt.date.today())
    qtbot.addWidget(editor)
    assert not editor.findings_strip.isHidden()
    assert editor.findings_strip.text().startswith("数据核查：")


def test_sidebar_lists_the_page():
    from fanpin_desktop.ui.main_window import PAGES

    keys = [p.key for p in PAGES]
    assert keys.index("quality") == keys.index("ledger") + 1
    assert next(p for p in PAGES if p.key == "quality").title == "数据核查"


def test_reason_dialog_requires_a_reason(qtbot):
    from PySide6.QtWidgets import QDialog

    from fanpin_desktop.ui.pages.quality import ReasonDialog

    dialog = ReasonDialog("曾军户成员曾军：联系电话“123”不是11位手机号码或固定电话，请改正")
    qtbot.addWidget(dialog)
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "请填写豁免原因" in dialog.message.text()
    dialog.text.setPlainText("  已核实，为村委会座机短号  ")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.reason() == "已核实，为村委会座机短号"
