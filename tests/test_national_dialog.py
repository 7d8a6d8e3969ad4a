"""全国系统数据交换 (ui/dialogs/national_dialog.py): live counts, exporting a list into the
history, marking a batch 已录入系统, refusals shown in place, the changes since the last export,
and the ways in (数据 menu, 监测对象 page). pytest-qt, offscreen, synchronous task runner."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402
import hashlib  # noqa: E402

import pytest  # noqa: E402
from db_templates import open_copy  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from sqlalchemy import select  # noqa: E402

from fanpin_desktop.context import open_app  # noqa: E402
from fanpin_desktop.models import CaseStep, MonitoringCase, NationalExportRecord  # noqa: E402
from fanpin_desktop.services import national_export as ne  # noqa: E402
from fanpin_desktop.ui.dialogs import national_dialog  # noqa: E402
from fanpin_desktop.ui.dialogs.national_dialog import NOT_ENTERED, HistoryModel, NationalDialog  # noqa: E402
from fanpin_desktop.ui.operations import Operations  # noqa: E402
from fanpin_desktop.ui.tasks import TaskRunner  # noqa: E402

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

TODAY = dt.date.today()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The demo town with no case entered in the national system yet (built once)."""
    ctx = open_app(
        tmp_path_factory.mktemp("demo") / "data", demo=True, demo_households=300, auto_backup=False
    )
    with ctx.db.unit() as s:
        for step in s.scalars(select(CaseStep).where(CaseStep.step == "系统录入")):
            s.delete(step)
    path = ctx.paths.database
    ctx.db.dispose()
    return path


@pytest.fixture
def db(template, tmp_path):
    database = open_copy(template, tmp_path / "demo.sqlite3")
    yield database
    database.dispose()


class Recorder:
    """Stands in for the file boxes: the chosen path, what was offered or told."""

    def __init__(self, dialog: NationalDialog, target) -> None:
        self.target = target
        self.asked: list[str] = []
        self.offered: list[tuple[str, object]] = []
        self.opened: list[object] = []
        dialog.jobs.save_path = self.save_path
        dialog.jobs.offer_open = lambda title, text, path: self.offered.append((text, path))
        dialog.jobs.inform = lambda title, text: dialog.jobs.messages.append((title, text))
        dialog.jobs.open = self.opened.append

    def save_path(self, title, default_name, file_filter):
        self.asked.append(default_name)
        return self.target / default_name if self.target else None


@pytest.fixture
def dialog(qtbot, db, tmp_path):
    d = NationalDialog(Operations(db, TaskRunner(synchronous=True)), tmp_path / "exports", today=TODAY)
    qtbot.addWidget(d)
    (tmp_path / "exports").mkdir()
    d.recorder = Recorder(d, tmp_path / "exports")
    # the data-quality warnings before an export (issue 13): the clerk goes on; what was shown is kept
    d.shown_warnings = []
    d.confirm_warnings = lambda warnings: d.shown_warnings.append(warnings) or True
    return d


def _pending(db, kind: str) -> int:
    with db.reading() as s:
        return len(ne.pending_cases(s, kind))


def _cell(d: NationalDialog, row: int, column: int, role=Qt.ItemDataRole.DisplayRole):
    return d.history.data(d.history.index(row, column), role)


def test_the_buttons_show_what_waits(dialog, db):
    new, elimination = _pending(db, "new"), _pending(db, "elimination")
    assert new >= 5 and elimination >= 5
    buttons = dialog.export_buttons
    assert buttons["new"].text() == f"导出新识别名单（{new}户待录入）"
    assert buttons["elimination"].text() == f"导出风险消除名单（{elimination}户）"
    assert buttons["changes"].text() == "导出更正名单（0项变化）"
    assert dialog.history.rowCount() == 0 and dialog.history_note.text() == "尚未导出过"
    assert not dialog.mark_button.isEnabled() and not dialog.open_button.isEnabled()


def test_exporting_new_writes_the_file_and_adds_a_history_row(dialog, db, tmp_path):
    new = _pending(db, "new")
    dialog.export("new")
    name = f"新识别监测对象_{TODAY:%Y%m%d}.xlsx"
    assert dialog.recorder.asked == [name]
    path = tmp_path / "exports" / name
    assert path.is_file()
    assert dialog.recorder.offered and dialog.recorder.offered[0][1] == path
    assert f"{new} 户" in dialog.recorder.offered[0][0]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert dialog.history.rowCount() == 1
    assert _cell(dialog, 0, 1) == "新识别监测对象"
    assert _cell(dialog, 0, 2) == str(new)
    assert _cell(dialog, 0, 4) == name
    assert _cell(dialog, 0, 5) == digest[:12]
    assert digest in _cell(dialog, 0, 5, Qt.ItemDataRole.ToolTipRole)
    assert _cell(dialog, 0, 6) == "测试"
    assert _cell(dialog, 0, HistoryModel.ENTERED) == NOT_ENTERED
    # not marked yet: the households still wait, the new batch is selected and can be marked
    assert dialog.export_buttons["new"].text() == f"导出新识别名单（{new}户待录入）"
    assert dialog.selected().id == dialog.last_result.export_id
    assert dialog.mark_button.isEnabled() and dialog.open_button.isEnabled()
    dialog.open_selected(folder=True)
    assert dialog.recorder.opened == [path.parent]


