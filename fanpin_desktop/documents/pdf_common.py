"""Building blocks shared by the PDFs: paper, styles, header-tree tables, numbered pages, atomic save.

The screening forms have multi-level headers (``“三保障”及饮水安全`` over four questions,
``重点人群和特殊群体`` over groups over questions). A header is described once as a tree of
:class:`HeaderNode` (label → children); :func:`header_grid` turns it into header rows with merged
cells (ReportLab ``SPAN``) and the table repeats those rows at the top of every page.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A3, A4, landscape, portrait
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from fanpin_desktop.documents.fonts import FANGSONG, HEI, SONG, FontChain, FontLibrary, default_library
from fanpin_desktop.documents.pdf_text import KeepNumbersParagraph
from fanpin_desktop.documents.xlsx_util import atomic_path
from fanpin_desktop.errors import UserError, explain_os_error

PAPERS = {"A4": A4, "A3": A3}
PAPER_LABELS = {"A4": "A4 横向", "A3": "A3 横向"}
GRID_COLOR = colors.black
HEADER_BG = colors.Color(0.92, 0.92, 0.92)
PRODUCER = "防返贫监测帮扶工作站"


# --------------------------------------------------------------------------------------------------
# paper


@dataclass(frozen=True)
class PageSetup:
    """Paper size and orientation with margins (points)."""

    paper: str = "A4"
    landscape: bool = True
    margin_top: float = 12 * mm
    margin_bottom: float = 12 * mm
    margin_left: float = 10 * mm
    margin_right: float = 10 * mm

    def __post_init__(self) -> None:
        if self.paper not in PAPERS:
            raise UserError(f"纸张大小只能是 {'、'.join(PAPERS)}，不能是“{self.paper}”。")

    @property
    def pagesize(self) -> tuple[float, float]:
        size = PAPERS[self.paper]
        return landscape(size) if self.landscape else portrait(size)

    @property
    def frame_width(self) -> float:
        return self.pagesize[0] - self.margin_left - self.margin_right

    @property
    def frame_height(self) -> float:
        return self.pagesize[1] - self.margin_top - self.margin_bottom


# --------------------------------------------------------------------------------------------------
# header trees


@dataclass(frozen=True)
class HeaderNode:
    """One header cell: a leaf is a column (with a data ``key``), a branch spans its children."""

    label: str
    children: tuple[HeaderNode, ...] = ()
    key: str | None = None
    width: float = 1.0  # relative width of a leaf column
    align: str = "CENTER"  # body alignment of a leaf column: LEFT / CENTER / RIGHT

    @property
    def is_leaf(self) -> bool:
        return not self.children


def col(label: str, key: str | None = None, width: float = 1.0, align: str = "CENTER") -> HeaderNode:
    return HeaderNode(label, (), key, width, align)


def group(label: str, *children: HeaderNode) -> HeaderNode:
    return HeaderNode(label, tuple(children))


def tree_from_data(data: Iterable[Mapping[str, Any]]) -> tuple[HeaderNode, ...]:
    """A header tree from JSON-like data: ``[{"label", "key", "width", "align", "children"}]``.

    ``header``/``title`` are accepted for ``label`` and ``field``/``name`` for ``key``, so layout
    files written for the spreadsheet exports can be read as they are.
    """
    nodes = []
    for item in data:
        label = item.get("label") or item.get("header") or item.get("title") or ""
        key = item.get("key") or item.get("field") or item.get("name")
        children = tree_from_data(item.get("children") or ())
        nodes.append(
            HeaderNode(
                str(label),
                children,
                None if children else key,
                float(item.get("width") or 1.0),
                str(item.get("align") or "CENTER").upper(),
            )
        )
    return tuple(nodes)


def leaves(tree: Sequence[HeaderNode]) -> list[HeaderNode]:
    out: list[HeaderNode] = []
    for node in tree:
        out += leaves(node.children) if node.children else [node]
    return out


def tree_depth(tree: Sequence[HeaderNode]) -> int:
    return max((1 + tree_depth(n.children) if n.children else 1 for n in tree), default=0)


# --------------------------------------------------------------------------------------------------
# table specifications: header cells with spans + leaf columns


@dataclass(frozen=True)
class GridCell:
    """A header cell at (row, col) spanning rowspan × colspan; ``note`` cells are hints, not titles."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    note: bool = False


