"""The county's problem list: any-layout import, matching by ID / 户编号, tracking, re-import, CLI."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook, load_workbook
from test_warnings import build, pid

from fanpin_desktop import cli
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.services import county_problems as cp

D = dt.date


@pytest.fixture
def town(db):
    return build(db)


def write_list(path, town):
    wb = Workbook()
    ws = wb.active
    ws.append(["2026年第三季度防返贫监测数据疑点反馈清单"])
    ws.append(["序号", "县", "乡镇", "村", "户主姓名", "户主身份证号", "疑点类型", "疑点描述"])
    rows = [
        [1, "某县", "某镇", "西河村", "张三", town["张三"], "A12", "人均纯收入低于监测范围但未纳入监测"],
        [2, "某县", "某镇", "东山村", "王五", town["王五"], "B03", "家庭成员联系电话格式错误"],
        [3, "某县", "某镇", "南湖村", "外乡人", pid(1980, 99), "A12", "人均纯收入低于监测范围"],
        [4, "某县", "某镇", "西河村", "无证号", "", "C01", "证件号码为空"],
        [2, "某县", "某镇", "东山村", "王五", town["王五"], "B03", "家庭成员联系电话格式错误"],
    ]
    for r in rows:
        ws.append(r)
    wb.save(path)
    return rows


def test_import_match_track_and_reimport(db, town, tmp_path):
    path = tmp_path / "疑点.xlsx"
    write_list(path, town)
    with db.reading() as s:
        pv = cp.preview(s, path)
    assert pv.header_rows == (1,)
    assert pv.columns == [None, None, None, "village", "name", "id_number", "rule_code", "problem"]
    with db.unit() as s:
        r = cp.import_problems(s, path, received_on=D(2026, 11, 10))
    assert (r.total_rows, r.new, r.already, r.duplicates_in_file, r.matched, r.unmatched) == (
        5,
        4,
        0,
        1,
        2,
        2,
    )
    with db.reading() as s:
        rows = {p.row_number: p for p in cp.list_problems(s)}
    assert (
        rows[3].household_id == town["hh:张三"] and rows[3].head_name == "张三" and rows[3].status == "待整改"
    )
    assert rows[3].rule_code == "A12" and rows[3].raw["乡镇"] == "某镇"
    assert rows[5].match_status == "未匹配" and "不在本乡镇" in rows[5].match_note
    assert rows[6].match_status == "未匹配" and rows[6].match_note == "没有证件号码"
    # tracked
    with db.unit() as s, pytest.raises(ValidationError, match="整改了什么"):
        cp.resolve(s, rows[3].id, "已整改")
    with db.unit() as s:
        cp.resolve(s, rows[3].id, "已整改", "已启动监测识别程序", on=D(2026, 11, 12))
        cp.resolve(s, rows[4].id, "无需整改", "电话号码为座机，格式正确")
    with db.unit() as s, pytest.raises(ValidationError, match="还没有匹配到农户"):
        cp.resolve(s, rows[6].id, "已整改", "补录")
    with db.unit() as s:
        cp.mark_not_local(s, rows[5].id, "户籍在邻乡")
        cp.assign_household(s, rows[6].id, town["hh:赵六"])
    with db.reading() as s:
        done = cp.get_problem(s, rows[3].id)
        counts = cp.counts(s)
        pending = cp.list_problems(s, status="待整改")
    assert (done.status, done.resolution, done.resolved_on, done.resolved_by) == (
        "已整改",
        "已启动监测识别程序",
        D(2026, 11, 12),
        "测试",
    )
    assert counts == {"待整改": 1, "已整改": 1, "无需整改": 2, "未匹配": 0, "不涉及本乡镇": 1}
    assert [p.row_number for p in pending] == [6] and pending[0].household_id == town["hh:赵六"]
    # re-import adds nothing and leaves the tracking alone
    with db.unit() as s:
        again = cp.import_problems(s, path)
    assert (again.new, again.already, again.duplicates_in_file) == (0, 4, 1)
    with db.reading() as s:
        assert len(cp.list_problems(s)) == 4 and cp.get_problem(s, rows[3].id).status == "已整改"
        out = cp.export_problems_xlsx(s, tmp_path / "out.xlsx")
    sheet = [[c.value for c in r] for r in load_workbook(out).active.iter_rows()]
    assert sheet[0][0] == "内含个人敏感信息，请妥善保管，不得外传" and len(sheet) == 3 + 4
    with db.unit() as s:
        cp.reopen(s, rows[5].id)
    with db.reading() as s:
        assert cp.get_problem(s, rows[5].id).match_status == "未匹配"


def test_household_code_and_saved_mapping(db, town, tmp_path):
    path = tmp_path / "b.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["编码", "名字", "核查结果"])
    ws.append(["003", "王五", "收入数据缺失"])
    wb.save(path)
    with db.unit() as s:
        with pytest.raises(UserError, match="找不到表头"):
            cp.import_problems(s, path)
        pv = cp.preview(s, path, header_row=0)
        name = cp.save_mapping(s, pv.labels, ["household_code", "name", "problem"], "县疑点清单")
    with db.unit() as s:
        r = cp.import_problems(s, path, mapping_name=name, header_row=0)
    assert r.matched == 1
    with db.reading() as s:
        (p,) = cp.list_problems(s)
        assert cp.mapping_names(s) == ["县疑点清单"]
    assert p.household_id == town["hh:王五"] and p.problem == "收入数据缺失" and "户编号" in p.match_note


def test_cli(capsys, db, town, data_paths, tmp_path):
    db.dispose()
    path = tmp_path / "疑点.xlsx"
    write_list(path, town)
    argv = ["--data-dir", str(data_paths.root), "problems"]
    assert cli.main([*argv, "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "共5行：新收到4条，以前已收到0条，文件内重复1条" in out and "已匹配农户2条，未匹配2条" in out
    assert cli.main([*argv, "import", str(path)]) == 0
    assert "新收到0条，以前已收到4条" in capsys.readouterr().out
    assert cli.main([*argv, "list", "--unmatched"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("待整改4条") and len(lines) == 2 + 2
