"""Plain, frozen input data for the data-quality rules (built from the database by services.quality).

Field names follow the models (``models.household``, ``models.monitoring``) so a service can fill
them attribute by attribute; text fields may be ``None`` (read as empty by the rules).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class MemberData:
    id: int | None
    name: str
    relation: str | None = None  # 与户主关系
    sex: str | None = None
    birth_date: dt.date | None = None
    id_type: str | None = "居民身份证"
    id_number: str | None = None
    education: str | None = None  # 文化程度
    schooling: str | None = None  # 在校生状况
    health: str | None = None  # 健康状况, several joined by "、"
    disability_category: str | None = None
    disability_grade: str | None = None
    labour_skill: str | None = None  # 劳动技能
    work_status: str | None = None  # 务工状况
    work_months: int | None = None  # 务工时间（月）
    public_post_type: str | None = None
    phone: str | None = None
    ins_resident_medical: bool = False  # 城乡居民基本医疗保险
    ins_employee_medical: bool = False  # 职工基本医疗保险
    dibao: bool = False
    tekun: bool = False


@dataclass(frozen=True)
class IncomeData:
    """The household's latest income record (``models.IncomeRecord``)."""

    year: int
    wage: Decimal = Decimal(0)
    business: Decimal = Decimal(0)
    property_income: Decimal = Decimal(0)
    transfer: Decimal = Decimal(0)
    business_cost: Decimal = Decimal(0)
    claims_income: Decimal = Decimal(0)
    rigid_spending: Decimal = Decimal(0)
    people_count: int | None = None  # None = the current member count
    period_start: dt.date | None = None
    period_end: dt.date | None = None


@dataclass(frozen=True)
class RiskData:
    risk_type: str
    subtype: str | None = None


@dataclass(frozen=True)
class MeasureData:
    id: int | None
    category: str
    is_development: bool = False
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    member_id: int | None = None


@dataclass(frozen=True)
class ContactData:
    name: str
    phone: str | None = None
    role: str | None = "帮扶联系人"


@dataclass(frozen=True)
class StepData:
    procedure: str  # 识别 / 消除 / 回退
    step: str  # 农户申请 / 入户核实 / … / 县级审定 / 系统录入
    done_on: dt.date


@dataclass(frozen=True)
class CaseData:
    """One monitoring case (``models.MonitoringCase``) with what the rules look at."""

    id: int
    status: str  # 线索 / 识别中 / 已纳入 / 消除中 / 已消除 / 不纳入 / 已回退
    clue_date: dt.date | None = None
    category: str | None = None  # 脱贫不稳定户 / 边缘易致贫户 / 突发严重困难户
    source: str | None = None
    identified_on: dt.date | None = None
    eliminated_on: dt.date | None = None
    elimination_mode: str | None = None  # 帮扶消除 / 自然消除
    rolled_back_on: dt.date | None = None
    no_labour: bool = False  # 整户无劳动能力
    reviewed_on: dt.date | None = None
    risks: tuple[RiskData, ...] = ()  # in order (position)
    measures: tuple[MeasureData, ...] = ()
    contacts: tuple[ContactData, ...] = ()
    visits: tuple[dt.date, ...] = ()  # visited_on of each 走访记录
    steps: tuple[StepData, ...] = ()

    @property
    def risk_types(self) -> tuple[str, ...]:
        return tuple(r.risk_type for r in self.risks)

    @property
    def measure_categories(self) -> frozenset[str]:
        return frozenset(m.category for m in self.measures)


@dataclass(frozen=True)
class HouseholdData:
    id: int
    code: str | None = None  # 户编号
    village: str | None = None
    group: str | None = None
    household_type: str | None = "一般农户"  # 脱贫户 / 监测户 / 一般农户
    phone: str | None = None
    poverty_exit_year: int | None = None
    members: tuple[MemberData, ...] = ()
    income: IncomeData | None = None  # the latest income record
    threshold: Decimal | None = None  # the monitoring threshold (监测范围) of income.year
    national_per_capita_income: Decimal | None = None  # 人均纯收入 as the national system reports it
    national_income_year: int | None = None
    cases: tuple[CaseData, ...] = field(default=())  # oldest first

    @property
    def head(self) -> MemberData | None:
        return next((m for m in self.members if (m.relation or "").strip() == "户主"), None)

    @property
    def head_name(self) -> str:
        head = self.head
        return head.name if head else (self.members[0].name if self.members else "")

    @property
    def label(self) -> str:
        """How messages name the household: 户主 name and 户编号."""
        name = self.head_name or "（无户主）"
        return f"{name}户（户编号{self.code}）" if self.code else f"{name}户"
