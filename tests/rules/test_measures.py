"""帮扶措施 rules: each breaks on one household and stays quiet on another."""

from __future__ import annotations

import pytest

from fanpin_desktop.domain.rules import MeasureData, RiskData
from tests.rules.builders import (
    D,
    case,
    check_breaks,
    check_passes,
    household,
    measure,
    replace_case,
    replace_member,
)

H = household()
HEALTH = measure(100, "健康帮扶")
JOB = measure(101, "就业帮扶", True)


def with_case(risk: str, *measures: MeasureData):
    return replace_case(H, risks=(RiskData(risk),), measures=measures)


NO_LABOUR = replace_member(
    replace_member(H, 1, labour_skill="弱劳动力或半劳动力"), 2, labour_skill="无劳动力"
)

CASES = [
    case(
        "FP-CS-001",
        replace_case(H, measures=()),
        replace_case(H, measures=(), identified_on=D(2026, 5, 20)),
        case_id=10,
    ),
    case("FP-CS-002", with_case("因病", JOB), with_case("因病", JOB, HEALTH), case_id=10),
    case(
        "FP-CS-003", with_case("因学", JOB), with_case("因学", JOB, measure(102, "其他教育帮扶")), case_id=10
    ),
    case(
        "FP-CS-004",
        with_case("因残", measure(103, "产业帮扶", True)),
        with_case("因残", measure(103, "产业帮扶", True), measure(102, "综合保障")),
        case_id=10,
    ),
    case(
        "FP-CS-005", with_case("因务工就业不稳", HEALTH), with_case("因务工就业不稳", HEALTH, JOB), case_id=10
    ),
    case(
        "FP-CS-006",
        with_case("因产业项目失败", JOB),
        with_case("因产业项目失败", measure(102, "产业帮扶", True)),
        case_id=10,
    ),
    case(
        "5_11_032",
        replace_case(H, measures=(measure(102, "综合保障"),)),
        replace_case(NO_LABOUR, measures=(measure(102, "综合保障"),)),
        case_id=10,
    ),
    case(
        "FP-CS-007",
        replace_case(H, measures=(HEALTH,)),
        replace_case(NO_LABOUR, measures=(HEALTH,)),
        case_id=10,
    ),
    case(
        "FP-CS-008", replace_case(H, measures=(HEALTH, measure(101, "就业帮扶", True, None))), H, case_id=10
    ),
    case(
        "FP-CS-009",
        replace_case(H, measures=(HEALTH, MeasureData(101, "就业帮扶", True, D(2026, 2, 1), member_id=99))),
        replace_case(H, measures=(HEALTH, MeasureData(101, "就业帮扶", True, D(2026, 2, 1), member_id=2))),
        case_id=10,
    ),
]


@pytest.mark.parametrize("code, broken, ok, where", CASES)
def test_rule_breaks(code, broken, ok, where):
    check_breaks(code, broken, where)


@pytest.mark.parametrize("code, broken, ok, where", CASES)
def test_rule_passes(code, broken, ok, where):
    check_passes(code, ok, where)


def test_a_measure_flagged_development_counts_as_development():
    flagged = MeasureData(102, "社会帮扶", True, D(2026, 2, 1))
    check_passes("FP-CS-007", replace_case(H, measures=(HEALTH, flagged)), {})
