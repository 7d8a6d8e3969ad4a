"""One monitoring case as the case editor shows it (``load_case``), and a household's open case.

The household summary comes with it: members with their ages, the latest 人均纯收入 (the local
income record or the national system's figure, ``services.households.income``) and that year's
threshold, the 三保障 and drinking-water problems of the household's latest screening (附件1), and
whether anybody in the household can work. 下一件事 is the same rule the list and the 待办 use.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fanpin_desktop.domain import facts as member_rules
from fanpin_desktop.domain import todo as todo_rules
from fanpin_desktop.domain.cases import CASE_ELIMINATED, CASE_NOT_INCLUDED
from fanpin_desktop.domain.procedure import STEPS
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import Household, HouseholdScreening, MonitoringCase
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services.cases.todo import case_facts
from fanpin_desktop.services.cases.types import (
    CaseDetail,
    ContactView,
    MeasureView,
    MemberLine,
    StepView,
    VisitView,
)
from fanpin_desktop.services.households.constants import HEAD, LABOUR_SKILLS_ABLE
from fanpin_desktop.services.households.income import ThresholdCache, latest_income

#: the screening answers (附件1) that are 三保障 and drinking water, with the problem's wording
GUARANTEE_PROBLEMS = (
    ("housing_safe", "住房不安全"),
    ("medical_secured", "基本医疗无保障"),
    ("education_secured", "义务教育无保障"),
    ("water_safe", "饮水不安全"),
)


def _guarantees(session: Session, household_id: int) -> tuple[str, ...]:
    latest = session.scalar(
        select(HouseholdScreening)
        .where(HouseholdScreening.household_id == household_id)
        .order_by(HouseholdScreening.screened_on.desc().nulls_last(), HouseholdScreening.id.desc())
        .limit(1)
    )
    if latest is None:
        return ()
    return tuple(label for attr, label in GUARANTEE_PROBLEMS if getattr(latest, attr) is False)


def _step_order(procedure: str, step: str) -> int:
    order = STEPS.get(procedure, ())
    return order.index(step) if step in order else len(order)


def load_case(session: Session, case_id: int, today: dt.date | None = None) -> CaseDetail:
    """The case with its steps, measures, contacts, visits and household summary."""
    today = today or dt.date.today()
    case = session.scalar(
        select(MonitoringCase)
        .where(MonitoringCase.id == case_id)
        .options(
            selectinload(MonitoringCase.steps),
            selectinload(MonitoringCase.risks),
            selectinload(MonitoringCase.measures),
            selectinload(MonitoringCase.contacts),
            selectinload(MonitoringCase.visits),
            selectinload(MonitoringCase.household).selectinload(Household.members),
            selectinload(MonitoringCase.household).selectinload(Household.village),
            selectinload(MonitoringCase.household).selectinload(Household.group),
        )
    )
    if case is None:
        raise UserError(f"监测对象记录不存在（编号{case_id}），可能已被删除，请刷新列表后再试。")
    h = case.household
    members = sorted(h.members, key=lambda m: (m.sort_order, m.id))
    head = next((m for m in members if m.relation == HEAD), members[0] if members else None)
    member_names = {m.id: m.name for m in members}
    per_capita = year = threshold = None
    income_source = ""
    income = latest_income(session, h.id)
    if income is not None:
        per_capita, year, income_source = income.per_capita, income.year, income.source
        threshold = ThresholdCache(session)(year)
    village = h.village.name if h.village else ""
    group = h.group.name if h.group else ""
    label = " ".join(
        p for p in (f"{village}{group}", h.code or "", f"{head.name if head else '（无户主）'}户") if p
    )
    next_case_id = session.scalar(
        select(MonitoringCase.id)
        .where(MonitoringCase.previous_case_id == case.id)
        .order_by(MonitoringCase.id.desc())
        .limit(1)
    )
    rules = settings_service.deadline_rules(session)
    facts = case_facts(session, [case.id])[case.id][1]
    nxt = todo_rules.next_thing(facts, rules, today)
    steps = sorted(
        case.steps,
        key=lambda s: (s.done_on, s.procedure != "识别", _step_order(s.procedure, s.step), s.id),
    )
    return CaseDetail(
        id=case.id,
        household_id=h.id,
        household_label=label,
        household_type=h.household_type or "",
        village=village,
        group=group,
        code=h.code or "",
        members=tuple(
            MemberLine(
                id=m.id,
                name=m.name,
                relation=m.relation,
                age=member_rules.age_of(m, today),
                health=m.health or "",
                labour=m.labour_skill or "",
                schooling=m.schooling or "",
            )
            for m in members
        ),
        per_capita_income=per_capita,
        income_year=year,
        threshold=threshold,
        guarantees=_guarantees(session, h.id),
        has_labour=any(m.labour_skill in LABOUR_SKILLS_ABLE for m in members) and not case.no_labour,
        status=case.status,
        source=case.source or "",
        clue_date=case.clue_date,
        category=case.category or "",
        risks=tuple((r.risk_type, r.subtype) for r in sorted(case.risks, key=lambda r: r.position)),
        exclusions=frozenset(k for k in (case.exclusions or "").split(",") if k),
        special_decision_on=case.special_decision_on,
        special_decision_text=case.special_decision_text or "",
        identified_on=case.identified_on,
        elimination_mode=case.elimination_mode or "",
        eliminated_on=case.eliminated_on,
        rolled_back_on=case.rolled_back_on,
        rollback_reason=case.rollback_reason or "",
        not_included_reason=case.not_included_reason or "",
        reviewed_on=case.reviewed_on,
        note=case.note or "",
        origin=case.origin or "本地",
        previous_case_id=case.previous_case_id,
        next_case_id=next_case_id,
        steps=tuple(
            StepView(
                id=s.id,
                procedure=s.procedure,
                step=s.step,
                done_on=s.done_on,
                end_on=s.end_on,
                people=s.people or "",
                result=s.result or "",
                note=s.note or "",
                authorisation_signed=bool(s.authorisation_signed),
                from_national=bool(s.from_national),
            )
            for s in steps
        ),
        measures=tuple(
            MeasureView(
                id=m.id,
                category=m.category,
                is_development=bool(m.is_development),
                content=m.content or "",
                start_date=m.start_date,
                end_date=m.end_date,
                responsible_unit=m.responsible_unit or "",
                amount=m.amount,
                member_id=m.member_id,
                member_name=member_names.get(m.member_id, "") if m.member_id else "",
            )
            for m in sorted(case.measures, key=lambda m: (m.start_date or dt.date.min, m.id))
        ),
        contacts=tuple(
            ContactView(
                id=c.id,
                name=c.name,
                workplace=c.unit or "",
                phone=c.phone or "",
                start_date=c.start_date,
                end_date=c.end_date,
            )
            for c in sorted(case.contacts, key=lambda c: (c.start_date or dt.date.min, c.id))
        ),
        visits=tuple(
            VisitView(
                id=v.id,
                visited_on=v.visited_on,
                mode=v.mode or "",
                visitor=v.visitor or "",
                findings=v.findings or "",
                income_change=v.income_change or "",
            )
            for v in sorted(case.visits, key=lambda v: (v.visited_on, v.id), reverse=True)
        ),
        next_thing=nxt.label,
        next_due=nxt.due_on,
        overdue=nxt.overdue,
        next_note=nxt.note,
        income_source=income_source,
    )


def household_open_case(session: Session, household_id: int) -> int | None:
    """The household's newest case that is neither 已消除 nor 不纳入, if any."""
    return session.scalar(
        select(MonitoringCase.id)
        .where(
            MonitoringCase.household_id == household_id,
            MonitoringCase.status.not_in((CASE_ELIMINATED, CASE_NOT_INCLUDED)),
        )
        .order_by(MonitoringCase.clue_date.desc(), MonitoringCase.id.desc())
        .limit(1)
    )
