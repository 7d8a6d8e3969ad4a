"""The 监测对象 list: which cases match the filters (``case_ids``) and their table rows
(``fetch_case_rows``), for a lazy id-based model like the registry's.

``case_ids`` filters in SQL (status, village, group, category, risk type, current contact, and the
registry's text search over 户主/member names, pinyin initials, 户编号, ID numbers and phones); only
只看超期 needs the deadline rules, which run over the candidates' facts read in bulk
(``todo.case_facts``). ``fetch_case_rows`` reads a page of rows in a few queries per 500 ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from fanpin_desktop.domain import todo as todo_rules
from fanpin_desktop.domain.deadlines import DeadlineRules
from fanpin_desktop.models import CaseRisk, Contact, Household, MonitoringCase, Village, VillageGroup
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services.cases.todo import (
    OPEN_STATUSES,
    case_facts,
    chunks,
    current_contacts,
    head_names,
)
from fanpin_desktop.services.cases.types import CaseQuery, CaseRow
from fanpin_desktop.services.households.search import _text_condition, _tokens


def risk_text(risk_type: str, subtype: str | None) -> str:
    """因自然灾害 with its sub-type reads 因自然灾害（洪涝）."""
    return f"{risk_type}（{subtype}）" if subtype else risk_type


def _current_contact(name: str, today: dt.date):  # noqa: ANN202 - an SQL condition
    return exists().where(
        Contact.case_id == MonitoringCase.id,
        Contact.name == name,
        or_(Contact.end_date.is_(None), Contact.end_date >= today),
    )


def case_ids(session: Session, query: CaseQuery, rules: DeadlineRules | None = None) -> list[int]:
    """Ids of the matching cases, ordered by village, group, 户编号, clue date and id."""
    today = query.today or dt.date.today()
    stmt = (
        select(MonitoringCase.id)
        .join(Household, Household.id == MonitoringCase.household_id)
        .join(Village, Village.id == Household.village_id)
        .outerjoin(VillageGroup, VillageGroup.id == Household.group_id)
    )
    if query.status:
        stmt = stmt.where(MonitoringCase.status == query.status)
    if query.village_id is not None:
        stmt = stmt.where(Household.village_id == query.village_id)
    if query.group_id is not None:
        stmt = stmt.where(Household.group_id == query.group_id)
    if query.category:
        stmt = stmt.where(MonitoringCase.category == query.category)
    if query.risk_type:
        stmt = stmt.where(
            exists().where(CaseRisk.case_id == MonitoringCase.id, CaseRisk.risk_type == query.risk_type)
        )
    if query.contact:
        stmt = stmt.where(_current_contact(query.contact, today))
    if query.overdue_only:
        stmt = stmt.where(MonitoringCase.status.in_(OPEN_STATUSES))
    for token in _tokens(query.text):
        stmt = stmt.where(_text_condition(token))
    stmt = stmt.order_by(
        Village.sort_order,
        Village.id,
        VillageGroup.sort_order.nulls_last(),
        VillageGroup.id.nulls_last(),
        Household.code.nulls_last(),
        MonitoringCase.clue_date,
        MonitoringCase.id,
    )
    ids = list(session.connection().execute(stmt).scalars().all())
    if not query.overdue_only or not ids:
        return ids
    rules = rules or settings_service.deadline_rules(session)
    facts = case_facts(session, ids)
    return [cid for cid in ids if todo_rules.next_thing(facts[cid][1], rules, today).overdue]


def fetch_case_rows(
    session: Session,
    ids: Sequence[int],
    today: dt.date | None = None,
    rules: DeadlineRules | None = None,
) -> dict[int, CaseRow]:
    """Table rows for ``ids``; unknown ids are left out."""
    today = today or dt.date.today()
    unique = list(dict.fromkeys(ids))
    if not unique:
        return {}
    rules = rules or settings_service.deadline_rules(session)
    conn = session.connection()
    base: list = []
    risks: dict[int, list[str]] = {}
    for chunk in chunks(unique):
        base.extend(
            conn.execute(
                select(
                    MonitoringCase.id,
                    MonitoringCase.household_id,
                    MonitoringCase.status,
                    MonitoringCase.category,
                    MonitoringCase.identified_on,
                    Household.code,
                    Village.name,
                    VillageGroup.name,
                )
                .join(Household, Household.id == MonitoringCase.household_id)
                .join(Village, Village.id == Household.village_id)
                .outerjoin(VillageGroup, VillageGroup.id == Household.group_id)
                .where(MonitoringCase.id.in_(chunk))
            ).all()
        )
        for cid, risk_type, subtype in conn.execute(
            select(CaseRisk.case_id, CaseRisk.risk_type, CaseRisk.subtype)
            .where(CaseRisk.case_id.in_(chunk))
            .order_by(CaseRisk.case_id, CaseRisk.position)
        ).all():
            risks.setdefault(cid, []).append(risk_text(risk_type, subtype))
    found = [r.id for r in base]
    facts = case_facts(session, found)
    contacts = current_contacts(session, found, today)
    names = head_names(session, [r.household_id for r in base])
    out: dict[int, CaseRow] = {}
    for cid, hid, status, category, identified_on, code, village, group in base:
        f = facts[cid][1]
        nxt = todo_rules.next_thing(f, rules, today)
        out[cid] = CaseRow(
            id=cid,
            household_id=hid,
            head_name=names.get(hid, ""),
            village=village,
            group=group or "",
            code=code or "",
            status=status,
            category=category or "",
            risks=tuple(risks.get(cid, ())),
            identified_on=identified_on,
            contact=contacts.get(cid, ""),
            last_visit_on=f.last_visit_on,
            next_thing=nxt.label,
            next_due=nxt.due_on,
            overdue=nxt.overdue,
            note=nxt.note,
        )
    return out


def contact_names(session: Session, today: dt.date | None = None) -> list[str]:
    """The names of the current 帮扶联系人 of any case (for the list's filter), sorted."""
    today = today or dt.date.today()
    names = session.connection().execute(
        select(Contact.name)
        .where(Contact.case_id.is_not(None), or_(Contact.end_date.is_(None), Contact.end_date >= today))
        .distinct()
    )
    return sorted({n for n in names.scalars() if n})
