"""节假日: the 放假 and 调休上班 days the clerk enters for years the bundled calendar does not know,
and the working-day calendar built from them for computing deadlines.

For the years ``chinese_calendar`` knows, entries are refused (the State Council's notice is
already in the program). A year's entries are used only after the clerk marks the year complete
(``set_year_complete``): a half-entered year would give wrong dates without a word, so until then
``domain/workdays`` refuses every working-day question about it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fanpin_desktop.domain import deadlines, workdays
from fanpin_desktop.domain.workdays import DAY_KINDS, HOLIDAY, MAKEUP_WORKDAY, WorkdayCalendar
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import CalendarDay, CalendarYear
from fanpin_desktop.services import settings as settings_service

_WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class CalendarDayRow:
    id: int
    day: dt.date
    kind: str
    note: str


@dataclass(frozen=True)
class HolidayYearRow:
    """A year with entered days (or marked complete): how many of each kind, and whether done."""

    year: int
    holidays: int
    makeup_days: int
    complete: bool


@dataclass(frozen=True)
class HolidaysView:
    """What the 节假日 panel shows: the years built in, and the clerk's years and days."""

    package_years: tuple[int, int] | None  # first and last year chinese_calendar knows
    years: list[HolidayYearRow]
    days: list[CalendarDayRow]


def load_calendar(session: Session) -> WorkdayCalendar:
    """The calendar for computing deadlines: the package's years plus the clerk's completed ones."""
    entered = {row.day: row.kind for row in session.scalars(select(CalendarDay))}
    return WorkdayCalendar.of(entered, session.scalars(select(CalendarYear.year)))


def publicity_end(session: Session, start: dt.date) -> dt.date:
    """The last day of a 公示 posted on ``start`` under the stored settings; a working-day 公示
    reaching into a year nobody has described raises ``UnknownHolidayYear`` (a ``UserError``)."""
    return deadlines.publicity_end(start, settings_service.deadline_rules(session), load_calendar(session))


def days(session: Session, year: int | None = None) -> list[CalendarDayRow]:
    query = select(CalendarDay).order_by(CalendarDay.day)
    if year is not None:
        query = query.where(CalendarDay.day >= dt.date(year, 1, 1), CalendarDay.day <= dt.date(year, 12, 31))
    return [CalendarDayRow(r.id, r.day, r.kind, r.note or "") for r in session.scalars(query)]


def view(session: Session) -> HolidaysView:
    rows = days(session)
    complete = set(session.scalars(select(CalendarYear.year)))
    years = sorted({r.day.year for r in rows} | complete)
    known = workdays.package_years()
    return HolidaysView(
        (known[0], known[-1]) if known else None,
        [
            HolidayYearRow(
                year,
                sum(1 for r in rows if r.day.year == year and r.kind == HOLIDAY),
                sum(1 for r in rows if r.day.year == year and r.kind == MAKEUP_WORKDAY),
                year in complete,
            )
            for year in years
        ],
        rows,
    )


def _refuse_builtin_year(year: int) -> None:
    if workdays.package_knows(year):
        raise ValidationError("day", f"{year}年的放假和调休安排程序已内置（按国务院办公厅通知），无需录入。")


def add_day(session: Session, day: dt.date, kind: str, note: str = "") -> int:
    """Enter (or correct) one day of a year the package does not know; returns the row id."""
    if kind not in DAY_KINDS:
        raise ValidationError("kind", f"日期类型应是“{HOLIDAY}”或“{MAKEUP_WORKDAY}”。")
    _refuse_builtin_year(day.year)
    if kind == MAKEUP_WORKDAY and day.weekday() < 5:
        raise ValidationError(
            "kind", f"调休上班日应是周六或周日，{day.isoformat()}是周{_WEEKDAYS[day.weekday()]}，本来就上班。"
        )
    note = note.strip()
    if len(note) > 60:
        raise ValidationError("note", "备注最多60个字。")
    row = session.scalars(select(CalendarDay).where(CalendarDay.day == day)).one_or_none()
    if row is None:
        row = CalendarDay(day=day, kind=kind, note=note or None)
        session.add(row)
    else:
        row.kind = kind
        row.note = note or None
    session.flush()
    return row.id


def remove_day(session: Session, day_id: int) -> None:
    row = session.get(CalendarDay, day_id)
    if row is None:
        raise UserError("这一天已被删除（可能在另一个窗口中）。")
    session.delete(row)
    session.flush()


def set_year_complete(session: Session, year: int, complete: bool = True) -> None:
    """Mark ``year`` as fully entered (its working days are then computed) or reopen it."""
    row = session.scalars(select(CalendarYear).where(CalendarYear.year == year)).one_or_none()
    if not complete:
        if row is not None:
            session.delete(row)
            session.flush()
        return
    _refuse_builtin_year(year)
    if not any(r.kind == HOLIDAY for r in days(session, year)):
        raise ValidationError(
            "day",
            f"还没有录入{year}年的任何放假日。请先按国务院办公厅的通知录入元旦、春节等放假日和调休上班日。",
        )
    if row is None:
        session.add(CalendarYear(year=year))
        session.flush()