@dataclass(frozen=True)
class GridColumn:
    key: str | None
    width: float  # relative
    align: str = "CENTER"
    kind: str = "text"


# kinds of the layout files (domain/appendix_layouts.py) -> body alignment
_KIND_ALIGN = {"money": "RIGHT", "text": "LEFT"}
_SHORT_TEXT_KEYS = {
    "village_group",
    "head_name",
    "village",
    "unit",
    "township",
    "responsible",
    "problem_type",
}


@dataclass(frozen=True)
class TableSpec:
    """Everything the PDF needs about a table's columns and merged header."""

    header_rows: int
    cells: tuple[GridCell, ...]
    columns: tuple[GridColumn, ...]

    @property
    def keys(self) -> list[str | None]:
        return [c.key for c in self.columns]

    @classmethod
    def from_tree(cls, tree: Sequence[HeaderNode]) -> TableSpec:
        rows, spans = header_grid(tree)
        span_at = {start: end for start, end in spans}
        cells = []
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                if not text:
                    continue
                end_c, end_r = span_at.get((c, r), (c, r))
                cells.append(GridCell(r, c, end_r - r + 1, end_c - c + 1, text))
        columns = tuple(GridColumn(n.key, n.width, n.align) for n in leaves(tree))
        return cls(len(rows), tuple(cells), columns)

    @classmethod
    def from_layout(cls, layout: Any) -> TableSpec:
        """From a ``domain.appendix_layouts.Layout`` (read duck-typed: header_rows, cells, columns)."""
        cells = tuple(
            GridCell(h.row, h.col, h.rowspan, h.colspan, h.text, bool(getattr(h, "is_note", False)))
            for h in layout.cells
        )
        columns = []
        for c in layout.columns:
            align = c.extra.get("align") if getattr(c, "extra", None) else None
            if not align:
                align = "CENTER" if c.key in _SHORT_TEXT_KEYS else _KIND_ALIGN.get(c.kind, "CENTER")
            columns.append(GridColumn(c.key, float(c.width), str(align).upper(), c.kind))
        return cls(int(layout.header_rows), cells, tuple(columns))

    def widths(self, total: float) -> list[float]:
        weight = sum(c.width for c in self.columns) or 1.0
        return [total * c.width / weight for c in self.columns]


Span = tuple[tuple[int, int], tuple[int, int]]


def header_grid(tree: Sequence[HeaderNode]) -> tuple[list[list[str]], list[Span]]:
    """Header rows (labels, "" under merged cells) and the SPAN ranges as ((col, row), (col, row))."""
    depth = tree_depth(tree)
    width = len(leaves(tree))
    rows = [[""] * width for _ in range(depth)]
    spans: list[Span] = []

    def place(node: HeaderNode, row: int, column: int) -> int:
        rows[row][column] = node.label
        if node.is_leaf:
            if row < depth - 1:
                spans.append(((column, row), (column, depth - 1)))
            return column + 1
        end = column
        for child in node.children:
            end = place(child, row + 1, end)
        if end - 1 > column:
            spans.append(((column, row), (end - 1, row)))
        return end

    column = 0
    for node in tree:
        column = place(node, 0, column)
    return rows, spans


# --------------------------------------------------------------------------------------------------
# styles and cells

_ALIGN = {"LEFT": TA_LEFT, "CENTER": TA_CENTER, "RIGHT": TA_RIGHT}


