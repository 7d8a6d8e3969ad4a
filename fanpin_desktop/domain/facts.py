"""Facts derived from a household's members, and the per-member / per-household checks.

Pure functions over plain values: a "member" is anything with the attribute names of
``models.Member`` (an ORM object, a dataclass, a ``SimpleNamespace``); missing attributes read as
empty. The screening form pre-fills its answers from :class:`HouseholdFacts` (DOMAIN.md §4), the
member editor shows :func:`validate_member`, and the data-quality rules reuse the same checks, so a
rule is written once.

Age is always computed on a given day (the screening date, a report date), never "now", so the
same data gives the same answers when a report is reprinted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from fanpin_desktop.domain import enums, ids

ERROR = "error"
WARNING = "warning"

HEAD = "户主"
SPOUSE = "配偶"
ABLE_LABOUR = frozenset({"普通劳动力", "技能劳动力"})
NOT_ABLE_LABOUR = frozenset({"弱劳动力或半劳动力", "丧失劳动力", "无劳动力"})
SEVERE_GRADES = frozenset({"一级", "二级"})
PRESCHOOL = "学前教育"

ADULT_AGE = 18
ELDERLY_AGE = 60
WORKING_AGE = (16, 60)  # the national checker's "16–60 healthy, not a student" rule
MANY_MINORS = 3  # 多未成年子女家庭: three or more minors
MANY_NONCOMPULSORY = 2  # 非义务教育阶段在读子女较多: two or more

_PHONE = re.compile(r"^1\d{10}$")
_HEALTH_SPLIT = re.compile(r"[、,，;；/\s]+")

FIELD_LABELS: dict[str, str] = {
    "name": "姓名",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "relation": "与户主关系",
    "sex": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "political_status": "政治面貌",
    "education": "文化程度",
    "schooling": "在校生状况",
    "health": "健康状况",
    "disability_category": "残疾类别",
    "disability_grade": "残疾等级",
    "disability_cert_no": "残疾人证号",
    "labour_skill": "劳动技能",
    "work_status": "务工状况",
    "work_place": "务工所在地",
    "work_months": "务工时间（月）",
    "public_post_type": "公益岗位",
    "public_post_months": "公益岗位月数",
    "ins_resident_medical": "城乡居民基本医疗保险",
    "ins_employee_medical": "职工基本医疗保险",
    "phone": "联系电话",
}

# member attribute -> enumeration name in resources/enums/<year>.json
ENUM_FIELDS: dict[str, str] = {
    "relation": "relations",
    "sex": "sexes",
    "ethnicity": "ethnicities",
    "political_status": "political_statuses",
    "education": "education",
    "schooling": "schooling",
    "labour_skill": "labour_skills",
    "work_status": "work_statuses",
    "public_post_type": "public_post_types",
    "disability_category": "disability_categories",
    "disability_grade": "disability_grades",
    "id_type": "id_types",
}

_ID_CHECKED_TYPES = frozenset({"居民身份证", "残疾人证"})


# --------------------------------------------------------------------------- issues


@dataclass(frozen=True)
class Issue:
    """One problem found in the data. ``field`` is the model attribute (for focusing a widget)."""

    code: str  # stable identifier, e.g. "M_EDU_SCHOOL"
    field: str
    message: str  # Chinese, names the field and the reason
    severity: str = ERROR  # ERROR | WARNING
    member: Any = field(default=None, compare=False)  # the member concerned; None = the household

    @property
    def member_name(self) -> str:
        return _text(getattr(self.member, "name", None)) if self.member is not None else ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def text(self) -> str:
        """The message prefixed with the member's name, for lists covering a whole household."""
        name = self.member_name
        return f"{name}：{self.message}" if name else self.message


# --------------------------------------------------------------------------- small readers


def _get(obj: Any, name: str) -> Any:
    return getattr(obj, name, None)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _filled(value: Any) -> bool:
    return _text(value) != ""


@lru_cache(maxsize=16)
def _vocab(year: int | None) -> dict[str, tuple[frozenset[str], dict[str, str]]]:
    """Per enumeration: (valid labels, aliases), cached because facts run over every member."""
    e = enums.for_year(year)
    return {k: (frozenset(v), e.aliases(k)) for k, v in e.data.items() if isinstance(v, list)}


