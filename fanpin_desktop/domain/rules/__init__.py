"""Data-quality rules (issue 13): named, coded, pure checks over plain household data.

Import this package to get every rule registered in :data:`RULES` (definition order: group by
group). ``services.quality`` builds :class:`HouseholdData` from the database and runs them.
"""

from __future__ import annotations

from fanpin_desktop.domain.rules import guarantees, identity, income, members  # noqa: F401  (registers the rules)
from fanpin_desktop.domain.rules.base import (
    ERROR,
    GROUPS,
    REMINDER,
    RULES,
    RULES_BY_CODE,
    SEVERITIES,
    Finding,
    Rule,
    RuleContext,
    base_id,
    duplicates_of,
    rule,
    run_rules,
)
from fanpin_desktop.domain.rules.data import (
    CaseData,
    ContactData,
    HouseholdData,
    IncomeData,
    MeasureData,
    MemberData,
    RiskData,
    StepData,
)

__all__ = [
    "ERROR",
    "GROUPS",
    "REMINDER",
    "RULES",
    "RULES_BY_CODE",
    "SEVERITIES",
    "CaseData",
    "ContactData",
    "Finding",
    "HouseholdData",
    "IncomeData",
    "MeasureData",
    "MemberData",
    "RiskData",
    "Rule",
    "RuleContext",
    "StepData",
    "base_id",
    "duplicates_of",
    "rule",
    "run_rules",
]
