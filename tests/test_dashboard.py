"""The 工作台 figures (services/dashboard.py), hand-counted on a small township."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from fanpin_desktop.models import (
    Campaign,
    Household,
    HouseholdScreening,
    Member,
    MonitoringCase,
    Problem,
    Village,
)
from fanpin_desktop.services.cases.todo import due_counts, due_items
from fanpin_desktop.services.dashboard import MONTHS, dashboard

D = dt.date
TODAY = D(2026, 11, 20)


def _case(hid: int, status: str, clue: dt.date, **kw) -> MonitoringCase:
    return MonitoringCase(household_id=hid, status=status, source="干部走访", clue_date=clue, **kw)


def _households(s, village: Village, sizes: list[int], start: int) -> list[Household]:
    out = []
    for k, size in enumerate(sizes, start):
        h = Household(village_id=village.id, code=f"H{k}")
        s.add(h)
        s.flush()
        for m in range(size):
            s.add(
                Member(
                    household_id=h.id, name=f"成员{k}-{m}", relation="户主" if m == 0 else "子", sort_order=m
                )
            )
        out.append(h)
    return out


@pytest.fixture
def town(db):
    return build_town(db)


def build_town(db):
    """甲村 H1–H5 (3, 2, 1, 4, 0 people), 乙村 H6–H7 (2, 1 people), 丙村 without households.

    Cases: H1 已纳入 脱贫不稳定户 (identified 2026-03-10); H2 消除中 边缘易致贫户 (2025-09-01);
    H3 线索 (clue 2026-11-01); H4 已消除 边缘易致贫户 (eliminated 2026-03-20) and again 已纳入
    突发严重困难户 (identified 2026-10-05); H5 识别中 with a clue after the day looked at; H6 已回退
    边缘易致贫户 (eliminated 2026-02-14, rolled back 2026-06-01); H7 已纳入 without a category
    (identified 2025-12-01).
    The current campaign covers 甲村 and 乙村: H1 and H2 screened before the day, H6 after it.
    The ledger: one 整改中 problem past its deadline, one within it, one rectified, one 立行立改."""
    with db.unit() as s:
        a, b, c = (
            Village(name="甲村", sort_order=1),
            Village(name="乙村", sort_order=2),
            Village(name="丙村", sort_order=3),
        )
        s.add_all([a, b, c])
        s.flush()
        h = [None, *_households(s, a, [3, 2, 1, 4, 0], 1), *_households(s, b, [2, 1], 6)]
        old = _case(
            h[4].id,
            "已消除",
            D(2025, 1, 5),
            category="边缘易致贫户",
            identified_on=D(2025, 1, 20),
            eliminated_on=D(2026, 3, 20),
        )
        s.add_all(
            [
                _case(
                    h[1].id, "已纳入", D(2026, 2, 20), category="脱贫不稳定户", identified_on=D(2026, 3, 10)
                ),
                _case(
                    h[2].id, "消除中", D(2025, 8, 10), category="边缘易致贫户", identified_on=D(2025, 9, 1)
                ),
                _case(h[3].id, "线索", D(2026, 11, 1)),
                old,
                _case(h[5].id, "识别中", D(2026, 12, 1)),
                _case(
                    h[6].id,
                    "已回退",
                    D(2025, 3, 1),
                    category="边缘易致贫户",
                    identified_on=D(2025, 3, 15),
                    eliminated_on=D(2026, 2, 14),
                    rolled_back_on=D(2026, 6, 1),
                ),
                _case(h[7].id, "已纳入", D(2025, 11, 20), identified_on=D(2025, 12, 1)),
            ]
        )
        s.flush()
        s.add(
            _case(
                h[4].id,
                "已纳入",
                D(2026, 9, 20),
                category="突发严重困难户",
                identified_on=D(2026, 10, 5),
                previous_case_id=old.id,
            )
        )
        campaign = Campaign(
            year=2026,
            name="2026年集中排查",
            start_date=D(2026, 11, 1),
            end_date=D(2026, 12, 31),
            income_period_start=D(2025, 11, 1),
            income_period_end=D(2026, 10, 31),
            is_current=True,
            villages=[a, b],
        )
        s.add(campaign)
        s.flush()
        for hh, day in ((h[1], D(2026, 11, 10)), (h[2], D(2026, 11, 12)), (h[6], D(2026, 11, 25))):
            s.add(HouseholdScreening(campaign_id=campaign.id, household_id=hh.id, screened_on=day))
        for status, deadline, spot in (
            ("整改中", D(2026, 11, 1), False),
            ("整改中", D(2026, 12, 31), False),
            ("已整改", D(2026, 10, 1), False),
            ("整改中", D(2026, 10, 1), True),
        ):
            s.add(
                Problem(
                    campaign_id=campaign.id,
                    level="村",
                    village_id=a.id,
                    problem_type="其他",
                    description="问题",
                    deadline=deadline,
                    status=status,
                    on_the_spot=spot,
                    found_on=D(2026, 9, 1),
                )
            )
    return db


def test_headline_numbers(town):
    with town.reading() as s:
        d = dashboard(s, today=TODAY)
    assert not d.empty
    assert (d.villages, d.households, d.people) == (3, 7, 13)
    # monitored now: H1, H2, H4 (its second case), H6, H7
    assert (d.monitored_households, d.monitored_people) == (5, 3 + 2 + 4 + 2 + 1)
    assert d.by_status == (("线索", 1), ("监测中", 3), ("消除中", 1), ("已消除", 1), ("已回退", 1))
    assert d.categories == ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户", "未分类")
    assert d.by_category == (("脱贫不稳定户", 1), ("边缘易致贫户", 2), ("突发严重困难户", 1), ("未分类", 1))
    # H1 and H4's second case; the eliminations of H4's first case and of H6 (rolled back since)
    assert (d.identified_this_year, d.eliminated_this_year) == (2, 2)


def test_chart_series(town):
    with town.reading() as s:
        d = dashboard(s, today=TODAY)
    assert [(v.village, v.counts) for v in d.by_village] == [
        ("甲村", (1, 1, 1, 0)),
        ("乙村", (0, 1, 0, 1)),
        ("丙村", (0, 0, 0, 0)),
    ]
    assert len(d.by_month) == MONTHS
    assert d.by_month[0].month == "2025-12" and d.by_month[-1].month == "2026-11"
    assert {m.month: (m.identified, m.eliminated) for m in d.by_month if m.identified or m.eliminated} == {
        "2025-12": (1, 0),
        "2026-02": (0, 1),
        "2026-03": (1, 1),
        "2026-10": (1, 0),
    }
    assert [m.label for m in d.by_month[:3]] == ["12月", "2026年1月", "2月"]
    # the campaign's villages only; H6 was screened after the day
    assert [(v.village, v.done, v.total) for v in d.screening] == [("甲村", 2, 5), ("乙村", 0, 2)]


def test_todo_counts_agree_with_the_pages_they_lead_to(town):
    with town.reading() as s:
        d = dashboard(s, today=TODAY)
        items = due_items(s, today=TODAY)
        assert d.todo.due == due_counts(s, today=TODAY)["合计"] == len(items) > 0
    assert d.todo.due_overdue == sum(1 for i in items if i.overdue)
    assert (d.todo.ledger_open, d.todo.ledger_overdue) == (2, 1)
    assert (d.todo.campaign, d.todo.screened, d.todo.to_screen) == ("2026年集中排查", 2, 7)


def test_a_chosen_campaign_and_later_day(town):
    with town.reading() as s:
        d = dashboard(s, today=D(2026, 11, 30))
    assert [(v.village, v.done) for v in d.screening] == [("甲村", 2), ("乙村", 1)]
    # H5's clue (2026-12-01) is still in the future
    assert dict(d.by_status).get("识别中") is None


def test_empty_database(db):
    with db.reading() as s:
        d = dashboard(s, today=TODAY)
    assert d.empty
    assert (d.households, d.people, d.monitored_households, d.eliminated_this_year) == (0, 0, 0, 0)
    assert d.by_village == () and d.screening == () and d.by_status == ()
    assert [m.identified + m.eliminated for m in d.by_month] == [0] * MONTHS
    assert d.todo.campaign == "" and d.todo.due == 0


def test_the_number_of_queries_does_not_grow_with_households(town):
    def queries() -> int:
        seen = []
        engine = town.engine
        listener = lambda *a, **k: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            with town.reading() as s:
                dashboard(s, today=TODAY)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    before = queries()
    with town.unit() as s:
        village = s.query(Village).filter_by(name="乙村").one()
        for hh in _households(s, village, [2] * 30, 100):
            s.add(
                _case(hh.id, "已纳入", D(2026, 1, 5), category="边缘易致贫户", identified_on=D(2026, 1, 20))
            )
    assert queries() == before
