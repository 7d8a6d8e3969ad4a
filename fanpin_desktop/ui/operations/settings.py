"""系统设置's data-changing actions: the township data, villages with their groups, natural
villages and grids, monitoring thresholds, the 节假日 entered for years the program does not know.

Each is one unit of work on the task runner that announces ``SETTINGS`` (village names and
thresholds are shown by the registry, screening and ledger pages too). Results are plain ids, never
ORM objects, so the page can select what it just made after the unit closed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fanpin_desktop.services import calendar, regions, thresholds, warnings
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.ui.operations import CASES, SETTINGS, Handlers, Operations
from fanpin_desktop.ui.tasks import Task

#: the kinds of place the villages panel edits
VILLAGE, GROUP, NATURAL = "village", "group", "natural"

_RENAME = {
    VILLAGE: regions.rename_village,
    GROUP: regions.rename_group,
    NATURAL: regions.rename_natural_village,
}
_DELETE = {
    VILLAGE: regions.delete_village,
    GROUP: regions.delete_group,
    NATURAL: regions.delete_natural_village,
}

if TYPE_CHECKING:
    from typing_extensions import Unpack


def save_township(
    ops: Operations,
    changes: dict[str, Any],
    **handlers: Unpack[Handlers],
) -> Task:
    """Store the township form (``settings.update``)."""
    return ops.write(
        lambda s: settings_service.update(s, **changes),
        SETTINGS,
        **handlers,
    )


def add_village(
    ops: Operations,
    name: str,
    **handlers: Unpack[Handlers],
) -> Task:
    """A new 行政村; ``success(village id)``."""
    return ops.write(lambda s: regions.create_village(s, name).id, SETTINGS, **handlers)


def add_group(
    ops: Operations,
    village_id: int,
    name: str | None,
    **handlers: Unpack[Handlers],
) -> Task:
    """A new 村民小组 (``name`` None: the next of 一组, 二组…); ``success(group id)``."""
    return ops.write(
        lambda s: regions.create_group(s, village_id, name).id,
        SETTINGS,
        **handlers,
    )


def add_natural_village(
    ops: Operations,
    village_id: int,
    name: str,
    **handlers: Unpack[Handlers],
) -> Task:
    """A new 自然村; ``success(natural village id)``."""
    return ops.write(
        lambda s: regions.create_natural_village(s, village_id, name).id,
        SETTINGS,
        **handlers,
    )


def save_grid(
    ops: Operations,
    village_id: int,
    grid_id: int | None,
    values: dict[str, Any],
    **handlers: Unpack[Handlers],
) -> Task:
    """Add a 网格 to the village (``grid_id`` None) or change one; ``values``: name, worker_name,
    worker_phone, trained. ``success(grid id)``; a refused value comes as a ``ValidationError``
    naming its field. Announces ``SETTINGS`` (附件3 counts the grids)."""

    def save(s: Any) -> int:
        if grid_id is None:
            return regions.create_grid(s, village_id, **values).id
        return regions.update_grid(s, grid_id, **values).id

    return ops.write(save, SETTINGS, **handlers)


def delete_grid(
    ops: Operations,
    grid_id: int,
    **handlers: Unpack[Handlers],
) -> Task:
    """Delete a 网格; announces ``SETTINGS``."""
    return ops.write(lambda s: regions.delete_grid(s, grid_id), SETTINGS, **handlers)


def rename_place(
    ops: Operations,
    kind: str,
    place_id: int,
    name: str,
    **handlers: Unpack[Handlers],
) -> Task:
    """Rename a village, group or natural village (``kind``: VILLAGE, GROUP, NATURAL)."""
    rename = _RENAME[kind]
    return ops.write(lambda s: rename(s, place_id, name).id, SETTINGS, **handlers)


def delete_place(
    ops: Operations,
    kind: str,
    place_id: int,
    **handlers: Unpack[Handlers],
) -> Task:
    """Delete a village (with its groups and natural villages), a group or a natural village;
    refused with a Chinese message while households live there."""
    delete = _DELETE[kind]
    return ops.write(lambda s: delete(s, place_id), SETTINGS, **handlers)


def save_threshold(
    ops: Operations,
    threshold_id: int | None,
    values: dict[str, Any],
    **handlers: Unpack[Handlers],
) -> Task:
    """Add (``threshold_id`` None) or edit a threshold; ``success(threshold id)``. A refused value
    is a ``ValidationError`` naming the field (for ``user_error``)."""
    return ops.write(
        lambda s: thresholds.save(s, threshold_id, **values),
        SETTINGS,
        **handlers,
    )


def delete_threshold(
    ops: Operations,
    threshold_id: int,
    **handlers: Unpack[Handlers],
) -> Task:
    return ops.write(lambda s: thresholds.delete(s, threshold_id), SETTINGS, **handlers)


def save_calendar_day(
    ops: Operations,
    day: dt.date,
    kind: str,
    note: str,
    **handlers: Unpack[Handlers],
) -> Task:
    """Enter (or correct) a 放假 / 调休上班 day of a year the program does not know;
    ``success(row id)``. A refused value is a ``ValidationError`` naming the field."""
    return ops.write(
        lambda s: calendar.add_day(s, day, kind, note),
        SETTINGS,
        **handlers,
    )


def delete_calendar_day(
    ops: Operations,
    day_id: int,
    **handlers: Unpack[Handlers],
) -> Task:
    return ops.write(lambda s: calendar.remove_day(s, day_id), SETTINGS, **handlers)


def set_holiday_year_complete(
    ops: Operations,
    year: int,
    complete: bool,
    **handlers: Unpack[Handlers],
) -> Task:
    """Mark a year's 节假日 as fully entered (its working days are computed from then on), or
    reopen it (its working-day deadlines are refused again until it is marked once more)."""
    return ops.write(
        lambda s: calendar.set_year_complete(s, year, complete),
        SETTINGS,
        **handlers,
    )


def save_warning_thresholds(
    ops: Operations,
    year: int,
    single: Decimal,
    yearly: Decimal,
    doc: str,
    **handlers: Unpack[Handlers],
) -> Task:
    """Store a year's 医保 limits for department warnings (single and yearly self-paid, with the
    文号) and re-flag the medical warnings; announces ``SETTINGS`` and ``CASES`` (the 部门预警 page
    shows its warnings under cases). A refused value is a ``ValidationError`` naming the field."""
    return ops.write(
        lambda s: warnings.set_thresholds(s, year, single, yearly, doc),
        SETTINGS | CASES,
        **handlers,
    )


def add_places(
    ops: Operations,
    villages: list[tuple[str, list[str]]],
    **handlers: Unpack[Handlers],
) -> Task:
    """Villages with their groups from a typed or pasted list (the setup wizard): each village and
    group is created unless it exists, all in one unit; ``success((new villages, new groups))``."""

    def create(session: Any) -> tuple[int, int]:
        new_villages = new_groups = 0
        for name, groups in villages:
            village = regions.find_village(session, name)
            if village is None:
                village = regions.create_village(session, name)
                new_villages += 1
            for group in groups:
                if regions.find_group(session, village.id, group) is None:
                    regions.create_group(session, village.id, group)
                    new_groups += 1
        return new_villages, new_groups

    return ops.write(create, SETTINGS, **handlers)
