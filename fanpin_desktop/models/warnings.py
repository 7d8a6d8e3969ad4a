"""Received lists (issue 13): one row per imported file (department warnings or the county's
problem list) and the county's flagged records (县级反馈问题清单), each tracked to an outcome."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from fanpin_desktop.models.base import Audited, Base, Timestamps


class ListImport(Base):
    """One received file imported: which list, from whom, how many rows were new."""

    __tablename__ = "list_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # 部门预警 / 县级问题
    department: Mapped[str | None] = mapped_column(String(20))  # 医保 / 残联 / … (部门预警 only)
    batch_label: Mapped[str | None] = mapped_column(String(60))
    file_name: Mapped[str] = mapped_column(String(260))
    sheet: Mapped[str | None] = mapped_column(String(60))
    received_on: Mapped[dt.date] = mapped_column(Date)
    mapping_name: Mapped[str | None] = mapped_column(String(60))
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    new_rows: Mapped[int] = mapped_column(Integer, default=0)
    already_rows: Mapped[int] = mapped_column(Integer, default=0)
    imported_by: Mapped[str | None] = mapped_column(String(60))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.current_timestamp())


class CountyProblem(Audited, Timestamps, Base):
    """One record the county flagged (national checker findings sent down), tracked to
    已整改 / 无需整改; unmatched rows are kept until assigned or marked 不涉及本乡镇."""

    __tablename__ = "county_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("list_imports.id", ondelete="SET NULL"), index=True
    )
    row_number: Mapped[int | None] = mapped_column(Integer)
    received_on: Mapped[dt.date] = mapped_column(Date)
    batch_label: Mapped[str | None] = mapped_column(String(60))
    person_name: Mapped[str | None] = mapped_column(String(40))
    id_number: Mapped[str | None] = mapped_column(String(22), index=True)
    household_code: Mapped[str | None] = mapped_column(String(30))  # 户编号 as written
    village_name: Mapped[str | None] = mapped_column(String(40))
    rule_code: Mapped[str | None] = mapped_column(String(40))  # 规则编号 / 问题类型 as written
    problem: Mapped[str] = mapped_column(Text)  # 问题描述
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    match_status: Mapped[str] = mapped_column(String(8), default="未匹配")  # 已匹配 / 未匹配 / 不涉及本乡镇
    match_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(6), default="待整改")  # 待整改 / 已整改 / 无需整改
    resolution: Mapped[str | None] = mapped_column(Text)  # what was corrected, or why no correction
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)
    resolved_by: Mapped[str | None] = mapped_column(String(60))
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)
