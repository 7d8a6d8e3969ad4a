"""Appendix 3 figures against the hand-counted township of conftest.py."""

from __future__ import annotations

import pytest
from screening_town import REPORT_DAY, D

from fanpin_desktop.errors import ValidationError
from fanpin_desktop.services import stats


def texts(report: stats.StatsReport, village_id: int | None) -> dict[str, str]:
    row = report.row(village_id)
    return {k: report.text(row, k) for k in report.kinds}


def test_appendix3_hand_counted_on_report_day(db, town):
    with db.reading() as s:
        report = stats.compute(s, town.campaign_id, as_of=REPORT_DAY)
    a = texts(report, town.village_a)
    assert a["village"] == "甲村"
    assert a["due"] == "6/15"
    assert a["screened"] == "4/8"
    assert (a["grid_count"], a["grid_worker_count"], a["grid_training_count"]) == ("3", "3", "5")
    assert (a["new_unstable"], a["new_edge"], a["new_sudden"]) == ("1/3", "1/2", "0/0")
    assert (a["rolled_back"], a["reidentified"]) == ("1/3", "0/0")
    assert (a["measures_open"], a["to_eliminate"], a["measures_year"]) == ("4", "1/4", "3")
    assert a["scale_risk"] == "是，暴雨"
    assert a["covid_blocked"] == "4/2"
    assert (a["problems_policy"], a["problems_fund"], a["problems_construction"]) == ("2/1", "0/0", "0/0")

    b = texts(report, town.village_b)
    assert b["due"] == "4/11"
    assert b["screened"] == "1/5"  # 吴八 was screened after the report day
    assert (b["grid_count"], b["grid_worker_count"], b["grid_training_count"]) == ("2", "1", "1")
    assert (b["new_unstable"], b["new_edge"], b["new_sudden"]) == ("0/0", "0/0", "0/0")
    assert (b["rolled_back"], b["reidentified"]) == ("0/0", "1/5")
    assert (b["measures_open"], b["to_eliminate"], b["measures_year"]) == ("1", "1/1", "1")
    assert b["scale_risk"] == "" and b["covid_blocked"] == ""
    # 立行立改 counts as found but never as being rectified; 其他 has no column
    assert (b["problems_policy"], b["problems_fund"], b["problems_construction"]) == ("0/0", "0/0", "2/1")

    t = texts(report, None)
    assert t["village"] == "合计" and t["seq"] == ""
    assert (t["due"], t["screened"]) == ("10/26", "5/13")
    assert (t["new_unstable"], t["new_edge"], t["new_sudden"]) == ("1/3", "1/2", "0/0")
    assert (t["rolled_back"], t["reidentified"], t["to_eliminate"]) == ("1/3", "1/5", "2/5")
    assert (t["measures_open"], t["measures_year"]) == ("5", "4")
    assert (t["grid_count"], t["grid_worker_count"], t["grid_training_count"]) == ("5", "4", "6")
    assert t["scale_risk"] == "是（甲村）"
    assert t["covid_blocked"] == "4/2"
    # the township-level 资金项目 problem appears in the total only
    assert (t["problems_policy"], t["problems_fund"], t["problems_construction"]) == ("2/1", "1/1", "2/1")


def test_appendix3_a_week_later_and_one_village(db, town):
    with db.reading() as s:
        later = stats.compute(s, town.campaign_id, as_of=D(2022, 6, 3))
        only_b = stats.compute(s, town.campaign_id, as_of=D(2022, 6, 3), village_id=town.village_b)
    b = texts(later, town.village_b)
    assert b["screened"] == "2/7"
    assert b["new_sudden"] == "1/2"
    assert [r.village for r in only_b.rows] == ["乙村"]
    assert texts(only_b, town.village_b) == {**b, "seq": "1"}
    # a one-village report's total carries no township-level problems
    assert texts(only_b, None)["problems_fund"] == "0/0"


def test_weekly_snapshots_and_change(db, town):
    with db.unit() as s:
        first = stats.take_snapshot(s, town.campaign_id, REPORT_DAY, today=D(2022, 6, 10))
        second = stats.take_snapshot(s, town.campaign_id, D(2022, 6, 3), today=D(2022, 6, 10))
        assert first.report_date == REPORT_DAY and second.report_date == D(2022, 6, 3)
    with db.unit() as s:
        # retaking a week replaces it, it does not add a row
        stats.take_snapshot(s, town.campaign_id, REPORT_DAY, today=D(2022, 6, 10))
        infos = stats.snapshots(s, town.campaign_id)
        assert [i.report_date for i in infos] == [REPORT_DAY, D(2022, 6, 3)]
        old = stats.load_snapshot(s, infos[0].id)
        assert old.as_of == REPORT_DAY
        assert texts(old, town.village_b)["screened"] == "1/5"
        new = stats.snapshot_for(s, town.campaign_id, D(2022, 6, 3))
        prev = stats.previous_snapshot(s, town.campaign_id, D(2022, 6, 3))
    assert prev is not None and prev.as_of == REPORT_DAY
    change = stats.diff(new, prev)
    assert change[town.village_b] == {"screened": (1, 2), "new_sudden": (1, 2)}
    assert change[town.village_a] == {}
    assert change[None] == {"screened": (1, 2), "new_sudden": (1, 2)}
    assert stats.delta_text((1, 2)) == "+1/+2" and stats.delta_text(-3) == "-3"


