"""Department warnings: any-layout import, matching, nothing lost, thresholds, outcomes, summary, CLI."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from fanpin_desktop import cli
from fanpin_desktop.domain.ids import make_id
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import (
    AuditEntry,
    DepartmentWarning,
    Household,
    Member,
    MonitoringCase,
    Village,
    VillageGroup,
)
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services import warnings as w

D = dt.date


def pid(year: int, seq: int) -> str:
    return make_id("341523", D(year, 3, 1), seq, female=False)


def build(db) -> dict[str, object]:
    """Two villages: 西河村 张三 (户主) + 张小三; 李四; 东山村 王五, and two people called 赵六 in 西河村
    (one per household) so a name-only lookup is ambiguous; 孙七 (东山村) has an open case."""
    out: dict[str, object] = {}
    with db.unit() as s:
        west, east = Village(name="西河村", sort_order=0), Village(name="东山村", sort_order=1)
        s.add_all([west, east])
        s.flush()
        g = VillageGroup(village_id=west.id, name="一组", sort_order=1)
        s.add(g)
        s.flush()

        def household(key, village, code, people):
            h = Household(village_id=village.id, code=code)
            h.members = [
                Member(name=n, relation=rel, id_number=num, sex="男", sort_order=i)
                for i, (n, rel, num) in enumerate(people)
            ]
            s.add(h)
            s.flush()
            out[key] = h.id
            for m in h.members:
                out[m.name if m.name not in out else m.name + "2"] = m.id_number
            return h

        household("hh:张三", west, "001", [("张三", "户主", pid(1970, 1)), ("张小三", "之子", pid(2000, 3))])
        household("hh:李四", west, "002", [("李四", "户主", pid(1971, 5)), ("赵六", "之父", pid(1940, 7))])
        household("hh:王五", east, "003", [("王五", "户主", pid(1972, 9))])
        household("hh:赵六", west, "004", [("赵六", "户主", pid(1960, 11))])
        sun = household("hh:孙七", east, "005", [("孙七", "户主", pid(1965, 13))])
        s.add(
            MonitoringCase(
                household_id=sun.id, source="干部走访", clue_date=D(2026, 10, 1), status="线索", origin="本地"
            )
        )
    return out


@pytest.fixture
def town(db):
    return build(db)


HEADER = ["序号", "患者姓名", "身份证号码", "所属村", "个人自付金额", "结算日期", "就诊医院"]


def write_list(path, town, *, title=True):
    rows = [
        # valid IDs
        [1, "张三", town["张三"], "西河村", 12000, "2026-11-03", "县医院"],
        [2, "张小三", town["张小三"], "西河村", 800, "2026-11-05", "县医院"],
        [3, "王五", town["王五"], "东山村", 9000, "2026-11-06", "市医院"],
        # invalid ID (bad check digit) → found by name + village → 待确认
        [
            4,
            "李四",
            town["李四"][:-1] + ("0" if town["李四"][-1] != "0" else "1"),
            "西河村",
            300,
            "2026-11-07",
            "乡卫生院",
        ],
        # no ID, ambiguous name → 未匹配
        [5, "赵六", "", "西河村", 200, "2026-11-08", "乡卫生院"],
        # unknown person with an invalid ID → 未匹配
        [6, "钱八", "341523199001011234", "南湖村", 100, "2026-11-09", "乡卫生院"],
        # valid ID of someone outside the township → 未匹配
        [7, "周九", pid(1980, 99), "", 50, "2026-11-09", "乡卫生院"],
        # duplicate of row 1 (same content, re-typed 序号 is the same too)
        [1, "张三", town["张三"], "西河村", 12000, "2026-11-03", "县医院"],
        # 王五 again: 9,000 + 22,000 = 31,000 > 30,000 yearly
        [8, "王五", town["王五"], "东山村", 22000, "2026-11-20", "市医院"],
    ]
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["某县医疗保障局 2026年11月高额医疗费用预警名单"])
        ws.append([])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows(min_col=3, max_col=3):
        row[0].number_format = "@"
    wb.save(path)
    return len(rows)


def count(db) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(DepartmentWarning))


def test_every_row_accounted_for_and_reimport_adds_nothing(db, town, tmp_path):
    path = tmp_path / "医保11月.xlsx"
    n = write_list(path, town)
    with db.unit() as s:
        r = w.import_warnings(s, path, "医保", received_on=D(2026, 11, 25))
    assert (r.total_rows, r.new, r.already, r.duplicates_in_file) == (n, n - 1, 0, 1)
    assert (r.matched, r.to_confirm, r.unmatched) == (4, 1, 3)
    assert r.matched + r.to_confirm + r.unmatched + r.duplicates_in_file == n
    with db.reading() as s:
        rows = {x.row_number: x for x in w.list_warnings(s, department="医保")}
    assert rows[4].match_status == "已匹配" and rows[4].household_id == town["hh:张三"]
    assert rows[5].household_id == town["hh:张三"] and rows[5].head_name == "张三"
    li = rows[7]
    assert (
        li.match_status == "待确认" and li.household_id == town["hh:李四"] and "校验位错误" in li.match_note
    )
    assert rows[8].match_status == "未匹配" and "2个叫“赵六”" in rows[8].match_note
    assert rows[9].match_status == "未匹配" and "没有叫“钱八”" in rows[9].match_note
    assert rows[10].match_status == "未匹配" and "不在本乡镇的花名册中" in rows[10].match_note
    assert rows[4].raw["就诊医院"] == "县医院" and rows[4].raw["序号"] == "1"  # nothing received is lost
    assert rows[4].amount == Decimal("12000.00") and rows[4].warning_date == D(2026, 11, 3)
    with db.reading() as s:  # the audit trail names the file each warning came from
        entries = s.execute(
            select(AuditEntry.new_value, AuditEntry.user, AuditEntry.household_id).where(
                AuditEntry.table_name == "department_warnings"
            )
        ).all()
    assert len(entries) == n - 1 and all("医保11月.xlsx" in e.new_value and e.user == "测试" for e in entries)
    assert {e.household_id for e in entries} >= {town["hh:张三"], town["hh:王五"]}
    before = count(db)
    with db.unit() as s:
        again = w.import_warnings(s, path, "医保", received_on=D(2026, 11, 26))
    assert (again.new, again.already, again.duplicates_in_file) == (0, n - 1, 1)
    assert count(db) == before
    # re-sent with the rows renumbered (序号) and in another order: still nothing new
    wb = load_workbook(path)
    data = [[c.value for c in r] for r in wb.active.iter_rows(min_row=4)]
    resent = Workbook()
    resent.active.append(HEADER)
    for i, r in enumerate(reversed(data), 1):
        resent.active.append([i, *r[1:]])
    resent.save(tmp_path / "重发.xlsx")
    with db.unit() as s:
        third = w.import_warnings(s, tmp_path / "重发.xlsx", "医保")
    assert (third.new, third.already) == (0, n - 1) and count(db) == before
    # the same rows from another department are new for that department
    with db.unit() as s:
        other = w.import_warnings(s, path, "卫健", received_on=D(2026, 11, 26))
    assert other.new == n - 1


def test_reordered_columns_and_csv_are_the_same_rows(db, town, tmp_path):
    xlsx = tmp_path / "a.xlsx"
    write_list(xlsx, town, title=False)
    with db.unit() as s:
        w.import_warnings(s, xlsx, "医保", received_on=D(2026, 11, 25))
    wb = load_workbook(xlsx)
    rows = [[c.value for c in r] for r in wb.active.iter_rows()]
    reordered = tmp_path / "b.csv"
    with reordered.open("w", encoding="gbk", newline="") as fh:
        cw = csv.writer(fh)
        for r in rows:
            cw.writerow(list(reversed(r)))
    with db.unit() as s:
        r = w.import_warnings(s, reordered, "医保")
    assert r.new == 0 and r.already == len(rows) - 2 and r.duplicates_in_file == 1


def test_unknown_layout_needs_a_saved_mapping_per_department(db, town, tmp_path):
    path = tmp_path / "残联.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["持证人", "残疾证号码", "居住地", "评定"])
    ws.append(["王五", town["王五"] + "11", "东山村", "一级肢体"])
    wb.save(path)
    with db.reading() as s:
        with pytest.raises(UserError, match="找不到表头"):
            w.preview(s, path, "残联")
        pv = w.preview(s, path, "残联", header_row=0)
    assert pv.columns == [None, None, None, None] and pv.missing == []
    with db.unit() as s:
        with pytest.raises(UserError, match="没有找到“证件号码”或“姓名”列"):
            w.import_warnings(s, path, "残联", header_row=0)
        name = w.save_mapping(s, "残联", pv.labels, ["name", "id_number", "village", "reason"])
    assert name == "部门预警·残联"
    with db.reading() as s:
        assert w.mapping_names(s, "残联") == ["部门预警·残联"] and w.mapping_names(s, "医保") == []
        pv2 = w.preview(s, path, "残联", header_row=0)
        assert pv2.columns == ["name", "id_number", "village", "reason"] and pv2.mapping_name == name
        assert w.preview(s, path, "住建", header_row=0).columns == [None, None, None, None]
    with db.unit() as s:
        r = w.import_warnings(s, path, "残联", mapping_name=name, header_row=0)
    assert r.matched == 1
    with db.reading() as s:
        (row,) = w.list_warnings(s, department="残联")
    assert row.reason == "一级肢体" and row.household_id == town["hh:王五"]


def test_threshold_highlighting_uses_the_year_settings(db, town, tmp_path):
    path = tmp_path / "yb.xlsx"
    write_list(path, town)
    with db.unit() as s:
        w.import_warnings(s, path, "医保", received_on=D(2026, 11, 25))
    with db.reading() as s:
        rows = {x.row_number: x for x in w.list_warnings(s, department="医保")}
    assert (
        rows[4].over_threshold
        and "单次个人自付12,000元，超过2026年单次限额10,000元" in rows[4].threshold_reason
    )
    assert not rows[5].over_threshold and rows[5].threshold_reason is None
    assert rows[6].over_threshold and "累计个人自付31,000元，超过年度限额30,000元" in rows[6].threshold_reason
    assert rows[12].over_threshold  # the 22,000 row: single and yearly
    with db.unit() as s:
        w.set_thresholds(s, 2026, 15000, 40000, "皖医保发〔2026〕8号")
    with db.reading() as s:
        rows = {x.row_number: x for x in w.list_warnings(s, department="医保")}
        assert w.thresholds_for(s, 2027).doc == "皖医保发〔2026〕8号"  # later years inherit
        assert w.thresholds_for(s, 2025).single == Decimal(10000)
        assert settings_service.load(s).warning_thresholds["2026"]["single"] == 15000
    assert not rows[4].over_threshold and not rows[6].over_threshold
    assert rows[12].over_threshold and "皖医保发〔2026〕8号" in rows[12].threshold_reason
    with db.unit() as s, pytest.raises(ValidationError, match="不应小于"):
        w.set_thresholds(s, 2026, 5000, 4000)


def _by_row(db, n, department="医保"):
    with db.reading() as s:
        return next(x for x in w.list_warnings(s, department=department) if x.row_number == n)


def test_outcomes(db, town, tmp_path):
    path = tmp_path / "yb.xlsx"
    write_list(path, town)
    with db.unit() as s:
        w.import_warnings(s, path, "医保", received_on=D(2026, 11, 25))
    zhang, wang, li, zhao = (_by_row(db, n) for n in (4, 6, 7, 8))
    # 纳入监测 opens a 线索 case with source 部门预警
    with db.unit() as s:
        res = w.set_outcome(s, zhang.id, "纳入监测", on=D(2026, 11, 28))
    assert res.case_created and res.outcome == "纳入监测"
    with db.reading() as s:
        case = s.get(MonitoringCase, res.case_id)
        assert (case.household_id, case.source, case.status, case.clue_date) == (
            town["hh:张三"],
            "部门预警",
            "线索",
            D(2026, 11, 3),
        )
        row = w.get_warning(s, zhang.id)
    assert (row.outcome, row.status, row.checked_on, row.checked_by, row.case_id) == (
        "纳入监测",
        "已办结",
        D(2026, 11, 28),
        "测试",
        res.case_id,
    )
    # a second warning for the same household: its open case is linked, outcome 已是监测对象
    zhang_son = _by_row(db, 5)
    with db.unit() as s:
        res2 = w.set_outcome(s, zhang_son.id, "纳入监测")
    assert not res2.case_created and res2.outcome == "已是监测对象" and res2.case_id == res.case_id
    with db.reading() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(MonitoringCase)
                .where(MonitoringCase.household_id == town["hh:张三"])
            )
            == 1
        )
    # 已是监测对象 for a household without any case is refused
    with db.unit() as s, pytest.raises(ValidationError, match="没有监测记录"):
        w.set_outcome(s, wang.id, "已是监测对象")
    # 不符合 needs a reason
    with db.unit() as s, pytest.raises(ValidationError, match="原因"):
        w.set_outcome(s, wang.id, "不符合", reason="  ")
    with db.unit() as s:
        w.set_outcome(s, wang.id, "不符合", reason="已报销，家庭收入稳定")
    assert _by_row(db, 6).outcome_reason == "已报销，家庭收入稳定"
    with db.unit() as s, pytest.raises(ValidationError, match="已有核实结果"):
        w.set_outcome(s, wang.id, "纳入监测")
    # 待确认 must be confirmed first
    with db.unit() as s, pytest.raises(ValidationError, match="待确认"):
        w.set_outcome(s, li.id, "纳入监测")
    with db.unit() as s:
        w.confirm_match(s, li.id)
        w.set_outcome(s, li.id, "不符合", reason="身份证号录入错误，人员无风险")
    # unmatched: assign a household, or mark 不涉及本乡镇
    with db.unit() as s, pytest.raises(ValidationError, match="还没有匹配到农户"):
        w.set_outcome(s, zhao.id, "纳入监测")
    with db.unit() as s:
        w.assign_household(s, zhao.id, town["hh:赵六"])
    assert _by_row(db, 8).match_status == "已匹配"
    qian = _by_row(db, 9)
    with db.unit() as s, pytest.raises(ValidationError, match="不涉及本乡镇的原因"):
        w.mark_not_local(s, qian.id, "")
    with db.unit() as s:
        w.mark_not_local(s, qian.id, "户籍在邻乡")
    with db.reading() as s:
        pending = {x.row_number for x in w.list_warnings(s, pending=True)}
    assert pending == {8, 10, 12}
    # an open case from elsewhere: 纳入监测 links it
    with db.unit() as s:
        sun_w = DepartmentWarning(
            department="民政", received_on=D(2026, 11, 2), reason="低保边缘", household_id=town["hh:孙七"]
        )
        s.add(sun_w)
        s.flush()
        res3 = w.set_outcome(s, sun_w.id, "纳入监测")
        assert res3.outcome == "已是监测对象" and not res3.case_created
    with db.unit() as s:
        w.clear_outcome(s, wang.id)
    assert _by_row(db, 6).outcome is None


def test_monthly_summary_xlsx(db, town, tmp_path):
    path = tmp_path / "yb.xlsx"
    write_list(path, town)
    with db.unit() as s:
        w.import_warnings(s, path, "医保", received_on=D(2026, 11, 25))
        w.import_warnings(s, path, "卫健", received_on=D(2026, 12, 1))
    zhang, wang = _by_row(db, 4), _by_row(db, 6)
    with db.unit() as s:
        w.set_outcome(s, zhang.id, "纳入监测")
        w.set_outcome(s, wang.id, "不符合", reason="收入稳定")
    with db.reading() as s:
        (one,) = w.monthly_summary(s, "2026-11", "医保")
        out = w.export_summary_xlsx(s, tmp_path / "sum.xlsx", "2026-11", "医保")
        assert w.monthly_summary(s, "2026-10", "医保")[0].received == 0
    assert (one.received, one.matched, one.to_confirm, one.unmatched) == (8, 4, 1, 3)
    assert (one.included, one.rejected, one.pending, one.over_threshold) == (1, 1, 6, 3)
    wb = load_workbook(out)
    summ = [[c.value for c in r] for r in wb["汇总"].iter_rows()]
    assert summ[1][:3] == ["部门", "月份", "收到"]
    assert summ[2][:11] == ["医保", "2026-11", 8, 4, 1, 3, 0, 1, 0, 1, 6]
    detail = [[c.value for c in r] for r in wb["明细"].iter_rows()]
    assert detail[0][0] == "内含个人敏感信息，请妥善保管，不得外传"
    assert len(detail) == 3 + 8
    zh = next(r for r in detail if r[5] == "张三")
    assert zh[6] == town["张三"] and zh[17] == "纳入监测" and zh[20] == "测试"
    assert all(r[1] == "医保" for r in detail[3:])


def run(capsys, data_paths, *argv):
    code = cli.main(["--data-dir", str(data_paths.root), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli(capsys, db, town, data_paths, tmp_path):
    db.dispose()
    path = tmp_path / "yb.xlsx"
    write_list(path, town)
    code, out, err = run(
        capsys,
        data_paths,
        "warnings",
        "import",
        str(path),
        "--department",
        "医保",
        "--received",
        "2026-11-25",
    )
    assert code == 0, err
    assert (
        "共9行：新收到8条，以前已收到0条，文件内重复1条" in out and "已匹配4条，待确认1条，未匹配3条" in out
    )
    code, out, err = run(capsys, data_paths, "warnings", "import", str(path), "--department", "医保")
    assert code == 0 and "新收到0条，以前已收到8条" in out
    code, out, err = run(capsys, data_paths, "warnings", "list", "--pending")
    assert code == 0 and out.splitlines()[0] == "共 8 条："
    assert sum(1 for line in out.splitlines() if "\t未匹配\t" in line) == 3
    code, out, err = run(
        capsys,
        data_paths,
        "warnings",
        "summary",
        "--month",
        "2026-11",
        "--department",
        "医保",
        "-o",
        str(tmp_path / "s.xlsx"),
    )
    assert code == 0 and "医保\t2026-11\t8\t4\t1\t3" in out and (tmp_path / "s.xlsx").exists()
    code, out, err = run(capsys, data_paths, "warnings", "import", str(path))
    assert code == 1 and "--department" in err and "Traceback" not in err
    code, out, err = run(
        capsys, data_paths, "warnings", "import", str(path), "--department", "医保", "--mapping", "没有"
    )
    assert code == 1 and "没有名为“没有”的部门预警对应关系" in err