@dataclass
class DocStyles:
    """Paragraph styles bound to the font chains of one library."""

    fonts: FontLibrary = field(default_factory=default_library)
    body_size: float = 8.0
    header_size: float = 7.5
    title_size: float = 16.0

    def __post_init__(self) -> None:
        self.song: FontChain = self.fonts.chain(SONG)
        self.hei: FontChain = self.fonts.chain(HEI)
        self.fangsong: FontChain = self.fonts.chain(FANGSONG)
        self.title = ParagraphStyle(
            "fp-title",
            fontName=self.hei.primary,
            fontSize=self.title_size,
            leading=self.title_size * 1.35,
            alignment=TA_CENTER,
            wordWrap="CJK",
            spaceAfter=2 * mm,
        )
        self.subtitle = ParagraphStyle(
            "fp-subtitle", fontName=self.song.primary, fontSize=10, leading=13, wordWrap="CJK"
        )
        self.note = ParagraphStyle(
            "fp-note", fontName=self.song.primary, fontSize=8.5, leading=11.5, wordWrap="CJK"
        )
        self.header = ParagraphStyle(
            "fp-header",
            fontName=self.hei.primary,
            fontSize=self.header_size,
            leading=self.header_size * 1.2,
            alignment=TA_CENTER,
            wordWrap="CJK",
        )
        self.header_note = ParagraphStyle(
            "fp-header-note",
            parent=self.header,
            fontName=self.song.primary,
            fontSize=self.header_size - 0.5,
            leading=(self.header_size - 0.5) * 1.2,
        )
        self.cells = {
            align: ParagraphStyle(
                f"fp-cell-{align}",
                fontName=self.song.primary,
                fontSize=self.body_size,
                leading=self.body_size * 1.25,
                alignment=_ALIGN[align],
                wordWrap="CJK",
            )
            for align in _ALIGN
        }

    def para(self, text: str, style: ParagraphStyle, chain: FontChain | None = None) -> Paragraph:
        chain = chain or (self.hei if style.fontName == self.hei.primary else self.song)
        return Paragraph(chain.markup(text), style)

    def header_para(self, text: str, note: bool = False) -> Paragraph:
        """A table header cell (or a title): never broken inside a number and its unit."""
        return KeepNumbersParagraph(
            text, self.header_note if note else self.header, self.song if note else self.hei
        )


CELL_PAD_X = 1.5
CELL_PAD_Y = 2.0


class CellMaker:
    """Turns cell text into what a Table holds: a plain string when it fits on one line in the
    primary font (fast), else a wrapping Paragraph with per-character font fallback."""

    def __init__(
        self,
        styles: DocStyles,
        widths: Sequence[float],
        aligns: Sequence[str],
        max_height: float | None = None,
    ) -> None:
        self.styles = styles
        self.max_height = max_height
        self.chain = styles.song
        self.size = styles.body_size
        self.room = [w - 2 * CELL_PAD_X - 0.5 for w in widths]
        self.aligns = list(aligns)
        self._plain: dict[tuple[str, int], bool] = {}

    def __call__(self, value: Any, column: int) -> Any:
        if value is None:
            return ""
        if isinstance(value, Flowable):
            return value
        text = str(value)
        if not text:
            return ""
        cache_key = (text, column)
        fits = self._plain.get(cache_key)
        if fits is None:
            fits = (
                "\n" not in text
                and self.chain.covers(text)
                and pdfmetrics.stringWidth(text, self.chain.primary, self.size) <= self.room[column]
            )
            if len(self._plain) < 50_000:
                self._plain[cache_key] = fits
        if fits:
            return text
        style = self.styles.cells[self.aligns[column]]
        if any(ch.isdigit() for ch in text):  # never "2026年7月3 / 日验收" or "910 / 0元"
            para = KeepNumbersParagraph(text, style, self.chain)
        else:
            para = Paragraph(self.chain.markup(text), style)
        if self.max_height is not None:
            para = self._shortened(para, text, style, column)
        return para

    def _shortened(self, para: Paragraph, text: str, style: ParagraphStyle, column: int) -> Paragraph:
        """A cell taller than a page cannot be laid out at all: cut its text to fit, ending in …"""
        room = self.room[column] + 0.5
        if para.wrap(room, 1e6)[1] <= self.max_height:
            return para
        low, high = 0, len(text)
        while high - low > 1:
            mid = (low + high) // 2
            if Paragraph(self.chain.markup(text[:mid] + "…"), style).wrap(room, 1e6)[1] <= self.max_height:
                low = mid
            else:
                high = mid
        return Paragraph(self.chain.markup(text[:low] + "…"), style)


