"""监测范围 (monitoring thresholds) by year and region, with the document (文号) that set them.

Thresholds are never hard-coded: the clerk enters each year's figure from the provincial or city
notice. A region without its own row falls back to the national row (全国) of the same year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import Threshold

NATIONAL = "全国"
MIN_YEAR = 2015
MAX_AMOUNT = Decimal("1000000")


def list_thresholds(session: Session, year: int | None = None) -> list[Threshold]:
    """Newest year first; within a year the national row first, then regions by name."""
    stmt = select(Threshold)
    if year is not None:
        stmt = stmt.where(Threshold.year == year)
    rows = list(session.scalars(stmt))
    rows.sort(key=lambda t: (-t.year, t.region != NATIONAL, t.region))
    return rows


def get(session: Session, threshold_id: int) -> Threshold:
    row = session.get(Threshold, threshold_id)
    if row is None:
        raise UserError("该监测范围记录已不存在（可能已被删除），请刷新后重试。")
    return row


def clean_year(value: Any) -> int:
    """A work year (年度) from a number or text, between MIN_YEAR and next year."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError("year", f"年度“{value}”不是有效的年份。") from None
    latest = dt.date.today().year + 1
    if not MIN_YEAR <= year <= latest:
        raise ValidationError("year", f"年度应在 {MIN_YEAR} 至 {latest} 之间，当前为 {year}。")
    return year


def _clean_region(value: Any) -> str:
    region = str(value or "").strip()
    if not region:
        raise ValidationError("region", "适用地区不能为空（全国通用请填写“全国”）。")
    if len(region) > 40:
        raise ValidationError("region", "适用地区不能超过 40 个字。")
    return region


#: 元 per person and year: an amount outside this is asked about once (a 0 typed too many or few)
PLAUSIBLE_AMOUNT = (Decimal(3000), Decimal(30000))


def implausible_amount(value: Any) -> str | None:
    """A warning for an amount far from the usual few thousand to thirty thousand 元, or None
    (also None for what is not a number: saving refuses that with its own message)."""
    try:
        amount = clean_amount(value)
    except ValidationError:
        return None
    if PLAUSIBLE_AMOUNT[0] <= amount <= PLAUSIBLE_AMOUNT[1]:
        return None
    return (
        f"监测范围 {amount:,.0f} 元/人·年 与通常的标准（几千元至一万多元）相差很大，"
        "请核对是否多输或少输了一个0"
    )


def clean_amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", "").rstrip("元"))
    except (InvalidOperation, ValueError):
        raise ValidationError("amount", f"监测范围金额“{value}”不是有效的数字。") from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError("amount", "监测范围金额必须大于 0 元。")
    if amount >= MAX_AMOUNT:
        raise ValidationError("amount", f"监测范围金额 {amount} 元过大，请检查是否多输了位数。")
    return amount.quantize(Decimal("0.01"))


def _clean_document(value: Any) -> str | None:
    text = str(value or "").strip()
    if len(text) > 80:
        raise ValidationError("document_no", "文号不能超过 80 个字。")
    return text or None


def _check_unique(session: Session, year: int, region: str, exclude_id: int | None = None) -> None:
    stmt = select(Threshold.id).where(Threshold.year == year, Threshold.region == region)
    for other in session.scalars(stmt):
        if other != exclude_id:
            raise ValidationError("region", f"{year} 年“{region}”的监测范围已经存在，请修改原记录。")


def add(
    session: Session,
    year: Any,
    region: Any,
    amount: Any,
    document_no: Any = None,
    effective_date: dt.date | None = None,
    note: str | None = None,
) -> Threshold:
    y, r, a = clean_year(year), _clean_region(region), clean_amount(amount)
    _check_unique(session, y, r)
    row = Threshold(
        year=y,
        region=r,
        amount=a,
        document_no=_clean_document(document_no),
        effective_date=effective_date,
        note=(note or "").strip() or None,
    )
    session.add(row)
    session.flush()
    return row


_EDITABLE = {"year", "region", "amount", "document_no", "effective_date", "note"}


def edit(session: Session, threshold_id: int, **changes: Any) -> Threshold:
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise KeyError(f"unknown threshold fields: {sorted(unknown)}")
    row = get(session, threshold_id)
    year = clean_year(changes["year"]) if "year" in changes else row.year
    region = _clean_region(changes["region"]) if "region" in changes else row.region
    _check_unique(session, year, region, exclude_id=row.id)
    row.year, row.region = year, region
    if "amount" in changes:
        row.amount = clean_amount(changes["amount"])
    if "document_no" in changes:
        row.document_no = _clean_document(changes["document_no"])
    if "effective_date" in changes:
        row.effective_date = changes["effective_date"]
    if "note" in changes:
        row.note = (changes["note"] or "").strip() or None
    session.flush()
    return row


def delete(session: Session, threshold_id: int) -> None:
    session.delete(get(session, threshold_id))
    session.flush()


def threshold_for(session: Session, year: int, region: str | None = None) -> Threshold | None:
    """The threshold in force for ``year`` in ``region``, falling back to the national row."""
    wanted = [r for r in ((region or "").strip(), NATIONAL) if r]
    for name in wanted:
        row = session.scalar(select(Threshold).where(Threshold.year == year, Threshold.region == name))
        if row is not None:
            return row
    return None


def regions(session: Session) -> list[str]:
    """Every region that has at least one threshold row, national first."""
    names = set(session.scalars(select(Threshold.region).distinct()))
    names.add(NATIONAL)
    return sorted(names, key=lambda n: (n != NATIONAL, n))


@dataclass(frozen=True)
class ThresholdRow:
    """One threshold as the settings page lists it: plain values, no ORM object."""

    id: int
    year: int
    region: str
    amount: Decimal
    document_no: str
    effective_date: dt.date | None
    note: str


def list_rows(session: Session) -> list[ThresholdRow]:
    """``list_thresholds`` as plain rows (newest year first, national first)."""
    return [
        ThresholdRow(
            t.id, t.year, t.region, Decimal(t.amount), t.document_no or "", t.effective_date, t.note or ""
        )
        for t in list_thresholds(session)
    ]


def save(session: Session, threshold_id: int | None, **values: Any) -> int:
    """Add a threshold (``threshold_id`` None) or edit one; its id."""
    if threshold_id is None:
        return add(session, **values).id
    return edit(session, threshold_id, **values).id
