"""domain/todo.py: what falls due on one case, the window, and 下一件事."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from fanpin_desktop.domain import todo
from fanpin_desktop.domain.deadlines import DeadlineRules
from fanpin_desktop.domain.procedure import StepEntry
from fanpin_desktop.services.cases import types

D = dt.date
RULES = DeadlineRules()
TODAY = D(2026, 12, 2)  # Wednesday


def monitored(**changes) -> todo.CaseTodoFacts:
    base = todo.CaseTodoFacts(
        status="已纳入",
        clue_date=D(2026, 2, 20),
        identified_on=D(2026, 3, 10),
        measure_categories=("产业帮扶",),
        last_visit_on=D(2026, 11, 28),
        reviewed_on=D(2026, 11, 20),
        per_capita_income=Decimal("8000"),
        threshold=Decimal("7000"),
        has_labour=True,
    )
    return dataclasses.replace(base, **changes)


def kinds(facts, today=TODAY, weeks=2) -> list[str]:
    return [d.kind for d in todo.due_for_case(facts, RULES, today, weeks)]


def test_kinds_are_those_of_the_services_types():
    assert todo.DUE_KINDS == types.DUE_KINDS
    assert (todo.DUE_CLUE, todo.DUE_ELIMINATION) == (types.DUE_CLUE, types.DUE_ELIMINATION)


@pytest.mark.parametrize(
    ("today", "weeks", "end"),
    [
        (D(2026, 11, 30), 2, D(2026, 12, 13)),  # Monday
        (D(2026, 12, 2), 2, D(2026, 12, 13)),  # Wednesday
        (D(2026, 12, 6), 2, D(2026, 12, 13)),  # Sunday: still this week
        (D(2026, 12, 7), 2, D(2026, 12, 20)),  # next Monday
        (D(2026, 12, 2), 1, D(2026, 12, 6)),
        (D(2026, 12, 2), 3, D(2026, 12, 20)),
    ],
)
def test_window_end(today, weeks, end):
    assert todo.window_end(today, weeks) == end


def test_a_clue_is_listed_only_once_past_its_deadline():
    clue = todo.CaseTodoFacts(status="线索", clue_date=D(2026, 11, 17))  # due 2026-12-02
    assert kinds(clue) == []
    assert todo.next_thing(clue, RULES, TODAY) == todo.NextThing("农户申请", D(2026, 12, 2), False)
    late = dataclasses.replace(clue, clue_date=D(2026, 11, 16))
    assert kinds(late) == [todo.DUE_CLUE]
    assert todo.next_thing(late, RULES, TODAY) == todo.NextThing("农户申请", D(2026, 12, 1), True)


def test_a_refused_identification_has_nothing_due():
    refused = todo.CaseTodoFacts(
        status="识别中",
        clue_date=D(2026, 10, 1),
        identification_steps=(StepEntry("农户申请", D(2026, 10, 2), result="不予认定", note="收入高"),),
    )
    assert kinds(refused) == []
    assert todo.next_thing(refused, RULES, TODAY).label == ""


def _publicity_steps(end: dt.date, *, next_done: bool = False) -> tuple[StepEntry, ...]:
    steps = [
        StepEntry("农户申请", D(2026, 11, 20), authorisation_signed=True),
        StepEntry("入户核实", D(2026, 11, 21), people=("甲", "乙")),
        StepEntry("村级评议", D(2026, 11, 23), people=("丙",), result="同意"),
        StepEntry("公示", D(2026, 11, 24), end_on=end),
    ]
    if next_done:
        steps.append(StepEntry("乡镇审核", end + dt.timedelta(days=1)))
    return tuple(steps)


def test_publicity_ending_in_the_window_or_ended_is_listed_until_the_next_step():
    f = todo.CaseTodoFacts(status="识别中", clue_date=D(2026, 11, 20))
    assert kinds(dataclasses.replace(f, identification_steps=_publicity_steps(D(2026, 12, 13)))) == [
        todo.DUE_PUBLICITY
    ]
    assert kinds(dataclasses.replace(f, identification_steps=_publicity_steps(D(2026, 12, 14)))) == []
    ended = todo.due_for_case(
        dataclasses.replace(f, identification_steps=_publicity_steps(D(2026, 11, 30))), RULES, TODAY
    )
    assert [(d.kind, d.overdue, d.label) for d in ended] == [(todo.DUE_PUBLICITY, True, "乡镇审核")]
    done = dataclasses.replace(f, identification_steps=_publicity_steps(D(2026, 11, 30), next_done=True))
    assert kinds(done) == []


def test_monitored_case_measures_visits_and_reviews():
    fresh = monitored(
        identified_on=D(2026, 11, 25), measure_categories=(), last_visit_on=None, reviewed_on=None
    )
    items = {d.kind: d for d in todo.due_for_case(fresh, RULES, TODAY)}
    assert set(items) == {todo.DUE_MEASURES}  # visit 12-25 and review 2027-02-25 are later
    assert items[todo.DUE_MEASURES].due_on == D(2026, 12, 5)
    assert todo.next_thing(fresh, RULES, TODAY) == todo.NextThing("落实帮扶措施", D(2026, 12, 5), False)
    late = monitored(last_visit_on=D(2026, 10, 20), reviewed_on=D(2026, 8, 1), per_capita_income=None)
    items = {d.kind: d for d in todo.due_for_case(late, RULES, TODAY)}
    assert set(items) == {todo.DUE_VISIT, todo.DUE_REVIEW}
    assert items[todo.DUE_VISIT].due_on == D(2026, 11, 20) and items[todo.DUE_VISIT].overdue
    assert items[todo.DUE_REVIEW].due_on == D(2026, 11, 1)
    # the earliest-due item is the next thing
    assert todo.next_thing(late, RULES, TODAY) == todo.NextThing("季度复核", D(2026, 11, 1), True)


def test_elimination_eligibility():
    assert kinds(monitored()) == [todo.DUE_ELIMINATION]
    assert kinds(monitored(status="已回退")) == [todo.DUE_ELIMINATION]
    assert kinds(monitored(per_capita_income=Decimal("7000"))) == [todo.DUE_ELIMINATION]  # at the line
    assert kinds(monitored(per_capita_income=Decimal("6999.99"))) == []
    assert kinds(monitored(per_capita_income=None)) == []
    assert kinds(monitored(threshold=None)) == []
    assert kinds(monitored(identified_on=D(2026, 6, 3))) == []  # six months on 2026-12-03
    assert kinds(monitored(identified_on=D(2026, 6, 2))) == [todo.DUE_ELIMINATION]
    assert kinds(monitored(status="消除中")) == []
    # no labour, only 综合保障: stays monitored; any other measure makes it eligible
    assert kinds(monitored(has_labour=False, measure_categories=("综合保障", "综合保障"))) == []
    assert kinds(monitored(has_labour=False, measure_categories=("综合保障", "健康帮扶"))) == [
        todo.DUE_ELIMINATION
    ]
    assert kinds(monitored(has_labour=True, measure_categories=("综合保障",))) == [todo.DUE_ELIMINATION]
    item = todo.due_for_case(monitored(), RULES, TODAY)[0]
    assert item.due_on is None and item.since == D(2026, 9, 10) and not item.overdue


def test_elimination_under_way_lists_its_publicity():
    steps = (
        StepEntry("村提名", D(2026, 11, 20)),
        StepEntry("入户核实", D(2026, 11, 21), people=("甲", "乙")),
        StepEntry("村级评议", D(2026, 11, 23), people=("丙",), result="同意"),
        StepEntry("公示", D(2026, 12, 3), end_on=D(2026, 12, 9)),
    )
    f = monitored(status="消除中", elimination_steps=steps)
    items = todo.due_for_case(f, RULES, TODAY)
    assert [(d.kind, d.due_on, d.label) for d in items] == [(todo.DUE_PUBLICITY, D(2026, 12, 9), "乡镇审核")]


@pytest.mark.parametrize("status", ["已消除", "不纳入"])
def test_closed_cases_have_nothing(status):
    f = monitored(status=status, last_visit_on=D(2020, 1, 1))
    assert kinds(f) == []
    assert todo.next_thing(f, RULES, TODAY) == todo.NOTHING


def test_rules_are_read_from_the_settings_values():
    rules = DeadlineRules(visit_every_months=2)
    f = monitored(last_visit_on=D(2026, 10, 20), per_capita_income=None)
    assert [d.kind for d in todo.due_for_case(f, rules, TODAY)] == []  # next visit 2026-12-20
    assert [d.kind for d in todo.due_for_case(f, RULES, TODAY)] == [todo.DUE_VISIT]


# --------------------------------------------------------------------------- imported cases


def imported(taken_over_on=TODAY, **changes) -> todo.CaseTodoFacts:
    """A case the roster import made from a national export: identified long ago, and nothing
    known here about its measures, visits or reviews (the national system holds them)."""
    values = {
        "identified_on": D(2022, 6, 1),
        "clue_date": D(2022, 6, 1),
        "measure_categories": (),
        "last_visit_on": None,
        "reviewed_on": None,
        "per_capita_income": None,
        "taken_over_on": taken_over_on,
    }
    return monitored(**(values | changes))


def test_an_imported_case_has_nothing_overdue_on_the_day_of_the_import():
    # only the measures, due 10 days after the import (in the window: not overdue, not red)
    items = todo.due_for_case(imported(), RULES, TODAY)
    assert [(d.kind, d.due_on, d.overdue) for d in items] == [(todo.DUE_MEASURES, D(2026, 12, 12), False)]
    # imported on a Friday, the window (to the Sunday after next) ends before the measures are due
    assert kinds(imported(D(2026, 11, 27)), D(2026, 11, 27)) == []
    nxt = todo.next_thing(imported(), RULES, TODAY)
    assert nxt == todo.NextThing(todo.DUE_MEASURES, D(2026, 12, 12), False)  # import + 10 days


def test_an_imported_case_falls_due_counting_from_the_import():
    facts = imported()
    # measures 10 days after the import (12-12, in the window but not overdue on 12-02)
    assert kinds(facts, D(2026, 12, 7)) == [todo.DUE_MEASURES]
    items = {d.kind: d for d in todo.due_for_case(facts, RULES, D(2026, 12, 13))}
    assert items[todo.DUE_MEASURES].overdue and items[todo.DUE_MEASURES].due_on == D(2026, 12, 12)
    assert "从国家系统导入（2026-12-02）" in items[todo.DUE_MEASURES].detail
    # the first visit a month after the import, the first review three months after it
    items = {d.kind: d for d in todo.due_for_case(facts, RULES, D(2027, 1, 3))}
    assert items[todo.DUE_VISIT].due_on == D(2027, 1, 2) and items[todo.DUE_VISIT].overdue
    assert items[todo.DUE_VISIT].detail == "从国家系统导入（2026-12-02）后尚未走访，应于2027-01-02前走访"
    assert todo.DUE_REVIEW not in items
    items = {d.kind: d for d in todo.due_for_case(facts, RULES, D(2027, 3, 3))}
    assert items[todo.DUE_REVIEW].due_on == D(2027, 3, 2) and items[todo.DUE_REVIEW].overdue


def test_an_imported_case_counts_visits_and_reviews_recorded_since_the_import_only():
    before = imported(last_visit_on=D(2026, 10, 1), reviewed_on=D(2026, 9, 1))
    assert kinds(before) == [todo.DUE_MEASURES]  # an older visit or review does not make it overdue
    items = {d.kind: d for d in todo.case_items(before, RULES, TODAY)}
    assert items[todo.DUE_VISIT].due_on == D(2027, 1, 2)
    after = imported(last_visit_on=D(2026, 12, 20), reviewed_on=D(2026, 12, 20))
    items = {d.kind: d for d in todo.case_items(after, RULES, D(2026, 12, 21))}
    assert (items[todo.DUE_VISIT].due_on, items[todo.DUE_REVIEW].due_on) == (D(2027, 1, 20), D(2027, 3, 20))


def test_an_imported_case_identified_after_the_import_counts_from_identification():
    facts = imported(taken_over_on=D(2026, 1, 5), identified_on=D(2026, 11, 1), clue_date=D(2026, 11, 1))
    items = {d.kind: d for d in todo.case_items(facts, RULES, TODAY)}
    assert items[todo.DUE_MEASURES].due_on == D(2026, 11, 11) and items[todo.DUE_MEASURES].overdue
    assert items[todo.DUE_VISIT].detail == "识别后尚未走访，应于2026-12-01前走访"


def test_the_elimination_minimum_still_counts_from_identification():
    facts = imported(per_capita_income=Decimal("8000"), measure_categories=("产业帮扶",))
    assert todo.DUE_ELIMINATION in kinds(facts)


def test_a_local_case_keeps_counting_from_identification():
    local = imported(taken_over_on=None)
    items = {d.kind: d for d in todo.due_for_case(local, RULES, TODAY)}
    assert set(items) == {todo.DUE_MEASURES, todo.DUE_VISIT, todo.DUE_REVIEW}
    assert all(d.overdue for d in items.values())
    assert items[todo.DUE_MEASURES].due_on == D(2022, 6, 11)
    assert items[todo.DUE_VISIT].detail == "识别后尚未走访，应于2022-07-01前走访"


def test_the_measures_item_is_worded_alike_in_the_todo_and_the_list():
    assert todo.NEXT_LABELS[todo.DUE_MEASURES] == todo.DUE_MEASURES == "落实帮扶措施"
    assert todo.OVERDUE_KINDS == (todo.DUE_CLUE,)
