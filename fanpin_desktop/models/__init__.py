"""SQLAlchemy mapped classes: every entity of DOMAIN.md §2."""

from fanpin_desktop.models.accounts import Account
from fanpin_desktop.models.base import Audited, Base
from fanpin_desktop.models.exchange import NationalExport, NationalExportRecord
from fanpin_desktop.models.household import Household, IncomeRecord, Member
from fanpin_desktop.models.monitoring import (
    CaseRisk,
    CaseStep,
    Contact,
    DepartmentWarning,
    Measure,
    MonitoringCase,
    Visit,
)
from fanpin_desktop.models.quality import QualityExemption
from fanpin_desktop.models.region import Grid, NaturalVillage, Village, VillageGroup
from fanpin_desktop.models.screening import (
    Campaign,
    HouseholdScreening,
    Problem,
    StatsSnapshot,
    Threshold,
    VillageScreening,
    VillageStatsInput,
)
from fanpin_desktop.models.system import (
    AuditEntry,
    CalendarDay,
    CalendarYear,
    ExportBatch,
    ExportBatchItem,
    ImportMapping,
    RuleExemption,
    Setting,
)
from fanpin_desktop.models.warnings import CountyProblem, ListImport

__all__ = [
    "Account",
    "Audited",
    "Base",
    "NationalExport",
    "NationalExportRecord",
    "Household",
    "IncomeRecord",
    "Member",
    "CaseRisk",
    "CaseStep",
    "Contact",
    "DepartmentWarning",
    "Measure",
    "MonitoringCase",
    "Visit",
    "QualityExemption",
    "Grid",
    "NaturalVillage",
    "Village",
    "VillageGroup",
    "Campaign",
    "HouseholdScreening",
    "Problem",
    "StatsSnapshot",
    "Threshold",
    "VillageScreening",
    "VillageStatsInput",
    "AuditEntry",
    "CalendarDay",
    "CalendarYear",
    "ExportBatch",
    "ExportBatchItem",
    "ImportMapping",
    "RuleExemption",
    "Setting",
    "CountyProblem",
    "ListImport",
]
