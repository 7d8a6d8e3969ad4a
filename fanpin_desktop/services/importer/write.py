"""Writing an import plan in one transaction.

New households and members are inserted with Core ``executemany`` (the ORM would spend most of a
60,000-row import building objects) and their ``insert`` audit entries are written in bulk in the
same transaction, in the format the ORM's audit events use. Changes to existing records go through
the ORM, so the audit trail records each changed field. Nothing is committed until the caller's
unit of work ends; an exception anywhere leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Date, DateTime, func, inspect, select
from sqlalchemy.orm import Session

from fanpin_desktop.db import _fmt
from fanpin_desktop.models import AuditEntry, Household, Member, NaturalVillage, Village, VillageGroup
from fanpin_desktop.services.importer.normalise import fast_initials
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

BATCH = 5000


def _defaults(table: Any) -> dict[str, Any]:
    out = {}
    for c in table.columns:
        if c.key in ("created_at", "updated_at"):
            continue
        d = c.default
        out[c.key] = d.arg if d is not None and getattr(d, "is_scalar", False) else None
    return out


def _audit_keys(model: Any) -> list[str]:
    return [c.key for c in inspect(model).column_attrs if c.key not in model.__audit_exclude__]


_encode = json.encoder.encode_basestring  # type: ignore[attr-defined]  # C implementation, non-ASCII kept


def _json_column(key: str, values: list[Any]) -> list[str]:
    """``"key": value`` fragments of one column, each distinct value encoded once.

    A column holds one kind of value (bools, or ints, or text…), so ``True`` and ``1`` never
    meet in the same cache.
    """
    prefix = _encode(key) + ": "
    cache: dict[Any, str] = {}
    for v in set(values):
        if v is None:
            cache[v] = prefix + "null"
        else:
            f = v if v.__class__ is str else _fmt(v)
            cache[v] = prefix + ("null" if f is None else _encode(f))
    return list(map(cache.__getitem__, values))


def audit_json(columns: dict[str, list[Any]], keys: list[str]) -> list[str]:
    """One JSON object per row, the same text as ``json.dumps({k: _fmt(v)}, ensure_ascii=False)``
    which the ORM audit events write, built column by column."""
    frags = [_json_column(k, columns[k]) for k in keys]
    return ["{" + ", ".join(parts) + "}" for parts in zip(*frags, strict=True)]


def bulk_insert(session: Session, table: Any, columns: dict[str, list[Any]], chunk: int = BATCH,
                tick: Callable[[int], None] | None = None) -> None:
    """INSERT many rows given column by column, through the session's connection and transaction.

    Values go through each column type's bind processor (dates, datetimes), exactly as the ORM
    would store them; the statement is run with the driver's ``executemany``.
    """
    conn = session.connection()
    dialect = conn.dialect
    keys = []
    cols = []
    for k, values in columns.items():
        column = table.c[k]
        if column.nullable and not column.primary_key and values.count(None) == len(values):
            continue  # NULL anyway: fewer parameters to bind
        keys.append(k)
        if isinstance(column.type, (Date, DateTime)):
            proc = column.type._cached_bind_processor(dialect)
            stored = {v: (None if v is None else proc(v)) for v in set(values)}
            values = list(map(stored.__getitem__, values))
        cols.append(values)
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(k) for k in keys)}) "
           f"VALUES ({', '.join('?' for _ in keys)})")
    rows = list(zip(*cols, strict=True))
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        conn.exec_driver_sql(sql, part)
        if tick is not None:
            tick(len(part))


def write_plan(session: Session, plan: ImportPlan, *, progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None) -> dict[str, int]:
    """Apply ``plan`` in the session's transaction (the caller commits). Returns counts written."""
    parsed = plan.parsed
    user = session.info.get("user", "系统")
    now = dt.datetime.now().replace(microsecond=0)
    total = sum(len(h.members) for h in plan.households) or 1
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
        order = (session.execute(select(func.max(Village.sort_order))).scalar() or 0)
        for kind, vname, _name in pending:
            if kind == "行政村" and place_key(vname) not in villages:
                order += 1
                v = Village(name=vname.strip(), sort_order=order)
                session.add(v)
                session.flush()
                villages[place_key(vname)] = v.id
        for kind, vname, name in pending:
            if kind == "行政村" or name is None:
                continue
            vid = villages.get(place_key(vname))
            if vid is None:
                vid = plan_village_id(session, vname)
            model = VillageGroup if kind == "村民小组" else NaturalVillage
            k = group_key(name) if kind == "村民小组" else place_key(name)
            if (kind, vname, k) in subplaces:
                continue
            obj = model(village_id=vid, name=name.strip())
            session.add(obj)
            session.flush()
            subplaces[(kind, vname, k)] = obj.id

    def resolve(attr: str, value: Any) -> Any:
        if not isinstance(value, tuple):
            return value
        if attr == "village_id":
            return villages[value[1]]
        kind = "村民小组" if attr == "group_id" else "自然村"
        return subplaces[(kind, value[1], value[2])]

    # ---- households
    audit_table = AuditEntry.__table__
    next_hh = (session.execute(select(func.max(Household.id))).scalar() or 0) + 1
    hh_ids: list[int] = []
    new_hh: list[dict[str, Any]] = []
    changed_hh: dict[int, dict[str, Any]] = {}
    for hh in plan.households:
        values = {a: resolve(a, v) for a, v in hh.values.items()}
        if hh.existing_id is None:
            values["id"] = next_hh
            next_hh += 1
            new_hh.append(values)
            hh_ids.append(values["id"])
        else:
            hh_ids.append(hh.existing_id)
            if hh.changes:
                changed_hh[hh.existing_id] = {a: resolve(a, n) for a, _o, n in hh.changes}
    if new_hh:
        columns = {k: [row.get(k, d) for row in new_hh] for k, d in _defaults(Household.__table__).items()}
        bulk_insert(session, Household.__table__, columns)
        n = len(new_hh)
        bulk_insert(session, audit_table, {
            "at": [now] * n, "user": [user] * n, "action": ["insert"] * n, "table_name": ["households"] * n,
            "record_id": columns["id"], "household_id": columns["id"], "field": [None] * n,
            "old_value": [None] * n, "new_value": audit_json(columns, _audit_keys(Household)),
            "summary": [None] * n})
    if changed_hh:
        for obj in _load(session, Household, list(changed_hh)):
            for attr, v in changed_hh[obj.id].items():
                setattr(obj, attr, v)

    # ---- new members, column by column
    attrs = member_compare_attrs(parsed)
    cols = dict(zip(attrs, member_columns(parsed, attrs), strict=True))
    new_idx: list[int] = []
    new_hid: list[int] = []
    new_pos: list[int] = []
    updates: dict[int, dict[str, Any]] = {}
    n_changed = n_moved = 0
    for hh, hid in zip(plan.households, hh_ids, strict=True):
        for pos, m in enumerate(hh.members):
            if m.action == NEW:
                new_idx.append(m.index)
                new_hid.append(hid)
                new_pos.append(pos)
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
    n = len(new_idx)
    if n:
        next_m = (session.execute(select(func.max(Member.id))).scalar() or 0) + 1
        columns = {}
        for key, default in _defaults(Member.__table__).items():
            if key in cols:
                col = cols[key]
                columns[key] = [col[i] for i in new_idx]
            else:
                columns[key] = [default] * n
        columns["id"] = list(range(next_m, next_m + n))
        columns["household_id"] = new_hid
        columns["sort_order"] = new_pos
        columns["id_number"] = [parsed.id_numbers[i] for i in new_idx]
        if "disability_cert_no" not in cols:
            columns["disability_cert_no"] = [parsed.id_certs[i] for i in new_idx]
        columns["name_initials"] = [fast_initials(x) for x in columns["name"]]
        bulk_insert(session, Member.__table__, columns, tick=tick)
        bulk_insert(session, audit_table, {
            "at": [now] * n, "user": [user] * n, "action": ["insert"] * n, "table_name": ["members"] * n,
            "record_id": columns["id"], "household_id": new_hid, "field": [None] * n, "old_value": [None] * n,
            "new_value": audit_json(columns, _audit_keys(Member)), "summary": [x[:120] for x in columns["name"]]})
    # ---- changed and moved members through the ORM: the audit events record each field
    if updates:
        ids = list(updates)
        for start in range(0, len(ids), 500):
            for obj in _load(session, Member, ids[start:start + 500]):
                for attr, v in updates[obj.id].items():
                    setattr(obj, attr, v)
            session.flush()
            tick(min(500, len(ids) - start))
    session.flush()
    if cancelled is not None and cancelled():
        raise ImportCancelled()
    return {"hh_new": len(new_hh), "hh_changed": len(changed_hh), "m_new": n,
            "m_changed": n_changed, "m_moved": n_moved}


def plan_village_id(session: Session, name: str) -> int:
    for vid, vname in session.execute(select(Village.id, Village.name)):
        if place_key(vname) == place_key(name):
            return vid
    raise LookupError(name)


def _load(session: Session, model: Any, ids: list[int]) -> list[Any]:
    out: list[Any] = []
    for start in range(0, len(ids), 500):
        out.extend(session.scalars(select(model).where(model.id.in_(ids[start:start + 500]))))
    return out
