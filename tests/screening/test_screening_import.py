"""Appendix 1 and 2 workbooks exported, edited as a village team would, and imported back."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from screening_town import D
from sqlalchemy import func, select

from fanpin_desktop.domain import appendix_layouts
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import HouseholdScreening, MonitoringCase
from fanpin_desktop.services import appendix_export, appendix_import, screening

LAYOUT = appendix_layouts.load(1, 2022)
COL = {c.key: c.index + 1 for c in LAYOUT.columns}
FIRST = 6  # first data row of an appendix 1 sheet (title, date, three header rows)


def exported(db, town, tmp_path: Path, village_id=None) -> tuple[Path, openpyxl.Workbook]:
    path = tmp_path / "附件1.xlsx"
    with db.reading() as s:
        appendix_export.export_appendix(
            s, 1, path, campaign_id=town.campaign_id, village_id=village_id, fill_date=D(2022, 5, 25)
        )
    return path, openpyxl.load_workbook(path)


def row_of(ws, head: str) -> int:
    for r in range(FIRST, ws.max_row + 1):
        if ws.cell(r, COL["head_name"]).value == head:
            return r
    raise AssertionError(head)


def fill(ws, r: int, **answers) -> None:
    for key, value in answers.items():
        ws.cell(r, COL[key]).value = value


def records(db, town) -> dict[int, SimpleNamespace]:
    """The campaign's appendix 1 records as plain values (usable after the unit of work)."""
    with db.reading() as s:
        rows = s.scalars(select(HouseholdScreening).where(HouseholdScreening.campaign_id == town.campaign_id))
        return {
            r.household_id: SimpleNamespace(
                **{c.key: getattr(r, c.key) for c in HouseholdScreening.__table__.c}
            )
            for r in rows
        }


def test_edited_workbook_imports_back(db, town, tmp_path):
    path, wb = exported(db, town, tmp_path, town.village_a)
    ws = wb.active
    wang = row_of(ws, "王三")  # not screened yet: only size and type were filled in
    assert ws.cell(wang, COL["method"]).value is None and ws.cell(wang, COL["household_size"]).value == 4
    fill(
        ws,
        wang,
        method="电话核查",
        housing_safe="否",
        medical_secured="是",
        water_safe="是",
        no_labour="否",
        exited_2020="是",
        should_monitor="否",
        difficulties="住房漏雨",
    )
    qian = row_of(ws, "钱五")  # screened before; eliminated case, not monitored now
    fill(ws, qian, should_monitor="是", remark="回头看发现收入下降", per_capita_income="6,800.50")
    out = tmp_path / "填好的附件1.xlsx"
    wb.save(out)

    with db.unit() as s:
        report = appendix_import.import_appendix1(s, out, town.campaign_id, village_id=town.village_a)
    assert report.ok, [i.message for i in report.issues]
    assert report.saved and report.rows_saved == 5 and report.created == 1 and report.updated == 4
    assert report.rows_skipped == 1  # 孙六: nothing filled in
    assert report.clues_created == 1
    # 是否2020年脱贫 does not concern an 一般农户: dropped with a warning naming row and column
    # and 王三 is a monitoring object (消除中), so 该户是否应纳入监测对象 is not his either
    assert [w.message for w in report.warnings] == [
        f"第{wang}行O列（是否2020年脱贫）“是”：该户不适用此项（脱贫户填写），已忽略",
        f"第{wang}行AO列（该户是否应纳入监测对象（非监测对象填写））“否”：该户不适用此项（非监测对象填写），已忽略",
    ]

    recs = records(db, town)
    w = recs[town.h[3]]
    assert (w.method, w.housing_safe, w.medical_secured, w.exited_2020) == ("电话核查", False, True, None)
    assert w.difficulties == "住房漏雨" and w.screened_on == D(2022, 5, 25)  # the sheet's 填表时间
    q = recs[town.h[5]]
    assert q.should_monitor is True and str(q.per_capita_income) == "6800.50"
    assert q.screened_on == D(2022, 5, 26)  # an earlier record keeps its date
    with db.reading() as s:
        clue = s.scalar(
            select(MonitoringCase).where(
                MonitoringCase.household_id == town.h[5], MonitoringCase.status == "线索"
            )
        )
        assert clue is not None and clue.source == "集中排查"
        # the re-exported sheet shows the imported answers
    _path, wb2 = exported(db, town, tmp_path, town.village_a)
    ws2 = wb2.active
    assert ws2.cell(row_of(ws2, "王三"), COL["method"]).value == "电话核查"
    assert ws2.cell(row_of(ws2, "王三"), COL["housing_safe"]).value == "否"


