"""Files exported for the national system (全国防返贫监测信息系统) and what each one held.

``NationalExport`` is one batch file (新识别 / 风险消除 / 信息更正) with who wrote it, when, its
SHA-256 and when the clerk marked it 已录入系统. ``NationalExportRecord`` is one household of it:
its case and the row values the file gave (JSON: the household's columns once, each member's
columns by member id) — the next 信息更正 batch compares the current values with them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fanpin_desktop.models.base import Base


class NationalExport(Base):
    """One batch file for the national system."""

    __tablename__ = "national_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # new / elimination / changes
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(40))  # the database user (Database(user=...))
    file_name: Mapped[str] = mapped_column(String(260))
    sha256: Mapped[str] = mapped_column(String(64))
    layout: Mapped[str] = mapped_column(String(40))
    row_count: Mapped[int] = mapped_column(default=0)  # person rows of the roster-layout sheet
    household_count: Mapped[int] = mapped_column(default=0)
    change_count: Mapped[int] = mapped_column(default=0)  # 信息更正: changed fields listed
    entered_on: Mapped[dt.date | None] = mapped_column(Date)  # marked 已录入系统
    entered_by: Mapped[str | None] = mapped_column(String(40))

    records: Mapped[list[NationalExportRecord]] = relationship(
        back_populates="export", cascade="all, delete-orphan", order_by="NationalExportRecord.id"
    )


class NationalExportRecord(Base):
    """One household of a batch file with the values the file gave it."""

    __tablename__ = "national_export_records"
    __table_args__ = (Index("ix_national_export_records_household", "household_id", "export_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    export_id: Mapped[int] = mapped_column(ForeignKey("national_exports.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_cases.id", ondelete="SET NULL"))
    hh_code: Mapped[str | None] = mapped_column(String(30))
    # {"household": {header: text}, "members": {member id: {header: text}}, "names": {member id: [姓名, 证件号码]}}
    values: Mapped[dict[str, Any]] = mapped_column(JSON)

    export: Mapped[NationalExport] = relationship(back_populates="records")
