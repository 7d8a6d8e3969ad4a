"""Alembic environment: batch mode for SQLite, engine handed in by fanpin_desktop.db."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from fanpin_desktop.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        # Batch mode copies a table and drops the old one; with foreign keys enforced, SQLite would
        # treat that drop as deleting every row and cascade (ON DELETE SET NULL / CASCADE) into the
        # tables that refer to it. So they are off while migrating (a PRAGMA outside the
        # transaction), checked before the commit, and on again afterwards.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            with connection.begin():
                context.configure(
                    connection=connection,
                    target_metadata=target_metadata,
                    render_as_batch=True,
                    compare_type=True,
                )
                context.run_migrations()
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows referring to missing rows: {broken[:5]}")
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


run_migrations_online()
