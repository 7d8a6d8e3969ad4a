"""Monitoring cases (监测对象) with their procedure steps, risks, measures, contacts and visits,
and department warnings (部门预警线索)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fanpin_desktop.models.base import Audited, Base, Timestamps
from fanpin_desktop.models.household import Household


class MonitoringCase(Audited, Timestamps, Base):
    """One identification episode of one household, from clue to elimination (or rollback)."""

    __tablename__ = "monitoring_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    previous_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_cases.id", ondelete="SET NULL")
    )  # re-identification after elimination
    source: Mapped[str] = mapped_column(
        String(20)
    )  # 农户自主申报 / 干部走访 / 集中排查 / 部门预警 / 媒体信访
    category: Mapped[str | None] = mapped_column(String(10))  # 脱贫不稳定户 / 边缘易致贫户 / 突发严重困难户
    status: Mapped[str] = mapped_column(String(10), default="线索")
    clue_date: Mapped[dt.date] = mapped_column(Date)
    identified_on: Mapped[dt.date | None] = mapped_column(Date)  # 识别监测时间 (县级审定)
    elimination_mode: Mapped[str | None] = mapped_column(String(10))  # 帮扶消除 / 自然消除
    eliminated_on: Mapped[dt.date | None] = mapped_column(Date)  # 风险消除时间
    rolled_back_on: Mapped[dt.date | None] = mapped_column(Date)  # 回退
    not_included_reason: Mapped[str | None] = mapped_column(Text)  # 不纳入 with reason
    no_labour: Mapped[bool] = mapped_column(default=False)  # 整户无劳动能力: stays monitored
    exemption_note: Mapped[str | None] = mapped_column(Text)  # village representatives' special decision
    note: Mapped[str | None] = mapped_column(Text)
    # 不纳入监测情形 present (keys of domain.procedure.EXCLUSIONS, comma-separated) and the village
    # representatives' special decision that lets the household in all the same
    exclusions: Mapped[str | None] = mapped_column(String(120))
    special_decision_on: Mapped[dt.date | None] = mapped_column(Date)
    special_decision_text: Mapped[str | None] = mapped_column(Text)
    rollback_reason: Mapped[str | None] = mapped_column(Text)  # 回头看: why the elimination was undone
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date)  # last quarterly review (季度复核)
    review_note: Mapped[str | None] = mapped_column(Text)
    # 本地 (worked here) or 国家系统 (created/updated from a national export by the roster import)
    origin: Mapped[str] = mapped_column(String(6), default="本地", server_default="本地")

    household: Mapped[Household] = relationship()
    steps: Mapped[list[CaseStep]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseStep.done_on"
    )
    risks: Mapped[list[CaseRisk]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseRisk.position"
    )
    measures: Mapped[list[Measure]] = relationship(back_populates="case", cascade="all, delete-orphan")
    contacts: Mapped[list[Contact]] = relationship(back_populates="case", cascade="all, delete-orphan")
    visits: Mapped[list[Visit]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Visit.visited_on"
    )


class CaseStep(Audited, Base):
    """One step of the five-step procedure (identification or elimination) with its date."""

    __tablename__ = "case_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("monitoring_cases.id", ondelete="CASCADE"), index=True)
    procedure: Mapped[str] = mapped_column(String(6))  # 识别 / 消除 / 回退
    step: Mapped[str] = mapped_column(
        String(10)
    )  # 农户申请 / 入户核实 / 村级评议 / 公示 / 乡镇审核 / 县级审定 / 系统录入
    done_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date)  # publicity end date
    people: Mapped[str | None] = mapped_column(String(80))  # e.g. the two verifiers
    result: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    authorisation_signed: Mapped[bool] = mapped_column(
        default=False, server_default="0"
    )  # 农户申请: 承诺授权书 signed
    from_national: Mapped[bool] = mapped_column(
        default=False, server_default="0"
    )  # marked done from a national export, not worked here

    case: Mapped[MonitoringCase] = relationship(back_populates="steps")


class CaseRisk(Audited, Base):
    """Ordered risks (up to five) of a case; 三保障 flags are risks of kind 三保障."""

    __tablename__ = "case_risks"
    __table_args__ = (UniqueConstraint("case_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("monitoring_cases.id", ondelete="CASCADE"))
    position: Mapped[int]
    risk_type: Mapped[str] = mapped_column(String(20))
    subtype: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[MonitoringCase] = relationship(back_populates="risks")


class Measure(Audited, Timestamps, Base):
    """帮扶措施 (一户一方案、一人一措施)."""

    __tablename__ = "measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_cases.id", ondelete="CASCADE"), index=True
    )
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    is_development: Mapped[bool] = mapped_column(default=False)  # 开发式帮扶
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    year: Mapped[int | None]
    responsible_unit: Mapped[str | None] = mapped_column(String(80))  # 责任单位

    case: Mapped[MonitoringCase | None] = relationship(back_populates="measures")


class Contact(Audited, Base):
    """帮扶联系人 / 帮扶责任人."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_cases.id", ondelete="CASCADE"), index=True
    )
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(10), default="帮扶联系人")
    unit: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(20))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)

    case: Mapped[MonitoringCase | None] = relationship(back_populates="contacts")


