"""Export the screening appendices (附件1–4) as .xlsx for one village or the whole township.

Gathers the rows from the screening, statistics and ledger services and hands them to
``documents.appendix_xlsx``. Used by the screening pages and by ``fanpin screening export``.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from fanpin_desktop.documents import appendix_xlsx
from fanpin_desktop.documents.appendix_xlsx import SheetRow
from fanpin_desktop.domain import appendix_layouts as layouts
from fanpin_desktop.domain import ids
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import Campaign, Village
from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services import ledger, screening, stats
from fanpin_desktop.services import settings as settings_service


@dataclass(frozen=True)
class ExportResult:
    appendix: int
    path: Path
    rows: int
    seconds: float


def _village_name(session: Session, village_id: int | None) -> str:
    if village_id is None:
        return ""
    v = session.get(Village, village_id)
    if v is None:
        raise UserError("所选行政村已不存在，请刷新后重试。")
    return v.name


def default_filename(
    session: Session,
    campaign: Campaign,
    appendix: int,
    village_id: int | None = None,
    day: dt.date | None = None,
) -> str:
    """e.g. ``附件1_到户排查表_马店镇王楼村_2022_20220520.xlsx``"""
    layout = layouts.load(appendix, campaign.year)
    place = settings_service.load(session).township + _village_name(session, village_id)
    stem = (
        f"附件{appendix}_{layout.name}_{place or '全乡镇'}_{campaign.year}_{(day or dt.date.today()):%Y%m%d}"
    )
    return re.sub(r'[\\/:*?"<>|\s]+', "_", stem) + ".xlsx"


def _values(layout: layouts.Layout, row: dict[str, Any]) -> list[Any]:
    return [row.get(c.key) for c in layout.columns]


def _appendix1(
    session: Session, c: Campaign, village_id: int | None, include_unscreened: bool
) -> Iterator[SheetRow]:
    layout = layouts.load(1, c.year)
    for seq, row in enumerate(screening.appendix1_rows(session, c, village_id, include_unscreened), 1):
        row["seq"] = seq
        yield SheetRow(
            _values(layout, row), key=row["household_id"], style=None if row["screened"] else "muted"
        )


def _appendix2(session: Session, c: Campaign, village_id: int | None) -> Iterator[SheetRow]:
    layout = layouts.load(2, c.year)
    for seq, row in enumerate(screening.appendix2_rows(session, c, village_id), 1):
        row["seq"] = seq
        yield SheetRow(_values(layout, row), key=row["village_id"])


def _appendix3(report: stats.StatsReport, layout: layouts.Layout, with_total: bool) -> Iterator[SheetRow]:
    for r in report.rows:
        yield SheetRow(_values(layout, r.cells))
    if with_total:
        yield SheetRow(_values(layout, report.total.cells), style="total")


def _appendix4(
    session: Session, c: Campaign, village_id: int | None, mask_ids: bool, today: dt.date
) -> Iterator[SheetRow]:
    layout = layouts.load(4, c.year)
    unit = settings_service.load(session).township
    for p in ledger.list_problems(
        session, campaign_id=c.id, village_id=village_id, include_on_the_spot=False, today=today
    ):
        remark = "；".join(t for t in (p.note, ledger.status_text(p)) if t)
        row = {
            "unit": unit,
            "village": p.village,
            "head_name": p.head_name,
            "id_number": ids.mask(p.id_number) if mask_ids and p.id_number else p.id_number,
            "problem_type": p.problem_type,
            "description": p.description,
            "measure": p.measure,
            "responsible": p.responsible,
            "deadline": p.deadline,
            "remark": remark,
        }
        yield SheetRow(_values(layout, row), style="overdue" if p.overdue else None)


def export_appendix(
    session: Session,
    appendix: int,
    path: Path | str | None = None,
    *,
    campaign_id: int | None = None,
    village_id: int | None = None,
    fill_date: dt.date | None = None,
    blank_day: bool = False,
    exports_dir: Path | None = None,
    include_unscreened: bool = True,
    mask_ids: bool = False,
    as_of: dt.date | None = None,
    snapshot_id: int | None = None,
) -> ExportResult:
    """Write appendix ``appendix`` (1–4) of the campaign for one village or the township.

    ``path`` defaults to :func:`default_filename` in ``exports_dir``. Appendix 1 lists every
    household (``include_unscreened``; those not yet screened shaded, with only size and type);
    appendix 3 is computed as of ``as_of`` or taken from a stored weekly snapshot; appendix 4
    leaves out on-the-spot fixes and shades overdue items (``mask_ids`` for copies that leave the
    office).
    """
    started = time.perf_counter()
    if appendix not in layouts.APPENDICES:
        raise UserError(f"附件编号应为1到4，不是“{appendix}”。")
    c = campaign_service.resolve(session, campaign_id)
    day = fill_date or dt.date.today()
    if path is None:
        if exports_dir is None:
            raise ValueError("either path or exports_dir is needed")
        path = Path(exports_dir) / default_filename(session, c, appendix, village_id, day)
    path = Path(path)
    appendix_xlsx.check_writable(path)
    village = _village_name(session, village_id)
    values = screening.layout_values(session, c, village=village, day=day, blank_day=blank_day)
    layout = layouts.load(appendix, c.year)

    if appendix == 1:
        rows: Any = _appendix1(session, c, village_id, include_unscreened)
    elif appendix == 2:
        rows = _appendix2(session, c, village_id)
    elif appendix == 3:
        if snapshot_id is not None:
            report = stats.load_snapshot(session, snapshot_id)
        else:
            report = stats.compute(session, c.id, as_of=as_of or day, village_id=village_id)
        values["date"] = campaign_service.cn_date(report.as_of)
        rows = _appendix3(report, layout, with_total=village_id is None)
    else:
        rows = _appendix4(session, c, village_id, mask_ids, day)

    rendered = layout.render(**values)
    n = appendix_xlsx.write_table(
        path,
        rendered,
        rows,
        title=rendered.title_text(**values),
        date_text=rendered.date_text(**values),
        with_keys=appendix in (1, 2),
        personal_data=appendix in (1, 4),  # households and people (附件2/3 are village figures)
    )
    return ExportResult(appendix, path, n, time.perf_counter() - started)


def default_filename_for(
    session: Session,
    campaign_id: int,
    appendix: int,
    village_id: int | None = None,
    day: dt.date | None = None,
) -> str:
    """``default_filename`` by the campaign's id (what the window passes)."""
    return default_filename(session, campaign_service.get(session, campaign_id), appendix, village_id, day)