def _canon(name: str, value: Any, year: int | None) -> str:
    text = _text(value)
    if not text:
        return ""
    labels, aliases = _vocab(year)[name]
    if text in labels:
        return text
    return aliases.get(text, text)


def health_parts(value: Any, year: int | None = None) -> list[str]:
    """``"长期慢性病、残疾"`` -> ``["长期慢性病", "残疾"]`` (aliases resolved, order kept)."""
    out: list[str] = []
    for part in _HEALTH_SPLIT.split(_text(value)):
        if part:
            label = _canon("health", part, year)
            if label not in out:
                out.append(label)
    return out


def birth_date_of(member: Any) -> dt.date | None:
    """The recorded birth date, else the one inside a valid ID number."""
    birth = _get(member, "birth_date")
    if isinstance(birth, dt.datetime):
        return birth.date()
    if isinstance(birth, dt.date):
        return birth
    number = _get(member, "id_number")
    if number:
        try:
            return ids.parse(number).birth_date
        except ids.IdNumberError:
            return None
    return None


def age_of(member: Any, today: dt.date) -> int | None:
    birth = birth_date_of(member)
    return ids.age_on(birth, today) if birth else None


def valid_phone(value: Any) -> bool:
    return bool(_PHONE.match(_text(value)))


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class MemberFacts:
    member: Any = field(compare=False, repr=False)
    name: str
    relation: str
    sex: str
    age: int | None
    is_head: bool
    is_minor: bool
    is_elderly: bool
    is_student: bool
    is_compulsory_student: bool
    is_noncompulsory_student: bool  # 高中、中职、高职、大专、本科、研究生 (not 学前教育)
    health: tuple[str, ...]
    is_healthy: bool
    has_chronic_illness: bool
    has_serious_illness: bool
    is_disabled: bool
    is_severely_disabled: bool  # 一级 / 二级
    can_work: bool  # 普通劳动力 / 技能劳动力
    labour_skill: str
    is_migrant_worker: bool
    dibao: bool
    tekun: bool


def member_facts(member: Any, today: dt.date) -> MemberFacts:
    year = today.year
    age = age_of(member, today)
    schooling = _canon("schooling", _get(member, "schooling"), year)
    compulsory = _vocab(year).get("compulsory_schooling", (frozenset(), {}))[0]
    health = tuple(health_parts(_get(member, "health"), year))
    labour = _canon("labour_skills", _get(member, "labour_skill"), year)
    relation = _canon("relations", _get(member, "relation"), year)
    disabled = "残疾" in health or _filled(_get(member, "disability_category"))
    grade = _canon("disability_grades", _get(member, "disability_grade"), year)
    return MemberFacts(
        member=member,
        name=_text(_get(member, "name")),
        relation=relation,
        sex=_text(_get(member, "sex")),
        age=age,
        is_head=relation == HEAD,
        is_minor=age is not None and age < ADULT_AGE,
        is_elderly=age is not None and age >= ELDERLY_AGE,
        is_student=bool(schooling),
        is_compulsory_student=schooling in compulsory,
        is_noncompulsory_student=bool(schooling) and schooling not in compulsory and schooling != PRESCHOOL,
        health=health,
        is_healthy=health == ("健康",),
        has_chronic_illness="长期慢性病" in health,
        has_serious_illness="患有大病" in health,
        is_disabled=disabled,
        is_severely_disabled=disabled and grade in SEVERE_GRADES,
        can_work=labour in ABLE_LABOUR,
        labour_skill=labour,
        is_migrant_worker=_filled(_get(member, "work_status")),
        dibao=bool(_get(member, "dibao")),
        tekun=bool(_get(member, "tekun")),
    )


