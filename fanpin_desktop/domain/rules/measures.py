"""帮扶措施: measures for every identified case, matched to its risks and to the household's labour."""

from __future__ import annotations

from collections.abc import Iterator

from fanpin_desktop.domain.rules.base import (
    ERROR,
    G_MEASURES,
    REMINDER,
    Finding,
    RuleContext,
    add_months,
    case_label,
    helped_cases,
    hit,
    labour_members,
    monitored_cases,
    rule,
)
from fanpin_desktop.domain.rules.data import HouseholdData

DEVELOPMENT = frozenset({"产业帮扶", "就业帮扶", "金融帮扶", "公益岗位帮扶"})
WELFARE = "综合保障"


def _risk_needs(h: HouseholdData, risk: str, wanted: frozenset[str], measure_name: str) -> Iterator[Finding]:
    for c in helped_cases(h):
        if risk in c.risk_types and not (c.measure_categories & wanted):
            yield hit(
                h,
                f"{case_label(h, c)}：风险为“{risk}”，却没有{measure_name}措施，请补录相应帮扶措施",
                c.risk_types,
                c.measure_categories,
                case=c,
            )


def is_development(category: str, flagged: bool) -> bool:
    return flagged or category in DEVELOPMENT


@rule(code="FP-CS-001", title="识别一个月后仍无帮扶措施", group=G_MEASURES, severity=ERROR)
def no_measure_after_month(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in monitored_cases(h):
        if c.identified_on and not c.measures and add_months(c.identified_on, 1) < ctx.today:
            yield hit(
                h,
                f"{case_label(h, c)}：识别已超过一个月，仍没有帮扶措施，请制定并登记帮扶措施",
                c.identified_on,
                0,
                case=c,
            )


@rule(code="FP-CS-002", title="因病却无健康帮扶措施", group=G_MEASURES, severity=ERROR)
def illness_health(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    yield from _risk_needs(h, "因病", frozenset({"健康帮扶"}), "健康帮扶")


@rule(code="FP-CS-003", title="因学却无教育帮扶措施", group=G_MEASURES, severity=ERROR)
def school_education(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    yield from _risk_needs(
        h, "因学", frozenset({"义务教育保障", "其他教育帮扶"}), "义务教育保障或其他教育帮扶"
    )


@rule(code="FP-CS-004", title="因残却无相应帮扶措施", group=G_MEASURES, severity=REMINDER)
def disability_support(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    yield from _risk_needs(
        h,
        "因残",
        frozenset({"综合保障", "健康帮扶", "公益岗位帮扶", "就业帮扶", "社会帮扶"}),
        "综合保障、健康帮扶、公益岗位帮扶等",
    )


@rule(code="FP-CS-005", title="因务工就业不稳却无就业帮扶措施", group=G_MEASURES, severity=ERROR)
def unstable_work_employment(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    yield from _risk_needs(
        h, "因务工就业不稳", frozenset({"就业帮扶", "公益岗位帮扶"}), "就业帮扶或公益岗位帮扶"
    )


@rule(code="FP-CS-006", title="因产业项目失败却无产业或金融帮扶措施", group=G_MEASURES, severity=REMINDER)
def failed_business(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    yield from _risk_needs(h, "因产业项目失败", frozenset({"产业帮扶", "金融帮扶"}), "产业帮扶或金融帮扶")


@rule(code="5_11_032", title="有劳动力的户仅有综合保障措施", group=G_MEASURES, severity=ERROR)
def welfare_only_with_labour(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    able = labour_members(h)
    if not able:
        return
    for c in helped_cases(h):
        if c.measures and c.measure_categories == {WELFARE}:
            yield hit(
                h,
                f"{case_label(h, c)}：家中有劳动力（{'、'.join(m.name for m in able)}），帮扶措施却只有综合保障，"
                "请落实产业、就业等开发式帮扶措施",
                c.measure_categories,
                len(able),
                case=c,
            )


@rule(code="FP-CS-007", title="有劳动力却无开发式帮扶措施", group=G_MEASURES, severity=REMINDER)
def labour_without_development(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    able = labour_members(h)
    if not able:
        return
    for c in monitored_cases(h):
        cats = c.measure_categories
        if (
            c.measures
            and cats != {WELFARE}
            and not any(is_development(m.category, m.is_development) for m in c.measures)
        ):
            yield hit(
                h,
                f"{case_label(h, c)}：家中有{len(able)}名劳动力，却没有开发式帮扶措施，请优先落实产业、就业等开发式帮扶",
                cats,
                tuple(m.is_development for m in c.measures),
                len(able),
                case=c,
            )


@rule(code="FP-CS-008", title="帮扶措施没有开始时间", group=G_MEASURES, severity=REMINDER)
def measure_without_start(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in helped_cases(h):
        missing = [m for m in c.measures if m.start_date is None]
        if missing:
            yield hit(
                h,
                f"{case_label(h, c)}：{len(missing)}项帮扶措施（{'、'.join(m.category for m in missing)}）"
                "没有开始时间，请补录",
                tuple(m.id for m in missing),
                case=c,
            )


@rule(code="FP-CS-009", title="帮扶措施的对象不是本户成员", group=G_MEASURES, severity=ERROR)
def measure_member_not_in_household(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    ids_ = {m.id for m in h.members}
    for c in h.cases:
        stray = [m for m in c.measures if m.member_id is not None and m.member_id not in ids_]
        if stray:
            yield hit(
                h,
                f"{case_label(h, c)}：{len(stray)}项帮扶措施（{'、'.join(m.category for m in stray)}）"
                "落实到的人已不是本户成员，请改正措施对象",
                tuple((m.id, m.member_id) for m in stray),
                case=c,
            )
