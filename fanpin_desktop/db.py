"""Engine, unit-of-work sessions, the central audit trail and schema migrations."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, inspect, text
from sqlalchemy.orm import Session, object_session, sessionmaker

from fanpin_desktop.domain.names import initials
from fanpin_desktop.models import Audited, AuditEntry, Base, Household, Member

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _null(_value: None) -> None:
    return None


# The sqlite3 module binds int, float and str parameters directly, but sends None and bool
# through its adaptation protocol, whose lookups raise and clear an AttributeError with a
# formatted message for every such parameter (a tenth of the instructions of a roster import's
# write).
# Explicit adapters make binding them one dictionary lookup; the stored values are the same
# (NULL, and 0/1 as before).
sqlite3.register_adapter(type(None), _null)
sqlite3.register_adapter(bool, int)


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(db_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{db_path}", future=True)
    event.listen(engine, "connect", _set_pragmas)
    return engine


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some Windows setups
        return "本机用户"


class Database:
    """One SQLite file. Hands out short-lived sessions: one unit of work per user action."""

    def __init__(
        self, path: Path, user: str | None = None, engine: Engine | None = None, key: bytes | None = None
    ) -> None:
        """``engine``: an engine on ``path`` made elsewhere (an encrypted database, whose data key is
        ``key``); else a plain one."""
        self.path = Path(path)
        self.user = user or current_user()
        self._checkpointer: threading.Thread | None = None
        self.use_engine(engine, key=key)

    def use_engine(self, engine: Engine | None, key: bytes | None = None) -> None:
        """Point this object at a new engine (after the file was encrypted); ``None``: a plain one.
        Everyone holding the ``Database`` keeps working; sessions opened before must be closed."""
        self._own_engine = engine is None
        self.engine = engine if engine is not None else make_engine(self.path)
        #: the data key of an encrypted database (backups are encrypted with it), None when plain
        self.key = key
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        s = self._factory()
        s.info["user"] = self.user
        return s

    @contextmanager
    def unit(self, commit: bool = True) -> Iterator[Session]:
        """A unit of work: commits at the end if ``commit`` and no exception, always closes."""
        s = self.session()
        try:
            yield s
            if commit:
                s.commit()
            else:
                s.rollback()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self.unit(commit=False) as s:
            yield s

    @contextmanager
    def bulk_unit(self, cache_mb: int = 128) -> Iterator[Session]:
        """A unit of work for one large write (a roster import of tens of thousands of rows).

        Like :meth:`unit`, but on a connection of its own that takes the write lock at once
        (``BEGIN IMMEDIATE``: what the unit reads cannot change before its commit), keeps up to
        ``cache_mb`` of changed pages in memory until the commit (SQLite's default 2 MB cache
        spills them to the log again and again), and leaves copying the write-ahead log into the
        database file — which SQLite would do inside this commit — to a background thread
        afterwards (:meth:`checkpoint_in_background`).
        """
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            cache_size = raw.execute("PRAGMA cache_size").fetchone()[0]
            auto_checkpoint = raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
            raw.execute(f"PRAGMA cache_size={-int(cache_mb) * 1024}")
            raw.execute("PRAGMA wal_autocheckpoint=0")
            s = self._factory(bind=conn)
            s.info["user"] = self.user
            try:
                s.connection().exec_driver_sql("BEGIN IMMEDIATE")
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise
            finally:
                s.close()
                raw.execute(f"PRAGMA cache_size={int(cache_size)}")
                raw.execute(f"PRAGMA wal_autocheckpoint={int(auto_checkpoint)}")
        self.checkpoint_in_background()

    def checkpoint_in_background(self) -> None:
        """Copy the write-ahead log into the database file on a background thread (own connection)."""
        self.wait_for_checkpoint()
        thread = threading.Thread(
            target=_checkpoint,
            args=(self.path, None if self._own_engine else self.engine),
            name="fanpin-wal-checkpoint",
            daemon=True,
        )
        thread.start()
        self._checkpointer = thread

    def wait_for_checkpoint(self) -> None:
        thread = self._checkpointer
        if thread is not None:
            thread.join()
            self._checkpointer = None

    def dispose(self) -> None:
        self.wait_for_checkpoint()
        self.engine.dispose()


def _checkpoint(path: Path, engine: Engine | None = None) -> None:
    if engine is not None:  # an injected engine (encrypted): only it can open the file
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # noqa: BLE001 - a later commit checkpoints again
            log.warning("background checkpoint of the write-ahead log failed", exc_info=True)
        return
    try:
        conn = sqlite3.connect(path, timeout=30)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()
    except sqlite3.Error:
        log.warning("background checkpoint of the write-ahead log failed", exc_info=True)


# --------------------------------------------------------------------------- audit trail


def _fmt(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _household_of(obj: Any) -> int | None:
    if isinstance(obj, Household):
        return obj.id
    return getattr(obj, "household_id", None)


def audit_json(data: dict[str, Any]) -> str:
    """The compact JSON of an audit entry's values (also the importer's source note)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _summary(obj: Any) -> str | None:
    name = getattr(obj, "name", None)
    return name[:120] if isinstance(name, str) else None