def test_snapshot_survives_later_edits(db, town):
    """A stored week is reprinted as it stood, whatever happens afterwards."""
    from fanpin_desktop.models import HouseholdScreening

    with db.unit() as s:
        stats.take_snapshot(s, town.campaign_id, REPORT_DAY, today=REPORT_DAY)
    with db.unit() as s:
        s.add(
            HouseholdScreening(
                campaign_id=town.campaign_id,
                household_id=town.h[3],
                method="电话核查",
                screened_on=D(2022, 5, 24),
            )
        )
    with db.reading() as s:
        stored = stats.snapshot_for(s, town.campaign_id, REPORT_DAY)
        live = stats.compute(s, town.campaign_id, as_of=REPORT_DAY)
    assert texts(stored, town.village_a)["screened"] == "4/8"
    assert texts(live, town.village_a)["screened"] == "5/12"


def test_report_friday_and_weekly_snapshot_only_from_friday(db, town):
    assert stats.report_friday(D(2022, 5, 23)) == D(2022, 5, 27)  # Monday
    assert stats.report_friday(D(2022, 5, 29)) == D(2022, 5, 27)  # Sunday
    with db.unit() as s:
        assert stats.ensure_weekly_snapshot(s, town.campaign_id, today=D(2022, 5, 25)) is None
        snap = stats.ensure_weekly_snapshot(s, town.campaign_id, today=D(2022, 5, 28))
        assert snap is not None and snap.report_date == REPORT_DAY
        assert stats.ensure_weekly_snapshot(s, town.campaign_id, today=D(2022, 5, 29)) is None


def test_progress_and_missing_households(db, town):
    with db.reading() as s:
        rows = stats.progress(s, town.campaign_id)
        missing_a = stats.missing_households(s, town.campaign_id, town.village_a)
        missing_all = stats.missing_households(s, town.campaign_id)
    assert [(r.village, r.text) for r in rows] == [("甲村", "4/6"), ("乙村", "2/4"), ("合计", "6/10")]
    assert rows[0].missing == 2 and round(rows[0].percent) == 67
    assert [m.head_name for m in missing_a] == ["王三", "孙六"]
    assert [m.head_name for m in missing_all] == ["王三", "孙六", "郑九", "冯十"]
    assert missing_a[0].group == "二组" and missing_a[0].people == 4


def test_stats_inputs_validation(db, town):
    with db.unit() as s:
        stats.save_inputs(s, town.campaign_id, town.village_b, grid_count=4, scale_risk=False)
        with pytest.raises(ValidationError) as err:
            stats.save_inputs(
                s, town.campaign_id, town.village_b, covid_blocked_total=2, covid_blocked_solved=3
            )
        assert err.value.field == "covid_blocked_solved"
        with pytest.raises(ValidationError):
            stats.save_inputs(s, town.campaign_id, town.village_b, scale_risk=True)
        with pytest.raises(ValidationError):
            stats.save_inputs(s, town.campaign_id, town.village_b, grid_count=-1)
    with db.reading() as s:
        assert stats.load_inputs(s, town.campaign_id, town.village_b)["grid_count"] == 4
        report = stats.compute(s, town.campaign_id, as_of=REPORT_DAY)
    b = texts(report, town.village_b)
    assert b["grid_count"] == "4"  # typed value wins over the grid list
    assert b["grid_worker_count"] == "1"  # still from the grid list
    assert b["scale_risk"] == "否"
    # 甲村 says 是, so the township total says 是 with the village named
    assert texts(report, None)["scale_risk"] == "是（甲村）"


def test_snapshot_data_round_trip(db, town):
    with db.reading() as s:
        report = stats.compute(s, town.campaign_id, as_of=REPORT_DAY)
    again = stats.StatsReport.from_data(report.to_data())
    assert again.as_of == report.as_of
    assert again.row(town.village_a).cells == report.row(town.village_a).cells
    assert again.total.cells == report.total.cells
