"""Batch lists for the national system (services/national_export.py): the roster importer reads
them back unchanged, the history keeps the checksum and the values, marking a batch 已录入系统
empties the next 新识别 list, and the corrections list names exactly the changed fields."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from fanpin_desktop import cli
from fanpin_desktop.context import open_app
from fanpin_desktop.domain.cases import ACTIVE_CASE_STATUSES, CASE_ELIMINATED
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import (
    CaseStep,
    Household,
    Member,
    MonitoringCase,
    NationalExport,
    NationalExportRecord,
)
from fanpin_desktop.services import national_export as ne
from fanpin_desktop.services.importer import ImportOptions, import_file


def _clear_system_entry(db) -> None:
    """The demo's cases are all entered in the national system: undo that for the tests."""
    with db.unit() as s:
        for step in s.scalars(select(CaseStep).where(CaseStep.step == "系统录入")):
            s.delete(step)


@pytest.fixture
def ctx(tmp_path):
    app = open_app(tmp_path / "data", demo=True, demo_households=300, auto_backup=False)
    _clear_system_entry(app.db)
    yield app
    app.db.dispose()


def _case_ids(db, statuses) -> set[int]:
    with db.reading() as s:
        return set(
            s.scalars(
                select(MonitoringCase.id).where(
                    MonitoringCase.status.in_(statuses), MonitoringCase.identified_on.is_not(None)
                )
            )
        )


def _export(db, kind: str, path: Path) -> ne.ExportResult:
    with db.unit() as s:
        return ne.export_batch(s, kind, path)


def _assert_reads_back_unchanged(db, path: Path, households: int, sheet: str | None = None) -> None:
    result = import_file(db, path, ImportOptions(sheet=sheet), dry_run=True)
    assert [str(i) for i in result.plan.issues if i.is_error] == []
    c = result.plan.counts
    assert (c["hh_new"], c["hh_changed"], c["hh_unchanged"]) == (0, 0, households)
    assert (c["m_new"], c["m_changed"]) == (0, 0)
    assert (c["c_new"], c["c_changed"], c["c_kept"], c["c_unchanged"]) == (0, 0, 0, households)
    assert not result.plan.has_changes


@pytest.mark.parametrize(
    ("kind", "statuses"), [("new", ACTIVE_CASE_STATUSES), ("elimination", (CASE_ELIMINATED,))]
)
def test_a_batch_lists_the_cases_and_the_roster_importer_reads_it_back_unchanged(
    ctx, tmp_path, kind, statuses
):
    expected = _case_ids(ctx.db, statuses)
    assert len(expected) >= 5
    path = tmp_path / f"{kind}.xlsx"
    result = _export(ctx.db, kind, path)
    with ctx.db.reading() as s:
        listed = set(
            s.scalars(
                select(NationalExportRecord.case_id).where(NationalExportRecord.export_id == result.export_id)
            )
        )
        people = s.scalar(
            select(func.count(Member.id))
            .join(MonitoringCase, MonitoringCase.household_id == Member.household_id)
            .where(MonitoringCase.id.in_(expected))
        )
    assert listed == expected
    assert result.households == len(expected) and result.rows == people
    # the personal-data warning first, then the title, then the header; ID numbers are text
    wb = openpyxl.load_workbook(path)
    ws = wb[ne.ROSTER_SHEET]
    assert ws["A1"].value == ne.PRIVACY_WARNING
    header = [c.value for c in ws[3]]
    for column in (
        "易返贫致贫户(监测对象)类型",
        "风险是否消除",
        "风险识别时间",
        "风险消除方式",
        "返贫致贫风险1",
    ):
        assert column in header
    id_cells = [r[header.index("证件号码")] for r in ws.iter_rows(min_row=4)]
    assert len(id_cells) == people
    assert all(c.data_type == "s" and len(c.value) == 18 for c in id_cells)
    eliminated = {r[header.index("风险是否消除")].value for r in ws.iter_rows(min_row=4)}
    assert eliminated == ({"是"} if kind == "elimination" else {"否"})
    assert all(len(r[header.index("风险识别时间")].value) == 6 for r in ws.iter_rows(min_row=4))
    wb.close()
    _assert_reads_back_unchanged(ctx.db, path, len(expected))


