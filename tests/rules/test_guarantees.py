"""三保障 rules: each breaks on one household and stays quiet on another."""

from __future__ import annotations

import pytest

from fanpin_desktop.domain.rules import RiskData
from tests.rules.builders import (
    D,
    case,
    check_breaks,
    check_passes,
    findings,
    household,
    measure,
    member,
    replace_case,
    replace_member,
    with_members,
)

H = household()
DROPOUT = RiskData("家庭成员中有义务教育阶段适龄儿童少年失学辍学")
OUT_OF_SCHOOL = replace_member(H, 3, schooling=None)
BASE_MEASURES = H.cases[0].measures


def risk_case(h, risk: str, extra_measure: str | None = None):
    measures = BASE_MEASURES + ((measure(109, extra_measure),) if extra_measure else ())
    return replace_case(h, risks=(RiskData("因病"), RiskData(risk)), measures=measures)


def toddler(birth, schooling):
    return member(
        6, "王小宝", "之孙子", "男", birth, labour_skill="无劳动力", education=None, schooling=schooling
    )


CASES = [
    case("FP-SB-001", OUT_OF_SCHOOL, replace_case(OUT_OF_SCHOOL, risks=(DROPOUT,)), member_id=3),
    case("FP-SB-002", replace_member(H, 1, schooling="七年级", education=None), H, member_id=1),
    case(
        "FP-SB-003",
        with_members(H, toddler(D(2024, 1, 1), "学前教育")),
        with_members(H, toddler(D(2021, 1, 1), "学前教育")),
        member_id=6,
    ),
    case("FP-SB-004", replace_member(H, 2, ins_employee_medical=True), H, member_id=2),
    case(
        "FP-SB-005",
        replace_member(H, 2, ins_resident_medical=False),
        replace_member(H, 2, ins_resident_medical=False, ins_employee_medical=True),
        member_id=2,
    ),
    case("5_18_006", risk_case(H, "饮水安全问题"), risk_case(H, "饮水安全问题", "饮水安全保障"), case_id=10),
    case(
        "FP-SB-006",
        risk_case(H, "住房出现安全问题"),
        risk_case(H, "住房出现安全问题", "住房安全保障"),
        case_id=10,
    ),
    case(
        "FP-SB-007",
        risk_case(OUT_OF_SCHOOL, DROPOUT.risk_type),
        risk_case(OUT_OF_SCHOOL, DROPOUT.risk_type, "义务教育保障"),
        case_id=10,
    ),
    case(
        "FP-SB-008", risk_case(H, DROPOUT.risk_type), risk_case(OUT_OF_SCHOOL, DROPOUT.risk_type), case_id=10
    ),
]


@pytest.mark.parametrize("code, broken, ok, where", CASES)
def test_rule_breaks(code, broken, ok, where):
    check_breaks(code, broken, where)


@pytest.mark.parametrize("code, broken, ok, where", CASES)
def test_rule_passes(code, broken, ok, where):
    check_passes(code, ok, where)


def test_school_age_starts_on_the_31_august_after_the_sixth_birthday():
    # born 2020-08-31: six on 2026-08-31, so not yet of school age in June 2026
    young = with_members(H, toddler(D(2020, 8, 31), None))
    assert findings("FP-SB-001", young) == []
    older = with_members(H, toddler(D(2019, 8, 31), None))
    assert [f.member_id for f in findings("FP-SB-001", older)] == [6]


def test_a_child_past_compulsory_schooling_is_not_out_of_school():
    h = replace_member(H, 3, birth_date=D(2010, 1, 1), id_number=None, schooling=None, education="初中")
    assert findings("FP-SB-001", h) == []


def test_primary_school_at_four_is_wrong():
    check_breaks("FP-SB-003", with_members(H, toddler(D(2022, 1, 1), "小学一年级")), {"member_id": 6})
