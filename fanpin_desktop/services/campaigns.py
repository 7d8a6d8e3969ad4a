"""集中排查批次 (screening campaigns): year, dates, income period, threshold in force, villages.

Several campaigns can exist (one a year at least, sometimes a second round); exactly one is
current, and the screening pages work on it unless told otherwise. A campaign with no villages
listed covers every village of the township.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import Campaign, Threshold, Village
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services import thresholds as threshold_service

MIN_YEAR = threshold_service.MIN_YEAR  # campaigns and thresholds share the year check


@dataclass(frozen=True)
class CampaignInfo:
    """What lists and headers show about a campaign."""

    id: int
    year: int
    name: str
    start_date: dt.date
    end_date: dt.date
    income_period_start: dt.date
    income_period_end: dt.date
    threshold_id: int | None
    threshold_amount: Decimal | None
    threshold_region: str | None
    threshold_document: str | None
    is_current: bool
    village_ids: tuple[int, ...]  # empty = every village

    @property
    def income_period_label(self) -> str:
        """As printed in appendix 1's header: 2021年5月1日-2022年4月30日."""
        return f"{cn_date(self.income_period_start)}-{cn_date(self.income_period_end)}"

    @property
    def threshold_label(self) -> str:
        return amount_text(self.threshold_amount) if self.threshold_amount is not None else "  "


def cn_date(day: dt.date | None, blank_day: bool = False) -> str:
    """2022年5月20日 (``blank_day``: 2022年5月  日, as on a form filled by hand)."""
    if day is None:
        return ""
    if blank_day:
        return f"{day.year}年{day.month}月  日"
    return f"{day.year}年{day.month}月{day.day}日"