@dataclass(frozen=True)
class HouseholdFacts:
    members: tuple[MemberFacts, ...]
    size: int
    head: MemberFacts | None
    labour_count: int
    no_labour_household: bool  # 整户无劳动能力: nobody with 普通劳动力/技能劳动力
    has_disabled: bool
    has_severe_disability: bool
    disabled_count: int
    has_serious_illness: bool
    has_chronic_illness: bool
    minors: int
    many_minors: bool
    students: int
    noncompulsory_students: int
    many_noncompulsory_students: bool
    single_person: bool
    elderly_count: int
    elderly_alone: bool  # every member (one or more) aged 60+: 分户独居老人户
    any_dibao: bool
    any_tekun: bool
    migrant_workers: int
    migrant_months: int

    @property
    def people(self) -> int:
        return self.size


def household_facts(members: Iterable[Any], today: dt.date) -> HouseholdFacts:
    facts = tuple(member_facts(m, today) for m in members)
    size = len(facts)
    ages_known = [f.age for f in facts if f.age is not None]
    labour = sum(f.can_work for f in facts)
    minors = sum(f.is_minor for f in facts)
    noncomp = sum(f.is_noncompulsory_student for f in facts)
    elderly = sum(f.is_elderly for f in facts)
    months = 0
    for f in facts:
        if f.is_migrant_worker:
            raw = _get(f.member, "work_months")
            months += raw if isinstance(raw, int) else 0
    return HouseholdFacts(
        members=facts,
        size=size,
        head=next((f for f in facts if f.is_head), None),
        labour_count=labour,
        no_labour_household=size > 0 and labour == 0,
        has_disabled=any(f.is_disabled for f in facts),
        has_severe_disability=any(f.is_severely_disabled for f in facts),
        disabled_count=sum(f.is_disabled for f in facts),
        has_serious_illness=any(f.has_serious_illness for f in facts),
        has_chronic_illness=any(f.has_chronic_illness for f in facts),
        minors=minors,
        many_minors=minors >= MANY_MINORS,
        students=sum(f.is_student for f in facts),
        noncompulsory_students=noncomp,
        many_noncompulsory_students=noncomp >= MANY_NONCOMPULSORY,
        single_person=size == 1,
        elderly_count=elderly,
        elderly_alone=size > 0 and len(ages_known) == size and elderly == size,
        any_dibao=any(f.dibao for f in facts),
        any_tekun=any(f.tekun for f in facts),
        migrant_workers=sum(f.is_migrant_worker for f in facts),
        migrant_months=months,
    )


# --------------------------------------------------------------------------- checks


def _issue(code: str, fld: str, message: str, severity: str = ERROR, member: Any = None) -> Issue:
    return Issue(code=code, field=fld, message=message, severity=severity, member=member)


