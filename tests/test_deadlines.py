"""The workflow's time limits with the seed defaults and with changed settings."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from fanpin_desktop.domain import deadlines
from fanpin_desktop.domain.deadlines import DeadlineRules
from fanpin_desktop.domain.workdays import UnknownHolidayYear, WorkdayCalendar

D = dt.date.fromisoformat
SEED = DeadlineRules()


def test_seed_defaults():
    assert dataclasses.astuple(SEED) == (15, 10, 5, True, 1, 3, 6)


def test_identification_within_fifteen_calendar_days_of_the_clue():
    assert deadlines.identification_due(D("2025-03-01"), SEED) == D("2025-03-16")
    # calendar days: 国庆 does not stretch it, and a due date on a holiday is not moved
    assert deadlines.identification_due(D("2025-09-20"), SEED) == D("2025-10-05")
    assert deadlines.identification_due(D("2025-03-01"), DeadlineRules(identify_within_days=7)) == D(
        "2025-03-08"
    )


def test_measures_within_ten_days_of_identification():
    assert deadlines.measures_due(D("2025-12-25"), SEED) == D("2026-01-04")


def test_publicity_end_follows_the_setting():
    calendar = WorkdayCalendar()
    assert deadlines.publicity_end(D("2025-09-29"), SEED, calendar) == D("2025-10-11")
    calendar_days = DeadlineRules(publicity_working_days=False, publicity_days=7)
    assert deadlines.publicity_end(D("2025-09-29"), calendar_days, calendar) == D("2025-10-05")
    with pytest.raises(UnknownHolidayYear):
        deadlines.publicity_end(D("2031-06-02"), SEED, calendar)


def test_visits_monthly_from_identification_then_from_the_last_visit():
    assert deadlines.next_visit_due(D("2025-01-31"), None, SEED) == D("2025-02-28")
    assert deadlines.next_visit_due(D("2025-01-31"), D("2025-03-05"), SEED) == D("2025-04-05")
    assert deadlines.next_visit_due(D("2025-01-10"), None, DeadlineRules(visit_every_months=2)) == D(
        "2025-03-10"
    )


def test_review_quarterly():
    assert deadlines.next_review_due(D("2025-11-20"), None, SEED) == D("2026-02-20")
    assert deadlines.next_review_due(D("2025-11-20"), D("2026-01-05"), SEED) == D("2026-04-05")


def test_elimination_not_before_six_months_except_natural():
    assert deadlines.earliest_elimination(D("2025-08-31"), SEED) == D("2026-02-28")
    assert deadlines.earliest_elimination(D("2025-03-10"), SEED, "帮扶消除") == D("2025-09-10")
    assert deadlines.earliest_elimination(D("2025-03-10"), SEED, "自然消除") is None
    assert deadlines.earliest_elimination(D("2025-03-10"), DeadlineRules(eliminate_after_months=12)) == D(
        "2026-03-10"
    )
