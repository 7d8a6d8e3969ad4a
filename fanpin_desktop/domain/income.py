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


# --------------------------------------------------------------------------- plausibility
#
# An income is never negative (a loss is entered as 生产经营性支出), and figures far beyond what a
# rural household earns are usually typing slips: an extra 0, or the amount typed in 分 instead of
# 元. Those are warnings the clerk confirms, not refusals: a rare household does earn that much.

#: 人均纯收入 above this (元 a year) is asked about
PER_CAPITA_PLAUSIBLE_MAX = Decimal("200000")
#: one household amount (an income item, the household's total) above this (元 a year) is asked about
AMOUNT_PLAUSIBLE_MAX = Decimal("1000000")
TYPO_HINT = "请核实是否多输了0，或误按“分”填写（金额单位为元）"
#: why a negative income is refused (after the label and the value)
NEGATIVE_REASON = "不能为负数，请核对（没有收入请填0）"


def _yuan(amount: Decimal) -> str:
    return f"{amount:.2f}".rstrip("0").rstrip(".")


def negative_amount(label: str, value: object) -> str | None:
    """The refusal for a negative income or cost (None when it is not negative)."""
    amount = _d(value)
    if amount < 0:
        return (
            f"{label}：不能为负数（填的是{_yuan(amount)}元）；没有这项收入请填0，亏损请填在生产经营性支出中"
        )
    return None


def implausible_per_capita(label: str, value: object) -> str | None:
    """The warning for a 人均纯收入 far above what a rural household earns (None when plausible)."""
    amount = _d(value)
    if amount > PER_CAPITA_PLAUSIBLE_MAX:
        return f"{label}：{_yuan(amount)}元，年人均超过{_yuan(PER_CAPITA_PLAUSIBLE_MAX)}元，明显偏高；{TYPO_HINT}"
    return None


def implausible_amount(label: str, value: object) -> str | None:
    """The warning for one household amount (an item or a total) far above the usual."""
    amount = _d(value)
    if amount > AMOUNT_PLAUSIBLE_MAX:
        return f"{label}：{_yuan(amount)}元，超过{_yuan(AMOUNT_PLAUSIBLE_MAX)}元，明显偏高；{TYPO_HINT}"
    return None


def negative_net(label: str, net: object) -> str | None:
    """The warning for a 家庭纯收入 below 0 (costs above the four incomes)."""
    amount = _d(net)
    if amount < 0:
        return f"{label}：家庭纯收入为负数（{_yuan(amount)}元，生产经营性支出大于各项收入之和），请核实"
    return None
