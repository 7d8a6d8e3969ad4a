"""The registry, the runner, the clean household and the data keys behind exemptions."""

from __future__ import annotations

import dataclasses
import importlib
from decimal import Decimal

import pytest

from fanpin_desktop.domain.rules import GROUPS, RULES, RULES_BY_CODE, SEVERITIES, run_rules
from tests.rules.builders import (
    ctx,
    eliminated_case,
    findings,
    household,
    replace_member,
)

GROUP_TESTS = ("identity", "members", "income", "guarantees", "cases", "measures", "elimination")


def test_registry_has_forty_rules_with_unique_codes_all_groups_and_severities():
    codes = [r.code for r in RULES]
    assert len(RULES) >= 40
    assert len(set(codes)) == len(codes)
    assert set(RULES_BY_CODE) == set(codes)
    assert {r.group for r in RULES} == set(GROUPS)
    assert {r.severity for r in RULES} == set(SEVERITIES)
    # group by group, in the order of GROUPS
    assert [r.group for r in RULES] == sorted((r.group for r in RULES), key=GROUPS.index)
    for national in ("2_11_002", "4_11_009", "4_11_010", "5_11_032", "5_18_006", "2_12_008"):
        assert national in RULES_BY_CODE
    assert all(r.title and callable(r.check) for r in RULES)


def test_every_rule_has_a_breaking_and_a_passing_test():
    tested: set[str] = set()
    for name in GROUP_TESTS:
        module = importlib.import_module(f"tests.rules.test_{name}")
        tested |= {p.values[0] for p in module.CASES}
    assert tested == set(RULES_BY_CODE), set(RULES_BY_CODE) ^ tested


@pytest.mark.parametrize(
    "h",
    [household(), household(cases=(eliminated_case(),)), household(cases=(), income=None, threshold=None)],
    ids=["monitored", "eliminated", "plain"],
)
def test_clean_household_breaks_no_rule(h):
    assert list(run_rules([h], ctx((h,)))) == []


def test_run_rules_runs_only_the_chosen_codes():
    h = replace_member(household(), 1, phone="123", id_number="110101198001010011")
    both = {f.rule_code for f in run_rules([h], ctx((h,)))}
    assert {"FP-HH-009", "FP-ID-001"} <= both
    assert {f.rule_code for f in run_rules([h], ctx((h,)), codes=["FP-HH-009"])} == {"FP-HH-009"}
    with pytest.raises(KeyError):
        list(run_rules([h], ctx((h,)), codes=["NO-SUCH"]))


def test_data_key_changes_with_the_looked_at_data_only():
    h = replace_member(household(), 1, phone="12345")
    (f,) = findings("FP-HH-009", h)
    # other data changes: same key, same fingerprint (an exemption stays)
    (same,) = findings("FP-HH-009", replace_member(h, 1, labour_skill="技能劳动力", health="长期慢性病"))
    assert same.data_key == f.data_key and same.fingerprint == f.fingerprint and same.key == f.key
    # the phone changes but is still wrong: new key and fingerprint (the exemption lapses)
    (changed,) = findings("FP-HH-009", replace_member(h, 1, phone="123456"))
    assert changed.key == f.key
    assert changed.data_key != f.data_key and changed.fingerprint != f.fingerprint


def test_data_key_of_a_case_rule_follows_its_measures_not_its_visits():
    h = household(cases=(eliminated_case(measures=()),))
    (f,) = findings("FP-XC-002", h)
    c = h.cases[0]
    (same,) = findings("FP-XC-002", dataclasses.replace(h, cases=(dataclasses.replace(c, visits=()),)))
    assert same.fingerprint == f.fingerprint
    (f2,) = findings("4_11_010", dataclasses.replace(h, threshold=Decimal(20000)))
    (f3,) = findings("4_11_010", dataclasses.replace(h, threshold=Decimal(21000)))
    assert f2.fingerprint != f3.fingerprint


def test_all_rules_over_many_households_are_fast():
    import time

    hs = [dataclasses.replace(household(), id=i, code=f"H{i}") for i in range(2000)]
    context = ctx()
    start = time.process_time()
    out = list(run_rules(hs, context))
    elapsed = time.process_time() - start
    assert out == []
    assert elapsed < 2.0, elapsed  # 20,000 households must stay well under 5 s
