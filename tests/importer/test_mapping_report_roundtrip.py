"""Saved column mappings, the error report workbook, the roster export round trip and the CLI."""

from __future__ import annotations

import argparse
import datetime as dt
import types

import openpyxl
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from fanpin_desktop.cli_import import register
from fanpin_desktop.domain.ids import make_id
from fanpin_desktop.models import Household, Member
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services.importer import (
    ImportOptions,
    analyse,
    execute,
    import_file,
    open_file,
    prepare,
    save_mapping,
    write_error_report,
)
from fanpin_desktop.services.importer.headers import ColumnMapping
from fanpin_desktop.services.roster_export import export_roster
from tests.importer.helpers import add_villages, family, preview, write_xlsx

CUSTOM = ["编号", "村别", "户号", "户成员", "身份证件", "称谓", "受教育程度", "就读年级"]


def custom_rows():
    return [[r[0], r[1], r[3], r[4], r[5], r[6], r[7], r[8]] for r in family()]


def test_unknown_layout_needs_a_mapping_which_is_saved_and_chosen_again(db, tmp_path):
    add_villages(db)
    path = write_xlsx(tmp_path / "custom.xlsx", custom_rows(), header=CUSTOM, titles=["自制表"])
    src = open_file(path)
    # headers cannot be recognised by name: the clerk maps them
    head = src.head()
    from fanpin_desktop.services.importer.headers import header_from_row

    header = header_from_row(head, 1)
    with db.reading() as s:
        _h, auto = prepare(s, src, header_row=1)
    assert auto.missing_required() == ["姓名", "证件号码", "与户主关系", "行政村"]
    mapping = ColumnMapping(
        ["-", "village", "hh_code", "name", "id_number", "relation", "education", "schooling"]
    )
    with db.unit() as s:
        save_mapping(s, "某村自制表", header.labels, mapping)
    plan = analyse(db, src, header, mapping, ImportOptions())
    assert plan.counts["m_new"] == 5 and not plan.issues
    result = execute(db, plan.parsed, ImportOptions(), expect=plan.fingerprint)
    assert result.counts["m_new"] == 5
    src.close()
    # the next file with the same headers picks the saved mapping by itself
    rows = custom_rows()
    rows[0][6] = "高中"
    path2 = write_xlsx(tmp_path / "custom2.xlsx", rows, header=CUSTOM, titles=["自制表（第二次）"])
    src2 = open_file(path2)
    with db.reading() as s:
        header2, mapping2 = prepare(s, src2, header_row=1)
    assert mapping2.saved_name == "某村自制表" and mapping2.source == "使用已保存的对应关系“某村自制表”"
    plan2 = analyse(db, src2, header2, mapping2, ImportOptions())
    assert plan2.counts["m_changed"] == 1 and plan2.counts["m_unchanged"] == 4
    src2.close()
    # and by name on the command line
    result3 = import_file(db, path2, ImportOptions(mapping_name="某村自制表"))
    assert result3.plan.parsed.mapping.saved_name == "某村自制表"


def test_preview_then_database_changed_is_refused(db, tmp_path):
    add_villages(db)
    plan = preview(db, write_xlsx(tmp_path / "r.xlsx", family()))
    import_file(db, write_xlsx(tmp_path / "other.xlsx", family()[:3]))  # someone imported meanwhile
    import pytest

    from fanpin_desktop.errors import UserError

    with pytest.raises(UserError, match="预览之后数据库已有改动"):
        execute(db, plan.parsed, ImportOptions(), expect=plan.fingerprint)


def test_error_report_workbook(db, tmp_path):
    add_villages(db)
    rows = family()
    rows[1][5] = rows[1][5][:-1] + ("1" if rows[1][5][-1] != "1" else "2")
    rows[3][7] = "博士后"
    path = write_xlsx(tmp_path / "r.xlsx", rows, titles=["红星村"])
    src = open_file(path)
    with db.reading() as s:
        header, mapping = prepare(s, src)
    plan = analyse(db, src, header, mapping, ImportOptions())
    report = write_error_report(tmp_path / "out" / "错误清单.xlsx", plan, src)
    src.close()
    ws = openpyxl.load_workbook(report)["问题清单"]
    assert ws.cell(2, 1).value == "行号" and ws.cell(2, 7).value == "原表：序号"
    found = {
        (ws.cell(r, 1).value, ws.cell(r, 2).value, ws.cell(r, 6).value): r for r in range(3, ws.max_row + 1)
    }
    r = found[(4, "证件号码", "错误")]
    assert ws.cell(r, 3).value == "F" and ws.cell(r, 4).value == rows[1][5]
    assert ws.cell(r, 5).value.startswith("证件号码“") and "校验位错误" in ws.cell(r, 5).value
    assert ws.cell(r, 4).data_type == "s" and ws.cell(r, 12).value == rows[1][5]  # original row, ID as text
    assert ws.cell(r, 12).data_type == "s" and ws.cell(r, 11).value == "李秀英"
    r2 = found[(6, "文化程度", "错误")]
    assert ws.cell(r2, 11).value == "王建国"
    assert [x for x in found if x[2] == "错误"] == [
        (4, "证件号码", "错误"),
        (6, "文化程度", "错误"),
        (7, None, "错误"),
    ]
    assert not list(tmp_path.joinpath("out").glob(".*"))  # no temporary file left behind


