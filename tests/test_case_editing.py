"""services/cases/editing.py on a real migrated database: a case walked from clue to 已消除, each
refusal, undoing a step, rollback and re-identification, and that a refused call writes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from fanpin_desktop.domain.workdays import UnknownHolidayYear
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import (
    AuditEntry,
    CaseStep,
    Contact,
    Household,
    IncomeRecord,
    Measure,
    Member,
    MonitoringCase,
    Threshold,
    Village,
    Visit,
)
from fanpin_desktop.models.monitoring import CaseRisk
from fanpin_desktop.services.cases import editing
from fanpin_desktop.services.cases.types import (
    CaseFactsInput,
    ContactInput,
    MeasureInput,
    StepInput,
    VisitInput,
)

D = dt.date.fromisoformat
TODAY = D("2026-11-30")
CLUE = D("2025-09-01")
ID = "识别"
EL = "消除"


@dataclass(frozen=True)
class Town:
    tuopin: int  # 脱贫户 with labour, income above the threshold
    general: int  # 一般农户
    no_labour: int  # 一般农户, nobody able to work, income above the threshold
    poor: int  # 一般农户 with labour, income below the threshold
    tuopin_member: int
    other_member: int  # a member of another household


def _household(s, village_id: int, htype: str, labour: str, income: int) -> tuple[int, int]:
    h = Household(village_id=village_id, household_type=htype)
    s.add(h)
    s.flush()
    m = Member(household_id=h.id, name=f"户主{h.id}", relation="户主", labour_skill=labour)
    s.add(m)
    s.add(Member(household_id=h.id, name=f"配偶{h.id}", relation="配偶", labour_skill=labour, sort_order=1))
    s.add(
        IncomeRecord(
            household_id=h.id,
            year=2025,
            period_start=D("2025-01-01"),
            period_end=D("2025-12-31"),
            wage=Decimal(income),
        )
    )
    s.flush()
    return h.id, m.id


@pytest.fixture
def town(db) -> Town:
    with db.unit() as s:
        v = Village(name="王楼村")
        s.add(v)
        s.flush()
        s.add(Threshold(year=2025, region="全国", amount=Decimal("8000")))
        tuopin, tm = _household(s, v.id, "脱贫户", "普通劳动力", 30000)  # 15000 each
        general, om = _household(s, v.id, "一般农户", "普通劳动力", 30000)
        no_labour, _ = _household(s, v.id, "一般农户", "丧失劳动力", 30000)
        poor, _ = _household(s, v.id, "一般农户", "普通劳动力", 10000)  # 5000 each
        return Town(tuopin, general, no_labour, poor, tm, om)


def _open(db, household_id: int, clue: dt.date = CLUE) -> int:
    with db.unit() as s:
        return editing.open_case(s, household_id, source="干部走访", clue_date=clue)


def _step(db, case_id: int, step: str, day: str, proc: str = ID, **kw) -> int:
    with db.unit() as s:
        return editing.add_step(s, case_id, StepInput(proc, step, D(day), **kw), today=TODAY)


def _case(db, case_id: int) -> MonitoringCase:
    with db.reading() as s:
        c = s.get(MonitoringCase, case_id)
        s.expunge(c)
        return c


def _steps(db, case_id: int) -> list[tuple[str, str, dt.date, dt.date | None, str | None]]:
    with db.reading() as s:
        rows = s.scalars(select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.id))
        return [(r.procedure, r.step, r.done_on, r.end_on, r.result) for r in rows]


def _facts(db, case_id: int, category: str = "脱贫不稳定户", **kw) -> None:
    kw.setdefault("risks", (("因病", None), ("因自然灾害", "洪涝")))
    with db.unit() as s:
        editing.save_facts(s, case_id, CaseFactsInput(category, **kw))


def _until_publicity(db, case_id: int) -> None:
    _step(db, case_id, "农户申请", "2025-09-02", authorisation_signed=True)
    _step(db, case_id, "入户核实", "2025-09-03", people="王五、赵六")
    _step(db, case_id, "村级评议", "2025-09-05", people="张三、李四、孙七", result="同意")
    _step(db, case_id, "公示", "2025-09-26", result="无异议")
    _step(db, case_id, "乡镇审核", "2025-10-10", result="同意")


def _identified(db, household_id: int, category: str = "脱贫不稳定户") -> int:
    case_id = _open(db, household_id)
    _facts(db, case_id, category)
    _until_publicity(db, case_id)
    _step(db, case_id, "县级审定", "2025-10-11", result="同意")
    return case_id


def _measure(db, case_id: int, category: str = "产业帮扶") -> int:
    with db.unit() as s:
        return editing.save_measure(
            s, case_id, MeasureInput(category, "发放鸡苗200只", start_date=D("2025-10-20"))
        )


def _elimination_until_decision(db, case_id: int, start: str = "2026-04-13") -> None:
    first = D(start)
    _step(db, case_id, "村提名", f"{first}", EL)
    _step(db, case_id, "入户核实", f"{first + dt.timedelta(days=1)}", EL, people="王五、赵六")
    _step(db, case_id, "村级评议", f"{first + dt.timedelta(days=2)}", EL, people="张三、李四", result="同意")
    _step(db, case_id, "公示", f"{first + dt.timedelta(days=3)}", EL, result="无异议")
    with db.reading() as s:
        end = s.scalar(
            select(CaseStep.end_on)
            .where(CaseStep.case_id == case_id, CaseStep.step == "公示", CaseStep.procedure == EL)
            .order_by(CaseStep.id.desc())
        )
    _step(db, case_id, "乡镇审核", f"{end + dt.timedelta(days=1)}", EL, result="同意")


def _counts(db) -> dict[str, int]:
    with db.reading() as s:
        return {
            model.__tablename__: s.scalar(select(func.count()).select_from(model))
            for model in (MonitoringCase, CaseStep, CaseRisk, Measure, Contact, Visit, AuditEntry)
        }


def _refused(db, call, field: str, match: str) -> ValidationError:
    """``call(session)`` raises a ValidationError on ``field``; the session it ran in is left
    clean (the unit commits afterwards, as a caller that shows the message would) and no row nor
    audit entry was written."""
    before = _counts(db)
    with db.unit() as s:
        with pytest.raises(ValidationError, match=match) as info:
            call(s)
        assert not s.new and not s.dirty and not s.deleted
    assert info.value.field == field
    assert _counts(db) == before
    return info.value


# --------------------------------------------------------------------------- the whole way


def test_walk_identification_and_elimination_to_eliminated(db, town):
    case_id = _open(db, town.tuopin)
    c = _case(db, case_id)
    assert (c.status, c.origin, c.source, c.clue_date) == ("线索", "本地", "干部走访", CLUE)

    _facts(db, case_id, exclusions=frozenset())
    _step(db, case_id, "农户申请", "2025-09-02", authorisation_signed=True)
    assert _case(db, case_id).status == "识别中"
    _step(db, case_id, "入户核实", "2025-09-03", people="王五，赵六")
    _step(db, case_id, "村级评议", "2025-09-05", people="张三、李四", result="同意")
    _step(db, case_id, "公示", "2025-09-26", result="无异议")
    # five working days from Friday 26 September 2025 across 国庆 (as tests/test_workdays.py)
    assert _steps(db, case_id)[-1][3] == D("2025-10-09")
    _step(db, case_id, "乡镇审核", "2025-10-10", result="同意")
    assert _case(db, case_id).status == "识别中"
    _step(db, case_id, "县级审定", "2025-10-11", result="同意")
    c = _case(db, case_id)
    assert (c.status, c.identified_on) == ("已纳入", D("2025-10-11"))
    _step(db, case_id, "系统录入", "2025-10-12")
    assert _case(db, case_id).status == "已纳入"

    _measure(db, case_id)
    _step(db, case_id, "村提名", "2026-04-13", EL)
    assert _case(db, case_id).status == "消除中"
    _step(db, case_id, "入户核实", "2026-04-14", EL, people="王五、赵六")
    _step(db, case_id, "村级评议", "2026-04-15", EL, people="张三、李四", result="同意")
    _step(db, case_id, "公示", "2026-04-16", EL)
    assert _steps(db, case_id)[-1][3] == D("2026-04-22")  # Thu 16 → Wed 22 (five working days)
    _step(db, case_id, "乡镇审核", "2026-04-23", EL, result="同意")
    _step(db, case_id, "县级审定", "2026-04-24", EL, result="同意", elimination_mode="帮扶消除")
    c = _case(db, case_id)
    assert (c.status, c.eliminated_on, c.elimination_mode) == ("已消除", D("2026-04-24"), "帮扶消除")
    _step(db, case_id, "系统录入", "2026-04-25", EL)
    assert _case(db, case_id).status == "已消除"
    assert [(p, st) for p, st, *_ in _steps(db, case_id)] == [
        (ID, "农户申请"),
        (ID, "入户核实"),
        (ID, "村级评议"),
        (ID, "公示"),
        (ID, "乡镇审核"),
        (ID, "县级审定"),
        (ID, "系统录入"),
        (EL, "村提名"),
        (EL, "入户核实"),
        (EL, "村级评议"),
        (EL, "公示"),
        (EL, "乡镇审核"),
        (EL, "县级审定"),
        (EL, "系统录入"),
    ]
    with db.reading() as s:
        verification = s.scalars(
            select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.id)
        ).all()[1]
        assert verification.people == "王五、赵六"
        first = s.scalars(select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.id)).first()
        assert first.authorisation_signed is True


def test_steps_are_audited(db, town):
    case_id = _open(db, town.tuopin)
    step_id = _step(db, case_id, "农户申请", "2025-09-02", authorisation_signed=True)
    with db.reading() as s:
        actions = s.execute(
            select(AuditEntry.table_name, AuditEntry.action, AuditEntry.field).where(
                AuditEntry.record_id.in_((case_id, step_id))
            )
        ).all()
    assert ("case_steps", "insert", None) in actions
    assert ("monitoring_cases", "update", "status") in actions


# --------------------------------------------------------------------------- opening


def test_open_case_refuses_a_second_open_case_and_bad_input(db, town):
    case_id = _open(db, town.tuopin)
    e = _refused(
        db,
        lambda s: editing.open_case(s, town.tuopin, source="干部走访", clue_date=D("2025-10-01")),
        "household",
        "已有一条未办结的监测记录",
    )
    assert "2025-09-01" in str(e) and "线索" in str(e)
    _refused(
        db, lambda s: editing.open_case(s, 999999, source="干部走访", clue_date=CLUE), "household", "不存在"
    )
    _refused(
        db,
        lambda s: editing.open_case(s, town.general, source="路上听说", clue_date=CLUE),
        "source",
        "代码表",
    )
    future = dt.date.today() + dt.timedelta(days=1)
    _refused(
        db,
        lambda s: editing.open_case(s, town.general, source="干部走访", clue_date=future),
        "clue_date",
        "今天",
    )
    assert case_id


def test_household_with_a_closed_case_may_open_a_new_one(db, town):
    case_id = _open(db, town.general)
    _step(db, case_id, "农户申请", "2025-09-02", result="不予认定", note="本人撤回申请")
    assert _case(db, case_id).status == "不纳入"
    assert _open(db, town.general, D("2025-11-01")) != case_id


# --------------------------------------------------------------------------- facts


def test_facts_stored_with_ordered_risks_replaced(db, town):
    case_id = _open(db, town.tuopin)
    _facts(
        db,
        case_id,
        risks=(("因病", None), ("因学", None), ("因自然灾害", "旱灾")),
        exclusions=frozenset({"deposits", "vehicle"}),
        note="走访发现",
    )
    _facts(db, case_id, risks=(("因自然灾害", "洪涝"), ("因病", None)))
    c = _case(db, case_id)
    assert (c.category, c.exclusions, c.note) == ("脱贫不稳定户", None, None)
    with db.reading() as s:
        rows = s.execute(
            select(CaseRisk.position, CaseRisk.risk_type, CaseRisk.subtype)
            .where(CaseRisk.case_id == case_id)
            .order_by(CaseRisk.position)
        ).all()
    assert [tuple(r) for r in rows] == [(1, "因自然灾害", "洪涝"), (2, "因病", None)]
    _facts(db, case_id, exclusions=frozenset({"deposits", "vehicle"}))
    assert _case(db, case_id).exclusions == "vehicle,deposits"  # in EXCLUSIONS order


def test_sixth_risk_refused(db, town):
    case_id = _open(db, town.tuopin)
    six = tuple((r, None) for r in ("因病", "因残", "因学", "因意外事故", "因产业项目失败", "因务工就业不稳"))
    _refused(
        db,
        lambda s: editing.save_facts(s, case_id, CaseFactsInput("脱贫不稳定户", six)),
        "risks",
        "最多填写5项",
    )


def test_category_must_fit_the_household_type(db, town):
    general = _open(db, town.general)
    tuopin = _open(db, town.tuopin)
    risks = (("因病", None),)
    _refused(
        db,
        lambda s: editing.save_facts(s, general, CaseFactsInput("脱贫不稳定户", risks)),
        "category",
        "只适用于脱贫户",
    )
    _refused(
        db,
        lambda s: editing.save_facts(s, tuopin, CaseFactsInput("边缘易致贫户", risks)),
        "category",
        "只适用于非脱贫户",
    )
    _facts(db, general, "边缘易致贫户", risks=risks)
    _facts(db, tuopin, "突发严重困难户", risks=risks)
    assert (_case(db, general).category, _case(db, tuopin).category) == ("边缘易致贫户", "突发严重困难户")


def test_county_decision_needs_category_and_risk(db, town):
    case_id = _open(db, town.general)
    _until_publicity(db, case_id)
    _refused(
        db,
        lambda s: editing.add_step(s, case_id, StepInput(ID, "县级审定", D("2025-10-11")), TODAY),
        "category",
        "监测对象类别",
    )
    _facts(db, case_id, "边缘易致贫户", risks=())
    _refused(
        db,
        lambda s: editing.add_step(s, case_id, StepInput(ID, "县级审定", D("2025-10-11")), TODAY),
        "risks",
        "至少一项",
    )


def test_exclusion_blocks_inclusion_until_the_special_decision(db, town):
    case_id = _open(db, town.general)
    _facts(db, case_id, "边缘易致贫户", exclusions=frozenset({"commercial_housing"}))
    _until_publicity(db, case_id)
    _refused(
        db,
        lambda s: editing.add_step(s, case_id, StepInput(ID, "县级审定", D("2025-10-11")), TODAY),
        "exclusions",
        "家庭在城镇购买商品房",
    )
    _facts(
        db,
        case_id,
        "边缘易致贫户",
        exclusions=frozenset({"commercial_housing"}),
        special_decision_on=D("2025-10-08"),
        special_decision_text="房屋系拆迁安置，经村民代表会议研究同意纳入",
    )
    _step(db, case_id, "县级审定", "2025-10-11", result="同意")
    c = _case(db, case_id)
    assert (c.status, c.special_decision_on) == ("已纳入", D("2025-10-08"))
    # once identified, the decision cannot be taken away while the exclusion stays
    _refused(
        db,
        lambda s: editing.save_facts(
            s, case_id, CaseFactsInput("边缘易致贫户", (("因病", None),), frozenset({"commercial_housing"}))
        ),
        "exclusions",
        "特殊研究决定",
    )


# --------------------------------------------------------------------------- step refusals


def test_verification_by_one_person_refused(db, town):
    case_id = _open(db, town.tuopin)
    _step(db, case_id, "农户申请", "2025-09-02", authorisation_signed=True)
    _refused(
        db,
        lambda s: editing.add_step(
            s, case_id, StepInput(ID, "入户核实", D("2025-09-03"), people="王五"), TODAY
        ),
        "people",
        "两人同行",
    )


def test_step_before_the_clue_date_refused(db, town):
    case_id = _open(db, town.tuopin)
    _refused(
        db,
        lambda s: editing.add_step(
            s, case_id, StepInput(ID, "农户申请", D("2025-08-31"), authorisation_signed=True), TODAY
        ),
        "done_on",
        "不能早于发现线索日期",
    )


def test_step_in_the_future_refused(db, town):
    case_id = _open(db, town.tuopin)
    _refused(
        db,
        lambda s: editing.add_step(
            s, case_id, StepInput(ID, "农户申请", D("2026-12-01"), authorisation_signed=True), TODAY
        ),
        "done_on",
        "不能晚于今天",
    )


def test_publicity_end_before_its_start_refused(db, town):
    case_id = _open(db, town.tuopin)
    _step(db, case_id, "农户申请", "2025-09-02", authorisation_signed=True)
    _step(db, case_id, "入户核实", "2025-09-03", people="王五、赵六")
    _step(db, case_id, "村级评议", "2025-09-05", people="张三", result="同意")
    _refused(
        db,
        lambda s: editing.add_step(
            s, case_id, StepInput(ID, "公示", D("2025-09-10"), end_on=D("2025-09-09")), TODAY
        ),
        "end_on",
        "不能早于公示开始日期",
    )
    # a given end is kept as entered
    _step(db, case_id, "公示", "2025-09-10", end_on=D("2025-09-20"))
    assert _steps(db, case_id)[-1][3] == D("2025-09-20")
    _refused(
        db,
        lambda s: editing.add_step(s, case_id, StepInput(ID, "乡镇审核", D("2025-09-20")), TODAY),
        "done_on",
        "公示期满之后",
    )


def test_step_out_of_order_refused(db, town):
    case_id = _open(db, town.tuopin)
    _step(db, case_id, "农户申请", "2025-09-02", authorisation_signed=True)
    _refused(
        db,
        lambda s: editing.add_step(
            s, case_id, StepInput(ID, "村级评议", D("2025-09-05"), people="张三"), TODAY
        ),
        "step",
        "须先办理“入户核实”",
    )
    _refused(
        db,
        lambda s: editing.add_step(
            s, case_id, StepInput(ID, "农户申请", D("2025-09-03"), authorisation_signed=True), TODAY
        ),
        "step",
        "已经办理过",
    )


def test_publicity_in_an_unknown_holiday_year_tells_the_clerk(db, town):
    case_id = _open(db, town.tuopin)
    with db.unit() as s:
        with pytest.raises(UnknownHolidayYear, match="2031年"):
            editing.publicity_end_for(s, D("2031-09-29"))
        assert editing.publicity_end_for(s, D("2025-09-26")) == D("2025-10-09")
    assert case_id


def test_refusal_at_a_step_ends_identification(db, town):
    case_id = _open(db, town.tuopin)
    _step(db, case_id, "农户申请", "2025-09-02", authorisation_signed=True)
    _step(db, case_id, "入户核实", "2025-09-03", people="王五、赵六")
    _refused(
        db,
        lambda s: editing.add_step(
            s, case_id, StepInput(ID, "村级评议", D("2025-09-05"), people="张三", result="不予认定"), TODAY
        ),
        "note",
        "理由",
    )
    _step(db, case_id, "村级评议", "2025-09-05", people="张三、李四", result="不予认定", note="家有大额存款")
    c = _case(db, case_id)
    assert (c.status, c.not_included_reason, c.identified_on) == ("不纳入", "家有大额存款", None)
    _refused(
        db,
        lambda s: editing.add_step(s, case_id, StepInput(ID, "公示", D("2025-09-10")), TODAY),
        "step",
        "不予认定",
    )


# --------------------------------------------------------------------------- elimination refusals


def test_elimination_needs_identification(db, town):
    case_id = _open(db, town.tuopin)
    _refused(
        db,
        lambda s: editing.add_step(s, case_id, StepInput(EL, "村提名", D("2025-09-05")), TODAY),
        "procedure",
        "尚未经县级审定",
    )


def test_elimination_under_six_months_refused_but_natural_allowed(db, town):
    case_id = _identified(db, town.tuopin)
    _measure(db, case_id)
    _elimination_until_decision(db, case_id, "2025-11-03")
    decision = StepInput(EL, "县级审定", D("2026-01-05"), result="同意", elimination_mode="帮扶消除")
    e = _refused(db, lambda s: editing.add_step(s, case_id, decision, TODAY), "elimination_mode", "不满6个月")
    assert "2026-04-11" in str(e)
    with db.reading() as s:
        assert editing.elimination_refusals_for(s, case_id, "自然消除", D("2026-01-05")) == []
        assert len(editing.elimination_refusals_for(s, case_id, "帮扶消除", D("2026-01-05"))) == 1
        assert editing.elimination_refusals_for(s, case_id, "帮扶消除", D("2026-04-11")) == []
    _step(db, case_id, "县级审定", "2026-01-05", EL, result="同意", elimination_mode="自然消除")
    c = _case(db, case_id)
    assert (c.status, c.elimination_mode) == ("已消除", "自然消除")


def test_elimination_mode_required_at_county_decision(db, town):
    case_id = _identified(db, town.tuopin)
    _measure(db, case_id)
    _elimination_until_decision(db, case_id)
    _refused(
        db,
        lambda s: editing.add_step(s, case_id, StepInput(EL, "县级审定", D("2026-05-06")), TODAY),
        "elimination_mode",
        "请选择消除方式",
    )


def test_income_below_threshold_refused(db, town):
    case_id = _identified(db, town.poor, "边缘易致贫户")
    _measure(db, case_id)
    _elimination_until_decision(db, case_id)
    decision = StepInput(EL, "县级审定", D("2026-05-06"), elimination_mode="自然消除")
    _refused(
        db,
        lambda s: editing.add_step(s, case_id, decision, TODAY),
        "elimination_mode",
        "家庭人均纯收入5000.00元低于本年度监测范围8000.00元",
    )


def test_assisted_elimination_without_measures_refused(db, town):
    case_id = _identified(db, town.tuopin)
    _elimination_until_decision(db, case_id)
    decision = StepInput(EL, "县级审定", D("2026-05-06"), elimination_mode="帮扶消除")
    _refused(
        db, lambda s: editing.add_step(s, case_id, decision, TODAY), "elimination_mode", "没有任何帮扶措施"
    )


def test_no_labour_household_with_only_welfare_stays_monitored(db, town):
    case_id = _identified(db, town.no_labour, "边缘易致贫户")
    _measure(db, case_id, "综合保障")
    _elimination_until_decision(db, case_id)
    decision = StepInput(EL, "县级审定", D("2026-05-06"), elimination_mode="帮扶消除")
    _refused(db, lambda s: editing.add_step(s, case_id, decision, TODAY), "elimination_mode", "仅靠综合保障")
    _measure(db, case_id, "公益岗位帮扶")
    _step(db, case_id, "县级审定", "2026-05-06", EL, elimination_mode="帮扶消除")
    assert _case(db, case_id).status == "已消除"


def test_refused_elimination_returns_to_monitoring_and_a_new_attempt_starts_fresh(db, town):
    case_id = _identified(db, town.tuopin)
    _measure(db, case_id)
    _step(db, case_id, "村提名", "2026-04-13", EL)
    _step(db, case_id, "入户核实", "2026-04-14", EL, people="王五、赵六")
    _step(
        db, case_id, "村级评议", "2026-04-15", EL, people="张三、李四", result="不予认定", note="收入不稳定"
    )
    assert _case(db, case_id).status == "已纳入"
    _refused(
        db,
        lambda s: editing.add_step(s, case_id, StepInput(EL, "村提名", D("2026-04-14")), TODAY),
        "done_on",
        "不能早于该日",
    )
    _step(db, case_id, "村提名", "2026-08-03", EL)
    assert _case(db, case_id).status == "消除中"
    _step(db, case_id, "入户核实", "2026-08-04", EL, people="王五、赵六")
    assert [r[4] for r in _steps(db, case_id) if r[0] == EL] == [None, None, "不予认定", None, None]


# --------------------------------------------------------------------------- undo


def test_remove_last_step_restores_status_and_dates(db, town):
    case_id = _identified(db, town.tuopin)
    with db.unit() as s:
        editing.remove_last_step(s, case_id, ID)
    c = _case(db, case_id)
    assert (c.status, c.identified_on) == ("识别中", None)
    assert [r[1] for r in _steps(db, case_id)][-1] == "乡镇审核"
    for _ in range(5):
        with db.unit() as s:
            editing.remove_last_step(s, case_id, ID)
    assert _case(db, case_id).status == "线索"
    _refused(db, lambda s: editing.remove_last_step(s, case_id, ID), "step", "没有识别环节")


def test_remove_refusal_reopens_identification(db, town):
    case_id = _open(db, town.general)
    _step(db, case_id, "农户申请", "2025-09-02", result="不予认定", note="撤回")
    with db.unit() as s:
        editing.remove_last_step(s, case_id, ID)
    c = _case(db, case_id)
    assert (c.status, c.not_included_reason) == ("线索", None)


def test_identification_decision_kept_once_elimination_began(db, town):
    case_id = _identified(db, town.tuopin)
    _step(db, case_id, "村提名", "2026-04-13", EL)
    _refused(db, lambda s: editing.remove_last_step(s, case_id, ID), "step", "已开始风险消除")
    with db.unit() as s:
        editing.remove_last_step(s, case_id, EL)
    assert _case(db, case_id).status == "已纳入"
    with db.unit() as s:
        editing.remove_last_step(s, case_id, ID)
    assert _case(db, case_id).status == "识别中"


def test_remove_elimination_decision(db, town):
    case_id = _identified(db, town.tuopin)
    _measure(db, case_id)
    _elimination_until_decision(db, case_id)
    _step(db, case_id, "县级审定", "2026-05-06", EL, elimination_mode="帮扶消除")
    with db.unit() as s:
        editing.remove_last_step(s, case_id, EL)
    c = _case(db, case_id)
    assert (c.status, c.eliminated_on, c.elimination_mode) == ("消除中", None, None)


# --------------------------------------------------------------------------- rollback, re-identification


def _eliminated(db, town) -> int:
    case_id = _identified(db, town.tuopin)
    _measure(db, case_id)
    _elimination_until_decision(db, case_id)
    _step(db, case_id, "县级审定", "2026-05-06", EL, elimination_mode="帮扶消除")
    return case_id


def test_roll_back(db, town):
    case_id = _eliminated(db, town)
    _refused(
        db, lambda s: editing.roll_back(s, case_id, D("2026-05-05"), "回头看"), "rolled_back_on", "不能早于"
    )
    _refused(db, lambda s: editing.roll_back(s, case_id, D("2026-06-01"), " "), "rollback_reason", "回退原因")
    with db.unit() as s:
        editing.roll_back(s, case_id, D("2026-06-01"), "回头看发现收入不实")
    c = _case(db, case_id)
    assert (c.status, c.rolled_back_on, c.rollback_reason) == (
        "已回退",
        D("2026-06-01"),
        "回头看发现收入不实",
    )
    assert (c.eliminated_on, c.elimination_mode) == (D("2026-05-06"), "帮扶消除")  # kept as history
    _refused(db, lambda s: editing.roll_back(s, case_id, D("2026-06-02"), "再次"), "rolled_back_on", "已消除")
    # monitored again: a review is possible, steps before the rollback stay, a new attempt begins
    with db.unit() as s:
        editing.record_review(s, case_id, D("2026-07-01"), "收入仍不稳定")
    _refused(db, lambda s: editing.remove_last_step(s, case_id, EL), "step", "回退以前")
    _refused(
        db,
        lambda s: editing.add_step(s, case_id, StepInput(EL, "村提名", D("2026-06-01")), TODAY),
        "done_on",
        "回退之后",
    )
    _step(db, case_id, "村提名", "2026-09-01", EL)
    assert _case(db, case_id).status == "消除中"
    _step(db, case_id, "入户核实", "2026-09-02", EL, people="王五、赵六", result="不予认定", note="仍有风险")
    assert _case(db, case_id).status == "已回退"


def test_reidentify_links_the_new_case(db, town):
    case_id = _eliminated(db, town)
    _refused(
        db,
        lambda s: editing.reidentify(s, case_id, clue_date=D("2026-05-01"), source="干部走访"),
        "clue_date",
        "不能早于风险消除时间",
    )
    with db.unit() as s:
        new_id = editing.reidentify(s, case_id, clue_date=D("2026-08-01"), source="部门预警", note="医保预警")
    new = _case(db, new_id)
    assert (new.status, new.previous_case_id, new.household_id, new.source) == (
        "线索",
        case_id,
        town.tuopin,
        "部门预警",
    )
    assert _case(db, case_id).status == "已消除"
    _refused(db, lambda s: editing.roll_back(s, case_id, D("2026-08-02"), "x"), "rolled_back_on", "重新识别")
    _refused(db, lambda s: editing.remove_last_step(s, case_id, EL), "step", "重新识别")
    _refused(
        db,
        lambda s: editing.reidentify(s, case_id, clue_date=D("2026-08-02"), source="干部走访"),
        "household",
        "未办结",
    )


def test_reidentify_only_from_eliminated(db, town):
    case_id = _identified(db, town.tuopin)
    _refused(
        db,
        lambda s: editing.reidentify(s, case_id, clue_date=D("2026-08-01"), source="干部走访"),
        "clue_date",
        "只有已消除",
    )


# --------------------------------------------------------------------------- measures, contacts, visits, reviews


def test_measure_saved_edited_deleted(db, town):
    case_id = _identified(db, town.tuopin)
    with db.unit() as s:
        mid = editing.save_measure(
            s,
            case_id,
            MeasureInput(
                "就业帮扶",
                "推荐到县城务工",
                start_date=D("2025-10-20"),
                end_date=D("2025-12-31"),
                amount=Decimal("500"),
                member_id=town.tuopin_member,
                responsible_unit="县人社局",
            ),
        )
    with db.reading() as s:
        m = s.get(Measure, mid)
        assert (m.household_id, m.is_development, m.amount, m.year) == (
            town.tuopin,
            True,
            Decimal("500.00"),
            2025,
        )
    with db.unit() as s:
        editing.save_measure(s, case_id, MeasureInput("综合保障", "纳入低保", is_development=False), mid)
    with db.reading() as s:
        m = s.get(Measure, mid)
        assert (m.category, m.is_development, m.member_id) == ("综合保障", False, None)
    with db.unit() as s:
        editing.delete_measure(s, mid)
    assert _counts(db)["measures"] == 0
    with db.unit() as s, pytest.raises(UserError, match="已不存在"):
        editing.delete_measure(s, mid)


@pytest.mark.parametrize(
    ("data", "field", "match"),
    [
        (MeasureInput("发钱", "x"), "category", "代码表"),
        (MeasureInput("产业帮扶", "  "), "content", "帮扶措施内容"),
        (
            MeasureInput("产业帮扶", "x", start_date=D("2025-10-02"), end_date=D("2025-10-01")),
            "end_date",
            "不能早于",
        ),
        (MeasureInput("产业帮扶", "x", amount=Decimal("-1")), "amount", "负数"),
        (MeasureInput("产业帮扶", "x", member_id=-1), "member_id", "不属于本户"),
    ],
)
def test_measure_refusals(db, town, data, field, match):
    case_id = _identified(db, town.tuopin)
    _refused(db, lambda s: editing.save_measure(s, case_id, data), field, match)


def test_measure_member_of_another_household_refused(db, town):
    case_id = _identified(db, town.tuopin)
    data = MeasureInput("产业帮扶", "x", member_id=town.other_member)
    _refused(db, lambda s: editing.save_measure(s, case_id, data), "member_id", "不属于本户")


def test_contacts(db, town):
    case_id = _open(db, town.tuopin)
    with db.unit() as s:
        cid = editing.save_contact(
            s, case_id, ContactInput("刘洋", "县农业农村局", "13912345678", D("2025-09-01"))
        )
        editing.save_contact(s, case_id, ContactInput("陈静", phone="0564-3312345"), None)
    with db.reading() as s:
        c = s.get(Contact, cid)
        assert (c.household_id, c.name, c.phone, c.role) == (town.tuopin, "刘洋", "13912345678", "帮扶联系人")
    _refused(db, lambda s: editing.save_contact(s, case_id, ContactInput(" ")), "name", "姓名")
    _refused(
        db, lambda s: editing.save_contact(s, case_id, ContactInput("刘洋", phone="1391234")), "phone", "11位"
    )
    period = ContactInput("刘洋", start_date=D("2025-09-02"), end_date=D("2025-09-01"))
    _refused(db, lambda s: editing.save_contact(s, case_id, period), "end_date", "不能早于")
    with db.unit() as s:
        editing.delete_contact(s, cid)
    assert _counts(db)["contacts"] == 1


def test_visits(db, town):
    case_id = _open(db, town.tuopin)
    with db.unit() as s:
        vid = editing.save_visit(
            s, case_id, VisitInput(D("2025-09-10"), "电话", "刘洋", "家中老人住院", "减少约2000元")
        )
    with db.reading() as s:
        v = s.get(Visit, vid)
        assert (v.household_id, v.mode, v.income_change) == (town.tuopin, "电话", "减少约2000元")
    _refused(
        db,
        lambda s: editing.save_visit(s, case_id, VisitInput(D("2025-08-31"))),
        "visited_on",
        "发现线索日期",
    )
    future = dt.date.today() + dt.timedelta(days=1)
    _refused(db, lambda s: editing.save_visit(s, case_id, VisitInput(future)), "visited_on", "今天")
    _refused(
        db, lambda s: editing.save_visit(s, case_id, VisitInput(D("2025-09-10"), "短信")), "mode", "走访方式"
    )
    with db.unit() as s:
        editing.save_visit(s, case_id, VisitInput(D("2025-09-11"), "入户"), vid)
        editing.delete_visit(s, vid)
    assert _counts(db)["visits"] == 0


def test_record_review(db, town):
    pending = _open(db, town.general)
    _refused(db, lambda s: editing.record_review(s, pending, D("2025-10-01")), "reviewed_on", "监测中")
    case_id = _identified(db, town.tuopin)
    _refused(db, lambda s: editing.record_review(s, case_id, D("2025-10-10")), "reviewed_on", "识别监测时间")
    with db.unit() as s:
        editing.record_review(s, case_id, D("2026-01-10"), "收入稳定")
    c = _case(db, case_id)
    assert (c.reviewed_on, c.review_note) == (D("2026-01-10"), "收入稳定")


def test_refusal_kept_when_the_household_opened_another_case(db, town):
    case_id = _open(db, town.general)
    _step(db, case_id, "农户申请", "2025-09-02", result="不予认定", note="撤回")
    _open(db, town.general, D("2025-11-01"))
    _refused(db, lambda s: editing.remove_last_step(s, case_id, ID), "household", "未办结")
    assert _case(db, case_id).status == "不纳入"


def test_risks_with_gaps_in_their_positions_are_renumbered(db, town):
    case_id = _open(db, town.tuopin)
    with db.unit() as s:
        s.add(CaseRisk(case_id=case_id, position=2, risk_type="因病"))
        s.add(CaseRisk(case_id=case_id, position=5, risk_type="因学"))
    _facts(db, case_id, risks=(("因学", None), ("因病", None), ("因残", None)))
    with db.reading() as s:
        rows = s.execute(
            select(CaseRisk.position, CaseRisk.risk_type)
            .where(CaseRisk.case_id == case_id)
            .order_by(CaseRisk.position)
        ).all()
    assert [tuple(r) for r in rows] == [(1, "因学"), (2, "因病"), (3, "因残")]


def test_step_name_required(db, town):
    case_id = _open(db, town.tuopin)
    _refused(
        db,
        lambda s: editing.add_step(s, case_id, StepInput(ID, " ", D("2025-09-02")), TODAY),
        "step",
        "请选择",
    )
    _refused(
        db,
        lambda s: editing.add_step(s, case_id, StepInput("回退", "x", D("2025-09-02")), TODAY),
        "procedure",
        "未知",
    )
