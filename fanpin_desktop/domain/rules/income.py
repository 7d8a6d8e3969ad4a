"""收入: income record arithmetic and plausibility, per-capita income against the threshold."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache

from fanpin_desktop.domain import income as income_math
from fanpin_desktop.domain.rules.base import (
    ERROR,
    G_INCOME,
    IN_PROCEDURE,
    REMINDER,
    Finding,
    RuleContext,
    hit,
    is_monitored,
    rule,
    text,
)
from fanpin_desktop.domain.rules.data import HouseholdData, IncomeData

AMOUNTS = {
    "wage": "工资性收入",
    "business": "生产经营性收入",
    "property_income": "财产性收入",
    "transfer": "转移性收入",
    "business_cost": "生产经营性支出",
    "claims_income": "理赔收入",
    "rigid_spending": "合规自付支出",
}
TOLERANCE = Decimal("1")  # 元: rounding differences between systems


def people_of(h: HouseholdData, inc: IncomeData) -> int:
    return inc.people_count if inc.people_count else len(h.members)


def totals(h: HouseholdData, inc: IncomeData) -> income_math.IncomeTotals:
    return _totals(inc, people_of(h, inc))


@lru_cache(maxsize=1024)
def _totals(inc: IncomeData, people: int) -> income_math.IncomeTotals:
    return income_math.totals(
        inc.wage, inc.business, inc.property_income, inc.transfer, inc.business_cost, people
    )


def per_capita(h: HouseholdData) -> tuple[Decimal | None, int | None]:
    """人均纯收入 and its year, chosen as everywhere else (``domain.income.use_local_income``)."""
    local_pc = totals(h, h.income).per_capita if h.income is not None else None
    local_year = h.income.year if h.income is not None else None
    if income_math.use_local_income(
        local_year, local_pc, h.national_income_year, h.national_per_capita_income
    ):
        return (local_pc, local_year) if local_pc is not None else (None, None)
    return h.national_per_capita_income, h.national_income_year


def _amounts(inc: IncomeData) -> tuple:
    return tuple(getattr(inc, f) for f in AMOUNTS)


@rule(code="FP-SR-001", title="收支金额为负数", group=G_INCOME, severity=ERROR)
def negative_amounts(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    inc = h.income
    if inc is None:
        return
    bad = [label for f, label in AMOUNTS.items() if (getattr(inc, f) or 0) < 0]
    if bad:
        yield hit(
            h,
            f"{h.label}{inc.year}年收支情况：{'、'.join(bad)}为负数，金额不能为负，请改正",
            inc.year,
            _amounts(inc),
        )


@rule(code="FP-SR-002", title="人均纯收入与国家系统不一致", group=G_INCOME, severity=REMINDER)
def national_mismatch(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    inc, nat = h.income, h.national_per_capita_income
    if inc is None or nat is None or h.national_income_year != inc.year:
        return
    pc = totals(h, inc).per_capita
    if pc is not None and abs(pc - nat) > TOLERANCE:
        yield hit(
            h,
            f"{h.label}{inc.year}年人均纯收入：按收支情况计算为{pc}元（家庭纯收入÷{people_of(h, inc)}人），"
            f"国家系统为{nat}元，请核对收支金额和家庭人口数",
            inc.year,
            _amounts(inc),
            people_of(h, inc),
            nat,
        )


@rule(code="FP-SR-003", title="收支情况的家庭人口数与成员数不一致", group=G_INCOME, severity=REMINDER)
def people_count(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    inc = h.income
    if inc is None or not inc.people_count or inc.people_count == len(h.members):
        return
    yield hit(
        h,
        f"{h.label}{inc.year}年收支情况：家庭人口数为{inc.people_count}人，现有家庭成员{len(h.members)}人，"
        "请核实人口变化后改正家庭人口数",
        inc.year,
        inc.people_count,
        len(h.members),
    )


@rule(code="FP-SR-004", title="监测对象没有人均纯收入", group=G_INCOME, severity=ERROR)
def monitored_without_income(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    if not is_monitored(h):
        return
    pc, _year = per_capita(h)
    if pc is None:
        yield hit(h, f"{h.label}：是监测对象，却没有收支情况和人均纯收入，请录入收支情况", "")


@rule(code="FP-SR-005", title="家庭纯收入为负数", group=G_INCOME, severity=REMINDER)
def negative_net(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    inc = h.income
    if inc is None:
        return
    t = totals(h, inc)
    if t.net < 0:
        yield hit(
            h,
            f"{h.label}{inc.year}年收支情况：家庭纯收入为{t.net}元（四项收入{t.gross}元−生产经营性支出"
            f"{inc.business_cost}元），请核实生产经营性支出",
            inc.year,
            _amounts(inc),
        )


@rule(code="FP-SR-006", title="有务工成员但工资性收入为0", group=G_INCOME, severity=REMINDER)
def workers_without_wage(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    inc = h.income
    if inc is None or (inc.wage or 0) > 0:
        return
    workers = [m for m in h.members if text(m.work_status) and m.work_months]
    if workers:
        names = "、".join(m.name for m in workers)
        yield hit(
            h,
            f"{h.label}{inc.year}年收支情况：{names}登记了务工，工资性收入却为0，请核实后补录工资性收入",
            inc.year,
            inc.wage,
            tuple((m.id, m.work_status, m.work_months) for m in workers),
        )


@rule(code="FP-SR-007", title="监测对象收入信息过期", group=G_INCOME, severity=REMINDER)
def income_out_of_date(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    if not is_monitored(h):
        return
    _pc, year = per_capita(h)
    if year is not None and year < ctx.today.year - 1:
        yield hit(
            h,
            f"{h.label}：最近的收入信息是{year}年的，请录入{ctx.today.year - 1}年或本年的收支情况",
            year,
            ctx.today.year,
        )


@rule(code="FP-SR-008", title="人均纯收入低于监测范围却未纳入监测", group=G_INCOME, severity=REMINDER)
def below_threshold_not_monitored(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    if h.threshold is None or any(
        c.status in IN_PROCEDURE or c.status in {"已纳入", "消除中"} for c in h.cases
    ):
        return
    pc, year = per_capita(h)
    if pc is not None and pc < h.threshold:
        yield hit(
            h,
            f"{h.label}：{year}年人均纯收入{pc}元低于监测范围{h.threshold}元，尚未纳入监测，"
            "请入户核实，符合条件的按程序识别纳入",
            year,
            pc,
            h.threshold,
        )
