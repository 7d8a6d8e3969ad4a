"""``fanpin screening export|stats|import|campaigns`` through the real command-line entry point."""

from __future__ import annotations

import json

import openpyxl

import fanpin_desktop.cli_screening  # noqa: F401 - registers the ``screening`` command
from fanpin_desktop import cli


def run(data_paths, capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--data-dir", str(data_paths.root), "screening", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_export_each_appendix(db, town, data_paths, capsys):
    for n in ("1", "2", "3", "4"):
        code, out, err = run(data_paths, capsys, "export", "--appendix", n, "--date", "2022-05-27")
        assert code == 0, err
        assert f"已导出附件{n}" in out
    files = sorted(p.name for p in data_paths.exports.glob("*.xlsx"))
    assert files == [
        f"附件{n}_{name}_马店镇_2022_20220527.xlsx"
        for n, name in ((1, "到户排查表"), (2, "村级排查表"), (3, "排查情况统计表"), (4, "问题整改台账"))
    ]


def test_export_one_village_to_a_file(db, town, data_paths, capsys, tmp_path):
    target = tmp_path / "甲村.xlsx"
    code, out, err = run(
        data_paths, capsys, "export", "--appendix", "1", "--village", "甲村", "-o", str(target)
    )
    assert code == 0, err
    ws = openpyxl.load_workbook(target).active
    assert ws["A1"].value == "内含个人敏感信息，请妥善保管，不得外传"
    assert ws["A2"].value.startswith("马店镇甲村2022年")
    assert ws.max_row == 6 + 6  # warning, title, date, three header rows; six households of 甲村
    code, _out, err = run(data_paths, capsys, "export", "--appendix", "1", "--village", "丙村")
    assert code == 1 and "没有名为“丙村”的行政村" in err and "甲村、乙村" in err


def test_stats_snapshot_and_change(db, town, data_paths, capsys):
    code, out, err = run(data_paths, capsys, "stats", "--as-of", "2022-05-27", "--snapshot")
    assert code == 0, err
    assert "已保存 2022-05-27（周五）的周报快照" in out
    lines = {line.split("\t")[0]: line.split("\t") for line in out.splitlines() if "\t" in line}
    assert lines["甲村"][1:3] == ["6/15", "4/8"]
    assert lines["合计"][1:3] == ["10/26", "5/13"]
    code, out, err = run(data_paths, capsys, "stats", "--as-of", "2022-06-03", "--snapshot")
    assert code == 0, err
    lines = {line.split("\t")[0]: line.split("\t") for line in out.splitlines() if "\t" in line}
    assert lines["乙村"][2] == "2/7(+1/+2)"
    assert "与 2022-05-27 周报相比" in out
    code, out, err = run(data_paths, capsys, "stats", "--as-of", "2022-05-27", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["total"]["cells"]["due"] == [10, 26]


def test_stats_missing_and_campaigns(db, town, data_paths, capsys):
    code, out, _err = run(data_paths, capsys, "stats", "--village", "甲村", "--missing")
    assert code == 0
    assert "尚未排查 2 户" in out and "王三" in out and "孙六" in out
    code, out, _err = run(data_paths, capsys, "campaigns")
    assert code == 0 and "2022年防止返贫监测帮扶集中排查（当前）" in out and "监测范围7000元" in out


def test_import_reports_errors_with_exit_code(db, town, data_paths, capsys, tmp_path):
    target = tmp_path / "a1.xlsx"
    assert run(data_paths, capsys, "export", "--appendix", "1", "-o", str(target))[0] == 0
    wb = openpyxl.load_workbook(target)
    wb.active["F8"] = "上门"  # 王三's 排查方式
    wb.save(target)
    code, out, _err = run(data_paths, capsys, "import", str(target), "--appendix", "1")
    assert code == 1
    assert "错误：第8行F列" in out and "未导入任何数据" in out
    wb.active["F8"] = "入户排查"
    wb.save(target)
    code, out, err = run(data_paths, capsys, "import", "--appendix", "1", "--file", str(target), "--dry-run")
    assert code == 0, err
    assert "仅检查，未保存" in out
    code, _out, err = run(data_paths, capsys, "import", str(target), "--appendix", "3")
    assert code == 1 and "只能导入附件1、附件2" in err
