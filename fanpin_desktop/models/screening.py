"""Thresholds, screening campaigns and the four appendix tables of the concentrated screening."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fanpin_desktop.models.base import Audited, Base, Timestamps
from fanpin_desktop.models.region import Village


class Threshold(Audited, Base):
    """监测范围: the income line for one year and region, with the document that set it."""

    __tablename__ = "thresholds"
    __table_args__ = (UniqueConstraint("year", "region"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    region: Mapped[str] = mapped_column(String(40))  # e.g. 全国, 六安市, 云南省
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    document_no: Mapped[str | None] = mapped_column(String(80))  # 文号
    effective_date: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


campaign_villages = Table(
    "campaign_villages",
    Base.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("village_id", ForeignKey("villages.id", ondelete="CASCADE"), primary_key=True),
)


class Campaign(Audited, Timestamps, Base):
    """集中排查批次."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    name: Mapped[str] = mapped_column(String(80))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    income_period_start: Mapped[dt.date] = mapped_column(Date)
    income_period_end: Mapped[dt.date] = mapped_column(Date)
    threshold_id: Mapped[int | None] = mapped_column(ForeignKey("thresholds.id", ondelete="RESTRICT"))
    is_current: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)

    threshold: Mapped[Threshold | None] = relationship()
    villages: Mapped[list[Village]] = relationship(secondary=campaign_villages)


class HouseholdScreening(Audited, Timestamps, Base):
    """附件1 到户排查表: one row per household per campaign. ``None`` means not answered / 不适用."""

    __tablename__ = "household_screenings"
    __table_args__ = (UniqueConstraint("campaign_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    method: Mapped[str | None] = mapped_column(String(10))  # 入户排查 / 电话核查
    screened_on: Mapped[dt.date | None] = mapped_column(Date)
    screener: Mapped[str | None] = mapped_column(String(60))
    household_size: Mapped[int | None]  # 家庭人口数 as screened
    household_type: Mapped[str | None] = mapped_column(String(10))  # 户属性 as screened
    per_capita_income: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    above_threshold: Mapped[bool | None]
    rigid_or_income_drop: Mapped[bool | None]
    housing_safe: Mapped[bool | None]
    medical_secured: Mapped[bool | None]
    education_secured: Mapped[bool | None]
    water_safe: Mapped[bool | None]
    no_labour: Mapped[bool | None]
    exited_2020: Mapped[bool | None]
    income_falling_3y: Mapped[bool | None]
    is_dibao: Mapped[bool | None]
    dibao_new_2y: Mapped[bool | None]
    is_tekun_dispersed: Mapped[bool | None]
    single_person: Mapped[bool | None]
    disabled_family: Mapped[bool | None]
    newly_disabled: Mapped[bool | None]
    severe_disabled: Mapped[bool | None]
    many_minor_children: Mapped[bool | None]
    many_noncompulsory_students: Mapped[bool | None]
    elderly_alone: Mapped[bool | None]
    children_can_support: Mapped[bool | None]
    children_do_support: Mapped[bool | None]
    migrant_income_unstable: Mapped[bool | None]
    sudden_hardship: Mapped[bool | None]
    practical_difficulties: Mapped[bool | None]
    covid_impact: Mapped[bool | None]
    risk_eliminated_marked: Mapped[bool | None]
    income_stable_half_year: Mapped[bool | None]
    risk_stably_eliminated: Mapped[bool | None]
    measures_in_place: Mapped[bool | None]
    measures_targeted: Mapped[bool | None]
    one_off_payment: Mapped[bool | None]  # 是否存在“一兑了之”现象
    over_assistance: Mapped[bool | None]
    system_data_accurate: Mapped[bool | None]
    should_monitor: Mapped[bool | None]
    difficulties: Mapped[str | None] = mapped_column(Text)  # 该户还存在哪些困难和诉求
    remark: Mapped[str | None] = mapped_column(Text)
    # Suggested answers the clerk overrode: {field: suggested value}; kept to show the override.
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class VillageScreening(Audited, Timestamps, Base):
    """附件2 村级排查表: one row per village per campaign, free text per column."""

    __tablename__ = "village_screenings"
    __table_args__ = (UniqueConstraint("campaign_id", "village_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="CASCADE"))
    monitoring_issues: Mapped[str | None] = mapped_column(Text)
    grid_issues: Mapped[str | None] = mapped_column(Text)
    scale_risk_issues: Mapped[str | None] = mapped_column(Text)
    policy_issues: Mapped[str | None] = mapped_column(Text)
    fund_issues: Mapped[str | None] = mapped_column(Text)
    construction_issues: Mapped[str | None] = mapped_column(Text)
    governance_issues: Mapped[str | None] = mapped_column(Text)
    other_issues: Mapped[str | None] = mapped_column(Text)
    remark: Mapped[str | None] = mapped_column(Text)


class VillageStatsInput(Audited, Timestamps, Base):
    """附件3 cells that are not computed from records (grids, training, explanations)."""

    __tablename__ = "village_stats_inputs"
    __table_args__ = (UniqueConstraint("campaign_id", "village_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="CASCADE"))
    grid_count: Mapped[int | None]
    grid_worker_count: Mapped[int | None]
    grid_training_count: Mapped[int | None]
    scale_risk: Mapped[bool | None]
    scale_risk_note: Mapped[str | None] = mapped_column(Text)
    covid_blocked_total: Mapped[int | None]
    covid_blocked_solved: Mapped[int | None]
    remark: Mapped[str | None] = mapped_column(Text)


class StatsSnapshot(Base):
    """附件3 as it stood on a reporting day (each Friday), kept for reprinting and week-on-week change."""

    __tablename__ = "stats_snapshots"
    __table_args__ = (UniqueConstraint("campaign_id", "report_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    report_date: Mapped[dt.date] = mapped_column(Date)
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class Problem(Audited, Timestamps, Base):
    """附件4 问题整改台账 row (四项清单: problem, measure, responsible person, deadline)."""

    __tablename__ = "problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    level: Mapped[str] = mapped_column(String(6))  # 乡镇 / 村 / 户
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id", ondelete="SET NULL"))
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL"), index=True
    )
    problem_type: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    measure: Mapped[str | None] = mapped_column(Text)
    responsible: Mapped[str | None] = mapped_column(String(60))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(6), default="整改中")  # 整改中 / 已整改 / 已销号
    found_on: Mapped[dt.date | None] = mapped_column(Date)
    rectified_on: Mapped[dt.date | None] = mapped_column(Date)
    verified_on: Mapped[dt.date | None] = mapped_column(Date)  # 销号 verification date
    verified_by: Mapped[str | None] = mapped_column(String(60))
    on_the_spot: Mapped[bool] = mapped_column(default=False)  # 立行立改: kept out of the ledger export
    source: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
