"""The monitoring cases' sheets to sign: 入户核实表 and 监测对象申请及承诺授权查询书 (issue 12, 3–4).

``gather_*`` read the cases (all of them in a handful of queries, however many) into the plain data
of :mod:`fanpin_desktop.documents.case_sheets_pdf`; ``write_*`` render them into one PDF.

Which cases:

* ``case_ids`` given: those cases, in village / group / 户编号 order.
* else the cases of ``village_id`` (every village when None) that a verifier has to visit:
  入户核实表 — in identification (线索, 识别中) or in elimination (消除中);
  承诺授权查询书 — in identification only (the household applies to be monitored).
* ``blank``: with ``case_ids``, one sheet per case with only its header filled in (village, group,
  户编号, 户主) for the verifier to take to that household; without, one empty sheet carrying the
  township and village names, for the field team to copy.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fanpin_desktop.documents import case_sheets_pdf
from fanpin_desktop.documents.case_sheets_pdf import (
    ADULT_AGE,
    GUARANTEE_LABELS,
    PURPOSE_ELIMINATION,
    PURPOSE_INCLUSION,
    AuthorisationLetter,
    IncomeFigures,
    SheetMember,
    VerificationSheet,
)
from fanpin_desktop.documents.fonts import FontLibrary
from fanpin_desktop.domain import facts as member_rules
from fanpin_desktop.domain.cases import CASE_CLUE, CASE_ELIMINATING, CASE_IDENTIFYING
from fanpin_desktop.domain.income import totals
from fanpin_desktop.domain.procedure import ELIMINATION, IDENTIFICATION, VERIFICATION
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import (
    Household,
    HouseholdScreening,
    Member,
    MonitoringCase,
    Village,
    VillageGroup,
)
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services.households.constants import HEAD

__all__ = [
    "VERIFICATION_STATUSES",
    "AUTHORISATION_STATUSES",
    "gather_verification",
    "gather_authorisation",
    "write_verification",
    "write_authorisation",
]

VERIFICATION_STATUSES = (CASE_CLUE, CASE_IDENTIFYING, CASE_ELIMINATING)
AUTHORISATION_STATUSES = (CASE_CLUE, CASE_IDENTIFYING)

#: the screening answers (附件1) behind the 三保障 and drinking-water questions, in print order
_GUARANTEE_ATTRS = ("housing_safe", "education_secured", "medical_secured", "water_safe")


# --------------------------------------------------------------------------------------------------
# choosing and loading the cases


def _village_name(session: Session, village_id: int | None) -> str:
    if village_id is None:
        return ""
    name = session.scalar(select(Village.name).where(Village.id == village_id))
    if name is None:
        raise UserError(f"行政村不存在（编号{village_id}），可能已被删除。")
    return name


def _case_ids(
    session: Session, village_id: int | None, case_ids: Sequence[int] | None, statuses: Sequence[str]
) -> list[int]:
    """The cases to print, in village / group / 户编号 order (a case asked for twice prints twice)."""
    query = (
        select(
            MonitoringCase.id,
            Village.sort_order,
            Village.name,
            VillageGroup.sort_order,
            VillageGroup.name,
            Household.code,
        )
        .join(Household, Household.id == MonitoringCase.household_id)
        .join(Village, Village.id == Household.village_id)
        .outerjoin(VillageGroup, VillageGroup.id == Household.group_id)
    )
    keys: dict[int, tuple] = {}

    def collect(q) -> None:
        for cid, v_order, v_name, g_order, g_name, code in session.execute(q):
            keys[cid] = (v_order, v_name, g_order or 0, g_name or "", code or "~", cid)

    if case_ids is not None:
        wanted = sorted(set(case_ids))
        for start in range(0, len(wanted), 500):
            collect(query.where(MonitoringCase.id.in_(wanted[start : start + 500])))
        missing = set(wanted) - set(keys)
        if missing:
            listed = "、".join(map(str, sorted(missing)[:10]))
            raise UserError(f"监测对象记录不存在（编号{listed}），可能已被删除，请刷新后再试。")
        return sorted(case_ids, key=keys.__getitem__)
    query = query.where(MonitoringCase.status.in_(tuple(statuses)))
    if village_id is not None:
        query = query.where(Household.village_id == village_id)
    collect(query)
    return sorted(keys, key=keys.__getitem__)


def _load(session: Session, ids: Iterable[int]) -> dict[int, MonitoringCase]:
    wanted = sorted(set(ids))
    cases: dict[int, MonitoringCase] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.scalars(
            select(MonitoringCase)
            .where(MonitoringCase.id.in_(chunk))
            .options(
                selectinload(MonitoringCase.steps),
                selectinload(MonitoringCase.risks),
                selectinload(MonitoringCase.household).selectinload(Household.members),
                selectinload(MonitoringCase.household).selectinload(Household.incomes),
                selectinload(MonitoringCase.household).selectinload(Household.village),
                selectinload(MonitoringCase.household).selectinload(Household.group),
            )
        )
        cases.update({c.id: c for c in rows})
    return cases


def _latest_screenings(session: Session, household_ids: Iterable[int]) -> dict[int, HouseholdScreening]:
    wanted = sorted(set(household_ids))
    latest: dict[int, HouseholdScreening] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.scalars(
            select(HouseholdScreening)
            .where(HouseholdScreening.household_id.in_(chunk))
            .order_by(HouseholdScreening.screened_on.nulls_first(), HouseholdScreening.id)
        )
        for row in rows:  # ascending: the last one seen is the newest
            latest[row.household_id] = row
    return latest


def _members(household: Household) -> list[Member]:
    return sorted(household.members, key=lambda m: (m.relation != HEAD, m.sort_order, m.id))


def _head_name(members: Sequence[Member]) -> str:
    head = next((m for m in members if m.relation == HEAD), members[0] if members else None)
    return head.name if head else ""


def _work(m: Member) -> str:
    parts = [m.work_status or ""]
    if m.work_place:
        parts.append(f"（{m.work_place}）")
    if m.work_months:
        parts.append(f"{m.work_months}个月")
    return "".join(parts)


def _sheet_member(m: Member, today: dt.date) -> SheetMember:
    return SheetMember(
        name=m.name,
        sex=m.sex or "",
        id_number=m.id_number or "",
        relation=m.relation or "",
        age=member_rules.age_of(m, today),
        health=m.health or "",
        labour=m.labour_skill or "",
        schooling=m.schooling or "",
        work=_work(m),
    )


def _income(household: Household, people_now: int) -> IncomeFigures | None:
    if not household.incomes:
        return None
    r = max(household.incomes, key=lambda r: (r.period_start or dt.date.min, r.id))
    people = r.people_count or people_now
    t = totals(r.wage, r.business, r.property_income, r.transfer, r.business_cost, people)
    period = ""
    if r.period_start and r.period_end:
        period = (
            f"{r.period_start.year}年{r.period_start.month}月—{r.period_end.year}年{r.period_end.month}月"
        )
    return IncomeFigures(
        year=r.year,
        period=period,
        people=people,
        wage=r.wage,
        business=r.business,
        property_income=r.property_income,
        transfer=r.transfer,
        business_cost=r.business_cost,
        net=t.net,
        per_capita=t.per_capita,
        rigid_spending=r.rigid_spending,
    )


def _risks(case: MonitoringCase) -> tuple[str, ...]:
    return tuple(
        f"{r.risk_type}（{r.subtype}）" if r.subtype else r.risk_type
        for r in sorted(case.risks, key=lambda r: r.position)
    )


def _verification_step(case: MonitoringCase):
    procedure = ELIMINATION if case.status == CASE_ELIMINATING else IDENTIFICATION
    steps = [s for s in case.steps if s.procedure == procedure and s.step == VERIFICATION]
    return max(steps, key=lambda s: (s.done_on, s.id)) if steps else None


def _conclusion(step) -> str:
    if step is None:
        return ""
    parts = [p for p in (step.result or "", step.note or "") if p]
    text = "；".join(parts)
    if text and step.people:
        text += f"（核实人：{step.people}）"
    return text


# --------------------------------------------------------------------------------------------------
# 入户核实表


def gather_verification(
    session: Session,
    *,
    village_id: int | None = None,
    case_ids: Sequence[int] | None = None,
    blank: bool = False,
    today: dt.date | None = None,
) -> list[VerificationSheet]:
    """One :class:`VerificationSheet` per case (see the module's note on which cases)."""
    today = today or dt.date.today()
    township = settings_service.load(session).township
    if blank and case_ids is None:
        return [VerificationSheet(township=township, village=_village_name(session, village_id), blank=True)]
    _village_name(session, village_id)  # an unknown village is an error, not an empty list
    ids = _case_ids(session, village_id, case_ids, VERIFICATION_STATUSES)
    cases = _load(session, ids)
    screenings = {} if blank else _latest_screenings(session, (c.household_id for c in cases.values()))
    sheets = []
    for cid in ids:
        case = cases[cid]
        h = case.household
        members = _members(h)
        purpose = PURPOSE_ELIMINATION if case.status == CASE_ELIMINATING else PURPOSE_INCLUSION
        common = dict(
            township=township,
            village=h.village.name if h.village else "",
            group=h.group.name if h.group else "",
            code=h.code or "",
            head_name=_head_name(members),
            purpose=purpose,
            key=str(case.id),
        )
        if blank:
            sheets.append(VerificationSheet(**common, blank=True))
            continue
        step = _verification_step(case)
        screening = screenings.get(h.id)
        guarantees = tuple(
            (label, None if screening is None else getattr(screening, attr))
            for label, attr in zip(GUARANTEE_LABELS, _GUARANTEE_ATTRS, strict=True)
        )
        sheets.append(
            VerificationSheet(
                **common,
                verified_on=step.done_on if step else None,
                members=tuple(_sheet_member(m, today) for m in members),
                income=_income(h, len(members)),
                guarantees=guarantees,
                risks=_risks(case),
                conclusion=_conclusion(step),
            )
        )
    return sheets


def _nothing_to_print(session: Session, village_id: int | None, what: str) -> UserError:
    place = _village_name(session, village_id) or "全乡镇"
    return UserError(f"{place}没有{what}的监测对象，无需打印；如需现场手填，请打印空白表。")


def write_verification(
    session: Session,
    path: str | os.PathLike[str],
    *,
    village_id: int | None = None,
    case_ids: Sequence[int] | None = None,
    blank: bool = False,
    paper: str = "A4",
    fonts: FontLibrary | None = None,
    today: dt.date | None = None,
) -> Path:
    """入户核实表 of the chosen cases in one PDF."""
    sheets = gather_verification(session, village_id=village_id, case_ids=case_ids, blank=blank, today=today)
    if not sheets:
        raise _nothing_to_print(session, village_id, "处于识别或风险消除程序中")
    return case_sheets_pdf.render_verification(path, sheets, paper=paper, fonts=fonts)


# --------------------------------------------------------------------------------------------------
# 监测对象申请及承诺授权查询书


def is_adult(age: int | None) -> bool:
    """Signs himself: :data:`ADULT_AGE` or older; an unknown age signs too (better one box too many)."""
    return age is None or age >= ADULT_AGE


def gather_authorisation(
    session: Session,
    *,
    village_id: int | None = None,
    case_ids: Sequence[int] | None = None,
    blank: bool = False,
    today: dt.date | None = None,
) -> list[AuthorisationLetter]:
    """One :class:`AuthorisationLetter` per case; the signers are the adult members."""
    today = today or dt.date.today()
    township = settings_service.load(session).township
    if blank and case_ids is None:
        return [
            AuthorisationLetter(township=township, village=_village_name(session, village_id), blank=True)
        ]
    _village_name(session, village_id)
    ids = _case_ids(session, village_id, case_ids, AUTHORISATION_STATUSES)
    cases = _load(session, ids)
    letters = []
    for cid in ids:
        case = cases[cid]
        h = case.household
        members = _members(h)
        common = dict(
            township=township,
            village=h.village.name if h.village else "",
            group=h.group.name if h.group else "",
            code=h.code or "",
            head_name=_head_name(members),
            key=str(case.id),
        )
        if blank:
            letters.append(AuthorisationLetter(**common, blank=True))
            continue
        printed = [_sheet_member(m, today) for m in members]
        letters.append(
            AuthorisationLetter(
                **common,
                people=len(members),
                risks=_risks(case),
                signers=tuple(m for m in printed if is_adult(m.age)),
            )
        )
    return letters


def write_authorisation(
    session: Session,
    path: str | os.PathLike[str],
    *,
    village_id: int | None = None,
    case_ids: Sequence[int] | None = None,
    blank: bool = False,
    paper: str = "A4",
    fonts: FontLibrary | None = None,
    today: dt.date | None = None,
) -> Path:
    """承诺授权查询书 of the chosen cases in one PDF."""
    letters = gather_authorisation(
        session, village_id=village_id, case_ids=case_ids, blank=blank, today=today
    )
    if not letters:
        raise _nothing_to_print(session, village_id, "处于识别程序中")
    return case_sheets_pdf.render_authorisation(path, letters, paper=paper, fonts=fonts)
