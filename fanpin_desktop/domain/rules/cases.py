"""监测对象: the monitoring case itself — category, risks, contacts, visits, reviews, deadlines."""

from __future__ import annotations

from collections.abc import Iterator

from fanpin_desktop.domain.rules.base import (
    ERROR,
    G_CASES,
    IN_PROCEDURE,
    MONITORED,
    REMINDER,
    Finding,
    RuleContext,
    case_label,
    hit,
    labour_members,
    monitored_cases,
    rule,
    text,
)
from fanpin_desktop.domain.rules.data import HouseholdData
from fanpin_desktop.domain.rules.members import valid_phone

MAX_RISKS = 5
LABOUR_SHORTAGE = "缺劳动力"
UNSTABLE_WORK = "因务工就业不稳"
DISASTER = "因自然灾害"
POOR = "脱贫户"


@rule(code="FP-JC-001", title="监测对象没有监测类型", group=G_CASES, severity=ERROR)
def no_category(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in monitored_cases(h):
        if not text(c.category):
            yield hit(
                h,
                f"{case_label(h, c)}：监测类型为空，请选择脱贫不稳定户、边缘易致贫户或突发严重困难户",
                "",
                case=c,
            )


@rule(code="FP-JC-002", title="监测对象没有风险类型", group=G_CASES, severity=ERROR)
def no_risk(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in monitored_cases(h):
        if not c.risks:
            yield hit(h, f"{case_label(h, c)}：没有登记致贫（返贫）风险，请补录风险类型", (), case=c)


@rule(code="FP-JC-003", title="监测类型与户类型不符", group=G_CASES, severity=ERROR)
def category_vs_household_type(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    htype = text(h.household_type)
    # a 脱贫户 that became 监测户 in the 户类型 column still has its 脱贫年度
    poor = htype == POOR or h.poverty_exit_year is not None
    for c in monitored_cases(h):
        cat = text(c.category)
        if cat == "脱贫不稳定户" and not poor:
            problem = f"监测类型为脱贫不稳定户，户类型却为“{htype or '空'}”且没有脱贫年度（只有脱贫户可以是脱贫不稳定户）"
        elif cat == "边缘易致贫户" and poor:
            problem = "本户是脱贫户，监测类型却为边缘易致贫户（脱贫户应为脱贫不稳定户）"
        else:
            continue
        yield hit(
            h,
            f"{case_label(h, c)}：{problem}，请改正监测类型或户类型",
            cat,
            htype,
            h.poverty_exit_year,
            case=c,
        )


@rule(code="FP-JC-004", title="风险类型超过五项", group=G_CASES, severity=ERROR)
def too_many_risks(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in h.cases:
        if len(c.risks) > MAX_RISKS:
            yield hit(
                h,
                f"{case_label(h, c)}：登记了{len(c.risks)}项风险，最多五项，请保留最主要的五项",
                c.risk_types,
                case=c,
            )


@rule(code="FP-JC-005", title="线索超过15天未完成识别", group=G_CASES, severity=REMINDER)
def identification_overdue(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in h.cases:
        if c.status in IN_PROCEDURE and c.clue_date and (ctx.today - c.clue_date).days > ctx.identify_days:
            yield hit(
                h,
                f"{h.label}{c.clue_date.isoformat()}的监测线索：已{(ctx.today - c.clue_date).days}天仍为"
                f"“{c.status}”，应在{ctx.identify_days}天内完成识别，请尽快办理或登记不纳入",
                c.status,
                c.clue_date,
                case=c,
            )


@rule(code="FP-JC-006", title="监测对象没有帮扶联系人", group=G_CASES, severity=ERROR)
def no_contact(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in monitored_cases(h):
        if not any(text(p.name) for p in c.contacts):
            yield hit(h, f"{case_label(h, c)}：没有帮扶联系人，请落实并登记帮扶联系人", (), case=c)


@rule(code="FP-JC-007", title="超过一个月未走访", group=G_CASES, severity=REMINDER)
def visit_overdue(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in monitored_cases(h):
        visited = max(c.visits, default=None)
        last = max(d for d in (visited, c.identified_on) if d) if (visited or c.identified_on) else None
        if last is not None and (ctx.today - last).days > ctx.visit_days:
            since = (
                f"最近一次走访是{last.isoformat()}"
                if last == visited
                else f"识别后（{last.isoformat()}）未走访"
            )
            yield hit(
                h,
                f"{case_label(h, c)}：{since}，已超过一个月，请走访并登记走访记录",
                last,
                case=c,
            )


@rule(code="FP-JC-008", title="超过一个季度未复核", group=G_CASES, severity=REMINDER)
def review_overdue(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in monitored_cases(h):
        last = c.reviewed_on or c.identified_on
        if last is not None and (ctx.today - last).days > ctx.review_days:
            yield hit(
                h,
                f"{case_label(h, c)}：上次复核（或识别）是{last.isoformat()}，已超过一个季度，请开展季度复核",
                last,
                case=c,
            )


@rule(code="FP-JC-009", title="户类型为监测户却没有监测记录", group=G_CASES, severity=REMINDER)
def type_without_case(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    if text(h.household_type) == "监测户" and not any(c.status in MONITORED | {"已消除"} for c in h.cases):
        yield hit(
            h,
            f"{h.label}：户类型为监测户，却没有已纳入的监测记录，请补录监测记录或改正户类型",
            h.household_type,
            tuple((c.id, c.status) for c in h.cases),
        )


@rule(code="FP-JC-010", title="同时有两条未结束的监测记录", group=G_CASES, severity=ERROR)
def two_open_cases(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    open_ = [c for c in h.cases if c.status in MONITORED | IN_PROCEDURE]
    if len(open_) > 1:
        yield hit(
            h,
            f"{h.label}：同时有{len(open_)}条未结束的监测记录（{'、'.join(c.status for c in open_)}），"
            "请合并或结束多余的记录",
            tuple((c.id, c.status) for c in open_),
        )


@rule(code="FP-JC-011", title="已纳入却没有识别监测时间", group=G_CASES, severity=ERROR)
def no_identified_date(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in h.cases:
        if c.status in MONITORED | {"已消除"} and c.identified_on is None:
            yield hit(
                h, f"{case_label(h, c)}：状态为“{c.status}”，识别监测时间却为空，请补录", c.status, case=c
            )


@rule(code="FP-JC-012", title="因自然灾害未填写灾害类型", group=G_CASES, severity=REMINDER)
def disaster_subtype(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in monitored_cases(h):
        for r in c.risks:
            if r.risk_type == DISASTER and not text(r.subtype):
                yield hit(
                    h,
                    f"{case_label(h, c)}：风险“因自然灾害”未填写灾害类型（洪涝、地质、旱灾等），请补录",
                    r.risk_type,
                    r.subtype,
                    case=c,
                )


@rule(code="4_11_009", title="风险为缺劳动力但家庭成员均有劳动能力", group=G_CASES, severity=ERROR)
def labour_shortage_but_all_work(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    able = labour_members(h)
    if not h.members or len(able) < len(h.members):
        return
    for c in monitored_cases(h):
        if LABOUR_SHORTAGE in c.risk_types:
            yield hit(
                h,
                f"{case_label(h, c)}：风险为缺劳动力，家庭成员却都是普通或技能劳动力，请改正风险类型或成员劳动技能",
                c.risk_types,
                tuple((m.id, m.labour_skill) for m in h.members),
                case=c,
            )


@rule(code="FP-JC-013", title="风险为务工就业不稳但无劳动力或无务工信息", group=G_CASES, severity=ERROR)
def unstable_work_without_workers(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    able = labour_members(h)
    workers = [m for m in h.members if text(m.work_status)]
    if able and workers:
        return
    why = "家中没有普通或技能劳动力" if not able else "没有成员登记务工信息"
    for c in monitored_cases(h):
        if UNSTABLE_WORK in c.risk_types:
            yield hit(
                h,
                f"{case_label(h, c)}：风险为因务工就业不稳，{why}，请改正风险类型或补录成员劳动技能、务工信息",
                c.risk_types,
                tuple((m.id, m.labour_skill, m.work_status) for m in h.members),
                case=c,
            )


@rule(code="FP-JC-014", title="风险类型重复", group=G_CASES, severity=REMINDER)
def duplicate_risks(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in h.cases:
        types = c.risk_types
        dup = sorted({t for t in types if types.count(t) > 1})
        if dup:
            yield hit(h, f"{case_label(h, c)}：风险“{'、'.join(dup)}”登记了多次，请删除重复项", types, case=c)


@rule(code="FP-JC-015", title="帮扶联系人电话格式错误", group=G_CASES, severity=ERROR)
def contact_phone(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for c in monitored_cases(h):
        for p in c.contacts:
            phone = text(p.phone)
            if phone and not valid_phone(phone):
                yield hit(
                    h,
                    f"{case_label(h, c)}：帮扶联系人{p.name}的电话“{phone}”不是11位手机号码或固定电话，请改正",
                    p.name,
                    phone,
                    case=c,
                )
