"""Township structure: administrative villages, villager groups, natural villages and grids.

Used by the settings page and the importers. Everything returned to callers is a plain dataclass
(no live ORM objects), so a page can keep it after its unit of work has closed. Changes go through
the ORM, so each one lands in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from fanpin_desktop.domain.rules.members import valid_phone
from fanpin_desktop.errors import ValidationError
from fanpin_desktop.models import Grid, Household, NaturalVillage, Village, VillageGroup

_DIGITS = "零一二三四五六七八九"

_R = TypeVar("_R", Village, VillageGroup, NaturalVillage, Grid)


class RegionError(ValidationError):
    """A refused change to the township structure; the message is Chinese."""


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 15 -> 十五, 20 -> 二十, 23 -> 二十三 (1..99)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


def default_group_name(n: int) -> str:
    """The usual name of the n-th villager group: 一组, 二组, … 十五组."""
    return f"{chinese_number(n)}组"


# --------------------------------------------------------------------------- read


@dataclass(frozen=True)
class GroupInfo:
    id: int
    name: str
    sort_order: int
    households: int


@dataclass(frozen=True)
class NaturalVillageInfo:
    id: int
    name: str
    sort_order: int
    households: int


@dataclass(frozen=True)
class GridInfo:
    id: int
    name: str
    worker_name: str | None
    worker_phone: str | None
    trained: bool


@dataclass(frozen=True)
class VillageInfo:
    id: int
    name: str
    code: str | None
    sort_order: int
    is_poverty_village: bool
    committee_phone: str | None
    households: int
    groups: list[GroupInfo] = field(default_factory=list)
    natural_villages: list[NaturalVillageInfo] = field(default_factory=list)
    grids: list[GridInfo] = field(default_factory=list)


def _counts(session: Session, column) -> dict[int, int]:  # type: ignore[no-untyped-def]
    rows = session.execute(select(column, func.count()).where(column.is_not(None)).group_by(column))
    return {k: n for k, n in rows}


def list_villages(session: Session) -> list[VillageInfo]:
    """Every village in display order, with its groups, natural villages, grids and household counts."""
    by_village = _counts(session, Household.village_id)
    by_group = _counts(session, Household.group_id)
    by_natural = _counts(session, Household.natural_village_id)
    villages = session.scalars(
        select(Village)
        .options(
            selectinload(Village.groups), selectinload(Village.natural_villages), selectinload(Village.grids)
        )
        .order_by(Village.sort_order, Village.id)
    )
    return [
        VillageInfo(
            id=v.id,
            name=v.name,
            code=v.code,
            sort_order=v.sort_order,
            is_poverty_village=v.is_poverty_village,
            committee_phone=v.committee_phone,
            households=by_village.get(v.id, 0),
            groups=[GroupInfo(g.id, g.name, g.sort_order, by_group.get(g.id, 0)) for g in v.groups],
            natural_villages=[
                NaturalVillageInfo(n.id, n.name, n.sort_order, by_natural.get(n.id, 0))
                for n in v.natural_villages
            ],
            grids=[
                GridInfo(g.id, g.name, g.worker_name, g.worker_phone, g.trained)
                for g in sorted(v.grids, key=lambda g: g.id)
            ],
        )
        for v in villages
    ]


def village_names(session: Session) -> list[str]:
    return list(session.scalars(select(Village.name).order_by(Village.sort_order, Village.id)))


def find_village(session: Session, name: str) -> Village | None:
    return session.scalar(select(Village).where(Village.name == _clean(name, "村名")))


def find_group(session: Session, village_id: int, name: str) -> VillageGroup | None:
    return session.scalar(
        select(VillageGroup).where(
            VillageGroup.village_id == village_id, VillageGroup.name == _clean(name, "组名")
        )
    )


# --------------------------------------------------------------------------- helpers


def _clean(name: str | None, label: str) -> str:
    text = (name or "").strip().replace("\u3000", "")
    if not text:
        raise RegionError("name", f"{label}不能为空")
    if len(text) > 40:
        raise RegionError("name", f"{label}“{text}”太长（最多40个字）")
    return text


def _get(session: Session, model: type[_R], record_id: int, field: str, what: str) -> _R:
    record = session.get(model, record_id)
    if record is None:
        raise RegionError(field, f"找不到该{what}，可能已被删除")
    return record


def _rename(
    session: Session, record: _R, new_name: str, label: str, find: Callable[[str], object | None], taken: str
) -> _R:
    """Give ``record`` the cleaned ``new_name`` unless ``find`` finds another record of that name
    (``taken``: the refusal, ``{}`` standing for the name)."""
    new_name = _clean(new_name, label)
    if new_name != record.name:
        if find(new_name) is not None:
            raise RegionError("name", taken.format(new_name))
        record.name = new_name
        session.flush()
    return record


def _delete_unless_used(
    session: Session,
    record: Village | VillageGroup | NaturalVillage,
    field: str,
    where: ColumnElement[bool],
    refusal: str,
) -> None:
    """Delete ``record`` unless households match ``where`` (``refusal``: the message, with
    ``{name}`` and ``{n}``, the number of households)."""
    n = _household_count(session, where)
    if n:
        raise RegionError(field, refusal.format(name=record.name, n=n))
    session.delete(record)
    session.flush()


def _village(session: Session, village_id: int) -> Village:
    return _get(session, Village, village_id, "village", "行政村")


def _next_order(session: Session, column, *where) -> int:  # type: ignore[no-untyped-def]
    current = session.scalar(select(func.max(column)).where(*where))
    return (current or 0) + 1


def _household_count(session: Session, *where) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(Household).where(*where)) or 0


# --------------------------------------------------------------------------- villages


def create_village(
    session: Session,
    name: str,
    code: str | None = None,
    committee_phone: str | None = None,
    is_poverty_village: bool = False,
) -> Village:
    name = _clean(name, "村名")
    if find_village(session, name) is not None:
        raise RegionError("name", f"行政村“{name}”已存在")
    village = Village(
        name=name,
        code=(code or None),
        committee_phone=(committee_phone or None),
        is_poverty_village=is_poverty_village,
        sort_order=_next_order(session, Village.sort_order),
    )
    session.add(village)
    session.flush()
    return village


def get_or_create_village(session: Session, name: str) -> Village:
    return find_village(session, name) or create_village(session, name)


def rename_village(session: Session, village_id: int, new_name: str) -> Village:
    return _rename(
        session,
        _village(session, village_id),
        new_name,
        "村名",
        lambda name: find_village(session, name),
        "行政村“{}”已存在，不能重名",
    )


def update_village(
    session: Session,
    village_id: int,
    *,
    code: str | None = None,
    committee_phone: str | None = None,
    is_poverty_village: bool | None = None,
) -> Village:
    """Change a village's code, committee phone or 脱贫村 flag (None leaves a value unchanged)."""
    village = _village(session, village_id)
    if code is not None:
        village.code = code.strip() or None
    if committee_phone is not None:
        village.committee_phone = committee_phone.strip() or None
    if is_poverty_village is not None:
        village.is_poverty_village = is_poverty_village
    session.flush()
    return village


