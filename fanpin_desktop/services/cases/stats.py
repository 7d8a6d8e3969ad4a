"""Case statistics (监测对象统计): counts by status, category, risk type, village and month.

The conditions that decide which cases a figure counts — identified by a day, eliminated or rolled
back within dates, in the elimination procedure — are defined here once and used both by
:func:`case_stats` and by 附件3's monitoring columns (``services/stats.py``), so the statistics
panel and the weekly report never count the same thing two ways.

``as_of`` leaves out what had not happened by that day: cases whose clue came later, and
identifications / eliminations dated later. A case is counted under its stored status (the status
words of ``domain/cases.py``), one count per case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import Session

from fanpin_desktop.domain.cases import (
    ACTIVE_CASE_STATUSES,
    CASE_ELIMINATED,
    CASE_ELIMINATING,
    CASE_NOT_INCLUDED,
)
from fanpin_desktop.models import CaseRisk, Household, MonitoringCase, Village
from fanpin_desktop.services.cases.types import STATUS_LABELS, CaseStats

#: how a case without a category (not yet identified) is named in ``by_category``
UNCATEGORISED = "未分类"

# --------------------------------------------------------------------------- shared conditions


def identified_by(as_of: dt.date) -> Any:
    """Cases identified (识别监测时间 set) on or before ``as_of`` and not refused (不纳入)."""
    return and_(
        MonitoringCase.identified_on.is_not(None),
        MonitoringCase.identified_on <= as_of,
        MonitoringCase.status != CASE_NOT_INCLUDED,
    )


def eliminated_by(as_of: dt.date) -> Any:
    """Cases whose risk was marked eliminated (风险消除时间) on or before ``as_of``, including
    eliminations undone since by a rollback: each is an elimination that took place."""
    return and_(MonitoringCase.eliminated_on.is_not(None), MonitoringCase.eliminated_on <= as_of)


def rolled_back_between(start: dt.date, end: dt.date) -> Any:
    """Cases rolled back (回退) between ``start`` and ``end``, both included."""
    return MonitoringCase.rolled_back_on.between(start, end)


def eliminated_between(start: dt.date, end: dt.date) -> Any:
    """Cases eliminated (status 已消除) with the elimination dated between ``start`` and ``end``."""
    return and_(MonitoringCase.status == CASE_ELIMINATED, MonitoringCase.eliminated_on.between(start, end))


def to_eliminate_between(start: dt.date, end: dt.date) -> Any:
    """本次拟标记消除风险: cases in the elimination procedure now (消除中), or eliminated between
    ``start`` and ``end``."""
    return or_(MonitoringCase.status == CASE_ELIMINATING, eliminated_between(start, end))


def active() -> Any:
    """Cases monitored now (已纳入 / 消除中 / 已回退)."""
    return MonitoringCase.status.in_(ACTIVE_CASE_STATUSES)


# --------------------------------------------------------------------------- the statistics


def _month(column: Any) -> Any:
    return func.strftime("%Y-%m", column)


def case_stats(session: Session, as_of: dt.date | None = None) -> CaseStats:
    """The counts of the statistics panel as on ``as_of`` (default: today)."""
    as_of = as_of or dt.date.today()
    known = MonitoringCase.clue_date <= as_of
    status_order = {s: k for k, s in enumerate(STATUS_LABELS)}

    by_status_rows = session.execute(
        select(MonitoringCase.status, func.count()).where(known).group_by(MonitoringCase.status)
    ).all()
    by_status = {
        s: int(n) for s, n in sorted(by_status_rows, key=lambda r: (status_order.get(r[0], 99), r[0]))
    }

    cat_rows = session.execute(
        select(MonitoringCase.category, func.count())
        .where(known, active())
        .group_by(MonitoringCase.category)
        .order_by(func.count().desc(), MonitoringCase.category)
    ).all()
    by_category = {(c or UNCATEGORISED): int(n) for c, n in cat_rows}

    risk_rows = session.execute(
        select(CaseRisk.risk_type, func.count(distinct(MonitoringCase.id)))
        .join(MonitoringCase, MonitoringCase.id == CaseRisk.case_id)
        .where(known, active())
        .group_by(CaseRisk.risk_type)
        .order_by(func.count(distinct(MonitoringCase.id)).desc(), CaseRisk.risk_type)
    ).all()
    by_risk = {r: int(n) for r, n in risk_rows}

    village_rows = session.execute(
        select(Village.name, MonitoringCase.status, func.count())
        .select_from(MonitoringCase)
        .join(Household, Household.id == MonitoringCase.household_id)
        .join(Village, Village.id == Household.village_id)
        .where(known)
        .group_by(Village.id, Village.name, Village.sort_order, MonitoringCase.status)
        .order_by(Village.sort_order, Village.id)
    ).all()
    by_village: dict[str, dict[str, int]] = {}
    for name, status, n in village_rows:
        by_village.setdefault(name, {})[status] = int(n)
    for name, counts in by_village.items():
        by_village[name] = dict(sorted(counts.items(), key=lambda kv: (status_order.get(kv[0], 99), kv[0])))

    def by_month(column: Any, where: Any) -> dict[str, int]:
        month = _month(column)
        rows = session.execute(select(month, func.count()).where(where).group_by(month).order_by(month)).all()
        return {m: int(n) for m, n in rows}

    return CaseStats(
        by_status=by_status,
        by_category=by_category,
        by_risk=by_risk,
        by_village=by_village,
        identified_by_month=by_month(MonitoringCase.identified_on, identified_by(as_of)),
        eliminated_by_month=by_month(MonitoringCase.eliminated_on, eliminated_by(as_of)),
    )
