"""Income arithmetic (DOMAIN.md §2): 家庭纯收入 and 人均纯收入."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class IncomeTotals:
    gross: Decimal  # the four incomes
    net: Decimal  # 家庭纯收入 = four incomes − 生产经营性支出
    per_capita: Decimal | None  # 人均纯收入 = 家庭纯收入 ÷ 家庭人口数


def _d(value: object) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def totals(
    wage: object,
    business: object,
    property_income: object,
    transfer: object,
    business_cost: object,
    people: int,
) -> IncomeTotals:
    gross = _d(wage) + _d(business) + _d(property_income) + _d(transfer)
    net = (gross - _d(business_cost)).quantize(CENT, ROUND_HALF_UP)
    per_capita = (net / people).quantize(CENT, ROUND_HALF_UP) if people > 0 else None
    return IncomeTotals(gross.quantize(CENT, ROUND_HALF_UP), net, per_capita)


#: where a household's 人均纯收入 comes from
SOURCE_LOCAL = "收入记录"
SOURCE_NATIONAL = "全国系统"


def use_local_income(
    local_year: int | None,
    local_per_capita: Decimal | None,
    national_year: int | None,
    national: Decimal | None,
) -> bool:
    """Which 人均纯收入 counts (the case list, the elimination checks, the rules): the latest local
    income record when it has an amount and its year is not older than the national system's
    figure; else the national figure when there is one; else the local record (even without an
    amount)."""
    if national is None or national_year is None:
        return True
    return local_per_capita is not None and local_year is not None and local_year >= national_year
