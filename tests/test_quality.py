"""数据核查 service (services/quality.py): the rules over the database, exemptions, the national
export's warning, ``fanpin rules`` and the findings xlsx."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import select

from fanpin_desktop import cli
from fanpin_desktop.context import open_app
from fanpin_desktop.documents.xlsx_util import PERSONAL_DATA_WARNING
from fanpin_desktop.domain import ids
from fanpin_desktop.domain.rules import RULES
from fanpin_desktop.errors import ValidationError
from fanpin_desktop.models import (
    AuditEntry,
    Household,
    Member,
    MonitoringCase,
    QualityExemption,
    Village,
    VillageGroup,
)
from fanpin_desktop.services import national_export as ne
from fanpin_desktop.services import quality

TODAY = dt.date(2026, 12, 2)
REGION = "341523"


def _member(name: str, relation: str, sex: str, birth: dt.date, seq: int, **kw) -> Member:
    number = kw.pop("id_number", None) or ids.make_id(REGION, birth, seq, female=sex == "女")
    return Member(
        name=name,
        relation=relation,
        sex=sex,
        birth_date=birth,
        id_number=number,
        health="健康",
        labour_skill="普通劳动力",
        education="初中",
        schooling="非在校生",
        work_status="乡（镇）内务工",
        work_months=6,
        ins_resident_medical=True,
        **kw,
    )


@pytest.fixture
def town(db):
    """Two villages; 张三's household (东村) has a bad phone and a member with a wrong check digit,
    李四's household (西村) holds 张三's identity number once more; 王五 (东村) is clean except what
    the rules find in any registry household; 张三 has an open case without a category."""
    with db.unit() as s:
        east, west = Village(name="东村", sort_order=1), Village(name="西村", sort_order=2)
        s.add_all([east, west])
        s.flush()
        g1 = VillageGroup(village_id=east.id, name="一组")
        g2 = VillageGroup(village_id=west.id, name="二组")
        s.add_all([g1, g2])
        s.flush()
        zhang_id = ids.make_id(REGION, dt.date(1970, 3, 1), 11, female=False)
        bad = ids.make_id(REGION, dt.date(1995, 6, 1), 21, female=True)
        bad = bad[:-1] + ("1" if bad[-1] != "1" else "2")
        zhang = Household(code="H001", village_id=east.id, group_id=g1.id, phone="12345")
        zhang.members = [
            _member("张三", "户主", "男", dt.date(1970, 3, 1), 11, id_number=zhang_id),
            _member("张小红", "女儿", "女", dt.date(1995, 6, 1), 21, id_number=bad),
        ]
        li = Household(code="H002", village_id=west.id, group_id=g2.id, phone="13900001111")
        li.members = [
            _member("李四", "户主", "男", dt.date(1968, 1, 5), 31),
            # the unique index stops the very same number; a 残疾人证号 built on it is the same person
            _member(
                "张三", "其他", "男", dt.date(1970, 3, 1), 11, id_number=zhang_id + "11", id_type="残疾人证"
            ),
        ]
        wang = Household(code="H003", village_id=east.id, group_id=g1.id, phone="13900002222")
        wang.members = [_member("王五", "户主", "男", dt.date(1975, 8, 8), 41)]
        s.add_all([zhang, li, wang])
        s.flush()
        case = MonitoringCase(
            household_id=zhang.id,
            source="干部走访",
            status="已纳入",
            clue_date=dt.date(2026, 9, 1),
            identified_on=dt.date(2026, 9, 10),
        )
        s.add(case)
        s.flush()
        return {
            "zhang": zhang.id,
            "li": li.id,
            "wang": wang.id,
            "case": case.id,
            "east": east.id,
            "west": west.id,
        }


def codes(findings, household_id=None) -> set[str]:
    return {f.rule_code for f in findings if household_id is None or f.household_id == household_id}


def keyset(findings) -> set[tuple]:
    return {(f.rule_code, f.household_id, f.case_id, f.member_id, f.data_hash, f.exempted) for f in findings}


def test_run_all_finds_the_planted_problems_with_labels(db, town):
    with db.reading() as s:
        report = quality.run_all(s, today=TODAY)
    assert report.households == 3
    zhang = {f.rule_code: f for f in report.findings if f.household_id == town["zhang"]}
    assert {"FP-ID-001", "FP-HH-008", "FP-ID-005", "FP-JC-001"} <= set(zhang)
    assert "FP-ID-005" in codes(report.findings, town["li"])  # the same number in both households
    assert not {"FP-ID-001", "FP-ID-005", "FP-HH-008"} & codes(report.findings, town["wang"])
    bad_id = zhang["FP-ID-001"]
    assert (bad_id.village, bad_id.group, bad_id.household_code, bad_id.head_name, bad_id.member_name) == (
        "东村",
        "一组",
        "H001",
        "张三",
        "张小红",
    )
    assert "张小红" in bad_id.message and bad_id.severity == "错误"
    assert zhang["FP-JC-001"].case_id == town["case"]
    counts = {rc.rule.code: rc for rc in report.by_rule()}
    assert len(counts) == len(RULES) and counts["FP-ID-005"].open == 2
    villages = {name: (o, e) for name, o, e in report.by_village()}
    assert set(villages) == {"东村", "西村"} and villages["西村"][0] >= 1
    # one village only
    with db.reading() as s:
        west = quality.run_all(s, village_id=town["west"], today=TODAY)
    assert west.households == 1 and {f.household_id for f in west.findings} == {town["li"]}
    assert "FP-ID-005" in codes(west.findings)  # duplicates are looked up township-wide
    assert west.villages == [(town["west"], "西村")]


def test_household_and_case_findings_equal_run_all(db, town):
    with db.reading() as s:
        report = quality.run_all(s, today=TODAY)
        for hid in (town["zhang"], town["li"], town["wang"]):
            one = quality.household_findings(s, hid, today=TODAY)
            assert keyset(one) == keyset(f for f in report.findings if f.household_id == hid)
        case = quality.case_findings(s, town["case"], today=TODAY)
    assert case and all(f.case_id == town["case"] for f in case)
    assert "FP-JC-001" in codes(case)


def test_exemption_survives_a_rerun_and_lapses_after_an_edit(db, town):
    with db.reading() as s:
        phone = next(
            f for f in quality.household_findings(s, town["zhang"], today=TODAY) if f.rule_code == "FP-HH-008"
        )
    with db.unit() as s, pytest.raises(ValidationError):
        quality.exempt(s, phone, "  ")
    with db.unit() as s:
        row = quality.exempt(s, phone, "座机号码，已电话核实")
        exemption_id = row.id
    with db.reading() as s:
        again = [f for f in quality.run_all(s, today=TODAY).findings if f.rule_code == "FP-HH-008"]
        assert len(again) == 1 and again[0].exempted
        assert (
            again[0].exemption.reason == "座机号码，已电话核实" and again[0].exemption.exempted_by == "测试"
        )
        entry = s.scalar(select(AuditEntry).where(AuditEntry.table_name == "quality_exemptions"))
        assert entry is not None and entry.action == "insert" and entry.user == "测试"
        assert quality.open_error_summary(quality.run_all(s, today=TODAY)) is not None
    # an edit of data the rule did not look at keeps the exemption
    with db.unit() as s:
        s.get(Household, town["zhang"]).address = "东村一组8号"
    with db.reading() as s:
        f = next(
            f for f in quality.household_findings(s, town["zhang"], today=TODAY) if f.rule_code == "FP-HH-008"
        )
        assert f.exempted
    # an edit of the phone: the finding comes back, the old exemption stays for history
    with db.unit() as s:
        s.get(Household, town["zhang"]).phone = "12346"
    with db.reading() as s:
        f = next(
            f for f in quality.household_findings(s, town["zhang"], today=TODAY) if f.rule_code == "FP-HH-008"
        )
        assert not f.exempted and "12346" in f.message
        assert s.get(QualityExemption, exemption_id) is not None
        assert [e.id for e in quality.exemptions(s, town["zhang"])] == [exemption_id]
    # withdrawing an exemption
    with db.unit() as s:
        quality.exempt(s, f, "已核实")
    with db.unit() as s:
        newest = quality.exemptions(s, town["zhang"])[0]
        quality.unexempt(s, newest.id)
    with db.reading() as s:
        f = next(
            f for f in quality.household_findings(s, town["zhang"], today=TODAY) if f.rule_code == "FP-HH-008"
        )
        assert not f.exempted


def test_quality_warnings_list_the_open_errors_of_monitored_households(db, town):
    with db.reading() as s:
        lines = ne.quality_warnings(s)
    assert lines and "条错误未处理" in lines[0] and "监测对象" in lines[0]
    assert any("张三" in line for line in lines[1:])
    assert not any("王五" in line for line in lines)  # no case: not in any batch
    # exempting every open error of the monitored household clears the warning
    with db.unit() as s:
        for f in quality.household_findings(s, town["zhang"]):
            if f.severity == "错误" and not f.exempted:
                quality.exempt(s, f, "已核实无误")
    with db.reading() as s:
        assert ne.quality_warnings(s) == []


def run(capsys, *argv):
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_rules_list_and_run_with_xlsx(capsys, db, town, data_paths, tmp_path):
    code, out, err = run(capsys, "--data-dir", str(data_paths.root), "rules", "list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split("\t") == ["编号", "分组", "严重程度", "规则"]
    listed = [line.split("\t") for line in lines[1 : 1 + len(RULES)]]
    assert [row[0] for row in listed] == [r.code for r in RULES]
    assert all(len(row) == 4 for row in listed)

    target = tmp_path / "问题清单.xlsx"
    code, out, err = run(
        capsys, "--data-dir", str(data_paths.root), "rules", "run", "--today", "2026-12-02", "-o", str(target)
    )
    assert code == 0, err
    assert "3 户" in out and "FP-ID-005" in out and "东村\t" in out and "西村\t" in out
    with db.reading() as s:
        report = quality.run_all(s, today=TODAY)
    wb = openpyxl.load_workbook(target, read_only=True)
    assert wb.sheetnames == ["东村", "西村"]
    rows = list(wb["东村"].iter_rows(values_only=True))
    assert rows[0][0] == PERSONAL_DATA_WARNING
    assert rows[2][:11] == (
        "村",
        "组",
        "户编号",
        "户主",
        "成员",
        "规则编号",
        "规则",
        "严重程度",
        "问题说明",
        "是否豁免",
        "豁免理由",
    )
    data = rows[3:]
    assert len(data) == len(report.for_village(town["east"]))
    assert ("东村", "一组", "H001", "张三", "张小红", "FP-ID-001") in {r[:6] for r in data}
    assert all(r[9] == "否" for r in data)

    one = tmp_path / "西村.xlsx"
    code, out, err = run(
        capsys, "--data-dir", str(data_paths.root), "rules", "run", "--village", "西村", "-o", str(one)
    )
    assert code == 0, err and "1 户" in out
    wb = openpyxl.load_workbook(one, read_only=True)
    assert wb.sheetnames == ["西村"]
    rows = list(wb["西村"].iter_rows(values_only=True))
    assert rows[0][0] == PERSONAL_DATA_WARNING and all(r[0] == "西村" for r in rows[3:]) and len(rows) > 3


def test_exempted_findings_are_marked_in_the_xlsx(db, town, tmp_path):
    with db.unit() as s:
        f = next(
            f for f in quality.household_findings(s, town["zhang"], today=TODAY) if f.rule_code == "FP-HH-008"
        )
        quality.exempt(s, f, "座机")
    with db.reading() as s:
        path = quality.export_findings_xlsx(
            s, tmp_path / "f.xlsx", town["east"], report=quality.run_all(s, today=TODAY)
        )
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    marked = [r for r in rows[3:] if r[5] == "FP-HH-008"]
    assert [(r[9], r[10]) for r in marked] == [("是", "座机")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ctx = open_app(tmp_path_factory.mktemp("demo"), demo=True, demo_households=300, auto_backup=False)
    yield ctx
    ctx.db.dispose()


def test_demo_household_findings_equal_run_all_for_every_household(demo):
    with demo.db.reading() as s:
        report = quality.run_all(s, today=TODAY)
        assert report.households == 300 and report.findings
        hids = list(s.scalars(select(Household.id)))
        by_household: dict[int, set] = {}
        for f in report.findings:
            by_household.setdefault(f.household_id, set()).add(
                (f.rule_code, f.case_id, f.member_id, f.data_hash)
            )
        for hid in hids:
            one = quality.household_findings(s, hid, today=TODAY)
            assert {(f.rule_code, f.case_id, f.member_id, f.data_hash) for f in one} == by_household.get(
                hid, set()
            )


def test_demo_threshold_is_the_one_of_the_year_the_rules_compare(demo):
    from fanpin_desktop.domain.rules.income import per_capita
    from fanpin_desktop.services.households.income import ThresholdCache

    with demo.db.reading() as s:
        loaded = quality._load(s, quality._Scope())
        cache = ThresholdCache(s)
        compared = 0
        for h in loaded.households:
            pc, year = per_capita(h)
            expected = cache(year) if year is not None else None
            assert h.threshold == expected, h.label
            compared += expected is not None
    assert compared > 100


def test_an_old_15_digit_number_duplicates_its_18_digit_form(db, town):
    with db.unit() as s:
        wang_id = s.scalar(select(Member.id_number).where(Member.household_id == town["wang"]))
        zhao = Household(code="H004", village_id=town["west"], phone="13900003333")
        zhao.members = [
            _member("赵六", "户主", "男", dt.date(1960, 2, 2), 51),
            _member("王五", "兄弟", "男", dt.date(1975, 8, 8), 41, id_number=wang_id[:6] + wang_id[8:17]),
        ]
        s.add(zhao)
        s.flush()
        zhao_id = zhao.id
    with db.reading() as s:
        report = quality.run_all(s, today=TODAY)
        dup = {f.household_id for f in report.findings if f.rule_code == "FP-ID-005"}
        assert {town["wang"], zhao_id} <= dup
        for hid in (town["wang"], zhao_id):
            one = quality.household_findings(s, hid, today=TODAY)
            assert "FP-ID-005" in codes(one)
            assert keyset(one) == keyset(f for f in report.findings if f.household_id == hid)