class Visit(Audited, Base):
    """走访记录."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_cases.id", ondelete="CASCADE"), index=True
    )
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    visited_on: Mapped[dt.date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(6), default="入户")  # 入户 / 电话 / 微信
    visitor: Mapped[str | None] = mapped_column(String(60))
    findings: Mapped[str | None] = mapped_column(Text)
    income_change: Mapped[str | None] = mapped_column(String(200))  # 收入变化 noted on the visit

    case: Mapped[MonitoringCase | None] = relationship(back_populates="visits")


def _default_match_status(context: Any) -> str:
    """已匹配 when a household is given (warnings entered by hand, the demo), else 未匹配."""
    return "已匹配" if context.get_current_parameters().get("household_id") else "未匹配"


class DepartmentWarning(Audited, Timestamps, Base):
    """部门筛查预警 clue: received, matched to a household, checked and closed with an outcome."""

    __tablename__ = "department_warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    department: Mapped[str] = mapped_column(String(20))  # 医保 / 残联 / 住建 / 水利 / 民政 / …
    received_on: Mapped[dt.date] = mapped_column(Date)
    batch_label: Mapped[str | None] = mapped_column(String(60))
    person_name: Mapped[str | None] = mapped_column(String(40))
    id_number: Mapped[str | None] = mapped_column(String(22), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    status: Mapped[str] = mapped_column(String(6), default="待核实")  # 待核实 / 核实中 / 已办结
    outcome: Mapped[str | None] = mapped_column(String(10))  # 纳入监测 / 已是监测对象 / 不符合
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    checked_on: Mapped[dt.date | None] = mapped_column(Date)
    checked_by: Mapped[str | None] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_cases.id", ondelete="SET NULL"))
    # Added for issue 13 (migration 0008): where the row came from, how it was matched, thresholds.
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("list_imports.id", ondelete="SET NULL"), index=True
    )
    row_number: Mapped[int | None] = mapped_column(Integer)  # 1-based sheet row in the received file
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    village_name: Mapped[str | None] = mapped_column(String(40))  # 行政村 as written in the file
    group_name: Mapped[str | None] = mapped_column(String(20))  # 组 as written
    warning_date: Mapped[dt.date | None] = mapped_column(Date)  # 日期 in the file (结算/发生日期)
    yearly_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # 年度累计 when given
    match_status: Mapped[str] = mapped_column(
        String(8), default=_default_match_status
    )  # 已匹配/待确认/未匹配/不涉及本乡镇
    match_note: Mapped[str | None] = mapped_column(Text)
    over_threshold: Mapped[bool] = mapped_column(Boolean, default=False)
    threshold_reason: Mapped[str | None] = mapped_column(Text)
    fingerprint: Mapped[str | None] = mapped_column(String(64), unique=True)  # department + row content
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # every received cell, header → text
