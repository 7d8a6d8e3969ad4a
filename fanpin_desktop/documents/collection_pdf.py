"""防止返贫监测对象信息采集表 as PDF: one portrait form per household, to print and sign.

What is printed and in which order comes from the layout file
(``resources/layouts/collection_<year>.json`` via :mod:`fanpin_desktop.domain.collection_layout`):
the header line (county … 户编号), then each section as a bordered block of label–value cells,
and its grids (the five risks; the member grid, split into an identity part and an
insurance/assistance part so it fits portrait A4). An internal document: the full ID number prints.

``render_collection`` takes plain :class:`CollectionForm` data gathered by
``services/collection.py``; ``story_collection`` gives one household's flowables for a batch PDF.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer, Table, TableStyle

from fanpin_desktop.documents.fonts import FontLibrary, default_library
from fanpin_desktop.documents.pdf_common import (
    CELL_PAD_X,
    GRID_COLOR,
    HEADER_BG,
    DocStyles,
    GridCell,
    GridColumn,
    PageSetup,
    Section,
    TableSpec,
    build_pdf,
    grid_table,
)
from fanpin_desktop.domain.collection_layout import CollectionLayout, Field, Grid, SectionLayout
from fanpin_desktop.errors import UserError

BLANK_DATE = "　　　　年　　月　　日"
BLANK_YESNO = "□是　□否"
SIGN_HEIGHT = 15 * mm  # a signature (and fingerprint) cell: room to sign by hand
BLANK_ROW_HEIGHT = 8 * mm
FIELD_ROW_HEIGHT = 6.5 * mm  # minimum height of a label–value row
BLANK_FIELD_ROW_HEIGHT = 7.2 * mm  # … on the blank form, written by hand


@dataclass
class CollectionForm:
    """One household's 采集表 as plain data: values keyed by the layout's sources.

    ``values``: household-level values (``measures.<类别>`` keys for the measures);
    ``rows``: the grids' row lists (``members``, ``risks``), each row a dict.
    A blank form has no values; it prints the labels, empty boxes and blank member rows.
    """

    layout: CollectionLayout
    values: Mapping[str, Any] = field(default_factory=dict)
    rows: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    blank: bool = False
    head_name: str = ""
    household_code: str = ""
    hand: frozenset[str] = frozenset()  # sources filled in by hand: print their blank box

    def text(self, f: Field) -> str:
        """A household-level field's printed text."""
        return field_text(self.values.get(f.source), f.kind, blank=self.blank or f.source in self.hand)

    @property
    def label(self) -> str:
        """How a page footer names the form."""
        if self.blank:
            return "信息采集表（空白）"
        return f"{self.head_name}户 {self.household_code}".strip()


# --------------------------------------------------------------------------------------------------
# values


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def field_text(value: Any, kind: str, blank: bool = False) -> str:
    """A value as the form prints it (``blank``: the empty box of a hand-filled form)."""
    if value is None or value == "":
        if blank and kind == "yesno":
            return BLANK_YESNO
        if blank and kind == "date":
            return BLANK_DATE
        return ""
    if kind == "yesno" or isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return _cn_date(value)
    if kind == "money" and isinstance(value, (Decimal, float, int)):
        return format(Decimal(str(value)).quantize(Decimal("0.01")), "f")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def grid_rows(form: CollectionForm, grid: Grid) -> list[list[str]]:
    """The printed rows of one grid: the data's rows, or empty ones (numbered for fixed grids)."""
    rows = [] if form.blank else list(form.rows.get(grid.rows) or ())
    count = grid.row_count if grid.row_count else (grid.blank_rows if form.blank else len(rows))
    if grid.row_count:
        rows = rows[: grid.row_count]
    out = []
    for i in range(max(count, len(rows))):
        row = rows[i] if i < len(rows) else {}
        cells = []
        for c in grid.columns:
            value = row.get(c.source)
            if c.source == "seq" and value is None and (grid.row_count or i < len(rows)):
                value = i + 1
            if c.source == "label" and value is None and grid.row_count:
                value = f"风险{i + 1}"
            cells.append(field_text(value, c.kind, blank=form.blank and c.kind != "yesno"))
        out.append(cells)
    return out


# --------------------------------------------------------------------------------------------------
# styles and pieces