def test_errors_name_row_column_value_and_nothing_is_saved(db, town, tmp_path):
    path, wb = exported(db, town, tmp_path)
    ws = wb.active
    wang, sun, zhou = row_of(ws, "王三"), row_of(ws, "孙六"), row_of(ws, "周七")
    fill(ws, wang, method="入户排查", medical_secured="也许")
    fill(ws, sun, housing_safe="是")  # answered but no 排查方式
    fill(ws, zhou, method="上门", household_size="五")
    ws.cell(row_of(ws, "郑九"), COL["head_name"]).value = "郑九九"  # key column says another head
    out = tmp_path / "有错的附件1.xlsx"
    wb.save(out)
    before = records(db, town)
    with db.unit() as s:
        report = appendix_import.import_appendix1(s, out, town.campaign_id)
    assert not report.ok and not report.saved
    messages = [e.message for e in report.errors]
    assert f"第{wang}行K列（医疗是否得到保障）“也许”：应填“是”或“否”" in messages
    assert any(
        m.startswith(f"第{sun}行F列（排查方式（入户排查、电话核查））：") and "排查方式为空" in m
        for m in messages
    )
    assert f"第{zhou}行F列（排查方式（入户排查、电话核查））“上门”：应为入户排查、电话核查之一" in messages
    assert f"第{zhou}行D列（家庭人口数）“五”：不是整数" in messages
    assert any("郑九九" in m and "郑九" in m and "不一致" in m for m in messages)
    assert report.summary().startswith(f"发现{len(report.errors)}处错误，未导入任何数据")
    after = records(db, town)
    assert {k: (v.method, v.medical_secured) for k, v in after.items()} == {
        k: (v.method, v.medical_secured) for k, v in before.items()
    }


def test_without_key_column_rows_match_by_group_and_head(db, town, tmp_path):
    path, wb = exported(db, town, tmp_path)
    ws = wb.active
    ws.delete_cols(LAYOUT.width + 1)  # the hidden 系统编号 column removed by a team
    fill(ws, row_of(ws, "冯十"), method="入户排查", water_safe="是")
    ws.cell(row_of(ws, "郑九"), COL["head_name"]).value = "不存在的人"
    fill(ws, row_of(ws, "不存在的人"), method="入户排查")
    out = tmp_path / "无编号.xlsx"
    wb.save(out)
    with db.unit() as s:
        report = appendix_import.import_appendix1(s, out, town.campaign_id, dry_run=True)
    assert [e.reason for e in report.errors] == ["在本次排查的村中找不到这个村组和户主姓名的农户"]
    ws.cell(row_of(ws, "不存在的人"), COL["head_name"]).value = "郑九"
    wb.save(out)
    with db.unit() as s:
        report = appendix_import.import_appendix1(s, out, town.campaign_id, screened_on=D(2022, 5, 29))
    assert report.ok and report.saved
    recs = records(db, town)
    assert recs[town.h[10]].water_safe is True and recs[town.h[10]].screened_on == D(2022, 5, 29)


def test_dry_run_saves_nothing(db, town, tmp_path):
    path, wb = exported(db, town, tmp_path)
    fill(wb.active, row_of(wb.active, "冯十"), method="入户排查")
    wb.save(path)
    with db.unit() as s:
        n_before = s.scalar(select(func.count()).select_from(HouseholdScreening))
        report = appendix_import.import_appendix1(s, path, town.campaign_id, dry_run=True)
        assert report.ok and not report.saved and report.rows_read == 7
        assert s.scalar(select(func.count()).select_from(HouseholdScreening)) == n_before
        assert "仅检查" in report.summary()


def test_wrong_file_or_layout(db, town, tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a workbook")
    with db.unit() as s, pytest.raises(UserError):
        appendix_import.import_appendix1(s, bad, town.campaign_id)
    path, wb = exported(db, town, tmp_path)
    wb.active.delete_cols(COL["remark"])
    wb.save(path)
    with db.unit() as s:
        report = appendix_import.import_appendix1(s, path, town.campaign_id)
    assert not report.ok and "“备注”" in report.errors[0].message
    # an appendix 2 sheet offered as appendix 1
    with db.reading() as s:
        appendix_export.export_appendix(s, 2, tmp_path / "a2.xlsx", campaign_id=town.campaign_id)
    with db.unit() as s:
        report = appendix_import.import_appendix1(s, tmp_path / "a2.xlsx", town.campaign_id)
    assert not report.ok and "没有找到到户排查表的表头" in report.errors[0].message


def test_appendix2_round_trip(db, town, tmp_path):
    path = tmp_path / "附件2.xlsx"
    with db.reading() as s:
        appendix_export.export_appendix(s, 2, path, campaign_id=town.campaign_id)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    l2 = appendix_layouts.load(2, 2022)
    col = {c.key: c.index + 1 for c in l2.columns}
    rows = {ws.cell(r, col["village"]).value: r for r in range(1, ws.max_row + 1)}
    ws.cell(rows["甲村"], col["grid_issues"]).value = "网格划分过大"
    ws.cell(rows["乙村"], col["other_issues"]).value = "无"
    wb.save(path)
    with db.unit() as s:
        report = appendix_import.import_appendix2(s, path, town.campaign_id)
    assert report.ok and report.rows_saved == 2 and report.created == 2
    with db.reading() as s:
        assert (
            screening.load_village_screening(s, town.campaign_id, town.village_a)["grid_issues"]
            == "网格划分过大"
        )
        assert screening.load_village_screening(s, town.campaign_id, town.village_b)["other_issues"] == "无"
    ws.cell(rows["乙村"], col["village"]).value = "丙村"
    wb.save(path)
    with db.unit() as s:
        report = appendix_import.import_appendix2(s, path, town.campaign_id)
    assert not report.ok and "与系统编号对应的行政村“乙村”不一致" in report.errors[0].message
