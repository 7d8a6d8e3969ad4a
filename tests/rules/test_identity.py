"""身份信息 rules: each breaks on one household and stays quiet on another."""

from __future__ import annotations

import dataclasses

import pytest

from tests.rules.builders import (
    D,
    bad_check_digit,
    case,
    check_breaks,
    check_passes,
    ctx,
    household,
    member,
    replace_member,
    son,
    with_members,
)

H = household()
SPOUSE_ID = H.members[1].id_number
OTHER = dataclasses.replace(
    household(id=2, code="341523002"),
    members=(
        member(7, "张伟", "户主", "男", D(1975, 1, 1)),
        member(8, "李秀英", "配偶", "女", D(1982, 3, 1), seq=2),
    ),
)
assert OTHER.members[1].id_number == SPOUSE_ID

CASES = [
    case(
        "FP-ID-001",
        replace_member(H, 2, id_number=bad_check_digit(SPOUSE_ID)),
        replace_member(H, 2, id_number=bad_check_digit(SPOUSE_ID), id_type="其他"),
        member_id=2,
    ),
    case("FP-ID-002", replace_member(H, 2, id_number=None), H, member_id=2),
    case(
        "FP-ID-003",
        replace_member(H, 2, birth_date=D(1982, 3, 2)),
        replace_member(H, 2, birth_date=None),
        member_id=2,
    ),
    case("FP-ID-004", replace_member(H, 3, sex="女"), replace_member(H, 3, sex=None), member_id=3),
    case("FP-ID-005", H, OTHER, member_id=2, context=ctx((H, OTHER))),
    case(
        "FP-ID-006",
        with_members(H, member(4, "王小红", "之女", "女", D(2014, 1, 1), id_number=son().id_number)),
        with_members(H, member(4, "王小红", "之女", "女", D(2014, 1, 1))),
        member_id=4,
    ),
    case("FP-ID-007", replace_member(H, 1, id_number="341523800501011"), H, member_id=1),
]


@pytest.mark.parametrize("code, broken, ok, where", CASES)
def test_rule_breaks(code, broken, ok, where):
    check_breaks(code, broken, where)


@pytest.mark.parametrize("code, broken, ok, where", CASES)
def test_rule_passes(code, broken, ok, where):
    check_passes(code, ok, where)


def test_duplicate_names_both_households_and_masks_the_number():
    context = ctx((H, OTHER))
    check_breaks("FP-ID-005", OTHER, {"member_id": 8, "context": context})
    f = check_breaks("FP-ID-005", H, {"member_id": 2, "context": context})
    assert SPOUSE_ID not in f.message and SPOUSE_ID[:6] in f.message


def test_duplicates_match_old_15_digit_and_lower_case_numbers():
    from fanpin_desktop.domain.rules import duplicates_of

    old = replace_member(OTHER, 8, id_number="341523820301002")  # 15-digit form of a 1982-03-01 woman
    new = replace_member(H, 2, id_number=base_id_of("341523820301002").lower())
    assert duplicates_of((old, new)) == {base_id_of("341523820301002"): (2, 1)}


def base_id_of(number15: str) -> str:
    from fanpin_desktop.domain import ids

    return ids.convert_15_to_18(number15)
