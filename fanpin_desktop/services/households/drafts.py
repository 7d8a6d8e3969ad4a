"""The editor's plain dataclasses (``HouseholdDraft``, ``MemberDraft``, ``IncomeDraft``).

The editor loads a draft, changes it freely without a Session, and ``saving.save_household``
validates and stores it in one unit of work. The operations here that take no session
(``set_head``, ``income_totals``) work on a draft alone.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, selectinload

from fanpin_desktop.domain.income import IncomeTotals, totals
from fanpin_desktop.models import Household, IncomeRecord, Member
from fanpin_desktop.services.households.constants import HEAD, MONEY_FIELDS
from fanpin_desktop.services.households.errors import RegistryError

# --------------------------------------------------------------------------- drafts

_keys = itertools.count(1)


def _next_key() -> int:
    return next(_keys)


@dataclass
class MemberDraft:
    """One member as the editor holds it. ``id`` is None for a member not saved yet."""

    id: int | None = None
    key: int = field(default_factory=_next_key)  # identity inside the editor
    code: str = ""  # 人编号
    name: str = ""
    id_type: str = "居民身份证"
    id_number: str = ""
    relation: str = ""
    sex: str | None = None
    birth_date: dt.date | None = None
    ethnicity: str | None = "汉族"
    political_status: str | None = None
    education: str | None = None
    schooling: str | None = None
    health: str | None = None  # several joined by "、"
    disability_category: str | None = None
    disability_grade: str | None = None
    disability_cert_no: str | None = None
    labour_skill: str | None = None
    work_status: str | None = None
    work_place: str | None = None
    work_months: int | None = None
    work_employer: str | None = None
    public_post_type: str | None = None
    public_post_months: int | None = None
    ins_resident_medical: bool = False
    ins_employee_medical: bool = False
    ins_critical_illness: bool = False
    ins_commercial: bool = False
    medical_assistance: bool = False
    pension_resident: bool = False
    pension_employee: bool = False
    dibao: bool = False
    tekun: bool = False
    phone: str | None = None
    note: str | None = None
    # A pending move to another household, applied on save.
    move_to_household_id: int | None = None
    move_relation: str | None = None

    @property
    def health_items(self) -> list[str]:
        return [p for p in (self.health or "").split("、") if p]

    def label(self, position: int | None = None) -> str:
        name = self.name.strip() or "（未填姓名）"
        return f"第{position}名成员“{name}”" if position else f"成员“{name}”"


@dataclass
class IncomeDraft:
    id: int | None = None
    key: int = field(default_factory=_next_key)
    year: int = 0
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    wage: Decimal = Decimal(0)
    business: Decimal = Decimal(0)
    property_income: Decimal = Decimal(0)
    transfer: Decimal = Decimal(0)
    business_cost: Decimal = Decimal(0)
    claims_income: Decimal = Decimal(0)
    rigid_spending: Decimal = Decimal(0)
    people_count: int | None = None  # None = the household's current member count
    note: str | None = None


@dataclass
class HouseholdDraft:
    id: int | None = None
    code: str = ""
    village_id: int | None = None
    group_id: int | None = None
    natural_village_id: int | None = None
    address: str = ""
    phone: str = ""
    household_type: str = "一般农户"
    poverty_exit_year: int | None = None
    relocated: bool = False
    relocation_site: str = ""
    military_family: bool = False
    urban_registered: bool = False
    bank_account_note: str = ""
    note: str = ""
    members: list[MemberDraft] = field(default_factory=list)
    incomes: list[IncomeDraft] = field(default_factory=list)

    @property
    def staying_members(self) -> list[MemberDraft]:
        """Members that remain in this household after pending moves."""
        return [m for m in self.members if m.move_to_household_id is None]

    @property
    def head(self) -> MemberDraft | None:
        return next((m for m in self.staying_members if m.relation == HEAD), None)

    def member(self, key: int) -> MemberDraft:
        for m in self.members:
            if m.key == key:
                return m
        raise KeyError(key)

    def copy(self) -> HouseholdDraft:
        return copy.deepcopy(self)


_HOUSEHOLD_FIELDS = [
    f.name for f in dataclasses.fields(HouseholdDraft) if f.name not in ("id", "members", "incomes")
]
_MEMBER_FIELDS = [
    f.name
    for f in dataclasses.fields(MemberDraft)
    if f.name not in ("id", "key", "move_to_household_id", "move_relation")
]
_INCOME_FIELDS = [f.name for f in dataclasses.fields(IncomeDraft) if f.name not in ("id", "key")]
_BLANK_AS_NONE_HOUSEHOLD = {"code", "address", "phone", "relocation_site", "bank_account_note", "note"}


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def new_household_draft(village_id: int | None = None, group_id: int | None = None) -> HouseholdDraft:
    return HouseholdDraft(village_id=village_id, group_id=group_id)


def new_member_draft(relation: str = "") -> MemberDraft:
    return MemberDraft(relation=relation)


def default_income_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The 12 months before this month (seed 000: a May screening counts May–April)."""
    today = today or dt.date.today()
    end = today.replace(day=1) - dt.timedelta(days=1)
    start = dt.date(end.year, 1, 1) if end.month == 12 else dt.date(end.year - 1, end.month + 1, 1)
    return start, end