def test_a_cancelled_path_exports_nothing(dialog, db):
    dialog.recorder.target = None
    dialog.export("new")
    assert dialog.recorder.asked and dialog.history.rowCount() == 0


def test_marking_the_batch_empties_the_new_list_and_shows_the_date(dialog, db, monkeypatch):
    new = _pending(db, "new")
    dialog.export("new")
    asked = []
    monkeypatch.setattr(dialog, "ask_entered_date", lambda info: asked.append(info.id) or TODAY)
    dialog.mark_selected()
    assert asked == [dialog.last_result.export_id]
    assert _pending(db, "new") == 0
    assert dialog.export_buttons["new"].text() == "导出新识别名单（0户待录入）"
    assert _cell(dialog, 0, HistoryModel.ENTERED) == f"{TODAY:%Y-%m-%d}"
    assert dialog.jobs.messages[-1][0] == "已标记为已录入系统"
    assert f"{new} 户记入“系统录入”环节" in dialog.jobs.messages[-1][1]
    assert not dialog.mark_button.isEnabled()
    assert "已于" in dialog.mark_button.toolTip()
    with db.reading() as s:
        entered = s.scalars(select(CaseStep.done_on).where(CaseStep.step == "系统录入")).all()
    assert len(entered) == new and set(entered) == {TODAY}


def test_a_date_before_the_county_decision_is_refused_in_place(dialog, db):
    elimination = _pending(db, "elimination")
    dialog.export("elimination")
    dialog.mark_selected(dt.date(2001, 1, 1))
    text = dialog.message.text()
    assert "户编号" in text and "不能早于" in text
    assert not dialog.message.isHidden()
    assert _cell(dialog, 0, HistoryModel.ENTERED) == NOT_ENTERED
    assert _pending(db, "elimination") == elimination
    assert dialog.mark_button.isEnabled()


def test_nothing_to_export_shows_the_services_message_without_asking_a_path(dialog):
    dialog.export("changes")
    assert dialog.recorder.asked == []
    assert dialog.message.text().startswith("没有需要更正的信息")
    assert dialog.history.rowCount() == 0


def test_quality_warnings_come_first_and_may_stop_the_export(dialog, monkeypatch):
    monkeypatch.setattr(ne, "quality_warnings", lambda session: ["张三户：人均纯收入未填写"])
    seen = []
    monkeypatch.setattr(dialog, "confirm_warnings", lambda warnings: seen.append(warnings) or False)
    dialog.export("new")
    assert seen == [["张三户：人均纯收入未填写"]]
    assert dialog.recorder.asked == [] and dialog.history.rowCount() == 0
    monkeypatch.setattr(dialog, "confirm_warnings", lambda warnings: True)
    dialog.export("new")
    assert dialog.history.rowCount() == 1


def test_the_changes_tab_lists_a_changed_field(dialog, db):
    dialog.export("new")
    with db.reading() as s:
        case_id = s.scalars(
            select(NationalExportRecord.case_id).where(
                NationalExportRecord.export_id == dialog.last_result.export_id
            )
        ).first()
    with db.unit() as s:
        case = s.get(MonitoringCase, case_id)
        old = case.category
        case.category = "突发严重困难户" if old != "突发严重困难户" else "边缘易致贫户"
        new, code = case.category, case.household.code
    dialog.reload()
    assert dialog.changes.rowCount() == 1
    row = [dialog.changes.data(dialog.changes.index(0, c)) for c in range(5)]
    assert row[0] == code and row[2:] == ["易返贫致贫户(监测对象)类型", old, new]
    assert dialog.tabs.tabText(1) == "自上次导出以来的变化（1项）"
    assert dialog.export_buttons["changes"].text() == "导出更正名单（1项变化）"
    dialog.export("changes")
    assert dialog.history.rowCount() == 2 and _cell(dialog, 0, 1) == "信息更正"
    assert dialog.changes.rowCount() == 0


def test_the_data_menu_opens_the_dialog(qtbot, tmp_path, monkeypatch):
    from fanpin_desktop.ui.main_window import MainWindow

    ctx = open_app(tmp_path / "data")
    try:
        window = MainWindow(
            ctx,
            TaskRunner(synchronous=True),
            qsettings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
        )
        qtbot.addWidget(window)
        opened = []
        monkeypatch.setattr(national_dialog.NationalDialog, "exec", lambda self: opened.append(self) or 0)
        assert window.national_action.text() == "全国系统数据交换…"
        window.national_action.trigger()
        assert len(opened) == 1
        assert opened[0].windowTitle() == "全国系统数据交换"
        assert opened[0].jobs.exports_dir == ctx.paths.exports
        assert opened[0].export_buttons["new"].text() == "导出新识别名单（0户待录入）"
    finally:
        ctx.close()


def test_the_cases_page_button_opens_the_dialog(qtbot, db, tmp_path, monkeypatch):
    from fanpin_desktop.ui.pages.cases import CasesPage

    page = CasesPage(Operations(db, TaskRunner(synchronous=True)), exports_dir=tmp_path / "out", today=TODAY)
    qtbot.addWidget(page)
    opened = []
    monkeypatch.setattr(national_dialog.NationalDialog, "exec", lambda self: opened.append(self) or 0)
    qtbot.mouseClick(page.national_button, Qt.MouseButton.LeftButton)
    assert len(opened) == 1 and opened[0].jobs.exports_dir == tmp_path / "out"
    assert opened[0].export_buttons["new"].text() == f"导出新识别名单（{_pending(db, 'new')}户待录入）"
