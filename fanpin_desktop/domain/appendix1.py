"""附件1 到户排查表 as data: every question, who answers it, and what the data already suggests.

Each question is keyed by its ``HouseholdScreening`` column; its label and its place under the
paper form's groups come from the year's layout (``resources/layouts/appendix1_<year>.json``), so
the wording is written once. Here live the rules only, as pure functions of a
:class:`ScreeningContext` (plain values gathered by the screening service) and the answers given
so far:

* ``applies(ctx, answers)`` — False when the question does not concern the household (e.g. the
  脱贫户 questions for a 一般农户); it depends on answers too, so correcting 户属性 on the form
  enables or disables questions at once (``depends_on`` lists the answers it reads);
* ``suggest(ctx)`` — the answer the data implies, with the reason shown to the clerk, or None when
  the data says nothing (the clerk answers from the visit).

The heuristics (income drop of 30 %, wage share of one half, six months' work) are named
constants: they only pre-fill a suggestion the clerk confirms or overrides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fanpin_desktop.domain import facts as facts_mod
from fanpin_desktop.domain.cases import (  # also read from here as appendix1.*_CASE_STATUSES
    ACTIVE_CASE_STATUSES,
    ELIMINATED_CASE_STATUSES,
    PENDING_CASE_STATUSES,
)

TUOPIN = "脱贫户"
MONITORED = "监测户"
ORDINARY = "一般农户"

INCOME_DROP_RATIO = Decimal("0.30")  # 收入大幅缩减: per-capita income down by 30 % or more
WAGE_SHARE_HIGH = Decimal("0.5")  # 务工收入占比高: wages are half the gross income or more
STABLE_WORK_MONTHS = 6  # 务工时间不稳定: a migrant worker with fewer months than this
COMPULSORY_AGES = (7, 15)  # 义务教育阶段适龄 (ages on the screening day)
HARDSHIP_RISKS = frozenset({"因病", "因自然灾害", "因意外事故"})
HOUSING_RISK = "住房出现安全问题"
SCHOOL_RISK = "家庭成员中有义务教育阶段适龄儿童少年失学辍学"
WATER_RISK = "饮水安全问题"


# --------------------------------------------------------------------------- context


@dataclass(frozen=True)
class IncomeFacts:
    """One 收支情况 record reduced to what the questions read."""

    period_start: dt.date
    period_end: dt.date
    people: int
    gross: Decimal
    net: Decimal
    per_capita: Decimal | None
    wage: Decimal
    rigid_spending: Decimal

    @property
    def label(self) -> str:
        return f"{self.period_start:%Y年%m月}至{self.period_end:%Y年%m月}"


@dataclass(frozen=True)
class ScreeningContext:
    """Everything the rules read about one household, as plain values (no Session)."""

    household_type: str
    poverty_exit_year: int | None
    people: facts_mod.HouseholdFacts
    on: dt.date  # the day ages are computed on
    income: IncomeFacts | None = None  # the campaign's income period
    earlier_incomes: tuple[IncomeFacts, ...] = ()  # older periods, oldest first
    threshold: Decimal | None = None
    case_statuses: tuple[str, ...] = ()
    active_case_category: str | None = None
    active_case_risks: tuple[str, ...] = ()
    measure_count: int = 0  # measures of the campaign year or of an open case
    member_medical: tuple[tuple[str, bool], ...] = ()  # (name, has basic medical insurance)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def has_active_case(self) -> bool:
        return any(s in ACTIVE_CASE_STATUSES for s in self.case_statuses)

    @property
    def has_pending_case(self) -> bool:
        return any(s in PENDING_CASE_STATUSES for s in self.case_statuses)

    @property
    def is_eliminated(self) -> bool:
        """An eliminated monitoring object not monitored again since (回头看 applies)."""
        return not self.has_active_case and any(s in ELIMINATED_CASE_STATUSES for s in self.case_statuses)

    @property
    def was_monitored(self) -> bool:
        return self.has_active_case or self.is_eliminated


@dataclass(frozen=True)
class Suggestion:
    value: Any
    reason: str


# --------------------------------------------------------------------------- helpers


def _yn(value: bool) -> str:
    return "是" if value else "否"


def suggested_household_type(ctx: ScreeningContext) -> str:
    if ctx.household_type == ORDINARY and ctx.has_active_case:
        return MONITORED
    return ctx.household_type or ORDINARY


def household_type(ctx: ScreeningContext, answers: Mapping[str, Any]) -> str:
    """户属性 as answered on the form, else as the data suggests."""
    return answers.get("household_type") or suggested_household_type(ctx)


def _is_monitoring_object(ctx: ScreeningContext, answers: Mapping[str, Any]) -> bool:
    return household_type(ctx, answers) == MONITORED or ctx.has_active_case


def _not_false(key: str) -> Callable[[ScreeningContext, Mapping[str, Any]], bool]:
    def rule(_ctx: ScreeningContext, answers: Mapping[str, Any]) -> bool:
        return answers.get(key) is not False

    return rule


def _always(_ctx: ScreeningContext, _answers: Mapping[str, Any]) -> bool:
    return True


def _tuopin(ctx: ScreeningContext, answers: Mapping[str, Any]) -> bool:
    return household_type(ctx, answers) == TUOPIN


def _tuopin_or_monitored(ctx: ScreeningContext, answers: Mapping[str, Any]) -> bool:
    return household_type(ctx, answers) in (TUOPIN, MONITORED) or ctx.was_monitored


def _monitored_ever(ctx: ScreeningContext, answers: Mapping[str, Any]) -> bool:
    return _is_monitoring_object(ctx, answers) or ctx.was_monitored


def _eliminated_followup(ctx: ScreeningContext, answers: Mapping[str, Any]) -> bool:
    return _monitored_ever(ctx, answers) and answers.get("risk_eliminated_marked") is not False


def _not_monitoring_object(ctx: ScreeningContext, answers: Mapping[str, Any]) -> bool:
    return not _is_monitoring_object(ctx, answers)


# --------------------------------------------------------------------------- suggestions


def _none(_ctx: ScreeningContext) -> Suggestion | None:
    return None


def _s_size(ctx: ScreeningContext) -> Suggestion | None:
    if ctx.people.size == 0:
        return None
    return Suggestion(ctx.people.size, f"系统登记家庭成员{ctx.people.size}人")


def _s_type(ctx: ScreeningContext) -> Suggestion | None:
    value = suggested_household_type(ctx)
    if value != ctx.household_type:
        return Suggestion(value, f"户类型登记为{ctx.household_type}，但有未消除风险的监测记录")
    return Suggestion(value, f"户类型登记为{value}")


def _s_income(ctx: ScreeningContext) -> Suggestion | None:
    if ctx.income is None or ctx.income.per_capita is None:
        return None
    i = ctx.income
    return Suggestion(i.per_capita, f"{i.label}收支记录：家庭纯收入{i.net}元，{i.people}人")


def _below(ctx: ScreeningContext) -> bool | None:
    if ctx.income is None or ctx.income.per_capita is None or ctx.threshold is None:
        return None
    return ctx.income.per_capita <= ctx.threshold


def _s_above(ctx: ScreeningContext) -> Suggestion | None:
    below = _below(ctx)
    if below is None:
        return None
    assert ctx.income is not None and ctx.income.per_capita is not None
    return Suggestion(not below, f"人均纯收入{ctx.income.per_capita}元，监测范围{ctx.threshold}元")


def _drop(ctx: ScreeningContext) -> Decimal | None:
    """Fall of per-capita income against the previous period (0.25 = down 25 %)."""
    if ctx.income is None or ctx.income.per_capita is None or not ctx.earlier_incomes:
        return None
    before = ctx.earlier_incomes[-1].per_capita
    if before is None or before <= 0:
        return None
    return (before - ctx.income.per_capita) / before


def _rigid_below(ctx: ScreeningContext) -> bool:
    i = ctx.income
    if i is None or ctx.threshold is None or i.rigid_spending <= 0 or i.people <= 0:
        return False
    return (i.net - i.rigid_spending) / i.people < ctx.threshold


def _s_rigid(ctx: ScreeningContext) -> Suggestion | None:
    if ctx.income is None:
        return None
    if _rigid_below(ctx):
        return Suggestion(True, f"合规自付支出{ctx.income.rigid_spending}元，扣除后人均低于监测范围")
    drop = _drop(ctx)
    if drop is not None and drop >= INCOME_DROP_RATIO:
        return Suggestion(True, f"人均纯收入比上一期减少{(drop * 100):.0f}%")
    return Suggestion(False, "收入未大幅减少，合规自付支出未使人均收入低于监测范围")


def _s_risk_flag(risk: str, label: str) -> Callable[[ScreeningContext], Suggestion | None]:
    def suggest(ctx: ScreeningContext) -> Suggestion | None:
        if risk in ctx.active_case_risks:
            return Suggestion(False, f"监测记录中有风险“{label}”")
        return None

    return suggest


def _s_medical(ctx: ScreeningContext) -> Suggestion | None:
    if not ctx.member_medical:
        return None
    missing = [name for name, insured in ctx.member_medical if not insured]
    if missing:
        return Suggestion(False, "未登记基本医疗保险：" + "、".join(missing))
    return Suggestion(True, "家庭成员均登记了基本医疗保险")


def _s_education(ctx: ScreeningContext) -> Suggestion | None:
    if SCHOOL_RISK in ctx.active_case_risks:
        return Suggestion(False, "监测记录中有失学辍学风险")
    if ctx.people.size == 0:
        return None
    lo, hi = COMPULSORY_AGES
    school_age = [m for m in ctx.people.members if m.age is not None and lo <= m.age <= hi]
    out = [m for m in school_age if not m.is_student]
    if out:
        return Suggestion(
            False, "义务教育阶段适龄成员未登记在校：" + "、".join(f"{m.name}（{m.age}岁）" for m in out)
        )
    if school_age:
        return Suggestion(True, "义务教育阶段适龄成员均在校")
    return Suggestion(True, "无义务教育阶段适龄成员")


def _s_fact(attr: str, yes: str, no: str) -> Callable[[ScreeningContext], Suggestion | None]:
    def suggest(ctx: ScreeningContext) -> Suggestion | None:
        if ctx.people.size == 0:
            return None
        value = bool(getattr(ctx.people, attr))
        return Suggestion(value, yes if value else no)

    return suggest


def _s_exited_2020(ctx: ScreeningContext) -> Suggestion | None:
    if ctx.poverty_exit_year is None:
        return None
    return Suggestion(ctx.poverty_exit_year == 2020, f"脱贫年度登记为{ctx.poverty_exit_year}年")


def _s_falling(ctx: ScreeningContext) -> Suggestion | None:
    if ctx.income is None:
        return None
    series = [i.per_capita for i in (*ctx.earlier_incomes, ctx.income)][-3:]
    if len(series) < 3 or any(v is None for v in series):
        return None
    falling = series[0] > series[1] > series[2]  # type: ignore[operator]
    return Suggestion(falling, "近三期人均纯收入：" + "、".join(f"{v}元" for v in series))


def _s_migrant(ctx: ScreeningContext) -> Suggestion | None:
    i = ctx.income
    if i is None or i.gross <= 0:
        return None
    share = i.wage / i.gross
    if share < WAGE_SHARE_HIGH:
        return Suggestion(False, f"工资性收入占{(share * 100):.0f}%")
    unstable = [
        m for m in ctx.people.members if m.is_migrant_worker and not _months_at_least(m, STABLE_WORK_MONTHS)
    ]
    if unstable:
        return Suggestion(
            True,
            f"工资性收入占{(share * 100):.0f}%，务工不足{STABLE_WORK_MONTHS}个月："
            + "、".join(m.name for m in unstable),
        )
    return Suggestion(False, f"工资性收入占{(share * 100):.0f}%，务工时间均在{STABLE_WORK_MONTHS}个月以上")


def _months_at_least(m: facts_mod.MemberFacts, months: int) -> bool:
    raw = getattr(m.member, "work_months", None)
    return isinstance(raw, int) and raw >= months


def _s_hardship(ctx: ScreeningContext) -> Suggestion | None:
    if not ctx.has_active_case:
        return None
    if ctx.active_case_category == "突发严重困难户":
        return Suggestion(True, "监测对象类别为突发严重困难户")
    hit = [r for r in ctx.active_case_risks if r in HARDSHIP_RISKS]
    if hit:
        return Suggestion(True, "监测记录中有风险：" + "、".join(hit))
    return None


def _s_eliminated(ctx: ScreeningContext) -> Suggestion | None:
    if ctx.is_eliminated:
        return Suggestion(True, "监测记录已标注风险消除")
    if ctx.has_active_case:
        return Suggestion(False, "监测记录尚未消除风险")
    return None


def _s_measures(ctx: ScreeningContext) -> Suggestion | None:
    if ctx.measure_count:
        return Suggestion(True, f"登记帮扶措施{ctx.measure_count}条")
    return Suggestion(False, "未登记本年度帮扶措施")


def _s_should_monitor(ctx: ScreeningContext) -> Suggestion | None:
    if ctx.has_pending_case:
        return Suggestion(True, "已有待识别的监测线索")
    if _below(ctx):
        return Suggestion(True, f"人均纯收入{ctx.income.per_capita}元，未高于监测范围{ctx.threshold}元")  # type: ignore[union-attr]
    if _rigid_below(ctx):
        return Suggestion(True, "扣除合规自付支出后人均收入低于监测范围")
    return None


# --------------------------------------------------------------------------- the questions


@dataclass(frozen=True)
class Question:
    key: str  # HouseholdScreening column
    kind: str  # bool / int / money / choice / text
    enum: str | None = None  # enumeration name for kind "choice"
    applies: Callable[[ScreeningContext, Mapping[str, Any]], bool] = _always
    suggest: Callable[[ScreeningContext], Suggestion | None] = _none
    depends_on: tuple[str, ...] = ()  # answers ``applies`` reads
    who: str = ""  # who answers, in Chinese, when not every household
    required: bool = False


def _q(key: str, kind: str = "bool", **kw: Any) -> Question:
    return Question(key, kind, **kw)


_TYPE = ("household_type",)

QUESTIONS: tuple[Question, ...] = (
    _q("household_size", "int", suggest=_s_size, required=True),
    _q("household_type", "choice", enum="household_types", suggest=_s_type, required=True),
    _q("method", "choice", enum="screening_methods", required=True),
    _q("per_capita_income", "money", suggest=_s_income),
    _q("above_threshold", suggest=_s_above),
    _q("rigid_or_income_drop", suggest=_s_rigid),
    _q("housing_safe", suggest=_s_risk_flag(HOUSING_RISK, "住房出现安全问题")),
    _q("medical_secured", suggest=_s_medical),
    _q("education_secured", suggest=_s_education),
    _q("water_safe", suggest=_s_risk_flag(WATER_RISK, "饮水安全问题")),
    _q("no_labour", suggest=_s_fact("no_labour_household", "没有普通劳动力或技能劳动力", "有劳动力")),
    _q("exited_2020", applies=_tuopin, depends_on=_TYPE, who="脱贫户", suggest=_s_exited_2020),
    _q("income_falling_3y", applies=_tuopin, depends_on=_TYPE, who="脱贫户", suggest=_s_falling),
    _q("is_dibao", suggest=_s_fact("any_dibao", "有成员登记为低保", "无成员登记为低保")),
    _q("dibao_new_2y"),
    _q("is_tekun_dispersed", suggest=_s_fact("any_tekun", "有成员登记为特困供养", "无成员登记为特困供养")),
    _q("single_person", suggest=_s_fact("single_person", "家庭成员1人", "家庭成员多于1人")),
    _q("disabled_family", suggest=_s_fact("has_disabled", "有残疾成员", "无残疾成员")),
    _q(
        "newly_disabled",
        applies=_not_false("disabled_family"),
        depends_on=("disabled_family",),
        who="残疾人家庭",
    ),
    _q(
        "severe_disabled",
        applies=_not_false("disabled_family"),
        depends_on=("disabled_family",),
        who="残疾人家庭",
        suggest=_s_fact("has_severe_disability", "有一、二级残疾成员", "无一、二级残疾成员"),
    ),
    _q(
        "many_minor_children",
        suggest=_s_fact(
            "many_minors",
            f"未成年成员{facts_mod.MANY_MINORS}人及以上",
            f"未成年成员少于{facts_mod.MANY_MINORS}人",
        ),
    ),
    _q(
        "many_noncompulsory_students",
        suggest=_s_fact(
            "many_noncompulsory_students",
            f"非义务教育阶段在读{facts_mod.MANY_NONCOMPULSORY}人及以上",
            f"非义务教育阶段在读少于{facts_mod.MANY_NONCOMPULSORY}人",
        ),
    ),
    _q(
        "elderly_alone",
        suggest=_s_fact(
            "elderly_alone",
            f"成员均为{facts_mod.ELDERLY_AGE}岁及以上",
            f"有{facts_mod.ELDERLY_AGE}岁以下成员",
        ),
    ),
    _q(
        "children_can_support",
        applies=_not_false("elderly_alone"),
        depends_on=("elderly_alone",),
        who="分户独居老人户",
    ),
    _q(
        "children_do_support",
        applies=_not_false("elderly_alone"),
        depends_on=("elderly_alone",),
        who="分户独居老人户",
    ),
    _q("migrant_income_unstable", suggest=_s_migrant),
    _q("sudden_hardship", suggest=_s_hardship),
    _q("practical_difficulties"),
    _q("covid_impact"),
    _q(
        "risk_eliminated_marked",
        applies=_monitored_ever,
        depends_on=_TYPE,
        who="监测对象",
        suggest=_s_eliminated,
    ),
    _q(
        "income_stable_half_year",
        applies=_eliminated_followup,
        depends_on=(*_TYPE, "risk_eliminated_marked"),
        who="已消除风险监测对象",
    ),
    _q(
        "risk_stably_eliminated",
        applies=_eliminated_followup,
        depends_on=(*_TYPE, "risk_eliminated_marked"),
        who="已消除风险监测对象",
    ),
    _q(
        "measures_in_place",
        applies=_tuopin_or_monitored,
        depends_on=_TYPE,
        who="脱贫户和监测对象",
        suggest=_s_measures,
    ),
    _q("measures_targeted", applies=_tuopin_or_monitored, depends_on=_TYPE, who="脱贫户和监测对象"),
    _q("one_off_payment", applies=_tuopin_or_monitored, depends_on=_TYPE, who="脱贫户和监测对象"),
    _q("over_assistance", applies=_tuopin_or_monitored, depends_on=_TYPE, who="脱贫户和监测对象"),
    _q("system_data_accurate", applies=_tuopin_or_monitored, depends_on=_TYPE, who="脱贫户、监测户"),
    _q(
        "should_monitor",
        applies=_not_monitoring_object,
        depends_on=_TYPE,
        who="非监测对象",
        suggest=_s_should_monitor,
    ),
    _q("difficulties", "text"),
    _q("remark", "text"),
)

BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}
BOOL_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS if q.kind == "bool")
ANSWER_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS)


def suggestions(ctx: ScreeningContext) -> dict[str, Suggestion]:
    """Every suggestion the data implies (questions without one are absent)."""
    out: dict[str, Suggestion] = {}
    for q in QUESTIONS:
        s = q.suggest(ctx)
        if s is not None:
            out[q.key] = s
    return out


def applicability(ctx: ScreeningContext, answers: Mapping[str, Any]) -> dict[str, bool]:
    return {q.key: bool(q.applies(ctx, answers)) for q in QUESTIONS}


def initial_answers(ctx: ScreeningContext) -> dict[str, Any]:
    """A fresh form: each question pre-filled with its suggestion, inapplicable ones empty."""
    answers: dict[str, Any] = {k: s.value for k, s in suggestions(ctx).items()}
    return clear_inapplicable(ctx, answers)[0]


def clear_inapplicable(ctx: ScreeningContext, answers: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Answers with questions that do not concern the household emptied; also the emptied keys.

    Applicability can depend on other answers, so this repeats until nothing changes.
    """
    current = dict(answers)
    cleared: list[str] = []
    while True:
        rules = applicability(ctx, current)
        changed = [k for k, ok in rules.items() if not ok and current.get(k) is not None]
        if not changed:
            return current, cleared
        for k in changed:
            current[k] = None
            cleared.append(k)


