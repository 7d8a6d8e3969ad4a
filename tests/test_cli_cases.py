"""``fanpin cases list|due|show`` on the crafted town of tests/test_case_todo.py."""

from __future__ import annotations

import pytest
from test_case_todo import build_town

from fanpin_desktop import cli
from fanpin_desktop.models import Member


@pytest.fixture
def town(db, data_paths):
    ids = build_town(db)
    db.dispose()
    return ids


def run(capsys, data_paths, *argv):
    code = cli.main(["--data-dir", str(data_paths.root), "cases", *argv, "--today", "2026-12-02"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_list_every_case(capsys, data_paths, town):
    code, out, err = run(capsys, data_paths, "list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("户主\t村/组\t户编号\t状态")
    assert len(lines) == 1 + 13 + 1
    assert lines[1].split("\t")[:4] == ["张三", "西河村一组", "3415230010010001", "线索"]
    assert "农户申请\t2026-11-16（超期）" in lines[1]
    sun = next(line for line in lines if line.startswith("孙七"))
    assert (
        "监测中\t脱贫不稳定户\t因病、因自然灾害（洪涝）\t2026-03-10\t王干部\t2026-11-05\t走访\t2026-12-05"
        in sun
    )
    assert lines[-1] == "共 13 条监测对象记录，其中 2 条已超期。"


def test_list_filters_by_status_label_and_village(capsys, data_paths, town):
    code, out, err = run(capsys, data_paths, "list", "--status", "监测中", "--village", "西河村")
    assert code == 0, err
    names = [line.split("\t")[0] for line in out.splitlines()[1:-1]]
    assert names == ["吴九", "褚四"]
    code, out, _ = run(capsys, data_paths, "list", "--status", "不予认定")
    assert [line.split("\t")[0] for line in out.splitlines()[1:-1]] == ["冯二"]
    code, out, _ = run(capsys, data_paths, "list", "--overdue")
    assert [line.split("\t")[0] for line in out.splitlines()[1:-1]] == ["张三", "周八"]


def test_list_refuses_unknown_status_and_village(capsys, data_paths, town):
    code, _out, err = run(capsys, data_paths, "list", "--status", "在监测")
    assert code == 1 and "状态“在监测”不存在" in err and "Traceback" not in err
    code, _out, err = run(capsys, data_paths, "list", "--village", "桃园村")
    assert code == 1 and "没有名为“桃园村”的行政村" in err


def test_due(capsys, data_paths, town):
    code, out, err = run(capsys, data_paths, "due")
    assert code == 0, err
    assert out.splitlines()[0] == "待办（2026-12-02 至 2026-12-13，含已超期）：共 8 项"
    assert "【线索超期】1 项" in out and "【公示期满】2 项" in out and "【可申请消除】2 项" in out
    assert "  西河村\t张三\t（无联系人）\t2026-11-16（超期）\t线索发现于2026-11-01" in out
    assert "  东山村\t周八\t李干部\t2026-11-15（超期）\t上次复核2026-08-15" in out
    code, out, _ = run(capsys, data_paths, "due", "--weeks", "3")
    assert "共 10 项" in out.splitlines()[0] and "褚四" in out
    code, _out, err = run(capsys, data_paths, "due", "--weeks", "0")
    assert code == 1 and "--weeks" in err


def test_show_by_code_and_by_id_number(capsys, data_paths, town, db):
    code, out, err = run(capsys, data_paths, "show", "3415230020010002")
    assert code == 0, err
    assert out.splitlines()[0] == "东山村一组 3415230020010002 孙七户（脱贫户）"
    assert "状态：监测中" in out
    assert "致贫返贫风险：因病、因自然灾害（洪涝）" in out
    assert "人均纯收入：8000.00元（2026年），监测范围7000.00元" in out
    assert "三保障和饮水安全：住房不安全" in out
    assert "下一件事：走访　期限：2026-12-05" in out
    with db.reading() as s:
        number = s.query(Member.id_number).filter(Member.name == "钱一").scalar()
    db.dispose()
    code, out, err = run(capsys, data_paths, "show", number)
    assert code == 0, err
    assert "状态：线索" in out and "此前的监测记录：编号" in out  # the open case, I2


def test_show_refuses_an_unknown_household(capsys, data_paths, town):
    code, out, err = run(capsys, data_paths, "show", "9999999999")
    assert code == 1
    assert "没有户编号或证件号码为“9999999999”的农户" in err and "Traceback" not in err
    code, out, err = run(capsys, data_paths, "show")
    assert code == 1 and "请给出要查看的户编号或证件号码" in err
