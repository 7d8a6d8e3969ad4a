"""The roster import's monitoring columns: a national export creates or updates each household's
monitoring case (importer/cases.py), re-importing it changes nothing, and a case the clerk is
working on locally is never overwritten."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from fanpin_desktop.models import AuditEntry, CaseRisk, CaseStep, Household, MonitoringCase
from fanpin_desktop.services.importer import import_file
from tests.importer.helpers import add_villages, pid

HEADER = [
    "序号",
    "行政村",
    "村民小组",
    "户编号",
    "姓名",
    "证件号码",
    "与户主关系",
    "文化程度",
    "户类型",
    "易返贫致贫户(监测对象)类型",
    "风险是否消除",
    "风险识别时间",
    "风险消除时间",
    "风险消除方式",
    "返贫致贫风险1",
    "返贫致贫风险2",
    "自然灾害类型",
    "致贫原因1",
]
COL = {name: i for i, name in enumerate(HEADER)}


def row(n: int, code: str, rel: str, name: str, hh_type: str = "一般农户", **case: Any) -> list[Any]:
    values: list[Any] = [n, "红星村", "1组", code, name, pid(n), rel, "初中", hh_type] + [""] * 9
    for key, value in case.items():
        values[COL[key]] = value
    return values


def national(**overrides: dict[str, Any]) -> list[list[Any]]:
    """Four households: H001 monitored (two risks, 洪涝), H002 eliminated, H003 not monitored,
    H004 monitored with an Excel date. Each household's monitoring values are on every row, as the
    national system exports them. ``overrides`` = {household code: {column: value}}."""
    h1 = {
        "易返贫致贫户(监测对象)类型": "脱贫不稳定户",
        "风险是否消除": "否",
        "风险识别时间": "202304",
        "返贫致贫风险1": "因病",
        "返贫致贫风险2": "因自然灾害",
        "自然灾害类型": "洪涝",
        "致贫原因1": "因学",
    }
    h2 = {
        "易返贫致贫户(监测对象)类型": "边缘易致贫户（监测对象）",
        "风险是否消除": "是",
        "风险识别时间": 202203,
        "风险消除时间": "2023/9/15",
        "风险消除方式": "帮扶消除",
        "返贫致贫风险1": "因学",
    }
    h4 = {
        "易返贫致贫户(监测对象)类型": "突发严重困难户",
        "风险是否消除": "否",
        "风险识别时间": dt.datetime(2024, 5, 10),
        "返贫致贫风险1": "因意外事故",
    }
    for code, values in overrides.items():
        {"H001": h1, "H002": h2, "H004": h4}[code].update(values)
    return [
        row(1, "H001", "户主", "张大山", "脱贫户", **h1),
        row(2, "H001", "配偶", "李秀英", "脱贫户", **h1),
        row(3, "H002", "户主", "王建国", **h2),
        row(4, "H002", "之女", "王芳", **h2),
        row(5, "H003", "户主", "赵小兰"),
        row(6, "H004", "户主", "钱多多", **h4),
    ]


def write(path: Path, rows: list[list[Any]]) -> Path:
    """An .xlsx as the national system exports it: a title row above the header."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["全国防返贫监测信息系统 家庭成员信息（导出时间：2024-06-01）"])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def town(db):
    add_villages(db)
    return db


def cases_by_code(db) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    with db.reading() as s:
        for case in s.scalars(select(MonitoringCase).order_by(MonitoringCase.id)):
            out.setdefault(case.household.code, []).append(
                {
                    "id": case.id,
                    "status": case.status,
                    "category": case.category,
                    "origin": case.origin,
                    "source": case.source,
                    "clue_date": case.clue_date,
                    "identified_on": case.identified_on,
                    "eliminated_on": case.eliminated_on,
                    "mode": case.elimination_mode,
                    "previous": case.previous_case_id,
                    "risks": [(r.risk_type, r.subtype) for r in case.risks],
                    "steps": sorted((t.procedure, t.step, t.done_on, t.from_national) for t in case.steps),
                }
            )
    return out


def tables(db) -> tuple[Any, ...]:
    """Every row of the case tables, and the audit trail's size."""
    with db.reading() as s:
        return (
            [tuple(r) for r in s.execute(select(MonitoringCase.__table__)).all()],
            [tuple(r) for r in s.execute(select(CaseStep.__table__)).all()],
            [tuple(r) for r in s.execute(select(CaseRisk.__table__)).all()],
            s.scalar(select(func.count(AuditEntry.id))),
            s.scalar(select(func.max(AuditEntry.id))),
        )


