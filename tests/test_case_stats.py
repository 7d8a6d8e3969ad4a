"""Case statistics (services/cases/stats.py): hand-counted on a small town, and in agreement with
附件3's monitoring columns and the printed summary on the demo township."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from fanpin_desktop.demo import build_demo
from fanpin_desktop.domain import appendix_layouts
from fanpin_desktop.domain.cases import ACTIVE_CASE_STATUSES, MONITORED_CASE_STATUSES
from fanpin_desktop.models import Campaign, CaseRisk, Household, MonitoringCase, Village
from fanpin_desktop.services import printing
from fanpin_desktop.services import stats as appendix3
from fanpin_desktop.services.cases.stats import case_stats

D = dt.date


def _case(hid: int, status: str, clue: dt.date, **kw) -> MonitoringCase:
    return MonitoringCase(household_id=hid, status=status, source="干部走访", clue_date=clue, **kw)


@pytest.fixture
def small(db):
    """甲村: H1 已纳入 (脱贫不稳定户, 因病+因残, identified 2026-03-10), H2 消除中 (边缘易致贫户, 因病,
    identified 2025-09-01), H3 线索 (clue 2026-11-01), H4 已消除 on 2026-03-20 and re-identified
    已纳入 (突发严重困难户, 因意外事故, identified 2026-10-05).
    乙村: H5 已回退 (eliminated 2026-02-14, rolled back 2026-06-01; 边缘易致贫户, 缺劳动力), H6 不纳入
    (clue 2026-04-01), H7 识别中 (clue 2026-12-01, after the report day used below)."""
    with db.unit() as s:
        a, b = Village(name="甲村", sort_order=1), Village(name="乙村", sort_order=2)
        s.add_all([a, b])
        s.flush()
        h = {}
        for n, v in ((1, a), (2, a), (3, a), (4, a), (5, b), (6, b), (7, b)):
            h[n] = Household(village_id=v.id, code=f"H{n}")
            s.add(h[n])
        s.flush()
        c1 = _case(h[1].id, "已纳入", D(2026, 2, 20), category="脱贫不稳定户", identified_on=D(2026, 3, 10))
        c2 = _case(h[2].id, "消除中", D(2025, 8, 10), category="边缘易致贫户", identified_on=D(2025, 9, 1))
        c3 = _case(h[3].id, "线索", D(2026, 11, 1))
        c4a = _case(
            h[4].id,
            "已消除",
            D(2025, 1, 5),
            category="边缘易致贫户",
            identified_on=D(2025, 1, 20),
            eliminated_on=D(2026, 3, 20),
        )
        c5 = _case(
            h[5].id,
            "已回退",
            D(2025, 3, 1),
            category="边缘易致贫户",
            identified_on=D(2025, 3, 15),
            eliminated_on=D(2026, 2, 14),
            rolled_back_on=D(2026, 6, 1),
        )
        c6 = _case(h[6].id, "不纳入", D(2026, 4, 1), not_included_reason="收入高于监测范围")
        c7 = _case(h[7].id, "识别中", D(2026, 12, 1))
        s.add_all([c1, c2, c3, c4a, c5, c6, c7])
        s.flush()
        c4b = _case(
            h[4].id,
            "已纳入",
            D(2026, 9, 20),
            category="突发严重困难户",
            identified_on=D(2026, 10, 5),
            previous_case_id=c4a.id,
        )
        s.add(c4b)
        s.flush()
        for case, risks in (
            (c1, ("因病", "因残")),
            (c2, ("因病",)),
            (c4b, ("因意外事故",)),
            (c5, ("缺劳动力",)),
        ):
            for pos, risk in enumerate(risks, 1):
                s.add(CaseRisk(case_id=case.id, position=pos, risk_type=risk))
        # a risk of a case no longer monitored is not counted
        s.add(CaseRisk(case_id=c4a.id, position=1, risk_type="因病"))
    return db


def test_counts_by_status_category_risk_village_and_month(small):
    with small.reading() as s:
        st = case_stats(s, as_of=D(2026, 11, 20))
    assert st.by_status == {"线索": 1, "已纳入": 2, "消除中": 1, "已消除": 1, "已回退": 1, "不纳入": 1}
    assert list(st.by_status) == [
        "线索",
        "已纳入",
        "消除中",
        "已消除",
        "已回退",
        "不纳入",
    ]  # the filter's order
    assert st.by_category == {"边缘易致贫户": 2, "脱贫不稳定户": 1, "突发严重困难户": 1}
    assert st.by_risk == {"因病": 2, "因意外事故": 1, "因残": 1, "缺劳动力": 1}
    assert st.by_village == {
        "甲村": {"线索": 1, "已纳入": 2, "消除中": 1, "已消除": 1},
        "乙村": {"已回退": 1, "不纳入": 1},
    }
    assert list(st.by_village) == ["甲村", "乙村"]
    assert st.identified_by_month == {"2025-01": 1, "2025-03": 1, "2025-09": 1, "2026-03": 1, "2026-10": 1}
    # both eliminations took place, the rolled-back one included
    assert st.eliminated_by_month == {"2026-02": 1, "2026-03": 1}


def test_as_of_leaves_out_what_had_not_happened(small):
    with small.reading() as s:
        before = case_stats(s, as_of=D(2026, 3, 15))
        later = case_stats(s, as_of=D(2026, 12, 31))
    # H3's clue, H4's re-identification and H6's clue came later
    assert before.by_status == {"已纳入": 1, "消除中": 1, "已消除": 1, "已回退": 1}
    assert before.identified_by_month == {"2025-01": 1, "2025-03": 1, "2025-09": 1, "2026-03": 1}
    assert before.eliminated_by_month == {"2026-02": 1}
    assert later.by_status["识别中"] == 1 and later.by_village["乙村"]["识别中"] == 1


def test_empty_database(db):
    with db.reading() as s:
        st = case_stats(s, as_of=D(2026, 1, 1))
    assert (st.by_status, st.by_village, st.identified_by_month) == ({}, {}, {})


# --------------------------------------------------------------------------- agreement with 附件3

TODAY = D(2026, 11, 23)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from fanpin_desktop.db import Database, migrate

    db = Database(tmp_path_factory.mktemp("stats_demo") / "demo.sqlite3", user="测试")
    migrate(db)
    build_demo(db, households=300, seed=2022, today=TODAY)
    yield db
    db.dispose()


def test_demo_per_village_counts_agree_with_appendix3(demo):
    """附件3 for a campaign whose dates reach back to the first clue covers every case up to the
    report day, so its per-village monitoring columns must equal case_stats' per-village counts."""
    with demo.unit() as s:
        c = s.scalar(select(Campaign).where(Campaign.is_current.is_(True)))
        c.start_date = D(2000, 1, 1)
        c.end_date = TODAY
        s.flush()
        campaign_id = c.id
    with demo.reading() as s:
        st = case_stats(s, as_of=TODAY)
        report = appendix3.compute(s, campaign_id, as_of=TODAY)
        figures = printing.gather_figures(s, campaign_id, as_of=TODAY)
        names = dict(s.execute(select(Village.id, Village.name)).all())
        households_per_status = Counter(
            s.execute(select(MonitoringCase.status, MonitoringCase.household_id).distinct()).all()
        )
    assert all(n == 1 for n in households_per_status.values())  # one case per household and status
    category_keys = [c.key for c in appendix_layouts.load(3, report.year).columns if "category" in c.extra]
    assert len(category_keys) == 3
    compared = 0
    for row in report.rows:
        counts = st.by_village.get(names[row.village_id], {})
        monitored = sum(counts.get(status, 0) for status in MONITORED_CASE_STATUSES)
        new = sum(row.cells[k][0] for k in category_keys)
        assert new + row.cells["reidentified"][0] == monitored, row.village
        assert row.cells["rolled_back"][0] == counts.get("已回退", 0), row.village
        assert row.cells["to_eliminate"][0] == counts.get("消除中", 0) + counts.get("已消除", 0), row.village
        compared += monitored
    assert compared > 10
    # township: identifications by month add up to 附件3's new + re-identified; the printed summary's
    # households monitored now to case_stats' active cases (one active case per household)
    total = report.total.cells
    assert (
        sum(st.identified_by_month.values())
        == sum(total[k][0] for k in category_keys) + total["reidentified"][0]
    )
    assert figures.monitored[0] == sum(st.by_status.get(s, 0) for s in ACTIVE_CASE_STATUSES)
    assert figures.monitored[0] == sum(st.by_category.values())
    assert {k: v[0] for k, v in figures.monitored_by_category.items()} == st.by_category
