"""Data-quality exemptions (数据核查豁免): a finding the clerk has checked and waived, with the reason.

A finding is exempt while a row with the same rule, household, case, member and ``data_hash`` exists.
``data_hash`` is the SHA-256 of the finding's ``data_key`` — the values the rule looked at — so an
edit of those values gives another hash and the finding comes back (the old row stays, for history).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fanpin_desktop.models.base import Audited, Base


class QualityExemption(Audited, Base):
    """One waived finding of one data-quality rule."""

    __tablename__ = "quality_exemptions"
    __table_args__ = (
        Index("ix_quality_exemptions_household", "household_id", "rule_code"),
        Index("ix_quality_exemptions_rule", "rule_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_code: Mapped[str] = mapped_column(String(20))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_cases.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    data_hash: Mapped[str] = mapped_column(String(64))  # sha256 of Finding.data_key
    reason: Mapped[str] = mapped_column(Text)
    exempted_by: Mapped[str] = mapped_column(String(40))  # the database user (Database(user=...))
    exempted_at: Mapped[dt.datetime] = mapped_column(DateTime)

    @property
    def name(self) -> str:  # the audit trail's summary
        return f"数据核查豁免 {self.rule_code}"
