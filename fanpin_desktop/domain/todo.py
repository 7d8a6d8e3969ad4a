"""What is due on a monitoring case (待办) and its 下一件事, as pure rules over plain data.

One case's facts (:class:`CaseTodoFacts`) and the deadline rules give every item that falls due on
it (:func:`case_items`); :func:`due_for_case` keeps those due within the window ("this week and
next" by default: up to the Sunday of next week) or overdue, and :func:`next_thing` names the one
the 监测对象 list shows. The list, the case editor and the 待办 page all use these, so they agree.

The kinds (``DUE_*``) are those of ``services/cases/types.py``:

* 线索超期 — a clue (线索/识别中) whose identification is not finished ``identify_within_days`` after
  the clue's date (only once that day has passed);
* 公示期满 — a 公示 of the procedure under way that ends within the window or has ended, and the step
  after it is not done yet;
* 落实帮扶措施 — a monitored case without any measure, due ``measures_within_days`` after 识别监测时间;
* 应走访 — a monitored case's next visit (``visit_every_months`` after the last visit, or after
  identification when there has been none);
* 季度复核 — a monitored case's next quarterly review (after the last review or identification);

A case imported from the national system (``CaseTodoFacts.taken_over_on``: the day it came into this
program) has its history there: its measures, visits and reviews are not known here. Its measure,
visit and review clocks therefore start on that day instead of at identification (a visit or review
recorded here for a day before it counts as none), so a fresh import shows nothing overdue and the
items fall due ``measures_within_days`` / ``visit_every_months`` / ``review_every_months`` after the
import. The elimination rule keeps counting from identification (that minimum is the national
system's own rule).
* 可申请消除 — a case 监测中 or 已回退 (not 消除中) monitored ``eliminate_after_months`` and with a
  per-capita income at or above the year's threshold; a household without labour whose only help is
  综合保障 stays monitored and is never listed.

Every deadline here is calendar-day or calendar-month arithmetic; a 公示's end is stored on its step,
so no working-day calendar is consulted and an unknown holiday year cannot arise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from fanpin_desktop.domain.cases import (
    ACTIVE_CASE_STATUSES,
    CASE_ELIMINATING,
    CASE_INCLUDED,
    CASE_ROLLED_BACK,
    PENDING_CASE_STATUSES,
)
from fanpin_desktop.domain.deadlines import (
    DeadlineRules,
    earliest_elimination,
    identification_due,
    measures_due,
    next_review_due,
    next_visit_due,
)
from fanpin_desktop.domain.procedure import (
    ELIMINATION,
    IDENTIFICATION,
    PROCEDURE_LABELS,
    PUBLICITY,
    STEPS,
    WELFARE_MEASURE,
    StepEntry,
    next_step,
)

# The kinds (services/cases/types.py re-exports them as the DueItem kinds).
DUE_CLUE = "线索超期"
DUE_PUBLICITY = "公示期满"
DUE_MEASURES = "落实帮扶措施"
DUE_VISIT = "应走访"
DUE_REVIEW = "季度复核"
DUE_ELIMINATION = "可申请消除"
DUE_KINDS = (DUE_CLUE, DUE_PUBLICITY, DUE_MEASURES, DUE_VISIT, DUE_REVIEW, DUE_ELIMINATION)
#: kinds whose items are overdue by definition (a group of them need not say "其中超期")
OVERDUE_KINDS = (DUE_CLUE,)

#: 下一件事 as the list words it, per kind (线索超期 and 公示期满 name the procedure's next step);
#: 落实帮扶措施 is worded as the 待办 group is
NEXT_LABELS = {
    DUE_MEASURES: DUE_MEASURES,
    DUE_VISIT: "走访",
    DUE_REVIEW: "季度复核",
    DUE_ELIMINATION: "申请风险消除",
}

#: statuses that may be put forward for elimination (消除中 is already under way)
ELIGIBLE_STATUSES = (CASE_INCLUDED, CASE_ROLLED_BACK)


@dataclass(frozen=True)
class CaseTodoFacts:
    """What the rules need to know about one case."""

    status: str
    clue_date: dt.date
    identified_on: dt.date | None = None
    identification_steps: tuple[StepEntry, ...] = ()
    elimination_steps: tuple[StepEntry, ...] = ()
    measure_categories: tuple[str, ...] = ()  # one per measure; () = none
    last_visit_on: dt.date | None = None
    reviewed_on: dt.date | None = None
    per_capita_income: Decimal | None = None  # latest income year
    threshold: Decimal | None = None  # that year's monitoring threshold
    has_labour: bool = True
    #: a case imported from the national system: the day it came into this program, where its
    #: measure, visit and review clocks start (None: a case worked here, clocks from identification)
    taken_over_on: dt.date | None = None


@dataclass(frozen=True)
class Due:
    """One thing due on a case."""

    kind: str  # one of DUE_KINDS
    label: str  # 下一件事 wording
    due_on: dt.date | None  # None: 可申请消除 (eligible since ``since``)
    overdue: bool
    detail: str  # Chinese sentence
    since: dt.date | None = None


@dataclass(frozen=True)
class NextThing:
    label: str  # "" when nothing
    due_on: dt.date | None
    overdue: bool
    note: str = ""


NOTHING = NextThing("", None, False)


def window_end(today: dt.date, weeks: int = 2) -> dt.date:
    """The last day of the window: the Sunday of this week (weeks=1), of next week (weeks=2) …"""
    weeks = max(weeks, 1)
    return today + dt.timedelta(days=6 - today.weekday() + 7 * (weeks - 1))


def _d(day: dt.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


def _publicity_item(steps: Sequence[StepEntry], procedure: str, today: dt.date) -> Due | None:
    """The 公示 of ``procedure`` that has been posted, with the step after it not done yet."""
    nxt = next_step(steps, procedure)
    order = STEPS[procedure]
    if nxt is None or PUBLICITY not in order or order.index(nxt) != order.index(PUBLICITY) + 1:
        return None
    posted = next((s for s in steps if s.step == PUBLICITY), None)
    if posted is None or posted.end_on is None:
        return None
    label = PROCEDURE_LABELS[procedure]
    return Due(
        DUE_PUBLICITY,
        nxt,
        posted.end_on,
        posted.end_on < today,
        f"{label}公示{_d(posted.done_on)}至{_d(posted.end_on)}，期满后办理“{nxt}”",
    )


def _since_start(last: dt.date | None, start: dt.date | None) -> dt.date | None:
    """The last visit or review, or None when there is none, or it was before ``start`` (the
    import of a national case; None: any counts)."""
    if last is None or (start is not None and last < start):
        return None
    return last


def eligible_for_elimination(facts: CaseTodoFacts, rules: DeadlineRules, today: dt.date) -> dt.date | None:
    """The day the case became eligible for an elimination review, or None when it is not."""
    if facts.status not in ELIGIBLE_STATUSES or facts.identified_on is None:
        return None
    earliest = earliest_elimination(facts.identified_on, rules)
    if earliest is None or today < earliest:
        return None
    if facts.per_capita_income is None or facts.threshold is None:
        return None
    if facts.per_capita_income < facts.threshold:
        return None
    if (
        not facts.has_labour
        and facts.measure_categories
        and all(c == WELFARE_MEASURE for c in facts.measure_categories)
    ):
        return None
    return earliest


def case_items(facts: CaseTodoFacts, rules: DeadlineRules, today: dt.date) -> list[Due]:
    """Every item due on the case, whatever its date (the window is applied by ``due_for_case``)."""
    items: list[Due] = []
    if facts.status in PENDING_CASE_STATUSES:
        step = next_step(facts.identification_steps, IDENTIFICATION)
        if step is None:
            return items
        due = identification_due(facts.clue_date, rules)
        if today > due:
            items.append(
                Due(
                    DUE_CLUE,
                    step,
                    due,
                    True,
                    f"线索发现于{_d(facts.clue_date)}，应于{_d(due)}前完成识别，下一环节：{step}",
                )
            )
        publicity = _publicity_item(facts.identification_steps, IDENTIFICATION, today)
        if publicity is not None:
            items.append(publicity)
        return items
    if facts.status not in ACTIVE_CASE_STATUSES or facts.identified_on is None:
        return items
    identified = facts.identified_on
    # the clocks' start: identification, or the import of a case the national system holds
    # (a visit or review recorded for a day before an imported case's start counts as none)
    floor = None if facts.taken_over_on is None else max(identified, facts.taken_over_on)
    start = floor or identified
    imported = floor is not None and floor > identified
    if facts.status == CASE_ELIMINATING:
        publicity = _publicity_item(facts.elimination_steps, ELIMINATION, today)
        if publicity is not None:
            items.append(publicity)
    if not facts.measure_categories:
        due = measures_due(start, rules)
        if imported:
            why = f"从国家系统导入（{_d(start)}）后还没有帮扶措施，应于{_d(due)}前补录或落实"
        else:
            why = f"识别监测时间{_d(identified)}，应于{_d(due)}前落实帮扶措施，目前没有帮扶措施"
        items.append(Due(DUE_MEASURES, NEXT_LABELS[DUE_MEASURES], due, today > due, why))
    visited = _since_start(facts.last_visit_on, floor)
    due = next_visit_due(start, visited, rules)
    after = f"从国家系统导入（{_d(start)}）后" if imported else "识别后"
    since = f"上次走访{_d(visited)}" if visited else f"{after}尚未走访"
    items.append(Due(DUE_VISIT, NEXT_LABELS[DUE_VISIT], due, today > due, f"{since}，应于{_d(due)}前走访"))
    reviewed = _since_start(facts.reviewed_on, floor)
    due = next_review_due(start, reviewed, rules)
    since = f"上次复核{_d(reviewed)}" if reviewed else f"{after}尚未复核"
    items.append(
        Due(DUE_REVIEW, NEXT_LABELS[DUE_REVIEW], due, today > due, f"{since}，应于{_d(due)}前季度复核")
    )
    eligible = eligible_for_elimination(facts, rules, today)
    if eligible is not None:
        items.append(
            Due(
                DUE_ELIMINATION,
                NEXT_LABELS[DUE_ELIMINATION],
                None,
                False,
                f"识别监测时间{_d(identified)}，已满{rules.eliminate_after_months}个月（{_d(eligible)}起），"
                f"人均纯收入{facts.per_capita_income}元不低于监测范围{facts.threshold}元，可启动风险消除",
                since=eligible,
            )
        )
    return items


def due_for_case(facts: CaseTodoFacts, rules: DeadlineRules, today: dt.date, weeks: int = 2) -> list[Due]:
    """The items due within the window (up to the Sunday ``weeks`` weeks on) or overdue, in
    ``DUE_KINDS`` order."""
    last = window_end(today, weeks)
    out = [i for i in case_items(facts, rules, today) if i.due_on is None or i.overdue or i.due_on <= last]
    return sorted(out, key=lambda i: DUE_KINDS.index(i.kind))


def next_thing(facts: CaseTodoFacts, rules: DeadlineRules, today: dt.date) -> NextThing:
    """下一件事: the earliest-due item of the case; for a case still being identified the next
    procedure step, due when identification is; nothing for closed cases."""
    if facts.status in PENDING_CASE_STATUSES:
        step = next_step(facts.identification_steps, IDENTIFICATION)
        if step is None:
            return NOTHING
        due = identification_due(facts.clue_date, rules)
        return NextThing(step, due, today > due)
    items = case_items(facts, rules, today)
    if not items:
        return NOTHING
    first = min(
        items,
        key=lambda i: (i.due_on is None, i.due_on or dt.date.max, DUE_KINDS.index(i.kind)),
    )
    return NextThing(first.label, first.due_on, first.overdue)