def collection_styles(fonts: FontLibrary | None = None, paper: str = "A4") -> DocStyles:
    big = paper == "A3"
    return DocStyles(
        fonts=fonts or default_library(),
        body_size=11.0 if big else 8.0,
        header_size=10.0 if big else 7.5,
        title_size=22.0 if big else 16.0,
    )


def _scale(setup: PageSetup) -> float:
    return 1.41 if setup.paper == "A3" else 1.0


def _header_line(form: CollectionForm, styles: DocStyles, width: float) -> Flowable:
    """县（市、区）：… 乡（镇）：… as one borderless row with the values underlined."""
    fields = form.layout.header
    cells: list[Any] = []
    weights: list[float] = []
    for f in fields:
        cells.append(styles.para(f"{f.label}：", styles.cells["RIGHT"], styles.song))
        value = "" if form.blank else field_text(form.values.get(f.source), f.kind)
        cells.append(styles.para(value, styles.cells["LEFT"], styles.song))
        label_w = styles.song.string_width(f"{f.label}：", styles.body_size) + 2 * CELL_PAD_X + 1
        weights += [label_w, 0.0]
    free = width - sum(weights)
    value_cols = [i for i in range(1, len(cells), 2)]
    share = sum(f.width for f in fields) or 1.0
    for i, f in zip(value_cols, fields, strict=True):
        weights[i] = max(free * f.width / share, 8 * mm)
    scale = width / sum(weights)
    table = Table([cells], colWidths=[w * scale for w in weights])
    commands: list[tuple] = [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for i in value_cols:
        commands.append(("LINEBELOW", (i, 0), (i, 0), 0.5, GRID_COLOR))
    table.setStyle(TableStyle(commands))
    return table


def _section_title(title: str, styles: DocStyles, width: float) -> Table:
    table = Table([[styles.para(title, styles.section_title, styles.hei)]], colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.9, GRID_COLOR),
                ("BACKGROUND", (0, 0), (-1, -1), HEADER_BG),
                ("LEFTPADDING", (0, 0), (-1, -1), 2 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _field_rows(section: SectionLayout) -> list[list[tuple[Field, int]]]:
    """Fields packed into rows of ``per_row`` slots: (field, slots taken); the last field of a
    row that does not fill it takes the rest of the row."""
    rows: list[list[tuple[Field, int]]] = []
    current: list[tuple[Field, int]] = []
    used = 0
    per_row = section.per_row
    for f in section.fields:
        slots = max(1, min(per_row, round(f.width)))
        if used + slots > per_row:
            rows.append(current)
            current, used = [], 0
        current.append((f, slots))
        used += slots
    if current:
        rows.append(current)
    for row in rows:
        taken = sum(s for _f, s in row)
        if taken < per_row:
            f, s = row[-1]
            row[-1] = (f, s + per_row - taken)
    return rows


def _fields_table(
    form: CollectionForm, section: SectionLayout, styles: DocStyles, width: float, scale: float
) -> Table:
    per_row = section.per_row
    share = section.label_width or (0.5 if per_row > 1 else 0.25)
    slot = width / per_row
    col_widths: list[float] = []
    for _ in range(per_row):
        col_widths += [slot * share, slot * (1 - share)]
    data: list[list[Any]] = []
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID_COLOR),
        ("BOX", (0, 0), (-1, -1), 0.9, GRID_COLOR),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD_X + 1),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD_X + 1),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    pad_x, pad_y = CELL_PAD_X + 1, 2.5
    heights: list[float] = []
    for r, row in enumerate(_field_rows(section)):
        cells: list[Any] = [""] * (2 * per_row)
        col = 0
        need = (BLANK_FIELD_ROW_HEIGHT if form.blank else FIELD_ROW_HEIGHT) * scale
        for f, slots in row:
            label = styles.para(f.label, styles.label, styles.hei)
            cells[col] = label
            commands.append(("BACKGROUND", (col, r), (col, r), HEADER_BG))
            value = form.text(f)
            align = "LEFT"  # amounts too: a full-row amount pushed to the right edge reads badly
            end = col + 2 * slots - 1
            heights_here = [label.wrap(col_widths[col] - 2 * pad_x, 1e6)[1]]
            if value:
                para = styles.para(value, styles.cells[align], styles.song)
                cells[col + 1] = para
                room = sum(col_widths[col + 1 : end + 1]) - 2 * pad_x
                heights_here.append(para.wrap(room, 1e6)[1])
            if end > col + 1:
                commands.append(("SPAN", (col + 1, r), (end, r)))
            if f.kind == "sign":
                need = max(need, SIGN_HEIGHT * scale)
            need = max(need, max(heights_here) + 2 * pad_y)
            col = end + 1
        data.append(cells)
        heights.append(need)
    table = Table(data, colWidths=col_widths, rowHeights=heights)
    table.setStyle(TableStyle(commands))
    return table