def test_national_export_creates_cases_with_status_dates_risks_and_national_steps(town, tmp_path):
    result = import_file(town, write(tmp_path / "n.xlsx", national()))
    assert not [str(i) for i in result.plan.issues if i.is_error]
    c = result.plan.counts
    assert (c["c_new"], c["c_changed"], c["c_unchanged"], c["c_kept"]) == (3, 0, 0, 0)
    assert "监测对象：新建 3，更新 0，无变化 0，本地正在办理、未覆盖 0" in result.summary_lines()
    assert "监测对象已写入：新建 3 户，更新 0 户" in result.summary_lines()
    # the monitoring columns are imported now, 致贫原因1 still is not
    ignored = next(line for line in result.summary_lines() if line.startswith("以下列能识别但不导入"))
    assert ignored == "以下列能识别但不导入：序号、致贫原因1"
    cases = cases_by_code(town)
    assert set(cases) == {"H001", "H002", "H004"}
    apr = dt.date(2023, 4, 1)
    assert cases["H001"] == [
        {
            "id": cases["H001"][0]["id"],
            "status": "已纳入",
            "category": "脱贫不稳定户",
            "origin": "国家系统",
            "source": "集中排查",
            "clue_date": apr,
            "identified_on": apr,
            "eliminated_on": None,
            "mode": None,
            "previous": None,
            "risks": [("因病", None), ("因自然灾害", "洪涝")],
            "steps": [("识别", "县级审定", apr, True), ("识别", "系统录入", apr, True)],
        }
    ]
    h2 = cases["H002"][0]
    mar, sep = dt.date(2022, 3, 1), dt.date(2023, 9, 15)
    assert (h2["status"], h2["category"], h2["identified_on"], h2["eliminated_on"], h2["mode"]) == (
        "已消除",
        "边缘易致贫户",
        mar,
        sep,
        "帮扶消除",
    )
    assert h2["risks"] == [("因学", None)]
    assert h2["steps"] == [
        ("消除", "县级审定", sep, True),
        ("消除", "系统录入", sep, True),
        ("识别", "县级审定", mar, True),
        ("识别", "系统录入", mar, True),
    ]
    h4 = cases["H004"][0]
    assert (h4["status"], h4["category"], h4["identified_on"], h4["risks"]) == (
        "已纳入",
        "突发严重困难户",
        dt.date(2024, 5, 10),
        [("因意外事故", None)],
    )
    # each insert is in the audit trail, naming the file and the household
    with town.reading() as s:
        entries = s.execute(
            select(AuditEntry.table_name, func.count(), func.count(AuditEntry.household_id))
            .where(AuditEntry.table_name.in_(["monitoring_cases", "case_steps", "case_risks"]))
            .group_by(AuditEntry.table_name)
        ).all()
        sources = set(
            s.scalars(select(AuditEntry.new_value).where(AuditEntry.table_name == "monitoring_cases"))
        )
    assert sorted(entries) == [("case_risks", 4, 4), ("case_steps", 8, 8), ("monitoring_cases", 3, 3)]
    assert sources == {'{"source":"import","file":"n.xlsx","sheet":"Sheet"}'}


def test_reimporting_the_same_file_changes_nothing(town, tmp_path):
    path = write(tmp_path / "n.xlsx", national())
    import_file(town, path)
    before = tables(town)
    again = import_file(town, path)
    c = again.plan.counts
    assert (c["c_new"], c["c_changed"], c["c_unchanged"], c["c_kept"]) == (0, 0, 3, 0)
    assert not again.plan.has_changes
    assert "监测对象：新建 0，更新 0，无变化 3，本地正在办理、未覆盖 0" in again.summary_lines()
    assert tables(town) == before


def test_a_changed_category_updates_the_case_and_is_audited(town, tmp_path):
    import_file(town, write(tmp_path / "n.xlsx", national()))
    before = cases_by_code(town)
    changed = national(H004={"易返贫致贫户(监测对象)类型": "边缘易致贫户"})
    result = import_file(town, write(tmp_path / "n2.xlsx", changed))
    c = result.plan.counts
    assert (c["c_new"], c["c_changed"], c["c_unchanged"], c["c_kept"]) == (0, 1, 2, 0)
    assert [
        (d["person"], d["field"], d["old"], d["new"])
        for d in result.plan.member_changes()
        if d["person"] == "（监测对象）"
    ] == [("（监测对象）", "监测对象类别", "突发严重困难户", "边缘易致贫户")]
    after = cases_by_code(town)
    assert after["H004"][0]["category"] == "边缘易致贫户"
    assert after["H004"][0]["id"] == before["H004"][0]["id"]
    assert {k: v for k, v in after.items() if k != "H004"} == {k: v for k, v in before.items() if k != "H004"}
    with town.reading() as s:
        updates = s.execute(
            select(AuditEntry.table_name, AuditEntry.field, AuditEntry.old_value, AuditEntry.new_value).where(
                AuditEntry.action == "update"
            )
        ).all()
    assert updates == [("monitoring_cases", "category", "突发严重困难户", "边缘易致贫户")]


