"""The latest 人均纯收入 of households and that year's monitoring threshold.

One rule for every place that asks (the case editor's header, the elimination refusals, the 待办's
可申请消除 and overdue rules, the roster export):

* the **local** figure is the household's income record of the latest period (by period start):
  its 纯收入 divided by its 家庭人口数 (the current member count when the record has none);
* the **national** figure is ``Household.national_per_capita_income`` for
  ``national_income_year``, as the last roster import read it from the national export;
* the local figure wins when its year is the national year or later (the clerk's own, more
  detailed record of the same or a newer year); otherwise — no local record, an older one, or a
  record whose per-capita income cannot be computed because nobody is counted — the national one.

Thresholds: :class:`ThresholdCache` — the row for the township's threshold region (settings), else
the national (全国) row of that year, read once per year asked. ``campaigns.threshold_for`` gives
the same answer (it reads the same setting and calls the same ``thresholds.threshold_for``) but
reads the settings again on every call; the cache reads them once, which matters for the 待办's
many cases.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fanpin_desktop.domain.income import SOURCE_LOCAL, SOURCE_NATIONAL, totals, use_local_income
from fanpin_desktop.models import Household, IncomeRecord, Member
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services import thresholds as threshold_service
from fanpin_desktop.services.households.constants import SQL_CHUNK


@dataclass(frozen=True, slots=True)
class LatestIncome:
    """A household's latest 人均纯收入: its year, the amount (None when a local record counts
    nobody) and where it comes from (:data:`SOURCE_LOCAL` or :data:`SOURCE_NATIONAL`)."""

    year: int
    per_capita: Decimal | None
    source: str


def pick_income(
    local: LatestIncome | None, national_year: int | None, national: Decimal | None
) -> LatestIncome | None:
    """The rule: the local record when its year >= the national year (and it has an amount),
    else the national figure, else whatever local record there is."""
    if use_local_income(
        local.year if local else None, local.per_capita if local else None, national_year, national
    ):
        return local
    return LatestIncome(national_year, Decimal(national), SOURCE_NATIONAL)


def _chunks(values: Sequence[int]) -> list[Sequence[int]]:
    return [values[i : i + SQL_CHUNK] for i in range(0, len(values), SQL_CHUNK)]


_INCOME_COLUMNS = (
    IncomeRecord.household_id,
    IncomeRecord.year,
    IncomeRecord.wage,
    IncomeRecord.business,
    IncomeRecord.property_income,
    IncomeRecord.transfer,
    IncomeRecord.business_cost,
    IncomeRecord.people_count,
)
_INCOME_ORDER = (IncomeRecord.household_id, IncomeRecord.period_start, IncomeRecord.id)


def _latest_by_household(rows: Iterable[Any], sizes: Mapping[int, int]) -> dict[int, LatestIncome]:
    out: dict[int, LatestIncome] = {}
    for hid, year, wage, business, prop, transfer, cost, people in rows:  # ordered: the last one wins
        t = totals(wage, business, prop, transfer, cost, people or sizes.get(hid, 0))
        out[hid] = LatestIncome(year, t.per_capita, SOURCE_LOCAL)
    return out


def local_incomes(session: Session, household_ids: Sequence[int]) -> dict[int, LatestIncome]:
    """household id → its latest income record's per-capita income (by period start), in bulk."""
    out: dict[int, LatestIncome] = {}
    for chunk in _chunks(list(dict.fromkeys(household_ids))):
        sizes = dict(
            session.execute(
                select(Member.household_id, func.count(Member.id))
                .where(Member.household_id.in_(chunk))
                .group_by(Member.household_id)
            ).all()
        )
        rows = session.execute(
            select(*_INCOME_COLUMNS).where(IncomeRecord.household_id.in_(chunk)).order_by(*_INCOME_ORDER)
        ).all()
        out.update(_latest_by_household(rows, sizes))
    return out


def all_local_incomes(session: Session, sizes: Mapping[int, int]) -> dict[int, LatestIncome]:
    """:func:`local_incomes` of every household in one query; ``sizes`` are the member counts
    (household id → members), which the roster import has already read."""
    return _latest_by_household(session.execute(select(*_INCOME_COLUMNS).order_by(*_INCOME_ORDER)), sizes)


def national_update(
    stored: Decimal | None,
    stored_year: int | None,
    local: LatestIncome | None,
    amount: Decimal | None,
    year: int,
) -> tuple[Decimal, int] | None:
    """What a roster import stores as the national figure (amount, year), or None for nothing.

    Nothing when the file gives no amount (a blank cell does not erase the stored figure), when
    the amount is the stored national one (the year alone never changes it: the national system
    carries a household's figure over until its next income survey, so the first year it was seen
    stays), or when it is the local figure that is shown now (a roster exported from here and
    imported again changes nothing). Otherwise the file's amount for ``year``."""
    if amount is None:
        return None
    if stored is not None and Decimal(stored) == amount:
        return None
    shown = pick_income(local, stored_year, stored)
    if shown is not None and shown.per_capita == amount:
        return None
    return amount, year


def latest_incomes(session: Session, household_ids: Sequence[int]) -> dict[int, LatestIncome]:
    """household id → its latest 人均纯收入 by the rule above (households with neither a local
    record nor a national figure are left out). A handful of queries per 500 households."""
    ids = list(dict.fromkeys(household_ids))
    local = local_incomes(session, ids)
    out: dict[int, LatestIncome] = {}
    national: dict[int, tuple[int | None, Decimal | None]] = {}
    for chunk in _chunks(ids):
        for hid, amount, year in session.execute(
            select(Household.id, Household.national_per_capita_income, Household.national_income_year).where(
                Household.id.in_(chunk), Household.national_per_capita_income.is_not(None)
            )
        ).all():
            national[hid] = (year, amount)
    for hid in ids:
        year, amount = national.get(hid, (None, None))
        found = pick_income(local.get(hid), year, amount)
        if found is not None:
            out[hid] = found
    return out


def latest_income(session: Session, household_id: int) -> LatestIncome | None:
    """One household's :func:`latest_incomes`."""
    return latest_incomes(session, [household_id]).get(household_id)


class ThresholdCache:
    """Thresholds by year for the township's region (settings), else 全国, read once per year."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._region = settings_service.load(session).threshold_region
        self._by_year: dict[int, Decimal | None] = {}

    def __call__(self, year: int) -> Decimal | None:
        if year not in self._by_year:
            row = threshold_service.threshold_for(self._session, year, self._region)
            self._by_year[year] = Decimal(row.amount) if row is not None else None
        return self._by_year[year]
