"""What the details pane says about a household: facts derived from its members and incomes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fanpin_desktop.domain import facts, ids
from fanpin_desktop.domain.cases import monitoring_status_of
from fanpin_desktop.models import MonitoringCase
from fanpin_desktop.services.households.drafts import HouseholdDraft, income_totals, load_household
from fanpin_desktop.services.households.rows import household_label

# --------------------------------------------------------------------------- derived facts


@dataclass(frozen=True)
class HouseholdSummary:
    """What the registry page's details pane shows about one household."""

    title: str
    facts: list[tuple[str, str]]  # (label, value)
    members: list[tuple[str, str, str, str]]  # name, relation, age, notes


def _names(items: Iterable[facts.MemberFacts]) -> str:
    return "、".join(f.name for f in items) or "无"


def derived_facts(
    draft: HouseholdDraft,
    today: dt.date | None = None,
    case_statuses: Iterable[str] | None = None,
) -> list[tuple[str, str]]:
    """Facts derived from the draft (domain.facts.household_facts), as labelled lines."""
    today = today or dt.date.today()
    staying = draft.staying_members
    f = facts.household_facts(staying, today)
    out: list[tuple[str, str]] = [
        ("家庭人口数", f"{f.size}人"),
        ("劳动力", f"{f.labour_count}人（普通劳动力、技能劳动力）"),
        ("整户无劳动能力", "是" if f.no_labour_household else "否"),
    ]
    ages = [m.age for m in f.members if m.age is not None]
    if ages:
        out.append(("年龄", f"最小{min(ages)}岁，最大{max(ages)}岁"))
    out.append(("未成年人", f"{f.minors}人" + ("（多未成年子女家庭）" if f.many_minors else "")))
    out.append(("60岁及以上", f"{f.elderly_count}人" + ("（分户独居老人户）" if f.elderly_alone else "")))
    if f.single_person:
        out.append(("单人户", "是"))
    disabled = [m for m in f.members if m.is_disabled]
    severe = [m for m in disabled if m.is_severely_disabled]
    out.append(("残疾人", _names(disabled) + (f"（重度：{_names(severe)}）" if severe else "")))
    out.append(("患大病", _names(m for m in f.members if m.has_serious_illness)))
    out.append(("长期慢性病", _names(m for m in f.members if m.has_chronic_illness)))
    if f.students:
        out.append(("在校生", f"{f.students}人，其中非义务教育阶段{f.noncompulsory_students}人"))
    out.append(("低保", "是" if f.any_dibao else "否"))
    out.append(("特困供养", "是" if f.any_tekun else "否"))
    if f.migrant_workers:
        out.append(("务工人员", f"{f.migrant_workers}人，合计{f.migrant_months}个月"))
    if draft.incomes:
        latest = max(draft.incomes, key=lambda r: r.period_start or dt.date.min)
        t = income_totals(latest, f.size)
        per = f"{t.per_capita}元" if t.per_capita is not None else "—"
        out.append(("最近收支", f"{latest.year}年 家庭纯收入{t.net}元，人均纯收入{per}"))
    if case_statuses is not None:
        out.append(("监测状态", monitoring_status_of(case_statuses)))
    return out


def case_statuses(session: Session, household_id: int) -> list[str]:
    return list(
        session.scalars(select(MonitoringCase.status).where(MonitoringCase.household_id == household_id))
    )


def household_summary(session: Session, household_id: int, today: dt.date | None = None) -> HouseholdSummary:
    """Title, derived facts and a member list for the details pane (one unit of work)."""
    today = today or dt.date.today()
    draft = load_household(session, household_id)
    lines = derived_facts(draft, today, case_statuses(session, household_id))
    members = []
    for m in draft.members:
        age = str(ids.age_on(m.birth_date, today)) if m.birth_date else ""
        notes = "、".join(
            p
            for p in (
                m.health if m.health and m.health != "健康" else "",
                m.labour_skill or "",
                m.schooling or m.education or "",
            )
            if p
        )
        members.append((m.name, m.relation, age, notes))
    title = household_label(session, household_id)
    if draft.code:
        title += f"（户编号 {draft.code}）"
    return HouseholdSummary(title, lines, members)
