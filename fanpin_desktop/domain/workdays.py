"""The working-day calendar: which dates are 工作日 in mainland China, and date arithmetic over them.

For the years the bundled ``chinese_calendar`` package knows (the State Council's yearly notice on
holidays, 放假 and 调休上班), it is the authority. For a year it does not know, the clerk enters
that year's 放假 days and 调休上班 (make-up working) days in 系统设置 → 节假日 and marks the year as
entered; until then every question about a date in that year is refused with a ``UserError`` that
names the year and says where to enter it. A wrong deadline printed on a notice is worse than a
refusal, so the calendar never guesses "Monday to Friday" for a year nobody has described.

Conventions (used by 公示 and every "working days" rule):

- ``add_working_days(start, n)`` is the n-th working day *after* ``start``; ``start`` itself is not
  counted (n = 0 gives ``start``).
- ``period_end(start, days, working_days=True)`` is the last day of a period that *begins on*
  ``start``: the start day counts as day 1 when it is a working day, otherwise day 1 is the next
  working day. 公示 of 5 working days starting on a Monday (with no holiday) ends that Friday;
  started on a Saturday, it runs Monday to Friday. In calendar days the start day is always day 1:
  5 calendar days from Monday also end on Friday.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import chinese_calendar

from fanpin_desktop.errors import UserError

#: kinds of day the clerk enters for a year the package does not know
HOLIDAY = "放假"
MAKEUP_WORKDAY = "调休上班"
DAY_KINDS = (HOLIDAY, MAKEUP_WORKDAY)

#: where the clerk enters a year's holidays (named in every refusal)
WHERE_TO_ENTER = "系统设置 → 节假日"

#: a working-day period never needs more than this many days to find its working days; a loop
#: that gets this far is looking at a calendar entered wrongly (a year of nothing but 放假)
_MAX_SCAN_DAYS = 366


@functools.cache
def package_knows(year: int) -> bool:
    """Whether the installed ``chinese_calendar`` has the holiday notice of ``year``.

    Asked through the package's public ``is_workday``, which raises ``NotImplementedError`` for a
    year outside its data, rather than read from its private tables, so a newer release that adds
    years (or changes how it stores them) is followed without a change here.
    """
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def package_years() -> list[int]:
    """The years ``chinese_calendar`` knows (2004–2026 in release 1.11.0), looked for from 1990
    to ten years ahead."""
    return [year for year in range(1990, dt.date.today().year + 11) if package_knows(year)]


class UnknownHolidayYear(UserError):
    """A date in a year whose holidays are known neither to the package nor from the clerk."""

    def __init__(self, year: int, *, partly_entered: bool = False) -> None:
        if partly_entered:
            detail = f"{year}年的节假日已录入一部分，但尚未标记“已录完”"
        else:
            detail = f"程序不知道{year}年的法定节假日和调休上班日"
        super().__init__(
            f"{detail}，无法按工作日计算{year}年的日期。请在“{WHERE_TO_ENTER}”中录入{year}年"
            f"国务院办公厅通知的放假日和调休上班日，并标记该年已录完，然后再计算。"
        )
        self.year = year


@dataclass(frozen=True)
class WorkdayCalendar:
    """Answers "is this a working day" for any date it has data for, and refuses the others.

    ``entered`` holds the clerk's days (date → ``HOLIDAY`` or ``MAKEUP_WORKDAY``) and
    ``completed_years`` the years the clerk has marked as fully entered. Entered days are used only
    for years the package does not know: for its own years the package is the authority (so
    entries made before a program update that brought the official data are simply superseded).
    """

    entered: Mapping[dt.date, str] = field(default_factory=dict)
    completed_years: frozenset[int] = frozenset()

    @classmethod
    def of(cls, days: Mapping[dt.date, str] | None = None, years: Iterable[int] = ()) -> WorkdayCalendar:
        return cls(dict(days or {}), frozenset(years))

    def knows(self, year: int) -> bool:
        """Whether dates of ``year`` can be answered (by the package or by the clerk's entries)."""
        return package_knows(year) or year in self.completed_years

    def check_year(self, year: int) -> None:
        """Raise ``UnknownHolidayYear`` unless dates of ``year`` can be answered."""
        if not self.knows(year):
            partly = any(day.year == year for day in self.entered)
            raise UnknownHolidayYear(year, partly_entered=partly)

    def is_working_day(self, day: dt.date) -> bool:
        if package_knows(day.year):
            return bool(chinese_calendar.is_workday(day))
        self.check_year(day.year)
        kind = self.entered.get(day)
        if kind == MAKEUP_WORKDAY:
            return True
        if kind == HOLIDAY:
            return False
        return day.weekday() < 5

    def next_working_day(self, day: dt.date, *, include: bool = False) -> dt.date:
        """The first working day after ``day`` (or ``day`` itself when ``include`` and it works)."""
        current = day if include else day + dt.timedelta(days=1)
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_working_day(current):
                return current
            current += dt.timedelta(days=1)
        raise UserError(f"从{day.isoformat()}起一年内找不到工作日，请检查“{WHERE_TO_ENTER}”中录入的放假日。")


def add_calendar_days(start: dt.date, days: int) -> dt.date:
    """``start`` plus ``days`` calendar days (``days`` may be 0; negative is a bug)."""
    if days < 0:
        raise ValueError(f"negative day count: {days}")
    return start + dt.timedelta(days=days)


def add_working_days(calendar: WorkdayCalendar, start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start``; ``start`` itself is not counted."""
    if days < 0:
        raise ValueError(f"negative day count: {days}")
    current = start
    for _ in range(days):
        current = calendar.next_working_day(current)
    return current


def period_end(calendar: WorkdayCalendar, start: dt.date, days: int, *, working_days: bool) -> dt.date:
    """The last day of a period of ``days`` days that begins on ``start`` (see the module's
    conventions: the start day is day 1 if it counts; a working-day period started on a rest day
    begins on the next working day)."""
    if days < 1:
        raise ValueError(f"a period lasts at least one day, not {days}")
    if not working_days:
        return start + dt.timedelta(days=days - 1)
    first = calendar.next_working_day(start, include=True)
    return add_working_days(calendar, first, days - 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; a day the later month lacks becomes its last day
    (2025-08-31 + 6 months = 2026-02-28), so "six months after" is never earlier than meant
    by more than the month's shortfall and never spills into the month after."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    next_month_first = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = (next_month_first - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))