def new_income_draft(today: dt.date | None = None) -> IncomeDraft:
    start, end = default_income_period(today)
    return IncomeDraft(year=end.year, period_start=start, period_end=end)


def _member_to_draft(m: Member) -> MemberDraft:
    draft = MemberDraft(id=m.id)
    for name in _MEMBER_FIELDS:
        value = getattr(m, name)
        if name in ("code", "name", "id_number", "relation", "id_type") and value is None:
            value = ""
        setattr(draft, name, value)
    return draft


def _income_to_draft(r: IncomeRecord) -> IncomeDraft:
    draft = IncomeDraft(id=r.id)
    for name in _INCOME_FIELDS:
        value = getattr(r, name)
        if name in MONEY_FIELDS:
            value = Decimal(value or 0)
        setattr(draft, name, value)
    return draft


def load_household(session: Session, household_id: int) -> HouseholdDraft:
    """The household with its members and income records, detached from the session."""
    h = session.get(
        Household,
        household_id,
        options=[selectinload(Household.members), selectinload(Household.incomes)],
    )
    if h is None:
        raise RegistryError(f"户（编号{household_id}）不存在，可能已被删除")
    draft = HouseholdDraft(id=h.id)
    for name in _HOUSEHOLD_FIELDS:
        value = getattr(h, name)
        if name in _BLANK_AS_NONE_HOUSEHOLD and value is None:
            value = ""
        setattr(draft, name, value)
    draft.members = [_member_to_draft(m) for m in h.members]
    draft.incomes = [_income_to_draft(r) for r in h.incomes]
    return draft


# --------------------------------------------------------------------------- draft operations (no session)


def set_head(draft: HouseholdDraft, new_head_key: int, old_head_relation: str) -> None:
    """Make a member the head; the previous head takes ``old_head_relation`` (chosen by the clerk)."""
    new_head = draft.member(new_head_key)
    if new_head.move_to_household_id is not None:
        raise RegistryError(f"{new_head.label()}将迁往其他户，不能设为户主")
    if new_head.relation == HEAD:
        return
    if not old_head_relation or old_head_relation == HEAD:
        raise RegistryError("原户主的新关系：必须选择一个不是“户主”的关系")
    for m in draft.staying_members:
        if m.relation == HEAD:
            m.relation = old_head_relation
    new_head.relation = HEAD
    # The head is listed first, as on every national form.
    draft.members.remove(new_head)
    draft.members.insert(0, new_head)


def income_totals(record: IncomeDraft, member_count: int) -> IncomeTotals:
    """家庭纯收入 and 人均纯收入 of one record (people = its own count, else the members now)."""
    people = record.people_count if record.people_count else member_count
    return totals(
        record.wage, record.business, record.property_income, record.transfer, record.business_cost, people
    )
