"""Appendix 4 ledger: placement rules, state changes, overdue items, on-the-spot fixes."""

from __future__ import annotations

import datetime as dt

import pytest
from screening_town import D

from fanpin_desktop.errors import ValidationError
from fanpin_desktop.services import ledger


def test_create_checks_level_placement(db, town):
    with db.unit() as s:
        p = ledger.create(
            s,
            level="户",
            household_id=town.h[7],
            problem_type="政策落实",
            description="医保未参保",
            campaign_id=town.campaign_id,
            found_on=D(2022, 5, 15),
        )
        assert p.village_id == town.village_b  # taken from the household
        with pytest.raises(ValidationError) as err:
            ledger.create(s, level="乡镇", village_id=town.village_a, problem_type="其他", description="x")
        assert err.value.field == "village_id"
        with pytest.raises(ValidationError) as err:
            ledger.create(
                s,
                level="村",
                household_id=town.h[1],
                village_id=town.village_a,
                problem_type="其他",
                description="x",
            )
        assert err.value.field == "household_id"
        with pytest.raises(ValidationError) as err:
            ledger.create(
                s,
                level="户",
                household_id=town.h[1],
                village_id=town.village_b,
                problem_type="其他",
                description="x",
            )
        assert "不一致" in str(err.value)
        with pytest.raises(ValidationError) as err:
            ledger.create(s, level="村", village_id=town.village_a, problem_type="环境卫生", description="x")
        assert err.value.field == "problem_type" and "环境卫生" in str(err.value)
        with pytest.raises(ValidationError) as err:
            ledger.create(s, level="村", village_id=town.village_a, problem_type="其他", description=" ")
        assert err.value.field == "description"
        with pytest.raises(ValidationError) as err:
            ledger.create(
                s,
                level="村",
                village_id=town.village_a,
                problem_type="其他",
                description="x",
                found_on=D(2022, 5, 15),
                deadline=D(2022, 5, 1),
            )
        assert err.value.field == "deadline"


def test_state_changes(db, town):
    with db.unit() as s:
        p = ledger.create(
            s,
            level="村",
            village_id=town.village_a,
            problem_type="乡村建设",
            description="道路破损",
            measure="修补",
            responsible="村主任",
            deadline=D(2022, 6, 30),
            found_on=D(2022, 5, 15),
            campaign_id=town.campaign_id,
        )
        pid = p.id
        with pytest.raises(ValidationError):  # cannot close before rectification
            ledger.close(s, pid, D(2022, 6, 1), "站长")
        with pytest.raises(ValidationError) as err:
            ledger.mark_rectified(s, pid, D(2022, 5, 1))
        assert err.value.field == "rectified_on"
        ledger.mark_rectified(s, pid, D(2022, 6, 10))
        assert s.get(type(p), pid).status == "已整改"
        ledger.send_back(s, pid, "路面仍有坑洼")
        p = s.get(type(p), pid)
        assert p.status == "整改中" and p.rectified_on is None and "验收未通过：路面仍有坑洼" in p.note
        ledger.mark_rectified(s, pid, D(2022, 6, 20))
        with pytest.raises(ValidationError):
            ledger.close(s, pid, D(2022, 6, 19), "站长")
        ledger.close(s, pid, D(2022, 6, 25), "站长")
        p = s.get(type(p), pid)
        assert (p.status, p.verified_on, p.verified_by) == ("已销号", D(2022, 6, 25), "站长")
        with pytest.raises(ValidationError) as err:
            ledger.send_back(s, pid, "反弹")
        assert "已销号" in str(err.value)
        with pytest.raises(ValidationError):
            ledger.edit(s, pid, description="改")


def test_overdue_and_counts(db, town):
    today = D(2022, 7, 5)  # every 整改中 item of the town (deadline 06-30) is now overdue
    with db.reading() as s:
        rows = ledger.overdue(s, today=today, campaign_id=town.campaign_id)
        counts = ledger.counts(s, town.campaign_id, today=today)
        early = ledger.overdue(s, today=D(2022, 6, 1), campaign_id=town.campaign_id)
    assert sorted(r.problem_type for r in rows) == ["乡村建设", "其他", "政策落实", "资金项目"]
    assert all(r.overdue and r.days_overdue == 5 for r in rows)
    assert early == []
    assert (counts.total, counts.in_progress, counts.rectified, counts.closed) == (5, 4, 1, 0)
    assert counts.overdue == 4 and counts.on_the_spot == 1


def test_list_order_and_on_the_spot(db, town):
    with db.reading() as s:
        all_rows = ledger.list_problems(s, campaign_id=town.campaign_id, today=D(2022, 6, 1))
        ledger_rows = ledger.list_problems(
            s, campaign_id=town.campaign_id, include_on_the_spot=False, today=D(2022, 6, 1)
        )
    assert [r.level for r in all_rows][0] == "乡镇"  # township items first
    assert [r.village for r in all_rows] == ["", "甲村", "甲村", "乙村", "乙村", "乙村"]
    assert len(all_rows) == 6 and len(ledger_rows) == 5
    assert not any(r.on_the_spot for r in ledger_rows)
    household = next(r for r in all_rows if r.level == "户")
    assert household.head_name == "张大山" and len(household.id_number) == 18
    assert ledger.status_text(household) == "已整改（2022年5月20日）"


def test_on_the_spot_is_recorded_rectified(db, town):
    with db.unit() as s:
        p = ledger.create(
            s,
            level="乡镇",
            problem_type="其他",
            description="宣传栏破损",
            on_the_spot=True,
            found_on=D(2022, 5, 16),
        )
        assert p.status == "已整改" and p.rectified_on == D(2022, 5, 16)
    assert ledger.is_overdue("整改中", D(2022, 1, 1), dt.date(2022, 1, 2))
    assert not ledger.is_overdue("已整改", D(2022, 1, 1), dt.date(2022, 1, 2))