def test_the_history_keeps_who_when_the_checksum_and_the_values(ctx, tmp_path):
    path = tmp_path / "new.xlsx"
    now = dt.datetime(2026, 12, 1, 9, 30)
    with ctx.db.unit() as s:
        result = ne.export_batch(s, "new", path, now=now)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with ctx.db.reading() as s:
        row = s.get(NationalExport, result.export_id)
        assert (row.kind, row.created_at, row.created_by, row.file_name) == (
            "new",
            now,
            ctx.db.user,
            "new.xlsx",
        )
        assert row.sha256 == digest == result.sha256
        assert (row.row_count, row.household_count, row.entered_on) == (result.rows, result.households, None)
        record = row.records[0]
        head = s.get(Household, record.household_id)
        assert record.hh_code == head.code
        assert record.values["household"]["户编号"] == head.code
        assert len(record.values["members"]) == len(head.members)
    with ctx.db.reading() as s:
        assert [h.id for h in ne.history(s)] == [result.export_id]


def test_unmarked_cases_are_listed_again_and_marking_entered_empties_the_new_list(ctx, tmp_path):
    first = _export(ctx.db, "new", tmp_path / "a.xlsx")
    again = _export(ctx.db, "new", tmp_path / "b.xlsx")  # not marked yet: listed again
    assert again.households == first.households
    on = dt.date.today()
    with ctx.db.unit() as s:
        marked = ne.mark_entered(s, first.export_id, on)
    assert (marked.marked, marked.skipped) == (first.households, 0)
    with ctx.db.reading() as s:
        steps = s.execute(
            select(CaseStep.case_id, CaseStep.done_on, CaseStep.from_national).where(
                CaseStep.procedure == "识别", CaseStep.step == "系统录入"
            )
        ).all()
        assert s.get(NationalExport, first.export_id).entered_on == on
    assert len(steps) == first.households and {(d, n) for _c, d, n in steps} == {(on, False)}
    with pytest.raises(UserError, match="没有需要录入全国系统的新识别监测对象"):
        _export(ctx.db, "new", tmp_path / "c.xlsx")
    assert not (tmp_path / "c.xlsx").exists()
    # the second file's cases are entered already: marking it adds nothing
    with ctx.db.unit() as s:
        assert ne.mark_entered(s, again.export_id, on) == ne.MarkResult(0, again.households)
    with ctx.db.unit() as s, pytest.raises(UserError, match="已于"):
        ne.mark_entered(s, again.export_id, on)


def test_marking_entered_before_the_county_decision_is_refused_and_nothing_is_marked(ctx, tmp_path):
    result = _export(ctx.db, "elimination", tmp_path / "e.xlsx")
    with ctx.db.unit() as s, pytest.raises(UserError, match="户编号 .*不能早于"):
        ne.mark_entered(s, result.export_id, dt.date(2001, 1, 1))
    with ctx.db.reading() as s:
        assert s.get(NationalExport, result.export_id).entered_on is None
        assert s.scalar(select(func.count(CaseStep.id)).where(CaseStep.step == "系统录入")) == 0


def test_the_corrections_list_names_exactly_the_changed_fields(ctx, tmp_path):
    with ctx.db.reading() as s, pytest.raises(UserError, match="没有需要更正"):
        ne.export_batch(s, "changes", tmp_path / "none.xlsx")
    first = _export(ctx.db, "new", tmp_path / "new.xlsx")
    with ctx.db.reading() as s:
        assert ne.changes_since_last_export(s) == []
        record = s.scalars(
            select(NationalExportRecord).where(NationalExportRecord.export_id == first.export_id)
        ).first()
        hid, case_id = record.household_id, record.case_id
    with ctx.db.unit() as s:
        case = s.get(MonitoringCase, case_id)
        old_category = case.category
        case.category = "突发严重困难户" if old_category != "突发严重困难户" else "边缘易致贫户"
        new_category = case.category
        member = s.scalars(
            select(Member).where(Member.household_id == hid).order_by(Member.sort_order)
        ).all()[-1]
        old_health = member.health or ""
        member.health = "长期慢性病" if old_health != "长期慢性病" else "健康"
        person = (member.name, member.id_number, old_health, member.health)
        head = s.get(Household, hid)
        code = head.code
        head_person = next((m.name, m.id_number) for m in head.members if m.relation == "户主")
    expected = [
        ne.FieldChange(hid, code, *head_person, "易返贫致贫户(监测对象)类型", old_category, new_category),
        ne.FieldChange(hid, code, person[0], person[1], "健康状况", person[2], person[3]),
    ]
    with ctx.db.reading() as s:
        assert ne.changes_since_last_export(s) == expected
    path = tmp_path / "changes.xlsx"
    result = _export(ctx.db, "changes", path)
    assert result.changes == expected and result.households == 1
    wb = openpyxl.load_workbook(path)
    ws = wb[ne.CHANGES_SHEET]
    assert ws["A1"].value == ne.PRIVACY_WARNING
    assert [c.value for c in ws[3]] == ne.CHANGES_HEADER
    assert [[c.value for c in r] for r in ws.iter_rows(min_row=4)] == [
        [code, *head_person, "易返贫致贫户(监测对象)类型", old_category, new_category],
        [code, person[0], person[1], "健康状况", person[2], person[3]],
    ]
    assert wb[ne.ROSTER_SHEET]["A1"].value == ne.PRIVACY_WARNING
    wb.close()
    _assert_reads_back_unchanged(ctx.db, path, 1, sheet=ne.ROSTER_SHEET)
    # the corrections are now the last export's values
    with ctx.db.reading() as s:
        assert ne.changes_since_last_export(s) == []
        assert s.get(NationalExport, result.export_id).change_count == 2


