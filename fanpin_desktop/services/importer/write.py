"""Writing an import plan in one transaction.

New households and members are inserted with the driver's ``executemany`` (the ORM would spend
most of a 60,000-row import building objects), in batches; their ``insert`` audit entries
(naming the file they came from, see :func:`audit_entries_statement`) are written by SQLite from
the stored rows (``INSERT … SELECT``) on a helper thread while the next batch is prepared. Changes to existing
records go through the ORM, so the audit trail records each changed field. Nothing is committed
until the caller's unit of work ends; an exception anywhere leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from itertools import chain, repeat
from operator import is_, itemgetter
from typing import Any

from sqlalchemy import Date, DateTime, func, select
from sqlalchemy.orm import Session

from fanpin_desktop.db import audit_json
from fanpin_desktop.domain.names import initials_many
from fanpin_desktop.models import AuditEntry, Household, Member, NaturalVillage, Village, VillageGroup
from fanpin_desktop.services.importer.jsontext import iso_dates
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
MAX_BOUND = 999  # bound values per statement: SQLite's limit before 3.32 (newer ones allow 32,766)
REBUILD_INDEXES_FROM = 10_000  # rows added at once to a table holding fewer (see _drop_secondary_indexes)
log = logging.getLogger(__name__)
_PROBE = dt.date(1987, 6, 5)


def _defaults(table: Any) -> dict[str, Any]:
    out = {}
    for c in table.columns:
        if c.key in ("created_at", "updated_at"):
            continue
        d = c.default
        out[c.key] = d.arg if d is not None and getattr(d, "is_scalar", False) else None
    return out


def import_source(parsed: Any) -> str:
    """The ``new_value`` of an imported record's insert entry: where it came from."""
    return audit_json({"source": "import", "file": parsed.path.name, "sheet": parsed.sheet})


def audit_entries_statement(
    session: Session,
    model: Any,
    first_id: int,
    last_id: int,
    user: str,
    now: dt.datetime,
    summary: str | None,
    source: str,
) -> tuple[str, tuple[Any, ...]]:
    """The statement writing the insert entries of the rows ``first_id``…``last_id`` of ``model``'s
    table, built by SQLite from the stored rows: who, when, which record and household, the
    summary (``db._summary``: the first 120 characters of the column ``summary``) and, as the new
    value, ``source`` (:func:`import_source`).

    Unlike an insert made in a form, an imported record's entry does not repeat its values: the
    file it came from is named instead, and its values at import time follow from the record and
    the old values of its later update entries. (A 60,000-person import would otherwise add 45 MB
    of copies to the database, and a third to the time of writing it.)
    """
    dialect = session.connection().dialect
    quote = dialect.identifier_preparer.quote
    table = model.__table__
    at = AuditEntry.__table__.c.at.type._cached_bind_processor(dialect)
    household = quote("household_id") if "household_id" in table.c else quote("id")
    text = f"substr({quote(summary)}, 1, 120)" if summary else "NULL"
    sql = (
        f"INSERT INTO {quote(AuditEntry.__tablename__)} (at, {quote('user')}, action, table_name, record_id, "
        f"household_id, new_value, summary) "
        f"SELECT ?, ?, 'insert', ?, id, {household}, ?, {text} FROM {quote(table.name)} "
        f"WHERE id BETWEEN ? AND ? ORDER BY id"
    )
    return sql, (at(now) if at is not None else now, user, table.name, source, first_id, last_id)


class _Statement:
    """One statement run on the session's own SQLite connection by a helper thread, while this
    thread prepares the next rows in Python. SQLite runs an ``INSERT … SELECT`` as one step
    without holding the GIL, so the two overlap. Only one runs at a time and this thread does
    not use the connection until :meth:`wait` has returned."""

    def __init__(self, session: Session, sql: str, params: tuple[Any, ...]) -> None:
        self._raw = session.connection().connection.driver_connection
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(sql, params), name="fanpin-import-audit", daemon=True
        )
        self._thread.start()

    def _run(self, sql: str, params: tuple[Any, ...]) -> None:
        try:
            self._raw.execute(sql, params).close()
        except BaseException as exc:  # noqa: BLE001 - re-raised by wait() in the importing thread
            self._error = exc

    def wait(self) -> None:
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error


