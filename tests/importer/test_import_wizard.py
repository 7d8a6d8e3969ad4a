"""The import wizard, driven with pytest-qt and a synchronous task runner."""

from __future__ import annotations

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from sqlalchemy import func, select

from fanpin_desktop.models import ImportMapping, Member
from fanpin_desktop.ui.dialogs.import_wizard import NOT_IMPORTED, ImportWizard
from fanpin_desktop.ui.operations import HOUSEHOLDS
from tests.importer.helpers import add_villages, family, write_xlsx


def make(qtbot, ops, path=None):
    wizard = ImportWizard(ops, path=path)
    qtbot.addWidget(wizard)
    wizard.restart()  # what show() does first; the offscreen platform warns about showing a wizard
    return wizard


def test_wizard_imports_a_national_export(qtbot, db, ops, tmp_path):
    add_villages(db)
    rows = family()
    rows[4][5] = "3.41523198001011E+17"
    path = write_xlsx(tmp_path / "r.xlsx", rows, titles=["红星村家庭成员", "导出时间"], extra_sheets=["说明"])
    wizard = make(qtbot, ops, path)
    assert [wizard.file_page.sheet.itemText(i) for i in range(wizard.file_page.sheet.count())] == [
        "Sheet1",
        "说明",
    ]
    wizard.next()
    assert wizard.currentPage() is wizard.mapping_page
    page = wizard.mapping_page
    assert page.header_row.value() == 3
    assert page.table.rowCount() == 11
    assert page.table.item(4, 1).text() == "姓名" and "张大山" in page.table.item(4, 2).text()
    assert page.combos[5].currentData() == "id_number"
    assert page.isComplete()
    wizard.next()
    preview = wizard.preview_page
    assert wizard.currentPage() is preview
    text = preview.summary.toPlainText()
    assert "人：新增 4，修改 0，迁入其他户 0，无变化 0" in text
    assert preview.issues.rowCount() == 1 and "已被Excel转成数字" in preview.issues.row_data(0)["message"]
    headers = [
        preview.issues.headerData(c, Qt.Orientation.Horizontal) for c in range(preview.issues.columnCount())
    ]
    assert headers == ["行", "类别", "列", "值", "问题"]  # the message last, where the table stretches
    assert wizard.buttonText(wizard.WizardButton.NextButton) == "导入"
    for model in (preview.issues, preview.changes, preview.moves):
        QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert preview.issues.data(preview.issues.index(0, 4)) == preview.issues.row_data(0)["message"]
    preview.save_report_to(tmp_path / "errors.xlsx")
    report = openpyxl.load_workbook(tmp_path / "errors.xlsx").active
    assert [c.value for c in report[3]][:5] == [
        8,
        "证件号码",
        "F",
        "3.41523198001011E+17",
        preview.issues.row_data(0)["message"],
    ]
    assert "王芳" in [c.value for c in report[3]]  # the original row, as read from the file
    with db.reading() as s:
        assert s.scalar(select(func.count(Member.id))) == 0  # nothing written before 导入
    received = []
    ops.changed.connect(lambda changes, origin: received.append(changes))
    wizard.next()
    assert wizard.currentPage() is wizard.result_page
    assert "已写入：新增 2 户、4 人" in wizard.result_page.text.toPlainText()
    assert received == [HOUSEHOLDS]  # announced to every page once, after the write
    with db.reading() as s:
        assert s.scalar(select(func.count(Member.id))) == 4


def test_wizard_manual_header_and_mapping(qtbot, db, ops, tmp_path):
    add_villages(db)
    header = ["编号", "户号", "户成员", "身份证件", "称谓", "受教育程度", "就读年级", "姓名"]
    rows = [[r[0], r[3], r[4], r[5], r[6], r[7], r[8], ""] for r in family()]
    path = write_xlsx(tmp_path / "c.xlsx", rows, header=header, titles=["红星村名单"])
    wizard = make(qtbot, ops, path)
    wizard.next()
    page = wizard.mapping_page
    assert wizard.currentPage() is page
    assert page.source_label.text().endswith(
        "未能按列名找到表头：请指定表头所在的行，并为各列选择导入为哪一项"
    )
    assert page.header_row.value() == 1  # the title row: the clerk points at row 2
    page.header_row.setValue(2)
    page.reread()
    assert page.table.item(2, 1).text() == "户成员" and "张大山" in page.table.item(2, 2).text()
    assert not page.isComplete() and "还缺少必需的列" in page.missing.text()
    targets = {1: "hh_code", 2: "name", 3: "id_number", 4: "relation", 5: "education", 6: "schooling"}
    for i, key in targets.items():
        page.combos[i].setCurrentIndex(page.combos[i].findData(key))
    page.combos[7].setCurrentIndex(page.combos[7].findText(NOT_IMPORTED))
    assert page.missing.text() == "还缺少必需的列：行政村"
    page.village.setCurrentText("红星村")
    assert page.isComplete()
    page.save_name.setText("红星村自制名单")
    page.save_mapping()
    with db.reading() as s:
        assert s.scalar(select(ImportMapping.name)) == "红星村自制名单"
    wizard.next()
    assert wizard.currentPage() is wizard.preview_page
    assert wizard.plan.counts["m_new"] == 5
    wizard.next()
    with db.reading() as s:
        assert s.scalar(select(func.count(Member.id))) == 5
    # the same headers again: the saved mapping is chosen automatically
    second = make(qtbot, ops, write_xlsx(tmp_path / "c2.xlsx", rows, header=header, titles=["又一次"]))
    second.next()
    assert second.mapping_page.saved_label.text() == "已保存为“红星村自制名单”"
    assert second.mapping_page.combos[3].currentData() == "id_number"


def test_first_import_into_a_township_without_villages_creates_them(qtbot, db, ops, tmp_path):
    """The first day: no villages yet, so the villages and groups in the roster are created (the
    box is ticked) instead of every row being refused."""
    path = write_xlsx(tmp_path / "r.xlsx", family(), titles=["红星村家庭成员", "导出时间"])
    wizard = make(qtbot, ops, path)
    wizard.next()
    wizard.next()
    preview = wizard.preview_page
    assert preview.create_places.isChecked() and preview.create_places.isVisibleTo(preview)
    summary = preview.summary.toPlainText()
    assert "人：新增 5" in summary and "有错误的行 0" in summary and "行政村将新建：红星村" in summary
    wizard.next()
    done = wizard.result_page.text.toPlainText()
    assert "已写入：新增 2 户、5 人" in done and "行政村已新建：红星村" in done and "将新建" not in done
