"""家庭成员: relations, ages, labour, work, phone numbers and other member fields."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from fanpin_desktop.domain import facts, ids
from fanpin_desktop.domain.rules.base import (
    ERROR,
    G_MEMBERS,
    REMINDER,
    Finding,
    RuleContext,
    hit,
    rule,
    text,
)
from fanpin_desktop.domain.rules.data import HouseholdData, MemberData

HEAD = "户主"
SPOUSE = "配偶"
MALE_RELATIONS = frozenset({"之子", "之女婿", "之孙子", "之外孙子", "之父", "之岳父", "之公公", "之祖父"})
FEMALE_RELATIONS = frozenset({"之女", "之儿媳", "之孙女", "之外孙女", "之母", "之岳母", "之婆婆", "之祖母"})
YOUNGER_RELATIONS = frozenset(
    {"之子", "之女", "之儿媳", "之女婿", "之孙子", "之孙女", "之外孙子", "之外孙女"}
)
OLDER_RELATIONS = frozenset({"之父", "之母", "之岳父", "之岳母", "之公公", "之婆婆", "之祖父", "之祖母"})
ABLE = facts.ABLE_LABOUR
WEAK_OR_NONE = frozenset({"弱劳动力或半劳动力", "无劳动力", "丧失劳动力"})
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def who(h: HouseholdData, m: MemberData) -> str:
    return f"{h.label}成员{m.name}"


def birth_of(m: MemberData) -> dt.date | None:
    if m.birth_date:
        return m.birth_date
    try:
        return ids.parse(m.id_number).birth_date
    except ids.IdNumberError:
        return None


def age_of(m: MemberData, today: dt.date) -> int | None:
    b = birth_of(m)
    return ids.age_on(b, today) if b else None


def valid_phone(value: str) -> bool:
    v = value.replace(" ", "")
    return bool(MOBILE.match(v) or LANDLINE.match(v))


def health_parts(m: MemberData) -> tuple[str, ...]:
    return tuple(facts.health_parts(m.health))


@rule(code="FP-HH-001", title="家庭成员为空", group=G_MEMBERS, severity=ERROR)
def no_members(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    if not h.members:
        yield hit(h, f"{h.label}：没有家庭成员，请录入家庭成员或删除该户", 0)


@rule(code="FP-HH-002", title="没有户主", group=G_MEMBERS, severity=ERROR)
def no_head(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    relations = tuple(text(m.relation) for m in h.members)
    if h.members and HEAD not in relations:
        yield hit(h, f"{h.label}：没有与户主关系为“户主”的成员，请指定户主", relations)


@rule(code="FP-HH-003", title="户主多于一人", group=G_MEMBERS, severity=ERROR)
def many_heads(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    heads = [m for m in h.members if text(m.relation) == HEAD]
    if len(heads) > 1:
        names = "、".join(m.name for m in heads)
        yield hit(
            h,
            f"{h.label}：有{len(heads)}名户主（{names}），只能有一名，请改正其他人的与户主关系",
            tuple(m.id for m in heads),
        )


@rule(code="FP-HH-004", title="配偶多于一人", group=G_MEMBERS, severity=ERROR)
def many_spouses(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    spouses = [m for m in h.members if text(m.relation) == SPOUSE]
    if len(spouses) > 1:
        names = "、".join(m.name for m in spouses)
        yield hit(
            h,
            f"{h.label}：有{len(spouses)}名配偶（{names}），只能有一名，请改正与户主关系",
            tuple(m.id for m in spouses),
        )


@rule(code="2_12_008", title="与户主关系与性别矛盾", group=G_MEMBERS, severity=ERROR)
def relation_sex(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    head = h.head
    head_sex = text(head.sex) if head else ""
    for m in h.members:
        rel, sex = text(m.relation), text(m.sex)
        if not sex:
            continue
        expected = ""
        if rel in MALE_RELATIONS:
            expected = "男"
        elif rel in FEMALE_RELATIONS:
            expected = "女"
        if expected and sex != expected:
            yield hit(
                h,
                f"{who(h, m)}：与户主关系为“{rel}”，性别却为“{sex}”，请改正与户主关系或性别",
                rel,
                sex,
                member=m,
            )
        elif rel == SPOUSE and head_sex and sex == head_sex:
            yield hit(
                h,
                f"{who(h, m)}：配偶与户主{head.name}性别相同（{sex}），请改正与户主关系或性别",
                rel,
                sex,
                head_sex,
                member=m,
            )


@rule(code="FP-HH-005", title="晚辈年龄大于户主", group=G_MEMBERS, severity=ERROR)
def younger_older_than_head(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    head = h.head
    hb = birth_of(head) if head else None
    if hb is None:
        return
    for m in h.members:
        rel = text(m.relation)
        b = birth_of(m)
        if rel in YOUNGER_RELATIONS and b is not None and b <= hb:
            yield hit(
                h,
                f"{who(h, m)}：与户主关系为“{rel}”，出生日期{b.isoformat()}却不晚于户主{head.name}"
                f"（{hb.isoformat()}），请改正与户主关系或出生日期",
                rel,
                b,
                hb,
                member=m,
            )


@rule(code="FP-HH-006", title="长辈年龄小于户主", group=G_MEMBERS, severity=ERROR)
def older_younger_than_head(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    head = h.head
    hb = birth_of(head) if head else None
    if hb is None:
        return
    for m in h.members:
        rel = text(m.relation)
        b = birth_of(m)
        if rel in OLDER_RELATIONS and b is not None and b >= hb:
            yield hit(
                h,
                f"{who(h, m)}：与户主关系为“{rel}”，出生日期{b.isoformat()}却不早于户主{head.name}"
                f"（{hb.isoformat()}），请改正与户主关系或出生日期",
                rel,
                b,
                hb,
                member=m,
            )


@rule(code="FP-HH-007", title="出生日期缺失", group=G_MEMBERS, severity=ERROR)
def birth_missing(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        if birth_of(m) is None:
            yield hit(
                h,
                f"{who(h, m)}：出生日期为空且无法从证件号码得出，请补录出生日期",
                m.birth_date,
                m.id_number,
                member=m,
            )


@rule(code="FP-HH-008", title="户联系电话格式错误", group=G_MEMBERS, severity=ERROR)
def household_phone(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    phone = text(h.phone)
    if phone and not valid_phone(phone):
        yield hit(h, f"{h.label}：联系电话“{phone}”不是11位手机号码或固定电话，请改正", phone)


@rule(code="FP-HH-009", title="成员联系电话格式错误", group=G_MEMBERS, severity=ERROR)
def member_phone(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        phone = text(m.phone)
        if phone and not valid_phone(phone):
            yield hit(
                h,
                f"{who(h, m)}：联系电话“{phone}”不是11位手机号码或固定电话，请改正",
                phone,
                member=m,
            )


@rule(code="FP-HH-010", title="户无联系电话", group=G_MEMBERS, severity=REMINDER)
def no_phone(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    if h.members and not text(h.phone) and not any(text(m.phone) for m in h.members):
        yield hit(h, f"{h.label}：户和成员都没有联系电话，请补录至少一个联系电话", "")


@rule(code="FP-LB-001", title="16至60岁健康非在校生登记为无劳动力或弱劳动力", group=G_MEMBERS, severity=ERROR)
def working_age_no_labour(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        skill = text(m.labour_skill)
        if skill not in WEAK_OR_NONE or text(m.schooling):
            continue
        age = age_of(m, ctx.today)
        if age is None or not 16 <= age <= 60:
            continue
        health = health_parts(m)
        if health == ("健康",) and not text(m.disability_category):
            yield hit(
                h,
                f"{who(h, m)}：{age}岁、身体健康、不在校，劳动技能却为“{skill}”，"
                "请核实后改为普通劳动力或技能劳动力，或改正健康状况",
                skill,
                m.birth_date,
                m.health,
                m.schooling,
                member=m,
            )


@rule(code="FP-LB-002", title="未满16岁登记为劳动力", group=G_MEMBERS, severity=ERROR)
def child_labour(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        skill = text(m.labour_skill)
        age = age_of(m, ctx.today)
        if skill in ABLE and age is not None and age < 16:
            yield hit(
                h,
                f"{who(h, m)}：未满16岁（{age}岁），劳动技能却为“{skill}”，请改为无劳动力",
                skill,
                birth_of(m),
                member=m,
            )


@rule(code="FP-LB-003", title="65岁以上登记为普通或技能劳动力", group=G_MEMBERS, severity=REMINDER)
def elderly_labour(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        skill = text(m.labour_skill)
        age = age_of(m, ctx.today)
        if skill in ABLE and age is not None and age > 65:
            yield hit(
                h,
                f"{who(h, m)}：已{age}岁，劳动技能为“{skill}”，请核实，一般应为弱劳动力或半劳动力",
                skill,
                birth_of(m),
                member=m,
            )


@rule(code="FP-LB-004", title="劳动技能为空", group=G_MEMBERS, severity=ERROR)
def labour_missing(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        if not text(m.labour_skill):
            yield hit(h, f"{who(h, m)}：劳动技能为空，请补录", "", member=m)


@rule(code="FP-LB-005", title="务工状况与务工时间不一致", group=G_MEMBERS, severity=ERROR)
def work_months(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        status, months = text(m.work_status), m.work_months
        problem = ""
        if status and not months:
            problem = "已填写务工状况，务工时间（月）却为空，请补录务工时间"
        elif months and not status:
            problem = "已填写务工时间（月），务工状况却为空，请补录务工状况或清空务工时间"
        elif months and not 1 <= months <= 12:
            problem = f"务工时间（月）为{months}，应为1到12，请改正"
        if problem:
            yield hit(h, f"{who(h, m)}：{problem}", status, months, member=m)


@rule(code="FP-LB-006", title="无劳动能力却登记务工", group=G_MEMBERS, severity=REMINDER)
def work_without_labour(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        skill = text(m.labour_skill)
        if text(m.work_status) and skill in {"无劳动力", "丧失劳动力"}:
            yield hit(
                h,
                f"{who(h, m)}：劳动技能为“{skill}”，却登记了务工状况“{text(m.work_status)}”，"
                "请核实劳动技能或务工信息",
                skill,
                m.work_status,
                member=m,
            )


@rule(code="FP-HH-011", title="残疾信息不完整", group=G_MEMBERS, severity=ERROR)
def disability_fields(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        disabled = "残疾" in health_parts(m)
        cat, grade = text(m.disability_category), text(m.disability_grade)
        problem = ""
        if disabled and not (cat and grade):
            problem = "健康状况为残疾，残疾类别或残疾等级为空，请补录"
        elif (cat or grade) and not disabled:
            problem = "填写了残疾类别或等级，健康状况中却没有“残疾”，请改正健康状况"
        if problem:
            yield hit(h, f"{who(h, m)}：{problem}", m.health, cat, grade, member=m)


@rule(code="FP-HH-012", title="文化程度与在校生状况填写冲突", group=G_MEMBERS, severity=ERROR)
def education_schooling(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        edu, school = text(m.education), text(m.schooling)
        if edu and school:
            problem = "文化程度和在校生状况只能填一项：在校生填写在校生状况，其他人填写文化程度"
        elif not edu and not school:
            problem = "文化程度和在校生状况都为空，请填写其中一项"
        else:
            continue
        yield hit(h, f"{who(h, m)}：{problem}", edu, school, member=m)


@rule(code="FP-HH-013", title="健康状况为空", group=G_MEMBERS, severity=ERROR)
def health_missing(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        if not text(m.health):
            yield hit(h, f"{who(h, m)}：健康状况为空，请补录", "", member=m)
