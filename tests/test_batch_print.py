"""批量打印 (issue 12 point 6): several kinds of case documents for a village in one PDF, with
progress and cancel, through the service and the dialog on the 监测对象 page."""

from __future__ import annotations

import pypdf
import pytest
from sqlalchemy import select

from fanpin_desktop.context import open_app
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import MonitoringCase, Village
from fanpin_desktop.services import batch_print
from fanpin_desktop.services.cases import listing
from fanpin_desktop.services.cases.types import CaseQuery
from fanpin_desktop.ui.tasks import TaskCancelled, TaskControl


def pdf_text(path) -> str:
    return "".join("".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(str(path)).pages)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ctx = open_app(
        tmp_path_factory.mktemp("batch") / "data", demo=True, demo_households=300, auto_backup=False
    )
    yield ctx
    ctx.db.dispose()


def _village_with_open_cases(ctx) -> tuple[int, str, list[int]]:
    """The village with the most cases that are monitored or being identified."""
    with ctx.db.reading() as s:
        best = None
        for v in s.scalars(select(Village).order_by(Village.sort_order)):
            ids = listing.case_ids(s, CaseQuery(village_id=v.id))
            rows = listing.fetch_case_rows(s, ids)
            open_ids = [i for i in ids if rows[i].status in ("识别中", "已纳入", "消除中", "已回退")]
            if best is None or len(open_ids) > len(best[2]):
                best = (v.id, v.name, open_ids)
    assert best is not None and best[2]
    return best


def test_one_pdf_holds_every_chosen_kind_in_order(demo, tmp_path):
    vid, name, _ids = _village_with_open_cases(demo)
    reports: list[tuple[int, int, str]] = []
    control = TaskControl(lambda done, total, text: reports.append((done, total, text)))
    out = tmp_path / "batch.pdf"
    with demo.db.reading() as s:
        result = batch_print.write_batch(
            s, out, kinds=["collection", "verification", "authorisation"], village_id=vid, control=control
        )
    text = pdf_text(out)
    # printed in the order of DOCUMENTS, not the order ticked
    assert text.index("入户核实") < text.index("承诺") < text.index("防止返贫监测对象信息采集表")
    assert name in text
    assert set(result.items) == {"入户核实表", "申请及承诺授权查询书", "信息采集表"}
    assert all(n > 0 for n in result.items.values())
    assert reports and reports[-1][2] == "正在生成PDF文件…"
    assert result.path == out


def test_a_kind_with_nothing_is_skipped_and_named(demo, tmp_path):
    """The 300-household demo's villages have no case at the elimination 公示 except where the demo
    put one; whichever village has none, the batch still prints the rest and says what it skipped."""
    with demo.db.reading() as s:
        villages = list(s.scalars(select(Village.id).order_by(Village.sort_order)))
        for vid in villages:
            try:
                result = batch_print.write_batch(
                    s, tmp_path / f"b{vid}.pdf", kinds=["publicity_elimination", "collection"], village_id=vid
                )
            except UserError:
                continue  # neither kind has anything in this village
            if "村级公示（拟风险消除）" in result.skipped:
                assert "信息采集表" in result.items
                assert (tmp_path / f"b{vid}.pdf").exists()
                return
    pytest.fail("no village without an elimination 公示 was found")


def test_nothing_to_print_and_bad_choices_are_refused(demo, tmp_path):
    with demo.db.reading() as s:
        with pytest.raises(UserError, match="至少选择一种"):
            batch_print.write_batch(s, tmp_path / "x.pdf", kinds=[], village_id=1)
        with pytest.raises(UserError, match="选择一个行政村"):
            batch_print.write_batch(s, tmp_path / "x.pdf", kinds=["collection"])
    assert not (tmp_path / "x.pdf").exists()


def test_cancel_leaves_no_file(demo, tmp_path):
    vid, _name, _ids = _village_with_open_cases(demo)
    control = TaskControl()
    control.cancel()
    out = tmp_path / "cancelled.pdf"
    with demo.db.reading() as s, pytest.raises(TaskCancelled):
        batch_print.write_batch(s, out, kinds=["verification"], village_id=vid, control=control)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_selected_cases_only(demo, tmp_path):
    _vid, _name, ids = _village_with_open_cases(demo)
    chosen = ids[:2]
    with demo.db.reading() as s:
        heads = [
            next(m.name for m in s.get(MonitoringCase, cid).household.members if m.relation == "户主")
            for cid in chosen
        ]
        result = batch_print.write_batch(s, tmp_path / "sel.pdf", kinds=["verification"], case_ids=chosen)
    assert result.items == {"入户核实表": 2}
    text = pdf_text(tmp_path / "sel.pdf")
    for head in heads:
        assert head in text


def test_dialog_prints_the_selection_and_opens_the_file(demo, tmp_path, qtbot, monkeypatch):
    from fanpin_desktop.services import open_file as open_file_service
    from fanpin_desktop.ui.dialogs.batch_print_dialog import BatchPrintDialog
    from fanpin_desktop.ui.operations import Operations
    from fanpin_desktop.ui.tasks import TaskRunner

    opened = []
    monkeypatch.setattr(open_file_service, "open_file", lambda path, **_kw: opened.append(path))
    _vid, _name, ids = _village_with_open_cases(demo)
    ops = Operations(demo.db, TaskRunner(synchronous=True))
    dialog = BatchPrintDialog(ops, [], tmp_path, case_ids=ids[:3])
    qtbot.addWidget(dialog)
    assert dialog.by_selection.isChecked()
    for key, box in dialog.documents.items():
        box.setChecked(key == "authorisation")
    dialog.fill.setCurrentIndex(1)  # blank forms
    out = tmp_path / "dialog.pdf"
    dialog.run(out)
    assert dialog.result is not None and dialog.result.items == {"申请及承诺授权查询书": 3}
    assert opened == [out]
    for box in dialog.documents.values():
        box.setChecked(False)
    dialog.run(tmp_path / "none.pdf")
    assert dialog.message.text() == "请至少勾选一种文书。"
    assert not (tmp_path / "none.pdf").exists()