def member_issues(member: Any, today: dt.date) -> list[Issue]:
    """Consistency between a member's own fields (the national checkers' member rules)."""
    out: list[Issue] = []
    year = today.year
    edu, school = _filled(_get(member, "education")), _filled(_get(member, "schooling"))
    if edu and school:
        out.append(
            _issue(
                "M_EDU_SCHOOL",
                "education",
                "文化程度和在校生状况只能填写一项：在校生填写在校生状况，其他人填写文化程度",
                member=member,
            )
        )
    elif not edu and not school:
        out.append(
            _issue(
                "M_EDU_SCHOOL",
                "education",
                "文化程度和在校生状况必须填写一项：在校生填写在校生状况，其他人填写文化程度",
                member=member,
            )
        )

    status, months = _filled(_get(member, "work_status")), _get(member, "work_months")
    has_months = months not in (None, "", 0)
    if status and not has_months:
        out.append(_issue("M_WORK", "work_months", "已填写务工状况，但务工时间（月）为空", member=member))
    elif has_months and not status:
        out.append(_issue("M_WORK", "work_status", "已填写务工时间（月），但务工状况为空", member=member))
    if has_months:
        try:
            n = int(months)
        except (TypeError, ValueError):
            n = -1
        if not 1 <= n <= 12:
            out.append(
                _issue(
                    "M_WORK_MONTHS",
                    "work_months",
                    f"务工时间（月）“{months}”应为1到12之间的整数",
                    member=member,
                )
            )

    phone = _text(_get(member, "phone"))
    if phone and not valid_phone(phone):
        out.append(_issue("M_PHONE", "phone", f"联系电话“{phone}”不是11位手机号码", member=member))

    resident, employee = (
        bool(_get(member, "ins_resident_medical")),
        bool(_get(member, "ins_employee_medical")),
    )
    if resident and employee:
        out.append(
            _issue(
                "M_MEDICAL",
                "ins_resident_medical",
                "城乡居民基本医疗保险和职工基本医疗保险不能同时参加",
                member=member,
            )
        )
    elif not resident and not employee:
        out.append(
            _issue(
                "M_MEDICAL",
                "ins_resident_medical",
                "城乡居民基本医疗保险和职工基本医疗保险都未参加，医疗保障可能存在问题",
                WARNING,
                member,
            )
        )

    health = health_parts(_get(member, "health"), year)
    disabled = "残疾" in health
    cat, grade = _filled(_get(member, "disability_category")), _filled(_get(member, "disability_grade"))
    if disabled and not (cat and grade):
        out.append(
            _issue(
                "M_DISABILITY",
                "disability_category" if not cat else "disability_grade",
                "健康状况含“残疾”时应填写残疾类别和残疾等级",
                member=member,
            )
        )
    elif (cat or grade) and not disabled:
        out.append(
            _issue("M_DISABILITY", "health", "已填写残疾类别或等级，但健康状况中没有“残疾”", member=member)
        )
    if "健康" in health and len(health) > 1:
        out.append(
            _issue(
                "M_HEALTH",
                "health",
                "健康状况不能同时为“健康”和“" + "、".join(h for h in health if h != "健康") + "”",
                member=member,
            )
        )

    age = age_of(member, today)
    labour = _canon("labour_skills", _get(member, "labour_skill"), year)
    if (
        age is not None
        and WORKING_AGE[0] <= age <= WORKING_AGE[1]
        and health == ["健康"]
        and not school
        and labour in NOT_ABLE_LABOUR
    ):
        out.append(
            _issue(
                "M_LABOUR_AGE",
                "labour_skill",
                f"{age}岁、身体健康且不在校，劳动技能却登记为“{labour}”，请核实",
                WARNING,
                member,
            )
        )
    if age is not None and age < WORKING_AGE[0] and labour in ABLE_LABOUR:
        out.append(
            _issue(
                "M_LABOUR_CHILD",
                "labour_skill",
                f"未满{WORKING_AGE[0]}周岁，劳动技能不应登记为“{labour}”",
                WARNING,
                member,
            )
        )
    return out


def household_issues(members: Sequence[Any], today: dt.date, phone: Any = None) -> list[Issue]:
    """Rules over the whole household: one 户主, at most one 配偶 of the other sex, the phone."""
    out: list[Issue] = []
    year = today.year
    relations = [_canon("relations", _get(m, "relation"), year) for m in members]
    heads = [m for m, r in zip(members, relations, strict=True) if r == HEAD]
    spouses = [m for m, r in zip(members, relations, strict=True) if r == SPOUSE]
    if not heads:
        out.append(_issue("H_HEAD", "relation", "与户主关系：本户没有户主，必须有且只有一名户主"))
    elif len(heads) > 1:
        names = "、".join(_text(_get(m, "name")) for m in heads)
        for m in heads[1:]:
            out.append(
                _issue(
                    "H_HEAD",
                    "relation",
                    f"与户主关系：本户有{len(heads)}名户主（{names}），只能有一名",
                    member=m,
                )
            )
    if len(spouses) > 1:
        for m in spouses[1:]:
            out.append(
                _issue(
                    "H_SPOUSE",
                    "relation",
                    f"与户主关系：本户有{len(spouses)}名配偶，最多只能有一名",
                    member=m,
                )
            )
    if len(heads) == 1:
        head_sex = _text(_get(heads[0], "sex"))
        for m in spouses:
            if head_sex and _text(_get(m, "sex")) == head_sex:
                out.append(
                    _issue(
                        "H_SPOUSE_SEX", "sex", f"性别：配偶与户主同为{head_sex}性，请核实性别或关系", member=m
                    )
                )
    text = _text(phone)
    if phone is not None and not text:
        out.append(_issue("H_PHONE", "phone", "户联系电话为空", WARNING))
    elif text and not valid_phone(text):
        out.append(_issue("H_PHONE", "phone", f"户联系电话“{text}”不是11位手机号码"))
    return out