def test_a_member_added_since_the_export_is_listed(ctx, tmp_path):
    first = _export(ctx.db, "elimination", tmp_path / "e.xlsx")
    with ctx.db.reading() as s:
        hid = s.scalars(
            select(NationalExportRecord.household_id).where(NationalExportRecord.export_id == first.export_id)
        ).first()
    with ctx.db.unit() as s:
        gone = s.scalars(select(Member).where(Member.household_id == hid, Member.relation != "户主")).first()
        name, idn = gone.name, gone.id_number
        s.delete(gone)
    with ctx.db.reading() as s:
        changes = ne.changes_since_last_export(s)
    assert [(c.name, c.id_number, c.field, c.old, c.new) for c in changes if c.field == ne.MEMBER_FIELD] == [
        (name, idn, ne.MEMBER_FIELD, "在册", "已移出")
    ]
    assert {c.field for c in changes} == {ne.MEMBER_FIELD, "人数"}


def test_quality_warnings_come_from_the_data_quality_rules(ctx):
    """Issue 13 fills the hook (tests/test_quality.py tests it in detail): the open 错误 findings
    of the households with a case, summed up in the first line."""
    from fanpin_desktop.services import quality

    with ctx.db.reading() as s:
        lines = ne.quality_warnings(s)
        assert lines == quality.export_warnings(s)
    assert not lines or "条错误未处理" in lines[0]


def run(capsys, *argv):
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_command_line_exports_lists_and_marks(capsys, tmp_path):
    data = tmp_path / "data"
    app = open_app(data, demo=True, demo_households=300, auto_backup=False)
    _clear_system_entry(app.db)
    app.db.dispose()
    target = tmp_path / "new.xlsx"
    code, out, err = run(
        capsys, "--data-dir", str(data), "export", "national", "--batch", "new", "-o", str(target)
    )
    assert code == 0, err
    assert "已导出新识别监测对象清单" in out and str(target) in out
    assert hashlib.sha256(target.read_bytes()).hexdigest() in out
    code, out, err = run(capsys, "--data-dir", str(data), "exports")
    assert code == 0, err
    assert "新识别监测对象" in out and "new.xlsx" in out and "未录入" in out
    code, out, err = run(capsys, "--data-dir", str(data), "exports", "--changes")
    assert code == 0 and "没有变化" in out
    code, out, err = run(capsys, "--data-dir", str(data), "exports", "--entered", "1")
    assert code == 0, err
    assert "已标记为已录入系统" in out
    code, out, err = run(capsys, "--data-dir", str(data), "export", "national", "--batch", "new")
    assert code == 1 and "没有需要录入全国系统的新识别监测对象" in err and "Traceback" not in err
    code, out, err = run(capsys, "--data-dir", str(data), "export", "national")
    assert code == 1 and "--batch" in err
    code, out, err = run(capsys, "--data-dir", str(data), "export", "national", "--batch", "elimination")
    assert code == 0, err
    assert "exports" in out and list((data / "exports").glob("全国系统_风险消除清单_*.xlsx"))