def delete_village(session: Session, village_id: int) -> None:
    _delete_unless_used(
        session,
        _village(session, village_id),
        "village",
        Household.village_id == village_id,
        "行政村“{name}”下还有{n}户，不能删除；请先把这些户迁到其他村",
    )


def reorder_villages(session: Session, village_ids: list[int]) -> None:
    """Set the display order to the order of ``village_ids`` (others keep their relative order after)."""
    villages = {v.id: v for v in session.scalars(select(Village))}
    ordered = [villages[i] for i in village_ids if i in villages]
    rest = sorted(
        (v for v in villages.values() if v.id not in set(village_ids)), key=lambda v: (v.sort_order, v.id)
    )
    for n, v in enumerate(ordered + rest, start=1):
        if v.sort_order != n:
            v.sort_order = n
    session.flush()


# --------------------------------------------------------------------------- groups


def _group(session: Session, group_id: int) -> VillageGroup:
    return _get(session, VillageGroup, group_id, "group", "村民小组")


def create_group(session: Session, village_id: int, name: str | None = None) -> VillageGroup:
    """Add a group; without a name it becomes the next of 一组, 二组, …"""
    village = _village(session, village_id)
    order = _next_order(session, VillageGroup.sort_order, VillageGroup.village_id == village_id)
    if name is None or not name.strip():
        existing = set(
            session.scalars(select(VillageGroup.name).where(VillageGroup.village_id == village_id))
        )
        n = order
        while default_group_name(n) in existing:
            n += 1
        name = default_group_name(n)
    name = _clean(name, "组名")
    if find_group(session, village_id, name) is not None:
        raise RegionError("name", f"{village.name}已有“{name}”")
    group = VillageGroup(village_id=village_id, name=name, sort_order=order)
    session.add(group)
    session.flush()
    return group


def get_or_create_group(session: Session, village_id: int, name: str) -> VillageGroup:
    return find_group(session, village_id, name) or create_group(session, village_id, name)


def rename_group(session: Session, group_id: int, new_name: str) -> VillageGroup:
    group = _group(session, group_id)
    return _rename(
        session,
        group,
        new_name,
        "组名",
        lambda name: find_group(session, group.village_id, name),
        "本村已有“{}”，不能重名",
    )


