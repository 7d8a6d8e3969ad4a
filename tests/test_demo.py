"""The demo township (fanpin_desktop/demo/): deterministic, coherent, and refused on a non-empty database."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from fanpin_desktop.db import Database, migrate
from fanpin_desktop.demo import RARE_CHARS, DemoError, build_demo
from fanpin_desktop.domain import facts, ids, income
from fanpin_desktop.models import (
    AuditEntry,
    CaseStep,
    Contact,
    Household,
    IncomeRecord,
    Measure,
    Member,
    MonitoringCase,
    Problem,
    Threshold,
    Village,
    Visit,
)
from fanpin_desktop.services import settings as settings_service

TODAY = dt.date(2026, 11, 23)
SIZE = 300


def _fresh(tmp_path, name: str) -> Database:
    db = Database(tmp_path / f"{name}.sqlite3", user="测试")
    migrate(db)
    return db


def _rows(db: Database, *columns, order=None):
    with db.reading() as s:
        return s.execute(select(*columns).order_by(order if order is not None else columns[0])).all()


def _members(db: Database) -> dict[int, list[SimpleNamespace]]:
    """Household id -> plain copies of its members (all Member columns)."""
    cols = [c for c in Member.__table__.columns]
    out: dict[int, list[SimpleNamespace]] = {}
    with db.reading() as s:
        for row in s.execute(select(*cols).order_by(Member.household_id, Member.sort_order)):
            m = SimpleNamespace(**row._mapping)
            out.setdefault(m.household_id, []).append(m)
    return out


@pytest.fixture
def demo(db):
    summary = build_demo(db, households=SIZE, seed=2022, today=TODAY)
    return db, summary


def test_summary_counts_match_the_database(demo):
    db, summary = demo
    with db.reading() as s:
        assert summary.households == SIZE == s.scalar(select(func.count()).select_from(Household))
        assert summary.people == s.scalar(select(func.count()).select_from(Member))
        assert summary.villages == s.scalar(select(func.count()).select_from(Village)) >= 4
        assert summary.cases == s.scalar(select(func.count()).select_from(MonitoringCase))
        assert summary.problems == s.scalar(select(func.count()).select_from(Problem)) > 0
        by_type = dict(
            s.execute(select(Household.household_type, func.count()).group_by(Household.household_type)).all()
        )
        assert by_type.get("脱贫户", 0) == summary.poverty_households
        assert by_type.get("监测户", 0) == summary.monitored_households
    assert 2.4 < summary.people / summary.households < 3.3
    assert "户" in summary.describe()


def test_same_seed_gives_the_same_township(tmp_path):
    a, b, c = (_fresh(tmp_path, n) for n in ("a", "b", "c"))
    sa = build_demo(a, households=120, seed=7, today=TODAY)
    sb = build_demo(b, households=120, seed=7, today=TODAY)
    sc = build_demo(c, households=120, seed=8, today=TODAY)
    cols = (Member.id, Member.name, Member.id_number, Member.relation, Member.household_id)
    assert _rows(a, *cols) == _rows(b, *cols)
    assert _rows(a, MonitoringCase.id, MonitoringCase.status, MonitoringCase.clue_date) == _rows(
        b, MonitoringCase.id, MonitoringCase.status, MonitoringCase.clue_date
    )
    assert sa == sb
    assert _rows(a, *cols) != _rows(c, *cols)
    assert sa != sc
    for db in (a, b, c):
        db.dispose()


def test_ids_are_valid_unique_and_agree_with_sex_and_birth(demo):
    db, _ = demo
    rows = _rows(db, Member.id_number, Member.sex, Member.birth_date, Member.disability_cert_no)
    numbers = [r.id_number for r in rows]
    assert len(numbers) == len(set(numbers))
    for number, sex, birth, cert in rows:
        info = ids.parse(number, TODAY)
        assert info.sex == sex and info.birth_date == birth
        assert number[:6] in {
            "341522",
            "342422",
            "341521",
            "341523",
            "341524",
            "341525",
            "341502",
            "341503",
            "341226",
            "340421",
        }
        if cert:
            assert ids.parse(cert, TODAY).base_id == number


def test_every_household_is_coherent(demo):
    db, _ = demo
    members = _members(db)
    phones = dict(_rows(db, Household.id, Household.phone))
    assert len(members) == SIZE
    problems = []
    for hid, people in members.items():
        relations = Counter(m.relation for m in people)
        assert relations["户主"] == 1, hid
        assert relations["配偶"] <= 1
        head = next(m for m in people if m.relation == "户主")
        head_age = ids.age_on(head.birth_date, TODAY)
        for m in people:
            # exactly one of 文化程度 / 在校生状况
            assert (m.education is None) != (m.schooling is None), m.name
            assert m.ins_resident_medical != m.ins_employee_medical
            assert (m.work_status is None) == (m.work_months is None)
            if m.relation == "配偶":
                assert m.sex != head.sex
            if m.relation in ("之子", "之女"):
                assert 20 <= head_age - ids.age_on(m.birth_date, TODAY) <= 35
            if m.schooling:
                assert 3 <= ids.age_on(m.birth_date, TODAY) <= 22
        problems += [i.text for i in facts.check_household(people, TODAY, phones[hid]) if i.is_error]
        problems += [i.text for m in people for i in facts.validate_member(m, TODAY)]
    assert problems == []


def test_names_share_the_fathers_surname_and_include_rare_characters(demo):
    db, _ = demo
    members = _members(db)
    same = total = 0
    for people in members.values():
        head = people[0]
        if head.sex != "男":
            continue
        for m in people:
            if m.relation in ("之子", "之女"):
                total += 1
                same += m.name[0] == head.name[0]
    assert total and same == total
    names = [m.name for people in members.values() for m in people]
    assert all(any(ch in n for n in names) for ch in RARE_CHARS)
    initials = dict(_rows(db, Member.name, Member.name_initials))
    assert all(v for v in initials.values())
    assert any(v.isascii() and v.islower() for v in initials.values())


def test_about_a_third_of_people_are_in_poverty_exited_households(demo):
    db, summary = demo
    with db.reading() as s:
        exited = s.scalar(
            select(func.count())
            .select_from(Member)
            .join(Household)
            .where(Household.poverty_exit_year.is_not(None))
        )
    share = exited / summary.people
    assert 0.22 < share < 0.48
    assert summary.poverty_people <= exited


def test_monitoring_cases_in_several_states(demo):
    db, summary = demo
    statuses = summary.cases_by_status
    assert {"线索", "识别中", "已纳入", "消除中", "已消除", "不纳入", "已回退"} == set(statuses)
    with db.reading() as s:
        cases = s.scalars(select(MonitoringCase)).all()
        for c in cases:
            household = s.get(Household, c.household_id)
            steps = s.scalars(select(CaseStep).where(CaseStep.case_id == c.id)).all()
            assert all(st.done_on <= TODAY for st in steps)
            if c.status in ("已纳入", "消除中", "已消除", "已回退"):
                assert c.category in ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
                if c.category == "脱贫不稳定户":
                    assert household.poverty_exit_year is not None
                if c.category == "边缘易致贫户":
                    assert household.poverty_exit_year is None
                assert c.identified_on is not None and c.identified_on > c.clue_date
                assert household.household_type == "监测户" and household.code
                assert s.scalar(select(func.count()).select_from(Contact).where(Contact.case_id == c.id)) >= 1
                first_measure = s.scalar(select(func.min(Measure.start_date)).where(Measure.case_id == c.id))
                if first_measure is None:
                    # the demo's one case left without measures (a 待办 item): identified lately
                    assert c.status == "已纳入" and (TODAY - c.identified_on).days <= 40
                else:
                    assert 0 < (first_measure - c.identified_on).days <= 10
                assert (
                    s.scalar(select(func.count()).select_from(Visit).where(Visit.case_id == c.id)) >= 1
                    or (TODAY - c.identified_on).days < 62
                )
                assert {st.step for st in steps if st.procedure == "识别"} >= {"入户核实", "公示", "县级审定"}
            if c.status == "已消除":
                assert c.elimination_mode in ("帮扶消除", "自然消除")
                assert c.eliminated_on is not None and c.eliminated_on <= TODAY
                months = (
                    (c.eliminated_on.year - c.identified_on.year) * 12
                    + c.eliminated_on.month
                    - c.identified_on.month
                )
                assert months >= (6 if c.elimination_mode == "帮扶消除" else 2)
                assert any(st.procedure == "消除" and st.step == "县级审定" for st in steps)
                if c.elimination_mode == "帮扶消除":
                    assert (
                        s.scalar(
                            select(func.count())
                            .select_from(Measure)
                            .where(Measure.case_id == c.id, Measure.is_development.is_(True))
                        )
                        >= 1
                    )
            if c.status == "已回退":
                assert c.rolled_back_on is not None and c.eliminated_on < c.rolled_back_on <= TODAY
            if c.status == "线索":
                assert c.identified_on is None and not steps
        reidentified = [c for c in cases if c.previous_case_id is not None]
        assert reidentified
        for c in reidentified:
            prev = s.get(MonitoringCase, c.previous_case_id)
            assert prev.household_id == c.household_id and prev.status == "已消除"
            assert c.clue_date > prev.eliminated_on


def test_incomes_for_two_periods_around_the_threshold(demo):
    db, summary = demo
    with db.reading() as s:
        thresholds = {t.year: t.amount for t in s.scalars(select(Threshold))}
        assert thresholds[2021] == 6000 and thresholds[2022] == 7000
        records = s.scalars(select(IncomeRecord)).all()
        assert summary.income_records == len(records) == 2 * SIZE
        periods = Counter((r.period_start, r.period_end) for r in records)
        assert periods[(dt.date(2021, 5, 1), dt.date(2022, 4, 30))] == SIZE
        below = above = 0
        for r in records:
            t = income.totals(
                r.wage, r.business, r.property_income, r.transfer, r.business_cost, r.people_count
            )
            assert min(r.wage, r.business, r.property_income, r.transfer, r.business_cost) >= 0
            if t.per_capita < thresholds[r.year]:
                below += 1
            else:
                above += 1
        assert below > 0 and above > 5 * below
        cfg = settings_service.load(s)
        assert (cfg.province, cfg.city, cfg.township) == ("安徽省", "六安市", "马店镇")
        assert cfg.threshold_region == "六安市"


def test_one_summary_audit_entry_and_no_per_row_audit(demo):
    db, summary = demo
    with db.reading() as s:
        entries = s.scalars(select(AuditEntry)).all()
        assert len(entries) == 1
        assert entries[0].summary.startswith("生成演示数据")
        assert f"{summary.households}户" in entries[0].summary
        assert entries[0].user == "测试"


def test_refuses_a_database_with_households(demo):
    db, _ = demo
    with pytest.raises(DemoError) as err:
        build_demo(db, households=10, today=TODAY)
    assert "已有" in str(err.value) and "户" in str(err.value)
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == SIZE


def test_progress_is_reported_up_to_the_total(db):
    calls: list[tuple[int, int]] = []
    build_demo(db, households=60, today=TODAY, progress=lambda done, total: calls.append((done, total)))
    assert calls
    totals = {t for _, t in calls}
    assert len(totals) == 1
    done = [d for d, _ in calls]
    assert done == sorted(done)
    assert calls[-1][0] == calls[-1][1]


def test_medical_warnings_over_the_limits_are_flagged_and_screenings_recorded(demo):
    from fanpin_desktop.models import DepartmentWarning, HouseholdScreening
    from fanpin_desktop.services import warnings as warning_service

    db, summary = demo
    with db.reading() as s:
        medical = s.query(DepartmentWarning).filter(
            DepartmentWarning.department.in_(warning_service.MEDICAL_DEPARTMENTS)
        )
        for w in medical:
            limits = warning_service.thresholds_for(s, w.received_on.year)
            if w.amount is not None and w.amount > limits.single:
                assert w.over_threshold and "超过" in w.threshold_reason  # as an import flags it
        screened = s.query(HouseholdScreening).count()
    assert screened == summary.screenings and screened > 0