def test_roster_export_round_trip(db, tmp_path, data_paths):
    add_villages(db)
    with db.unit() as s:
        settings_service.update(s, province="安徽省", city="六安市", county="舒城县", township="测试镇")
    rows = family()
    rows[0][10] = "是"
    import_file(db, write_xlsx(tmp_path / "r.xlsx", rows))
    with db.unit() as s:  # fields the short village list does not carry are exported too
        m = s.scalars(select(Member).where(Member.name == "王芳")).one()
        m.health = "长期慢性病、残疾"
        m.disability_category = "肢体残疾"
        m.work_status = "省外务工"
        m.work_months = 10
        m.phone = "13900001111"
        m.birth_date = m.birth_date
        s.add(
            Member(
                household_id=m.household_id,
                name="王小宝",
                relation="之孙子",
                schooling="学前教育",
                id_number=make_id("341523", dt.date(2020, 2, 2), 5, False),
                sex="男",
                birth_date=dt.date(2020, 2, 2),
                sort_order=5,
            )
        )
    target = tmp_path / "花名册.xlsx"
    with db.reading() as s:
        assert export_roster(s, target) == 6
    # IDs are text cells; the personal-data warning and the title are above the header
    ws = openpyxl.load_workbook(target)["家庭成员"]
    assert ws.cell(1, 1).value == "内含个人敏感信息，请妥善保管，不得外传"
    assert ws.cell(3, 1).value == "序号" and ws.cell(3, 15).value == "证件号码"
    assert ws.cell(4, 15).data_type == "s" and len(ws.cell(4, 15).value) == 18
    assert (
        CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()[3][14]
        == ws.cell(4, 15).value
    )
    # import into an empty database: same households and members
    from fanpin_desktop.db import Database, migrate

    other = Database(tmp_path / "empty.sqlite3", user="测试")
    migrate(other)
    result = import_file(other, target, ImportOptions(create_places=True))
    assert result.plan.parsed.mapping.layout_name == "national_roster_47"
    assert not [i for i in result.plan.issues if i.is_error], [str(i) for i in result.plan.issues]

    def snapshot(database):
        cols = [
            c.key
            for c in Member.__table__.columns
            if c.key not in ("id", "household_id", "created_at", "updated_at", "sort_order")
        ]
        with database.reading() as s:
            out = {}
            for m in s.scalars(select(Member)):
                hh = m.household
                out[m.id_number] = (
                    tuple(getattr(m, c) for c in cols),
                    hh.code,
                    hh.village.name,
                    hh.group.name if hh.group else None,
                    hh.household_type,
                    hh.phone,
                )
            return out

    assert snapshot(other) == snapshot(db)
    with other.reading() as s:
        assert len(s.scalars(select(Household)).all()) == 2
    # and importing it back into the source database changes nothing
    again = import_file(db, target)
    assert not again.plan.has_changes, again.plan.member_changes()
    other.dispose()


def test_cli_import_and_export(db, tmp_path, data_paths, capsys):
    add_villages(db)
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    ctx = types.SimpleNamespace(db=db, paths=data_paths)
    rows = family()
    rows[4][5] = "3.41523198001011E+17"
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    args = parser.parse_args(["import", str(path), "--dry-run", "--report", str(tmp_path / "errors.xlsx")])
    assert args.func(args, ctx) == 0
    text = capsys.readouterr().out
    assert "户：新增 2，修改 0，无变化 0" in text and "人：新增 4，修改 0，迁入其他户 0，无变化 0" in text
    assert "预演（--dry-run）：数据库没有任何改动" in text
    assert "错误：第6行“证件号码”列（F列），值“3.41523198001011E+17”" in text
    assert (tmp_path / "errors.xlsx").exists()
    with db.reading() as s:
        assert s.scalars(select(Member)).first() is None
    args = parser.parse_args(["import", str(path)])
    args.func(args, ctx)
    assert "已写入：新增 2 户、4 人" in capsys.readouterr().out
    args = parser.parse_args(["export", "roster", "--village", "红星"])
    assert args.func(args, ctx) == 0
    out = capsys.readouterr().out
    assert out.startswith("已导出 4 人：") and "家庭成员花名册_红星_" in out
    assert len(list(data_paths.exports.glob("家庭成员花名册_*.xlsx"))) == 1
