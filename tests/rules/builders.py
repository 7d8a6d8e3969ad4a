"""A clean household that breaks no rule, small ways to change it, and the two assertions every
rule test makes (the broken household gives a finding naming the record; the other gives none)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from fanpin_desktop.domain import ids
from fanpin_desktop.domain.rules import (
    CaseData,
    ContactData,
    Finding,
    HouseholdData,
    IncomeData,
    MeasureData,
    MemberData,
    RiskData,
    RuleContext,
    duplicates_of,
    run_rules,
)

TODAY = dt.date(2026, 6, 15)
D = dt.date
CODE = "341523001"


def member(
    mid: int,
    name: str,
    relation: str,
    sex: str,
    birth: dt.date,
    seq: int | None = None,
    **kw: object,
) -> MemberData:
    values: dict = {
        "id_number": ids.make_id("341523", birth, seq or mid, sex == "女"),
        "health": "健康",
        "labour_skill": "普通劳动力",
        "education": "初中",
        "ins_resident_medical": True,
    }
    values.update(kw)
    return MemberData(id=mid, name=name, relation=relation, sex=sex, birth_date=birth, **values)


def head() -> MemberData:
    return member(
        1, "王建国", "户主", "男", D(1980, 5, 1), work_status="省外务工", work_months=10, phone="13800138000"
    )


def spouse() -> MemberData:
    return member(2, "李秀英", "配偶", "女", D(1982, 3, 1))


def son() -> MemberData:
    return member(
        3, "王小明", "之子", "男", D(2012, 9, 1), labour_skill="无劳动力", education=None, schooling="七年级"
    )


def measure(
    mid: int, category: str, development: bool = False, start: dt.date | None = D(2026, 2, 1)
) -> MeasureData:
    return MeasureData(id=mid, category=category, is_development=development, start_date=start)


def monitored_case(**kw: object) -> CaseData:
    values: dict = {
        "id": 10,
        "status": "已纳入",
        "clue_date": D(2026, 1, 5),
        "category": "边缘易致贫户",
        "source": "干部走访",
        "identified_on": D(2026, 1, 20),
        "risks": (RiskData("因病"),),
        "measures": (measure(100, "健康帮扶"), measure(101, "就业帮扶", True)),
        "contacts": (ContactData("赵干部", "13900139000"),),
        "visits": (D(2026, 5, 10), D(2026, 6, 1)),
        "reviewed_on": D(2026, 4, 20),
    }
    values.update(kw)
    return CaseData(**values)


def eliminated_case(**kw: object) -> CaseData:
    values: dict = {
        "id": 20,
        "status": "已消除",
        "clue_date": D(2024, 12, 20),
        "identified_on": D(2025, 1, 10),
        "eliminated_on": D(2025, 12, 10),
        "elimination_mode": "帮扶消除",
        "visits": (D(2025, 11, 1),),
    }
    values.update(kw)
    return monitored_case(**values)


def income(**kw: object) -> IncomeData:
    values: dict = {
        "year": 2025,
        "wage": Decimal(30000),
        "business": Decimal(5000),
        "transfer": Decimal(2000),
        "business_cost": Decimal(1000),
        "people_count": 3,
    }
    values.update(kw)
    return IncomeData(**values)  # per capita 12000.00


def household(**kw: object) -> HouseholdData:
    """王建国户: three people, one monitored case with everything in order, income above the threshold."""
    values: dict = {
        "id": 1,
        "code": CODE,
        "village": "青山村",
        "household_type": "一般农户",
        "phone": "13800138000",
        "members": (head(), spouse(), son()),
        "income": income(),
        "threshold": Decimal(8000),
        "cases": (monitored_case(),),
    }
    values.update(kw)
    return HouseholdData(**values)


def replace_member(h: HouseholdData, mid: int, **kw: object) -> HouseholdData:
    return dataclasses.replace(
        h, members=tuple(dataclasses.replace(m, **kw) if m.id == mid else m for m in h.members)
    )


def with_members(h: HouseholdData, *extra: MemberData) -> HouseholdData:
    return dataclasses.replace(h, members=h.members + extra)


def replace_case(h: HouseholdData, **kw: object) -> HouseholdData:
    return dataclasses.replace(h, cases=tuple(dataclasses.replace(c, **kw) for c in h.cases))


def ctx(households: tuple[HouseholdData, ...] = (), today: dt.date = TODAY) -> RuleContext:
    return RuleContext(today=today, duplicates=duplicates_of(households))


def findings(code: str, h: HouseholdData, context: RuleContext | None = None) -> list[Finding]:
    return list(run_rules([h], context or ctx((h,)), codes=[code]))


def assert_breaks(
    code: str,
    h: HouseholdData,
    member_id: int | None = None,
    case_id: int | None = None,
    context: RuleContext | None = None,
) -> Finding:
    found = findings(code, h, context)
    assert found, f"{code} found nothing"
    f = found[0]
    assert f.rule_code == code
    assert f.household_id == h.id
    assert h.head_name in f.message and (h.code or "") in f.message, f.message
    if member_id is not None:
        m = next(m for m in h.members if m.id == member_id)
        assert f.member_id == member_id and m.name in f.message, f
    if case_id is not None:
        assert f.case_id == case_id, f
    assert isinstance(f.data_key, str)  # may be "" when what the rule looked at is an empty field
    return f


def assert_passes(code: str, h: HouseholdData, context: RuleContext | None = None) -> None:
    found = findings(code, h, context)
    assert not found, found


def case(code: str, broken: HouseholdData, ok: HouseholdData, **where: object):
    """One parametrised rule test: ``broken`` gives a finding of ``code`` (about ``where``), ``ok`` none."""
    import pytest

    return pytest.param(code, broken, ok, where, id=code)


def check_breaks(code: str, broken: HouseholdData, where: dict) -> Finding:
    return assert_breaks(code, broken, **where)


def check_passes(code: str, ok: HouseholdData, where: dict) -> None:
    context = where.get("context")
    assert_passes(code, ok, context if context is None else ctx((ok,), context.today))


def bad_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")
