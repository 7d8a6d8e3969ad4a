"""Derived household facts and member / household checks (domain/facts.py)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from fanpin_desktop.domain import facts, ids
from fanpin_desktop.models import Member

TODAY = dt.date(2025, 6, 1)


def person(name="张三", relation="户主", sex="男", age=40, female=None, seq=11, **extra) -> SimpleNamespace:
    """A valid member-like object aged ``age`` on TODAY, with an ID number that agrees with it."""
    female = (sex == "女") if female is None else female
    birth = dt.date(TODAY.year - age, 1, 15)
    values = dict(
        name=name,
        relation=relation,
        sex=sex,
        birth_date=birth,
        id_type="居民身份证",
        id_number=ids.make_id("341522", birth, seq, female),
        ethnicity="汉族",
        political_status="群众",
        education="初中",
        schooling=None,
        health="健康",
        disability_category=None,
        disability_grade=None,
        disability_cert_no=None,
        labour_skill="普通劳动力",
        work_status=None,
        work_place=None,
        work_months=None,
        public_post_type=None,
        public_post_months=None,
        ins_resident_medical=True,
        ins_employee_medical=False,
        dibao=False,
        tekun=False,
        phone=None,
    )
    values.update(extra)
    return SimpleNamespace(**values)


def codes(issues) -> list[str]:
    return sorted(i.code for i in issues)


# --------------------------------------------------------------------------- facts


def test_ages_use_the_given_day_and_fall_back_to_the_id_number():
    p = person(age=40)
    assert facts.age_of(p, TODAY) == 40
    assert facts.age_of(p, dt.date(TODAY.year, 1, 14)) == 39
    no_birth = person(age=30)
    no_birth.birth_date = None
    assert facts.age_of(no_birth, TODAY) == 30
    nothing = SimpleNamespace(name="无名")
    assert facts.age_of(nothing, TODAY) is None


def test_typical_family_facts():
    members = [
        person("王大", age=45, seq=1, work_status="省外务工", work_place="江苏省苏州市", work_months=10),
        person("李二", "配偶", "女", age=43, seq=2),
        person(
            "王小",
            "之子",
            "男",
            age=17,
            seq=3,
            education=None,
            schooling="高中二年级",
            labour_skill="无劳动力",
        ),
        person(
            "王丫",
            "之女",
            "女",
            age=10,
            seq=4,
            education=None,
            schooling="小学四年级",
            labour_skill="无劳动力",
        ),
        person(
            "王宝", "之子", "男", age=20, seq=5, education=None, schooling="本科", labour_skill="无劳动力"
        ),
    ]
    f = facts.household_facts(members, TODAY)
    assert f.size == 5
    assert f.head is not None and f.head.name == "王大"
    assert f.labour_count == 2
    assert not f.no_labour_household
    assert f.minors == 2
    assert not f.many_minors
    assert f.students == 3
    assert f.noncompulsory_students == 2  # 高中 and 本科, not 小学
    assert f.many_noncompulsory_students
    assert f.migrant_workers == 1
    assert f.migrant_months == 10
    assert not f.single_person and not f.elderly_alone
    assert not f.has_disabled and not f.any_dibao and not f.any_tekun


def test_no_labour_household_and_disability():
    members = [
        person("赵一", age=72, labour_skill="弱劳动力或半劳动力", health="长期慢性病"),
        person(
            "钱二",
            "配偶",
            "女",
            age=70,
            seq=2,
            labour_skill="丧失劳动力",
            health="残疾",
            disability_category="肢体残疾",
            disability_grade="二级",
            dibao=True,
        ),
    ]
    f = facts.household_facts(members, TODAY)
    assert f.no_labour_household
    assert f.has_disabled and f.has_severe_disability and f.disabled_count == 1
    assert f.has_chronic_illness and not f.has_serious_illness
    assert f.elderly_alone and f.elderly_count == 2
    assert f.any_dibao


def test_mild_disability_is_not_severe_and_labour_aliases_count():
    members = [
        person(
            health="残疾", disability_category="视力残疾", disability_grade="四级", labour_skill="弱劳动力"
        )
    ]
    f = facts.household_facts(members, TODAY)
    assert f.has_disabled and not f.has_severe_disability
    assert f.no_labour_household  # 弱劳动力 (alias of 弱劳动力或半劳动力) is not able labour


def test_single_elderly_person_with_tekun():
    f = facts.household_facts([person(age=81, labour_skill="无劳动力", tekun=True)], TODAY)
    assert f.single_person and f.elderly_alone and f.any_tekun and f.no_labour_household


def test_single_young_person_is_not_elderly_alone():
    f = facts.household_facts([person(age=35)], TODAY)
    assert f.single_person and not f.elderly_alone


def test_many_minors():
    kids = [
        person(
            f"孩{i}",
            "之子",
            age=3 + i,
            seq=10 + i,
            education=None,
            schooling="学前教育",
            labour_skill="无劳动力",
        )
        for i in range(3)
    ]
    f = facts.household_facts([person(age=35), *kids], TODAY)
    assert f.minors == 3 and f.many_minors
    assert f.noncompulsory_students == 0  # 学前教育 is not counted


def test_health_parts_resolves_aliases_and_separators():
    assert facts.health_parts("慢性病，残疾") == ["长期慢性病", "残疾"]
    assert facts.health_parts(None) == []


def test_facts_work_on_orm_members():
    m = Member(
        name="周五",
        relation="户主",
        sex="男",
        id_number=ids.make_id("341522", dt.date(1950, 3, 3), 5, False),
        labour_skill="普通劳动力",
        health="健康",
    )
    f = facts.household_facts([m], TODAY)
    assert f.head is not None and f.head.age == 75
    assert f.elderly_alone and not f.no_labour_household


# --------------------------------------------------------------------------- member checks


def test_clean_member_has_no_issues():
    assert facts.validate_member(person(phone="13912345678"), TODAY) == []


@pytest.mark.parametrize(
    "education, schooling, fragment",
    [
        ("初中", "七年级", "只能填写一项"),
        (None, None, "必须填写一项"),
    ],
)
def test_education_and_schooling_exactly_one(education, schooling, fragment):
    issues = facts.member_issues(person(education=education, schooling=schooling), TODAY)
    [issue] = [i for i in issues if i.code == "M_EDU_SCHOOL"]
    assert issue.severity == facts.ERROR
    assert "文化程度" in issue.message and "在校生状况" in issue.message and fragment in issue.message


def test_work_status_and_months_both_or_neither():
    only_status = facts.member_issues(person(work_status="省外务工"), TODAY)
    assert [(i.code, i.field) for i in only_status] == [("M_WORK", "work_months")]
    assert "务工时间" in only_status[0].message
    only_months = facts.member_issues(person(work_months=6), TODAY)
    assert [(i.code, i.field) for i in only_months] == [("M_WORK", "work_status")]
    bad_months = facts.member_issues(person(work_status="省外务工", work_months=14), TODAY)
    assert codes(bad_months) == ["M_WORK_MONTHS"]
    assert facts.member_issues(person(work_status="省外务工", work_months=12), TODAY) == []


@pytest.mark.parametrize(
    "phone, ok",
    [("13912345678", True), ("1391234567", False), ("0564-6012345", False), ("139123456789", False)],
)
def test_member_phone_must_have_11_digits(phone, ok):
    issues = facts.member_issues(person(phone=phone), TODAY)
    assert (codes(issues) == []) is ok
    if not ok:
        assert "联系电话" in issues[0].message and "11位" in issues[0].message


def test_medical_insurance_exactly_one():
    both = facts.member_issues(person(ins_employee_medical=True), TODAY)
    assert codes(both) == ["M_MEDICAL"] and both[0].severity == facts.ERROR
    neither = facts.member_issues(person(ins_resident_medical=False), TODAY)
    assert codes(neither) == ["M_MEDICAL"] and neither[0].severity == facts.WARNING
    assert "城乡居民基本医疗保险" in neither[0].message


@pytest.mark.parametrize(
    "age, health, schooling, labour, flagged",
    [
        (30, "健康", None, "无劳动力", True),
        (30, "健康", None, "弱劳动力或半劳动力", True),
        (60, "健康", None, "丧失劳动力", True),
        (16, "健康", None, "无劳动力", True),
        (15, "健康", None, "无劳动力", False),
        (61, "健康", None, "无劳动力", False),
        (30, "长期慢性病", None, "弱劳动力或半劳动力", False),
        (19, "健康", "本科", "无劳动力", False),
        (30, "健康", None, "普通劳动力", False),
    ],
)
def test_working_age_healthy_non_student_without_labour_is_a_warning(age, health, schooling, labour, flagged):
    p = person(
        age=age,
        health=health,
        schooling=schooling,
        education=None if schooling else "初中",
        labour_skill=labour,
    )
    issues = [i for i in facts.member_issues(p, TODAY) if i.code == "M_LABOUR_AGE"]
    assert bool(issues) is flagged
    if flagged:
        assert issues[0].severity == facts.WARNING
        assert issues[0].field == "labour_skill" and "劳动技能" in issues[0].message


def test_disability_needs_category_and_grade():
    issues = facts.member_issues(person(health="残疾", labour_skill="弱劳动力或半劳动力"), TODAY)
    assert codes(issues) == ["M_DISABILITY"]
    issues = facts.member_issues(person(disability_category="肢体残疾", disability_grade="三级"), TODAY)
    assert codes(issues) == ["M_DISABILITY"] and issues[0].field == "health"


def test_healthy_and_ill_at_once_is_an_error():
    assert codes(facts.member_issues(person(health="健康、长期慢性病"), TODAY)) == ["M_HEALTH"]


def test_validate_member_checks_id_checksum():
    p = person()
    p.id_number = p.id_number[:-1] + ("0" if p.id_number[-1] != "0" else "1")
    issues = facts.validate_member(p, TODAY)
    [issue] = [i for i in issues if i.code == "M_ID"]
    assert issue.field == "id_number" and "校验位错误" in issue.message
    assert issue.member is p and issue.member_name == "张三"
    assert issue.text.startswith("张三：")


def test_validate_member_checks_sex_and_birth_against_the_id():
    p = person(sex="女", female=False)
    issues = facts.validate_member(p, TODAY)
    assert codes(issues) == ["M_ID_SEX"]
    assert "男性" in issues[0].message
    q = person()
    q.birth_date = dt.date(1990, 2, 2)
    [issue] = facts.validate_member(q, TODAY)
    assert issue.code == "M_ID_BIRTH" and issue.field == "birth_date"


def test_validate_member_requires_name_relation_and_id():
    p = person(name="  ", relation=None)
    p.id_number = None
    got = {(i.code, i.field) for i in facts.validate_member(p, TODAY)}
    assert {("M_REQUIRED", "name"), ("M_REQUIRED", "relation"), ("M_ID", "id_number")} <= got


def test_other_id_types_are_not_checksummed():
    p = person(id_type="其他")
    p.id_number = "A1234567"
    assert facts.validate_member(p, TODAY) == []


def test_validate_member_checks_code_table_values():
    p = person(relation="妻", education="博士", health="大病、健康")
    by_field = {i.field: i for i in facts.validate_member(p, TODAY) if i.code == "M_ENUM"}
    assert by_field["relation"].severity == facts.WARNING and "配偶" in by_field["relation"].message
    assert by_field["education"].severity == facts.ERROR and "博士" in by_field["education"].message
    assert by_field["health"].severity == facts.WARNING and "患有大病" in by_field["health"].message


def test_disability_certificate_must_start_with_the_id():
    p = person(health="残疾", disability_category="肢体残疾", disability_grade="三级")
    p.disability_cert_no = p.id_number + "43"
    assert facts.validate_member(p, TODAY) == []
    other = ids.make_id("341522", dt.date(1970, 1, 1), 9, False)
    p.disability_cert_no = other + "43"
    assert codes(facts.validate_member(p, TODAY)) == ["M_DISABILITY_CERT"]


# --------------------------------------------------------------------------- household checks


def test_household_needs_exactly_one_head():
    none = facts.household_issues([person(relation="之子")], TODAY)
    assert codes(none) == ["H_HEAD"] and "户主" in none[0].message
    two = [person("甲"), person("乙", seq=3)]
    issues = facts.household_issues(two, TODAY)
    assert codes(issues) == ["H_HEAD"] and issues[0].member is two[1]
    assert "2名户主" in issues[0].message


def test_at_most_one_spouse_and_not_of_the_heads_sex():
    head = person("甲")
    wives = [person("乙", "配偶", "女", seq=2), person("丙", "配偶", "女", seq=4)]
    assert codes(facts.household_issues([head, *wives], TODAY)) == ["H_SPOUSE"]
    same_sex = person("丁", "配偶", "男", seq=5)
    issues = facts.household_issues([head, same_sex], TODAY)
    assert codes(issues) == ["H_SPOUSE_SEX"] and issues[0].member is same_sex
    assert facts.household_issues([head, wives[0]], TODAY) == []


def test_household_phone():
    members = [person()]
    assert facts.household_issues(members, TODAY, phone="13912345678") == []
    bad = facts.household_issues(members, TODAY, phone="1391234")
    assert codes(bad) == ["H_PHONE"] and bad[0].severity == facts.ERROR and "户联系电话" in bad[0].message
    empty = facts.household_issues(members, TODAY, phone="")
    assert codes(empty) == ["H_PHONE"] and empty[0].severity == facts.WARNING


def test_check_household_combines_household_and_member_rules():
    members = [person("甲", ins_resident_medical=False), person("乙", "配偶", "男", seq=3)]
    issues = facts.check_household(members, TODAY, phone="123")
    assert codes(issues) == ["H_PHONE", "H_SPOUSE_SEX", "M_MEDICAL"]
    assert [i.code for i in facts.errors(issues)] == ["H_SPOUSE_SEX", "H_PHONE"]
    assert [i.code for i in facts.warnings(issues)] == ["M_MEDICAL"]
