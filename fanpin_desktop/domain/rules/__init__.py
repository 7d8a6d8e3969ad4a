"""Data-quality rules (issue 13): named, coded, pure checks over plain household data.

Import this package to get every rule registered in :data:`RULES` (group by group, in
definition order within a group). ``services.quality`` builds :class:`HouseholdData` from the database and runs them.
"""

from __future__ import annotations

from fanpin_desktop.domain.rules import (  # noqa: F401  (registers the rules)
    cases,
    elimination,
    guarantees,
    identity,
    income,
    measures,
    members,
)
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

# group by group (身份信息 first), definition order within a group
RULES.sort(key=lambda r: GROUPS.index(r.group))

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
