"""The 工作台 (home page): what needs the clerk today, the numbers a 站长 asks for, and the series
the charts draw, read in one unit of work with a fixed number of queries (no per-household loop).

The figures reuse the services that already count them, so the home page never disagrees with the
page a card leads to: the 待办 rules of ``services/cases/todo.py`` (due this week and next),
``ledger.counts`` (overdue 整改中 problems), ``stats.progress`` (附件3's 已排查/应排查 per village)
and ``cases.stats.case_stats`` (monitoring cases by status and category, identifications and
eliminations by month, with the same conditions as 附件3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fanpin_desktop.domain import todo as todo_rules
from fanpin_desktop.domain.cases import ACTIVE_CASE_STATUSES
from fanpin_desktop.domain.procedure import CATEGORIES
from fanpin_desktop.models import Household, Member, MonitoringCase, Village
from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services import ledger
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services import stats as appendix3
from fanpin_desktop.services.cases import stats as case_conditions
from fanpin_desktop.services.cases.todo import OPEN_STATUSES, case_facts
from fanpin_desktop.services.cases.types import STATUS_LABELS

#: how many months the identification / elimination chart covers (the current one last)
MONTHS = 12

#: the headline of the households monitored now, and what it counts (the statuses as the lists and
#: the status line word them: 监测中 is only one of them)
MONITORED_CAPTION = "监测对象（在监测）"
MONITORED_STATUSES = tuple(STATUS_LABELS.get(s, s) for s in ACTIVE_CASE_STATUSES)
MONITORED_TIP = f"在监测：状态为{'、'.join(MONITORED_STATUSES)}的监测对象，按户计"


@dataclass(frozen=True)
class Todo:
    """The to-do cards."""

    due: int  # 待办 items on the monitoring cases, due this week and next (the 监测对象 待办 tab)
    due_overdue: int  # of which already overdue
    ledger_open: int  # 整改中 problems in the ledger, every batch (立行立改 left out)
    ledger_overdue: int  # of which past their deadline
    campaign: str  # the current campaign's name, "" when there is none
    screened: int  # households screened in the current campaign
    to_screen: int  # households of its villages


@dataclass(frozen=True)
class VillageCategories:
    """Monitored households of one village, one count per ``Dashboard.categories`` entry."""

    village: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class MonthCount:
    month: str  # "2026-03"
    identified: int
    eliminated: int

    @property
    def label(self) -> str:
        """``3月``, or ``2026年1月`` for January (the chart's axis)."""
        year, month = self.month.split("-")
        return f"{year}年{int(month)}月" if month == "01" else f"{int(month)}月"


@dataclass(frozen=True)
class VillageScreening:
    village: str
    done: int
    total: int


@dataclass(frozen=True)
class Dashboard:
    today: dt.date
    township: str
    villages: int
    households: int
    people: int
    monitored_households: int  # households with a case monitored now (监测中 / 消除中 / 已回退)
    monitored_people: int
    by_status: tuple[tuple[str, int], ...]  # (status as the lists word it, cases), filter order
    by_category: tuple[tuple[str, int], ...]  # monitored now, in ``categories`` order
    identified_this_year: int
    eliminated_this_year: int
    todo: Todo
    categories: tuple[str, ...]  # the code table's categories, then 未分类 if any case lacks one
    by_village: tuple[VillageCategories, ...]  # township order, villages without cases included
    by_month: tuple[MonthCount, ...]  # the last ``MONTHS`` months, oldest first
    screening: tuple[VillageScreening, ...]  # the current campaign's villages; () without one

    @property
    def empty(self) -> bool:
        """No village yet: nothing can be recorded before the township is set up."""
        return self.villages == 0


def _months(today: dt.date, n: int = MONTHS) -> list[str]:
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _todo_counts(session: Session, today: dt.date) -> tuple[int, int]:
    """The 待办 total and how many are overdue (the same rules and window as the 待办 tab)."""
    rules = settings_service.deadline_rules(session)
    due = overdue = 0
    for _basics, facts in case_facts(session, statuses=OPEN_STATUSES).values():
        for item in todo_rules.due_for_case(facts, rules, today, 2):
            due += 1
            overdue += int(item.overdue)
    return due, overdue


def dashboard(session: Session, today: dt.date | None = None, campaign_id: int | None = None) -> Dashboard:
    """Everything the 工作台 shows as on ``today``; the screening figures are those of
    ``campaign_id`` (default: the current campaign)."""
    today = today or dt.date.today()
    settings = settings_service.load(session)
    villages = list(
        session.execute(select(Village.id, Village.name).order_by(Village.sort_order, Village.id))
    )

    sizes = (
        select(Member.household_id.label("hid"), func.count().label("n"))
        .group_by(Member.household_id)
        .subquery()
    )
    households, people = session.execute(
        select(func.count(Household.id), func.coalesce(func.sum(sizes.c.n), 0)).outerjoin(
            sizes, sizes.c.hid == Household.id
        )
    ).one()

    known = MonitoringCase.clue_date <= today
    monitored = (
        select(MonitoringCase.household_id.label("hid"))
        .where(known, case_conditions.active())
        .distinct()
        .subquery()
    )
    monitored_households, monitored_people = session.execute(
        select(func.count(monitored.c.hid), func.coalesce(func.sum(sizes.c.n), 0)).outerjoin(
            sizes, sizes.c.hid == monitored.c.hid
        )
    ).one()

    st = case_conditions.case_stats(session, as_of=today)
    by_status = tuple((STATUS_LABELS.get(s, s), n) for s, n in st.by_status.items())

    # monitored now, by village × category (one count per case, as case_stats counts)
    rows = session.execute(
        select(Household.village_id, MonitoringCase.category, func.count())
        .select_from(MonitoringCase)
        .join(Household, Household.id == MonitoringCase.household_id)
        .where(known, case_conditions.active())
        .group_by(Household.village_id, MonitoringCase.category)
    ).all()
    categories = list(CATEGORIES)
    for _vid, category, _n in rows:
        name = category or case_conditions.UNCATEGORISED
        if name not in categories:
            categories.append(name)
    grid: dict[int, list[int]] = {vid: [0] * len(categories) for vid, _name in villages}
    for vid, category, n in rows:
        grid[vid][categories.index(category or case_conditions.UNCATEGORISED)] += int(n)
    by_village = tuple(VillageCategories(name, tuple(grid[vid])) for vid, name in villages)
    by_category = tuple((c, st.by_category.get(c, 0)) for c in categories)

    months = _months(today)
    by_month = tuple(
        MonthCount(m, st.identified_by_month.get(m, 0), st.eliminated_by_month.get(m, 0)) for m in months
    )
    year = f"{today.year:04d}-"
    identified_this_year = sum(n for m, n in st.identified_by_month.items() if m.startswith(year))
    eliminated_this_year = sum(n for m, n in st.eliminated_by_month.items() if m.startswith(year))

    due, due_overdue = _todo_counts(session, today)
    campaign = (
        campaign_service.get(session, campaign_id)
        if campaign_id is not None
        else campaign_service.current(session)
    )
    # every batch: a problem still 整改中 past its deadline is overdue whichever year found it
    counts = ledger.counts(session, None, today=today)
    screening: tuple[VillageScreening, ...] = ()
    if campaign is not None:
        progress = appendix3.progress(session, campaign.id, as_of=today)
        screening = tuple(
            VillageScreening(p.village, p.screened_households, p.due_households)
            for p in progress
            if p.village_id is not None
        )
    return Dashboard(
        today=today,
        township=settings.township,
        villages=len(villages),
        households=int(households),
        people=int(people),
        monitored_households=int(monitored_households),
        monitored_people=int(monitored_people),
        by_status=by_status,
        by_category=by_category,
        identified_this_year=identified_this_year,
        eliminated_this_year=eliminated_this_year,
        todo=Todo(
            due=due,
            due_overdue=due_overdue,
            ledger_open=counts.in_progress,
            ledger_overdue=counts.overdue,
            campaign=campaign.name if campaign is not None else "",
            screened=sum(v.done for v in screening),
            to_screen=sum(v.total for v in screening),
        ),
        categories=tuple(categories),
        by_village=by_village,
        by_month=by_month,
        screening=screening,
    )


def summary_dashboard(session: Session, campaign_id: int | None = None) -> Dashboard:
    """The figures for a campaign's work summary: as on the day the summary counts to (today, or
    the campaign's last day once it is over), the screening of that campaign."""
    campaign = campaign_service.resolve(session, campaign_id)
    return dashboard(session, min(dt.date.today(), campaign.end_date), campaign.id)