def check_household(members: Sequence[Any], today: dt.date, phone: Any = None) -> list[Issue]:
    """Household rules plus every member's own rules, in member order."""
    out = household_issues(members, today, phone)
    for m in members:
        out.extend(member_issues(m, today))
    return out


def _enum_issues(member: Any, year: int) -> list[Issue]:
    out: list[Issue] = []
    e = enums.for_year(year)
    for attr, enum_name in ENUM_FIELDS.items():
        if enum_name not in e.data:
            continue
        value = _text(_get(member, attr))
        if not value or value in e.data[enum_name]:
            continue
        label = FIELD_LABELS.get(attr, attr)
        canonical = e.canonical(enum_name, value)
        if canonical:
            out.append(_issue("M_ENUM", attr, f"{label}“{value}”应写作“{canonical}”", WARNING, member))
        else:
            out.append(_issue("M_ENUM", attr, f"{label}“{value}”不在{year}年代码表中", member=member))
    for part in _HEALTH_SPLIT.split(_text(_get(member, "health"))):
        if part and part not in e.data["health"]:
            canonical = e.canonical("health", part)
            if canonical:
                out.append(
                    _issue("M_ENUM", "health", f"健康状况“{part}”应写作“{canonical}”", WARNING, member)
                )
            else:
                out.append(_issue("M_ENUM", "health", f"健康状况“{part}”不在{year}年代码表中", member=member))
    return out


def validate_member(member: Any, today: dt.date) -> list[Issue]:
    """Everything the member editor shows: required fields, the ID number and what it implies,
    code-table values, then :func:`member_issues`."""
    out: list[Issue] = []
    if not _filled(_get(member, "name")):
        out.append(_issue("M_REQUIRED", "name", "姓名不能为空", member=member))
    if not _filled(_get(member, "relation")):
        out.append(_issue("M_REQUIRED", "relation", "与户主关系不能为空", member=member))

    id_type = _text(_get(member, "id_type")) or "居民身份证"
    number = _get(member, "id_number")
    if id_type in _ID_CHECKED_TYPES:
        if not _filled(number):
            out.append(_issue("M_ID", "id_number", "证件号码不能为空", member=member))
        else:
            try:
                info = ids.parse(number, today)
            except ids.IdNumberError as exc:
                out.append(_issue("M_ID", "id_number", str(exc), member=member))
            else:
                sex = _text(_get(member, "sex"))
                if sex and sex != info.sex:
                    out.append(
                        _issue(
                            "M_ID_SEX",
                            "sex",
                            f"性别“{sex}”与证件号码不符：证件号码显示为{info.sex}性",
                            member=member,
                        )
                    )
                birth = _get(member, "birth_date")
                if isinstance(birth, dt.datetime):
                    birth = birth.date()
                if isinstance(birth, dt.date) and birth != info.birth_date:
                    out.append(
                        _issue(
                            "M_ID_BIRTH",
                            "birth_date",
                            f"出生日期{birth.isoformat()}与证件号码中的{info.birth_date.isoformat()}不符",
                            member=member,
                        )
                    )
                cert = _text(_get(member, "disability_cert_no"))
                if cert:
                    try:
                        cert_info = ids.parse(cert, today)
                    except ids.IdNumberError as exc:
                        out.append(
                            _issue(
                                "M_DISABILITY_CERT", "disability_cert_no", f"残疾人证号：{exc}", member=member
                            )
                        )
                    else:
                        if cert_info.base_id != info.base_id:
                            out.append(
                                _issue(
                                    "M_DISABILITY_CERT",
                                    "disability_cert_no",
                                    "残疾人证号的前18位应与证件号码一致",
                                    member=member,
                                )
                            )
    birth = birth_date_of(member)
    if birth is not None and birth > today:
        out.append(_issue("M_BIRTH", "birth_date", "出生日期晚于今天", member=member))
    out.extend(_enum_issues(member, today.year))
    out.extend(member_issues(member, today))
    return out


def errors(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == ERROR]


def warnings(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == WARNING]
