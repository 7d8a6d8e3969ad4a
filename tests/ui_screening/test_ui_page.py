"""The 集中排查 page: statistics equal to the service, weekly change, inputs, progress, appendix 2,
and the export / import / print / summary actions producing files."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from sqlalchemy import select

from fanpin_desktop.models import HouseholdScreening, VillageScreening
from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services import screening, stats
from fanpin_desktop.services.printing import PrintOptions
from fanpin_desktop.ui.pages.screening import ScreeningPage
from fanpin_desktop.ui.pages.screening.page import TAB_PROGRESS, TAB_STATS, TAB_VILLAGE
from fanpin_desktop.ui.table_models.screening import DELTA_ROLE

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

TODAY = dt.date.today()


@pytest.fixture
def page(qtbot, ops, data_paths):
    p = ScreeningPage(ops, data_paths.exports)
    qtbot.addWidget(p)
    ops.changed.connect(p.on_changes)  # as the main window does
    return p


def save_household(db, household_id: int, **answers) -> None:
    with db.unit() as s:
        form = screening.load_form(s, None, household_id)
        values = form.answers()
        values.update(method="入户排查", **answers)
        day = min(TODAY, campaign_service.current(s).end_date)
        screening.save_form(s, None, household_id, values, screened_on=day)


def table_texts(page: ScreeningPage) -> dict[tuple[int | None, str], str]:
    m = page.stats_tab.model
    out = {}
    for r in range(m.rowCount()):
        vid = m.stats_row(r).village_id
        for c in range(m.columnCount()):
            out[(vid, m.column_key(c))] = m.index(r, c).data()
    return out


def test_page_opens_on_the_current_campaign_and_first_village(page, db):
    with db.reading() as s:
        current = campaign_service.current(s)
        cid, first_village = current.id, campaign_service.village_ids(s, current)[0]
        expected = screening.household_ids_in_order(s, cid, first_village)
    assert page.campaign_id() == cid and page.village_id() == first_village
    assert "监测范围" in page.campaign_info.text()
    assert page.households_tab.model.rowCount() == len(expected)
    shown = [page.households_tab.model.row_data(r)["household_id"] for r in range(len(expected))]
    assert shown == expected, "paper order"


def test_stats_table_equals_the_service(page, db):
    with db.reading() as s:
        ids = screening.household_ids_in_order(s, None, page.village_id())
    for hid in ids[:3]:
        save_household(db, hid)
    page.stats_tab.show_delta.setChecked(False)
    page.tabs.setCurrentIndex(TAB_STATS)
    with db.reading() as s:
        report = stats.compute(s, page.campaign_id(), as_of=TODAY)
    shown = table_texts(page)
    m = page.stats_tab.model
    assert m.rowCount() == len(report.rows) + 1
    for row in [*report.rows, report.total]:
        for c in range(m.columnCount()):
            key = m.column_key(c)
            assert shown[(row.village_id, key)] == report.text(row, key), (row.village, key)
    assert shown[(page.village_id(), "screened")].startswith("3/")
    assert page.stats_tab.header.sizeHint().height() > 60, "two header levels as on paper"


def test_weekly_change_is_shown_against_last_weeks_report(page, db):
    last_friday = stats.report_friday(TODAY) - dt.timedelta(days=7)
    with db.unit() as s:
        stats.take_snapshot(s, None, report_date=last_friday, today=TODAY)
        ids = screening.household_ids_in_order(s, None, page.village_id())
    save_household(db, ids[0])
    page.tabs.setCurrentIndex(TAB_STATS)
    tab = page.stats_tab
    assert tab.previous is not None and tab.previous.as_of == last_friday
    r = tab.model.row_of(page.village_id())
    c = tab.model.column_of("screened")
    index = tab.model.index(r, c)
    delta = index.data(DELTA_ROLE)
    assert delta[0] == 1 and delta[1] >= 1
    assert index.data().endswith(f"\n(+1/+{delta[1]})")
    assert index.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert str(last_friday) in tab.compare_label.text()
    # the stored report can be shown again as it stood
    i = tab.snapshot.findText(f"{last_friday:%Y-%m-%d}", Qt.MatchFlag.MatchStartsWith)
    tab.snapshot.setCurrentIndex(i)
    assert tab.model.index(r, c).data().startswith("0/0")
    assert not tab.as_of.isEnabled()


def test_take_snapshot_and_save_inputs(page, db):
    page.tabs.setCurrentIndex(TAB_STATS)
    tab = page.stats_tab
    tab.select_village(page.village_id())
    assert tab.inputs_box.isEnabled()
    tab.grid_count.set_optional_value(9)
    tab.grid_training_count.set_optional_value(30)
    tab.scale_risk.set_value("是")
    tab.save_inputs()
    assert "详细说明" in tab.inputs_message.text(), "a scale risk needs its explanation"
    with db.reading() as s:
        assert stats.load_inputs(s, page.campaign_id(), page.village_id())["grid_count"] is None, "not saved"
    assert tab.grid_count.optional_value() == 9, "what was typed stays in the form"
    tab.scale_risk_note.setText("暴雨致部分农田受灾")
    tab.save_inputs()
    assert "已保存" in tab.inputs_message.text()
    texts = table_texts(page)
    assert texts[(page.village_id(), "grid_count")] == "9"
    assert texts[(page.village_id(), "scale_risk")] == "是，暴雨致部分农田受灾"
    tab.take_snapshot()
    sid = tab.last_snapshot_id
    assert sid is not None and tab.snapshot_id() == sid
    with db.reading() as s:
        assert [x.id for x in stats.snapshots(s, page.campaign_id())] == [sid]


def test_progress_view_lists_missing_households(page, db, monkeypatch):
    with db.reading() as s:
        ids = screening.household_ids_in_order(s, None, page.village_id())
    save_household(db, ids[0])
    page.tabs.setCurrentIndex(TAB_PROGRESS)
    tab = page.progress_tab
    tab.select_village(page.village_id())
    r = tab.model.row_of(page.village_id())
    assert tab.model.index(r, 2).data().startswith("1/")
    assert tab.model.index(r, 4).data().startswith(f"1/{len(ids)}")
    missing = [m.household_id for m in tab.missing_model.rows()]
    assert missing == ids[1:], "still missing, in village/group order"
    opened = []
    monkeypatch.setattr(page, "open_form", lambda hid, only, village_id="page": opened.append((hid, only)))
    page.progress_tab.open_requested.disconnect()
    page.progress_tab.open_requested.connect(lambda hid, only: page.open_form(hid, only))
    tab.missing_view.selectRow(0)
    tab.open_selected()
    assert opened == [(ids[1], True)]


def test_village_screening_text_is_saved(page, db):
    page.tabs.setCurrentIndex(TAB_VILLAGE)
    tab = page.village_tab
    tab.fields["grid_issues"].setPlainText("网格员年龄偏大")
    tab.fields["remark"].setPlainText("已调整")
    tab.save()
    assert "已保存" in tab.message.text()
    assert not tab.is_dirty()
    with db.reading() as s:
        rec = s.scalar(select(VillageScreening).where(VillageScreening.village_id == page.village_id()))
        assert rec.grid_issues == "网格员年龄偏大" and rec.remark == "已调整"
    assert tab.villages.currentItem().text().startswith("✓")


def test_households_tab_opens_the_form_on_the_first_unscreened(page, db):
    with db.reading() as s:
        ids = screening.household_ids_in_order(s, None, page.village_id())
    save_household(db, ids[0])
    page.households_tab.refresh()
    assert "已排查 1 /" in page.households_tab.summary.text()
    dialog = page.make_form(None, unscreened_only=True)
    try:
        assert dialog.household_id == ids[1]
        assert dialog.position_label.text().endswith(f"第 2 / {len(ids)} 户")
    finally:
        dialog.deleteLater()


def test_export_print_and_summary_produce_files(page, files, data_paths):
    exports = data_paths.exports
    files["save"] = exports / "a1.xlsx"
    page.export_appendix(1)
    assert files["save"].exists()
    assert page.jobs.messages[-1][0] == "导出完成"
    files["save"] = exports / "a3_township.xlsx"
    page.export_appendix(3, township=True)
    texts = [c.value for row in load_workbook(files["save"]).active.iter_rows() for c in row]
    assert "合计" in texts
    for name, action in (
        ("a1.pdf", lambda: page.print_appendix1(PrintOptions(paper="A3"), [page.village_id()])),
        ("a1_blank.pdf", lambda: page.print_appendix1(PrintOptions(blank=True))),
        ("a3.pdf", page.print_appendix3),
        ("a4.pdf", page.print_appendix4),
        ("summary.docx", page.write_summary),
    ):
        files["save"] = exports / name
        action()
        assert files["save"].exists() and files["save"].stat().st_size > 1000, name
        assert files["opened"][-1] == files["save"], f"{name} opened in the system's program"
    assert all(default.startswith(str(exports)) for _title, default in files["asked"]), "defaults in exports/"


def test_import_shows_the_issues_and_saves_only_a_clean_file(page, files, data_paths, db):
    reports = []
    page.show_import_report = reports.append
    files["save"] = data_paths.exports / "village.xlsx"
    page.export_appendix(1)
    wb = load_workbook(files["save"])
    ws = wb.active
    header_row, method_col = next(
        (c.row, c.column)
        for row in ws.iter_rows(max_row=12)
        for c in row
        if isinstance(c.value, str) and c.value.startswith("排查方式")
    )
    first = header_row + 1
    while ws.cell(first, 3).value in (None, ""):
        first += 1
    ws.cell(first, method_col).value = "上门看了"
    bad = data_paths.exports / "bad.xlsx"
    wb.save(bad)
    files["open"] = bad
    page.import_appendix(1)
    report = reports[-1]
    assert report.errors and not report.saved
    assert f"第{first}行" in report.errors[0].message and "排查方式" in report.errors[0].message
    with db.reading() as s:
        saved = s.scalar(
            select(HouseholdScreening.id).where(HouseholdScreening.campaign_id == page.campaign_id())
        )
        assert saved is None, "nothing saved"

    ws.cell(first, method_col).value = "入户排查"
    good = data_paths.exports / "good.xlsx"
    wb.save(good)
    files["open"] = good
    page.import_appendix(1)
    report = reports[-1]
    assert report.saved and report.rows_saved == 1 and not report.errors
    assert "已排查 1 /" in page.households_tab.summary.text(), "the list shows the imported household"


def test_village_text_is_kept_when_switching_villages(page, db):
    page.tabs.setCurrentIndex(TAB_VILLAGE)
    tab = page.village_tab
    first = tab.villages.item(0).data(Qt.ItemDataRole.UserRole)
    tab.fields["monitoring_issues"].setPlainText("个别户收入核算不准")
    tab.villages.setCurrentRow(1)
    assert "自动保存" in tab.message.text()
    assert tab.fields["monitoring_issues"].toPlainText() == ""
    with db.reading() as s:
        assert screening.load_village_screening(s, None, first)["monitoring_issues"] == "个别户收入核算不准"
    assert tab.villages.item(0).text().startswith("✓")
