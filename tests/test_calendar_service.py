"""节假日 stored in the database: entered, loaded into the calendar, used for 公示 end dates."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from fanpin_desktop.domain.deadlines import DeadlineRules
from fanpin_desktop.domain.workdays import HOLIDAY, MAKEUP_WORKDAY, UnknownHolidayYear
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import AuditEntry
from fanpin_desktop.services import calendar
from fanpin_desktop.services import settings as settings_service

D = dt.date.fromisoformat
FAR = 2031


def enter_national_day(db) -> None:
    with db.unit() as s:
        for day in ("10-01", "10-02", "10-03", "10-06", "10-07"):
            calendar.add_day(s, D(f"{FAR}-{day}"), HOLIDAY, "国庆节")
        calendar.add_day(s, D(f"{FAR}-10-11"), MAKEUP_WORKDAY, "国庆节调休")


def test_publicity_in_a_known_year_uses_the_stored_settings(db):
    with db.reading() as s:
        assert calendar.publicity_end(s, D("2026-02-11")) == D("2026-02-24")
    with db.unit() as s:
        settings_service.update(s, publicity_working_days=False, publicity_days=7)
    with db.reading() as s:
        assert calendar.publicity_end(s, D("2026-02-11")) == D("2026-02-17")


def test_unknown_year_refused_until_entered_and_marked_complete(db):
    with db.reading() as s:
        with pytest.raises(UnknownHolidayYear, match=f"{FAR}年.*系统设置 → 节假日"):
            calendar.publicity_end(s, D(f"{FAR}-09-29"))
    enter_national_day(db)
    with db.reading() as s:
        with pytest.raises(UnknownHolidayYear, match="尚未标记"):
            calendar.publicity_end(s, D(f"{FAR}-09-29"))
    with db.unit() as s:
        calendar.set_year_complete(s, FAR)
    with db.reading() as s:
        # Mon 29 Sep, Tue 30, Wed 8 Oct, Thu 9, Fri 10; from Tue 30 it ends on the make-up Saturday
        assert calendar.publicity_end(s, D(f"{FAR}-09-29")) == D(f"{FAR}-10-10")
        assert calendar.publicity_end(s, D(f"{FAR}-09-30")) == D(f"{FAR}-10-11")
        view = calendar.view(s)
    assert view.package_years is not None and view.package_years[1] >= 2026
    assert [(y.year, y.holidays, y.makeup_days, y.complete) for y in view.years] == [(FAR, 5, 1, True)]
    assert [d.note for d in view.days][:1] == ["国庆节"]


def test_reopened_year_is_refused_again(db):
    enter_national_day(db)
    with db.unit() as s:
        calendar.set_year_complete(s, FAR)
        calendar.set_year_complete(s, FAR, complete=False)
    with db.reading() as s:
        with pytest.raises(UnknownHolidayYear):
            calendar.load_calendar(s).is_working_day(D(f"{FAR}-10-08"))


def test_entering_a_day_again_corrects_it_and_removing_it_works(db):
    enter_national_day(db)
    with db.unit() as s:
        ident = calendar.add_day(s, D(f"{FAR}-10-02"), HOLIDAY, "国庆节（第二天）")
        assert len(calendar.days(s, FAR)) == 6
        calendar.add_day(s, D(f"{FAR}-10-08"), HOLIDAY)
        calendar.set_year_complete(s, FAR)
        calendar.remove_day(s, ident)
    with db.reading() as s:
        cal = calendar.load_calendar(s)
        assert cal.is_working_day(D(f"{FAR}-10-02"))
        assert not cal.is_working_day(D(f"{FAR}-10-08"))
        assert {d.day for d in calendar.days(s, FAR)} >= {D(f"{FAR}-10-08")}
    with db.unit() as s, pytest.raises(UserError, match="已被删除"):
        calendar.remove_day(s, ident)


def test_entries_are_audited(db):
    enter_national_day(db)
    with db.reading() as s:
        tables = {e.table_name for e in s.scalars(select(AuditEntry))}
    assert "calendar_days" in tables


@pytest.mark.parametrize(
    ("day", "kind", "field", "words"),
    [
        ("2025-10-01", HOLIDAY, "day", "已内置"),
        (f"{FAR}-10-08", MAKEUP_WORKDAY, "kind", "周三"),
        (f"{FAR}-10-08", "休息", "kind", "日期类型"),
    ],
)
def test_refused_entries_name_the_field(db, day, kind, field, words):
    with db.unit() as s, pytest.raises(ValidationError) as caught:
        calendar.add_day(s, D(day), kind)
    assert caught.value.field == field and words in str(caught.value)


def test_year_without_holidays_cannot_be_marked_complete(db):
    with db.unit() as s, pytest.raises(ValidationError, match="还没有录入"):
        calendar.set_year_complete(s, FAR)
    with db.unit() as s, pytest.raises(ValidationError, match="已内置"):
        calendar.set_year_complete(s, 2025)


def test_deadline_rules_from_settings(db):
    with db.reading() as s:
        assert settings_service.deadline_rules(s) == DeadlineRules()
    with db.unit() as s:
        settings_service.update(
            s, clue_to_identification_days=20, review_every_months=2, eliminate_after_months=9
        )
    with db.reading() as s:
        rules = settings_service.deadline_rules(s)
    assert (rules.identify_within_days, rules.review_every_months, rules.eliminate_after_months) == (20, 2, 9)
