"""风险消除 rules: each breaks on one household and stays quiet on another."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from tests.rules.builders import (
    D,
    case,
    check_breaks,
    check_passes,
    eliminated_case,
    household,
    measure,
    replace_case,
)

E = household(cases=(eliminated_case(),))
NATURAL = {"elimination_mode": "自然消除"}

CASES = [
    case(
        "2_11_002",
        replace_case(E, eliminated_on=D(2025, 6, 1)),
        replace_case(E, eliminated_on=D(2025, 6, 1), **NATURAL),
        case_id=20,
    ),
    case(
        "FP-XC-001",
        replace_case(E, eliminated_on=D(2025, 2, 15)),
        replace_case(E, eliminated_on=D(2025, 2, 15), **NATURAL),
        case_id=20,
    ),
    case("4_11_010", dataclasses.replace(E, threshold=Decimal(20000)), E, case_id=20),
    case("FP-XC-002", replace_case(E, measures=()), replace_case(E, measures=(), **NATURAL), case_id=20),
    case(
        "FP-XC-003",
        replace_case(E, measures=(measure(100, "健康帮扶"),)),
        replace_case(E, measures=(measure(100, "健康帮扶"), measure(101, "公益岗位帮扶"))),
        case_id=20,
    ),
    case("FP-XC-004", replace_case(E, no_labour=True), E, case_id=20),
    case("FP-XC-005", replace_case(E, elimination_mode=None), E, case_id=20),
    case("FP-XC-006", replace_case(E, eliminated_on=D(2024, 12, 1)), E, case_id=20),
    case(
        "FP-XC-007",
        dataclasses.replace(E, income=None),
        dataclasses.replace(
            E, income=None, national_per_capita_income=Decimal(9000), national_income_year=2025
        ),
        case_id=20,
    ),
    case("FP-XC-008", replace_case(E, eliminated_on=D(2026, 7, 1)), E, case_id=20),
]


@pytest.mark.parametrize("code, broken, ok, where", CASES)
def test_rule_breaks(code, broken, ok, where):
    check_breaks(code, broken, where)


@pytest.mark.parametrize("code, broken, ok, where", CASES)
def test_rule_passes(code, broken, ok, where):
    check_passes(code, ok, where)


def test_six_months_to_the_day_is_enough():
    check_passes("2_11_002", replace_case(E, eliminated_on=D(2025, 7, 10)), {})
    check_breaks("2_11_002", replace_case(E, eliminated_on=D(2025, 7, 9)), {"case_id": 20})


def test_no_labour_members_count_like_the_flag():
    h = E
    members = tuple(dataclasses.replace(m, labour_skill="无劳动力") for m in h.members)
    check_breaks("FP-XC-004", dataclasses.replace(h, members=members), {"case_id": 20})
