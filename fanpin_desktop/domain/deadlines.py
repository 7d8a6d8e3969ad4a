"""The monitoring workflow's time limits (DOMAIN.md §5, seed 000 / 002), as plain date arithmetic.

Every limit is configurable (系统设置 → 公示与办理时限); ``DeadlineRules()`` holds the seed defaults.
Where the seed says "days" without "working", the days are calendar days: identification within
15 days of the clue and measures within 10 days after identification are counted in calendar
days, and a due date that falls on a weekend or holiday is not moved. Only 公示 may be counted in
working days (the ``publicity_working_days`` setting), through the working-day calendar.

"Within N days of X" gives the due date X + N: the clue received on 1 March is to be identified by
16 March at the latest. Months are calendar months (``workdays.add_months``: the same day of the
month, or the month's last day when it has no such day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fanpin_desktop.domain.workdays import WorkdayCalendar, add_calendar_days, add_months, period_end

#: the elimination mode exempt from the six-month minimum (DOMAIN.md §5)
NATURAL_ELIMINATION = "自然消除"
ASSISTED_ELIMINATION = "帮扶消除"


@dataclass(frozen=True)
class DeadlineRules:
    """The time limits of the workflow; the defaults are seed 000's."""

    identify_within_days: int = 15  # calendar days from the clue to identification
    measures_within_days: int = 10  # calendar days from identification to plan and measures
    publicity_days: int = 5  # length of each 公示
    publicity_working_days: bool = True  # 公示 counted in working days (else calendar days)
    visit_every_months: int = 1  # 帮扶联系人 visits at least this often while the risk lasts
    review_every_months: int = 3  # every open case reviewed at least this often
    eliminate_after_months: int = 6  # no 帮扶消除 sooner after identification


def identification_due(clue_on: dt.date, rules: DeadlineRules) -> dt.date:
    """The last day to finish identification: the clue's date + ``identify_within_days``
    calendar days."""
    return add_calendar_days(clue_on, rules.identify_within_days)


def measures_due(identified_on: dt.date, rules: DeadlineRules) -> dt.date:
    """The last day to have the assistance plan and measures: identification + ``measures_within_days``
    calendar days."""
    return add_calendar_days(identified_on, rules.measures_within_days)


def publicity_end(start: dt.date, rules: DeadlineRules, calendar: WorkdayCalendar) -> dt.date:
    """The last day of a 公示 posted on ``start`` (the start day is day 1 when it counts; see
    ``workdays.period_end``). In working days this may refuse with ``UnknownHolidayYear``."""
    return period_end(calendar, start, rules.publicity_days, working_days=rules.publicity_working_days)


def next_visit_due(identified_on: dt.date, last_visit_on: dt.date | None, rules: DeadlineRules) -> dt.date:
    """When the next visit is due: ``visit_every_months`` after the last visit, or after
    identification when there has been none yet."""
    return add_months(last_visit_on or identified_on, rules.visit_every_months)


def next_review_due(identified_on: dt.date, last_review_on: dt.date | None, rules: DeadlineRules) -> dt.date:
    """When the open case is next to be reviewed: ``review_every_months`` after the last review,
    or after identification when it has not been reviewed yet."""
    return add_months(last_review_on or identified_on, rules.review_every_months)


def earliest_elimination(
    identified_on: dt.date, rules: DeadlineRules, mode: str | None = ASSISTED_ELIMINATION
) -> dt.date | None:
    """The first day the risk may be marked eliminated: identification + ``eliminate_after_months``
    (the national checker's rule 2_11_002). None for 自然消除, which has no minimum."""
    if mode == NATURAL_ELIMINATION:
        return None
    return add_months(identified_on, rules.eliminate_after_months)