def overrides(
    suggested: Mapping[str, Suggestion], answers: Mapping[str, Any], applies: Mapping[str, bool]
) -> dict[str, Any]:
    """``{key: suggested value}`` for every applicable answer that differs from its suggestion."""
    out: dict[str, Any] = {}
    for key, s in suggested.items():
        if not applies.get(key, True):
            continue
        value = answers.get(key)
        if value is None or s.value is None:
            continue
        if not same(value, s.value):
            out[key] = json_value(s.value)
    return out


def same(a: Any, b: Any) -> bool:
    if (
        isinstance(a, (Decimal, int, float))
        and isinstance(b, (Decimal, int, float))
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        return Decimal(str(a)) == Decimal(str(b))
    return a == b


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def unanswered(ctx: ScreeningContext, answers: Mapping[str, Any]) -> list[str]:
    """Applicable yes/no and required questions still empty (the form warns before saving)."""
    rules = applicability(ctx, answers)
    return [
        q.key
        for q in QUESTIONS
        if rules[q.key] and (q.kind == "bool" or q.required) and answers.get(q.key) is None
    ]


def ordered(keys: Sequence[str]) -> list[str]:
    """``keys`` in paper order."""
    pos = {k: i for i, k in enumerate(ANSWER_KEYS)}
    return sorted(keys, key=lambda k: pos.get(k, len(pos)))
