"""The 待办 list: what is due or overdue on the open monitoring cases, and the sidebar's counts.

The rules are ``domain/todo.py``'s; this module reads the facts they need for many cases at once
(:func:`case_facts`: a handful of queries per 500 cases, never one per case), which the 监测对象
list (``listing``) uses too, so its 下一件事 and the 待办 agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fanpin_desktop.domain import todo as rules_mod
from fanpin_desktop.domain.cases import ACTIVE_CASE_STATUSES, PENDING_CASE_STATUSES
from fanpin_desktop.domain.deadlines import DeadlineRules
from fanpin_desktop.domain.procedure import ELIMINATION, IDENTIFICATION, StepEntry, split_people
from fanpin_desktop.models import (
    CaseStep,
    Contact,
    Household,
    Measure,
    Member,
    MonitoringCase,
    Village,
    Visit,
)
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services.cases.types import DUE_KINDS, DueItem
from fanpin_desktop.services.households.constants import HEAD, LABOUR_SKILLS_ABLE, SQL_CHUNK
from fanpin_desktop.services.households.income import ThresholdCache, latest_incomes

#: MonitoringCase.origin of a case the roster import made from a national export (as
#: services/importer/cases.py writes it)
ORIGIN_NATIONAL = "国家系统"

#: cases the 待办 looks at: still being identified or monitored
OPEN_STATUSES = PENDING_CASE_STATUSES + ACTIVE_CASE_STATUSES


def chunks(values: Sequence[int], size: int = SQL_CHUNK) -> list[Sequence[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


@dataclass(frozen=True, slots=True)
class CaseBasics:
    """A case's own columns the lists need besides the rule facts."""

    id: int
    household_id: int
    status: str


def households_with_labour(session: Session, household_ids: Sequence[int]) -> set[int]:
    conn = session.connection()
    found: set[int] = set()
    for chunk in chunks(list(household_ids)):
        found.update(
            conn.execute(
                select(Member.household_id)
                .where(Member.household_id.in_(chunk), Member.labour_skill.in_(LABOUR_SKILLS_ABLE))
                .distinct()
            ).scalars()
        )
    return found


def taken_over_on(origin: str | None, created_at: dt.datetime | None) -> dt.date | None:
    """The day a case imported from the national system came into this program (its row's
    ``created_at``, written by the import: SQLite's UTC clock, read here as the local date); None
    for a case worked here, whose clocks run from identification (``domain/todo.py``)."""
    if origin != ORIGIN_NATIONAL or created_at is None:
        return None
    return created_at.replace(tzinfo=dt.UTC).astimezone().date()


def case_facts(
    session: Session,
    ids: Sequence[int] | None = None,
    *,
    statuses: Sequence[str] | None = None,
) -> dict[int, tuple[CaseBasics, rules_mod.CaseTodoFacts]]:
    """The rule facts of the cases ``ids`` (or of every case with one of ``statuses``), read in
    bulk: five queries per 500 cases, plus incomes and labour for the households that could be
    eligible for elimination. A case imported from the national system carries the day of its
    import (``taken_over_on``), where its measure, visit and review clocks start."""
    conn = session.connection()
    cols = (
        MonitoringCase.id,
        MonitoringCase.household_id,
        MonitoringCase.status,
        MonitoringCase.clue_date,
        MonitoringCase.identified_on,
        MonitoringCase.reviewed_on,
        MonitoringCase.no_labour,
        MonitoringCase.origin,
        MonitoringCase.created_at,
    )
    if ids is None:
        stmt = select(*cols)
        if statuses is not None:
            stmt = stmt.where(MonitoringCase.status.in_(list(statuses)))
        cases = conn.execute(stmt).all()
    else:
        cases = []
        for chunk in chunks(list(dict.fromkeys(ids))):
            stmt = select(*cols).where(MonitoringCase.id.in_(chunk))
            if statuses is not None:
                stmt = stmt.where(MonitoringCase.status.in_(list(statuses)))
            cases.extend(conn.execute(stmt).all())
    case_ids = [c.id for c in cases]
    steps: dict[tuple[int, str], list[StepEntry]] = {}
    measures: dict[int, list[str]] = {}
    visits: dict[int, dt.date] = {}
    for chunk in chunks(case_ids):
        for cid, proc, step, done, end, people, result, note, signed in conn.execute(
            select(
                CaseStep.case_id,
                CaseStep.procedure,
                CaseStep.step,
                CaseStep.done_on,
                CaseStep.end_on,
                CaseStep.people,
                CaseStep.result,
                CaseStep.note,
                CaseStep.authorisation_signed,
            )
            .where(CaseStep.case_id.in_(chunk))
            .order_by(CaseStep.case_id, CaseStep.done_on, CaseStep.id)
        ).all():
            steps.setdefault((cid, proc), []).append(
                StepEntry(step, done, split_people(people), result, note, end, bool(signed))
            )
        for cid, category in conn.execute(
            select(Measure.case_id, Measure.category).where(Measure.case_id.in_(chunk)).order_by(Measure.id)
        ).all():
            measures.setdefault(cid, []).append(category)
        visits.update(
            conn.execute(
                select(Visit.case_id, func.max(Visit.visited_on))
                .where(Visit.case_id.in_(chunk))
                .group_by(Visit.case_id)
            ).all()
        )
    # incomes and labour matter only for the elimination rule
    candidates = [
        c.household_id for c in cases if c.status in rules_mod.ELIGIBLE_STATUSES and c.identified_on
    ]
    incomes = latest_incomes(session, candidates) if candidates else {}
    labour = households_with_labour(session, candidates) if candidates else set()
    threshold = ThresholdCache(session) if candidates else None
    out: dict[int, tuple[CaseBasics, rules_mod.CaseTodoFacts]] = {}
    for c in cases:
        income = incomes.get(c.household_id)
        year, per_capita = (income.year, income.per_capita) if income is not None else (None, None)
        out[c.id] = (
            CaseBasics(c.id, c.household_id, c.status),
            rules_mod.CaseTodoFacts(
                status=c.status,
                clue_date=c.clue_date,
                identified_on=c.identified_on,
                identification_steps=tuple(steps.get((c.id, IDENTIFICATION), ())),
                elimination_steps=tuple(steps.get((c.id, ELIMINATION), ())),
                measure_categories=tuple(measures.get(c.id, ())),
                last_visit_on=visits.get(c.id),
                reviewed_on=c.reviewed_on,
                per_capita_income=per_capita,
                threshold=threshold(year) if threshold is not None and year is not None else None,
                has_labour=c.household_id in labour and not c.no_labour,
                taken_over_on=taken_over_on(c.origin, c.created_at),
            ),
        )
    return out


