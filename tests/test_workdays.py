"""The working-day calendar: 公示 across real holidays, and years the package does not know."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from fanpin_desktop.domain import workdays
from fanpin_desktop.domain.workdays import (
    HOLIDAY,
    MAKEUP_WORKDAY,
    UnknownHolidayYear,
    WorkdayCalendar,
    add_working_days,
    period_end,
)
from fanpin_desktop.errors import UserError

D = dt.date.fromisoformat
BUILTIN = WorkdayCalendar()
#: a year no release of chinese_calendar will know for a while
FAR = 2031


def test_package_years_are_one_range_including_2025_and_2026():
    years = workdays.package_years()
    assert years == list(range(years[0], years[-1] + 1))
    assert {2025, 2026} <= set(years)
    assert FAR not in years


def test_national_day_2025_as_the_package_has_it():
    # The State Council's notice: 1–8 October off, Sunday 28 September and Saturday 11 October worked.
    for day in ("2025-10-01", "2025-10-04", "2025-10-08"):
        assert chinese_calendar.is_holiday(D(day)) and not BUILTIN.is_working_day(D(day))
    for day in ("2025-09-28", "2025-10-11"):
        assert D(day).weekday() >= 5
        assert chinese_calendar.is_workday(D(day)) and BUILTIN.is_working_day(D(day))


def test_spring_festival_2026_as_the_package_has_it():
    # 15–23 February off; Saturday 14 February and Saturday 28 February worked.
    for day in ("2026-02-15", "2026-02-17", "2026-02-23"):
        assert not BUILTIN.is_working_day(D(day))
    for day in ("2026-02-14", "2026-02-28"):
        assert D(day).weekday() == 5 and BUILTIN.is_working_day(D(day))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-09-22", "2025-09-26"),  # Monday → Friday, no holiday: the start day is day 1
        ("2025-09-26", "2025-10-09"),  # Fri 26, Sun 28 (worked), Mon 29, Tue 30, then Thu 9 Oct
        ("2025-09-29", "2025-10-11"),  # Mon 29, Tue 30, Thu 9, Fri 10, Sat 11 (worked)
        ("2025-10-01", "2025-10-14"),  # posted in the holiday: Thu 9, Fri 10, Sat 11 (worked), Mon 13, Tue 14
        ("2025-09-27", "2025-10-10"),  # posted on a rest Saturday: Sun 28 (worked), 29, 30, 9 Oct, 10 Oct
        ("2026-02-11", "2026-02-24"),  # Wed 11, Thu 12, Fri 13, Sat 14 (worked), then Tue 24
        ("2026-02-24", "2026-02-28"),  # Tue 24 … Fri 27, Sat 28 (worked)
        ("2026-02-13", "2026-02-26"),  # Fri 13, Sat 14, Tue 24, Wed 25, Thu 26
    ],
)
def test_publicity_of_five_working_days(start, end):
    assert period_end(BUILTIN, D(start), 5, working_days=True) == D(end)


def test_publicity_in_calendar_days_ignores_holidays():
    assert period_end(BUILTIN, D("2025-09-29"), 5, working_days=False) == D("2025-10-03")
    assert period_end(BUILTIN, D("2026-02-14"), 7, working_days=False) == D("2026-02-20")
    # no calendar is needed at all, even for a year nobody knows
    assert period_end(BUILTIN, D(f"{FAR}-02-01"), 5, working_days=False) == D(f"{FAR}-02-05")


def test_add_working_days_does_not_count_the_start():
    assert add_working_days(BUILTIN, D("2025-09-30"), 1) == D("2025-10-09")
    assert add_working_days(BUILTIN, D("2025-09-30"), 0) == D("2025-09-30")
    with pytest.raises(ValueError):
        add_working_days(BUILTIN, D("2025-09-30"), -1)


def test_unknown_year_is_refused_in_chinese():
    with pytest.raises(UnknownHolidayYear) as caught:
        period_end(BUILTIN, D(f"{FAR}-03-03"), 5, working_days=True)
    message = str(caught.value)
    assert isinstance(caught.value, UserError)
    assert caught.value.year == FAR
    assert f"{FAR}年" in message and "系统设置 → 节假日" in message and "调休上班" in message


def test_publicity_running_into_the_first_unknown_year_is_refused():
    first_unknown = workdays.package_years()[-1] + 1
    with pytest.raises(UnknownHolidayYear) as caught:
        period_end(BUILTIN, dt.date(first_unknown - 1, 12, 29), 5, working_days=True)
    assert caught.value.year == first_unknown


def far_calendar(complete: bool = True) -> WorkdayCalendar:
    days = {
        D(f"{FAR}-10-01"): HOLIDAY,  # Wednesday
        D(f"{FAR}-10-02"): HOLIDAY,
        D(f"{FAR}-10-03"): HOLIDAY,  # Friday
        D(f"{FAR}-10-06"): HOLIDAY,  # Monday
        D(f"{FAR}-10-07"): HOLIDAY,
        D(f"{FAR}-10-11"): MAKEUP_WORKDAY,  # Saturday
    }
    return WorkdayCalendar.of(days, [FAR] if complete else [])


def test_partly_entered_year_is_still_refused():
    with pytest.raises(UnknownHolidayYear) as caught:
        far_calendar(complete=False).is_working_day(D(f"{FAR}-10-01"))
    assert "尚未标记" in str(caught.value)


def test_entered_year_is_used_once_complete():
    calendar = far_calendar()
    assert not calendar.is_working_day(D(f"{FAR}-10-01"))
    assert calendar.is_working_day(D(f"{FAR}-10-11"))  # the make-up Saturday
    assert not calendar.is_working_day(D(f"{FAR}-10-04"))  # an ordinary Saturday
    assert calendar.is_working_day(D(f"{FAR}-10-08"))  # an ordinary Wednesday
    # Mon 29 Sep, Tue 30 Sep, Wed 8 Oct, Thu 9, Fri 10
    assert period_end(calendar, D(f"{FAR}-09-29"), 5, working_days=True) == D(f"{FAR}-10-10")
    # Tue 30 Sep, Wed 8, Thu 9, Fri 10, Sat 11 (make-up)
    assert period_end(calendar, D(f"{FAR}-09-30"), 5, working_days=True) == D(f"{FAR}-10-11")


def test_package_wins_over_entries_for_its_own_years():
    calendar = WorkdayCalendar.of({D("2025-10-09"): HOLIDAY}, [2025])
    assert calendar.is_working_day(D("2025-10-09"))


def test_calendar_of_nothing_but_holidays_is_reported_not_looped():
    start = dt.date(FAR, 1, 1)
    days = {start + dt.timedelta(days=i): HOLIDAY for i in range(400)}
    calendar = WorkdayCalendar.of(days, [FAR, FAR + 1])
    with pytest.raises(UserError, match="找不到工作日"):
        calendar.next_working_day(start)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2025-01-15", 1, "2025-02-15"),
        ("2025-01-31", 1, "2025-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2025-08-31", 6, "2026-02-28"),
        ("2025-11-30", 3, "2026-02-28"),
        ("2025-12-10", 1, "2026-01-10"),
    ],
)
def test_add_months(day, months, expected):
    assert workdays.add_months(D(day), months) == D(expected)
