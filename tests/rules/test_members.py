"""家庭成员 rules: each breaks on one household and stays quiet on another."""

from __future__ import annotations

import dataclasses

import pytest

from tests.rules.builders import (
    D,
    case,
    check_breaks,
    check_passes,
    household,
    member,
    replace_member,
    with_members,
)

H = household()
MOTHER = member(5, "张桂兰", "之母", "女", D(1955, 2, 1), labour_skill="弱劳动力或半劳动力")

CASES = [
    case("FP-HH-001", dataclasses.replace(H, members=()), H),
    case("FP-HH-002", replace_member(H, 1, relation="之子"), H),
    case(
        "FP-HH-003",
        replace_member(H, 2, relation="户主", sex="男", id_number=None),
        H,
    ),
    case(
        "FP-HH-004",
        with_members(H, member(6, "陈芳", "配偶", "女", D(1983, 1, 1))),
        with_members(H, member(6, "陈芳", "之儿媳", "女", D(2000, 1, 1))),
    ),
    case(
        "2_12_008", replace_member(H, 3, relation="之女"), replace_member(H, 3, relation="之子"), member_id=3
    ),
    case("FP-HH-005", replace_member(H, 3, birth_date=D(1979, 1, 1)), H, member_id=3),
    case(
        "FP-HH-006",
        with_members(H, dataclasses.replace(MOTHER, birth_date=D(1985, 1, 1), id_number=None)),
        with_members(H, MOTHER),
        member_id=5,
    ),
    case(
        "FP-HH-007",
        replace_member(H, 3, birth_date=None, id_number="3415"),
        replace_member(H, 3, birth_date=None),
        member_id=3,
    ),
    case(
        "FP-HH-008", dataclasses.replace(H, phone="1380013800"), dataclasses.replace(H, phone="0557-3021234")
    ),
    case(
        "FP-HH-009",
        replace_member(H, 1, phone="138001380001"),
        replace_member(H, 1, phone="13900001111"),
        member_id=1,
    ),
    case(
        "FP-HH-010",
        replace_member(dataclasses.replace(H, phone=None), 1, phone=None),
        dataclasses.replace(H, phone=None),
    ),
    case(
        "FP-LB-001",
        replace_member(H, 2, labour_skill="无劳动力"),
        replace_member(H, 2, labour_skill="无劳动力", health="患有大病"),
        member_id=2,
    ),
    case("FP-LB-002", replace_member(H, 3, labour_skill="普通劳动力"), H, member_id=3),
    case(
        "FP-LB-003",
        with_members(
            H,
            dataclasses.replace(MOTHER, birth_date=D(1950, 1, 1), id_number=None, labour_skill="普通劳动力"),
        ),
        with_members(
            H,
            dataclasses.replace(MOTHER, birth_date=D(1962, 1, 1), id_number=None, labour_skill="普通劳动力"),
        ),
        member_id=5,
    ),
    case("FP-LB-004", replace_member(H, 2, labour_skill=None), H, member_id=2),
    case(
        "FP-LB-005", replace_member(H, 1, work_months=None), replace_member(H, 1, work_months=12), member_id=1
    ),
    case(
        "FP-LB-006",
        replace_member(H, 1, labour_skill="丧失劳动力"),
        replace_member(H, 1, labour_skill="丧失劳动力", work_status=None, work_months=None),
        member_id=1,
    ),
    case(
        "FP-HH-011",
        replace_member(H, 2, health="残疾", disability_category="肢体"),
        replace_member(H, 2, health="残疾", disability_category="肢体", disability_grade="三级"),
        member_id=2,
    ),
    case("FP-HH-012", replace_member(H, 3, education="小学"), H, member_id=3),
    case("FP-HH-013", replace_member(H, 2, health=""), H, member_id=2),
]


@pytest.mark.parametrize("code, broken, ok, where", CASES)
def test_rule_breaks(code, broken, ok, where):
    check_breaks(code, broken, where)


@pytest.mark.parametrize("code, broken, ok, where", CASES)
def test_rule_passes(code, broken, ok, where):
    check_passes(code, ok, where)


def test_spouse_of_the_heads_sex_is_2_12_008():
    check_breaks("2_12_008", replace_member(H, 2, sex="男"), {"member_id": 2})


def test_out_of_range_work_months():
    f = check_breaks("FP-LB-005", replace_member(H, 1, work_months=14), {"member_id": 1})
    assert "1到12" in f.message


def test_labour_age_bounds():
    # 16 and 60 are working age; 61 is not
    for birth, expected in ((D(2010, 6, 1), True), (D(1966, 7, 1), True), (D(1965, 6, 1), False)):
        h = replace_member(H, 2, labour_skill="无劳动力", birth_date=birth, id_number=None)
        from tests.rules.builders import findings

        assert bool(findings("FP-LB-001", h)) is expected, birth