_NOWRAP_KINDS = {"seq", "int", "money", "bool", "choice", "pair", "date", "id"}
MAX_NOWRAP_WIDTH = 45 * mm


def _overflows(para: Paragraph, width: float) -> bool:
    para.wrap(width, 100_000)
    for line in para.blPara.lines:
        extra = line[0] if isinstance(line, tuple) else getattr(line, "extraSpace", 0)
        if extra < -0.01:
            return True
    return False


def paragraph_min_width(para: Paragraph, low: float, high: float, step: float = 1.5) -> float:
    """The narrowest width from ``low`` up (by ``step``) at which ``para`` wraps without a line
    sticking out; ``high`` when none does.

    CJK wrapping keeps closing punctuation off the start of a line and opening punctuation off its
    end, so a header such as 户属性（脱贫户、监测户、一般农户） needs more than one character's width.
    Overflow is not monotonic in the width, hence a scan rather than a bisection.
    """
    width = low
    while width < high:
        if not _overflows(para, width):
            return width
        width += step
    return high


def fit_widths(
    spec: TableSpec, total: float, styles: DocStyles, body: Sequence[Sequence[Any]] = ()
) -> list[float]:
    """Column widths proportional to the layout's weights, but never narrower than what a column
    needs: its header label without lines sticking out, and for short-value columns (yes/no,
    numbers, names, choices) its widest value on one line. Wide text columns give up the
    difference."""
    pad = 2 * CELL_PAD_X
    hsize, bsize = styles.header_size, styles.body_size
    one_char = styles.hei.string_width("国", hsize) + 0.5
    mins = [one_char + pad] * len(spec.columns)
    leaf_paras: list[tuple[int, Paragraph]] = []
    for cell in spec.cells:
        if cell.colspan != 1:
            continue
        para = styles.header_para(cell.text, cell.note)
        leaf_paras.append((cell.col, para))
        need = paragraph_min_width(para, one_char, MAX_NOWRAP_WIDTH)
        mins[cell.col] = max(mins[cell.col], need + pad)
    for i, column in enumerate(spec.columns):
        if column.kind not in _NOWRAP_KINDS and column.key not in _SHORT_TEXT_KEYS:
            continue
        seen: set[str] = set()
        need = 0.0
        for row in body:
            value = row[i] if i < len(row) else ""
            if isinstance(value, str) and value and value not in seen and "\n" not in value:
                seen.add(value)
                need = max(need, styles.song.string_width(value, bsize))
        mins[i] = max(mins[i], min(need + pad + 1, MAX_NOWRAP_WIDTH))
    weights = [max(c.width, 0.01) for c in spec.columns]
    widths = _water_fill(weights, mins, total)
    # Overflow is not monotonic in the width: check each header at its final width and widen
    # the few that still stick out.
    for _ in range(4):
        changed = False
        for column, para in leaf_paras:
            room = widths[column] - pad
            if _overflows(para, room):
                mins[column] = paragraph_min_width(para, room + 0.5, MAX_NOWRAP_WIDTH) + pad
                changed = True
        if not changed:
            break
        widths = _water_fill(weights, mins, total)
    return widths


def _water_fill(weights: Sequence[float], mins: Sequence[float], total: float) -> list[float]:
    """Widths proportional to ``weights`` with every column at least its minimum."""
    if sum(mins) >= total:  # cannot satisfy: shrink the minimums evenly (text will wrap more)
        return [m * total / sum(mins) for m in mins]
    fixed: dict[int, float] = {}
    while True:
        free = total - sum(fixed.values())
        share = sum(w for i, w in enumerate(weights) if i not in fixed)
        if share <= 0:
            return [fixed.get(i, 0.0) for i in range(len(weights))]
        widths = [fixed.get(i, free * w / share) for i, w in enumerate(weights)]
        short = [i for i, w in enumerate(widths) if i not in fixed and w < mins[i]]
        if not short:
            return widths
        for i in short:
            fixed[i] = mins[i]