def test_a_case_with_an_open_local_step_is_not_overwritten_and_the_difference_listed(town, tmp_path):
    import_file(town, write(tmp_path / "n.xlsx", national()))
    # the clerk opened a case for 赵小兰 (H003) here and is verifying it (识别中)
    with town.unit() as s:
        hid = s.scalar(select(Household.id).where(Household.code == "H003"))
        s.add(
            MonitoringCase(
                household_id=hid,
                source="干部走访",
                status="识别中",
                clue_date=dt.date(2024, 2, 20),
                origin="本地",
            )
        )
    rows = national()
    rows[4][COL["易返贫致贫户(监测对象)类型"]] = "边缘易致贫户"
    rows[4][COL["风险是否消除"]] = "否"
    rows[4][COL["风险识别时间"]] = "202403"
    rows[4][COL["返贫致贫风险1"]] = "因残"
    before = tables(town)
    local_before = cases_by_code(town)["H003"]
    result = import_file(town, write(tmp_path / "n2.xlsx", rows), report=tmp_path / "problems.xlsx")
    c = result.plan.counts
    assert (c["c_new"], c["c_changed"], c["c_unchanged"], c["c_kept"]) == (0, 0, 3, 1)
    assert not result.plan.has_changes
    assert tables(town) == before
    assert cases_by_code(town)["H003"] == local_before
    kept = [(d["row"], d["field"], d["old"], d["new"]) for d in result.plan.case_differences(kept_only=True)]
    assert kept == [
        (7, "监测对象类别", "", "边缘易致贫户"),
        (7, "监测状态", "识别中", "监测中"),
        (7, "识别监测时间", "", "2024-03-01"),
        (7, "返贫致贫风险", "", "因残"),
    ]
    lines = result.summary_lines()
    assert "监测对象：新建 0，更新 0，无变化 3，本地正在办理、未覆盖 1" in lines
    assert (
        "　第7行 红星村 赵小兰户（户编号H003）：监测状态 本地为“识别中”，国家系统为“监测中”（本地正在办理，未覆盖）"
        in lines
    )
    sheet = openpyxl.load_workbook(tmp_path / "problems.xlsx")["监测对象未覆盖"]
    listed = [tuple(c.value for c in r) for r in sheet.iter_rows(min_row=3)]
    assert listed[1] == (7, "红星村 赵小兰户（户编号H003）", "监测状态", "识别中", "监测中")
    assert len(listed) == 4


def test_eliminated_in_the_file_marks_the_case_eliminated_with_mode_and_date(town, tmp_path):
    import_file(town, write(tmp_path / "n.xlsx", national()))
    rows = national(
        H001={"风险是否消除": "是", "风险消除时间": "20240115", "风险消除方式": "自然消除"},
    )
    result = import_file(town, write(tmp_path / "n2.xlsx", rows))
    assert result.plan.counts["c_changed"] == 1
    case = cases_by_code(town)["H001"][0]
    jan = dt.date(2024, 1, 15)
    assert (case["status"], case["eliminated_on"], case["mode"]) == ("已消除", jan, "自然消除")
    assert ("消除", "县级审定", jan, True) in case["steps"] and ("消除", "系统录入", jan, True) in case[
        "steps"
    ]
    # and importing that file again changes nothing
    before = tables(town)
    assert not import_file(town, write(tmp_path / "n3.xlsx", rows)).plan.has_changes
    assert tables(town) == before


def test_new_risk_after_elimination_opens_a_new_linked_case(town, tmp_path):
    import_file(town, write(tmp_path / "n.xlsx", national()))
    old = cases_by_code(town)["H002"][0]
    rows = national(
        H002={
            "风险是否消除": "否",
            "风险识别时间": "202403",
            "风险消除时间": "",
            "风险消除方式": "",
            "返贫致贫风险1": "因病",
        }
    )
    result = import_file(town, write(tmp_path / "n2.xlsx", rows))
    assert result.plan.counts["c_new"] == 1
    cases = cases_by_code(town)["H002"]
    assert [c["status"] for c in cases] == ["已消除", "已纳入"]
    assert cases[0] == old
    assert cases[1]["previous"] == old["id"] and cases[1]["identified_on"] == dt.date(2024, 3, 1)
    assert cases[1]["risks"] == [("因病", None)]


def test_a_bad_date_is_an_error_naming_row_and_column_and_its_household_is_left_out(town, tmp_path):
    rows = national(H001={"风险识别时间": "2023年13月"})
    result = import_file(town, write(tmp_path / "n.xlsx", rows))
    messages = [str(i) for i in result.plan.issues if i.is_error]
    assert "错误：第3行“风险识别时间”列（L列），值“2023年13月”：日期“2023年13月”不存在" in messages
    # as for any other column: rows with errors are not imported (the 户主's: the whole household)
    with town.reading() as s:
        codes = set(s.scalars(select(Household.code)))
    assert codes == {"H002", "H003", "H004"}
    assert set(cases_by_code(town)) == {"H002", "H004"}


