"""The 部门预警 page: a department's list imported (valid ID, invalid ID with a known name, an
unknown person, a duplicate, a row over the 医保 limit), every row shown with its match status,
the outcomes, a re-import adding nothing; the county's problem list imported and tracked; the
mapping dialog; the models (pytest-qt, offscreen, on the 300-household demo)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QAbstractItemModelTester  # noqa: E402
from PySide6.QtWidgets import QDialog  # noqa: E402
from sqlalchemy import select  # noqa: E402

from fanpin_desktop.context import open_app  # noqa: E402
from fanpin_desktop.db import Database  # noqa: E402
from fanpin_desktop.domain.ids import is_valid as is_valid_id  # noqa: E402
from fanpin_desktop.models import Household, Member, MonitoringCase  # noqa: E402
from fanpin_desktop.models.region import Village  # noqa: E402
from fanpin_desktop.services import county_problems as county  # noqa: E402
from fanpin_desktop.services import warnings as ws  # noqa: E402
from fanpin_desktop.services.cases import detail  # noqa: E402
from fanpin_desktop.ui.operations import Operations  # noqa: E402
from fanpin_desktop.ui.pages.warnings import (  # noqa: E402
    ST_CLOSED,
    ST_TO_CONFIRM,
    ST_UNMATCHED,
    TAB_COUNTY,
    MappingDialog,
    WarningsPage,
    sidebar_count,
)
from fanpin_desktop.ui.table_models.warnings import (  # noqa: E402
    AMOUNT,
    OUTCOME,
    RED_BG,
    ProblemItemTableModel,
    WarningTableModel,
)
from fanpin_desktop.ui.tasks import TaskRunner  # noqa: E402

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

TODAY = dt.date.today()
HEADER = ["序号", "姓名", "身份证号码", "所在村", "预警事项", "个人自付金额", "结算日期"]


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> Path:
    ctx = open_app(
        tmp_path_factory.mktemp("warn") / "data", demo=True, demo_households=300, auto_backup=False
    )
    path = ctx.paths.database
    ctx.db.dispose()
    return path


@pytest.fixture
def ops(demo_template, tmp_path, qapp):
    target = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_template, target)
    db = Database(target, user="测试")
    operations = Operations(db, TaskRunner(synchronous=True))
    yield operations
    operations.runner.shutdown()
    operations.deleteLater()
    db.dispose()


def _people(ops: Operations) -> dict[str, tuple]:
    """Three members of households without an open case (for 纳入监测), with their villages."""
    with ops.db.reading() as s:
        rows = s.execute(
            select(Member.id, Member.name, Member.id_number, Member.household_id, Village.name)
            .join(Household, Household.id == Member.household_id)
            .join(Village, Village.id == Household.village_id)
            .order_by(Member.id)
        ).all()
        names = [r[1] for r in rows]
        picked = []
        for r in rows:
            if not (r[2] and is_valid_id(r[2])) or names.count(r[1]) != 1:
                continue
            if detail.household_open_case(s, r[3]) is not None:
                continue
            if any(p[3] == r[3] for p in picked):
                continue
            picked.append(r)
            if len(picked) == 3:
                break
    return {"a": picked[0], "b": picked[1], "c": picked[2]}


def _warning_file(path: Path, people: dict[str, tuple]) -> Path:
    a, b, c = people["a"], people["b"], people["c"]
    wb = Workbook()
    sheet = wb.active
    sheet.append(["2026年11月医保大额自付预警清单"])
    sheet.append(HEADER)
    bad_id = b[2][:-1] + ("0" if b[2][-1] != "0" else "1")  # checksum broken
    data = [
        [1, a[1], a[2], a[4], "住院自付", "15000", "2026-11-03"],  # valid ID, over the limit
        [2, b[1], bad_id, b[4], "门诊慢病", "2300", "2026-11-05"],  # invalid ID, known name → 待确认
        [3, "查无此人", "", "某某村", "住院自付", "8000", "2026-11-06"],  # unknown → 未匹配
        [1, a[1], a[2], a[4], "住院自付", "15000", "2026-11-03"],  # the first row again
        [5, c[1], c[2], c[4], "门诊", "900", "2026-11-08"],  # valid ID
    ]
    for row in data:
        sheet.append(row)
    wb.save(path)
    return path


def _county_file(path: Path, people: dict[str, tuple]) -> Path:
    a, c = people["a"], people["c"]
    wb = Workbook()
    sheet = wb.active
    sheet.append(["户主姓名", "户主证件号码", "村", "疑点类型", "疑点描述"])
    sheet.append([a[1], a[2], a[4], "R01", "家庭人口与成员数不一致"])
    sheet.append([c[1], c[2], c[4], "R12", "务工收入为0但有劳动力"])
    sheet.append(["外乡人", "", "", "R03", "证件号码重复"])
    wb.save(path)
    return path


def _page(ops: Operations, qtbot) -> WarningsPage:
    page = WarningsPage(ops, today=TODAY)
    qtbot.addWidget(page)
    page.jobs.inform = lambda title, text: page.jobs.messages.append((title, text))  # type: ignore[method-assign]
    page.confirm = lambda title, text: False  # type: ignore[method-assign]
    return page


def _mine(page: WarningsPage, file_name: str) -> list[ws.WarningRow]:
    """The listed rows that came from ``file_name`` (the demo has warnings of its own)."""
    return [r for r in page.model.rows() if r.file_name == file_name]


def _select_name(page: WarningsPage, name: str) -> ws.WarningRow:
    for r in range(page.proxy.rowCount()):
        index = page.proxy.index(r, 0)
        row = page.model.row_data(page.proxy.mapToSource(index).row())
        if row.person_name == name:
            page.view.setCurrentIndex(index)
            return row
    raise AssertionError(f"{name} not listed")


def test_import_lists_every_row_with_its_match_and_reimport_adds_nothing(ops, qtbot, tmp_path):
    people = _people(ops)
    path = _warning_file(tmp_path / "医保预警.xlsx", people)
    page = _page(ops, qtbot)
    before = sidebar_count(ops)
    page.import_warnings(path, "医保", ask=False)
    result = page.last_import
    assert (result.total_rows, result.new, result.duplicates_in_file) == (5, 4, 1)
    assert len(_mine(page, path.name)) == 4
    by_name = {r.person_name: r for r in _mine(page, path.name)}
    a, b, c = (people[k][1] for k in "abc")
    assert by_name[a].match_status == "已匹配"
    assert by_name[c].match_status == "已匹配"
    assert by_name[b].match_status == "待确认"
    assert by_name["查无此人"].match_status == "未匹配"
    # the over-the-limit row is red with the reason in the tooltip; the others not
    row_a = page.model.row_of(by_name[a].id)
    assert page.model.data(page.model.index(row_a, AMOUNT), Qt.ItemDataRole.BackgroundRole) == RED_BG
    assert "10000" in page.model.data(page.model.index(row_a, AMOUNT), Qt.ItemDataRole.ToolTipRole).replace(
        ",", ""
    )
    row_c = page.model.row_of(by_name[c].id)
    assert page.model.data(page.model.index(row_c, AMOUNT), Qt.ItemDataRole.BackgroundRole) != RED_BG
    assert "待确认 1" in page.counts_label.text() and "未匹配 1" in page.counts_label.text()
    assert page.jobs.messages and "新收到4条" in page.jobs.messages[-1][1]
    assert sidebar_count(ops) == before + 4

    # the filters
    page.status.set_value(ST_UNMATCHED)
    assert [r.person_name for r in _mine(page, path.name)] == ["查无此人"]
    assert all(r.match_status == "未匹配" for r in page.model.rows())
    page.status.set_value(ST_TO_CONFIRM)
    assert [r.person_name for r in _mine(page, path.name)] == [b]
    page.status.set_value(None)
    page.over_only.setChecked(True)
    assert [r.person_name for r in _mine(page, path.name)] == [a]
    assert all(r.over_threshold for r in page.model.rows())
    page.over_only.setChecked(False)
    listed = page.model.rowCount()

    # the same file again: nothing new, every row still listed once
    page.import_warnings(path, "医保", ask=False)
    again = page.last_import
    assert (again.new, again.already + again.duplicates_in_file) == (0, 5)
    assert page.model.rowCount() == listed and len(_mine(page, path.name)) == 4


def test_outcomes_from_the_page(ops, qtbot, tmp_path):
    people = _people(ops)
    page = _page(ops, qtbot)
    before = sidebar_count(ops)
    page.import_warnings(_warning_file(tmp_path / "w.xlsx", people), "医保", ask=False)
    a, b, c = (people[k] for k in "abc")

    # 纳入监测 opens a 线索 case (source 部门预警); the editor is offered (declined here)
    row = _select_name(page, a[1])
    assert page.include_button.isEnabled()
    asked: list[str] = []
    page.confirm = lambda title, text: asked.append(text) or False  # type: ignore[method-assign]
    page.include()
    case_id = ops.read(detail.household_open_case, a[3])
    assert case_id is not None and page.last_case_id == case_id
    with ops.db.reading() as s:
        case = s.get(MonitoringCase, case_id)
        assert (case.status, case.source) == ("线索", "部门预警")
    assert asked and "打开" in asked[0]
    assert page.current_warning().outcome == "纳入监测"
    assert page.current_warning().id == row.id

    # 不符合 needs a reason: the dialog refuses an empty one, cancelling changes nothing
    _select_name(page, c[1])
    page.ask_reason = lambda *args, **kw: None  # type: ignore[method-assign]
    assert page.reject() is None
    assert page.current_warning().outcome is None
    page.reject("家庭收入远高于监测范围")
    assert (page.current_warning().outcome, page.current_warning().outcome_reason) == (
        "不符合",
        "家庭收入远高于监测范围",
    )
    assert "不符合" in page.model.data(
        page.proxy.mapToSource(page.view.currentIndex()).siblingAtColumn(OUTCOME)
    )

    # 待确认: 纳入 is refused until confirmed; 确认匹配 makes it 已匹配
    _select_name(page, b[1])
    assert not page.include_button.isEnabled() and page.confirm_button.isEnabled()
    page.confirm_match()
    assert page.current_warning().match_status == "已匹配"

    # 未匹配: 指定农户 (the picker bypassed), then 不符合
    _select_name(page, "查无此人")
    assert page.assign_button.isEnabled() and page.not_local_button.isEnabled()
    page.assign_household(b[3])
    assert page.current_warning().match_status == "已匹配"
    assert page.current_warning().household_id == b[3]

    # 已办结 filter
    page.status.set_value(ST_CLOSED)
    assert {r.person_name for r in _mine(page, "w.xlsx")} == {a[1], c[1]}
    assert sidebar_count(ops) == before + 2


def test_reject_dialog_requires_a_reason(qtbot):
    from fanpin_desktop.ui.pages.warnings import ReasonDialog

    dialog = ReasonDialog("不符合", "原因")
    qtbot.addWidget(dialog)
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted and "请填写" in dialog.message.text()
    dialog.text.setText("已报销")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_mapping_dialog_prefills_and_checks(ops, qtbot, tmp_path):
    people = _people(ops)
    path = _warning_file(tmp_path / "w.xlsx", people)
    preview = ops.read(ws.preview, str(path), "医保")
    dialog = MappingDialog("导入", ws.FIELDS, preview, needs_one_of=("id_number", "name"))
    qtbot.addWidget(dialog)
    cols = dialog.columns()
    assert cols[HEADER.index("姓名")] == "name"
    assert cols[HEADER.index("身份证号码")] == "id_number"
    assert cols[HEADER.index("个人自付金额")] == "amount"
    assert dialog.sample.rowCount() >= 4
    # two fields on one column are refused; no name and no ID either
    dialog.combos["village"].setCurrentIndex(HEADER.index("姓名") + 1)
    assert "同一列" in dialog.problems()
    dialog.combos["village"].setCurrentIndex(0)
    dialog.combos["name"].setCurrentIndex(0)
    dialog.combos["id_number"].setCurrentIndex(0)
    assert "姓名" in dialog.problems()
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted

    # a mapping chosen by the clerk is saved for the department and found next time
    dialog.combos["id_number"].setCurrentIndex(HEADER.index("身份证号码") + 1)
    dialog.combos["reason"].setCurrentIndex(0)  # 预警事项 not imported
    page = _page(ops, qtbot)
    page.import_warnings(path, "残联", dialog.columns(), ask=False)
    assert page.last_import.new == 4
    again = ops.read(ws.preview, str(path), "残联")
    assert again.columns == dialog.columns()


def test_county_list_import_and_marking(ops, qtbot, tmp_path):
    people = _people(ops)
    page = _page(ops, qtbot)
    page.tabs.setCurrentIndex(TAB_COUNTY)
    path = _county_file(tmp_path / "县级反馈问题.xlsx", people)
    page.import_county(path, ask=False)
    assert page.last_import.new == 3
    assert page.county_model.rowCount() == 3
    rows = {page.county_model.row_data(r).person_name: page.county_model.row_data(r) for r in range(3)}
    a, c = people["a"], people["c"]
    assert rows[a[1]].match_status == "已匹配" and rows[a[1]].household_id == a[3]
    assert rows["外乡人"].match_status == "未匹配"
    # the ID is masked in the list
    r = page.county_model.row_of(rows[a[1]].id)
    shown = page.county_model.data(page.county_model.index(r, 2))
    assert "*" in shown and shown != a[2]

    def select(item_id: int) -> None:
        assert page.select_item(item_id)

    select(rows[a[1]].id)
    page.mark_rectified("已更正家庭人口数")
    assert page.current_item().status == "已整改"
    assert "标记已整改" in page.county_detail.text()
    select(rows[c[1]].id)
    page.ask_reason = lambda *args, **kw: None  # type: ignore[method-assign]
    assert page.mark_no_need() is None and page.current_item().status == "待整改"
    page.mark_no_need("经核实信息正确")
    assert (page.current_item().status, page.current_item().resolution) == ("无需整改", "经核实信息正确")

    page.county_status.set_value("未匹配")
    assert [page.county_model.row_data(r).person_name for r in range(page.county_model.rowCount())] == [
        "外乡人"
    ]
    page.county_status.set_value(None)

    page.import_county(path, ask=False)
    assert page.last_import.new == 0 and page.county_model.rowCount() == 3
    assert ops.read(county.counts)["已整改"] == 1

    from openpyxl import load_workbook

    opened: list[Path] = []
    page.jobs.offer_open = lambda title, text, p: opened.append(p)  # type: ignore[method-assign]
    page.export_county(tmp_path / "整改情况.xlsx")
    cells = [c.value for row in load_workbook(opened[0]).active.iter_rows() for c in row]
    assert "经核实信息正确" in cells and "已更正家庭人口数" in cells


def test_models_pass_the_tester(ops, qtbot, tmp_path):
    people = _people(ops)
    page = _page(ops, qtbot)
    page.import_warnings(_warning_file(tmp_path / "w.xlsx", people), "医保", ask=False)
    page.import_county(_county_file(tmp_path / "c.xlsx", people), ask=False)
    for model in (page.model, page.county_model, WarningTableModel(), ProblemItemTableModel()):
        QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
        for r in range(model.rowCount()):
            for c in range(model.columnCount()):
                for role in (
                    Qt.ItemDataRole.DisplayRole,
                    Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.BackgroundRole,
                    Qt.ItemDataRole.ForegroundRole,
                ):
                    model.data(model.index(r, c), role)
    page.model.set_rows(page.model.rows())
    page.county_model.set_rows([])


def test_export_summary(ops, qtbot, tmp_path):
    from openpyxl import load_workbook

    people = _people(ops)
    page = _page(ops, qtbot)
    page.import_warnings(_warning_file(tmp_path / "w.xlsx", people), "医保", ask=False)
    opened: list[Path] = []
    page.jobs.offer_open = lambda title, text, p: opened.append(p)  # type: ignore[method-assign]
    target = tmp_path / "月报.xlsx"
    page.export_summary(target, f"{TODAY:%Y-%m}", "医保")
    assert opened and opened[0].exists()
    wb = load_workbook(opened[0])
    values = [c.value for row in wb["汇总"].iter_rows() for c in row]
    assert "医保" in values and 4 in values


def test_import_through_the_file_and_mapping_dialogs(ops, qtbot, tmp_path, monkeypatch):
    """导入预警清单… with the dialogs: the file chosen, the department changed in the mapping
    dialog (its saved mapping read again), a column left out; the mapping is saved for 民政."""
    from PySide6.QtWidgets import QFileDialog

    people = _people(ops)
    path = _warning_file(tmp_path / "民政预警.xlsx", people)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    seen: list[MappingDialog] = []

    def run(dialog: MappingDialog) -> int:
        seen.append(dialog)
        top = dialog.findChildren(type(page.department))
        department = next(c for c in top if c.findData("民政") >= 0)
        department.set_value("民政")
        dialog.combos["amount"].setCurrentIndex(0)  # the amount is not wanted for 民政
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(MappingDialog, "exec", run)
    page = _page(ops, qtbot)
    page.import_warnings()
    assert seen and page.last_import is not None
    assert (page.last_import.department, page.last_import.new) == ("民政", 4)
    mine = [r for r in ops.read(ws.list_warnings, department="民政") if r.file_name == path.name]
    assert len(mine) == 4 and all(r.amount is None for r in mine)
    saved = ops.read(ws.preview, str(path), "民政")
    assert "amount" not in saved.columns and "id_number" in saved.columns
    assert page.department.value() == "民政"  # the list shows what was imported


def test_include_offers_the_case_editor(ops, qtbot, tmp_path):
    people = _people(ops)
    page = _page(ops, qtbot)
    page.import_warnings(_warning_file(tmp_path / "w.xlsx", people), "医保", ask=False)
    opened: list[int] = []
    page.open_case = opened.append  # type: ignore[method-assign]
    page.confirm = lambda title, text: True  # type: ignore[method-assign]
    _select_name(page, people["c"][1])
    page.include()
    case_id = ops.read(detail.household_open_case, people["c"][3])
    assert opened == [case_id]
    assert page.open_current_case() and opened == [case_id, case_id]  # a double click opens it again
    # the editor itself opens on that case
    from fanpin_desktop.ui.dialogs.case_editor import CaseEditor

    editor = CaseEditor(ops, case_id, page, today=TODAY)
    qtbot.addWidget(editor)
    assert editor.case_id == case_id
    # 已是监测对象 for a household with no case is refused with the household named
    _select_name(page, people["a"][1])
    errors: list[str] = []
    import fanpin_desktop.ui.operations as ops_module

    original = ops_module.show_error
    ops_module.show_error = lambda exc, parent=None: errors.append(str(exc))
    try:
        page.already_monitored()
    finally:
        ops_module.show_error = original
    assert errors and "不是监测对象" in errors[0]
    assert page.current_warning().outcome is None


def test_month_filter_follows_the_department(ops, qtbot, tmp_path):
    people = _people(ops)
    page = _page(ops, qtbot)
    page.import_warnings(_warning_file(tmp_path / "w.xlsx", people), "医保", ask=False)
    this_month = f"{TODAY:%Y-%m}"
    page.month.set_value(this_month)
    assert all(f"{r.received_on:%Y-%m}" == this_month for r in page.model.rows())
    assert len(_mine(page, "w.xlsx")) == 4
    # a department with no warnings this month: the month filter goes back to 全部月份
    page.department.set_value("教委")
    assert page.month.value() is None
    assert all("不在" not in page.month.itemText(i) for i in range(page.month.count()))
    assert {r.department for r in page.model.rows()} <= {"教委"}


def test_assign_household_through_the_picker(ops, qtbot, tmp_path, monkeypatch):
    from fanpin_desktop.ui.dialogs.household_picker import HouseholdPickerDialog

    people = _people(ops)
    page = _page(ops, qtbot)
    page.import_warnings(_warning_file(tmp_path / "w.xlsx", people), "医保", ask=False)
    b = people["b"]
    searched: list[str] = []

    def run(dialog: HouseholdPickerDialog) -> int:
        searched.append(dialog.search.text())
        assert dialog.list.count() >= 1  # already searching for the name in the row
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(HouseholdPickerDialog, "exec", run)
    _select_name(page, b[1])  # 待确认: found by name and village; the clerk picks the household
    page.assign_household()
    assert searched == [b[1]]
    assert page.current_warning().household_id == b[3]
    assert page.current_warning().match_status == "已匹配"
