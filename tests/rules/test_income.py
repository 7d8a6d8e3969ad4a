"""收入 rules: each breaks on one household and stays quiet on another."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from tests.rules.builders import (
    case,
    check_breaks,
    check_passes,
    household,
    income,
    replace_member,
)

H = household()


def with_income(**kw) -> object:
    return dataclasses.replace(H, income=income(**kw))


NATIONAL = {"national_income_year": 2025}

CASES = [
    case("FP-SR-001", with_income(transfer=Decimal(-100)), H),
    case(
        "FP-SR-002",
        dataclasses.replace(H, national_per_capita_income=Decimal(10000), **NATIONAL),
        dataclasses.replace(H, national_per_capita_income=Decimal("12000.40"), **NATIONAL),
    ),
    case("FP-SR-003", with_income(people_count=4), with_income(people_count=None)),
    case(
        "FP-SR-004",
        dataclasses.replace(H, income=None),
        dataclasses.replace(H, income=None, national_per_capita_income=Decimal(9000), **NATIONAL),
    ),
    case("FP-SR-005", with_income(business_cost=Decimal(40000)), H),
    case(
        "FP-SR-006",
        with_income(wage=Decimal(0)),
        replace_member(with_income(wage=Decimal(0)), 1, work_status=None, work_months=None),
    ),
    case("FP-SR-007", with_income(year=2023), with_income(year=2025)),
    case(
        "FP-SR-008",
        dataclasses.replace(with_income(wage=Decimal(10000)), cases=()),
        with_income(wage=Decimal(10000)),
    ),
]


@pytest.mark.parametrize("code, broken, ok, where", CASES)
def test_rule_breaks(code, broken, ok, where):
    check_breaks(code, broken, where)


@pytest.mark.parametrize("code, broken, ok, where", CASES)
def test_rule_passes(code, broken, ok, where):
    check_passes(code, ok, where)


def test_mismatch_message_shows_both_figures():
    f = check_breaks("FP-SR-002", CASES[1].values[1], {})
    assert "12000.00" in f.message and "10000" in f.message


def test_below_threshold_uses_the_national_figure_without_a_local_record():
    h = dataclasses.replace(H, cases=(), income=None, national_per_capita_income=Decimal(7000), **NATIONAL)
    f = check_breaks("FP-SR-008", h, {})
    assert "7000" in f.message
