"""监测对象 rules: each breaks on one household and stays quiet on another."""

from __future__ import annotations

import dataclasses

import pytest

from fanpin_desktop.domain.rules import ContactData, RiskData
from tests.rules.builders import (
    D,
    case,
    check_breaks,
    check_passes,
    household,
    monitored_case,
    replace_case,
    replace_member,
)

H = household()
POOR = dataclasses.replace(H, household_type="脱贫户")


def risks(*types: str) -> tuple[RiskData, ...]:
    return tuple(RiskData(t) for t in types)


SIX = risks("因病", "因学", "因残", "因意外事故", "因产业项目失败", "其他")
TWO_ABLE = dataclasses.replace(H, members=H.members[:2])
CLUE = monitored_case(id=11, status="线索", identified_on=None, clue_date=D(2026, 6, 10), risks=())

CASES = [
    case("FP-JC-001", replace_case(H, category=None), H, case_id=10),
    case("FP-JC-002", replace_case(H, risks=()), H, case_id=10),
    case(
        "FP-JC-003",
        replace_case(H, category="脱贫不稳定户"),
        replace_case(POOR, category="脱贫不稳定户"),
        case_id=10,
    ),
    case("FP-JC-004", replace_case(H, risks=SIX), replace_case(H, risks=SIX[:5]), case_id=10),
    case(
        "FP-JC-005",
        replace_case(H, status="识别中", identified_on=None, clue_date=D(2026, 5, 20)),
        replace_case(H, status="识别中", identified_on=None, clue_date=D(2026, 6, 5)),
        case_id=10,
    ),
    case("FP-JC-006", replace_case(H, contacts=()), H, case_id=10),
    case("FP-JC-007", replace_case(H, visits=(D(2026, 5, 1),)), H, case_id=10),
    case("FP-JC-008", replace_case(H, reviewed_on=D(2026, 2, 1)), H, case_id=10),
    case(
        "FP-JC-009",
        dataclasses.replace(H, household_type="监测户", cases=()),
        dataclasses.replace(H, household_type="监测户"),
    ),
    case(
        "FP-JC-010",
        dataclasses.replace(H, cases=(*H.cases, CLUE)),
        dataclasses.replace(H, cases=(*H.cases, dataclasses.replace(CLUE, status="不纳入"))),
    ),
    case("FP-JC-011", replace_case(H, identified_on=None), H, case_id=10),
    case(
        "FP-JC-012",
        replace_case(H, risks=(RiskData("因自然灾害"),)),
        replace_case(H, risks=(RiskData("因自然灾害", "洪涝"),)),
        case_id=10,
    ),
    case(
        "4_11_009",
        replace_case(TWO_ABLE, risks=risks("缺劳动力")),
        replace_case(H, risks=risks("缺劳动力")),
        case_id=10,
    ),
    case(
        "FP-JC-013",
        replace_case(replace_member(H, 1, work_status=None, work_months=None), risks=risks("因务工就业不稳")),
        replace_case(H, risks=risks("因务工就业不稳")),
        case_id=10,
    ),
    case("FP-JC-014", replace_case(H, risks=risks("因病", "因病")), H, case_id=10),
    case("FP-JC-015", replace_case(H, contacts=(ContactData("赵干部", "139"),)), H, case_id=10),
]


@pytest.mark.parametrize("code, broken, ok, where", CASES)
def test_rule_breaks(code, broken, ok, where):
    check_breaks(code, broken, where)


@pytest.mark.parametrize("code, broken, ok, where", CASES)
def test_rule_passes(code, broken, ok, where):
    check_passes(code, ok, where)


def test_poor_household_cannot_be_edge_category():
    check_breaks("FP-JC-003", replace_case(POOR, category="边缘易致贫户"), {"case_id": 10})


def test_unstable_work_without_any_labour():
    h = H
    for mid in (1, 2):
        h = replace_member(h, mid, labour_skill="弱劳动力或半劳动力")
    f = check_breaks("FP-JC-013", replace_case(h, risks=risks("因务工就业不稳")), {"case_id": 10})
    assert "没有普通或技能劳动力" in f.message


def test_visit_overdue_counts_from_identification_without_visits():
    h = replace_case(H, visits=(), identified_on=D(2026, 6, 1))
    check_passes("FP-JC-007", h, {})
    check_breaks("FP-JC-007", replace_case(H, visits=()), {"case_id": 10})


def test_a_poor_household_typed_monitored_is_known_by_its_exit_year():
    h = dataclasses.replace(H, household_type="监测户", poverty_exit_year=2019)
    check_passes("FP-JC-003", replace_case(h, category="脱贫不稳定户"), {})
    check_breaks("FP-JC-003", replace_case(h, category="边缘易致贫户"), {"case_id": 10})


def test_a_visit_before_identification_does_not_make_the_case_overdue():
    check_passes("FP-JC-007", replace_case(H, visits=(D(2025, 12, 1),), identified_on=D(2026, 6, 1)), {})
