"""Households (户), their members (家庭成员) and income records (收支情况)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fanpin_desktop.models.base import Audited, Base, Timestamps
from fanpin_desktop.models.region import NaturalVillage, Village, VillageGroup

Money = Numeric(12, 2)


class Household(Audited, Timestamps, Base):
    __tablename__ = "households"
    __table_args__ = (Index("ix_households_village_group", "village_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(30), unique=True)  # 户编号 (national system)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="RESTRICT"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("village_groups.id", ondelete="SET NULL"))
    natural_village_id: Mapped[int | None] = mapped_column(
        ForeignKey("natural_villages.id", ondelete="SET NULL")
    )
    address: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    household_type: Mapped[str] = mapped_column(String(10), default="一般农户")  # 户类型
    poverty_exit_year: Mapped[int | None]  # 脱贫年度 (脱贫户)
    relocated: Mapped[bool] = mapped_column(default=False)  # 易地扶贫搬迁
    relocation_site: Mapped[str | None] = mapped_column(String(80))  # 安置区
    military_family: Mapped[bool] = mapped_column(default=False)  # 军烈属
    urban_registered: Mapped[bool] = mapped_column(default=False)  # 农转非
    bank_account_note: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(Text)
    # 人均纯收入 as the national system reports it (roster import), and the year it is for; the
    # local income records win when theirs is as recent (services.households.income)
    national_per_capita_income: Mapped[Decimal | None] = mapped_column(Money)
    national_income_year: Mapped[int | None]

    village: Mapped[Village] = relationship()
    group: Mapped[VillageGroup | None] = relationship()
    natural_village: Mapped[NaturalVillage | None] = relationship()
    members: Mapped[list[Member]] = relationship(
        back_populates="household", order_by="Member.sort_order", cascade="all, delete-orphan"
    )
    incomes: Mapped[list[IncomeRecord]] = relationship(
        back_populates="household", order_by="IncomeRecord.period_start", cascade="all, delete-orphan"
    )

    @property
    def head(self) -> Member | None:
        return next((m for m in self.members if m.relation == "户主"), None)


class Member(Audited, Timestamps, Base):
    __tablename__ = "members"
    __table_args__ = (
        # a unique index rather than a table constraint, so that a big first import can build it
        # once after adding its rows (importer.write._drop_secondary_indexes)
        Index("uq_members_id_number", "id_number", unique=True),
        Index("ix_members_household", "household_id", "sort_order"),
    )
    __audit_exclude__ = frozenset({"created_at", "updated_at", "name_initials", "sort_order"})

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    code: Mapped[str | None] = mapped_column(String(30))  # 人编号
    sort_order: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(40))
    name_initials: Mapped[str] = mapped_column(String(40), default="", index=True)  # pinyin, for search
    id_type: Mapped[str] = mapped_column(String(20), default="居民身份证")
    id_number: Mapped[str | None] = mapped_column(String(22))
    relation: Mapped[str] = mapped_column(String(20))  # 与户主关系
    sex: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    ethnicity: Mapped[str | None] = mapped_column(String(20), default="汉族")
    political_status: Mapped[str | None] = mapped_column(String(20))
    education: Mapped[str | None] = mapped_column(String(30))  # 文化程度
    schooling: Mapped[str | None] = mapped_column(String(30))  # 在校生状况
    health: Mapped[str | None] = mapped_column(String(40))  # 健康状况, several joined by "、"
    disability_category: Mapped[str | None] = mapped_column(String(20))
    disability_grade: Mapped[str | None] = mapped_column(String(10))
    disability_cert_no: Mapped[str | None] = mapped_column(String(22))
    labour_skill: Mapped[str | None] = mapped_column(String(20))  # 劳动技能
    work_status: Mapped[str | None] = mapped_column(String(30))  # 务工状况
    work_place: Mapped[str | None] = mapped_column(String(60))  # 务工所在地
    work_months: Mapped[int | None]  # 务工时间（月）
    work_employer: Mapped[str | None] = mapped_column(String(80))  # 务工企业名称
    public_post_type: Mapped[str | None] = mapped_column(String(30))  # 公益岗位
    public_post_months: Mapped[int | None]
    ins_resident_medical: Mapped[bool] = mapped_column(default=False)  # 城乡居民基本医疗保险
    ins_employee_medical: Mapped[bool] = mapped_column(default=False)  # 职工基本医疗保险
    ins_critical_illness: Mapped[bool] = mapped_column(default=False)  # 大病保险
    ins_commercial: Mapped[bool] = mapped_column(default=False)  # 商业补充医疗保险
    medical_assistance: Mapped[bool] = mapped_column(default=False)  # 医疗救助
    pension_resident: Mapped[bool] = mapped_column(default=False)  # 城乡居民基本养老保险
    pension_employee: Mapped[bool] = mapped_column(default=False)  # 职工基本养老保险
    dibao: Mapped[bool] = mapped_column(default=False)  # 低保
    tekun: Mapped[bool] = mapped_column(default=False)  # 特困供养
    phone: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)

    household: Mapped[Household] = relationship(back_populates="members")


class IncomeRecord(Audited, Timestamps, Base):
    """收支情况 of one household for one period (usually the 12 months before a screening)."""

    __tablename__ = "income_records"
    __table_args__ = (UniqueConstraint("household_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    wage: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 工资性收入
    business: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 生产经营性收入
    property_income: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 财产性收入
    transfer: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 转移性收入
    business_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 生产经营性支出
    claims_income: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 理赔收入
    rigid_spending: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 合规自付支出
    people_count: Mapped[int | None]  # 家庭人口数 at the time; None = current member count
    note: Mapped[str | None] = mapped_column(Text)

    household: Mapped[Household] = relationship(back_populates="incomes")
