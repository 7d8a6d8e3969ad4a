"""附件1 workbooks coming back from the villages: a negative 人均纯收入 is an error naming row
and column, an implausible one a 提示 (the rows are still imported)."""

from __future__ import annotations

from test_screening_import import COL, exported, fill, row_of

from fanpin_desktop.services import appendix_import


def test_negative_refused_and_implausible_warned(db, town, tmp_path):
    path, wb = exported(db, town, tmp_path, town.village_a)
    ws = wb.active
    wang = row_of(ws, "王三")
    fill(ws, wang, method="电话核查", per_capita_income="-6800")
    out = tmp_path / "负数.xlsx"
    wb.save(out)
    with db.unit() as s:
        report = appendix_import.import_appendix1(s, out, town.campaign_id)
    assert not report.ok
    [error] = [e for e in report.errors if e.row == wang]
    assert "不能为负数" in error.message and error.message.startswith(f"第{wang}行")
    assert error.column == openpyxl_letter(COL["per_capita_income"])

    fill(ws, wang, per_capita_income="3400000")  # 34000 元 typed in 分
    wb.save(out)
    with db.unit() as s:
        report = appendix_import.import_appendix1(s, out, town.campaign_id)
    assert report.ok and report.saved
    [warning] = [w for w in report.warnings if w.row == wang]
    assert "3400000元" in warning.message and "分" in warning.message


def openpyxl_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