def _sql_literal(value: Any) -> str | None:
    """``value`` as an SQL literal, for the few kinds that are written exactly so (else None)."""
    if value is None:
        return "NULL"
    cls = value.__class__
    if cls is bool or cls is int:
        return str(int(value))
    if cls is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def _stored_alike(values: list[Any], first: Any) -> bool:
    """Whether ``values``, all equal to ``first``, are all stored as ``first`` is (1 == True == 1.0)."""
    if first is None or first.__class__ is str:
        return True  # only None equals None, only text equals text
    return all(map(is_, values, repeat(first))) or set(map(type, values)) == {first.__class__}


def bulk_insert(
    session: Session,
    table: Any,
    columns: dict[str, list[Any]],
    chunk: int = BATCH,
    tick: Callable[[int], None] | None = None,
    ready: Callable[[], None] | None = None,
) -> None:
    """INSERT many rows given column by column, through the session's connection and transaction.

    Values go through each column type's bind processor (dates, datetimes), exactly as the ORM
    would store them; the statement is run with the driver's ``executemany``. A column holding
    the same value in every row (a default, a flag nobody has, a constant such as the audit
    trail's user) is written as a literal instead of being bound for every row. ``ready`` is
    called just before the first statement (to wait for the connection to be free).
    """
    conn = session.connection()
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    n = len(next(iter(columns.values()), []))
    if not n:
        return
    prepared: list[tuple[str, list[Any], str | None]] = []  # (column, values, literal if constant)
    for k, values in columns.items():
        column = table.c[k]
        if isinstance(column.type, (Date, DateTime)):
            proc = column.type._cached_bind_processor(dialect)
            distinct = set(values)
            if (
                proc is not None
                and proc(_PROBE) == _PROBE.isoformat()
                and {v.__class__ for v in distinct} <= {dt.date, type(None)}
            ):
                values = iso_dates(values, distinct)  # the same text, from table lookups
            elif proc is not None:
                stored = {v: (None if v is None else proc(v)) for v in distinct}
                values = list(map(stored.__getitem__, values))
        first = values[0]
        same = (
            values[-1] == first and values[n // 2] == first and values.count(first) == n
        )  # cheap test first
        literal = _sql_literal(first) if same else None
        if literal is not None and not _stored_alike(values, first):
            literal = None  # e.g. 1 and True: equal, but not the same stored value
        if literal == "NULL" and column.nullable and not column.primary_key:
            continue  # NULL anyway: not even named
        prepared.append((k, values, literal))
    if n == 1 or all(literal is not None for _k, _v, literal in prepared):
        prepared = [(k, values, None) for k, values, _literal in prepared]  # bind everything
    names = ", ".join(quote(k) for k, _v, _l in prepared)
    one = "(" + ", ".join("?" if literal is None else literal for _k, _v, literal in prepared) + ")"
    cols = [values for _k, values, literal in prepared if literal is None]
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES {one}"
    # Many rows per statement (up to SQLite's oldest limit of 999 bound values): a quarter less
    # time than one row per statement, which pays the statement's reset and step for every row.
    per = max(1, min(chunk, MAX_BOUND // len(cols)))
    multi = f"INSERT INTO {quote(table.name)} ({names}) VALUES {', '.join([one] * per)}" if per > 1 else sql
    for start in range(0, n, chunk):
        part = list(zip(*(c[start : start + chunk] for c in cols), strict=True))
        if ready is not None:
            ready()
            ready = None
        whole = len(part) - len(part) % per if per > 1 else 0  # rows that fill statements of ``per``
        if whole:
            conn.exec_driver_sql(
                multi, [tuple(chain.from_iterable(part[k : k + per])) for k in range(0, whole, per)]
            )
        if whole < len(part):
            conn.exec_driver_sql(sql, part[whole:])
        if tick is not None:
            tick(len(part))


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
    # The audit entries of each batch are written by a helper thread while this one prepares the
    # next batch (see _Statement); ``settle`` waits for it before this thread uses the connection.
    running: _Statement | None = None

    def settle() -> None:
        nonlocal running
        if running is not None:
            statement, running = running, None
            statement.wait()

    try:
        if new_hh:
            n = len(new_hh)
            columns: dict[str, list[Any]] = {}
            planned = [hh.values for hh in new_hh]
            present = set(planned[0]).intersection(*planned)  # the plan gives every household the same keys
            for k, d in _defaults(Household.__table__).items():
                if k == "id":
                    columns[k] = list(range(next_hh, next_hh + n))
                elif k in present:
                    columns[k] = list(map(itemgetter(k), planned))
                else:
                    columns[k] = [v.get(k, d) for v in planned]
                if k in ("village_id", "group_id", "natural_village_id") and tuple in set(
                    map(type, columns[k])
                ):
                    ids = {v: resolve(k, v) for v in set(columns[k])}  # places created by this import
                    columns[k] = list(map(ids.__getitem__, columns[k]))
            bulk_insert(session, Household.__table__, columns)
            running = _Statement(
                session,
                *audit_entries_statement(
                    session, Household, next_hh, next_hh + n - 1, user, now, None, source
                ),
            )
        if changed_hh:
            settle()
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
            pick: Callable[[list[Any]], Any]
            if new_idx == list(range(parsed.count)):  # every row new, households in file order
                pick = iter  # the columns as they are
            else:
                pick = itemgetter(*new_idx) if n > 1 else (lambda col: (col[new_idx[0]],))
            columns = {}
            for key, default in _defaults(Member.__table__).items():
                columns[key] = list(pick(cols[key])) if key in cols else [default] * n
            columns["id"] = list(range(next_m, next_m + n))
            columns["household_id"] = new_hid
            columns["sort_order"] = new_pos
            columns["id_number"] = list(pick(parsed.id_numbers))
            if "disability_cert_no" not in cols:
                columns["disability_cert_no"] = list(pick(parsed.id_certs))
            del columns["name_initials"]
            settle()
            rebuild = _drop_secondary_indexes(session, Member.__table__.name, n)
            # in batches: members (this thread), then their audit entries (the helper thread)
            for start in range(0, n, BATCH):
                part = {k: v[start : start + BATCH] for k, v in columns.items()}
                part["name_initials"] = initials_many(part["name"])
                bulk_insert(session, Member.__table__, part, tick=tick, ready=settle)
                running = _Statement(
                    session,
                    *audit_entries_statement(
                        session, Member, part["id"][0], part["id"][-1], user, now, "name", source
                    ),
                )
            settle()
            for sql in rebuild:
                session.connection().exec_driver_sql(sql)
        settle()
    finally:
        if running is not None:  # an error on the way: let the helper finish before the rollback
            try:
                settle()
            except Exception:  # noqa: BLE001 - the first error is the one to report
                log.debug("audit statement failed after an earlier error", exc_info=True)

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
    if cancelled is not None and cancelled():
        raise ImportCancelled()
    return {
        "hh_new": len(new_hh),
        "hh_changed": len(changed_hh),
        "m_new": n,
        "m_changed": n_changed,
        "m_moved": n_moved,
    }


# Unique indexes whose rule the plan has already checked for every row it adds: no new member's
# identity number is in the file twice or in the database (build_plan / parse._duplicates).
PLAN_CHECKED_UNIQUE = frozenset({"uq_members_id_number"})


def _drop_secondary_indexes(session: Session, table: str, adding: int) -> list[str]:
    """Before adding many rows to a table that holds fewer: drop its indexes, and return the
    statements that create them again (SQLite's own text of them), to be run after the rows are
    in. Building an index from all rows at once is faster than 60,000 single inserts into it; this
    is part of the transaction, so a rollback brings the indexes back too. Unique indexes stay
    (they check every row as it comes), except those in PLAN_CHECKED_UNIQUE: building them again
    checks all rows at once, and a duplicate would fail the whole transaction."""
    if adding < REBUILD_INDEXES_FROM:
        return []
    conn = session.connection()
    quote = conn.dialect.identifier_preparer.quote
    present = conn.exec_driver_sql(f"SELECT count(*) FROM {quote(table)}").scalar() or 0
    if present >= adding:
        return []
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ).all()
    rebuild = []
    for name, sql in found:
        if sql.lstrip().upper().startswith("CREATE UNIQUE") and name not in PLAN_CHECKED_UNIQUE:
            continue
        conn.exec_driver_sql(f"DROP INDEX {quote(name)}")
        rebuild.append(sql)
    return rebuild


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
