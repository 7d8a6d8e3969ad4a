"""The rectification ledger page: add, edit, status steps, overdue and 立行立改 marking, files."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from fanpin_desktop.services import ledger
from fanpin_desktop.ui.dialogs.problem_dialog import ProblemDialog
from fanpin_desktop.ui.operations import LEDGER
from fanpin_desktop.ui.pages.ledger import LedgerPage
from fanpin_desktop.ui.table_models.screening import (
    ON_THE_SPOT_FOREGROUND,
    OVERDUE_BACKGROUND,
    OVERDUE_FOREGROUND,
    ProblemTableModel,
)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

TODAY = dt.date.today()


@pytest.fixture
def page(qtbot, ops, data_paths):
    p = LedgerPage(ops, data_paths.exports)
    qtbot.addWidget(p)
    ops.changed.connect(p.on_changes)  # as the main window does
    p.confirm = lambda title, text: True
    return p


def row_of(page: LedgerPage, problem_id: int) -> int:
    assert page.select_problem(problem_id)
    return page.view.currentIndex().row()


def cell(page: LedgerPage, problem_id: int, column: int, role=Qt.ItemDataRole.DisplayRole):
    r = row_of(page, problem_id)
    return page.proxy.index(r, column).data(role)


def new_problem(page: LedgerPage, **changes) -> int:
    values = {
        "level": "村",
        "village_id": page.village.itemData(1),
        "household_id": None,
        "problem_type": "政策落实",
        "description": "部分脱贫户未享受医保资助",
        "measure": "逐户核对补缴",
        "responsible": "村党支部书记",
        "deadline": TODAY + dt.timedelta(days=20),
        "found_on": TODAY - dt.timedelta(days=5),
        "on_the_spot": False,
        "note": None,
    }
    values.update(changes)
    page.last_problem_id = None
    page.add_problem(values)
    pid = page.last_problem_id
    assert pid is not None and page.current_problem_id() == pid, "added and selected"
    return pid


def test_status_steps_to_closing_with_the_verification_date(page, db):
    pid = new_problem(page)
    col = ProblemTableModel.COL_STATUS
    assert cell(page, pid, col) == "整改中"
    assert page.rectified_button.isEnabled() and not page.close_button.isEnabled()

    page.mark_rectified(on=TODAY, note="已逐户补缴")
    assert cell(page, pid, col) == "已整改"
    assert page.close_button.isEnabled() and page.back_button.isEnabled()

    page.send_back(reason="仍有2户未补缴")
    assert cell(page, pid, col) == "整改中"
    page.mark_rectified(on=TODAY)
    page.close_current(on=TODAY, by="乡纪委")
    assert cell(page, pid, col) == "已销号"
    assert cell(page, pid, ProblemTableModel.COL_VERIFIED) == TODAY.isoformat()
    with db.reading() as s:
        p = ledger.get(s, pid)
        assert p.status == ledger.CLOSED and p.verified_on == TODAY and p.verified_by == "乡纪委"
        assert "验收未通过：仍有2户未补缴" in p.note
    assert not page.edit_button.isEnabled(), "a closed item is not edited"
    assert page.edit_current({"description": "改"}) is None
    assert page.jobs.messages[-1][0] == "不能修改"


def test_a_wrong_step_is_refused_with_the_message(page, db, monkeypatch):
    from fanpin_desktop.ui import errors

    shown = []
    monkeypatch.setattr(
        errors, "show_user_error", lambda message, parent=None, title="提示": shown.append(message)
    )
    pid = new_problem(page)
    page.select_problem(pid)
    page.close_current(on=TODAY, by="x")
    assert shown and "不能从“整改中”改为“已销号”" in shown[0]
    page.mark_rectified(on=TODAY - dt.timedelta(days=30))  # before it was found
    assert "早于发现日期" in shown[-1]
    with db.reading() as s:
        assert ledger.get(s, pid).status == ledger.IN_PROGRESS, "nothing changed"
    assert cell(page, pid, ProblemTableModel.COL_STATUS) == "整改中"


def test_overdue_items_are_highlighted_and_filtered(page):
    late = new_problem(
        page,
        description="危房改造未完成",
        deadline=TODAY - dt.timedelta(days=3),
        found_on=TODAY - dt.timedelta(days=30),
    )
    on_time = new_problem(page, description="公示栏未更新")
    col = ProblemTableModel.COL_DEADLINE
    assert cell(page, late, col, Qt.ItemDataRole.BackgroundRole) == OVERDUE_BACKGROUND
    assert cell(page, late, col, Qt.ItemDataRole.ForegroundRole) == OVERDUE_FOREGROUND
    assert cell(page, late, ProblemTableModel.COL_STATUS).replace("\u2060", "") == "整改中（超期3天）"
    assert cell(page, on_time, col, Qt.ItemDataRole.BackgroundRole) is None
    assert "超期 1" in page.counts_label.text()
    page.overdue_only.setChecked(True)
    assert [r.id for r in page.model.rows()] == [late]
    page.overdue_only.setChecked(False)
    assert page.select_problem(late)
    page.mark_rectified(on=TODAY)
    assert cell(page, late, col, Qt.ItemDataRole.BackgroundRole) is None, "rectified: no longer overdue"


def test_on_the_spot_fixes_are_recorded_but_marked(page):
    pid = new_problem(page, description="公示牌破损，当场更换", on_the_spot=True)
    assert cell(page, pid, ProblemTableModel.COL_STATUS) == "立行立改"
    assert cell(page, pid, 0, Qt.ItemDataRole.ForegroundRole) == ON_THE_SPOT_FOREGROUND
    assert "立行立改" in cell(page, pid, 0, Qt.ItemDataRole.ToolTipRole)
    page.include_spot.setChecked(False)
    assert pid not in [r.id for r in page.model.rows()]


def test_problem_dialog_levels_and_validation(qtbot, ops, page):
    saved = []

    def save(values, done, refused):
        saved.append(values)
        return ops.write(lambda s: ledger.create(s, **values).id, LEDGER, success=done, user_error=refused)

    dialog = ProblemDialog(ops, page, save=save)
    qtbot.addWidget(dialog)
    dialog.level.set_value("村")
    dialog.description.setPlainText("网格员调整后未培训")
    dialog.accept()  # a village-level problem needs its village
    assert not saved or dialog.saved_id is None
    assert "村级问题必须选择村" in dialog.message.text()
    dialog.village.setCurrentIndex(1)
    dialog.accept()
    assert dialog.saved_id is not None and dialog.result() == ProblemDialog.DialogCode.Accepted
    assert saved[-1]["household_id"] is None and saved[-1]["village_id"] == dialog.village.itemData(1)


def test_edit_and_delete(page, db):
    pid = new_problem(page)
    page.select_problem(pid)
    page.edit_current({"measure": "召开村民代表会议", "responsible": "王主任"})
    assert cell(page, pid, ProblemTableModel.COL_RESPONSIBLE) == "王主任"
    page.select_problem(pid)
    page.delete_current()
    assert page.model.row_of(pid) is None
    with db.reading() as s:
        assert pid not in [r.id for r in ledger.list_problems(s)]


def test_export_and_print_appendix4(page, files, data_paths):
    new_problem(page, description="导出测试问题")
    files["save"] = data_paths.exports / "台账.xlsx"
    page.export_appendix4()
    assert files["save"].exists()
    texts = [c.value for row in load_workbook(files["save"]).active.iter_rows() for c in row]
    assert "导出测试问题" in texts
    assert page.jobs.messages and page.jobs.messages[-1][0] == "导出完成"
    files["save"] = data_paths.exports / "台账.pdf"
    page.print_appendix4()
    assert files["save"].exists() and files["save"].read_bytes()[:4] == b"%PDF"
    assert files["opened"] == [files["save"]], "the PDF opens in the system viewer"


def test_a_problem_added_under_all_batches_belongs_to_the_current_batch(page, db, monkeypatch):
    from fanpin_desktop.models import Problem
    from fanpin_desktop.services import campaigns as campaign_service
    from fanpin_desktop.ui.pages.ledger import ALL_CAMPAIGNS, NEEDS_A_CAMPAIGN

    with db.reading() as s:
        current = campaign_service.current_id(s)
    assert current is not None
    page.campaign.set_value(ALL_CAMPAIGNS)
    pid = new_problem(page)
    with db.reading() as s:
        assert s.get(Problem, pid).campaign_id == current  # never a problem of no batch
    told = []
    monkeypatch.setattr(page.jobs, "inform", lambda title, text: told.append(text))
    monkeypatch.setattr(campaign_service, "current_id", lambda _s: None)  # no batch at all
    assert page.add_problem({"level": "乡镇"}) is None
    assert told == [NEEDS_A_CAMPAIGN]