def amount_text(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return format(amount.normalize(), "f") if amount == amount.to_integral() else format(amount, "f")


def default_income_period(start: dt.date) -> tuple[dt.date, dt.date]:
    """The twelve months before the screening month (seed 000: May 2022 -> 2021-05-01 … 2022-04-30)."""
    first = start.replace(day=1)
    return first.replace(year=first.year - 1), first - dt.timedelta(days=1)


def _info(c: Campaign) -> CampaignInfo:
    t = c.threshold
    return CampaignInfo(
        id=c.id,
        year=c.year,
        name=c.name,
        start_date=c.start_date,
        end_date=c.end_date,
        income_period_start=c.income_period_start,
        income_period_end=c.income_period_end,
        threshold_id=c.threshold_id,
        threshold_amount=t.amount if t else None,
        threshold_region=t.region if t else None,
        threshold_document=t.document_no if t else None,
        is_current=c.is_current,
        village_ids=tuple(v.id for v in c.villages),
    )


def get(session: Session, campaign_id: int) -> Campaign:
    c = session.get(Campaign, campaign_id)
    if c is None:
        raise UserError("该排查批次已不存在（可能已被删除），请刷新后重试。")
    return c


def info(session: Session, campaign_id: int) -> CampaignInfo:
    return _info(get(session, campaign_id))


def list_campaigns(session: Session) -> list[CampaignInfo]:
    """Newest first."""
    rows = session.scalars(
        select(Campaign).order_by(Campaign.year.desc(), Campaign.start_date.desc(), Campaign.id.desc())
    )
    return [_info(c) for c in rows]


def current(session: Session) -> Campaign | None:
    c = session.scalar(select(Campaign).where(Campaign.is_current.is_(True)).order_by(Campaign.id.desc()))
    if c is None:  # none marked: the newest one
        c = session.scalar(select(Campaign).order_by(Campaign.start_date.desc(), Campaign.id.desc()))
    return c


def current_id(session: Session) -> int | None:
    c = current(session)
    return c.id if c else None


def resolve(session: Session, campaign_id: int | None) -> Campaign:
    """The given campaign, or the current one; a clear message when there is none."""
    if campaign_id is not None:
        return get(session, campaign_id)
    c = current(session)
    if c is None:
        raise UserError(
            "还没有建立集中排查批次。请先在“集中排查”中新建排查批次（年度、起止日期、监测范围）。"
        )
    return c


def set_current(session: Session, campaign_id: int) -> None:
    get(session, campaign_id)
    session.execute(
        update(Campaign)
        .where(Campaign.id != campaign_id, Campaign.is_current.is_(True))
        .values(is_current=False)
    )
    c = get(session, campaign_id)
    c.is_current = True
    session.flush()


def village_ids(session: Session, campaign: Campaign | int) -> list[int]:
    """Villages covered, in township order (every village when the campaign lists none)."""
    c = get(session, campaign) if isinstance(campaign, int) else campaign
    chosen = {v.id for v in c.villages}
    stmt = select(Village.id).order_by(Village.sort_order, Village.id)
    return [vid for vid in session.scalars(stmt) if not chosen or vid in chosen]


def threshold_for(session: Session, year: int) -> Threshold | None:
    """The threshold in force for ``year`` in the township's region (settings), else national."""
    region = settings_service.load(session).threshold_region
    return threshold_service.threshold_for(session, year, region)


# --------------------------------------------------------------------------- create / edit


def _check_dates(
    year: int, start: dt.date | None, end: dt.date | None, inc_start: dt.date | None, inc_end: dt.date | None
) -> None:
    if not isinstance(start, dt.date):
        raise ValidationError("start_date", "开始日期不能为空。")
    if not isinstance(end, dt.date):
        raise ValidationError("end_date", "结束日期不能为空。")
    if end < start:
        raise ValidationError("end_date", f"结束日期 {end} 早于开始日期 {start}。")
    if year not in (start.year, end.year):
        raise ValidationError("start_date", f"开始日期 {start} 不在 {year} 年度内。")
    if not isinstance(inc_start, dt.date) or not isinstance(inc_end, dt.date):
        raise ValidationError("income_period_start", "收入统计期的起止日期不能为空。")
    if inc_end < inc_start:
        raise ValidationError("income_period_end", f"收入统计期结束日期 {inc_end} 早于开始日期 {inc_start}。")
    if inc_start > start:
        raise ValidationError("income_period_start", "收入统计期应在排查开始之前（通常为排查前12个月）。")


def _clean_name(value: Any, year: int) -> str:
    name = str(value or "").strip() or f"{year}年防止返贫监测帮扶集中排查"
    if len(name) > 80:
        raise ValidationError("name", "批次名称不能超过 80 个字。")
    return name


def _villages(session: Session, ids: Any) -> list[Village]:
    if not ids:
        return []
    wanted = list(dict.fromkeys(int(i) for i in ids))
    found = {v.id: v for v in session.scalars(select(Village).where(Village.id.in_(wanted)))}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationError("village_ids", "所选行政村已不存在，请刷新后重试。")
    return [found[i] for i in wanted]


def create(
    session: Session,
    *,
    year: Any,
    start_date: dt.date,
    end_date: dt.date,
    name: str | None = None,
    income_period_start: dt.date | None = None,
    income_period_end: dt.date | None = None,
    threshold_id: int | None = None,
    village_ids: Any = None,
    make_current: bool = True,
    note: str | None = None,
) -> Campaign:
    """A new campaign. Income period defaults to the 12 months before the start month; the
    threshold to the year's row for the township's region (or the national one)."""
    y = threshold_service.clean_year(year)
    if isinstance(start_date, dt.date) and (income_period_start is None or income_period_end is None):
        d_start, d_end = default_income_period(start_date)
        income_period_start = income_period_start or d_start
        income_period_end = income_period_end or d_end
    _check_dates(y, start_date, end_date, income_period_start, income_period_end)
    threshold = (
        threshold_service.get(session, threshold_id)
        if threshold_id is not None
        else threshold_for(session, y)
    )
    c = Campaign(
        year=y,
        name=_clean_name(name, y),
        start_date=start_date,
        end_date=end_date,
        income_period_start=income_period_start,
        income_period_end=income_period_end,
        threshold=threshold,
        is_current=False,
        note=(note or "").strip() or None,
    )
    c.villages = _villages(session, village_ids)
    session.add(c)
    session.flush()
    if make_current or current(session) is None:
        set_current(session, c.id)
    return c


_EDITABLE = {
    "year",
    "name",
    "start_date",
    "end_date",
    "income_period_start",
    "income_period_end",
    "threshold_id",
    "village_ids",
    "note",
}


def edit(session: Session, campaign_id: int, **changes: Any) -> Campaign:
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise KeyError(f"unknown campaign fields: {sorted(unknown)}")
    c = get(session, campaign_id)
    year = threshold_service.clean_year(changes["year"]) if "year" in changes else c.year
    start = changes.get("start_date", c.start_date)
    end = changes.get("end_date", c.end_date)
    inc_start = changes.get("income_period_start", c.income_period_start)
    inc_end = changes.get("income_period_end", c.income_period_end)
    _check_dates(year, start, end, inc_start, inc_end)
    c.year, c.start_date, c.end_date = year, start, end
    c.income_period_start, c.income_period_end = inc_start, inc_end
    if "name" in changes:
        c.name = _clean_name(changes["name"], year)
    if "threshold_id" in changes:
        tid = changes["threshold_id"]
        c.threshold = threshold_service.get(session, tid) if tid is not None else None
    if "village_ids" in changes:
        c.villages = _villages(session, changes["village_ids"])
    if "note" in changes:
        c.note = (changes["note"] or "").strip() or None
    session.flush()
    return c


def delete(session: Session, campaign_id: int) -> None:
    """Deletes the campaign with its screening records (appendices 1–3); problems and monitoring
    cases stay, unlinked."""
    c = get(session, campaign_id)
    was_current = c.is_current
    session.delete(c)
    session.flush()
    if was_current:
        nxt = current(session)
        if nxt is not None:
            set_current(session, nxt.id)


# --------------------------------------------------------------------------- for the campaign dialog


def note_of(session: Session, campaign_id: int) -> str:
    return get(session, campaign_id).note or ""


def threshold_id_for(session: Session, year: int) -> int | None:
    """The id of the threshold ``threshold_for`` picks (the default of a new campaign)."""
    t = threshold_for(session, year)
    return t.id if t is not None else None


@dataclass(frozen=True)
class ThresholdChoice:
    id: int
    year: int
    label: str  # 2022年 河南省 6000元（豫乡振发〔2022〕1号）


def threshold_choices(session: Session) -> list[ThresholdChoice]:
    """Every threshold as the campaign dialog lists it."""
    return [
        ThresholdChoice(
            t.id,
            t.year,
            f"{t.year}年 {t.region} {amount_text(t.amount)}元"
            + (f"（{t.document_no}）" if t.document_no else ""),
        )
        for t in threshold_service.list_thresholds(session)
    ]
