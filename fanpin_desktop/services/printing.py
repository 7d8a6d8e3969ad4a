"""Printing the screening appendices (附件1/3/4 as PDF) and drafting the work summary (.docx).

Each ``write_*`` function gathers what its document shows from the records, as plain data (the
dataclasses and row dicts of :mod:`fanpin_desktop.documents`), and hands it to the document's
``render_*`` function, which knows nothing of the database. Imports go one way: this module uses
``documents``; ``documents`` never uses a service.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fanpin_desktop.documents import appendix_pdf, summary_docx
from fanpin_desktop.documents.appendix_pdf import NA, PrintOptions, VillageSheet
from fanpin_desktop.documents.fonts import FontLibrary
from fanpin_desktop.documents.summary_docx import CATEGORIES, SummaryFigures
from fanpin_desktop.domain import appendix1, appendix_layouts, ids
from fanpin_desktop.models import (
    Campaign,
    Household,
    Member,
    MonitoringCase,
    NaturalVillage,
    Problem,
    Village,
)
from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services import ledger, screening, stats
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services.cases import stats as case_conditions
from fanpin_desktop.services.stats import StatsReport

__all__ = [
    "PrintOptions",
    "VillageSheet",
    "SummaryFigures",
    "appendix1_sheets",
    "appendix4_rows",
    "gather_figures",
    "write_appendix1",
    "write_appendix3",
    "write_appendix4",
    "write_summary_docx",
]

Pair = tuple[int, int]


def _township(session: Session) -> str:
    return settings_service.load(session).township


def _village_names(
    session: Session, campaign: Campaign, village_ids: Sequence[int] | None
) -> list[tuple[int, str]]:
    """The chosen villages (default: the campaign's) that exist, with their names, in the given order."""
    ids = list(village_ids) if village_ids else campaign_service.village_ids(session, campaign)
    names = dict(session.execute(select(Village.id, Village.name).where(Village.id.in_(ids))).all())
    return [(vid, names[vid]) for vid in ids if vid in names]


# --------------------------------------------------------------------------------------------------
# 附件1 到户排查表


def appendix1_sheets(
    session: Session, campaign: Campaign, village_ids: Sequence[int] | None = None, *, suggest: bool = True
) -> list[VillageSheet]:
    """One :class:`VillageSheet` per village with its households in paper order.

    Saved answers are printed as saved; a household not yet screened gets the answers its records
    suggest (``suggest``), and questions that do not concern a household print as ／.
    """
    sheets = []
    for vid, name in _village_names(session, campaign, village_ids):
        rows = list(screening.appendix1_rows(session, campaign, vid))
        contexts = screening.contexts(session, campaign, [r["household_id"] for r in rows])
        out = []
        for row in rows:
            ctx = contexts.get(row["household_id"])
            answers = {k: row.get(k) for k in appendix1.ANSWER_KEYS}
            if ctx is not None:
                if not row.get("screened") and suggest:
                    suggested = appendix1.initial_answers(ctx)
                    answers.update(
                        {k: v for k, v in suggested.items() if v is not None and answers.get(k) is None}
                    )
                applies = appendix1.applicability(ctx, answers)
                answers = {
                    k: (NA if not applies.get(k, True) and v is None else v) for k, v in answers.items()
                }
            printed = dict(row)
            printed.update(answers)
            printed["seq"] = None
            out.append(printed)
        sheets.append(VillageSheet(name, out))
    return sheets


def write_appendix1(
    session: Session,
    path: str | os.PathLike[str],
    *,
    campaign_id: int | None = None,
    village_ids: Sequence[int] | None = None,
    options: PrintOptions | None = None,
    fill_date: dt.date | None = None,
    fonts: FontLibrary | None = None,
) -> Path:
    """附件1 of a campaign (the current one by default) for the chosen villages (default: all)."""
    options = options or PrintOptions()
    campaign = campaign_service.resolve(session, campaign_id)
    info = campaign_service.info(session, campaign.id)
    if options.blank:
        sheets = [VillageSheet(name) for _vid, name in _village_names(session, campaign, village_ids)]
    else:
        sheets = appendix1_sheets(session, campaign, village_ids, suggest=options.suggest)
    return appendix_pdf.render_appendix1(
        path,
        sheets,
        township=_township(session),
        year=campaign.year,
        income_period=info.income_period_label,
        threshold=info.threshold_label,
        fill_date=fill_date,
        paper=options.paper,
        blank=options.blank,
        blank_rows=options.blank_rows,
        fonts=fonts,
    )


# --------------------------------------------------------------------------------------------------
# 附件3 排查情况统计表


def write_appendix3(
    session: Session,
    path: str | os.PathLike[str],
    *,
    campaign_id: int | None = None,
    as_of: dt.date | None = None,
    report: StatsReport | None = None,
    paper: str = "A4",
    fonts: FontLibrary | None = None,
) -> Path:
    """附件3 as computed now (or a stored ``StatsReport`` snapshot, for reprinting a past Friday)."""
    if report is None:
        report = stats.compute(session, campaign_id, as_of)
    return appendix_pdf.render_appendix3(
        path,
        [dict(r.cells) for r in report.rows],
        township=_township(session),
        year=report.year,
        report_date=report.as_of,
        total=dict(report.total.cells),
        paper=paper,
        fonts=fonts,
    )


# --------------------------------------------------------------------------------------------------
# 附件4 问题整改台账


def appendix4_rows(
    session: Session, campaign_id: int | None = None, village_id: int | None = None, *, mask_ids: bool = False
) -> list[dict[str, Any]]:
    """Ledger lines as the form prints them; 立行立改 problems are not in the ledger. The ID
    column holds full numbers (an internal sheet), masked with ``mask_ids`` for copies that leave
    the office."""
    township = _township(session)
    rows = []
    for p in ledger.list_problems(
        session, campaign_id=campaign_id, village_id=village_id, include_on_the_spot=False
    ):
        remark = ledger.status_text(p)
        if p.note:
            remark = f"{remark}；{p.note}"
        household = p.level == "户"
        rows.append(
            {
                "unit": township,
                "village": p.village if p.level != "乡镇" else "",
                "head_name": p.head_name if household else "",
                "id_number": (ids.mask(p.id_number) if mask_ids else p.id_number) if household else "",
                "problem_type": p.problem_type,
                "description": p.description,
                "measure": p.measure,
                "responsible": p.responsible,
                "deadline": p.deadline,
                "remark": remark,
            }
        )
    return rows


def write_appendix4(
    session: Session,
    path: str | os.PathLike[str],
    *,
    campaign_id: int | None = None,
    village_id: int | None = None,
    date: dt.date | None = None,
    paper: str = "A4",
    fonts: FontLibrary | None = None,
    mask_ids: bool = False,
) -> Path:
    """附件4 问题整改台账 of a campaign (all problems when ``campaign_id`` is None; the ledger page
    always names one); ``mask_ids`` for copies that leave the office."""
    year = None
    if campaign_id is not None:
        campaign = session.get(Campaign, campaign_id)
        year = campaign.year if campaign is not None else None
    return appendix_pdf.render_appendix4(
        path,
        appendix4_rows(session, campaign_id, village_id, mask_ids=mask_ids),
        township=_township(session),
        year=year,
        date=date,
        paper=paper,
        fonts=fonts,
    )


# --------------------------------------------------------------------------------------------------
# the work summary


def _sum(pairs: Iterable[Pair]) -> Pair:
    h = p = 0
    for a, b in pairs:
        h += a
        p += b
    return h, p


def _pair(value: Any) -> Pair:
    h, p = value or (0, 0)
    return int(h), int(p)


def gather_figures(
    session: Session, campaign_id: int | None = None, as_of: dt.date | None = None
) -> SummaryFigures:
    """The report's numbers for a campaign (the current one by default), as on ``as_of``.

    The screening and new-identification figures are 附件3's township total, so the summary and
    the statistics table always agree.
    """
    campaign = campaign_service.resolve(session, campaign_id)
    as_of = as_of or min(dt.date.today(), campaign.end_date)
    settings = settings_service.load(session)
    vids = campaign_service.village_ids(session, campaign)
    report = stats.compute(session, campaign.id, as_of)
    total = report.total.cells

    f = SummaryFigures(
        township=settings.township,
        county=settings.county,
        year=campaign.year,
        campaign_name=campaign.name,
        start_date=campaign.start_date,
        end_date=campaign.end_date,
        as_of=as_of,
    )
    f.villages = len(vids)
    f.poverty_villages = (
        session.scalar(
            select(func.count())
            .select_from(Village)
            .where(Village.id.in_(vids), Village.is_poverty_village.is_(True))
        )
        or 0
    )
    f.natural_villages = (
        session.scalar(
            select(func.count()).select_from(NaturalVillage).where(NaturalVillage.village_id.in_(vids))
        )
        or 0
    )

    size = (
        select(Member.household_id.label("hid"), func.count().label("n"))
        .group_by(Member.household_id)
        .subquery()
    )
    people = func.coalesce(func.sum(func.coalesce(size.c.n, 0)), 0)

    def pair(*where: Any) -> Pair:
        row = session.execute(
            select(func.count(Household.id), people)
            .select_from(Household)
            .outerjoin(size, size.c.hid == Household.id)
            .where(Household.village_id.in_(vids), *where)
        ).one()
        return int(row[0]), int(row[1])

    f.households = pair()
    f.tuopin = pair(Household.household_type == appendix1.TUOPIN)
    f.screened = _pair(total.get("screened"))

    # the latest active case of each household gives its category
    active = (
        select(MonitoringCase.household_id.label("hid"), func.max(MonitoringCase.id).label("cid"))
        .where(case_conditions.active())
        .group_by(MonitoringCase.household_id)
        .subquery()
    )
    rows = session.execute(
        select(MonitoringCase.category, func.count(Household.id), people)
        .select_from(active)
        .join(MonitoringCase, MonitoringCase.id == active.c.cid)
        .join(Household, Household.id == active.c.hid)
        .outerjoin(size, size.c.hid == Household.id)
        .where(Household.village_id.in_(vids))
        .group_by(MonitoringCase.category)
    ).all()
    f.monitored_by_category = {cat or "未分类": (int(h), int(p)) for cat, h, p in rows}
    f.monitored = _sum(f.monitored_by_category.values())
    has_active = select(active.c.hid)
    eliminated = select(MonitoringCase.household_id).where(
        MonitoringCase.status.in_(appendix1.ELIMINATED_CASE_STATUSES)
    )
    f.eliminated = pair(Household.id.in_(eliminated), Household.id.not_in(has_active))

    layout = appendix_layouts.load(3, campaign.year)
    keys = {c.extra["category"]: c.key for c in layout.columns if "category" in c.extra}
    f.new_by_category = {cat: _pair(total.get(keys[cat])) for cat in CATEGORIES if cat in keys}
    f.rolled_back = _pair(total.get("rolled_back"))
    f.reidentified = _pair(total.get("reidentified"))
    f.to_eliminate = _pair(total.get("to_eliminate"))

    counts = ledger.counts(session, campaign.id, today=as_of)
    f.problems_in_ledger = counts.total
    f.problems_on_the_spot = counts.on_the_spot
    f.problems_found = counts.total + counts.on_the_spot
    f.problems_rectified = counts.rectified + counts.closed
    f.problems_in_progress = counts.in_progress
    by_type = dict(
        session.execute(
            select(Problem.problem_type, func.count())
            .where(Problem.campaign_id == campaign.id)
            .group_by(Problem.problem_type)
        ).all()
    )
    order = ledger.problem_types(campaign.year)
    f.problems_by_type = {
        t: int(by_type[t]) for t in [*order, *sorted(set(by_type) - set(order))] if by_type.get(t)
    }
    return f


def write_summary_docx(
    session: Session,
    path: str | os.PathLike[str],
    *,
    campaign_id: int | None = None,
    as_of: dt.date | None = None,
    date: dt.date | None = None,
    charts: Sequence[summary_docx.ChartImage] = (),
) -> Path:
    """Gather the figures of a campaign and write the draft report (with ``charts``, the
    工作台's charts drawn by the window, as figures)."""
    return summary_docx.render_summary_docx(
        path, gather_figures(session, campaign_id, as_of), date=date, charts=charts
    )
