"""What lists and pickers show: the registry table's rows, a household's label, region options.

``fetch_rows`` reads a page of rows in two queries per 500 ids; ``household_label`` is how every
message names a household.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from fanpin_desktop.domain import ids
from fanpin_desktop.domain.cases import monitoring_status_of
from fanpin_desktop.models import Household, Member, MonitoringCase, Village, VillageGroup
from fanpin_desktop.services.households.constants import (
    FLAG_DIBAO,
    FLAG_DISABLED,
    FLAG_MILITARY,
    FLAG_NO_LABOUR,
    FLAG_RELOCATED,
    FLAG_TEKUN,
    FLAG_URBAN,
    HEAD,
    LABOUR_SKILLS_ABLE,
    SQL_CHUNK,
)

# --------------------------------------------------------------------------- rows


@dataclass(frozen=True, slots=True)
class HouseholdRow:
    """What the registry table shows for one household. The head's ID is masked."""

    id: int
    village: str
    village_order: int
    group: str
    group_order: int
    code: str
    head_name: str
    head_initials: str
    head_id_masked: str
    size: int
    household_type: str
    monitoring_status: str
    phone: str
    flags: tuple[str, ...]


def _is_disabled(health: str | None, category: str | None) -> bool:
    return bool(category) or ("残疾" in (health or ""))


def _chunks(values: Sequence[int], size: int = SQL_CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _household_flags(relocated: bool, military: bool, urban: bool, people: Sequence[Any]) -> tuple[str, ...]:
    """The registry flags of a household from its own columns and its member rows (same rules
    as the SQL of ``_flag_condition``)."""
    flags = []
    if relocated:
        flags.append(FLAG_RELOCATED)
    if military:
        flags.append(FLAG_MILITARY)
    if urban:
        flags.append(FLAG_URBAN)
    if people and not any(m.labour_skill in LABOUR_SKILLS_ABLE for m in people):
        flags.append(FLAG_NO_LABOUR)
    if any(_is_disabled(m.health, m.disability_category) for m in people):
        flags.append(FLAG_DISABLED)
    if any(m.dibao for m in people):
        flags.append(FLAG_DIBAO)
    if any(m.tekun for m in people):
        flags.append(FLAG_TEKUN)
    return tuple(flags)


_MEMBER_COLUMNS = (
    Member.household_id,
    Member.name,
    Member.name_initials,
    Member.id_number,
    Member.relation,
    Member.labour_skill,
    Member.health,
    Member.disability_category,
    Member.dibao,
    Member.tekun,
    Member.phone,
)
_HOUSEHOLD_COLUMNS = (
    Household.id,
    Household.code,
    Household.household_type,
    Household.phone,
    Household.relocated,
    Household.military_family,
    Household.urban_registered,
    Household.village_id,
    Household.group_id,
    Village.name,
    Village.sort_order,
    VillageGroup.name,
    VillageGroup.sort_order,
)


def _household_select() -> Any:
    return (
        select(*_HOUSEHOLD_COLUMNS)
        .join(Village, Village.id == Household.village_id)
        .outerjoin(VillageGroup, VillageGroup.id == Household.group_id)
    )


def _members_by_household(session: Session, household_ids: Sequence[int] | None) -> dict[int, list[Any]]:
    stmt = select(*_MEMBER_COLUMNS).order_by(Member.household_id, Member.sort_order, Member.id)
    if household_ids is not None:
        stmt = stmt.where(Member.household_id.in_(household_ids))
    members: dict[int, list[Any]] = {}
    for m in session.connection().execute(stmt).all():
        members.setdefault(m.household_id, []).append(m)
    return members


def _case_statuses_by_household(
    session: Session, household_ids: Sequence[int] | None
) -> dict[int, list[str]]:
    stmt = select(MonitoringCase.household_id, MonitoringCase.status)
    if household_ids is not None:
        stmt = stmt.where(MonitoringCase.household_id.in_(household_ids))
    out: dict[int, list[str]] = {}
    for hid, status in session.connection().execute(stmt).all():
        out.setdefault(hid, []).append(status)
    return out


def _head_of(people: Sequence[Any]) -> Any:
    return next((m for m in people if m.relation == HEAD), None)


def fetch_rows(session: Session, household_ids: Sequence[int]) -> dict[int, HouseholdRow]:
    """Table rows for ``household_ids`` (two queries per 500 ids); unknown ids are left out."""
    result: dict[int, HouseholdRow] = {}
    unique = list(dict.fromkeys(household_ids))
    case_statuses = (
        select(func.group_concat(MonitoringCase.status, ","))
        .where(MonitoringCase.household_id == Household.id)
        .correlate(Household)
        .scalar_subquery()
    )
    conn = session.connection()
    for chunk in _chunks(unique):
        households = conn.execute(
            _household_select().add_columns(case_statuses).where(Household.id.in_(chunk))
        ).all()
        members = _members_by_household(session, chunk)
        for (
            hid,
            code,
            htype,
            phone,
            relocated,
            military,
            urban,
            _vid,
            _gid,
            vname,
            vorder,
            gname,
            gorder,
            statuses,
        ) in households:
            people = members.get(hid, [])
            head = _head_of(people) or (people[0] if people else None)
            result[hid] = HouseholdRow(
                id=hid,
                village=vname,
                village_order=vorder or 0,
                group=gname or "",
                group_order=gorder if gorder is not None else 1 << 30,
                code=code or "",
                head_name=head.name if head else "",
                head_initials=head.name_initials if head else "",
                head_id_masked=ids.mask(head.id_number) if head else "",
                size=len(people),
                household_type=htype or "",
                monitoring_status=monitoring_status_of(statuses.split(",") if statuses else ()),
                phone=phone or (head.phone if head and head.phone else ""),
                flags=_household_flags(relocated, military, urban, people),
            )
    return result


# --------------------------------------------------------------------------- region options


@dataclass(frozen=True)
class Option:
    id: int
    name: str


@dataclass(frozen=True)
class VillageOption:
    id: int
    name: str
    groups: tuple[Option, ...]
    natural_villages: tuple[Option, ...]


def region_options(session: Session) -> list[VillageOption]:
    """Villages in display order with their groups and natural villages (for combo boxes)."""
    villages = session.scalars(
        select(Village)
        .options(selectinload(Village.groups), selectinload(Village.natural_villages))
        .order_by(Village.sort_order, Village.id)
    )
    return [
        VillageOption(
            v.id,
            v.name,
            tuple(Option(g.id, g.name) for g in v.groups),
            tuple(Option(n.id, n.name) for n in v.natural_villages),
        )
        for v in villages
    ]


def household_label(session: Session, household_id: int) -> str:
    """“某村某组 张三户” — how messages name a household."""
    row = fetch_rows(session, [household_id]).get(household_id)
    if row is None:
        return f"户（编号{household_id}，已不存在）"
    place = f"{row.village}{row.group}"
    return f"{place} {row.head_name or '（无户主）'}户"
