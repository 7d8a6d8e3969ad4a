"""Writing an import plan in one transaction.

New households and members are inserted with SQLAlchemy Core (``insert(table)`` with a list of
rows: the driver's ``executemany``), in batches; the ORM would spend most of a 60,000-row import
building objects. Their ``insert`` audit entries, which name the file they came from
(:func:`import_source`), are copied from the rows just stored by one Core ``INSERT … SELECT`` per
batch. Changes to existing records go through the ORM, so the audit trail records each changed field.
Nothing is committed until the caller's unit of work ends; an exception anywhere leaves the
database as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import DateTime, String, false, func, insert, literal, null, select, true
from sqlalchemy.orm import Session

from fanpin_desktop.db import audit_json
from fanpin_desktop.domain.names import initials_many
from fanpin_desktop.models import (
    AuditEntry,
    Household,
    Member,
    MonitoringCase,
    NaturalVillage,
    Village,
    VillageGroup,
)
from fanpin_desktop.services.importer.cases import write_cases
from fanpin_desktop.services.importer.parse import ImportCancelled, Progress
from fanpin_desktop.services.importer.plan import (
    CHANGED,
    MOVED,
    NEW,
    ImportPlan,
    group_key,
    member_columns,
    member_compare_attrs,
    place_key,
)

BATCH = 5000  # rows per statement batch (progress and cancelling are checked between batches)


def import_source(parsed: Any) -> str:
    """The ``new_value`` of an imported record's insert entry: where it came from.

    Unlike an insert made in a form, an imported record's entry does not repeat its values: the
    file it came from is named instead, and its values at import time follow from the record and
    the old values of its later update entries. (A 60,000-person import would otherwise add 45 MB
    of copies to the database.)
    """
    return audit_json({"source": "import", "file": parsed.path.name, "sheet": parsed.sheet})


def bulk_insert(session: Session, table: Any, columns: dict[str, list[Any]]) -> None:
    """INSERT rows given column by column (lists of the same length) into ``table``, in the
    session's transaction, through SQLAlchemy Core: one dict per row, run as ``executemany``.

    Values go through the column types as the ORM would store them; columns left out get their
    defaults. A column that is the same True, False or None in every row (a flag nobody in the
    file has, an empty column, a flag left to its default) is written once, as that SQL constant
    (``true()``, ``false()``, ``null()``), instead of being bound row by row: SQLAlchemy's work for
    each bound value is most of the time of writing a 60,000-person roster.
    """
    n = len(next(iter(columns.values()), []))
    if not n:
        return
    constants: dict[str, Any] = {}
    for column in table.columns:
        values = columns.get(column.key)
        if values is None:
            default = column.default
            value = default.arg if default is not None and default.is_scalar else None
            if value is True or value is False:
                constants[column.key] = true() if value else false()
        elif values[0] is None or values[0] is True or values[0] is False:
            first = values[0]
            if all(v is first for v in values):
                constants[column.key] = null() if first is None else true() if first else false()
    keys = [key for key in columns if key not in constants]
    if not keys:  # nothing left to bind: bind it all
        constants = {key: value for key, value in constants.items() if key not in columns}
        keys = list(columns)
    rows = [dict(zip(keys, row, strict=True)) for row in zip(*(columns[key] for key in keys), strict=True)]
    session.execute(insert(table).values(constants) if constants else insert(table), rows)


def insert_entries(
    session: Session, table: Any, first_id: int, last_id: int, user: str, now: dt.datetime, source: str
) -> None:
    """The insert audit entries of the rows ``first_id``…``last_id`` just written to ``table``
    (households, members, monitoring cases, their steps and risks), in one ``INSERT … SELECT``:
    who, when, which record and household,
    the summary (as ``db._summary``: the first 120 characters of the name) and ``source``."""
    audit = AuditEntry.__table__
    if "household_id" in table.c:
        household: Any = table.c.household_id
    elif "case_id" in table.c:  # a case's steps and risks: the case's household
        cases = MonitoringCase.__table__
        household = select(cases.c.household_id).where(cases.c.id == table.c.case_id).scalar_subquery()
    else:  # households
        household = table.c.id
    summary = func.substr(table.c.name, 1, 120) if "name" in table.c else null()
    rows = (
        select(
            literal(now, DateTime),
            literal(user, String),
            literal("insert", String),
            literal(table.name, String),
            table.c.id,
            household,
            literal(source, String),
            summary,
        )
        .where(table.c.id.between(first_id, last_id))
        .order_by(table.c.id)
    )
    columns = ["at", "user", "action", "table_name", "record_id", "household_id", "new_value", "summary"]
    session.execute(insert(audit).from_select([audit.c[k] for k in columns], rows))


def write_plan(
    session: Session,
    plan: ImportPlan,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict[str, int]:
    """Apply ``plan`` in the session's transaction (the caller commits). Returns counts written."""
    parsed = plan.parsed
    user = session.info.get("user", "系统")
    now = dt.datetime.now().replace(microsecond=0)
    source = import_source(parsed)
    total = sum(len(h.member_rows) for h in plan.households) or 1
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if cancelled is not None and cancelled():
            raise ImportCancelled()
        if progress is not None:
            progress(min(done, total), total, "正在写入数据库")

    # ---- villages, groups and natural villages the clerk agreed to create (ORM: audited)
    villages: dict[str, int] = {}
    subplaces: dict[tuple[str, str, str], int] = {}
    pending = list(dict.fromkeys((kind, v, n) for hh in plan.households for kind, v, n in hh.new_places))
    if pending:
        for vid, name in session.execute(select(Village.id, Village.name)):
            villages.setdefault(place_key(name), vid)
        order = session.execute(select(func.max(Village.sort_order))).scalar() or 0
        added: dict[str, Village] = {}
        for kind, vname, _name in pending:
            key = place_key(vname)
            if kind == "行政村" and key not in villages and key not in added:
                order += 1
                added[key] = Village(name=vname.strip(), sort_order=order)
                session.add(added[key])
        session.flush()  # one flush for all new villages (and their audit entries)
        villages.update({key: v.id for key, v in added.items()})
        subs: dict[tuple[str, str, str], Any] = {}
        for kind, vname, name in pending:
            if kind == "行政村" or name is None:
                continue
            vid = villages.get(place_key(vname))
            if vid is None:
                vid = plan_village_id(session, vname)
            model = VillageGroup if kind == "村民小组" else NaturalVillage
            k = group_key(name) if kind == "村民小组" else place_key(name)
            if (kind, vname, k) in subs:
                continue
            subs[(kind, vname, k)] = model(village_id=vid, name=name.strip())
            session.add(subs[(kind, vname, k)])
        session.flush()
        subplaces.update({key: obj.id for key, obj in subs.items()})

    def resolve(attr: str, value: Any) -> Any:
        if not isinstance(value, tuple):
            return value
        if attr == "village_id":
            return villages[value[1]]
        kind = "村民小组" if attr == "group_id" else "自然村"
        return subplaces[(kind, value[1], value[2])]

    # ---- households
    next_hh = (session.execute(select(func.max(Household.id))).scalar() or 0) + 1
    next_m = (session.execute(select(func.max(Member.id))).scalar() or 0) + 1
    hh_ids: list[int] = []
    new_hh: list[Any] = []
    changed_hh: dict[int, dict[str, Any]] = {}
    for hh in plan.households:
        if hh.existing_id is None:
            hh_ids.append(next_hh + len(new_hh))
            new_hh.append(hh)
        else:
            hh_ids.append(hh.existing_id)
            if hh.changes:
                changed_hh[hh.existing_id] = {a: resolve(a, n) for a, _o, n in hh.changes}

    if new_hh:
        last_hh = next_hh + len(new_hh) - 1
        columns = {"id": list(range(next_hh, last_hh + 1))}
        for attr in new_hh[0].values:  # the plan gives every household the same attributes
            values = [hh.values[attr] for hh in new_hh]
            if tuple in set(map(type, values)):  # places created by this import
                ids = {v: resolve(attr, v) for v in set(values)}
                values = list(map(ids.__getitem__, values))
            columns[attr] = values
        bulk_insert(session, Household.__table__, columns)
        insert_entries(session, Household.__table__, next_hh, last_hh, user, now, source)
    if changed_hh:
        for obj in _load(session, Household, list(changed_hh)):
            for attr, v in changed_hh[obj.id].items():
                setattr(obj, attr, v)

    # ---- new members (Core), changed and moved ones (ORM)
    attrs = member_compare_attrs(parsed)
    cols = dict(zip(attrs, member_columns(parsed, attrs), strict=True))
    cols["id_number"] = parsed.id_numbers
    if "disability_cert_no" not in cols:
        cols["disability_cert_no"] = parsed.id_certs
    new_index: list[int] = []  # the new members' rows in the file,
    new_household: list[int] = []  # their households
    new_position: list[int] = []  # and places in them
    updates: dict[int, dict[str, Any]] = {}
    n_changed = n_moved = 0
    for hh, hid in zip(plan.households, hh_ids, strict=True):
        for pos, m in enumerate(hh.members):
            if m.action == NEW:
                new_index.append(m.index)
                new_household.append(hid)
                new_position.append(pos)
            elif m.action in (CHANGED, MOVED):
                change = {a: v for a, _o, v in m.changes}
                if m.action == MOVED:
                    change["household_id"] = hid
                    change["sort_order"] = pos
                    n_moved += 1
                else:
                    n_changed += 1
                assert m.existing_id is not None
                updates[m.existing_id] = change
    table = Member.__table__
    for start in range(0, len(new_index), BATCH):
        index = new_index[start : start + BATCH]
        values = {key: list(map(col.__getitem__, index)) for key, col in cols.items()}
        values["id"] = list(range(next_m + start, next_m + start + len(index)))
        values["household_id"] = new_household[start : start + BATCH]
        values["sort_order"] = new_position[start : start + BATCH]
        values["name_initials"] = initials_many(values["name"])
        bulk_insert(session, table, values)
        insert_entries(session, table, values["id"][0], values["id"][-1], user, now, source)
        tick(len(index))
    n = len(new_index)

    # ---- changed and moved members through the ORM: the audit events record each field
    if updates:
        ids = list(updates)
        for start in range(0, len(ids), 500):
            for obj in _load(session, Member, ids[start : start + 500]):
                for attr, v in updates[obj.id].items():
                    setattr(obj, attr, v)
            session.flush()
            tick(min(500, len(ids) - start))
    session.flush()

    # ---- monitoring cases from the national export's monitoring columns (importer/cases.py)
    case_counts = write_cases(
        session,
        plan,
        hh_ids,
        lambda table, columns: bulk_insert(session, table, columns),
        lambda table, first, last: insert_entries(session, table, first, last, user, now, source),
    )
    if cancelled is not None and cancelled():
        raise ImportCancelled()
    return {
        "hh_new": len(new_hh),
        "hh_changed": len(changed_hh),
        "m_new": n,
        "m_changed": n_changed,
        "m_moved": n_moved,
        **case_counts,
    }


def plan_village_id(session: Session, name: str) -> int:
    for vid, vname in session.execute(select(Village.id, Village.name)):
        if place_key(vname) == place_key(name):
            return vid
    raise LookupError(name)


def _load(session: Session, model: Any, ids: list[int]) -> list[Any]:
    out: list[Any] = []
    for start in range(0, len(ids), 500):
        out.extend(session.scalars(select(model).where(model.id.in_(ids[start : start + 500]))))
    return out
