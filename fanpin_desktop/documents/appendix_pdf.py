"""PDFs of the concentrated-screening appendices (seed 000): 附件1 到户排查表 (blank and pre-filled,
one section per village, for the field teams), 附件3 排查情况统计表 and 附件4 问题整改台账.

The header trees and labels come from the same layout files as the spreadsheet exports
(``resources/layouts/appendixN_<year>.json`` via :mod:`fanpin_desktop.domain.appendix_layouts`), so a
printed sheet and an exported workbook always agree. The ``render_*`` functions take plain rows
(dicts keyed by the layout's column keys) and the page options, and know nothing of the database:
the printing service (``services/printing.py``) gathers the rows and calls them.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from fanpin_desktop.documents.fonts import FontLibrary, default_library
from fanpin_desktop.documents.pdf_common import (
    DocStyles,
    PageSetup,
    Section,
    TableSpec,
    build_pdf,
    grid_table,
    header_height,
    title_block,
)
from fanpin_desktop.domain import appendix_layouts

NOT_APPLICABLE = "／"  # printed in cells whose question does not concern the household
BLANK_ROW_HEIGHT = {"A4": 9 * mm, "A3": 10 * mm}


class _NotApplicable:
    """Marker value for a question that does not concern the household (prints as ／)."""

    def __repr__(self) -> str:
        return "NA"


NA = _NotApplicable()


# --------------------------------------------------------------------------------------------------
# values


def cn_date(day: dt.date | None, blank_day: bool = False) -> str:
    """2022年5月20日 (``blank_day``: 2022年5月　日, for a date filled in by hand)."""
    if day is None:
        return "　　　　年　　月　　日"
    if blank_day:
        return f"{day.year}年{day.month}月　　日"
    return f"{day.year}年{day.month}月{day.day}日"


def amount_text(value: Decimal | float | int | None) -> str:
    """7000 / 6523.50: whole amounts without decimals, others with two; no thousands separators."""
    if value is None:
        return ""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if d == d.to_integral():
        return format(d.quantize(Decimal(1)), "f")
    return format(d.quantize(Decimal("0.01")), "f")


def format_value(value: Any, kind: str = "text") -> str:
    """A cell value as printed: 是/否 for yes-no, a/b for 户/人 pairs, dates in Chinese."""
    if value is None:
        return ""
    if value is NA:
        return NOT_APPLICABLE
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (tuple, list)) and kind == "pair":
        return "/".join(format_value(v) for v in value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return cn_date(value)
    if kind == "money" and isinstance(value, (Decimal, float, int)):
        return format(Decimal(str(value)).quantize(Decimal("0.01")), "f")  # a money column: 6523.50, 11362.00
    if isinstance(value, (Decimal, float)):
        return amount_text(value)
    return str(value)


def _body_rows(spec: TableSpec, rows: Sequence[Mapping[str, Any]], number: bool = True) -> list[list[str]]:
    out = []
    for i, row in enumerate(rows, start=1):
        cells = []
        for column in spec.columns:
            value = row.get(column.key) if column.key else None
            if column.kind == "seq" and value is None and number:
                value = i
            cells.append(format_value(value, column.kind))
        out.append(cells)
    return out


def _setup(paper: str, layout: Any) -> PageSetup:
    return PageSetup(paper=paper or getattr(layout, "paper", "A4"), landscape=True)


def _styles(fonts: FontLibrary | None, paper: str, body_size: float | None = None) -> DocStyles:
    big = paper == "A3"
    return DocStyles(
        fonts=fonts or default_library(),
        body_size=body_size or (8.5 if big else 7.0),
        header_size=7.5 if big else 6.0,
        title_size=18.0 if big else 15.0,
    )


def _height(flowables: Sequence[Flowable], width: float) -> float:
    total = 0.0
    for f in flowables:
        _w, h = f.wrap(width, 100_000)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def _prepare(
    layout: Any, paper: str, fonts: FontLibrary | None
) -> tuple[TableSpec, PageSetup, DocStyles, float]:
    """An appendix's table spec, page setup, styles and frame width."""
    spec = TableSpec.from_layout(layout)
    setup = _setup(paper, layout)
    return spec, setup, _styles(fonts, setup.paper), setup.frame_width


def _room_for_rows(setup: PageSetup, spec: TableSpec, styles: DocStyles, above: Sequence[Flowable]) -> float:
    """The height left on a page for table rows under ``above`` and the table's header."""
    width = setup.frame_width
    return setup.frame_height - _height(above, width) - header_height(spec, styles, width) - 2


# --------------------------------------------------------------------------------------------------
# 附件1 到户排查表


