"""风险消除: eliminations — how soon, with which measures, with what income, for which households."""

from __future__ import annotations

from collections.abc import Iterator

from fanpin_desktop.domain.rules.base import (
    ERROR,
    G_ELIMINATION,
    NATURAL,
    REMINDER,
    Finding,
    RuleContext,
    add_months,
    case_label,
    eliminated_cases,
    hit,
    labour_members,
    months_between,
    rule,
    text,
)
from fanpin_desktop.domain.rules.data import HouseholdData
from fanpin_desktop.domain.rules.income import per_capita
from fanpin_desktop.domain.rules.measures import is_development

HELPED_OUT = "帮扶消除"


def _helped_out(mode: str | None) -> bool:
    return text(mode) != NATURAL


@rule(code="2_11_002", title="识别不满六个月即消除风险", group=G_ELIMINATION, severity=ERROR)
def eliminated_within_six_months(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in eliminated_cases(h):
        i, e = c.identified_on, c.eliminated_on
        if i and e and _helped_out(c.elimination_mode) and e < add_months(i, ctx.min_monitor_months):
            yield hit(
                h,
                f"{case_label(h, c)}：{e.isoformat()}消除风险，监测帮扶不满六个月（帮扶消除至少六个月），"
                "请核实风险消除时间或回退",
                i,
                e,
                c.elimination_mode,
                case=c,
            )


@rule(code="FP-XC-001", title="识别当月或次月即消除风险", group=G_ELIMINATION, severity=ERROR)
def eliminated_same_or_next_month(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in eliminated_cases(h):
        i, e = c.identified_on, c.eliminated_on
        if i and e and _helped_out(c.elimination_mode) and 0 <= months_between(i, e) <= 1:
            yield hit(
                h,
                f"{case_label(h, c)}：识别当月或次月（{e.strftime('%Y%m')}）即消除风险，且不是自然消除，"
                "请核实识别监测时间、风险消除时间和消除方式",
                i,
                e,
                c.elimination_mode,
                case=c,
            )


@rule(code="4_11_010", title="消除风险时人均纯收入低于监测范围", group=G_ELIMINATION, severity=ERROR)
def eliminated_below_threshold(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    if h.threshold is None:
        return
    pc, year = per_capita(h)
    if pc is None or pc >= h.threshold:
        return
    for c in eliminated_cases(h):
        if _helped_out(c.elimination_mode):
            yield hit(
                h,
                f"{case_label(h, c)}：已帮扶消除，{year}年人均纯收入{pc}元却低于监测范围{h.threshold}元，"
                "请核实收入；收入确未稳定超过监测范围的应回退",
                year,
                pc,
                h.threshold,
                c.elimination_mode,
                case=c,
            )


@rule(code="FP-XC-002", title="帮扶消除却没有帮扶措施", group=G_ELIMINATION, severity=ERROR)
def helped_out_without_measures(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in eliminated_cases(h):
        if text(c.elimination_mode) == HELPED_OUT and not c.measures:
            yield hit(
                h,
                f"{case_label(h, c)}：消除方式为帮扶消除，却没有任何帮扶措施，请补录措施或改正消除方式",
                c.elimination_mode,
                0,
                case=c,
            )


@rule(code="FP-XC-003", title="帮扶消除却没有开发式帮扶措施", group=G_ELIMINATION, severity=ERROR)
def helped_out_without_development(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in eliminated_cases(h):
        if (
            text(c.elimination_mode) == HELPED_OUT
            and c.measures
            and not any(is_development(m.category, m.is_development) for m in c.measures)
        ):
            yield hit(
                h,
                f"{case_label(h, c)}：帮扶消除，却没有产业、就业、金融、公益岗位等开发式帮扶措施，"
                "请补录开发式帮扶措施或核实消除依据",
                c.elimination_mode,
                c.measure_categories,
                tuple(m.is_development for m in c.measures),
                case=c,
            )


@rule(code="FP-XC-004", title="整户无劳动能力却已消除风险", group=G_ELIMINATION, severity=ERROR)
def no_labour_eliminated(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    if not h.members:
        return
    no_labour = not labour_members(h)
    for c in eliminated_cases(h):
        if (c.no_labour or no_labour) and _helped_out(c.elimination_mode):
            yield hit(
                h,
                f"{case_label(h, c)}：整户无劳动能力，落实社会保障措施后不应标注风险消除，应继续监测，请回退",
                c.no_labour,
                tuple(m.labour_skill for m in h.members),
                c.elimination_mode,
                case=c,
            )


@rule(code="FP-XC-005", title="已消除却没有消除时间或消除方式", group=G_ELIMINATION, severity=ERROR)
def eliminated_without_date_or_mode(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in eliminated_cases(h):
        missing = [
            n for n, v in (("风险消除时间", c.eliminated_on), ("消除方式", text(c.elimination_mode))) if not v
        ]
        if missing:
            yield hit(
                h,
                f"{case_label(h, c)}：已消除，{'和'.join(missing)}为空，请补录",
                c.eliminated_on,
                c.elimination_mode,
                case=c,
            )


@rule(code="FP-XC-006", title="风险消除时间早于识别监测时间", group=G_ELIMINATION, severity=ERROR)
def eliminated_before_identified(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in eliminated_cases(h):
        if c.identified_on and c.eliminated_on and c.eliminated_on < c.identified_on:
            yield hit(
                h,
                f"{case_label(h, c)}：风险消除时间{c.eliminated_on.isoformat()}早于识别监测时间，请改正日期",
                c.identified_on,
                c.eliminated_on,
                case=c,
            )


@rule(code="FP-XC-007", title="帮扶消除却没有收入信息", group=G_ELIMINATION, severity=REMINDER)
def helped_out_without_income(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    pc, _year = per_capita(h)
    if pc is not None:
        return
    for c in eliminated_cases(h):
        if _helped_out(c.elimination_mode):
            yield hit(
                h,
                f"{case_label(h, c)}：已帮扶消除，却没有收支情况，无法核实收入是否稳定超过监测范围，请录入收支情况",
                c.elimination_mode,
                case=c,
            )


@rule(code="FP-XC-008", title="风险消除时间晚于今天", group=G_ELIMINATION, severity=ERROR)
def eliminated_in_future(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in eliminated_cases(h):
        if c.eliminated_on and c.eliminated_on > ctx.today:
            yield hit(
                h,
                f"{case_label(h, c)}：风险消除时间{c.eliminated_on.isoformat()}晚于今天，请改正",
                c.eliminated_on,
                case=c,
            )
