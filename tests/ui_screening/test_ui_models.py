"""Every item model of the screening and ledger pages, with real rows, under Qt's model tester
(``QAbstractItemModelTester`` through pytest-qt's ``qtmodeltester``): counts, indexes, headers,
roles and the signals of a reset and of a targeted row update."""

from __future__ import annotations

import datetime as dt

import pytest

from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services import ledger, screening, stats
from fanpin_desktop.services.appendix_import import ERROR, WARNING, ImportIssue
from fanpin_desktop.ui.table_models.screening import (
    HouseholdScreeningModel,
    ImportIssuesModel,
    MissingHouseholdsModel,
    ProblemTableModel,
    ProgressModel,
    StatsTableModel,
)

TODAY = dt.date.today()


@pytest.fixture
def campaign_id(db) -> int:
    """The demo's current campaign with three households screened and four ledger problems
    (overdue, on time, fixed on the spot, closed)."""
    with db.unit() as s:
        cid = campaign_service.current_id(s)
        campaign = campaign_service.get(s, cid)
        day = min(TODAY, campaign.end_date)
        village = campaign_service.village_ids(s, cid)[0]
        for hid in screening.household_ids_in_order(s, cid, village)[:3]:
            answers = screening.load_form(s, cid, hid).answers()
            answers.update(method="入户排查", should_monitor=hid % 2 == 0)
            screening.save_form(s, cid, hid, answers, screened_on=day)
        kinds = ledger.problem_types()
        late = ledger.create(
            s,
            level="村",
            village_id=village,
            problem_type=kinds[0],
            description="危房改造未完成",
            found_on=TODAY - dt.timedelta(days=30),
            deadline=TODAY - dt.timedelta(days=3),
            campaign_id=cid,
        )
        ledger.create(s, level="乡镇", problem_type=kinds[0], description="公示栏未更新", campaign_id=cid)
        ledger.create(
            s,
            level="村",
            village_id=village,
            problem_type=kinds[0],
            description="公示牌破损",
            on_the_spot=True,
        )
        closed = ledger.create(
            s, level="乡镇", problem_type=kinds[0], description="台账不全", campaign_id=cid
        )
        ledger.mark_rectified(s, closed.id, TODAY)
        ledger.close(s, closed.id, TODAY, "乡纪委")
        assert late.id
    return cid


def test_household_screening_model(qtmodeltester, db, campaign_id):
    with db.reading() as s:
        rows = screening.appendix1_list(s, campaign_id, None)
    model = HouseholdScreeningModel()
    model.set_rows(rows)
    assert model.rowCount() == len(rows) > 3 and sum(r["screened"] for r in rows) == 3
    qtmodeltester.check(model)
    changed = dict(rows[0], difficulties="缺水")
    model.update_row(changed)  # a targeted dataChanged, still consistent
    assert model.index(0, HouseholdScreeningModel.COL_NEEDS).data() == "缺水"
    model.set_rows(rows[:5])  # a reset
    assert model.rowCount() == 5


def test_stats_table_model(qtmodeltester, db, campaign_id):
    with db.reading() as s:
        report = stats.compute(s, campaign_id, as_of=TODAY)
        layout = screening.appendix3_layout(s, campaign_id)
    with db.unit() as s:
        stats.take_snapshot(
            s, campaign_id, report_date=stats.report_friday(TODAY) - dt.timedelta(days=7), today=TODAY
        )
    with db.reading() as s:
        previous = stats.previous_snapshot(s, campaign_id, stats.report_friday(TODAY))
    model = StatsTableModel()
    model.set_report(report, layout.columns, previous)
    assert model.rowCount() == len(report.rows) + 1, "the villages and the township total"
    assert model.columnCount() >= len(layout.columns) - 1 > 10
    assert previous is not None, "compared with last week's stored report"
    qtmodeltester.check(model)
    model.set_show_delta(False)
    model.set_report(None, [])
    assert model.rowCount() == 0


def test_progress_and_missing_households_models(qtmodeltester, db, campaign_id):
    with db.reading() as s:
        progress = stats.progress(s, campaign_id)
        missing = stats.missing_households(s, campaign_id, None)
    model = ProgressModel()
    model.set_rows(progress)
    assert model.rowCount() == len(progress) > 1
    qtmodeltester.check(model)
    missing_model = MissingHouseholdsModel()
    missing_model.set_rows(missing)
    assert missing_model.rowCount() == len(missing) > 0
    qtmodeltester.check(missing_model)


def test_problem_table_model(qtmodeltester, db, campaign_id):
    with db.reading() as s:
        rows = ledger.list_problems(s, today=TODAY)
    assert {r.status for r in rows} >= {ledger.IN_PROGRESS, ledger.CLOSED} and any(
        r.on_the_spot for r in rows
    )
    model = ProblemTableModel()
    model.set_rows(rows)
    qtmodeltester.check(model)
    model.set_rows(rows[1:])
    assert model.rowCount() == len(rows) - 1


def test_import_issues_model(qtmodeltester):
    issues = [
        ImportIssue(0, "", "", "", "文件中没有找到“到户排查表”工作表"),
        ImportIssue(12, "F", "排查方式", "上门看了", "应为“入户排查”“电话核查”之一"),
        ImportIssue(14, "C", "户主姓名", "张三", "系统中该村没有这个户主，已跳过", WARNING),
    ]
    assert issues[1].severity == ERROR
    model = ImportIssuesModel(issues)
    assert model.rowCount() == 3
    qtmodeltester.check(model)