def as_spec(table: TableSpec | Sequence[HeaderNode]) -> TableSpec:
    return table if isinstance(table, TableSpec) else TableSpec.from_tree(table)


def grid_table(
    spec: TableSpec | Sequence[HeaderNode],
    body: Sequence[Sequence[Any]],
    *,
    styles: DocStyles,
    width: float,
    row_height: float | None = None,
    body_pad_y: float = CELL_PAD_Y,
    extra_style: Sequence[tuple] = (),
    max_row_height: float | None = None,
) -> Table:
    """A bordered table under a merged multi-level header that repeats on every page.

    ``body`` rows hold one value per leaf column (str, number, None, or a Flowable).
    ``row_height`` fixes the height of body rows (blank sheets for handwriting).
    ``max_row_height`` caps a body row (text cut, ending in …) so that no row is taller than a
    page below the repeated header, which ReportLab could not lay out.
    """
    spec = as_spec(spec)
    depth = spec.header_rows
    ncols = len(spec.columns)
    widths = fit_widths(spec, width, styles, body)
    head: list[list[Any]] = [[""] * ncols for _ in range(depth)]
    spans: list[Span] = []
    for cell in spec.cells:
        head[cell.row][cell.col] = styles.header_para(cell.text, cell.note)
        if cell.rowspan > 1 or cell.colspan > 1:
            spans.append(((cell.col, cell.row), (cell.col + cell.colspan - 1, cell.row + cell.rowspan - 1)))
    aligns = [c.align if c.align in _ALIGN else "CENTER" for c in spec.columns]
    cap = None if max_row_height is None else max(max_row_height - 2 * body_pad_y, styles.body_size * 2)
    make = CellMaker(styles, widths, aligns, cap)
    data = head + [[make(value, i) for i, value in enumerate(row)] for row in body]
    heights = [None] * depth + [row_height] * len(body) if row_height else None
    table = Table(data, colWidths=widths, rowHeights=heights, repeatRows=depth, splitByRow=1)
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID_COLOR),
        ("BOX", (0, 0), (-1, -1), 0.9, GRID_COLOR),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), styles.song.primary),
        ("FONTSIZE", (0, 0), (-1, -1), styles.body_size),
        ("LEADING", (0, 0), (-1, -1), styles.body_size * 1.25),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
        ("TOPPADDING", (0, 0), (-1, depth - 1), CELL_PAD_Y),
        ("BOTTOMPADDING", (0, 0), (-1, depth - 1), CELL_PAD_Y),
        ("BACKGROUND", (0, 0), (-1, depth - 1), HEADER_BG),
    ]
    if body:
        commands += [
            ("TOPPADDING", (0, depth), (-1, -1), body_pad_y),
            ("BOTTOMPADDING", (0, depth), (-1, -1), body_pad_y),
        ]
        for i, align in enumerate(aligns):
            commands.append(("ALIGN", (i, depth), (i, -1), align))
    commands += [("SPAN", start, end) for start, end in spans]
    commands += list(extra_style)
    table.setStyle(TableStyle(commands))
    return table


def header_height(spec: TableSpec | Sequence[HeaderNode], styles: DocStyles, width: float) -> float:
    """The height the merged header takes at ``width`` (to fit blank rows onto a page)."""
    table = grid_table(spec, [], styles=styles, width=width)
    _w, h = table.wrap(width, 100_000)
    return h


# --------------------------------------------------------------------------------------------------
# title block


def title_block(
    styles: DocStyles, title: str, left: str = "", right: str = "", *, width: float, top_left: str = ""
) -> list[Flowable]:
    """The form's title, with an optional "附件N" above and a line of left/right notes under it."""
    story: list[Flowable] = []
    if top_left:
        story.append(styles.para(top_left, styles.subtitle, styles.hei))
    story.append(KeepNumbersParagraph(title, styles.title, styles.hei))
    if left or right:
        right_style = ParagraphStyle("fp-sub-right", parent=styles.subtitle, alignment=TA_RIGHT)
        line = Table(
            [[styles.para(left, styles.subtitle, styles.song), styles.para(right, right_style, styles.song)]],
            colWidths=[width * 0.6, width * 0.4],
        )
        line.setStyle(
            TableStyle(
                [
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ]
            )
        )
        story.append(line)
    return story


