"""三保障: compulsory schooling, basic medical insurance, safe housing and drinking water."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from fanpin_desktop.domain import enums, ids
from fanpin_desktop.domain.rules.base import (
    ERROR,
    G_GUARANTEES,
    REMINDER,
    Finding,
    RuleContext,
    case_label,
    helped_cases,
    hit,
    monitored_cases,
    rule,
    text,
)
from fanpin_desktop.domain.rules.data import CaseData, HouseholdData, MemberData
from fanpin_desktop.domain.rules.members import age_of, birth_of, who

DROPOUT = "家庭成员中有义务教育阶段适龄儿童少年失学辍学"
HOUSING = "住房出现安全问题"
WATER = "饮水安全问题"
PRESCHOOL = "学前教育"
FINISHED_COMPULSORY = frozenset({"初中", "高中", "中专", "大专", "本科及以上"})
COMPULSORY = frozenset(enums.for_year(None).data.get("compulsory_schooling", ()))


def compulsory_age(m: MemberData, today: dt.date) -> bool:
    """Aged 6 by the last 31 August (school start) and not yet 16."""
    b = birth_of(m)
    if b is None:
        return False
    start = dt.date(today.year if (today.month, today.day) >= (8, 31) else today.year - 1, 8, 31)
    return ids.age_on(b, start) >= 6 and ids.age_on(b, today) <= 15


def _has_risk(c: CaseData, *needles: str) -> bool:
    for r in c.risks:
        for n in needles:
            if n in r.risk_type:
                return True
    return False


def _risk_without_measure(
    h: HouseholdData, needles: tuple[str, ...], wanted: frozenset[str], risk_name: str, measure_name: str
) -> Iterator[Finding]:
    for c in helped_cases(h):
        if _has_risk(c, *needles) and not (c.measure_categories & wanted):
            yield hit(
                h,
                f"{case_label(h, c)}：有风险“{risk_name}”，却没有{measure_name}措施，请补录相应帮扶措施",
                c.risk_types,
                c.measure_categories,
                case=c,
            )


@rule(code="FP-SB-001", title="义务教育适龄儿童未在校且未标记失学辍学", group=G_GUARANTEES, severity=ERROR)
def school_age_out_of_school(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    flagged = any(_has_risk(c, DROPOUT, "失学", "辍学") for c in h.cases if c.status != "已回退")
    if flagged:
        return
    for m in h.members:
        if text(m.schooling) or text(m.education) in FINISHED_COMPULSORY:
            continue
        if compulsory_age(m, ctx.today):
            yield hit(
                h,
                f"{who(h, m)}：{age_of(m, ctx.today)}岁，属义务教育适龄，在校生状况却为空，"
                "请补录在校生状况；确已失学辍学的请登记失学辍学风险",
                birth_of(m),
                m.schooling,
                m.education,
                member=m,
            )


@rule(code="FP-SB-002", title="年龄过大却在义务教育阶段", group=G_GUARANTEES, severity=ERROR)
def too_old_compulsory(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        school = text(m.schooling)
        age = age_of(m, ctx.today)
        if school in COMPULSORY and age is not None and age >= 20:
            yield hit(
                h,
                f"{who(h, m)}：已{age}岁，在校生状况却为“{school}”，请改正在校生状况或文化程度",
                school,
                birth_of(m),
                member=m,
            )


@rule(code="FP-SB-003", title="学龄前儿童的在校生状况不符", group=G_GUARANTEES, severity=ERROR)
def preschool_age(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        school = text(m.schooling)
        age = age_of(m, ctx.today)
        if not school or age is None:
            continue
        if age < 3 or (age < 5 and school != PRESCHOOL):
            yield hit(
                h,
                f"{who(h, m)}：{age}岁，在校生状况却为“{school}”，请改正在校生状况或出生日期",
                school,
                birth_of(m),
                member=m,
            )


@rule(code="FP-SB-004", title="同时参加居民医保和职工医保", group=G_GUARANTEES, severity=ERROR)
def both_medical(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        if m.ins_resident_medical and m.ins_employee_medical:
            yield hit(
                h,
                f"{who(h, m)}：同时参加城乡居民基本医疗保险和职工基本医疗保险，只能参加一种，请改正",
                True,
                True,
                member=m,
            )


@rule(code="FP-SB-005", title="未参加基本医疗保险", group=G_GUARANTEES, severity=REMINDER)
def no_medical(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        if not m.ins_resident_medical and not m.ins_employee_medical:
            yield hit(
                h,
                f"{who(h, m)}：城乡居民基本医疗保险和职工基本医疗保险都未参加，请核实参保情况并补录",
                False,
                False,
                member=m,
            )


@rule(code="5_18_006", title="有饮水安全问题却无饮水安全保障措施", group=G_GUARANTEES, severity=ERROR)
def water_measure(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    yield from _risk_without_measure(
        h, (WATER, "饮水"), frozenset({"饮水安全保障"}), "饮水安全问题", "饮水安全保障"
    )


@rule(code="FP-SB-006", title="住房出现安全问题却无住房安全保障措施", group=G_GUARANTEES, severity=ERROR)
def housing_measure(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    yield from _risk_without_measure(
        h, (HOUSING, "住房"), frozenset({"住房安全保障"}), "住房出现安全问题", "住房安全保障"
    )


@rule(code="FP-SB-007", title="有失学辍学却无义务教育保障措施", group=G_GUARANTEES, severity=ERROR)
def dropout_measure(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    yield from _risk_without_measure(
        h, (DROPOUT, "失学", "辍学"), frozenset({"义务教育保障"}), "失学辍学", "义务教育保障"
    )


@rule(
    code="FP-SB-008", title="登记失学辍学却无义务教育适龄的未在校成员", group=G_GUARANTEES, severity=REMINDER
)
def dropout_without_child(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in monitored_cases(h):
        if not _has_risk(c, DROPOUT, "失学", "辍学"):
            continue
        out = [m for m in h.members if compulsory_age(m, ctx.today) and not text(m.schooling)]
        if not out:
            yield hit(
                h,
                f"{case_label(h, c)}：登记了失学辍学风险，家中却没有未在校的义务教育适龄成员，"
                "请核实：已返校的请补录在校生状况并消除该风险",
                c.risk_types,
                tuple((m.id, birth_of(m), m.schooling) for m in h.members),
                case=c,
            )