@dataclass
class VillageSheet:
    """One village's part of appendix 1: its name and one row per household (none = blank)."""

    village: str
    rows: list[Mapping[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class PrintOptions:
    """What the clerk chooses in the print dialog."""

    paper: str = "A4"  # A4 / A3, always landscape
    blank: bool = False  # 空白表 for handwriting instead of the pre-filled sheet
    blank_rows: int | None = None  # None: one full page per village
    suggest: bool = True  # pre-fill unscreened households with what the data suggests


def render_appendix1(
    path: str | os.PathLike[str],
    sheets: Sequence[VillageSheet],
    *,
    township: str,
    year: int,
    income_period: str = "",
    threshold: str = "",
    fill_date: dt.date | None = None,
    paper: str = "A4",
    blank: bool = False,
    blank_rows: int | None = None,
    fonts: FontLibrary | None = None,
) -> Path:
    """附件1 for the field teams, one section per village (each starts on a new page).

    ``blank``: no household rows, ``blank_rows`` empty lines (default: as many as fill one page)
    for handwriting. Otherwise each sheet's rows are printed, values formatted by column kind;
    :data:`NA` prints as ／ (question not for this household).
    """
    layout = appendix_layouts.load(1, year).render(
        year=year,
        income_period=income_period or "　　年　月　日-　　年　月　日",
        threshold=threshold or "　　",
    )
    spec, setup, styles, width = _prepare(layout, paper, fonts)
    date_text = layout.date_text(date=cn_date(fill_date, blank_day=True)) or ""
    signer = "排查人员（签字）：　　　　　　　　"
    story: list[Flowable] = []
    row_height = BLANK_ROW_HEIGHT[setup.paper]
    for n, sheet in enumerate(sheets or [VillageSheet("")]):
        if n:
            story.append(PageBreak())
        footer = f"{township}{sheet.village} · 附件1 到户排查表"
        story.append(Section(f"{n}:{sheet.village}", footer))
        left, right = (date_text, signer) if layout.date_align == "left" else (signer, date_text)
        head = title_block(
            styles,
            layout.title_text(
                township=township or "      乡镇", village=sheet.village or "      村", year=year
            ),
            left,
            right,
            width=width,
            # the xlsx keeps its first row for the privacy warning; the printed form is labelled like 2–4
            top_left=layout.attachment_label or f"附件{layout.appendix}",
        )
        story += head
        free = _room_for_rows(setup, spec, styles, head)
        if blank:
            count = blank_rows
            if count is None:
                count = max(1, math.floor(free / row_height))
            body = [[""] * len(spec.columns) for _ in range(count)]
            story.append(grid_table(spec, body, styles=styles, width=width, row_height=row_height))
        else:
            body = _body_rows(spec, sheet.rows)
            story.append(
                grid_table(spec, body, styles=styles, width=width, body_pad_y=2.5, max_row_height=free)
            )
    title = f"{township}{year}年防止返贫监测帮扶集中排查到户排查表"
    return build_pdf(path, story, setup, styles=styles, title=title, subject="附件1 到户排查表")


# --------------------------------------------------------------------------------------------------
# 附件3 排查情况统计表


def render_appendix3(
    path: str | os.PathLike[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    township: str,
    year: int,
    report_date: dt.date | None = None,
    total: Mapping[str, Any] | None = None,
    paper: str = "A4",
    fonts: FontLibrary | None = None,
) -> Path:
    """附件3: one row per village and the township total (``total``, printed as 合计)."""
    layout = appendix_layouts.load(3, year).render(year=year)
    spec, setup, styles, width = _prepare(layout, paper, fonts)
    body = _body_rows(spec, rows)
    extra: list[tuple] = []
    if total is not None:
        label = layout.raw.get("total_label", "合计")
        total_row = dict(total)
        keys = spec.keys
        if "village" in keys:
            total_row.setdefault("village", label)
        row = _body_rows(spec, [total_row], number=False)[0]
        if keys and keys[0] == "seq" and not row[0]:
            row[0] = ""
        body.append(row)
        last = spec.header_rows + len(body) - 1
        extra.append(("FONTNAME", (0, last), (-1, last), styles.hei.primary))
    left = layout.date_text(township=township, date=cn_date(report_date)) or ""
    story: list[Flowable] = [Section("a3", f"{township} · 附件3 排查情况统计表")]
    story += title_block(
        styles,
        layout.title_text(year=year, township=township),
        left,
        "",
        width=width,
        top_left=layout.attachment_label or "",
    )
    free = _room_for_rows(setup, spec, styles, story)
    story.append(
        grid_table(
            spec, body, styles=styles, width=width, body_pad_y=4.0, extra_style=extra, max_row_height=free
        )
    )
    story.append(Spacer(1, 3 * mm))
    story.append(
        styles.para(
            "填表人：　　　　　　　　审核人：　　　　　　　　联系电话：", styles.subtitle, styles.song
        )
    )
    title = f"{township}{year}年防止返贫监测帮扶集中排查情况统计表"
    return build_pdf(path, story, setup, styles=styles, title=title, subject="附件3 排查情况统计表")


# --------------------------------------------------------------------------------------------------
# 附件4 问题整改台账


def render_appendix4(
    path: str | os.PathLike[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    township: str,
    year: int | None = None,
    date: dt.date | None = None,
    paper: str = "A4",
    fonts: FontLibrary | None = None,
) -> Path:
    """附件4 问题整改台账 (internal: the ID column holds full numbers, as the form asks)."""
    layout = appendix_layouts.load(4, year).render(year=year or "")
    spec, setup, styles, width = _prepare(layout, paper, fonts)
    body = _body_rows(spec, rows)
    if not body:
        body = [[""] * len(spec.columns) for _ in range(5)]
    date_text = layout.date_text(date=cn_date(date, blank_day=date is None)) or ""
    unit = f"填报单位：{township}" if township else ""
    left, right = (date_text, unit) if layout.date_align == "left" else (unit, date_text)
    story: list[Flowable] = [Section("a4", f"{township} · 附件4 问题整改台账")]
    story += title_block(
        styles,
        layout.title_text(year=year or ""),
        left,
        right,
        width=width,
        top_left=layout.attachment_label or "",
    )
    free = _room_for_rows(setup, spec, styles, story)
    story.append(grid_table(spec, body, styles=styles, width=width, body_pad_y=4.0, max_row_height=free))
    if layout.footer:
        story.append(Spacer(1, 2 * mm))
        story.append(styles.para(layout.footer, styles.note, styles.song))
    title = f"{township}集中排查发现问题整改台账"
    return build_pdf(path, story, setup, styles=styles, title=title, subject="附件4 问题整改台账")