def current_contacts(session: Session, case_ids: Sequence[int], today: dt.date) -> dict[int, str]:
    """case id → its current 帮扶联系人 (the latest started of those not ended before ``today``)."""
    conn = session.connection()
    out: dict[int, str] = {}
    for chunk in chunks(list(case_ids)):
        rows = conn.execute(
            select(Contact.case_id, Contact.name)
            .where(
                Contact.case_id.in_(chunk),
                (Contact.end_date.is_(None)) | (Contact.end_date >= today),
            )
            .order_by(Contact.case_id, Contact.start_date.nulls_first(), Contact.id)
        ).all()
        for cid, name in rows:  # the last one wins
            out[cid] = name
    return out


def head_names(session: Session, household_ids: Sequence[int]) -> dict[int, str]:
    """household id → the head's name (else the first member's)."""
    conn = session.connection()
    out: dict[int, str] = {}
    for chunk in chunks(list(dict.fromkeys(household_ids))):
        rows = conn.execute(
            select(Member.household_id, Member.name, Member.relation)
            .where(Member.household_id.in_(chunk))
            .order_by(Member.household_id, Member.sort_order.desc(), Member.id.desc())
        ).all()
        heads: dict[int, str] = {}
        for hid, name, relation in rows:  # descending: the first member comes last
            out[hid] = name
            if relation == HEAD:
                heads[hid] = name
        out.update(heads)
    return out


def _places(session: Session, household_ids: Sequence[int]) -> dict[int, tuple[str, int, int]]:
    conn = session.connection()
    out: dict[int, tuple[str, int, int]] = {}
    for chunk in chunks(list(dict.fromkeys(household_ids))):
        for hid, name, order, vid in conn.execute(
            select(Household.id, Village.name, Village.sort_order, Village.id)
            .join(Village, Village.id == Household.village_id)
            .where(Household.id.in_(chunk))
        ).all():
            out[hid] = (name, order or 0, vid)
    return out


def due_items(
    session: Session, today: dt.date | None = None, weeks: int = 2, rules: DeadlineRules | None = None
) -> list[DueItem]:
    """What is due or overdue up to the end of next week (``weeks=2``) on the open cases, ordered
    by kind (``DUE_KINDS``), village and due date."""
    today = today or dt.date.today()
    rules = rules or settings_service.deadline_rules(session)
    facts = case_facts(session, statuses=OPEN_STATUSES)
    found: list[tuple[CaseBasics, rules_mod.Due]] = []
    for basics, f in facts.values():
        for item in rules_mod.due_for_case(f, rules, today, weeks):
            found.append((basics, item))
    if not found:
        return []
    hids = [b.household_id for b, _ in found]
    names = head_names(session, hids)
    places = _places(session, hids)
    contacts = current_contacts(session, list({b.id for b, _ in found}), today)
    items = []
    for basics, item in found:
        village, order, vid = places.get(basics.household_id, ("", 0, 0))
        items.append(
            (
                (
                    DUE_KINDS.index(item.kind),
                    order,
                    vid,
                    item.due_on or item.since or dt.date.max,
                    basics.id,
                ),
                DueItem(
                    case_id=basics.id,
                    household_id=basics.household_id,
                    kind=item.kind,
                    head_name=names.get(basics.household_id, ""),
                    village=village,
                    contact=contacts.get(basics.id, ""),
                    due_on=item.due_on,
                    overdue=item.overdue,
                    detail=item.detail,
                ),
            )
        )
    items.sort(key=lambda pair: pair[0])
    return [item for _key, item in items]


def due_counts(
    session: Session, today: dt.date | None = None, weeks: int = 2, rules: DeadlineRules | None = None
) -> dict[str, int]:
    """kind → number of items due (every kind, zero included), plus "合计"."""
    today = today or dt.date.today()
    rules = rules or settings_service.deadline_rules(session)
    counts: dict[str, int] = dict.fromkeys(DUE_KINDS, 0)
    for _basics, f in case_facts(session, statuses=OPEN_STATUSES).values():
        for item in rules_mod.due_for_case(f, rules, today, weeks):
            counts[item.kind] += 1
    counts["合计"] = sum(counts[k] for k in DUE_KINDS)
    return counts