def test_conflicting_values_in_a_household_are_a_warning_naming_row_and_column(town, tmp_path):
    rows = national()
    rows[1][COL["易返贫致贫户(监测对象)类型"]] = "突发严重困难户"
    rows[1][COL["风险识别时间"]] = "202305"
    result = import_file(town, write(tmp_path / "n.xlsx", rows))
    warnings = [str(i) for i in result.plan.issues if not i.is_error]
    assert (
        "警告：第4行“易返贫致贫户(监测对象)类型”列（J列），值“突发严重困难户”："
        "同一户的易返贫致贫户(监测对象)类型不一致（户主行为“脱贫不稳定户”），以户主行为准"
    ) in warnings
    assert (
        "警告：第4行“风险识别时间”列（L列），值“2023-05-01”："
        "同一户的风险识别时间不一致（户主行为“2023-04-01”），以户主行为准"
    ) in warnings
    case = cases_by_code(town)["H001"][0]
    assert (case["category"], case["identified_on"]) == ("脱贫不稳定户", dt.date(2023, 4, 1))


def test_missing_identification_date_or_unknown_category(town, tmp_path):
    rows = national(H004={"风险识别时间": ""})
    rows[4][COL["易返贫致贫户(监测对象)类型"]] = "特困户"
    result = import_file(town, write(tmp_path / "n.xlsx", rows))
    issues = [str(i) for i in result.plan.issues]
    assert (
        "警告：第8行“风险识别时间”列（L列）：监测对象类型为“突发严重困难户”，但风险识别时间为空："
        "未建立或更新监测对象记录（补上识别时间后重新导入）"
    ) in issues
    assert (
        "错误：第7行“易返贫致贫户(监测对象)类型”列（J列），值“特困户”：易返贫致贫户(监测对象)类型“特困户”"
        "不是可选的值（可选：脱贫不稳定户、边缘易致贫户、突发严重困难户；不是监测对象的户空着）"
    ) in issues
    assert set(cases_by_code(town)) == {"H001", "H002"}


def test_an_exported_roster_imports_back_without_changes(town, tmp_path):
    """The program's own roster export (47 columns) writes the cases as YYYYMM: importing it back
    into the same database finds every case unchanged (a month equals any day in it)."""
    from fanpin_desktop.services.roster_export import export_roster

    import_file(town, write(tmp_path / "n.xlsx", national()))
    with town.unit() as s:  # a local day inside the month
        case = s.scalars(select(MonitoringCase).join(Household).where(Household.code == "H001")).one()
        case.identified_on = dt.date(2023, 4, 18)
    before = tables(town)
    target = tmp_path / "export.xlsx"
    with town.reading() as s:
        export_roster(s, target)
    result = import_file(town, target)
    c = result.plan.counts
    assert (c["c_new"], c["c_changed"], c["c_unchanged"], c["c_kept"]) == (0, 0, 3, 0)
    assert tables(town) == before


def test_a_new_identification_date_moves_the_national_steps_and_the_clue_date(town, tmp_path):
    import_file(town, write(tmp_path / "n.xlsx", national()))
    result = import_file(town, write(tmp_path / "n2.xlsx", national(H001={"风险识别时间": "20230612"})))
    assert result.plan.counts["c_changed"] == 1
    case = cases_by_code(town)["H001"][0]
    jun = dt.date(2023, 6, 12)
    assert (case["identified_on"], case["clue_date"]) == (jun, jun)
    assert case["steps"] == [("识别", "县级审定", jun, True), ("识别", "系统录入", jun, True)]


def test_no_longer_eliminated_in_the_same_episode_reopens_the_case(town, tmp_path):
    import_file(town, write(tmp_path / "n.xlsx", national()))
    rows = national(H002={"风险是否消除": "否", "风险消除时间": "", "风险消除方式": ""})
    result = import_file(town, write(tmp_path / "n2.xlsx", rows))
    assert result.plan.counts["c_changed"] == 1 and result.plan.counts["c_new"] == 0
    assert {(d["field"], d["old"], d["new"]) for d in result.plan.case_differences()} == {
        ("监测状态", "已消除", "监测中"),
        ("风险消除时间", "2023-09-15", ""),
        ("风险消除方式", "帮扶消除", ""),
    }
    [case] = cases_by_code(town)["H002"]
    assert (case["status"], case["eliminated_on"], case["mode"]) == ("已纳入", None, None)
    assert [s[0] for s in case["steps"]] == ["识别", "识别"]  # the national elimination steps are gone