def test_case_editor_prints_its_own_household(demo, tmp_path, qtbot, monkeypatch):
    from fanpin_desktop.services import open_file as open_file_service
    from fanpin_desktop.ui.dialogs.batch_print_dialog import BatchPrintDialog
    from fanpin_desktop.ui.dialogs.case_editor import CaseEditor
    from fanpin_desktop.ui.operations import Operations
    from fanpin_desktop.ui.tasks import TaskRunner

    opened = []
    monkeypatch.setattr(open_file_service, "open_file", lambda path, **_kw: opened.append(path))
    _vid, _name, ids = _village_with_open_cases(demo)
    ops = Operations(demo.db, TaskRunner(synchronous=True), exports_dir=tmp_path)
    editor = CaseEditor(ops, ids[0])
    qtbot.addWidget(editor)
    shown: list[BatchPrintDialog] = []

    def factory(*args, **kwargs):
        dialog = BatchPrintDialog(*args, **kwargs)
        dialog.exec = lambda: (
            dialog.documents["verification"].setChecked(True),
            dialog.run(tmp_path / "one.pdf"),
        )
        shown.append(dialog)
        return dialog

    editor.print_dialog_factory = factory
    editor.print_button.click()
    (dialog,) = shown
    assert dialog.case_ids == [ids[0]] and dialog.by_selection.isChecked()
    assert not dialog.by_village.isEnabled()
    assert dialog.jobs.exports_dir == tmp_path  # the data folder's exports, from the operations
    assert opened == [tmp_path / "one.pdf"]
    assert dialog.result.items["入户核实表"] == 1


def test_lists_and_announcements_cover_the_whole_township(demo, tmp_path):
    """审核审定名单 and 公告 may be printed for every village at once; a per-village document may not."""
    with demo.db.reading() as s:
        with pytest.raises(UserError, match="入户核实表按村打印"):
            batch_print.write_batch(s, tmp_path / "x.pdf", kinds=["verification", "announcement_inclusion"])
        kinds = [k.key for k in batch_print.DOCUMENTS if k.township_wide]
        result = batch_print.write_batch(s, tmp_path / "town.pdf", kinds=kinds)
    assert not (tmp_path / "x.pdf").exists()
    printed = set(result.items) | set(result.skipped)
    assert printed == {k.label for k in batch_print.DOCUMENTS if k.township_wide}
    assert result.items  # the demo has cases decided this year and cases waiting for a review
    text = pdf_text(tmp_path / "town.pdf")
    if "乡镇公告（新识别监测对象）" in result.items:
        assert "新识别监测对象名单公告" in text


def test_cases_page_opens_the_dialog_ready_to_print(demo, tmp_path, qtbot, monkeypatch):
    """Review finding: one selected row is a selection of one and the dialog starts on it; opened
    for 全部行政村 it ticks only what prints for the whole township (per-village kinds greyed)."""
    from fanpin_desktop.services import open_file as open_file_service
    from fanpin_desktop.ui.dialogs.batch_print_dialog import BatchPrintDialog
    from fanpin_desktop.ui.operations import Operations
    from fanpin_desktop.ui.pages.cases import TAB_LIST, CasesPage
    from fanpin_desktop.ui.tasks import TaskRunner

    opened = []
    monkeypatch.setattr(open_file_service, "open_file", lambda path, **_kw: opened.append(path))
    page = CasesPage(Operations(demo.db, TaskRunner(synchronous=True)), exports_dir=tmp_path)
    qtbot.addWidget(page)
    page.refresh()
    page.tabs.setCurrentIndex(TAB_LIST)
    shown: list[BatchPrintDialog] = []

    def factory(*args, **kwargs):
        dialog = BatchPrintDialog(*args, **kwargs)
        dialog.exec = lambda: dialog.run(tmp_path / f"page{len(shown)}.pdf")
        shown.append(dialog)
        return dialog

    page.print_dialog_factory = factory
    assert page.village.value() is None
    page.view.selectRow(0)
    (one,) = page.selected_case_ids()
    page.print_batch()
    dialog = shown[-1]
    assert dialog.case_ids == [one] and dialog.by_selection.isEnabled() and dialog.by_selection.isChecked()
    assert dialog.by_selection.text() == "列表中选中的 1 个监测对象"
    assert dialog.kinds() == ["verification", "authorisation", "collection"]
    assert dialog.message.text() == "", dialog.message.text()
    assert dialog.result is not None and dialog.result.items["入户核实表"] == 1
    assert opened == [tmp_path / "page1.pdf"]

    # nothing selected, no village filter: the default ticks print for the whole township
    page.view.clearSelection()
    page.print_batch()
    dialog = shown[-1]
    assert dialog.by_village.isChecked() and dialog.village.value() is None
    assert not dialog.documents["verification"].isEnabled()
    assert not dialog.documents["publicity_inclusion"].isEnabled()
    assert dialog.kinds() == ["review_township_inclusion"]
    assert dialog.problem() == ""
    # choosing a village brings the per-village ticks back
    vid, _name, _ids = _village_with_open_cases(demo)
    dialog.village.set_value(vid)
    assert dialog.documents["verification"].isEnabled()
    assert set(dialog.kinds()) == {"review_township_inclusion", "verification", "authorisation", "collection"}
    dialog.village.set_value(None)
    assert dialog.kinds() == ["review_township_inclusion"] and dialog.problem() == ""
