"""Bookkeeping: audit trail, settings, export batches, data-quality exemptions, import mappings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fanpin_desktop.models.base import Audited, Base


class AuditEntry(Base):
    """One changed field of one record (or a whole insert/delete when ``field`` is None)."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_household", "household_id", "at"),
        Index("ix_audit_record", "table_name", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(6))  # insert / update / delete
    table_name: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int | None]
    household_id: Mapped[int | None]  # so a household's history includes its members' changes
    field: Mapped[str | None] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(String(120))


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class ExportBatch(Base):
    """A file exported for the national system, and when it was marked as entered there."""

    __tablename__ = "export_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    file_name: Mapped[str] = mapped_column(String(260))
    row_count: Mapped[int] = mapped_column(default=0)
    entered_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    items: Mapped[list[ExportBatchItem]] = relationship(cascade="all, delete-orphan")


class ExportBatchItem(Base):
    __tablename__ = "export_batch_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("export_batches.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_cases.id", ondelete="SET NULL"))


class RuleExemption(Base):
    """A data-quality rule deliberately waived for one record, with the reason."""

    __tablename__ = "rule_exemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_code: Mapped[str] = mapped_column(String(20), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_cases.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.current_timestamp())


class ImportMapping(Base):
    """A saved column mapping for spreadsheets of a layout the program does not know."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    header_signature: Mapped[str] = mapped_column(String(64), index=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.current_timestamp())


class CalendarDay(Audited, Base):
    """A 放假 day or a 调休上班 (make-up working) day the clerk entered for a year the bundled
    holiday calendar does not know (``domain/workdays.py``)."""

    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(6))  # 放假 / 调休上班
    note: Mapped[str | None] = mapped_column(String(60))  # e.g. 国庆节


class CalendarYear(Audited, Base):
    """A year whose 放假 and 调休上班 days the clerk has finished entering; only then are working
    days of that year computed."""

    __tablename__ = "calendar_years"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    completed_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