# --------------------------------------------------------------------------------------------------
# sections and page numbers


class Section(Flowable):
    """Zero-size marker: pages from here on belong to ``name`` (numbered 1..n within it)."""

    def __init__(self, name: str, footer: str = "") -> None:
        super().__init__()
        self.name = name
        self.footer = footer
        self.width = self.height = 0

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        return 0, 0

    def draw(self) -> None:
        self.canv._fp_section = self.name
        self.canv._fp_footer = self.footer


def _numbered_canvas(chain: FontChain, setup: PageSetup, footer_size: float = 8.0) -> type[Canvas]:
    class NumberedCanvas(Canvas):
        """Defers pages so each footer can say 第 n 页 共 m 页 within its section."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._fp_pages: list[dict] = []
            self._fp_section = ""
            self._fp_footer = ""

        def showPage(self) -> None:  # noqa: N802 - ReportLab's name
            # the page is kept until save() knows the totals: one string per page instead of
            # thousands of small operator strings (500 sheets: 28 MB held instead of 39)
            self._code = ["\n".join(self._code)]
            self._fp_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            pages = self._fp_pages
            totals: dict[str, int] = {}
            for state in pages:
                totals[state["_fp_section"]] = totals.get(state["_fp_section"], 0) + 1
            seen: dict[str, int] = {}
            for state in pages:
                self.__dict__.update(state)
                section = state["_fp_section"]
                seen[section] = seen.get(section, 0) + 1
                self._fp_draw_footer(seen[section], totals[section], state["_fp_footer"])
                Canvas.showPage(self)
            Canvas.save(self)

        def _fp_draw_footer(self, number: int, total: int, footer: str) -> None:
            y = setup.margin_bottom / 2
            self.saveState()
            self.setFillColor(colors.Color(0.25, 0.25, 0.25))
            if footer:
                chain.draw_string(self, setup.margin_left, y, footer, footer_size)
            chain.draw_string(
                self,
                setup.pagesize[0] - setup.margin_right,
                y,
                f"第 {number} 页 共 {total} 页",
                footer_size,
                "right",
            )
            self.restoreState()

    return NumberedCanvas


# --------------------------------------------------------------------------------------------------
# writing


def atomic_write(
    path: str | os.PathLike[str], write: Callable[[str], None], action: str = "保存文件"
) -> Path:
    """Call ``write(temp_path)`` and move the result over ``path`` only when it succeeded."""
    target = Path(path)
    try:
        with atomic_path(target, suffix=target.suffix + ".tmp") as tmp:
            write(str(tmp))
    except OSError as exc:
        known = explain_os_error(exc, action, target)
        if known is None:
            raise
        raise known from exc
    return target


def build_pdf(
    path: str | os.PathLike[str],
    story: Sequence[Flowable],
    setup: PageSetup,
    *,
    styles: DocStyles,
    title: str,
    subject: str = "",
    author: str = "",
) -> Path:
    """Lay out ``story`` on ``setup`` pages with numbered footers and save it atomically."""

    def write(tmp: str) -> None:
        doc = BaseDocTemplate(
            tmp,
            pagesize=setup.pagesize,
            leftMargin=setup.margin_left,
            rightMargin=setup.margin_right,
            topMargin=setup.margin_top,
            bottomMargin=setup.margin_bottom,
            title=title,
            subject=subject,
            author=author or PRODUCER,
            creator=PRODUCER,
            lang="zh-CN",
        )
        frame = Frame(
            setup.margin_left,
            setup.margin_bottom,
            setup.frame_width,
            setup.frame_height,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="body",
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], pagesize=setup.pagesize)])
        doc.build(list(story), canvasmaker=_numbered_canvas(styles.song, setup))

    return atomic_write(path, write, action="生成PDF")