def delete_group(session: Session, group_id: int) -> None:
    _delete_unless_used(
        session,
        _group(session, group_id),
        "group",
        Household.group_id == group_id,
        "“{name}”下还有{n}户，不能删除；请先把这些户调整到其他组",
    )


# --------------------------------------------------------------------------- natural villages


def _natural(session: Session, natural_id: int) -> NaturalVillage:
    return _get(session, NaturalVillage, natural_id, "natural_village", "自然村")


def _find_natural(session: Session, village_id: int, name: str) -> NaturalVillage | None:
    return session.scalar(
        select(NaturalVillage).where(NaturalVillage.village_id == village_id, NaturalVillage.name == name)
    )


def create_natural_village(session: Session, village_id: int, name: str) -> NaturalVillage:
    village = _village(session, village_id)
    name = _clean(name, "自然村名")
    if _find_natural(session, village_id, name) is not None:
        raise RegionError("name", f"{village.name}已有自然村“{name}”")
    nv = NaturalVillage(
        village_id=village_id,
        name=name,
        sort_order=_next_order(session, NaturalVillage.sort_order, NaturalVillage.village_id == village_id),
    )
    session.add(nv)
    session.flush()
    return nv


def rename_natural_village(session: Session, natural_id: int, new_name: str) -> NaturalVillage:
    nv = _natural(session, natural_id)
    return _rename(
        session,
        nv,
        new_name,
        "自然村名",
        lambda name: _find_natural(session, nv.village_id, name),
        "本村已有自然村“{}”，不能重名",
    )


def delete_natural_village(session: Session, natural_id: int) -> None:
    _delete_unless_used(
        session,
        _natural(session, natural_id),
        "natural_village",
        Household.natural_village_id == natural_id,
        "自然村“{name}”下还有{n}户，不能删除；请先调整这些户的自然村",
    )


# --------------------------------------------------------------------------- grids


def _grid(session: Session, grid_id: int) -> Grid:
    return _get(session, Grid, grid_id, "grid", "网格")


def _find_grid(session: Session, village_id: int, name: str) -> Grid | None:
    return session.scalar(select(Grid).where(Grid.village_id == village_id, Grid.name == name))


def _grid_values(
    worker_name: str | None, worker_phone: str | None, trained: bool
) -> tuple[str | None, str | None, bool]:
    """The grid worker's cleaned name and phone; refused (nothing written yet) when the name is too
    long, the phone is neither an 11-digit mobile nor a landline, or 已培训 has no worker."""
    worker = (worker_name or "").strip().replace("\u3000", "") or None
    if worker is not None and len(worker) > 40:
        raise RegionError("worker_name", f"网格员姓名“{worker}”太长（最多40个字）")
    phone = (worker_phone or "").strip().replace(" ", "").replace("\u3000", "") or None
    if phone is not None and not valid_phone(phone):
        raise RegionError(
            "worker_phone", f"联系电话“{phone}”不是11位手机号码或固定电话（如0564-6012345），请改正"
        )
    if trained and worker is None:
        raise RegionError("trained", "没有填网格员，不能勾选“已培训”")
    return worker, phone, bool(trained)


def create_grid(
    session: Session,
    village_id: int,
    name: str,
    worker_name: str | None = None,
    worker_phone: str | None = None,
    trained: bool = False,
) -> Grid:
    """A new 网格 of the village with its 网格员 (all optional but the name, unique in the village)."""
    village = _village(session, village_id)
    name = _clean(name, "网格名称")
    worker, phone, trained = _grid_values(worker_name, worker_phone, trained)
    if _find_grid(session, village_id, name) is not None:
        raise RegionError("name", f"{village.name}已有网格“{name}”，不能重名")
    grid = Grid(village_id=village_id, name=name, worker_name=worker, worker_phone=phone, trained=trained)
    session.add(grid)
    session.flush()
    return grid


def update_grid(
    session: Session,
    grid_id: int,
    *,
    name: str,
    worker_name: str | None,
    worker_phone: str | None,
    trained: bool,
) -> Grid:
    """Change a grid's name and 网格员 (every value checked before any is written)."""
    grid = _grid(session, grid_id)
    name = _clean(name, "网格名称")
    worker, phone, trained = _grid_values(worker_name, worker_phone, trained)
    if name != grid.name:
        other = _find_grid(session, grid.village_id, name)
        if other is not None and other.id != grid.id:
            raise RegionError("name", f"本村已有网格“{name}”，不能重名")
    grid.name = name
    grid.worker_name = worker
    grid.worker_phone = phone
    grid.trained = trained
    session.flush()
    return grid


def delete_grid(session: Session, grid_id: int) -> None:
    """Delete a grid (no household belongs to a grid, so nothing refuses it)."""
    session.delete(_grid(session, grid_id))
    session.flush()