def _values(obj: Any) -> dict[str, str | None]:
    return {
        c.key: _fmt(getattr(obj, c.key))
        for c in inspect(obj).mapper.column_attrs
        if c.key not in obj.__audit_exclude__
    }


def _row(session: Session, obj: Any, action: str, **extra: Any) -> dict[str, Any]:
    row = {
        "at": dt.datetime.now().replace(microsecond=0),
        "user": session.info.get("user", "系统"),
        "action": action,
        "table_name": obj.__tablename__,
        "record_id": obj.id,
        "household_id": _household_of(obj),
        "field": None,
        "old_value": None,
        "new_value": None,
        "summary": _summary(obj),
    }
    row.update(extra)
    return row


def _pending(target: Any) -> list[dict[str, Any]] | None:
    session = object_session(target)
    if session is None:
        return None
    return session.info.setdefault("_audit_rows", [])


def _after_insert(_mapper: Any, _conn: Any, target: Any) -> None:
    rows = _pending(target)
    if rows is not None and isinstance(target, Audited):
        rows.append(_row(object_session(target), target, "insert", new_value=audit_json(_values(target))))


def _after_update(_mapper: Any, _conn: Any, target: Any) -> None:
    rows = _pending(target)
    if rows is None or not isinstance(target, Audited):
        return
    session = object_session(target)
    state = inspect(target)
    for attr in state.mapper.column_attrs:
        if attr.key in target.__audit_exclude__:
            continue
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        old = _fmt(hist.deleted[0]) if hist.deleted else None
        new = _fmt(hist.added[0]) if hist.added else None
        if old != new:
            rows.append(_row(session, target, "update", field=attr.key, old_value=old, new_value=new))


def _after_delete(_mapper: Any, _conn: Any, target: Any) -> None:
    # Mapper events see every delete, including orphans and cascades that session.deleted misses.
    rows = _pending(target)
    if rows is not None and isinstance(target, Audited):
        rows.append(_row(object_session(target), target, "delete", old_value=audit_json(_values(target))))


for _name, _fn in (
    ("after_insert", _after_insert),
    ("after_update", _after_update),
    ("after_delete", _after_delete),
):
    event.listen(Base, _name, _fn, propagate=True)


@event.listens_for(Session, "after_flush")
def _write_audit(session: Session, _ctx: Any) -> None:
    """Write the trail in the flush's own transaction, so it commits or rolls back with the change."""
    rows = session.info.pop("_audit_rows", None)
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


@event.listens_for(Session, "after_rollback")
def _drop_audit(session: Session) -> None:
    session.info.pop("_audit_rows", None)


# --------------------------------------------------------------------------- migrations


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def schema_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def has_user_tables(engine: Engine) -> bool:
    with engine.connect() as conn:
        n = conn.execute(
            text("SELECT count(*) FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        ).scalar_one()
    return bool(n)


def migrate(db: Database, backup_before: Callable[[str], Path] | None = None) -> bool:
    """Bring the schema to the newest revision. Returns True if a migration ran.

    ``backup_before(reason)`` copies the database aside first when it already holds data.
    """
    from alembic import command

    current = schema_revision(db.engine)
    head = head_revision(db.engine)
    if current == head:
        return False
    if backup_before is not None and has_user_tables(db.engine):
        copy = backup_before(f"迁移前-{current or 'none'}")
        log.info("database copied aside before migration: %s", copy.name)
    command.upgrade(alembic_config(db.engine), "head")
    log.info("schema migrated from %s to %s", current, head)
    return True


# --------------------------------------------------------------------------- derived columns


@event.listens_for(Member.name, "set")
def _keep_initials(target: Member, value: str | None, _old: Any, _initiator: Any) -> None:
    target.name_initials = initials(value)
