"""Cases imported from the national system (origin 国家系统): their measure, visit and review
clocks start at the import, not at identification, so a national roster imported on day one
raises no overdue 待办 — in the 待办 list, its counts, the 工作台 and the list's 下一件事 alike —
while the same items do fall due later. A case worked here keeps counting from identification."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from fanpin_desktop.domain.workdays import add_months
from fanpin_desktop.models import Household, MonitoringCase
from fanpin_desktop.services import dashboard as dashboard_service
from fanpin_desktop.services.cases import detail, listing, todo
from fanpin_desktop.services.cases.types import DUE_MEASURES, DUE_REVIEW, DUE_VISIT, CaseQuery
from fanpin_desktop.services.importer import import_file
from tests.importer.helpers import add_villages
from tests.test_import_cases import national, write


@pytest.fixture
def imported(db, tmp_path):
    """The national roster of tests/test_import_cases.py imported today: H001 (identified
    2023-04) and H004 (2024-05-10) monitored, H002 eliminated. Returns household code → case id."""
    add_villages(db)
    assert import_file(db, write(tmp_path / "n.xlsx", national())).written
    with db.reading() as s:
        rows = s.execute(
            select(Household.code, MonitoringCase.id, MonitoringCase.origin).join(
                Household, Household.id == MonitoringCase.household_id
            )
        ).all()
    assert {origin for _code, _cid, origin in rows} == {"国家系统"}
    return {code: cid for code, cid, _origin in rows}


def overdue(db, today: dt.date) -> set[tuple[int, str]]:
    with db.reading() as s:
        return {(i.case_id, i.kind) for i in todo.due_items(s, today) if i.overdue}


def test_the_import_day_has_nothing_overdue_anywhere(db, imported):
    today = dt.date.today()
    with db.reading() as s:
        items = todo.due_items(s, today)
        counts = todo.due_counts(s, today)
        board = dashboard_service.dashboard(s, today)
        rows = listing.fetch_case_rows(s, list(imported.values()), today)
        overdue_ids = listing.case_ids(s, CaseQuery(overdue_only=True, today=today))
        opened = detail.load_case(s, imported["H001"], today)
    assert not [i for i in items if i.overdue]
    # at most the measures, due 10 days after the import, when that is within the window
    assert {i.kind for i in items} <= {DUE_MEASURES}
    assert all(i.due_on == today + dt.timedelta(days=10) for i in items)
    assert counts["合计"] == len(items) == board.todo.due
    assert board.todo.due_overdue == 0
    assert overdue_ids == []
    monitored = (imported["H001"], imported["H004"])
    assert [(rows[c].next_thing, rows[c].next_due, rows[c].overdue) for c in monitored] == [
        (DUE_MEASURES, today + dt.timedelta(days=10), False)
    ] * 2
    assert (opened.next_thing, opened.next_due, opened.overdue) == (
        DUE_MEASURES,
        today + dt.timedelta(days=10),
        False,
    )


def test_the_items_fall_due_counting_from_the_import(db, imported):
    today = dt.date.today()
    monitored = (imported["H001"], imported["H004"])
    assert overdue(db, today + dt.timedelta(days=10)) == set()
    assert overdue(db, today + dt.timedelta(days=11)) == {(c, DUE_MEASURES) for c in monitored}
    month = add_months(today, 1) + dt.timedelta(days=1)
    assert overdue(db, month) == {(c, k) for c in monitored for k in (DUE_MEASURES, DUE_VISIT)}
    quarter = add_months(today, 3) + dt.timedelta(days=1)
    assert overdue(db, quarter) == {(c, k) for c in monitored for k in (DUE_MEASURES, DUE_VISIT, DUE_REVIEW)}
    with db.reading() as s:
        assert dashboard_service.dashboard(s, quarter).todo.due_overdue == 6
        assert listing.case_ids(s, CaseQuery(overdue_only=True, today=quarter)) == list(monitored)


def test_a_local_case_keeps_counting_from_identification(db, imported):
    with db.unit() as s:
        s.execute(update(MonitoringCase).where(MonitoringCase.id == imported["H001"]).values(origin="本地"))
    today = dt.date.today()
    assert overdue(db, today) == {(imported["H001"], k) for k in (DUE_MEASURES, DUE_VISIT, DUE_REVIEW)}
    with db.reading() as s:
        items = {i.kind: i for i in todo.due_items(s, today) if i.case_id == imported["H001"]}
    assert items[DUE_MEASURES].due_on == dt.date(2023, 4, 11)  # 识别监测时间 2023-04-01 + 10 days


def test_the_import_day_is_the_local_date_of_the_stored_utc_time():
    # SQLite's CURRENT_TIMESTAMP is UTC; the day is read in the local time zone
    at = dt.datetime(2026, 12, 2, 12, 0)
    assert todo.taken_over_on("国家系统", at) == at.replace(tzinfo=dt.UTC).astimezone().date()
    assert todo.taken_over_on("本地", at) is None
    assert todo.taken_over_on("国家系统", None) is None
