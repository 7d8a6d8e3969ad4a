"""防止返贫监测对象信息采集表: gathering one form per household and writing it as PDF or xlsx.

Which households: with ``village_id``, the village's monitored cases (已纳入 / 消除中 / 已回退) and
those being identified (识别中), one form per household (its newest such case); ``case_ids``
overrides the choice. ``blank`` gives one blank form for the field teams.

What is on the form and in which order is the layout file's business
(:mod:`fanpin_desktop.domain.collection_layout`); this module fills every source key the layout
may name from the household, its members, the latest income record (totals by
:func:`fanpin_desktop.domain.income.totals`), the case (category, risks, measures by category,
elimination, the current 帮扶联系人) and the township settings. Values the records do not hold
(the income sub-items such as 务工收入 or 生态补偿金; the collector) stay ``None`` and print empty.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fanpin_desktop.documents import collection_pdf, collection_xlsx
from fanpin_desktop.documents.collection_pdf import CollectionForm
from fanpin_desktop.documents.fonts import FontLibrary
from fanpin_desktop.domain import collection_layout
from fanpin_desktop.domain.cases import (
    CASE_ELIMINATING,
    CASE_IDENTIFYING,
    CASE_INCLUDED,
    CASE_ROLLED_BACK,
)
from fanpin_desktop.domain.collection_layout import MEASURE_PREFIX, CollectionLayout
from fanpin_desktop.domain.income import totals
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import Household, HouseholdScreening, MonitoringCase, Village, VillageGroup
from fanpin_desktop.services import settings as settings_service

#: the cases a village's forms are printed for: monitored now, and being identified
COLLECTION_STATUSES = (CASE_INCLUDED, CASE_ELIMINATING, CASE_ROLLED_BACK, CASE_IDENTIFYING)

#: 三保障 and drinking water: (source key, the risk type meaning a problem, the screening answer)
GUARANTEES = (
    ("housing_problem", "住房出现安全问题", "housing_safe"),
    ("education_problem", "家庭成员中有义务教育阶段适龄儿童少年失学辍学", "education_secured"),
    ("water_problem", "饮水安全问题", "water_safe"),
)
NATURAL_DISASTER = "因自然灾害"
EXITED = "脱贫户"
HEAD = "户主"

#: sources the records do not hold: the income sub-items (the records keep only the four kinds)
NOT_RECORDED = (
    "wage_work",
    "wage_public_post",
    "wage_other",
    "property_dividend",
    "transfer_pension",
    "transfer_family_planning",
    "transfer_ecological",
    "transfer_dibao",
    "transfer_tekun",
    "transfer_other",
)
#: filled in by hand on the printed form
HAND_FILLED = ("collector", "collector_phone", "head_signature", "filled_on")

LayoutArg = CollectionLayout | str | os.PathLike[str] | None


def resolve_layout(layout: LayoutArg = None, year: int | None = None) -> CollectionLayout:
    """The layout to use: given, read from a file path, or the one in force (newest)."""
    if isinstance(layout, CollectionLayout):
        return layout
    if layout is not None:
        try:
            return collection_layout.read(layout)
        except OSError as exc:
            raise UserError(f"无法读取信息采集表表样文件“{layout}”：{exc.strerror or exc}") from exc
        except (ValueError, collection_layout.LayoutError) as exc:
            raise UserError(f"信息采集表表样文件“{layout}”有误：{exc}") from exc
    return collection_layout.load(year)


# --------------------------------------------------------------------------------------------------
# which cases


def collection_case_ids(session: Session, village_id: int | None = None) -> list[int]:
    """The cases whose households get a form: one per household (its newest case in
    :data:`COLLECTION_STATUSES`), in village, group and 户编号 order; all villages when None."""
    query = (
        select(MonitoringCase.id, MonitoringCase.household_id)
        .join(Household, Household.id == MonitoringCase.household_id)
        .join(Village, Village.id == Household.village_id)
        .outerjoin(VillageGroup, VillageGroup.id == Household.group_id)
        .where(MonitoringCase.status.in_(COLLECTION_STATUSES))
        .order_by(
            Village.sort_order,
            Village.id,
            VillageGroup.sort_order,
            Household.code,
            Household.id,
            MonitoringCase.clue_date.desc(),
            MonitoringCase.id.desc(),
        )
    )
    if village_id is not None:
        query = query.where(Household.village_id == village_id)
    seen: set[int] = set()
    out = []
    for case_id, household_id in session.execute(query):
        if household_id not in seen:
            seen.add(household_id)
            out.append(case_id)
    return out


def _load_cases(session: Session, case_ids: Sequence[int]) -> list[MonitoringCase]:
    cases = session.scalars(
        select(MonitoringCase)
        .where(MonitoringCase.id.in_(list(case_ids)))
        .options(
            selectinload(MonitoringCase.risks),
            selectinload(MonitoringCase.measures),
            selectinload(MonitoringCase.contacts),
            selectinload(MonitoringCase.household).selectinload(Household.members),
            selectinload(MonitoringCase.household).selectinload(Household.incomes),
            selectinload(MonitoringCase.household).selectinload(Household.village),
            selectinload(MonitoringCase.household).selectinload(Household.group),
        )
    ).all()
    by_id = {c.id: c for c in cases}
    return [by_id[i] for i in case_ids if i in by_id]


def _latest_screenings(session: Session, household_ids: Iterable[int]) -> dict[int, HouseholdScreening]:
    ids = list(set(household_ids))
    if not ids:
        return {}
    rows = session.scalars(
        select(HouseholdScreening)
        .where(HouseholdScreening.household_id.in_(ids))
        .order_by(HouseholdScreening.screened_on.asc().nulls_first(), HouseholdScreening.id.asc())
    )
    return {r.household_id: r for r in rows}  # the last one wins: the newest


# --------------------------------------------------------------------------------------------------
# one household's values


def _income_period(start: dt.date | None, end: dt.date | None, year: int) -> str:
    if start and end:
        return f"{start.year}年{start.month}月—{end.year}年{end.month}月"
    return f"{year}年度"


def _current_contact(case: MonitoringCase, today: dt.date) -> Any:
    current = [c for c in case.contacts if c.end_date is None or c.end_date >= today]
    pool = current or list(case.contacts)
    if not pool:
        return None
    return max(pool, key=lambda c: (c.start_date or dt.date.min, c.id))


def form_values(
    case: MonitoringCase,
    settings: settings_service.TownshipSettings,
    screening: HouseholdScreening | None,
    today: dt.date,
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """The values and grid rows of one household's form (see the layout's sources)."""
    h = case.household
    members = sorted(h.members, key=lambda m: (m.sort_order, m.id))
    head = next((m for m in members if m.relation == HEAD), members[0] if members else None)
    risks = sorted(case.risks, key=lambda r: r.position)
    risk_types = {r.risk_type for r in risks}
    values: dict[str, Any] = {
        "province": settings.province,
        "city": settings.city,
        "county": settings.county,
        "township": settings.township,
        "village": h.village.name if h.village else "",
        "group": h.group.name if h.group else "",
        "household_code": h.code or "",
        "head_name": head.name if head else "",
        "household_size": len(members),
        "address": h.address or "",
        "phone": h.phone or "",
        "relocated": bool(h.relocated),
        "relocation_site": h.relocation_site or "",
        "category": case.category or "",
        "is_exited": h.household_type == EXITED,
        "household_type": h.household_type or "",
        "no_labour": bool(case.no_labour),
        "status": case.status,
        "identified_on": case.identified_on,
        "elimination_mode": case.elimination_mode or "",
        "eliminated_on": case.eliminated_on,
    }
    for key, risk_type, answer in GUARANTEES:
        values[key] = risk_type in risk_types or (
            screening is not None and getattr(screening, answer) is False
        )
    values["medical_problem"] = any(
        not (m.ins_resident_medical or m.ins_employee_medical) for m in members
    ) or (screening is not None and screening.medical_secured is False)

    # 收支情况: the latest income record
    for key in NOT_RECORDED:
        values[key] = None
    if h.incomes:
        rec = max(h.incomes, key=lambda r: (r.period_start or dt.date.min, r.id))
        t = totals(
            rec.wage,
            rec.business,
            rec.property_income,
            rec.transfer,
            rec.business_cost,
            rec.people_count or len(members),
        )
        values.update(
            income_period=_income_period(rec.period_start, rec.period_end, rec.year),
            income_year=rec.year,
            wage=rec.wage,
            business=rec.business,
            property_income=rec.property_income,
            transfer=rec.transfer,
            business_cost=rec.business_cost,
            net_income=t.net,
            per_capita_income=t.per_capita,
            claims_income=rec.claims_income,
            rigid_spending=rec.rigid_spending,
        )

    # 帮扶措施 by category (one line each), 开发式 if any measure is
    names = {m.id: m.name for m in members}
    by_category: dict[str, list[str]] = {}
    for m in sorted(case.measures, key=lambda m: (m.start_date or dt.date.min, m.id)):
        text = (m.content or "").strip()
        who = names.get(m.member_id) if m.member_id else None
        if who:
            text = f"{who}：{text}"
        if m.start_date:
            text += f"（{m.start_date.year}年{m.start_date.month}月起）"
        by_category.setdefault(m.category, []).append(text)
    for category, texts in by_category.items():
        values[MEASURE_PREFIX + category] = "；".join(texts)
    values["development"] = any(m.is_development for m in case.measures)

    contact = _current_contact(case, today)
    values["contact_name"] = contact.name if contact else ""
    values["contact_phone"] = (contact.phone or "") if contact else ""
    for key in HAND_FILLED:
        values[key] = None

    member_rows = []
    for i, m in enumerate(members, start=1):
        row = {key: getattr(m, key, None) for key in collection_layout.ROW_SOURCES["members"]}
        row.update(seq=i, relocated=bool(h.relocated), id_number=m.id_number or "")
        member_rows.append(row)
    risk_rows = [
        {
            "seq": i,
            "label": f"风险{i}",
            "risk_type": r.risk_type,
            "subtype": (r.subtype or "") if r.risk_type == NATURAL_DISASTER else "",
            "note": r.note or "",
        }
        for i, r in enumerate(risks, start=1)
    ]
    return values, {"members": member_rows, "risks": risk_rows}


# --------------------------------------------------------------------------------------------------
# gather and write


def gather_collection(
    session: Session,
    *,
    village_id: int | None = None,
    case_ids: Sequence[int] | None = None,
    blank: bool = False,
    layout: LayoutArg = None,
    today: dt.date | None = None,
) -> list[CollectionForm]:
    """One :class:`CollectionForm` per household (one blank form when ``blank``)."""
    chosen = resolve_layout(layout)
    if blank:
        return [CollectionForm(chosen, blank=True)]
    today = today or dt.date.today()
    ids = list(case_ids) if case_ids else collection_case_ids(session, village_id)
    if case_ids is None and not ids:
        where = ""
        if village_id is not None:
            village = session.get(Village, village_id)
            where = village.name if village else ""
        raise UserError(f"{where or '全乡镇'}没有监测中或识别中的监测对象，没有可打印的信息采集表。")
    cases = _load_cases(session, ids)
    if not cases:
        raise UserError("所选的监测对象记录不存在，可能已被删除，请刷新列表后再试。")
    settings = settings_service.load(session)
    screenings = _latest_screenings(session, [c.household_id for c in cases])
    forms = []
    for case in cases:
        values, rows = form_values(case, settings, screenings.get(case.household_id), today)
        forms.append(
            CollectionForm(
                chosen,
                values,
                rows,
                head_name=values["head_name"],
                household_code=values["household_code"],
                hand=frozenset(HAND_FILLED),
            )
        )
    return forms


def write_collection_pdf(
    session: Session,
    path: str | os.PathLike[str],
    *,
    village_id: int | None = None,
    case_ids: Sequence[int] | None = None,
    blank: bool = False,
    paper: str = "A4",
    fonts: FontLibrary | None = None,
    layout: LayoutArg = None,
) -> Path:
    """The forms as one PDF (portrait; A3 scales up), each household on its own page(s)."""
    forms = gather_collection(session, village_id=village_id, case_ids=case_ids, blank=blank, layout=layout)
    return collection_pdf.render_collection(path, forms, paper=paper, fonts=fonts)


def write_collection_xlsx(
    session: Session,
    path: str | os.PathLike[str],
    *,
    village_id: int | None = None,
    case_ids: Sequence[int] | None = None,
    blank: bool = False,
    layout: LayoutArg = None,
) -> Path:
    """The forms as one workbook, one sheet per household (a blank form when ``blank``)."""
    forms = gather_collection(session, village_id=village_id, case_ids=case_ids, blank=blank, layout=layout)
    return collection_xlsx.render_collection_xlsx(path, forms)