def _grid_table(form: CollectionForm, grid: Grid, styles: DocStyles, width: float, scale: float) -> Table:
    kinds = {"yesno": "bool", "int": "int", "money": "money", "date": "date", "enum": "choice"}
    columns = []
    for c in grid.columns:
        kind = "id" if c.source == "id_number" else kinds.get(c.kind, "text")
        align = (
            "RIGHT"
            if c.kind == "money"
            else ("LEFT" if c.kind == "text" and c.source != "name" else "CENTER")
        )
        if c.source in ("label", "seq"):
            align = "CENTER"
        columns.append(GridColumn(c.source, c.width, align, kind))
    spec = TableSpec(
        1, tuple(GridCell(0, i, 1, 1, c.label) for i, c in enumerate(grid.columns)), tuple(columns)
    )
    body = grid_rows(form, grid)
    height = BLANK_ROW_HEIGHT * scale if form.blank or grid.row_count else None
    return grid_table(spec, body, styles=styles, width=width, row_height=height, body_pad_y=3)


# --------------------------------------------------------------------------------------------------
# story and render


def story_collection(form: CollectionForm, styles: DocStyles, setup: PageSetup) -> list[Flowable]:
    """One household's form: Section marker, title, header line, sections, PageBreak."""
    if not hasattr(styles, "section_title"):
        _add_styles(styles)
    width = setup.frame_width
    scale = _scale(setup)
    layout = form.layout
    story: list[Flowable] = [
        Section(f"{layout.title}:{id(form)}", form.label)
    ]  # pages numbered per household
    story.append(styles.para(layout.title, styles.title, styles.hei))
    story.append(_header_line(form, styles, width))
    story.append(Spacer(0, 2 * mm))
    gap = 1.5 * mm * scale
    for section in layout.sections:
        block: list[Flowable] = []
        if section.title:
            block.append(_section_title(section.title, styles, width))
        if section.fields:
            block.append(_fields_table(form, section, styles, width, scale))
        grids = [_grid_table(form, g, styles, width, scale) for g in section.grids]
        if grids:
            # the title stays with the first part of the section; long member grids may break
            first = grids[0]
            story.append(KeepTogether([*block, first]) if block else first)
            for g in grids[1:]:
                story.append(Spacer(0, gap / 2))
                story.append(g)
        else:
            story.append(KeepTogether(block))
        story.append(Spacer(0, gap))
    story.append(PageBreak())
    return story


def _add_styles(styles: DocStyles) -> None:
    from reportlab.lib.styles import ParagraphStyle

    styles.section_title = ParagraphStyle(  # type: ignore[attr-defined]
        "fp-collection-section",
        fontName=styles.hei.primary,
        fontSize=styles.body_size + 2,
        leading=(styles.body_size + 2) * 1.3,
        wordWrap="CJK",
    )
    styles.label = ParagraphStyle(  # type: ignore[attr-defined]
        "fp-collection-label",
        fontName=styles.hei.primary,
        fontSize=styles.body_size,
        leading=styles.body_size * 1.25,
        wordWrap="CJK",
    )


def render_collection(
    path: str | os.PathLike[str],
    data: Sequence[CollectionForm],
    paper: str = "A4",
    fonts: FontLibrary | None = None,
) -> Path:
    """The forms of ``data`` into one PDF (each household starts on a new page)."""
    if not data:
        raise UserError("没有可打印的信息采集表：所选范围内没有监测对象。")
    setup = PageSetup(paper=paper, landscape=False)
    styles = collection_styles(fonts, setup.paper)
    _add_styles(styles)
    story: list[Flowable] = []
    for form in data:
        story += story_collection(form, styles, setup)
    return build_pdf(
        path,
        story,
        setup,
        styles=styles,
        title=data[0].layout.title,
        subject="内部资料：内含个人敏感信息，请妥善保管，不得外传",
    )
